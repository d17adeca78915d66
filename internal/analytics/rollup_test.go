package analytics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"shortener/ent/click"
	"shortener/internal/analytics"
	"shortener/internal/auth"
)

// The statistics from rollups equal those computed from the click rows
// (totals and daily uniques as COUNT(DISTINCT visitor) per UTC day, for
// day-aligned ranges), also when the counters and rollups were deferred
// over several batches.
func TestRollupsMatchTheClickRows(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour, CounterLinks: 1, CounterInterval: time.Hour, MaxBatch: 40})
	ctx := auth.SystemContext(context.Background())
	day0 := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	rnd := rand.New(rand.NewPCG(3, 4))
	refs := []string{"", "https://www.facebook.com/x", "https://t.co/y", "https://news.example.org/"}
	countries := []string{"", "CA", "FR", "DE"}
	for range 300 {
		at := day0.Add(time.Duration(rnd.IntN(3*24*60)) * time.Minute)
		l := f.links[rnd.IntN(2)]
		f.rec.Record(analytics.Hit{OwnerID: l.OwnerID, LinkID: l.ID, Time: at, IP: fmt.Sprintf("192.0.2.%d", rnd.IntN(20)),
			UserAgent: visitUA, Referrer: refs[rnd.IntN(len(refs))], Country: countries[rnd.IntN(len(countries))],
			Bot: rnd.IntN(10) == 0})
	}
	f.flush(t)
	store := analytics.NewStore(f.client, f.dialect)
	for _, l := range f.links[:2] {
		rows, err := f.client.Click.Query().Where(click.LinkIDEQ(l.ID), click.Bot(false)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type dayVisitor struct {
			day  string
			hash string
		}
		visitors := map[dayVisitor]bool{}
		daily := map[string][2]int{}
		countries := map[string]int{}
		for _, r := range rows {
			d := r.CreatedAt.UTC().Format(time.DateOnly)
			c := daily[d]
			c[0]++
			if !visitors[dayVisitor{d, r.VisitorHash}] {
				visitors[dayVisitor{d, r.VisitorHash}] = true
				c[1]++
			}
			daily[d] = c
			countries[analytics.CountryName(r.Country)]++
		}
		// A range of partial days takes in the whole hours at its ends.
		from, to := day0.Add(5*time.Hour+30*time.Minute), day0.Add(51*time.Hour+10*time.Minute)
		inRange := 0
		for _, r := range rows {
			if h := r.CreatedAt.UTC().Truncate(time.Hour); !h.Before(from.Truncate(time.Hour)) && h.Before(to) {
				inRange++
			}
		}
		if st, err := store.Totals(ctx, analytics.Scope{LinkID: l.ID, From: from, To: to}); err != nil || st.Clicks != inRange {
			t.Errorf("link %d clicks in [%s, %s): %+v (%v), want %d", l.ID, from, to, st, err, inRange)
		}
		hours, err := store.TimeSeries(ctx, analytics.Scope{LinkID: l.ID, From: from, To: to}, analytics.Hour)
		if err != nil {
			t.Fatal(err)
		}
		inHours := 0
		for _, b := range hours {
			inHours += b.Clicks
		}
		if len(hours) != 47 || inHours != inRange {
			t.Errorf("link %d: %d hours with %d clicks, want 47 with %d", l.ID, len(hours), inHours, inRange)
		}
		tot, err := store.Totals(ctx, analytics.Scope{LinkID: l.ID})
		if err != nil {
			t.Fatal(err)
		}
		if tot.Clicks != len(rows) || tot.UniqueClicks != len(visitors) {
			t.Errorf("link %d totals %d/%d, want %d/%d", l.ID, tot.Clicks, tot.UniqueClicks, len(rows), len(visitors))
		}
		series, err := store.TimeSeries(ctx, analytics.Scope{LinkID: l.ID, From: day0, To: day0.AddDate(0, 0, 3)}, analytics.Day)
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != 3 {
			t.Fatalf("%d days, want 3", len(series))
		}
		for _, b := range series {
			if want := daily[b.Start.Format(time.DateOnly)]; b.Clicks != want[0] || b.UniqueClicks != want[1] {
				t.Errorf("link %d day %s: %d/%d, want %v", l.ID, b.Start, b.Clicks, b.UniqueClicks, want)
			}
		}
		br, err := store.Breakdown(ctx, analytics.Scope{LinkID: l.ID}, analytics.Country, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, b := range br {
			got[b.Key] = b.Clicks
		}
		if fmt.Sprint(got) != fmt.Sprint(countries) {
			t.Errorf("link %d countries %v, want %v", l.ID, got, countries)
		}
		sum, err := store.Summary(ctx, analytics.Scope{LinkID: l.ID}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Clicks != tot.Clicks || sum.UniqueClicks != tot.UniqueClicks || jsonOf(sum.Breakdowns[analytics.Country]) != jsonOf(br) {
			t.Errorf("summary %+v disagrees with totals %+v and breakdown %v", sum, tot, br)
		}
	}
}

// An hour's dimension keeps at most MaxRollupKeys keys; the rest add up
// under OtherKey, so no click is lost from a breakdown's sum.
func TestRollupKeysAreBounded(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	ctx := auth.SystemContext(context.Background())
	const n = analytics.MaxRollupKeys + 50
	at := time.Now().UTC().Truncate(time.Hour)
	for i := range n {
		f.rec.Record(analytics.Hit{OwnerID: f.links[0].OwnerID, LinkID: f.links[0].ID, Time: at, IP: "192.0.2.1",
			UserAgent: visitUA, Referrer: fmt.Sprintf("https://site%03d.example/", i)})
		if i == n/2 {
			f.flush(t) // two writes merge into the same row
		}
	}
	f.flush(t)
	br, err := analytics.NewStore(f.client, f.dialect).Breakdown(ctx, analytics.Scope{LinkID: f.links[0].ID}, analytics.Referrer, 1000)
	if err != nil {
		t.Fatal(err)
	}
	total, other := 0, 0
	for _, b := range br {
		total += b.Clicks
		if b.Key == analytics.OtherKey {
			other = b.Clicks
		}
	}
	if len(br) != analytics.MaxRollupKeys+1 || total != n || other != n-analytics.MaxRollupKeys {
		t.Fatalf("%d keys, %d clicks, %d other; want %d keys, %d clicks, %d other", len(br), total, other,
			analytics.MaxRollupKeys+1, n, n-analytics.MaxRollupKeys)
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }
