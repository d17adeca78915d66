package analytics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/link"
	"shortener/internal/analytics"
	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

// writerFixture is a Writer over a real database with one user and three
// links.
type writerFixture struct {
	dialect string
	hasher  *analytics.Hasher
	client  *ent.Client
	rec     *analytics.Recorder
	w       *analytics.Writer
	links   []*ent.Link
}

func newWriterFixture(t *testing.T, opts analytics.WriterOptions) *writerFixture {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	client := storetest.Open(t)
	opts.Dialect = dialect.SQLite
	if storetest.Postgres() {
		opts.Dialect = dialect.Postgres
	}
	opts.Hasher = analytics.NewHasher([]byte("writer-test-secret"))
	u, err := client.User.Create().SetEmail("w@example.com").SetUsername("w").SetPasswordHash("x").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &writerFixture{client: client, rec: analytics.NewRecorder(0), dialect: opts.Dialect, hasher: opts.Hasher}
	for i := range 3 {
		l, err := client.Link.Create().SetOwnerID(u.ID).SetAlias(fmt.Sprintf("w%d", i)).SetLongURL("https://example.com/").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.links = append(f.links, l)
	}
	f.w = analytics.NewWriter(client, f.rec, opts)
	f.w.Start()
	t.Cleanup(func() { _ = f.w.Close(context.Background()) })
	return f
}

func (f *writerFixture) hit(l *ent.Link, ip string) {
	f.rec.Record(analytics.Hit{OwnerID: l.OwnerID, LinkID: l.ID, Time: time.Now(), IP: ip,
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"})
}

// counts returns a link's counters as stored.
func (f *writerFixture) counts(t *testing.T, l *ent.Link) (clicks, unique int) {
	t.Helper()
	got, err := f.client.Link.Get(auth.SystemContext(context.Background()), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Clicks, got.UniqueClicks
}

func (f *writerFixture) rows(t *testing.T) int {
	t.Helper()
	n, err := f.client.Click.Query().Count(auth.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// eventually polls cond for up to two seconds (the contract's bound for a
// click to show).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 2 s", what)
		}
	}
}

func TestWriterCountsWithTheBatchAtOrdinaryTraffic(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: 20 * time.Millisecond})
	f.hit(f.links[0], "192.0.2.1")
	f.hit(f.links[0], "192.0.2.1")
	f.hit(f.links[0], "192.0.2.2")
	// No Flush: the counters ride with the batch's own transaction.
	eventually(t, "counters", func() bool { c, u := f.counts(t, f.links[0]); return c == 3 && u == 2 })
}

func TestWriterDefersCountersUnderLoadAndFlushMakesThemExact(t *testing.T) {
	// Three links touched in a batch is "load" when CounterLinks is 1.
	f := newWriterFixture(t, analytics.WriterOptions{Interval: 20 * time.Millisecond, CounterLinks: 1,
		CounterInterval: time.Hour})
	f.hit(f.links[0], "192.0.2.1")
	f.hit(f.links[0], "192.0.2.2")
	f.hit(f.links[1], "192.0.2.1")
	f.hit(f.links[2], "192.0.2.1")
	eventually(t, "click rows", func() bool { return f.rows(t) == 4 })
	// The rows are stored, the counters wait for the interval...
	for _, l := range f.links {
		if c, u := f.counts(t, l); c != 0 || u != 0 {
			t.Fatalf("link %s counted %d/%d before the counter interval", l.Alias, c, u)
		}
	}
	// ...and a Flush (as at shutdown) writes them, exactly.
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][2]int{{2, 2}, {1, 1}, {1, 1}} {
		if c, u := f.counts(t, f.links[i]); c != want[0] || u != want[1] {
			t.Errorf("link %d: %d clicks %d unique, want %v", i, c, u, want)
		}
	}
	// Counters written once are not written again.
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.counts(t, f.links[0]); c != 2 {
		t.Errorf("a second flush counted again: %d", c)
	}
}

// A link deleted after the writer saw it exist (without DeleteHook, so
// the writer still believes it exists) fails the batch's foreign key once;
// the retry looks again, keeps the hit without its link, and the other
// hits of the batch are stored and counted.
func TestWriterKeepsHitsOfALinkDeletedBehindItsBack(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	ctx := auth.SystemContext(context.Background())
	f.hit(f.links[0], "192.0.2.1")
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.client.Link.DeleteOneID(f.links[0].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	f.hit(f.links[0], "192.0.2.1")
	f.hit(f.links[1], "192.0.2.1")
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.w.Failed() != 0 || f.w.Written() != 3 {
		t.Fatalf("written %d failed %d, want 3 and 0", f.w.Written(), f.w.Failed())
	}
	orphans, err := f.client.Click.Query().Where(click.LinkIDIsNil()).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if orphans != 2 || f.rows(t) != 3 {
		t.Errorf("%d rows, %d without a link; want 3 and 2", f.rows(t), orphans)
	}
	if c, u := f.counts(t, f.links[1]); c != 1 || u != 1 {
		t.Errorf("other link counted %d/%d, want 1/1", c, u)
	}
}

// More links than one counter statement takes (countersPerUpdate on
// PostgreSQL): every link is counted once, none twice.
func TestWriterCountsManyLinksInOneBatch(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	ctx := auth.SystemContext(context.Background())
	const n = 1005
	creates := make([]*ent.LinkCreate, n)
	for i := range creates {
		creates[i] = f.client.Link.Create().SetOwnerID(f.links[0].OwnerID).SetAlias(fmt.Sprintf("many%d", i)).
			SetLongURL("https://example.com/")
	}
	many, err := f.client.Link.CreateBulk(creates...).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range many {
		f.hit(l, "192.0.2.9")
	}
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sum []struct {
		Clicks, Unique, Links int
	}
	err = f.client.Link.Query().Where(link.AliasHasPrefix("many")).Aggregate(
		ent.As(ent.Sum(link.FieldClicks), "clicks"), ent.As(ent.Sum(link.FieldUniqueClicks), "unique"),
		ent.As(ent.Count(), "links")).Scan(ctx, &sum)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum) != 1 || sum[0].Clicks != n || sum[0].Unique != n || sum[0].Links != n {
		t.Fatalf("got %+v, want %d clicks and unique clicks over %d links", sum, n, n)
	}
	if c, _ := f.counts(t, many[n-1]); c != 1 {
		t.Fatalf("last link counted %d", c)
	}
}
