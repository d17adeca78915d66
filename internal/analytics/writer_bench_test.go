package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/internal/analytics"
	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

// BenchmarkWriter measures the batch writer alone: hits per second it can
// store into SQLite (one op = one hit), with realistic enrichment.
func BenchmarkWriter(b *testing.B) {
	ctx := auth.SystemContext(context.Background())
	client := storetest.Open(b)
	u, err := client.User.Create().SetEmail("w@example.com").SetUsername("w").SetPasswordHash("x").Save(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// Visits spread over many links, as under the load test: the counter
	// updates then touch most pages of the links table.
	const links = 100_000
	var ls []*ent.Link
	for start := 0; start < links; start += 1000 {
		creates := make([]*ent.LinkCreate, 1000)
		for i := range creates {
			creates[i] = client.Link.Create().SetOwnerID(u.ID).SetAlias(fmt.Sprintf("a%d", start+i)).SetLongURL("https://example.com/")
		}
		page, err := client.Link.CreateBulk(creates...).Save(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, page...)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	rec := analytics.NewRecorder(1 << 20)
	maxBatch, _ := strconv.Atoi(os.Getenv("BENCH_MAX_BATCH"))
	w := analytics.NewWriter(client, rec, analytics.WriterOptions{Dialect: dialect.SQLite, MaxBatch: maxBatch,
		Hasher: analytics.NewHasher([]byte("bench-secret-123"))})
	w.Start()
	defer w.Close(context.Background())
	uas := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
	}
	now := time.Now()
	// A Flush writes the counters and rollups too; BENCH_FLUSH_AT (default
	// 40,000 queued) sets how often the benchmark forces one, where the
	// writer alone would write them every CounterInterval under load.
	flushAt := 40_000
	if n, err := strconv.Atoi(os.Getenv("BENCH_FLUSH_AT")); err == nil {
		flushAt = n
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.Record(analytics.Hit{OwnerID: u.ID, LinkID: ls[rnd.IntN(links)].ID, Time: now, IP: fmt.Sprintf("192.0.2.%d", i%200),
			UserAgent: uas[i%2], Referrer: "https://www.facebook.com/", AcceptLanguage: "en-US,en;q=0.9"})
		if rec.Queued() > flushAt {
			if err := w.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := w.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	// The machine's other load stretches wall time; the process's CPU time
	// per click (the writer's, mostly, and SQLite's) is the steadier figure.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	if rec.Dropped() != 0 || w.Failed() != 0 {
		b.Fatalf("dropped %d failed %d", rec.Dropped(), w.Failed())
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWriterDistinctVisitors stores b.N clicks on one link in one UTC
// day, every one from a new visitor (run with -benchtime 600000x for the
// issue's 600,000 distinct visitor-link pairs, past the old in-memory
// set's 500,000). It reports the writer's cost per click over the first
// and the last 100,000 (flat when first-visit detection does not grow
// with history) and how long a Flush takes at the end.
func BenchmarkWriterDistinctVisitors(b *testing.B) {
	ctx := auth.SystemContext(context.Background())
	client := storetest.Open(b)
	d := dialect.SQLite
	if storetest.Postgres() {
		d = dialect.Postgres
	}
	u, err := client.User.Create().SetEmail("v@example.com").SetUsername("v").SetPasswordHash("x").Save(ctx)
	if err != nil {
		b.Fatal(err)
	}
	l, err := client.Link.Create().SetOwnerID(u.ID).SetAlias("v").SetLongURL("https://example.com/").Save(ctx)
	if err != nil {
		b.Fatal(err)
	}
	rec := analytics.NewRecorder(1 << 20)
	w := analytics.NewWriter(client, rec, analytics.WriterOptions{Dialect: d, Hasher: analytics.NewHasher([]byte("bench-secret-123"))})
	w.Start()
	defer w.Close(context.Background())
	now := time.Now()
	const chunk = 100_000
	var first, last time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		m := min(chunk, b.N-done)
		t0 := time.Now()
		for i := done; i < done+m; i++ {
			rec.Record(analytics.Hit{OwnerID: u.ID, LinkID: l.ID, Time: now, IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
				UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36"})
			if rec.Queued() > 40_000 {
				if err := w.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := w.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		el := time.Since(t0)
		if done == 0 {
			first = el / time.Duration(m)
		}
		last = el / time.Duration(m)
		done += m
	}
	b.StopTimer()
	b.ReportMetric(float64(first.Nanoseconds()), "first-chunk-ns/click")
	b.ReportMetric(float64(last.Nanoseconds()), "last-chunk-ns/click")
	got, err := client.Link.Get(ctx, l.ID)
	if err != nil {
		b.Fatal(err)
	}
	if got.Clicks != b.N || got.UniqueClicks != b.N || rec.Dropped() != 0 || w.Failed() != 0 {
		b.Fatalf("counted %d/%d of %d, dropped %d failed %d", got.Clicks, got.UniqueClicks, b.N, rec.Dropped(), w.Failed())
	}
}
