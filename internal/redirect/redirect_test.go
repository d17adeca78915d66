package redirect_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shortener/internal/analytics/analyticstest"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/store/storetest"
)

const (
	iphoneUA  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
	androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
	macUA     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"
	linuxUA   = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
	ipadUA    = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
)

func TestPlainLinkRedirectsAndCounts(t *testing.T) {
	e := newEnv(t, app.Config{})
	l := e.createLink(t, map[string]any{"url": "https://example.com/page?a=1", "custom": "plain"})
	resp, body := e.get(t, "/plain", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/page?a=1")
	if body != "" {
		t.Errorf("redirect body = %q, want empty", body)
	}
	e.flush(t)
	st := e.stats(t, l.ID)
	if st.Clicks != 1 || st.Stats.Clicks != 1 || st.UniqueClicks != 1 {
		t.Fatalf("stats = %s", mustJSON(st))
	}
}

func TestRedirectStatusIsConfigurable(t *testing.T) {
	for _, status := range []int{301, 307, 308} {
		e := newEnv(t, app.Config{RedirectStatus: status})
		e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "s"})
		resp, _ := e.get(t, "/s", nil)
		expectRedirect(t, resp, status, "https://example.com/")
	}
	if _, err := app.New(t.Context(), app.Config{DB: "sqlite://" + t.TempDir() + "/x.db", RedirectStatus: 303}); err == nil {
		t.Fatal("app.New accepted redirect status 303")
	}
}

func TestDeviceTargets(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.createLink(t, map[string]any{"url": "https://example.com/default", "custom": "dev", "deviceTargets": []map[string]string{
		{"device": "iPhone", "url": "https://example.com/iphone"},
		{"device": "iPad", "url": "https://example.com/ipad"},
		{"device": "Android", "url": "https://example.com/android"},
		{"device": "Mac", "url": "https://example.com/mac"},
		{"device": "Linux", "url": "https://example.com/linux"},
		{"device": "Windows", "url": "https://example.com/windows"},
	}})
	for ua, want := range map[string]string{
		iphoneUA: "https://example.com/iphone", ipadUA: "https://example.com/ipad", androidUA: "https://example.com/android",
		macUA: "https://example.com/mac", linuxUA: "https://example.com/linux", chromeUA: "https://example.com/windows",
		"curl/8.5.0": "https://example.com/default",
	} {
		resp, _ := e.get(t, "/dev", map[string]string{"User-Agent": ua})
		expectRedirect(t, resp, http.StatusFound, want)
	}
}

func TestGeoTargetsFromCountryHeader(t *testing.T) {
	e := newEnv(t, app.Config{CountryHeader: "CF-IPCountry"})
	e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "geo", "geoTargets": []map[string]string{
		{"country": "Canada", "url": "https://example.ca/"},
		{"country": "United States", "url": "https://example.us/"},
		{"country": "DE", "url": "https://example.de/"},
	}})
	for country, want := range map[string]string{
		"CA": "https://example.ca/", "US": "https://example.us/", "de": "https://example.de/",
		"FR": "https://example.com/", "": "https://example.com/", "XX": "https://example.com/",
	} {
		resp, _ := e.get(t, "/geo", map[string]string{"CF-IPCountry": country})
		expectRedirect(t, resp, http.StatusFound, want)
	}
}

func TestGeoTargetsFromGeoIPDatabase(t *testing.T) {
	db := analyticstest.GeoDB(t, map[string]string{"81.2.69.0/24": "GB", "2.125.160.0/24": "FR", "127.0.0.0/8": "CA"})
	e := newEnv(t, app.Config{GeoIPDB: db, TrustProxy: true})
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "geo", "geoTargets": []map[string]string{
		{"country": "United Kingdom", "url": "https://example.co.uk/"},
		{"country": "France", "url": "https://example.fr/"},
	}})
	for ip, want := range map[string]string{
		"81.2.69.160": "https://example.co.uk/", "2.125.160.216": "https://example.fr/", "192.0.2.1": "https://example.com/",
	} {
		resp, _ := e.get(t, "/geo", map[string]string{"X-Forwarded-For": ip})
		expectRedirect(t, resp, http.StatusFound, want)
	}
	// The writer resolves the country of clicks too; loopback is CA here.
	e.get(t, "/geo", nil)
	e.flush(t)
	got := map[string]int{}
	for _, b := range e.stats(t, l.ID).Stats.Country {
		got[b.Key] = b.Clicks
	}
	if got["United Kingdom"] != 1 || got["France"] != 1 || got["Canada"] != 1 || got["Unknown"] != 1 {
		t.Fatalf("country breakdown = %v", got)
	}
}

func TestLanguageTargets(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "lang", "languageTargets": []map[string]string{
		{"language": "en", "url": "https://example.com/en"},
		{"language": "fr", "url": "https://example.com/fr"},
	}})
	for al, want := range map[string]string{
		"fr-CA,fr;q=0.9,en;q=0.8":    "https://example.com/fr",
		"de;q=0.9,en;q=0.5,fr;q=0.4": "https://example.com/en",
		"en;q=0.1,fr;q=0.9":          "https://example.com/fr",
		"fr;q=0,en;q=0.2":            "https://example.com/en",
		"de-DE":                      "https://example.com/",
		"":                           "https://example.com/",
	} {
		resp, _ := e.get(t, "/lang", map[string]string{"Accept-Language": al})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("Accept-Language %q: Location = %q, want %q", al, got, want)
		}
	}
}

func TestDeepLinks(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.createLink(t, map[string]any{"url": "https://example.com/app", "custom": "app", "deepLink": map[string]any{
		"apple": "https://apps.apple.com/us/app/id284815942", "google": "https://play.google.com/store/apps/details?id=com.example",
	}})
	e.createLink(t, map[string]any{"url": "https://www.youtube.com/watch?v=abc", "custom": "yt", "deepLink": map[string]any{"auto": true}})
	e.createLink(t, map[string]any{"url": "https://example.com/x", "custom": "auto", "deepLink": map[string]any{"auto": true}})
	cases := []struct{ path, ua, want string }{
		{"/app", iphoneUA, "https://apps.apple.com/us/app/id284815942"},
		{"/app", androidUA, "https://play.google.com/store/apps/details?id=com.example"},
		{"/app", chromeUA, "https://example.com/app"},
		{"/yt", iphoneUA, "youtube://www.youtube.com/watch?v=abc"},
		{"/yt", androidUA, "intent://www.youtube.com/watch?v=abc#Intent;scheme=https;package=com.google.android.youtube;S.browser_fallback_url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3Dabc;end"},
		{"/yt", chromeUA, "https://www.youtube.com/watch?v=abc"},
		{"/auto", iphoneUA, "https://example.com/x"},
	}
	for _, c := range cases {
		resp, _ := e.get(t, c.path, map[string]string{"User-Agent": c.ua})
		if got := resp.Header.Get("Location"); got != c.want {
			t.Errorf("%s as %.20s: Location = %q, want %q", c.path, c.ua, got, c.want)
		}
	}
}

func TestParametersAreMerged(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.createLink(t, map[string]any{"url": "https://example.com/p?x=1&aff=old", "custom": "par", "parameters": []map[string]string{
		{"name": "aff", "value": "3"}, {"name": "src", "value": "short link"},
	}})
	resp, _ := e.get(t, "/par", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/p?x=1&aff=3&src=short+link")
	resp, _ = e.get(t, "/par?utm_source=mail&aff=evil", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/p?x=1&aff=3&src=short+link&utm_source=mail")
}

func TestPasswordProtectedLink(t *testing.T) {
	e := newEnv(t, app.Config{})
	l := e.createLink(t, map[string]any{"url": "https://example.com/secret", "custom": "pw", "password": "open sesame"})

	resp, body := e.get(t, "/pw", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<form method="post"`) || !strings.Contains(body, `name="password"`) {
		t.Fatalf("GET: status %d, want 200 with the form:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "example.com/secret") {
		t.Fatal("the form page shows the long URL")
	}
	resp, body = e.visit(t, http.MethodPost, "/pw", nil, url.Values{"password": {"wrong"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Wrong password") {
		t.Fatalf("wrong password: status %d\n%s", resp.StatusCode, body)
	}
	resp, _ = e.visit(t, http.MethodPost, "/pw", nil, url.Values{"password": {"open sesame"}})
	expectRedirect(t, resp, http.StatusFound, "https://example.com/secret")
	var unlock *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "unlock_") {
			unlock = c
		}
	}
	if unlock == nil || !unlock.HttpOnly {
		t.Fatalf("no HttpOnly unlock cookie in %v", resp.Header["Set-Cookie"])
	}
	// The cookie unlocks later visits; a forged one does not.
	resp, _ = e.get(t, "/pw", map[string]string{"Cookie": unlock.Name + "=" + unlock.Value})
	expectRedirect(t, resp, http.StatusFound, "https://example.com/secret")
	exp, _, _ := strings.Cut(unlock.Value, ".")
	resp, _ = e.get(t, "/pw", map[string]string{"Cookie": unlock.Name + "=" + exp + ".forged"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("forged cookie: status %d, want the form", resp.StatusCode)
	}
	e.flush(t)
	// Clicks: the accepted POST and the cookie visit; not the form views or
	// the wrong try.
	if st := e.stats(t, l.ID); st.Clicks != 2 || st.Stats.Clicks != 2 {
		t.Fatalf("clicks = %d (stats %d), want 2", st.Clicks, st.Stats.Clicks)
	}
}

func TestPasswordTriesAreThrottled(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.createLink(t, map[string]any{"url": "https://example.com/secret", "custom": "pw", "password": "right one"})
	e.createLink(t, map[string]any{"url": "https://example.com/other", "custom": "pw2", "password": "right one"})
	for i := 0; i < 5; i++ {
		resp, _ := e.visit(t, http.MethodPost, "/pw", nil, url.Values{"password": {"wrong"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("try %d: status %d, want 403", i+1, resp.StatusCode)
		}
	}
	resp, body := e.visit(t, http.MethodPost, "/pw", nil, url.Values{"password": {"right one"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many tries") {
		t.Fatalf("sixth try: status %d, want 429 even with the right password", resp.StatusCode)
	}
	// Another link has its own budget.
	resp, _ = e.visit(t, http.MethodPost, "/pw2", nil, url.Values{"password": {"right one"}})
	expectRedirect(t, resp, http.StatusFound, "https://example.com/other")
}

func TestExpiredLinkIsGone(t *testing.T) {
	clk := apptest.NewClock(time.Now())
	e := newEnv(t, app.Config{Now: clk.Now})
	expires := clk.Now().Add(time.Hour)
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "exp", "expiresAt": expires.Format(time.RFC3339)})
	resp, _ := e.get(t, "/exp", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/")
	clk.Set(expires.Add(time.Second))
	resp, body := e.get(t, "/exp", nil)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Fatalf("status %d, want 410 page:\n%s", resp.StatusCode, body)
	}
	e.flush(t)
	if st := e.stats(t, l.ID); st.Clicks != 1 {
		t.Fatalf("clicks = %d, want 1 (the expired visit does not count)", st.Clicks)
	}
}

func TestUnknownAliasIs404Page(t *testing.T) {
	e := newEnv(t, app.Config{})
	for _, path := range []string{"/nope", "/a/b/c"} { // / is the home page (TestHomeOnTheBaseHost)
		resp, body := e.get(t, path, nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "not found") {
			t.Errorf("%s: status %d, type %q, want the 404 page", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := e.get(t, "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d (the public routes must not shadow it)", resp.StatusCode)
	}
}

func TestBrandedDomain(t *testing.T) {
	e := newEnv(t, app.Config{})
	dom := e.create(t, "createDomain", "CreateDomainInput", map[string]any{
		"domain": "https://go.example.com", "redirectRoot": "https://example.com/home", "redirect404": "https://example.com/missing",
	})
	bare := e.create(t, "createDomain", "CreateDomainInput", map[string]any{"domain": "https://bare.example.org"})
	e.createLink(t, map[string]any{"url": "https://example.com/promo", "custom": "promo", "domainId": dom})
	e.createLink(t, map[string]any{"url": "https://example.com/bare", "custom": "promo", "domainId": bare})
	e.createLink(t, map[string]any{"url": "https://example.com/base", "custom": "promo"})

	host := map[string]string{"Host": "go.example.com"}
	resp, _ := e.get(t, "/promo", host)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/promo")
	resp, _ = e.get(t, "/promo", map[string]string{"Host": "GO.example.com:443"})
	expectRedirect(t, resp, http.StatusFound, "https://example.com/promo")
	resp, _ = e.get(t, "/promo", map[string]string{"Host": "bare.example.org"})
	expectRedirect(t, resp, http.StatusFound, "https://example.com/bare")
	resp, _ = e.get(t, "/promo", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/base")

	resp, _ = e.get(t, "/nope", host)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/missing")
	resp, _ = e.get(t, "/", host)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/home")
	resp, _ = e.get(t, "/nope", map[string]string{"Host": "bare.example.org"})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown alias on a domain without redirect404: %d, want 404", resp.StatusCode)
	}
	resp, _ = e.get(t, "/", map[string]string{"Host": "bare.example.org"})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("root of a domain without redirectroot: %d, want 404", resp.StatusCode)
	}

	// Changing the domain's redirects is seen at once (the cache flushes).
	e.MustGraphQL(t, e.key, `mutation($id: ID!){ updateDomain(id: $id, input: {redirect404: "https://example.com/gone"}) { id } }`,
		map[string]any{"id": dom}, nil)
	resp, _ = e.get(t, "/nope", host)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/gone")
}

func TestWritesInvalidateTheCache(t *testing.T) {
	e := newEnv(t, app.Config{})
	resp, _ := e.get(t, "/later", nil) // cached as missing
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	l := e.createLink(t, map[string]any{"url": "https://example.com/v1", "custom": "later"})
	resp, _ = e.get(t, "/later", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/v1")

	e.MustGraphQL(t, e.key, `mutation($id: ID!){ updateLink(id: $id, input: {url: "https://example.com/v2"}) { id } }`,
		map[string]any{"id": l.ID}, nil)
	resp, _ = e.get(t, "/later", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/v2")

	e.MustGraphQL(t, e.key, `mutation($id: ID!){ updateLink(id: $id, input: {custom: "renamed"}) { id } }`,
		map[string]any{"id": l.ID}, nil)
	if resp, _ = e.get(t, "/later", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("old alias after rename: %d, want 404", resp.StatusCode)
	}
	resp, _ = e.get(t, "/renamed", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/v2")

	e.MustGraphQL(t, e.key, `mutation($id: ID!){ deleteLink(id: $id) { deletedId } }`, map[string]any{"id": l.ID}, nil)
	if resp, _ = e.get(t, "/renamed", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted link: %d, want 404", resp.StatusCode)
	}
	// Clicks of the deleted link are kept (for account statistics) and
	// the writer does not fail on them.
	e.flush(t)
}

func TestHeadIsNotCounted(t *testing.T) {
	e := newEnv(t, app.Config{})
	l := e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "head"})
	resp, _ := e.visit(t, http.MethodHead, "/head", nil, nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/")
	e.flush(t)
	if st := e.stats(t, l.ID); st.Clicks != 0 || st.Stats.Clicks != 0 {
		t.Fatalf("HEAD counted: %d", st.Clicks)
	}
}

func TestPostOnlyUnlocksPasswordLinks(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.createLink(t, map[string]any{"url": "https://example.com/", "custom": "open"})
	if resp, _ := e.visit(t, http.MethodPost, "/open", nil, url.Values{"password": {"x"}}); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST to a link without password: %d, want 405", resp.StatusCode)
	}
	if resp, _ := e.visit(t, http.MethodPost, "/missing", nil, url.Values{"password": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("POST to a missing alias: %d, want 404", resp.StatusCode)
	}
}

// Issue 11 row 11: wrong passwords are budgeted per client across links
// (20 per 10 minutes), not only per link; one IP used to get 5 tries on each
// of any number of links.
func TestPasswordTriesAreThrottledPerClientAcrossLinks(t *testing.T) {
	e := newEnv(t, app.Config{})
	for i := range 6 {
		e.createLink(t, map[string]any{"url": "https://example.com/secret", "custom": fmt.Sprintf("pw%d", i), "password": "right one"})
	}
	wrong := 0
	for i := range 6 {
		for range 4 { // under the per-link limit of 5
			resp, _ := e.visit(t, http.MethodPost, fmt.Sprintf("/pw%d", i), nil, url.Values{"password": {"wrong"}})
			switch resp.StatusCode {
			case http.StatusForbidden:
				wrong++
			case http.StatusTooManyRequests:
			default:
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	if wrong != 20 {
		t.Fatalf("24 wrong tries over 6 links: %d checked, want 20", wrong)
	}
	resp, body := e.visit(t, http.MethodPost, "/pw5", nil, url.Values{"password": {"right one"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many tries") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 20 wrong tries: status %d, want the 429 form", resp.StatusCode)
	}
}

// / on the base host is a neutral page, or --home-url; branded domains keep
// their redirect root and unknown hosts the 404.
func TestHomeOnTheBaseHost(t *testing.T) {
	e := newEnv(t, app.Config{})
	resp, body := e.get(t, "/", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "This address serves short links") {
		t.Fatalf("/ on the base host: %d %q", resp.StatusCode, body)
	}
	if resp, _ := e.get(t, "/", map[string]string{"Host": "unknown.example.org"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/ on an unknown host: %d, want 404", resp.StatusCode)
	}
	home := newEnv(t, app.Config{HomeURL: "https://www.example.com/"})
	resp, _ = home.get(t, "/", nil)
	expectRedirect(t, resp, http.StatusFound, "https://www.example.com/")
	if _, err := app.New(context.Background(), app.Config{DB: storetest.DSN(t), HomeURL: "javascript:alert(1)"}); err == nil {
		t.Error("a javascript: home URL was accepted")
	}
}
