package analytics

import (
	"context"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

// A crash between two counter writes leaves click rows the counters do not
// include; the next start counts them, once.
func TestWriterStartCountsRowsACrashLeftUncounted(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("the counter mark is SQLite's (see mark.go)")
	}
	ctx := auth.SystemContext(context.Background())
	client := storetest.Open(t)
	u, err := client.User.Create().SetEmail("m@example.com").SetUsername("m").SetPasswordHash("x").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := client.Link.Create().SetOwnerID(u.ID).SetAlias("ma").SetLongURL("https://example.com/").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.Link.Create().SetOwnerID(u.ID).SetAlias("mb").SetLongURL("https://example.com/").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := client.QRCode.Create().SetOwnerID(u.ID).SetAlias("mq").SetType("TEXT").SetData("hi").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := WriterOptions{Dialect: dialect.SQLite, Hasher: NewHasher([]byte("mark-test-secret")),
		CounterLinks: 1, CounterInterval: time.Hour, Interval: time.Hour}
	now := time.Now()
	hit := func(linkID, qrID int, ip string, bot bool) Hit {
		return Hit{OwnerID: u.ID, LinkID: linkID, QRCodeID: qrID, Time: now, IP: ip, UserAgent: "Mozilla/5.0 Firefox/120.0", Bot: bot}
	}

	// One click counted properly (a Flush), so the mark is past it.
	w1 := NewWriter(client, NewRecorder(0), opts)
	if err := w1.recoverCounters(ctx); err != nil { // what Start does first
		t.Fatal(err)
	}
	if err := w1.write(hits{{hit(a.ID, 0, "192.0.2.1", false)}}, true); err != nil {
		t.Fatal(err)
	}
	// Then a batch whose counters wait for the interval, and the process
	// dies: a (same visitor again, a new one, a bot), b, a QR scan.
	err = w1.write(hits{{hit(a.ID, 0, "192.0.2.1", false), hit(a.ID, 0, "192.0.2.2", false),
		hit(a.ID, 0, "192.0.2.3", true), hit(b.ID, 0, "192.0.2.1", false), hit(0, q.ID, "192.0.2.1", false)}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := client.Link.Get(ctx, a.ID); got.Clicks != 1 {
		t.Fatalf("before the restart link a counts %d, want 1 (the second batch deferred)", got.Clicks)
	}

	for range 2 { // a second start must not count them again
		w := NewWriter(client, NewRecorder(0), opts)
		w.Start()
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		ga, _ := client.Link.Get(ctx, a.ID)
		gb, _ := client.Link.Get(ctx, b.ID)
		gq, _ := client.QRCode.Get(ctx, q.ID)
		if ga.Clicks != 3 || ga.UniqueClicks != 2 || gb.Clicks != 1 || gb.UniqueClicks != 1 || gq.Scans != 1 {
			t.Fatalf("after restart: a %d/%d, b %d/%d, qr %d; want a 3/2, b 1/1, qr 1",
				ga.Clicks, ga.UniqueClicks, gb.Clicks, gb.UniqueClicks, gq.Scans)
		}
		// The rollups were deferred with the counters and are replayed too.
		st, err := NewStore(client, dialect.SQLite).Totals(ctx, Scope{LinkID: a.ID})
		if err != nil || st.Clicks != 3 || st.UniqueClicks != 2 {
			t.Fatalf("after restart link a's rollups %+v (%v), want 3/2", st, err)
		}
	}
}

// A database from before the mark existed has up-to-date counters: the
// first start puts the mark at the newest row and counts nothing again.
func TestWriterStartOnADatabaseWithoutMarkCountsNothingTwice(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("the counter mark is SQLite's (see mark.go)")
	}
	ctx := auth.SystemContext(context.Background())
	client := storetest.Open(t)
	u, err := client.User.Create().SetEmail("n@example.com").SetUsername("n").SetPasswordHash("x").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := client.Link.Create().SetOwnerID(u.ID).SetAlias("na").SetLongURL("https://example.com/").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := WriterOptions{Dialect: dialect.SQLite, Hasher: NewHasher([]byte("mark-test-secret"))}
	w1 := NewWriter(client, NewRecorder(0), opts)
	batch := hits{{{OwnerID: u.ID, LinkID: a.ID, Time: time.Now(), IP: "192.0.2.1", UserAgent: "x"}}}
	if err := w1.write(batch, true); err != nil { // counted, and no mark row (never started)
		t.Fatal(err)
	}
	if n, err := client.CounterMark.Query().Count(ctx); err != nil || n != 0 {
		t.Fatalf("marks %d, %v; want none before a start", n, err)
	}
	w := NewWriter(client, NewRecorder(0), opts)
	w.Start()
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := client.Link.Get(ctx, a.ID); got.Clicks != 1 || got.UniqueClicks != 1 {
		t.Fatalf("link counts %d/%d after the first start, want 1/1", got.Clicks, got.UniqueClicks)
	}
}
