package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/internal/auth"
)

// The counter mark (schema.CounterMark) closes the one gap deferred
// counters open: under load the writer writes the links' and QR codes'
// counters every CounterInterval, so a crash (not a SIGTERM, which
// flushes) would leave up to that long of stored click rows uncounted. The
// transaction that writes the counters also moves the mark to the newest
// click row; at start the writer counts the rows past it.
//
// SQLite only: there one server process writes the file. With several
// processes on one PostgreSQL database, one process's rows past the mark
// may be another's still pending, so the mark would count them twice; on
// PostgreSQL the gap stays (docs/decisions/0003-click-pipeline.md).

const (
	// createMarkSQL makes the mark when there is none: at the newest row,
	// as the counters of a database written before the mark existed are
	// up to date (earlier versions counted every batch).
	createMarkSQL = `INSERT INTO counter_marks (id, click_id) SELECT 1, (SELECT COALESCE(MAX(id), 0) FROM clicks)
		WHERE NOT EXISTS (SELECT 1 FROM counter_marks WHERE id = 1)`
	moveMarkSQL = `UPDATE counter_marks SET click_id = (SELECT COALESCE(MAX(id), 0) FROM clicks) WHERE id = 1`
	readMarkSQL = `SELECT click_id FROM counter_marks WHERE id = 1`

	// replayLinksSQL counts the rows past the mark as the writer counts
	// them: every non-bot click, and as unique those the writer flagged
	// first_visit (in the same transaction as the rows). A row from before
	// the flag existed is unique when no earlier row of the same visitor
	// hash is on the link that UTC day (a hash is only ever the same within
	// one day).
	replayLinksSQL = `SELECT c.link_id, COUNT(*), SUM(CASE WHEN c.first_visit THEN 1 ELSE 0 END) +
		COUNT(DISTINCT CASE WHEN c.first_visit IS NULL AND NOT EXISTS (
			SELECT 1 FROM clicks p WHERE p.link_id = c.link_id AND p.visitor_hash = c.visitor_hash
				AND p.bot = 0 AND p.id <= ?1 AND p.created_at >= substr(c.created_at, 1, 10))
			THEN c.visitor_hash END)
		FROM clicks c WHERE c.id > ?1 AND c.bot = 0 AND c.link_id IS NOT NULL GROUP BY c.link_id`
	replayQRsSQL = `SELECT qr_code_id, COUNT(*) FROM clicks
		WHERE id > ?1 AND bot = 0 AND qr_code_id IS NOT NULL GROUP BY qr_code_id`
)

// moveMark moves the mark in the transaction that writes the counters.
func (w *Writer) moveMark(ctx context.Context, tx *ent.Client) error {
	if w.opts.Dialect != dialect.SQLite {
		return nil
	}
	if _, err := tx.ExecContext(ctx, moveMarkSQL); err != nil {
		return fmt.Errorf("move counter mark: %w", err)
	}
	return nil
}

// recoverCounters adds the click rows past the mark to the counters and
// the rollups and moves the mark, in one transaction.
func (w *Writer) recoverCounters(ctx context.Context) (err error) {
	ctx = auth.SystemContext(ctx)
	tx, err := w.client.Tx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	c := tx.Client()
	if _, err := c.ExecContext(ctx, createMarkSQL); err != nil {
		return fmt.Errorf("create counter mark: %w", err)
	}
	var mark int
	if err := scanRows(ctx, c, readMarkSQL, nil, func(r *sql.Rows) error { return r.Scan(&mark) }); err != nil {
		return err
	}
	var t tally
	n := 0
	err = scanRows(ctx, c, replayLinksSQL, []any{mark}, func(r *sql.Rows) error {
		var id, clicks, unique int
		if err := r.Scan(&id, &clicks, &unique); err != nil {
			return err
		}
		t.addLink(id, counter{clicks: int32(clicks), unique: int32(unique)})
		n += clicks
		return nil
	})
	if err != nil {
		return err
	}
	err = scanRows(ctx, c, replayQRsSQL, []any{mark}, func(r *sql.Rows) error {
		var id, scans int
		if err := r.Scan(&id, &scans); err != nil {
			return err
		}
		t.addQR(id, scans)
		n += scans
		return nil
	})
	if err != nil {
		return err
	}
	if _, _, err := rollRows(ctx, c, rollupRowsSQL+"?1", []any{mark}, &t); err != nil {
		return fmt.Errorf("roll up clicks past the mark: %w", err)
	}
	if t.empty() {
		return tx.Commit()
	}
	if err := w.updateCounters(ctx, c, t); err != nil {
		return err
	}
	if err := w.moveMark(ctx, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.opts.Log.Warn("counted clicks stored before an unclean stop", "clicks", n)
	return nil
}

// scanRows runs a query and calls each for every row.
func scanRows(ctx context.Context, c *ent.Client, q string, args []any, each func(*sql.Rows) error) error {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return errors.Join(rows.Err(), rows.Close())
}
