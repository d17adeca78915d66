package analytics

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/ent/dailyvisitor"
)

// First visits (unique clicks) are found in the daily visitor table
// (schema.DailyVisitor): every batch inserts one row for each of its
// non-bot (day, link or QR code, visitor) with ON CONFLICT DO NOTHING
// RETURNING, in the batch's transaction, and the rows that come back are
// exactly the visits not seen before that day. The cost is one index probe
// a visitor whatever the link's history, nothing is kept in memory, and a
// restart (or a second process on PostgreSQL) sees the same table.

// Kinds of a visit's target, as stored in daily_visitors.kind and
// click_rollups.kind.
const (
	kindLink = "link"
	kindQR   = "qr"
)

// visitKey is one visitor of one target on one UTC day. It holds the
// visitor hash as its 16 bytes rather than its 32 hex digits.
type visitKey struct {
	day    int64
	qr     bool // the target is a QR code, not a link
	target int
	hash   visitorKey
}

func (k visitKey) kind() string {
	if k.qr {
		return kindQR
	}
	return kindLink
}

// visitorKey is a visitor hash (32 hex digits, as Hasher.Hash returns) as
// bytes.
type visitorKey [16]byte

// keyOf returns the visitorKey of a visitor hash. A value that is not 32 hex
// digits (no row the writer stores has one) keeps its first 16 bytes.
func keyOf(hash string) visitorKey {
	var k visitorKey
	if len(hash) != 2*len(k) {
		copy(k[:], hash)
		return k
	}
	if _, err := hex.Decode(k[:], []byte(hash)); err != nil {
		k = visitorKey{}
		copy(k[:], hash)
	}
	return k
}

func (k visitorKey) String() string { return hex.EncodeToString(k[:]) }

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }

// visitsPerInsert is the most visitor rows of one INSERT. A batch's visits
// go in chunks of this size and then of halving sizes (128, 64, ... 1), so
// a batch runs a handful of statements of at most nine texts, which the
// driver's statement cache keeps compiled.
const visitsPerInsert = 256

// visitSQL returns the visitor INSERT of n rows (n a power of two up to
// visitsPerInsert).
func (w *Writer) visitSQL(n int) string {
	if q, ok := w.visitStmts[n]; ok {
		return q
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s, %s, %s, %s) VALUES ", dailyvisitor.Table,
		dailyvisitor.FieldDay, dailyvisitor.FieldKind, dailyvisitor.FieldTargetID, dailyvisitor.FieldVisitor)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if w.opts.Dialect == dialect.Postgres {
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
		} else {
			b.WriteString("(?,?,?,?)")
		}
	}
	fmt.Fprintf(&b, " ON CONFLICT (%[1]s, %[2]s, %[3]s, %[4]s) DO NOTHING RETURNING %[1]s, %[2]s, %[3]s, %[4]s",
		dailyvisitor.FieldDay, dailyvisitor.FieldKind, dailyvisitor.FieldTargetID, dailyvisitor.FieldVisitor)
	if w.visitStmts == nil {
		w.visitStmts = map[int]string{}
	}
	w.visitStmts[n] = b.String()
	return w.visitStmts[n]
}

// firstVisits inserts keys (distinct) into the daily visitor table in tx
// and returns those that were not there: the first visits. The keys are
// inserted in their order, so first is too.
func (w *Writer) firstVisits(ctx context.Context, tx *ent.Client, keys []visitKey) (map[visitKey]bool, error) {
	first := make(map[visitKey]bool, len(keys))
	args := make([]any, 0, 4*visitsPerInsert)
	for len(keys) > 0 {
		n := visitsPerInsert
		for n > len(keys) {
			n /= 2
		}
		args = args[:0]
		for _, k := range keys[:n] {
			args = append(args, k.day, k.kind(), k.target, k.hash[:])
		}
		err := scanRows(ctx, tx, w.visitSQL(n), args, func(r *sql.Rows) error {
			var k visitKey
			var kind string
			var hash []byte
			if err := r.Scan(&k.day, &kind, &k.target, &hash); err != nil {
				return err
			}
			k.qr = kind == kindQR
			copy(k.hash[:], hash)
			first[k] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("insert visitors: %w", err)
		}
		keys = keys[n:]
	}
	return first, nil
}

// prunePerBatch is the most rows one batch deletes from a table it prunes
// (old visitors, expired clicks), so pruning never holds the write lock
// long; the next batches go on until nothing is left.
const prunePerBatch = 10_000

// pruneVisitors deletes, in tx, up to prunePerBatch visitor rows older than
// yesterday (of today, UTC): their hashes can never come again. It runs
// with the batches of a new day until a chunk comes back short.
func (w *Writer) pruneVisitors(ctx context.Context, tx *ent.Client, now time.Time) (done bool, err error) {
	before := dayOf(now) - 1
	q := fmt.Sprintf("DELETE FROM %[1]s WHERE %[2]s IN (SELECT %[2]s FROM %[1]s WHERE %[3]s < %[4]s LIMIT %[5]d)",
		dailyvisitor.Table, dailyvisitor.FieldID, dailyvisitor.FieldDay, w.ph(1), prunePerBatch)
	res, err := tx.ExecContext(ctx, q, before)
	if err != nil {
		return false, fmt.Errorf("prune visitors: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("prune visitors: %w", err)
	}
	return n < prunePerBatch, nil
}

// ph is the dialect's i-th placeholder.
func (w *Writer) ph(i int) string {
	if w.opts.Dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}
