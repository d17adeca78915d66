package analytics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"shortener/ent"
	"shortener/internal/analytics"
	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

// liveFixture is a Writer publishing to a Hub, over a real database with two
// users, each with one link.
type liveFixture struct {
	rec          *analytics.Recorder
	w            *analytics.Writer
	hub          *analytics.Hub
	mine, theirs *ent.Link
}

func newLiveFixture(t *testing.T, hub analytics.HubOptions) *liveFixture {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	client := storetest.Open(t)
	d := dialect.SQLite
	if storetest.Postgres() {
		d = dialect.Postgres
	}
	f := &liveFixture{rec: analytics.NewRecorder(0), hub: analytics.NewHub(hub)}
	var links []*ent.Link
	for _, name := range []string{"me", "them"} {
		u, err := client.User.Create().SetEmail(name + "@example.com").SetUsername(name).SetPasswordHash("x").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		l, err := client.Link.Create().SetOwnerID(u.ID).SetAlias("live-" + name).SetLongURL("https://example.com/").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	f.mine, f.theirs = links[0], links[1]
	f.w = analytics.NewWriter(client, f.rec, analytics.WriterOptions{
		Dialect: d, Hasher: analytics.NewHasher([]byte("live-test-secret")), Publisher: f.hub,
		Interval: 50 * time.Millisecond,
	})
	f.w.Start()
	t.Cleanup(func() { _ = f.w.Close(context.Background()) })
	return f
}

func (f *liveFixture) hit(l *ent.Link, ref string) {
	f.rec.Record(analytics.Hit{OwnerID: l.OwnerID, LinkID: l.ID, Time: time.Now(), IP: "203.0.113.9",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", Referrer: ref,
		AcceptLanguage: "de-DE,de;q=0.9", Country: "DE"})
}

func (f *liveFixture) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, c <-chan *analytics.ClickEvent) *analytics.ClickEvent {
	t.Helper()
	select {
	case e, ok := <-c:
		if !ok {
			t.Fatal("subscription closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no click within 5 s")
		return nil
	}
}

func none(t *testing.T, c <-chan *analytics.ClickEvent) {
	t.Helper()
	select {
	case e := <-c:
		t.Fatalf("unexpected click %+v", e)
	default:
	}
}

func TestLiveDeliversStoredClicksOfTheOwnerOnly(t *testing.T) {
	f := newLiveFixture(t, analytics.HubOptions{})
	ctx := t.Context()
	all, err := f.hub.Subscribe(ctx, analytics.Filter{Owner: f.mine.OwnerID})
	if err != nil {
		t.Fatal(err)
	}
	one, err := f.hub.Subscribe(ctx, analytics.Filter{Owner: f.mine.OwnerID, Link: f.mine.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.hit(f.theirs, "https://news.example.org/a")
	f.hit(f.mine, "https://news.example.org/story?x=1")
	f.flush(t)

	for _, c := range []<-chan *analytics.ClickEvent{all, one} {
		e := next(t, c)
		if e.OwnerID != f.mine.OwnerID || e.LinkID != f.mine.ID || e.QRCodeID != 0 {
			t.Errorf("event of owner %d link %d qr %d, want owner %d link %d", e.OwnerID, e.LinkID, e.QRCodeID, f.mine.OwnerID, f.mine.ID)
		}
		if e.Referrer != "news.example.org" || e.Country != "DE" || e.Browser != "Firefox" || e.OS != "Linux" ||
			e.Device != "Desktop" || e.Language != "de" || e.Bot || e.Dropped != 0 {
			t.Errorf("event %+v", e)
		}
		if time.Since(e.CreatedAt) > time.Minute || e.CreatedAt.Location() != time.UTC {
			t.Errorf("createdAt %v", e.CreatedAt)
		}
		none(t, c) // the other user's click never arrives
	}
	if got := f.w.Written(); got != 2 {
		t.Errorf("written %d, want 2", got)
	}
}

func TestLiveLinkFilter(t *testing.T) {
	f := newLiveFixture(t, analytics.HubOptions{})
	c, err := f.hub.Subscribe(t.Context(), analytics.Filter{Owner: f.mine.OwnerID, Link: f.mine.ID + 1000})
	if err != nil {
		t.Fatal(err)
	}
	f.hit(f.mine, "")
	f.flush(t)
	none(t, c)
}

// A subscriber that never reads holds its buffer's clicks and loses the
// rest: the writer goes on storing at full speed, and the next click it
// does receive says how many it lost.
func TestLiveSlowSubscriberDoesNotBlockTheWriter(t *testing.T) {
	f := newLiveFixture(t, analytics.HubOptions{Buffer: 4})
	c, err := f.hub.Subscribe(t.Context(), analytics.Filter{Owner: f.mine.OwnerID})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	start := time.Now()
	for range n {
		f.hit(f.mine, "")
	}
	f.flush(t)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("writing %d clicks with a stuck subscriber took %v", n, took)
	}
	if got := f.w.Written(); got != n {
		t.Fatalf("written %d, want %d", got, n)
	}
	if got, want := f.hub.Dropped(), uint64(n-4); got != want {
		t.Errorf("hub dropped %d, want %d", got, want)
	}
	for i := range 4 {
		if e := next(t, c); e.Dropped != 0 {
			t.Errorf("buffered click %d: dropped %d, want 0", i, e.Dropped)
		}
	}
	f.hit(f.mine, "")
	f.flush(t)
	if e := next(t, c); e.Dropped != n-4 {
		t.Errorf("dropped %d, want %d", e.Dropped, n-4)
	}
}

func TestLiveSubscriptionBounds(t *testing.T) {
	hub := analytics.NewHub(analytics.HubOptions{PerOwner: 2})
	ctx, cancel := context.WithCancel(t.Context())
	a, err := hub.Subscribe(ctx, analytics.Filter{Owner: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Subscribe(t.Context(), analytics.Filter{Owner: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Subscribe(t.Context(), analytics.Filter{Owner: 1}); !errors.Is(err, analytics.ErrTooManySubscriptions) {
		t.Fatalf("third subscription: %v, want ErrTooManySubscriptions", err)
	}
	if _, err := hub.Subscribe(t.Context(), analytics.Filter{Owner: 2}); err != nil {
		t.Fatalf("another owner: %v", err)
	}
	cancel() // ends a, which frees a place
	select {
	case _, ok := <-a:
		if ok {
			t.Fatal("event on a cancelled subscription")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled subscription not closed")
	}
	if _, err := hub.Subscribe(t.Context(), analytics.Filter{Owner: 1}); err != nil {
		t.Fatalf("after a cancel: %v", err)
	}
	hub.Close()
	if hub.Open() != 0 {
		t.Errorf("open %d after Close", hub.Open())
	}
	if _, err := hub.Subscribe(t.Context(), analytics.Filter{Owner: 3}); !errors.Is(err, analytics.ErrHubClosed) {
		t.Fatalf("after Close: %v, want ErrHubClosed", err)
	}
	if hub.Wants(1) {
		t.Error("Wants after Close")
	}
}
