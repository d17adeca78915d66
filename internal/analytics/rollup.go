package analytics

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/ent/clickrollup"
	"shortener/ent/schema/schematype"
)

// Rollups (schema.ClickRollup) are the statistics the writer keeps: per
// link or QR code and UTC hour, the clicks, the first visits and the counts
// of every breakdown dimension. They add up in memory with the counters
// and are written with them (writer.go), in the same transaction, so the
// rollups, the counters and the click rows agree at every commit.
// docs/decisions/0006-click-rollups.md has the design.

// MaxRollupKeys bounds the keys of one dimension in one rollup row: the
// clicks of further keys in that hour add up under OtherKey, so a row (and
// a statistics request reading it) stays small whatever the traffic.
const MaxRollupKeys = 200

// OtherKey is the key the clicks past MaxRollupKeys add up under.
const OtherKey = "Other"

// The dimension names of a rollup's dims column.
const (
	dimCountry  = "country"
	dimReferrer = "referrer"
	dimBrowser  = "browser"
	dimOS       = "os"
	dimDevice   = "device"
	dimLanguage = "language"
	dimSocial   = "social"
)

// dimNames maps a Dimension to its name in the dims column.
var dimNames = map[Dimension]string{
	Country: dimCountry, Referrer: dimReferrer, Browser: dimBrowser, OS: dimOS,
	Device: dimDevice, Language: dimLanguage, Social: dimSocial,
}

// rollupKey is one rollup row: a target and an hour (Unix hours), or a
// day (day true; hour is the day's first).
type rollupKey struct {
	qr     bool
	target int
	day    bool
	hour   int64
}

func (k rollupKey) grain() string {
	if k.day {
		return grainDay
	}
	return grainHour
}

// The grains of a rollup row.
const (
	grainHour = "hour"
	grainDay  = "day"
)

func (k rollupKey) kind() string {
	if k.qr {
		return kindQR
	}
	return kindLink
}

func (k rollupKey) start() time.Time { return time.Unix(k.hour*3600, 0).UTC() }

// rollup is what is added to one rollup row.
type rollup struct {
	owner          int
	clicks, unique int
	dims           schematype.RollupDims
}

// count adds one click (first when it is the visitor's first of the day)
// with the given dimension keys ("" for social means none).
func (r *rollup) count(first bool, keys [7]string) {
	u := 0
	if first {
		u = 1
	}
	r.clicks++
	r.unique += u
	if r.dims == nil {
		r.dims = schematype.RollupDims{}
	}
	for i, name := range rollupDims {
		if name == dimSocial && keys[i] == "" {
			continue
		}
		addKey(r.dims, name, keys[i], schematype.RollupCount{Clicks: 1, Unique: u})
	}
}

// rollupDims is the order of the keys count takes.
var rollupDims = [7]string{dimCountry, dimReferrer, dimBrowser, dimOS, dimDevice, dimLanguage, dimSocial}

// addKey adds c to key of a dimension, or to OtherKey once the dimension
// has MaxRollupKeys keys.
func addKey(dims schematype.RollupDims, name, key string, c schematype.RollupCount) {
	m := dims[name]
	if m == nil {
		m = map[string]schematype.RollupCount{}
		dims[name] = m
	}
	if _, ok := m[key]; !ok && len(m) >= MaxRollupKeys {
		key = OtherKey
	}
	v := m[key]
	v.Clicks += c.Clicks
	v.Unique += c.Unique
	m[key] = v
}

// add adds o to r.
func (r *rollup) add(o *rollup) {
	if r.owner == 0 {
		r.owner = o.owner
	}
	r.clicks += o.clicks
	r.unique += o.unique
	if len(o.dims) > 0 && r.dims == nil {
		r.dims = schematype.RollupDims{}
	}
	for _, name := range sortedDimNames(o.dims) {
		m := o.dims[name]
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the same keys overflow into Other whatever the map order
		for _, k := range keys {
			addKey(r.dims, name, k, m[k])
		}
	}
}

func sortedDimNames(d schematype.RollupDims) []string {
	names := make([]string, 0, len(d))
	for n := range d {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// rollupKeys returns the dimension keys of a stored click row, in
// rollupDims order.
func rollupKeys(country, referrer string, a Agent, language string) [7]string {
	return [7]string{country, referrer, a.Browser, a.OS, a.Device, language, SocialNetwork(referrer)}
}

// rollupsPerStatement is the most rollup rows of one upsert (8 arguments
// a row). A write goes in chunks of this size and then of halving sizes,
// so the statements have few distinct texts, which the driver's statement
// cache keeps compiled.
const rollupsPerStatement = 128

// writeRollups adds rs to the stored rollups in tx: for each chunk of rows
// (in key order, so two PostgreSQL writers lock them in the same order),
// one upsert makes the missing rows and returns the stored counts (on
// PostgreSQL it also locks the rows until the commit), and one upsert
// writes the merged counts.
func (w *Writer) writeRollups(ctx context.Context, tx *ent.Client, rs map[rollupKey]*rollup) error {
	keys := make([]rollupKey, 0, len(rs))
	for k := range rs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		if a.qr != b.qr {
			if a.qr {
				return 1
			}
			return -1
		}
		if a.day != b.day {
			if a.day {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.target, b.target), cmp.Compare(a.hour, b.hour))
	})
	for len(keys) > 0 {
		n := rollupsPerStatement
		for n > len(keys) {
			n /= 2
		}
		chunk := keys[:n]
		keys = keys[len(chunk):]
		stored := map[rollupKey]*rollup{}
		args := make([]any, 0, 8*len(chunk))
		for _, k := range chunk {
			args = append(args, rs[k].owner, k.kind(), k.target, k.grain(), k.start(), 0, 0, "{}")
		}
		q := w.rollupSQL(len(chunk), fmt.Sprintf("%[1]s = %[2]s.%[1]s", clickrollup.FieldClicks, clickrollup.Table))
		err := scanRows(ctx, tx, q, args, func(r *sql.Rows) error {
			var k rollupKey
			var kind, grain string
			var hour time.Time
			var dims []byte
			o := &rollup{}
			if err := r.Scan(&kind, &k.target, &grain, &hour, &o.clicks, &o.unique, &dims); err != nil {
				return err
			}
			k.qr, k.day, k.hour = kind == kindQR, grain == grainDay, hour.Unix()/3600
			if len(dims) > 0 {
				if err := json.Unmarshal(dims, &o.dims); err != nil {
					return fmt.Errorf("rollup dims: %w", err)
				}
			}
			stored[k] = o
			return nil
		})
		if err != nil {
			return fmt.Errorf("read click rollups: %w", err)
		}
		args = args[:0]
		for _, k := range chunk {
			m := stored[k]
			if m == nil {
				m = &rollup{}
			}
			m.add(rs[k])
			dims, err := json.Marshal(m.dims)
			if err != nil {
				return err
			}
			if m.dims == nil {
				dims = []byte("{}")
			}
			args = append(args, rs[k].owner, k.kind(), k.target, k.grain(), k.start(), m.clicks, m.unique, string(dims))
		}
		q = w.rollupSQL(len(chunk), fmt.Sprintf("%[1]s = excluded.%[1]s, %[2]s = excluded.%[2]s, %[3]s = excluded.%[3]s",
			clickrollup.FieldClicks, clickrollup.FieldUniqueClicks, clickrollup.FieldDims))
		if err := execRows(ctx, tx, q, args); err != nil {
			return fmt.Errorf("write click rollups: %w", err)
		}
	}
	return nil
}

// rollupSQL is the upsert of n rollup rows with the given SET, returning
// the rows as stored.
func (w *Writer) rollupSQL(n int, set string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s, %s, %s, %s, %s, %s, %s, %s) VALUES ", clickrollup.Table,
		clickrollup.FieldOwnerID, clickrollup.FieldKind, clickrollup.FieldTargetID, clickrollup.FieldGrain, clickrollup.FieldHour,
		clickrollup.FieldClicks, clickrollup.FieldUniqueClicks, clickrollup.FieldDims)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if w.opts.Dialect == dialect.Postgres {
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d::jsonb)", 8*i+1, 8*i+2, 8*i+3, 8*i+4, 8*i+5, 8*i+6, 8*i+7, 8*i+8)
		} else {
			b.WriteString("(?,?,?,?,?,?,?,?)")
		}
	}
	fmt.Fprintf(&b, " ON CONFLICT (%[1]s, %[2]s, %[8]s, %[3]s) DO UPDATE SET %[4]s RETURNING %[1]s, %[2]s, %[8]s, %[3]s, %[5]s, %[6]s, %[7]s",
		clickrollup.FieldKind, clickrollup.FieldTargetID, clickrollup.FieldHour, set,
		clickrollup.FieldClicks, clickrollup.FieldUniqueClicks, clickrollup.FieldDims, clickrollup.FieldGrain)
	return b.String()
}

// rollupRowsSQL reads the click rows that rollups count (non-bot, with a
// link or QR code) past an id, in id order; the caller adds its bounds.
const rollupRowsSQL = `SELECT id, owner_id, link_id, qr_code_id, created_at, country, referrer, browser, os, device,
	language, first_visit FROM clicks WHERE bot = false AND (link_id IS NOT NULL OR qr_code_id IS NOT NULL) AND id > `

// rollRows adds the click rows of q (rollupRowsSQL and its bounds) to t's
// rollups, and returns how many it read and the last id. A row without a
// first_visit flag (written before it existed) counts as no first visit.
func rollRows(ctx context.Context, c *ent.Client, q string, args []any, t *tally) (n, last int, err error) {
	err = scanRows(ctx, c, q, args, func(r *sql.Rows) error {
		var id, owner int
		var linkID, qrID sql.NullInt64
		var at time.Time
		var country, referrer, language string
		var a Agent
		var first sql.NullBool
		if err := r.Scan(&id, &owner, &linkID, &qrID, &at, &country, &referrer, &a.Browser, &a.OS, &a.Device,
			&language, &first); err != nil {
			return err
		}
		keys := rollupKeys(country, referrer, a, language)
		hour := at.Unix() / 3600
		if linkID.Valid {
			t.roll(rollupKey{target: int(linkID.Int64), hour: hour}, owner, first.Bool, keys)
		}
		if qrID.Valid {
			t.roll(rollupKey{qr: true, target: int(qrID.Int64), hour: hour}, owner, first.Bool && !linkID.Valid, keys)
		}
		n, last = n+1, id
		return nil
	})
	return n, last, err
}
