package redirect_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"shortener/ent/click"
	entlink "shortener/ent/link"
	"shortener/internal/analytics"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

const firefoxUA = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"

func TestVisitsAreCountedWithBreakdowns(t *testing.T) {
	e := newEnv(t, app.Config{CountryHeader: "CF-IPCountry"})
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "count"})
	visits := []map[string]string{ // 5 Chrome visits from Canada via Facebook, 3 Firefox from nowhere
		{"CF-IPCountry": "CA", "Referer": "https://www.facebook.com/some/post", "Accept-Language": "fr-CA,fr;q=0.9"},
		{"CF-IPCountry": "CA", "Referer": "https://m.facebook.com/", "Accept-Language": "fr-CA"},
		{"CF-IPCountry": "CA", "Referer": "https://t.co/abc"},
		{"CF-IPCountry": "CA"},
		{"CF-IPCountry": "CA", "Referer": "https://news.example.org/story"},
		{"User-Agent": firefoxUA, "Accept-Language": "en-US,en;q=0.5"},
		{"User-Agent": firefoxUA, "Accept-Language": "en-US,en;q=0.5"},
		{"User-Agent": iphoneUA, "Referer": "https://www.google.com/"},
	}
	for _, h := range visits {
		resp, _ := e.get(t, "/count", h)
		expectRedirect(t, resp, http.StatusFound, "https://example.com/")
	}
	e.flush(t)
	st := e.stats(t, l.ID)
	// All visits come from 127.0.0.1: the visitor is IP + user agent, so
	// three distinct visitors (Chrome, Firefox, iPhone).
	if st.Clicks != 8 || st.Stats.Clicks != 8 || st.UniqueClicks != 3 || st.Stats.UniqueClicks != 3 {
		t.Fatalf("clicks %d/%d unique %d/%d, want 8 and 3", st.Clicks, st.Stats.Clicks, st.UniqueClicks, st.Stats.UniqueClicks)
	}
	expect := func(name string, got []bucket, want map[string]int) {
		t.Helper()
		m := map[string]int{}
		for _, b := range got {
			m[b.Key] = b.Clicks
		}
		if mustJSON(m) != mustJSON(want) {
			t.Errorf("%s breakdown = %v, want %v", name, m, want)
		}
	}
	expect("country", st.Stats.Country, map[string]int{"Canada": 5, "Unknown": 3})
	expect("referrer", st.Stats.Referrer, map[string]int{"facebook.com": 1, "m.facebook.com": 1, "t.co": 1, "news.example.org": 1,
		"google.com": 1, analytics.DirectReferrer: 3})
	expect("browser", st.Stats.Browser, map[string]int{"Chrome": 5, "Firefox": 2, "Safari": 1})
	expect("os", st.Stats.OS, map[string]int{"Windows 10": 5, "Linux": 2, "iOS": 1})
	expect("device", st.Stats.Device, map[string]int{"Desktop": 7, "Mobile": 1})
	expect("language", st.Stats.Language, map[string]int{"fr": 2, "en": 2, "Unknown": 4})
	expect("social", st.Stats.Social, map[string]int{"facebook": 2, "twitter": 1, "google": 1})
	if st.Stats.Country[0].Key != "Canada" || st.Stats.Country[0].UniqueClicks != 1 {
		t.Errorf("top country = %+v, want Canada first with 1 unique visitor", st.Stats.Country[0])
	}

	// More visits add up; counters and rows agree.
	for i := 0; i < 4; i++ {
		e.get(t, "/count", map[string]string{"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) visitor " + string(rune('a'+i))})
	}
	e.flush(t)
	if st := e.stats(t, l.ID); st.Clicks != 12 || st.Stats.Clicks != 12 || st.UniqueClicks != 7 || st.Stats.UniqueClicks != 7 {
		t.Fatalf("after 4 more: clicks %d/%d unique %d/%d, want 12 and 7", st.Clicks, st.Stats.Clicks, st.UniqueClicks, st.Stats.UniqueClicks)
	}
}

func TestTimeSeries(t *testing.T) {
	// A fixed clock: the clicks are stamped with it, so the buckets are known.
	clk := apptest.NewClock(time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC))
	e := newEnv(t, app.Config{Now: clk.Now})
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "ts"})
	for i := 0; i < 3; i++ {
		e.get(t, "/ts", nil)
	}
	clk.Set(time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC))
	e.get(t, "/ts", map[string]string{"User-Agent": firefoxUA})
	e.flush(t)
	type bucket struct {
		Start        time.Time
		Clicks       int
		UniqueClicks int
	}
	var out struct {
		Node struct {
			Stats struct {
				Hours, Days []bucket
			}
		}
	}
	e.MustGraphQL(t, e.key, `query($id: ID!, $from: Time, $to: Time){ node(id: $id) { ... on Link { stats(from: $from, to: $to) {
		hours: timeSeries(interval: HOUR) { start clicks uniqueClicks }
		days: timeSeries(interval: DAY) { start clicks uniqueClicks } } } } }`,
		map[string]any{"id": l.ID, "from": "2025-03-01T08:00:00Z", "to": "2025-03-01T11:00:00Z"}, &out)
	hours := out.Node.Stats.Hours
	want := []bucket{
		{time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), 0, 0},
		{time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), 0, 0},
		{time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), 3, 1},
	}
	if mustJSON(hours) != mustJSON(want) {
		t.Fatalf("hours = %s\nwant    %s", mustJSON(hours), mustJSON(want))
	}
	e.MustGraphQL(t, e.key, `query($id: ID!){ node(id: $id) { ... on Link { stats {
		hours: timeSeries(interval: HOUR) { start clicks uniqueClicks }
		days: timeSeries(interval: DAY) { start clicks uniqueClicks } } } } }`, map[string]any{"id": l.ID}, &out)
	days := out.Node.Stats.Days
	wantDays := []bucket{
		{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), 3, 1},
		{time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), 1, 1},
	}
	if mustJSON(days) != mustJSON(wantDays) {
		t.Fatalf("days = %s\nwant   %s", mustJSON(days), mustJSON(wantDays))
	}
	if n := len(out.Node.Stats.Hours); n != 24 { // 10:00 on the 1st to 09:00 on the 2nd
		t.Fatalf("unbounded hourly series has %d buckets, want 24", n)
	}
}

func TestBotsAreRecordedButNotCounted(t *testing.T) {
	e := newEnv(t, app.Config{})
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "bots"})
	bots := []string{
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Twitterbot/1.0",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
		"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
		"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
		"WhatsApp/2.23.20.0",
		"TelegramBot (like TwitterBot)",
	}
	for _, ua := range bots {
		resp, body := e.get(t, "/bots", map[string]string{"User-Agent": ua})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
			t.Fatalf("%s: status %d, want the preview page:\n%s", ua, resp.StatusCode, body)
		}
	}
	e.get(t, "/bots", nil) // one person
	e.flush(t)
	if st := e.stats(t, l.ID); st.Clicks != 1 || st.Stats.Clicks != 1 || st.UniqueClicks != 1 {
		t.Fatalf("clicks %d (stats %d), want 1: bots must not count", st.Clicks, st.Stats.Clicks)
	}
	n, err := e.App.Client.Click.Query().Where(click.LinkIDEQ(l.RowID), click.BotEQ(true)).Count(auth.SystemContext(context.Background()))
	if err != nil || n != len(bots) {
		t.Fatalf("bot rows = %d (%v), want %d", n, err, len(bots))
	}
}

func TestQRScansAreCounted(t *testing.T) {
	// The QR routes record hits with a QR code id through the same Sink.
	e := newEnv(t, app.Config{})
	ctx := auth.SystemContext(context.Background())
	u, err := e.App.Client.User.Query().First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	owner := u.ID
	q, err := e.App.Client.QRCode.Create().SetOwnerID(owner).SetAlias("qr1").SetType("TEXT").SetData("hello").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e.App.Clicks.Record(analytics.Hit{OwnerID: owner, QRCodeID: q.ID, Time: time.Now(), IP: "192.0.2.1", UserAgent: chromeUA})
	}
	e.flush(t)
	q, err = e.App.Client.QRCode.Get(ctx, q.ID)
	if err != nil || q.Scans != 3 {
		t.Fatalf("scans = %d (%v), want 3", q.Scans, err)
	}
	st, err := e.App.Resolver.Stats.Totals(ctx, analytics.Scope{QRCodeID: q.ID})
	if err != nil || st.Clicks != 3 || st.UniqueClicks != 1 {
		t.Fatalf("QR stats = %+v (%v), want 3 clicks, 1 unique", st, err)
	}
}

func TestQRScanClicksAreBuiltLikeLinkClicks(t *testing.T) {
	// A scan goes through the link path's click builder: a preview bot is
	// recorded but not counted, and the country header counts only when it
	// is a known code.
	e := newEnv(t, app.Config{CountryHeader: "CF-IPCountry"})
	ctx := auth.SystemContext(context.Background())
	u, err := e.App.Client.User.Query().First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.App.Client.QRCode.Create().SetOwnerID(u.ID).SetAlias("scanme").SetType("LINK").SetData("https://example.com/t").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, hdr := range []map[string]string{
		{"User-Agent": "Twitterbot/1.0", "CF-IPCountry": "de"},
		{"CF-IPCountry": "de"},
		{"CF-IPCountry": "XX", "Referer": "https://ref.example/" + strings.Repeat("a", 4000)},
	} {
		resp, _ := e.get(t, "/qr/scanme/scan", hdr)
		expectRedirect(t, resp, http.StatusFound, "https://example.com/t")
	}
	e.flush(t)
	q, err = e.App.Client.QRCode.Get(ctx, q.ID)
	if err != nil || q.Scans != 2 {
		t.Fatalf("scans = %d (%v), want 2: the bot must not count", q.Scans, err)
	}
	rows, err := e.App.Client.Click.Query().Where(click.QrCodeIDEQ(q.ID)).Order(click.ByID()).All(ctx)
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d click rows (%v), want 3", len(rows), err)
	}
	if !rows[0].Bot || rows[1].Bot || rows[2].Bot {
		t.Errorf("bot flags %v %v %v, want true false false", rows[0].Bot, rows[1].Bot, rows[2].Bot)
	}
	if rows[0].Country != "DE" || rows[1].Country != "DE" || rows[2].Country != "" {
		t.Errorf("countries %q %q %q, want DE DE and none for an unknown code", rows[0].Country, rows[1].Country, rows[2].Country)
	}
	if rows[2].Referrer != "ref.example" {
		t.Errorf("referrer = %q, want the host", rows[2].Referrer)
	}
}

func TestConcurrentVisitsAllCount(t *testing.T) {
	e := newEnv(t, app.Config{})
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "many"})
	const workers, each = 8, 150
	var wg sync.WaitGroup
	client := apptest.NoRedirectClient()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				resp, err := client.Get(e.URL + "/many")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	e.flush(t)
	if st := e.stats(t, l.ID); st.Clicks != workers*each || st.Stats.Clicks != workers*each {
		t.Fatalf("clicks %d (stats %d), want %d", st.Clicks, st.Stats.Clicks, workers*each)
	}
	if e.App.Recorder.Dropped() != 0 {
		t.Fatalf("dropped %d", e.App.Recorder.Dropped())
	}
}

// TestClicksSurviveShutdownAndRestart records visits, shuts the app down
// (as SIGTERM does) without any explicit flush, and reopens the same
// database file: every click is there.
func TestClicksSurviveShutdownAndRestart(t *testing.T) {
	dsn := storetest.DSN(t)
	s := apptest.New(t, app.Config{DB: dsn})
	e := &env{Server: s, key: s.Signup(t, "owner")}
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "durable"})
	const n = 250
	for i := 0; i < n; i++ {
		e.get(t, "/durable", nil)
	}
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.App.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	s.App.Close()

	a, err := app.New(ctx, app.Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sys := auth.SystemContext(ctx)
	rows, err := a.Client.Click.Query().Where(click.LinkIDEQ(l.RowID)).Count(sys)
	if err != nil || rows != n {
		t.Fatalf("click rows after restart = %d (%v), want %d", rows, err, n)
	}
	lk, err := a.Client.Link.Query().Where(entlink.IDEQ(l.RowID)).Only(sys)
	if err != nil || lk.Clicks != n || lk.UniqueClicks != 1 {
		t.Fatalf("link counters after restart = %d/%d (%v), want %d/1", lk.Clicks, lk.UniqueClicks, err, n)
	}
}

func TestCacheWarmsFromTheDatabase(t *testing.T) {
	e := newEnv(t, app.Config{})
	dom := e.create(t, "createDomain", "CreateDomainInput", map[string]any{"domain": "https://go.example.com"})
	for i := 0; i < 30; i++ {
		in := map[string]any{"url": "https://example.com/" + string(rune('a'+i%26)), "custom": "warm" + string(rune('a'+i%26))}
		if i >= 26 {
			in["domainId"] = dom
		}
		e.createLink(t, in)
	}
	e.App.Cache.Flush()
	n, err := e.App.Cache.Warm(context.Background())
	if err != nil || n != 30 || e.App.Cache.Len() != 30 {
		t.Fatalf("warmed %d (%v), cache holds %d, want 30", n, err, e.App.Cache.Len())
	}
	resp, _ := e.get(t, "/warma", map[string]string{"Host": "go.example.com"})
	expectRedirect(t, resp, http.StatusFound, "https://example.com/a")
	resp, _ = e.get(t, "/warmz", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/z")
}
