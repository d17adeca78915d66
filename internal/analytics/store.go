package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/ent/clickrollup"
	entlink "shortener/ent/link"
	"shortener/ent/predicate"
	"shortener/ent/schema/schematype"
)

// Labels of empty values in breakdowns, as the legacy statistics show them.
const (
	DirectReferrer = "Direct, email and other"
	Unknown        = "Unknown"
)

// Store computes statistics from the click rollups (schema.ClickRollup)
// the writer keeps, so a request reads one row a day of its range (and an
// hour at its partial days' ends; a series by hour one an hour), not the
// click rows behind them. Ranges are whole UTC hours: a bound inside
// an hour takes in that whole hour (From rounds down, To up). Queries run
// with the caller's context, so the ent privacy policy limits them to the
// viewer's rollups. Bot visits never count. Unique clicks are first visits:
// a visitor's first click on the link (or scan of the QR code) in a UTC
// day, counted in the hour and breakdown keys of that click
// (docs/decisions/0006-click-rollups.md).
type Store struct {
	client  *ent.Client
	dialect string
}

// NewStore returns a Store over client, whose database speaks dialect
// (entgo.io/ent/dialect.SQLite or .Postgres).
func NewStore(client *ent.Client, dialectName string) *Store {
	return &Store{client: client, dialect: dialectName}
}

// query selects the rollups of a scope: with days, the day rows of the
// whole UTC days in its range and the hour rows of the hours around them;
// else the hour rows alone.
func (s *Store) query(sc Scope, days bool) *ent.ClickRollupQuery {
	var ps []predicate.ClickRollup
	switch {
	case sc.LinkID != 0:
		ps = append(ps, clickrollup.KindEQ(clickrollup.KindLink), clickrollup.TargetIDEQ(sc.LinkID))
	case sc.QRCodeID != 0:
		ps = append(ps, clickrollup.KindEQ(clickrollup.KindQr), clickrollup.TargetIDEQ(sc.QRCodeID))
	case sc.OwnerID != 0:
		ps = append(ps, clickrollup.OwnerIDEQ(sc.OwnerID))
	case sc.CampaignID != 0:
		ps = append(ps, clickrollup.KindEQ(clickrollup.KindLink), targetIn(func(sel *entsql.Selector) *entsql.Selector {
			t := entsql.Table(entlink.Table)
			return entsql.Select(t.C(entlink.FieldID)).From(t).Where(entsql.EQ(t.C(entlink.FieldCampaignID), sc.CampaignID))
		}))
	case sc.ChannelID != 0:
		items := func(column string) func(*entsql.Selector) *entsql.Selector {
			return func(*entsql.Selector) *entsql.Selector {
				t := entsql.Table(channelitem.Table)
				return entsql.Select(t.C(column)).From(t).Where(entsql.And(
					entsql.EQ(t.C(channelitem.FieldChannelID), sc.ChannelID), entsql.NotNull(t.C(column))))
			}
		}
		ps = append(ps, clickrollup.Or(
			clickrollup.And(clickrollup.KindEQ(clickrollup.KindLink), targetIn(items(channelitem.FieldLinkID))),
			clickrollup.And(clickrollup.KindEQ(clickrollup.KindQr), targetIn(items(channelitem.FieldQrCodeID))),
		))
	default:
		ps = append(ps, clickrollup.IDEQ(0)) // no scope: nothing
	}
	// Hours are stored in UTC; on SQLite they compare as text, so the bounds
	// must be UTC too.
	var from, to time.Time // whole hours
	if !sc.From.IsZero() {
		from = sc.From.UTC().Truncate(time.Hour)
	}
	if !sc.To.IsZero() {
		to = sc.To.UTC().Add(time.Hour - time.Nanosecond).Truncate(time.Hour)
	}
	hours := func(from, to time.Time) predicate.ClickRollup {
		p := []predicate.ClickRollup{clickrollup.GrainEQ(clickrollup.GrainHour)}
		if !from.IsZero() {
			p = append(p, clickrollup.HourGTE(from))
		}
		if !to.IsZero() {
			p = append(p, clickrollup.HourLT(to))
		}
		return clickrollup.And(p...)
	}
	if !days {
		return s.client.ClickRollup.Query().Where(append(ps, hours(from, to))...)
	}
	// The whole days: [dayFrom, dayTo).
	var dayFrom, dayTo time.Time
	if !from.IsZero() {
		dayFrom = truncate(from.Add(24*time.Hour-time.Nanosecond), Day)
	}
	if !to.IsZero() {
		dayTo = truncate(to, Day)
	}
	if !dayFrom.IsZero() && !dayTo.IsZero() && !dayFrom.Before(dayTo) {
		return s.client.ClickRollup.Query().Where(append(ps, hours(from, to))...)
	}
	day := []predicate.ClickRollup{clickrollup.GrainEQ(clickrollup.GrainDay)}
	or := []predicate.ClickRollup{}
	if !dayFrom.IsZero() {
		day = append(day, clickrollup.HourGTE(dayFrom))
		if from.Before(dayFrom) {
			or = append(or, hours(from, dayFrom))
		}
	}
	if !dayTo.IsZero() {
		day = append(day, clickrollup.HourLT(dayTo))
		if dayTo.Before(to) {
			or = append(or, hours(dayTo, to))
		}
	}
	or = append(or, clickrollup.And(day...))
	return s.client.ClickRollup.Query().Where(append(ps, clickrollup.Or(or...))...)
}

// targetIn is "target_id IN (subquery)", the subquery built for the
// rollups' selector: one statement, whatever the number of targets.
func targetIn(sub func(*entsql.Selector) *entsql.Selector) predicate.ClickRollup {
	return func(sel *entsql.Selector) {
		sel.Where(entsql.In(sel.C(clickrollup.FieldTargetID), sub(sel)))
	}
}

// Totals returns the clicks and unique visitors of a scope.
func (s *Store) Totals(ctx context.Context, sc Scope) (*Stats, error) {
	var rows []struct {
		Clicks       int `json:"clicks"`
		UniqueClicks int `json:"unique_clicks"`
	}
	err := s.query(sc, true).Modify(func(sel *entsql.Selector) {
		sel.Select()
		sel.AppendSelectExprAs(entsql.Expr("COALESCE(SUM("+sel.C(clickrollup.FieldClicks)+"), 0)"), "clicks")
		sel.AppendSelectExprAs(entsql.Expr("COALESCE(SUM("+sel.C(clickrollup.FieldUniqueClicks)+"), 0)"), "unique_clicks")
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("click totals: %w", err)
	}
	st := &Stats{Scope: sc}
	if len(rows) > 0 {
		st.Clicks, st.UniqueClicks = rows[0].Clicks, rows[0].UniqueClicks
	}
	return st, nil
}

// TimeSeries returns the clicks of a scope per hour, day or month, with
// empty intervals filled in between the first and the last (or the scope's
// bounds when it has them). Days and months are those of sc.Location (UTC
// when nil); hours are UTC hours. In UTC a DAY or MONTH series reads the
// day rows (and hour rows at the range's partial ends); in another zone,
// whose days do not line up with UTC days, it reads hour rows, each counted
// in the local day or month its start falls in. Rows are summed by hour in
// the database, so a wide scope (an account, a campaign) returns one row an
// hour or day, not one a target.
func (s *Store) TimeSeries(ctx context.Context, sc Scope, iv Interval) ([]*TimeBucket, error) {
	loc := sc.Location
	if loc == nil {
		loc = time.UTC
	}
	days := iv != Hour && loc == time.UTC
	var rows []struct {
		Hour         time.Time `json:"hour"`
		Clicks       int       `json:"clicks"`
		UniqueClicks int       `json:"unique_clicks"`
	}
	err := s.query(sc, days).Modify(func(sel *entsql.Selector) {
		h := sel.C(clickrollup.FieldHour)
		sel.Select(h)
		sel.AppendSelectExprAs(entsql.Expr("COALESCE(SUM("+sel.C(clickrollup.FieldClicks)+"), 0)"), "clicks")
		sel.AppendSelectExprAs(entsql.Expr("COALESCE(SUM("+sel.C(clickrollup.FieldUniqueClicks)+"), 0)"), "unique_clicks")
		sel.GroupBy(h)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("click time series: %w", err)
	}
	got := map[time.Time]*TimeBucket{}
	var first, last time.Time
	for _, r := range rows {
		t := truncate(r.Hour.In(loc), iv)
		b := got[t]
		if b == nil {
			b = &TimeBucket{Start: t}
			got[t] = b
		}
		b.Clicks += r.Clicks
		b.UniqueClicks += r.UniqueClicks
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if !sc.From.IsZero() {
		first = truncate(sc.From.In(loc), iv)
	}
	if !sc.To.IsZero() {
		last = truncate(sc.To.In(loc).Add(-time.Nanosecond), iv)
	}
	out := []*TimeBucket{}
	if first.IsZero() || last.Before(first) {
		return out, nil
	}
	if oldest := iv.back(last, iv.MaxBuckets()-1); first.Before(oldest) {
		first = oldest // the latest MaxBuckets intervals
	}
	for t := first; !t.After(last) && len(out) < iv.MaxBuckets(); t = iv.step(t) {
		b := got[t]
		if b == nil {
			b = &TimeBucket{Start: t}
		}
		out = append(out, b)
	}
	return out, nil
}

// truncate returns the start of t's hour (a UTC hour), or of its day or
// month in t's location.
func truncate(t time.Time, iv Interval) time.Time {
	switch iv {
	case Hour:
		return t.Truncate(time.Hour)
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// step returns the start of the interval after the one starting at t.
func (i Interval) step(t time.Time) time.Time {
	switch i {
	case Hour:
		return t.Add(time.Hour)
	case Month:
		return truncate(time.Date(t.Year(), t.Month()+1, 1, 12, 0, 0, 0, t.Location()), Month)
	}
	// Noon of the next calendar day, then its start: right across DST.
	return truncate(time.Date(t.Year(), t.Month(), t.Day()+1, 12, 0, 0, 0, t.Location()), Day)
}

// back returns the start of the interval n before the one starting at t.
func (i Interval) back(t time.Time, n int) time.Time {
	switch i {
	case Hour:
		return t.Add(-time.Duration(n) * time.Hour)
	case Month:
		return truncate(time.Date(t.Year(), t.Month()-time.Month(n), 1, 12, 0, 0, 0, t.Location()), Month)
	}
	return truncate(time.Date(t.Year(), t.Month(), t.Day()-n, 12, 0, 0, 0, t.Location()), Day)
}

// Breakdown returns the top limit keys of a dimension, most clicks first.
// Empty values are named as the legacy statistics name them: "Unknown", or
// "Direct, email and other" for referrers; countries are shown by name.
// Keys past MaxRollupKeys in an hour are counted under OtherKey.
func (s *Store) Breakdown(ctx context.Context, sc Scope, d Dimension, limit int) ([]*Bucket, error) {
	name, ok := dimNames[d]
	if !ok {
		return nil, fmt.Errorf("unknown dimension %q", d)
	}
	rows, err := s.query(sc, true).Select(clickrollup.FieldDims).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("click breakdown: %w", err)
	}
	sum := map[string]schematype.RollupCount{}
	for _, r := range rows {
		for k, c := range r.Dims[name] {
			v := sum[k]
			v.Clicks += c.Clicks
			v.Unique += c.Unique
			sum[k] = v
		}
	}
	return top(d, sum, limit, true), nil
}

// Summary is the totals of a scope with every breakdown, as the REST
// statistics show them.
type Summary struct {
	Stats
	Breakdowns map[Dimension][]*Bucket
}

// Summary returns the totals and the top limit keys of every dimension of
// a scope, from one pass over its rollups.
func (s *Store) Summary(ctx context.Context, sc Scope, limit int) (*Summary, error) {
	rows, err := s.query(sc, true).Select(clickrollup.FieldClicks, clickrollup.FieldUniqueClicks, clickrollup.FieldDims).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("click statistics: %w", err)
	}
	out := &Summary{Stats: Stats{Scope: sc}, Breakdowns: map[Dimension][]*Bucket{}}
	sums := map[string]map[string]schematype.RollupCount{}
	for _, r := range rows {
		out.Clicks += r.Clicks
		out.UniqueClicks += r.UniqueClicks
		for name, m := range r.Dims {
			sum := sums[name]
			if sum == nil {
				sum = map[string]schematype.RollupCount{}
				sums[name] = sum
			}
			for k, c := range m {
				v := sum[k]
				v.Clicks += c.Clicks
				v.Unique += c.Unique
				sum[k] = v
			}
		}
	}
	for d, name := range dimNames {
		out.Breakdowns[d] = top(d, sums[name], limit, false)
	}
	return out, nil
}

// top returns the limit keys of sum with the most clicks (ties by key), as
// Breakdown names them. With other, the rest (and the clicks the rollups
// already keep under OtherKey) follow in one last bucket named OtherKey, so
// the buckets add up to every click of the scope; without, OtherKey ranks
// as any key and the rest are left out (the REST statistics' shape).
func top(d Dimension, sum map[string]schematype.RollupCount, limit int, other bool) []*Bucket {
	keys := make([]string, 0, len(sum))
	var rest schematype.RollupCount
	for k, c := range sum {
		if other && k == OtherKey {
			rest.Clicks += c.Clicks
			rest.Unique += c.Unique
			continue
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(sum[b].Clicks, sum[a].Clicks), cmp.Compare(a, b))
	})
	if limit >= 0 && len(keys) > limit {
		for _, k := range keys[limit:] {
			rest.Clicks += sum[k].Clicks
			rest.Unique += sum[k].Unique
		}
		keys = keys[:limit]
	}
	empty := Unknown
	if d == Referrer {
		empty = DirectReferrer
	}
	out := make([]*Bucket, 0, len(keys)+1)
	for _, k := range keys {
		key := k
		switch {
		case d == Country && k != OtherKey:
			key = CountryName(k)
		case key == "":
			key = empty
		}
		out = append(out, &Bucket{Key: key, Clicks: sum[k].Clicks, UniqueClicks: sum[k].Unique})
	}
	if other && (rest.Clicks > 0 || rest.Unique > 0) {
		out = append(out, &Bucket{Key: OtherKey, Clicks: rest.Clicks, UniqueClicks: rest.Unique})
	}
	return out
}

// TargetClicks is the clicks of one link of a scope.
type TargetClicks struct {
	ID           int
	Clicks       int
	UniqueClicks int
}

// TopLinks returns the limit links of a scope with the most clicks (ties by
// id), among links that still exist: one grouped query over the scope's
// rollups of kind link.
func (s *Store) TopLinks(ctx context.Context, sc Scope, limit int) ([]TargetClicks, error) {
	var rows []struct {
		TargetID     int `json:"target_id"`
		Clicks       int `json:"clicks"`
		UniqueClicks int `json:"unique_clicks"`
	}
	err := s.query(sc, true).Where(
		clickrollup.KindEQ(clickrollup.KindLink),
		targetIn(func(*entsql.Selector) *entsql.Selector {
			t := entsql.Table(entlink.Table)
			return entsql.Select(t.C(entlink.FieldID)).From(t)
		}),
	).Modify(func(sel *entsql.Selector) {
		id := sel.C(clickrollup.FieldTargetID)
		sel.Select(id)
		sel.AppendSelectExprAs(entsql.Expr("SUM("+sel.C(clickrollup.FieldClicks)+")"), "clicks")
		sel.AppendSelectExprAs(entsql.Expr("SUM("+sel.C(clickrollup.FieldUniqueClicks)+")"), "unique_clicks")
		sel.GroupBy(id)
		sel.OrderExpr(entsql.Expr("SUM(" + sel.C(clickrollup.FieldClicks) + ") DESC, " + id))
		sel.Limit(limit)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("top links: %w", err)
	}
	out := make([]TargetClicks, 0, len(rows))
	for _, r := range rows {
		out = append(out, TargetClicks{ID: r.TargetID, Clicks: r.Clicks, UniqueClicks: r.UniqueClicks})
	}
	return out, nil
}
