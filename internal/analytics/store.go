package analytics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/predicate"
)

// Labels of empty values in breakdowns, as the legacy statistics show them.
const (
	DirectReferrer = "Direct, email and other"
	Unknown        = "Unknown"
)

// Store computes statistics from the click rows for the resolvers.
// Queries run with the caller's context, so the ent privacy
// policy limits them to the viewer's clicks. Bot visits never count.
type Store struct {
	client  *ent.Client
	dialect string
}

// NewStore returns a Store over client, whose database speaks dialect
// (entgo.io/ent/dialect.SQLite or .Postgres).
func NewStore(client *ent.Client, dialectName string) *Store {
	return &Store{client: client, dialect: dialectName}
}

func (s *Store) query(sc Scope) *ent.ClickQuery {
	ps := []predicate.Click{click.BotEQ(false)}
	if sc.LinkID != 0 {
		ps = append(ps, click.LinkIDEQ(sc.LinkID))
	}
	if sc.QRCodeID != 0 {
		ps = append(ps, click.QrCodeIDEQ(sc.QRCodeID))
	}
	// Times are stored in UTC; on SQLite they compare as text, so the bounds
	// must be UTC too.
	if !sc.From.IsZero() {
		ps = append(ps, click.CreatedAtGTE(sc.From.UTC()))
	}
	if !sc.To.IsZero() {
		ps = append(ps, click.CreatedAtLT(sc.To.UTC()))
	}
	return s.client.Click.Query().Where(ps...)
}

type row struct {
	Bucket       *string `json:"bucket"`
	Clicks       int     `json:"clicks"`
	UniqueClicks int     `json:"unique_clicks"`
}

func counts(sel *entsql.Selector) {
	sel.AppendSelectAs(entsql.Count("*"), "clicks")
	sel.AppendSelectAs(entsql.Count(entsql.Distinct(sel.C(click.FieldVisitorHash))), "unique_clicks")
}

// Totals returns the clicks and unique visitors of a scope.
func (s *Store) Totals(ctx context.Context, sc Scope) (*Stats, error) {
	var rows []row
	err := s.query(sc).Modify(func(sel *entsql.Selector) {
		sel.Select()
		counts(sel)
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

// TimeSeries returns the clicks of a scope per hour or day (UTC), with empty
// intervals filled in between the first and the last (or the scope's
// bounds when it has them).
func (s *Store) TimeSeries(ctx context.Context, sc Scope, iv Interval) ([]*TimeBucket, error) {
	layout, step, expr := s.bucketExpr(iv)
	var rows []row
	err := s.query(sc).Modify(func(sel *entsql.Selector) {
		sel.Select()
		sel.AppendSelectExprAs(entsql.Expr(expr), "bucket")
		counts(sel)
		sel.GroupBy("bucket").OrderBy("bucket")
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("click time series: %w", err)
	}
	got := map[time.Time]row{}
	var first, last time.Time
	for _, r := range rows {
		if r.Bucket == nil {
			continue
		}
		t, err := time.ParseInLocation(layout, *r.Bucket, time.UTC)
		if err != nil {
			return nil, fmt.Errorf("click time series: bucket %q: %w", *r.Bucket, err)
		}
		got[t] = r
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if !sc.From.IsZero() {
		first = truncate(sc.From.UTC(), iv)
	}
	if !sc.To.IsZero() {
		last = truncate(sc.To.UTC().Add(-time.Nanosecond), iv)
	}
	out := []*TimeBucket{}
	if first.IsZero() || last.Before(first) {
		return out, nil
	}
	if oldest := last.Add(-time.Duration(iv.MaxBuckets()-1) * iv.duration()); first.Before(oldest) {
		first = oldest // the latest MaxBuckets intervals
	}
	for t := first; !t.After(last) && len(out) < iv.MaxBuckets(); t = step(t) {
		r := got[t]
		out = append(out, &TimeBucket{Start: t, Clicks: r.Clicks, UniqueClicks: r.UniqueClicks})
	}
	return out, nil
}

func truncate(t time.Time, iv Interval) time.Time {
	if iv == Hour {
		return t.Truncate(time.Hour)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// bucketExpr returns the SQL that names a click's interval, the layout to
// read it back and the step to the next interval. On SQLite created_at is
// text ("2006-01-02 15:04:05.999+00:00", always UTC as the writer stores it),
// so a prefix is the bucket.
func (s *Store) bucketExpr(iv Interval) (layout string, step func(time.Time) time.Time, expr string) {
	col := click.FieldCreatedAt
	if iv == Hour {
		step = func(t time.Time) time.Time { return t.Add(time.Hour) }
		if s.dialect == dialect.Postgres {
			return "2006-01-02 15", step, fmt.Sprintf("to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')", col)
		}
		return "2006-01-02 15", step, fmt.Sprintf("substr(%s, 1, 13)", col)
	}
	step = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	if s.dialect == dialect.Postgres {
		return time.DateOnly, step, fmt.Sprintf("to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD')", col)
	}
	return time.DateOnly, step, fmt.Sprintf("substr(%s, 1, 10)", col)
}

// Breakdown returns the top limit keys of a dimension, most clicks first.
// Empty values are named as the legacy statistics name them: "Unknown", or
// "Direct, email and other" for referrers; countries are shown by name.
func (s *Store) Breakdown(ctx context.Context, sc Scope, d Dimension, limit int) ([]*Bucket, error) {
	col, empty := "", Unknown
	switch d {
	case Country:
		col = click.FieldCountry
	case Referrer:
		col, empty = click.FieldReferrer, DirectReferrer
	case Browser:
		col = click.FieldBrowser
	case OS:
		col = click.FieldOs
	case Device:
		col = click.FieldDevice
	case Language:
		col = click.FieldLanguage
	case Social:
		col = socialCase()
	default:
		return nil, fmt.Errorf("unknown dimension %q", d)
	}
	var rows []row
	err := s.query(sc).Modify(func(sel *entsql.Selector) {
		sel.Select()
		sel.AppendSelectExprAs(entsql.Expr(col), "bucket")
		counts(sel)
		if d == Social {
			sel.Where(entsql.ExprP(col + " IS NOT NULL"))
		}
		sel.GroupBy("bucket").OrderExpr(entsql.Expr("clicks DESC, bucket")).Limit(limit)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("click breakdown: %w", err)
	}
	out := make([]*Bucket, 0, len(rows))
	for _, r := range rows {
		key := ""
		if r.Bucket != nil {
			key = *r.Bucket
		}
		switch {
		case d == Country:
			key = CountryName(key)
		case key == "":
			key = empty
		}
		out = append(out, &Bucket{Key: key, Clicks: r.Clicks, UniqueClicks: r.UniqueClicks})
	}
	return out, nil
}

// socialCase is the SQL that names the social network of a click's referrer
// (NULL for none). The hosts are constants of this package, not input.
func socialCase() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, s := range socialNetworks {
		fmt.Fprintf(&b, " WHEN %[1]s = '%[2]s' OR %[1]s LIKE '%%.%[2]s' THEN '%[3]s'", click.FieldReferrer, s.host, s.name)
	}
	b.WriteString(" END")
	return b.String()
}
