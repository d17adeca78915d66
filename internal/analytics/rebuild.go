package analytics

import (
	"context"

	"fmt"
	"log/slog"
	"strings"
	"time"

	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/clickrollup"
	"shortener/internal/auth"
)

// rebuildChunk is the click rows a rebuild reads (and flags) at a time.
const rebuildChunk = 10_000

// Rebuild recomputes the click rollups from the click rows, the source of
// truth (`shortener stats rebuild`). First it fills in the first_visit
// flags missing on rows written before the flag existed: a row is first
// when no earlier (by id) non-bot row of its link (or QR code) has the same
// visitor hash that UTC day. Then it replaces every rollup from the hour of
// the oldest counted click row on by one computed from the rows, in one
// transaction; older rollups, whose rows --click-retention has deleted
// (whole hours), stay, and so does the row of the day that hour is in. Run it
// with the server stopped: a running writer's pending rollups would be
// added on top. It returns the click rows it read.
func Rebuild(ctx context.Context, client *ent.Client, dialectName string, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.Default()
	}
	ctx = auth.SystemContext(ctx)
	flagged, err := fillFirstVisits(ctx, client)
	if err != nil {
		return 0, err
	}
	if flagged > 0 {
		log.Info("first_visit flags filled in", "rows", flagged)
	}
	var t tally
	total := 0
	for last := 0; ; {
		n, l, err := rollRows(ctx, client, rollupRowsSQL+ph(dialectName, 1)+" ORDER BY id LIMIT "+fmt.Sprint(rebuildChunk),
			[]any{last}, &t)
		if err != nil {
			return total, fmt.Errorf("read clicks: %w", err)
		}
		total += n
		if n < rebuildChunk {
			break
		}
		last = l
	}
	if len(t.rolls) == 0 { // no click rows (left): keep what the rollups know
		return 0, nil
	}
	var from time.Time // the oldest hour with a click row
	for k := range t.rolls {
		if !k.day && (from.IsZero() || k.start().Before(from)) {
			from = k.start()
		}
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return total, err
	}
	// Rows before from are not rebuilt: the day from falls in may have lost
	// its first hours to retention, so its row is written only when there
	// is none (a database from before rollups).
	for k := range t.rolls {
		if !k.start().Before(from) {
			continue
		}
		keep := false
		if k.day {
			n, err := tx.ClickRollup.Query().Where(clickrollup.KindEQ(clickrollup.Kind(k.kind())), clickrollup.TargetIDEQ(k.target),
				clickrollup.GrainEQ(clickrollup.GrainDay), clickrollup.HourEQ(k.start())).Count(ctx)
			if err != nil {
				_ = tx.Rollback()
				return total, err
			}
			keep = n == 0
		}
		if !keep {
			delete(t.rolls, k)
		}
	}
	if _, err := tx.ClickRollup.Delete().Where(clickrollup.HourGTE(from)).Exec(ctx); err != nil {
		_ = tx.Rollback()
		return total, fmt.Errorf("delete rollups: %w", err)
	}
	w := &Writer{opts: WriterOptions{Dialect: dialectName}}
	if err := w.writeRollups(ctx, tx.Client(), t.rolls); err != nil {
		_ = tx.Rollback()
		return total, err
	}
	if err := tx.Commit(); err != nil {
		return total, err
	}
	log.Info("click rollups rebuilt", "clicks", total, "rollups", len(t.rolls), "from", from)
	return total, nil
}

// fillFirstVisits sets first_visit on the rows that have none, in id order,
// a chunk a transaction. Visitor hashes are per UTC day, so it remembers
// the visits of the last two days it has seen only.
func fillFirstVisits(ctx context.Context, client *ent.Client) (int, error) {
	seen := map[visitKey]bool{}
	latest := int64(0)
	flagged := 0
	for last := 0; ; {
		rows, err := client.Click.Query().Where(click.FirstVisitIsNil(), click.IDGT(last)).
			Order(ent.Asc(click.FieldID)).Limit(rebuildChunk).All(ctx)
		if err != nil {
			return flagged, fmt.Errorf("read clicks: %w", err)
		}
		if len(rows) == 0 {
			return flagged, nil
		}
		var firsts, others []int
		for _, r := range rows {
			last = r.ID
			first := false
			if !r.Bot && (r.LinkID != nil || r.QrCodeID != nil) {
				k := visitKey{day: dayOf(r.CreatedAt), hash: keyOf(r.VisitorHash)}
				if r.LinkID != nil {
					k.target = *r.LinkID
				} else {
					k.qr, k.target = true, *r.QrCodeID
				}
				if k.day > latest {
					latest = k.day
					for o := range seen {
						if o.day < latest-1 {
							delete(seen, o)
						}
					}
				}
				first = !seen[k]
				seen[k] = true
			}
			if first {
				firsts = append(firsts, r.ID)
			} else {
				others = append(others, r.ID)
			}
		}
		tx, err := client.Tx(ctx)
		if err != nil {
			return flagged, err
		}
		for _, set := range []struct {
			ids   []int
			value bool
		}{{firsts, true}, {others, false}} {
			if len(set.ids) == 0 {
				continue
			}
			if err := updateFlags(ctx, tx.Client(), set.ids, set.value); err != nil {
				_ = tx.Rollback()
				return flagged, err
			}
		}
		if err := tx.Commit(); err != nil {
			return flagged, err
		}
		flagged += len(rows)
	}
}

// updateFlags sets first_visit on the rows ids (raw SQL: the column is
// immutable in ent, being the writer's alone).
func updateFlags(ctx context.Context, c *ent.Client, ids []int, value bool) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 1000)]
		ids = ids[len(chunk):]
		var b strings.Builder
		args := make([]any, 0, len(chunk)+1)
		args = append(args, value)
		b.WriteString("UPDATE clicks SET first_visit = $1 WHERE id IN (")
		for i, id := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", i+2)
			args = append(args, id)
		}
		b.WriteByte(')')
		if _, err := c.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("flag first visits: %w", err)
		}
	}
	return nil
}

// ph is the dialect's i-th placeholder.
func ph(dialectName string, i int) string {
	if dialectName == "postgres" {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}

// retentionChunk is the most click rows one batch deletes for
// --click-retention.
const retentionChunk = prunePerBatch

// pruneClicks deletes, in tx, up to retentionChunk of the oldest click rows
// (in id order) created before the hour that ClickRetention ago falls in:
// whole hours, so the oldest hour left is complete and a rebuild can
// recompute it. Rollups stay. It reports whether it is done for now (fewer
// than a chunk to delete).
func (w *Writer) pruneClicks(ctx context.Context, tx *ent.Client, now time.Time) (done bool, err error) {
	cutoff := now.Add(-w.opts.ClickRetention).UTC().Truncate(time.Hour)
	q := fmt.Sprintf(`DELETE FROM clicks WHERE id IN (SELECT id FROM (SELECT id, created_at FROM clicks ORDER BY id LIMIT %d) t
		WHERE created_at < %s)`, retentionChunk, w.ph(1))
	res, err := tx.ExecContext(ctx, q, cutoff)
	if err != nil {
		return false, fmt.Errorf("delete expired clicks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n < retentionChunk, nil
}
