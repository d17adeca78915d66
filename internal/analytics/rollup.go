package analytics

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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

// rollup is what is added to one rollup row. Its dimension counts are one
// flat map (not a map a dimension): the writer holds one rollup per touched
// hour and day of every target, and fewer maps cost it less.
type rollup struct {
	owner          int
	clicks, unique int
	keys           map[dimKey]schematype.RollupCount
	n              [len(rollupDims)]int32 // keys per dimension
}

// dimKey is one key of one dimension (an index into rollupDims).
type dimKey struct {
	dim uint8
	key string
}

// count adds one click (first when it is the visitor's first of the day)
// with the given dimension keys ("" for social means none).
func (r *rollup) count(first bool, keys [7]string) {
	c := schematype.RollupCount{Clicks: 1}
	if first {
		c.Unique = 1
	}
	r.clicks++
	r.unique += c.Unique
	for i := range rollupDims {
		if i == socialDim && keys[i] == "" {
			continue
		}
		r.addKey(uint8(i), keys[i], c)
	}
}

// rollupDims is the order of the keys count takes.
var rollupDims = [7]string{dimCountry, dimReferrer, dimBrowser, dimOS, dimDevice, dimLanguage, dimSocial}

const socialDim = 6

// dimIndex is the index of a dimension name in rollupDims.
var dimIndex = map[string]uint8{dimCountry: 0, dimReferrer: 1, dimBrowser: 2, dimOS: 3, dimDevice: 4, dimLanguage: 5, dimSocial: 6}

// addKey adds c to key of dimension d, or to OtherKey once the dimension
// has MaxRollupKeys keys.
func (r *rollup) addKey(d uint8, key string, c schematype.RollupCount) {
	if r.keys == nil {
		r.keys = make(map[dimKey]schematype.RollupCount, 8)
	}
	k := dimKey{d, key}
	v, ok := r.keys[k]
	if !ok {
		if r.n[d] >= MaxRollupKeys {
			k.key = OtherKey
			v, ok = r.keys[k]
		}
		if !ok {
			r.n[d]++
		}
	}
	v.Clicks += c.Clicks
	v.Unique += c.Unique
	r.keys[k] = v
}

// add adds o to r.
func (r *rollup) add(o *rollup) {
	if r.owner == 0 {
		r.owner = o.owner
	}
	r.clicks += o.clicks
	r.unique += o.unique
	fits := true
	for d := range r.n {
		fits = fits && r.n[d]+o.n[d] <= MaxRollupKeys
	}
	if fits { // no key can overflow
		for k, c := range o.keys {
			r.addKey(k.dim, k.key, c)
		}
		return
	}
	keys := make([]dimKey, 0, len(o.keys))
	for k := range o.keys {
		keys = append(keys, k)
	}
	// The same keys overflow into Other whatever the map order.
	slices.SortFunc(keys, func(a, b dimKey) int { return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.key, b.key)) })
	for _, k := range keys {
		r.addKey(k.dim, k.key, o.keys[k])
	}
}

// setDims adds a stored row's dims to r.
func (r *rollup) setDims(dims schematype.RollupDims) {
	for name, m := range dims {
		d, ok := dimIndex[name]
		if !ok {
			continue
		}
		for k, c := range m {
			r.addKey(d, k, c)
		}
	}
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

// writeRollups adds the rollups of every map of rss to the stored ones in
// tx: for each chunk of rows (in key order, so two PostgreSQL writers lock
// them in the same order), one upsert makes the missing rows and returns
// the stored counts (on PostgreSQL it also locks the rows until the
// commit), and one upsert writes the merged counts.
func (w *Writer) writeRollups(ctx context.Context, tx *ent.Client, rss ...map[rollupKey]*rollup) error {
	var keys []rollupKey
	owners := map[rollupKey]int{}
	for _, rs := range rss {
		for k, r := range rs {
			if _, ok := owners[k]; !ok {
				keys = append(keys, k)
				owners[k] = r.owner
			}
		}
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
		var buf []byte
		args := make([]any, 0, 8*len(chunk))
		for _, k := range chunk {
			args = append(args, owners[k], k.kind(), k.target, k.grain(), k.start(), 0, 0, "{}")
		}
		q := w.rollupSQL(len(chunk), fmt.Sprintf("%[1]s = %[2]s.%[1]s", clickrollup.FieldClicks, clickrollup.Table))
		if w.opts.Dialect != dialect.Postgres {
			// On SQLite one process writes, under one write lock: reading the
			// stored rows is enough, and a new row is then written once.
			q = w.rollupSelectSQL(len(chunk))
			args = args[:0]
			for _, k := range chunk {
				args = append(args, k.kind(), k.target, k.grain(), k.start())
			}
		}
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
			if len(dims) > 2 { // not "{}"
				var d schematype.RollupDims
				if err := json.Unmarshal(dims, &d); err != nil {
					return fmt.Errorf("rollup dims: %w", err)
				}
				o.setDims(d)
			}
			stored[k] = o
			return nil
		})
		if err != nil {
			return fmt.Errorf("read click rollups: %w", err)
		}
		args = args[:0]
		for _, k := range chunk {
			// A new row with one source is written as it is (not copied: the
			// sources stay as they are should the transaction fail).
			m := stored[k] // decoded for this write, or nil
			if m != nil && m.clicks == 0 && len(m.keys) == 0 {
				m = nil // a row the first upsert just made
			}
			owned := m != nil
			for _, rs := range rss {
				r := rs[k]
				switch {
				case r == nil:
				case m == nil:
					m = r // borrowed: only read
				default:
					if !owned {
						c := &rollup{}
						c.add(m)
						m, owned = c, true
					}
					m.add(r)
				}
			}
			buf = appendDims(buf[:0], m)
			args = append(args, owners[k], k.kind(), k.target, k.grain(), k.start(), m.clicks, m.unique, string(buf))
		}
		q = w.rollupSQL(len(chunk), fmt.Sprintf("%[1]s = excluded.%[1]s, %[2]s = excluded.%[2]s, %[3]s = excluded.%[3]s",
			clickrollup.FieldClicks, clickrollup.FieldUniqueClicks, clickrollup.FieldDims))
		if err := execRows(ctx, tx, q, args); err != nil {
			return fmt.Errorf("write click rollups: %w", err)
		}
	}
	return nil
}

// rollupSelectSQL reads n rollup rows by their keys (SQLite), the columns
// as rollupSQL returns them.
func (w *Writer) rollupSelectSQL(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %[1]s, %[2]s, %[3]s, %[4]s, %[5]s, %[6]s, %[7]s FROM %[8]s WHERE (%[1]s, %[2]s, %[3]s, %[4]s) IN (VALUES ",
		clickrollup.FieldKind, clickrollup.FieldTargetID, clickrollup.FieldGrain, clickrollup.FieldHour,
		clickrollup.FieldClicks, clickrollup.FieldUniqueClicks, clickrollup.FieldDims, clickrollup.Table)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?)")
	}
	b.WriteByte(')')
	return b.String()
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

// appendDims appends dims as JSON (what encoding/json writes, without the
// reflection: the writer encodes a row a touched hour and day). Invalid
// UTF-8 in a key becomes U+FFFD, as encoding/json makes it.
func appendDims(b []byte, r *rollup) []byte {
	b = append(b, '{')
	first := true
	for d, name := range rollupDims {
		if r.n[d] == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, name)
		b = append(b, ':', '{')
		inner := true
		for k, c := range r.keys {
			if int(k.dim) != d {
				continue
			}
			if !inner {
				b = append(b, ',')
			}
			inner = false
			b = appendJSONString(b, k.key)
			b = append(b, `:{"c":`...)
			b = strconv.AppendInt(b, int64(c.Clicks), 10)
			if c.Unique != 0 {
				b = append(b, `,"u":`...)
				b = strconv.AppendInt(b, int64(c.Unique), 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	s = strings.ToValidUTF8(s, "\uFFFD")
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
