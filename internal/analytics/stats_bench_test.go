package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/internal/analytics"
	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

// Hooks the branch sets (stats_bench_hooks_test.go): what makes the
// statistics after seeding (nothing on a branch that reads click rows),
// and the REST statistics of a scope (six queries unless set).
var (
	afterSeed = func(context.Context, *ent.Client, string) error { return nil }
	restStats = func(ctx context.Context, s *analytics.Store, sc analytics.Scope) error {
		if _, err := s.Totals(ctx, sc); err != nil {
			return err
		}
		for _, d := range []analytics.Dimension{analytics.Country, analytics.Referrer, analytics.Browser, analytics.OS} {
			if _, err := s.Breakdown(ctx, sc, d, 10); err != nil {
				return err
			}
		}
		_, err := s.Breakdown(ctx, sc, analytics.Social, 100)
		return err
	}
)

// seedClicks inserts n click rows on one new link, spread over the 30 days
// before now, 5,000 visitors a day, in bulk (multi-row INSERTs in one
// transaction), and returns the link.
func seedClicks(b *testing.B, client *ent.Client, d string, n int) *ent.Link {
	ctx := auth.SystemContext(context.Background())
	u, err := client.User.Create().SetEmail(fmt.Sprintf("s%d@example.com", n)).SetUsername(fmt.Sprintf("s%d", n)).SetPasswordHash("x").Save(ctx)
	if err != nil {
		b.Fatal(err)
	}
	l, err := client.Link.Create().SetOwnerID(u.ID).SetAlias(fmt.Sprintf("s%d", n)).SetLongURL("https://example.com/").Save(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	countries := []string{"", "US", "CA", "FR", "DE", "GB", "JP", "BR", "IN", "ES"}
	refs := []string{"", "facebook.com", "t.co", "google.com", "news.example.org", "reddit.com"}
	browsers := []string{"Chrome", "Firefox", "Safari", "Edge"}
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -29)
	const per = 500
	for done := 0; done < n; {
		m := min(per, n-done)
		var q strings.Builder
		q.WriteString("INSERT INTO clicks (owner_id, link_id, created_at, country, referrer, browser, os, device, language, visitor_hash, bot) VALUES ")
		args := make([]any, 0, 11*m)
		for i := range m {
			if i > 0 {
				q.WriteByte(',')
			}
			if d == dialect.Postgres {
				fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", 11*i+1, 11*i+2, 11*i+3, 11*i+4, 11*i+5, 11*i+6, 11*i+7, 11*i+8, 11*i+9, 11*i+10, 11*i+11)
			} else {
				q.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
			}
			// Rows in time order, as the writer stores them.
			at := start.Add(time.Duration(done+i) * (30 * 24 * time.Hour / time.Duration(n)))
			args = append(args, u.ID, l.ID, at, countries[rnd.IntN(len(countries))], refs[rnd.IntN(len(refs))],
				browsers[rnd.IntN(len(browsers))], "Windows 10", "Desktop", "en",
				fmt.Sprintf("%032x", at.Unix()/86400*1_000_000+int64(rnd.IntN(5000))), false)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatal(err)
		}
		done += m
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if err := afterSeed(ctx, client, d); err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkStats measures the statistics of one link with 100 and with
// 1,000,000 clicks (BENCH_STATS_CLICKS overrides the larger): the GraphQL
// shape of issue #13 (totals, a daily series over 30 days, a country
// breakdown) and REST /api/url/:id's (totals and five breakdowns).
func BenchmarkStats(b *testing.B) {
	client := storetest.Open(b)
	d := dialect.SQLite
	if storetest.Postgres() {
		d = dialect.Postgres
	}
	store := analytics.NewStore(client, d)
	ctx := auth.SystemContext(context.Background())
	for _, n := range []int{100, 1_000_000} {
		l := seedClicks(b, client, d, n)
		now := time.Now().UTC()
		sc := analytics.Scope{LinkID: l.ID, From: now.Truncate(24*time.Hour).AddDate(0, 0, -29), To: now.Truncate(24*time.Hour).AddDate(0, 0, 1)}
		b.Run(fmt.Sprintf("graphql/clicks=%d", n), func(b *testing.B) {
			if st, err := store.Totals(ctx, analytics.Scope{LinkID: l.ID}); err != nil || st.Clicks != n {
				b.Fatalf("totals %+v (%v), want %d clicks", st, err, n)
			}
			for b.Loop() {
				if _, err := store.Totals(ctx, sc); err != nil {
					b.Fatal(err)
				}
				if _, err := store.TimeSeries(ctx, sc, analytics.Day); err != nil {
					b.Fatal(err)
				}
				if _, err := store.Breakdown(ctx, sc, analytics.Country, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("rest/clicks=%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := restStats(ctx, store, analytics.Scope{LinkID: l.ID}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
