package analytics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/dailyvisitor"
	"shortener/internal/analytics"
	"shortener/internal/auth"
)

const visitUA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"

func (f *writerFixture) hitAt(l *ent.Link, ip string, at time.Time, bot bool) {
	f.rec.Record(analytics.Hit{OwnerID: l.OwnerID, LinkID: l.ID, Time: at, IP: ip, UserAgent: visitUA, Bot: bot})
}

func (f *writerFixture) flush(t *testing.T) {
	t.Helper()
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// firstRows is the number of a link's click rows flagged first_visit.
func (f *writerFixture) firstRows(t *testing.T, l *ent.Link) int {
	t.Helper()
	n, err := f.client.Click.Query().Where(click.LinkIDEQ(l.ID), click.FirstVisit(true)).
		Count(auth.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// restart closes the writer and starts a new one on the same database, as a
// server restart does.
func (f *writerFixture) restart(t *testing.T, opts analytics.WriterOptions) {
	t.Helper()
	if err := f.w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	opts.Dialect, opts.Hasher = f.dialect, f.hasher
	f.rec = analytics.NewRecorder(0)
	f.w = analytics.NewWriter(f.client, f.rec, opts)
	f.w.Start()
	w := f.w
	t.Cleanup(func() { _ = w.Close(context.Background()) })
}

func TestFirstVisitsAreExactAcrossARestart(t *testing.T) {
	opts := analytics.WriterOptions{Interval: time.Hour}
	f := newWriterFixture(t, opts)
	noon := time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
	f.hitAt(f.links[0], "192.0.2.1", noon, false)
	f.hitAt(f.links[0], "192.0.2.2", noon, false)
	f.flush(t)
	f.restart(t, opts)
	// The same visitors later the same day are not first; a new one is.
	f.hitAt(f.links[0], "192.0.2.1", noon.Add(time.Hour), false)
	f.hitAt(f.links[0], "192.0.2.2", noon.Add(time.Hour), false)
	f.hitAt(f.links[0], "192.0.2.3", noon.Add(time.Hour), false)
	f.flush(t)
	if c, u := f.counts(t, f.links[0]); c != 5 || u != 3 {
		t.Fatalf("counted %d/%d, want 5 clicks 3 unique", c, u)
	}
	if n := f.firstRows(t, f.links[0]); n != 3 {
		t.Fatalf("%d rows flagged first_visit, want 3", n)
	}
}

func TestFirstVisitsAcrossMidnight(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	midnight := time.Now().UTC().Truncate(24 * time.Hour)
	before, after := midnight.Add(-time.Minute), midnight.Add(time.Minute)
	f.hitAt(f.links[0], "192.0.2.1", before, false)
	f.flush(t)
	// The same visitor after midnight is a new day's first visit; a late
	// hit of the day before (a backlog across midnight) is not.
	f.hitAt(f.links[0], "192.0.2.1", after, false)
	f.hitAt(f.links[0], "192.0.2.1", before.Add(30*time.Second), false)
	f.hitAt(f.links[0], "192.0.2.1", after.Add(time.Second), false)
	f.flush(t)
	if c, u := f.counts(t, f.links[0]); c != 4 || u != 2 {
		t.Fatalf("counted %d/%d, want 4 clicks 2 unique", c, u)
	}
	ctx := auth.SystemContext(context.Background())
	rows, err := f.client.Click.Query().Where(click.LinkIDEQ(f.links[0].ID), click.FirstVisit(true)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].CreatedAt.Equal(rows[1].CreatedAt) {
		t.Fatalf("first visits %v, want one before and one after midnight", rows)
	}
}

func TestFirstVisitsInABatchWithDuplicatesAndBots(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	now := time.Now()
	// A bot first: it is recorded and never a first visit, so the same
	// address and agent as a person next is still that person's first.
	f.hitAt(f.links[0], "192.0.2.1", now, true)
	for range 3 {
		f.hitAt(f.links[0], "192.0.2.1", now, false)
		f.hitAt(f.links[0], "192.0.2.2", now, false)
		f.hitAt(f.links[1], "192.0.2.1", now, false)
	}
	f.hitAt(f.links[0], "192.0.2.1", now, true)
	f.flush(t)
	if c, u := f.counts(t, f.links[0]); c != 6 || u != 2 {
		t.Errorf("link 0 counted %d/%d, want 6 clicks 2 unique", c, u)
	}
	if c, u := f.counts(t, f.links[1]); c != 3 || u != 1 {
		t.Errorf("link 1 counted %d/%d, want 3 clicks 1 unique", c, u)
	}
	if n := f.firstRows(t, f.links[0]); n != 2 {
		t.Errorf("link 0 has %d rows flagged first_visit, want 2", n)
	}
	ctx := auth.SystemContext(context.Background())
	if n, err := f.client.Click.Query().Where(click.Bot(true), click.FirstVisit(true)).Count(ctx); err != nil || n != 0 {
		t.Errorf("%d bot rows flagged first_visit (%v), want 0", n, err)
	}
	if n, err := f.client.Click.Query().Where(click.FirstVisitIsNil()).Count(ctx); err != nil || n != 0 {
		t.Errorf("%d rows without a first_visit flag (%v), want 0", n, err)
	}
}

func TestFirstVisitsOfQRCodes(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	ctx := auth.SystemContext(context.Background())
	q, err := f.client.QRCode.Create().SetOwnerID(f.links[0].OwnerID).SetAlias("vq").SetType("TEXT").SetData("hi").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"} {
		f.rec.Record(analytics.Hit{OwnerID: q.OwnerID, QRCodeID: q.ID, Time: time.Now(), IP: ip, UserAgent: visitUA})
	}
	f.flush(t)
	n, err := f.client.Click.Query().Where(click.QrCodeIDEQ(q.ID), click.FirstVisit(true)).Count(ctx)
	if err != nil || n != 2 {
		t.Fatalf("%d QR rows flagged first_visit (%v), want 2", n, err)
	}
	if got, _ := f.client.QRCode.Get(ctx, q.ID); got.Scans != 3 {
		t.Fatalf("scans %d, want 3", got.Scans)
	}
}

// Thousands of visitors over many batches (the old in-memory set forgot
// them at 500,000 and then scanned the link's rows): each is first exactly
// once, across batches and a restart, and the table holds one row each.
func TestManyDistinctVisitors(t *testing.T) {
	opts := analytics.WriterOptions{Interval: time.Hour, MaxBatch: 500}
	f := newWriterFixture(t, opts)
	const n = 3000
	now := time.Now()
	for i := range n {
		f.hitAt(f.links[i%2], fmt.Sprintf("10.0.%d.%d", i/256, i%256), now, false)
	}
	f.flush(t)
	f.restart(t, opts)
	for i := range n {
		f.hitAt(f.links[i%2], fmt.Sprintf("10.0.%d.%d", i/256, i%256), now, false)
	}
	f.flush(t)
	for i := range 2 {
		if c, u := f.counts(t, f.links[i]); c != n || u != n/2 {
			t.Errorf("link %d counted %d/%d, want %d clicks %d unique", i, c, u, n, n/2)
		}
	}
	ctx := auth.SystemContext(context.Background())
	if got, err := f.client.DailyVisitor.Query().Count(ctx); err != nil || got != n {
		t.Fatalf("%d visitor rows (%v), want %d", got, err, n)
	}
}

// Visitor rows older than yesterday are deleted by the writer; yesterday's
// stay (a late hit of yesterday still needs them).
func TestOldVisitorsArePruned(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	ctx := auth.SystemContext(context.Background())
	today := int(time.Now().Unix() / 86400)
	for _, d := range []int{today - 3, today - 2, today - 1} {
		if err := f.client.DailyVisitor.Create().SetDay(d).SetKind(dailyvisitor.KindLink).SetTargetID(f.links[0].ID).
			SetVisitor([]byte("0123456789abcdef")).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.hit(f.links[0], "192.0.2.1")
	f.flush(t)
	days, err := f.client.DailyVisitor.Query().Order(ent.Asc(dailyvisitor.FieldDay)).Select(dailyvisitor.FieldDay).Ints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(days) != fmt.Sprint([]int{today - 1, today}) {
		t.Fatalf("visitor days %v, want yesterday and today (%d, %d)", days, today-1, today)
	}
}
