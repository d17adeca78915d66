package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shortener/ent"
	"shortener/ent/user"
	"shortener/internal/account"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/rest"
)

// These tests replay what the older generations of the vendor's API send
// (/work/shared/api/legacy-generations.md: A and B put the key in the query
// string, C posts JSON with "Authorization: Token KEY") and check the
// answers against that spec.

// legacyCall sends one request as an old client does: the query string and
// headers given, no Authorization unless a header says so.
func legacyCall(t *testing.T, s *apptest.Server, method, path string, hdr map[string]string, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := apptest.NoRedirectClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// legacyJSON makes a legacy request that must answer 200 application/javascript
// JSON, and decodes it.
func legacyJSON(t *testing.T, s *apptest.Server, method, path string, hdr map[string]string, body string) map[string]any {
	t.Helper()
	resp, raw := legacyCall(t, s, method, path, hdr, body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: status %d, want 200: %s", method, path, resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/javascript" {
		t.Errorf("%s %s: Content-Type %q, want application/javascript", method, path, ct)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("%s %s: not a JSON object: %s", method, path, raw)
	}
	return out
}

// wantMsg checks a legacy error answer: error 1 and the message under msg.
func wantMsg(t *testing.T, got map[string]any, msg string) {
	t.Helper()
	if got["error"] != float64(1) || got["msg"] != msg {
		t.Errorf("answer %v, want error 1 with msg %q", got, msg)
	}
}

// wantKeys checks an object's keys exactly.
func wantKeys(t *testing.T, what string, v any, keys ...string) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s is %T (%v), want an object", what, v, v)
		return
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(keys)
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Errorf("%s has keys %v, want %v", what, got, keys)
	}
}

func token(key string) map[string]string {
	return map[string]string{"Authorization": "Token " + key, "Content-Type": "application/json"}
}

const (
	msgNoKey  = "A valid API key is required to use this service."
	msgBadURL = "Please enter a valid URL."
)

func TestGenerationAShorten(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	long := "https://example.com/page?a=1&b=two#frag"

	// The 2015 sample and the WordPress SNAP plugin: ?api=KEY&url=<encoded>, read short.
	got := legacyJSON(t, s, "GET", "/api?api="+key+"&url="+url.QueryEscape(long), nil, "")
	wantKeys(t, "shorten answer", got, "error", "short", "shorturl", "id")
	short, _ := got["short"].(string)
	if got["error"] != float64(0) || !strings.HasPrefix(short, s.URL+"/") || got["shorturl"] != short {
		t.Fatalf("shorten: %v", got)
	}
	// The link is the key owner's, to the long URL as sent.
	resp, _ := s.Do(t, "GET", strings.TrimPrefix(short, s.URL), "", nil)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != long {
		t.Errorf("the short URL answers %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	det := api(t, s, key, "GET", "/api/urls?short="+url.QueryEscape(short), nil, 200)
	if str(t, det, "details.longurl") != long {
		t.Errorf("created link: %v", det["details"])
	}

	// The 2018 wrapper: ?key=KEY&url=..&custom=C&format=text, and /api/ too.
	resp, body := legacyCall(t, s, "GET", "/api/?key="+key+"&url="+url.QueryEscape("https://example.org")+"&custom=wrapped&format=text", nil, "")
	if resp.StatusCode != 200 || body != s.URL+"/wrapped" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("format=text: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// format=text on an error: status 200, nothing.
	resp, body = legacyCall(t, s, "GET", "/api?key="+key+"&url=notaurl&format=text", nil, "")
	if resp.StatusCode != 200 || body != "" {
		t.Errorf("format=text error: %d %q", resp.StatusCode, body)
	}
	resp, body = legacyCall(t, s, "GET", "/api?key=sk_wrong&url=https://example.org&format=text", nil, "")
	if resp.StatusCode != 200 || body != "" {
		t.Errorf("format=text with a bad key: %d %q", resp.StatusCode, body)
	}

	// Errors: status 200, msg.
	wantMsg(t, legacyJSON(t, s, "GET", "/api?api="+key, nil, ""), msgBadURL)
	wantMsg(t, legacyJSON(t, s, "GET", "/api?api="+key+"&url=notaurl", nil, ""), msgBadURL)
	wantMsg(t, legacyJSON(t, s, "GET", "/api?url=https://example.org", nil, ""), msgNoKey)
	wantMsg(t, legacyJSON(t, s, "GET", "/api?key=&url=https://example.org", nil, ""), msgNoKey)
	wantMsg(t, legacyJSON(t, s, "GET", "/api?key=sk_nosuchkey&url=https://example.org", nil, ""), msgNoKey)
	wantMsg(t, legacyJSON(t, s, "GET", "/api?api=wrong&url=https://example.org", nil, ""), msgNoKey)
	got = legacyJSON(t, s, "GET", "/api?key="+key+"&url=https://example.org&custom=wrapped", nil, "")
	wantMsg(t, got, "That alias is taken. Please choose another one.")
	if got["message"] != got["msg"] {
		t.Errorf("message beside msg: %v", got)
	}
}

func TestGenerationALookup(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	other := s.Signup(t, "bob")
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/geo","custom":"geo","geotarget":[{"location":"Canada","link":"https://example.ca"}]}`, 200)
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/plain","custom":"plain"}`, 200)
	api(t, s, other, "POST", "/api/url/add", `{"url":"https://example.com/bob","custom":"bobs"}`, 200)

	// The 2018 wrapper's unshorten(): ?key=KEY&short=<encoded short url>.
	got := legacyJSON(t, s, "GET", "/api?key="+key+"&short="+url.QueryEscape(s.URL+"/geo"), nil, "")
	wantKeys(t, "lookup answer", got, "error", "long", "click", "date", "location")
	if got["error"] != float64(0) || got["long"] != "https://example.com/geo" || got["click"] != float64(0) {
		t.Errorf("lookup: %v", got)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`).MatchString(got["date"].(string)) {
		t.Errorf("date %v", got["date"])
	}
	if loc, _ := got["location"].(map[string]any); loc["canada"] != "https://example.ca" {
		t.Errorf("location %v", got["location"])
	}
	got = legacyJSON(t, s, "GET", "/api?api="+key+"&short="+url.QueryEscape(strings.TrimPrefix(s.URL, "http://")+"/plain"), nil, "")
	if got["long"] != "https://example.com/plain" || got["location"] != nil {
		t.Errorf("lookup without a scheme, no targets: %v", got)
	}
	resp, body := legacyCall(t, s, "GET", "/api?key="+key+"&short=plain&format=text", nil, "")
	if resp.StatusCode != 200 || body != "https://example.com/plain" {
		t.Errorf("lookup format=text: %d %q", resp.StatusCode, body)
	}
	// Another user's link is not found, like a missing one.
	for _, sh := range []string{s.URL + "/bobs", "bobs", s.URL + "/nosuch"} {
		wantMsg(t, legacyJSON(t, s, "GET", "/api?key="+key+"&short="+url.QueryEscape(sh), nil, ""), "This URL couldn't be found. Please double check it.")
	}
}

func TestGenerationBShorten(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	other := s.Signup(t, "bob")
	shorten := func(q string) map[string]any {
		t.Helper()
		return legacyJSON(t, s, "GET", "/api?key="+key+"&"+q, nil, "")
	}
	u := "url=" + url.QueryEscape("https://example.com/same")

	// Idempotent per user: the same long URL, nothing else asked, is the
	// same link; custom, a password or another type make a new one.
	first := shorten(u)
	if first["error"] != float64(0) {
		t.Fatalf("shorten: %v", first)
	}
	if again := shorten(u); again["short"] != first["short"] || again["id"] != first["id"] {
		t.Errorf("second shorten of the same URL: %v, first %v", again, first)
	}
	if b := legacyJSON(t, s, "GET", "/api?key="+other+"&"+u, nil, ""); b["id"] == first["id"] {
		t.Errorf("another user's shorten reused alice's link: %v", b)
	}
	// The wrapper sends custom, type and pass unencoded.
	custom := shorten(u + "&custom=mine&type=frame")
	if custom["short"] != s.URL+"/mine" {
		t.Errorf("custom: %v", custom)
	}
	pass := shorten(u + "&pass=secret1")
	password := shorten(u + "&password=secret2")
	ids := map[any]bool{}
	for _, a := range []map[string]any{first, custom, pass, password} {
		ids[a["id"]] = true
	}
	if len(ids) != 4 {
		t.Errorf("ids: first %v custom %v pass %v password %v", first["id"], custom["id"], pass["id"], password["id"])
	}
	// Without custom the type is matched: the framed link (custom or not,
	// as the original did); a type no link has is a new link.
	framed := shorten(u + "&type=frame")
	if framed["id"] != custom["id"] {
		t.Errorf("type=frame made %v, want the framed link %v", framed["id"], custom["id"])
	}
	splash := shorten(u + "&type=splash")
	if ids[splash["id"]] {
		t.Errorf("type=splash reused link %v", splash["id"])
	}
	if again := shorten(u + "&type=splash"); again["id"] != splash["id"] {
		t.Errorf("type=splash again: %v, want %v", again["id"], splash["id"])
	}
	// pass and password both protect the link; type frame frames it.
	for _, a := range []map[string]any{pass, password} {
		resp, body := s.Do(t, "GET", strings.TrimPrefix(a["short"].(string), s.URL), "", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "password") {
			t.Errorf("%v: %d, want the password page", a["short"], resp.StatusCode)
		}
	}
	resp, body := s.Do(t, "GET", strings.TrimPrefix(framed["short"].(string), s.URL), "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<iframe") {
		t.Errorf("type=frame: %d", resp.StatusCode)
	}
	// domain: the user's branded domain.
	api(t, s, key, "POST", "/api/domain/add", `{"domain":"https://go.example.org"}`, 200)
	if d := shorten(u + "&domain=go.example.org&custom=dom"); d["short"] != "https://go.example.org/dom" {
		t.Errorf("domain: %v", d)
	}
	if d := shorten(u + "&domain=" + url.QueryEscape("https://go.example.org")); !strings.HasPrefix(d["short"].(string), "https://go.example.org/") || d["id"] == first["id"] {
		t.Errorf("idempotent shorten on another domain reused the base host's link: %v", d)
	}
	if m := shorten(u + "&type=sideways"); m["error"] != float64(1) || m["msg"] == "" {
		t.Errorf("bad type: %v", m)
	}
	if m := shorten(u + "&domain=nosuch.example.net"); m["error"] != float64(1) || m["msg"] == "" {
		t.Errorf("unknown domain: %v", m)
	}
}

func TestJSONP(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	// The 5.7.2 full-page script: the href unencoded, callback GemPixel_<random>.
	resp, body := legacyCall(t, s, "GET", "/api?key="+key+"&url=https://example.com/x&callback=GemPixel_123456", nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/javascript" {
		t.Fatalf("JSONP: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m := regexp.MustCompile(`^GemPixel_123456\((\{.*\})\)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("JSONP body %q", body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(m[1]), &got); err != nil || got["error"] != float64(0) || !strings.HasPrefix(got["short"].(string), s.URL+"/") {
		t.Errorf("JSONP payload %s (%v)", m[1], err)
	}
	// Errors are wrapped too, the key check's included: the script's
	// callback runs and logs msg.
	for path, msg := range map[string]string{
		"/api?key=" + key + "&callback=jQuery.cb_1":             msgBadURL,
		"/api?key=sk_bad&url=https://example.com&callback=$cb":  msgNoKey,
		"/api/details?key=" + key + "&alias=nosuch&callback=cb": "This URL does not exist or is not associated with your account.",
	} {
		resp, body := legacyCall(t, s, "GET", path, nil, "")
		cb := regexp.MustCompile(`callback=([^&]+)`).FindStringSubmatch(path)[1]
		if resp.StatusCode != 200 || !strings.HasPrefix(body, cb+"(") || !strings.HasSuffix(body, ")") {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(body[len(cb)+1:len(body)-1]), &e); err != nil || e["msg"] != msg || e["error"] != float64(1) {
			t.Errorf("%s: payload %q", path, body)
		}
	}
	// A callback that is not a plain name is refused and never echoed.
	for _, cb := range []string{"alert(1)//", "a b", "1abc", "x<script>", strings.Repeat("a", 65), "cb;evil", "cb\u2028"} {
		resp, body := legacyCall(t, s, "GET", "/api?key="+key+"&url=https://example.com/y&callback="+url.QueryEscape(cb), nil, "")
		var e map[string]any
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &e) != nil || e["error"] != float64(1) || strings.Contains(body, cb) {
			t.Errorf("callback %q: %d %q", cb, resp.StatusCode, body)
		}
	}
	// 64 characters is the longest name.
	cb := "a" + strings.Repeat("b", 63)
	if _, body := legacyCall(t, s, "GET", "/api?key="+key+"&url=https://example.com/z&callback="+cb, nil, ""); !strings.HasPrefix(body, cb+"({") {
		t.Errorf("64-character callback: %q", body)
	}
}

const chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

// click visits a short URL as a browser would and waits until the link has
// counted one more click.
func click(t *testing.T, s *apptest.Server, key, alias string) { clickAs(t, s, key, alias, chromeUA) }

func clickAs(t *testing.T, s *apptest.Server, key, alias, ua string) {
	t.Helper()
	before := num(t, api(t, s, key, "GET", "/api/urls?short="+alias, nil, 200), "data.clicks")
	req, _ := http.NewRequest("GET", s.URL+"/"+alias, nil)
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Referer", "https://www.facebook.com/")
	resp, err := apptest.NoRedirectClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		got := api(t, s, key, "GET", "/api/urls?short="+alias, nil, 200)
		if num(t, got, "data.clicks") > before {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the click on %s was not counted", alias)
}

func TestGenerationBDetails(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	other := s.Signup(t, "bob")
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/d","custom":"det","title":"Det",
		"geotarget":[{"location":"Canada","link":"https://example.ca"}],"devicetarget":[{"device":"iPhone","link":"https://example.com/ios"}]}`, 200)
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/e","custom":"empty"}`, 200)
	api(t, s, other, "POST", "/api/url/add", `{"url":"https://example.com/bob","custom":"bobs"}`, 200)

	// The wrapper's details(): /api/details?key=K&alias=A.
	empty := legacyJSON(t, s, "GET", "/api/details?key="+key+"&alias=empty", nil, "")
	wantKeys(t, "details answer", empty, "error", "details", "data")
	wantKeys(t, "details", empty["details"], "shorturl", "longurl", "title", "description", "location", "device", "expiry", "date")
	wantKeys(t, "data", empty["data"], "clicks", "uniqueClicks", "topCountries", "topReferrers", "topBrowsers", "topOs", "socialCount")
	wantKeys(t, "socialCount", at(empty, "data.socialCount"), "facebook", "twitter", "google")
	if at(empty, "details.location") != nil || at(empty, "details.device") != nil || at(empty, "details.shorturl") != s.URL+"/empty" {
		t.Errorf("details without targets: %v", empty["details"])
	}
	for _, k := range []string{"topCountries", "topReferrers", "topBrowsers", "topOs"} {
		if l, ok := at(empty, "data."+k).([]any); !ok || len(l) != 0 {
			t.Errorf("%s of a link without clicks is %v, want []", k, at(empty, "data."+k))
		}
	}

	click(t, s, key, "det")
	got := legacyJSON(t, s, "GET", "/api/details?key="+key+"&alias=det", nil, "")
	if at(got, "details.title") != "Det" || at(got, "details.longurl") != "https://example.com/d" ||
		at(got, "details.location.canada") != "https://example.ca" || at(got, "details.device.iphone") != "https://example.com/ios" {
		t.Errorf("details: %v", got["details"])
	}
	if at(got, "data.clicks") != float64(1) || at(got, "data.socialCount.facebook") != float64(1) {
		t.Errorf("data: %v", got["data"])
	}
	if b, ok := at(got, "data.topBrowsers").(map[string]any); !ok || b["Chrome"] != "1" {
		t.Errorf("topBrowsers: %v", at(got, "data.topBrowsers"))
	}

	// The top* objects list their keys most clicks first, as the original.
	const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
	clickAs(t, s, key, "det", firefox)
	clickAs(t, s, key, "det", firefox)
	_, raw := legacyCall(t, s, "GET", "/api/details?key="+key+"&alias=det", nil, "")
	if !regexp.MustCompile(`"topBrowsers":\{"Firefox":"2","Chrome":"1"\}`).MatchString(raw) {
		t.Errorf("topBrowsers not by count: %s", raw)
	}

	wantMsg(t, legacyJSON(t, s, "GET", "/api/details?key="+key, nil, ""), "You must send an alias paramater with URLs alias as the value.")
	for _, a := range []string{"bobs", "nosuch"} {
		wantMsg(t, legacyJSON(t, s, "GET", "/api/details?key="+key+"&alias="+a, nil, ""), "This URL does not exist or is not associated with your account.")
	}
	wantMsg(t, legacyJSON(t, s, "GET", "/api/details?alias=det", nil, ""), msgNoKey)
}

func TestGenerationBURLs(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	other := s.Signup(t, "bob")
	for _, a := range []string{"one", "two", "three"} {
		api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/`+a+`","custom":"`+a+`"}`, 200)
	}
	api(t, s, other, "POST", "/api/url/add", `{"url":"https://example.com/bob","custom":"bobs"}`, 200)
	click(t, s, key, "two")

	aliases := func(got map[string]any) string {
		t.Helper()
		if got["error"] != "0" {
			t.Errorf(`error is %#v, want the string "0"`, got["error"])
		}
		list, ok := got["data"].([]any)
		if !ok {
			t.Fatalf("data is not a flat array: %v", got)
		}
		var out []string
		for _, x := range list {
			wantKeys(t, "item", x, "alias", "shorturl", "longurl", "clicks", "title", "description", "date")
			out = append(out, x.(map[string]any)["alias"].(string))
		}
		return strings.Join(out, ",")
	}
	if a := aliases(legacyJSON(t, s, "GET", "/api/urls?key="+key, nil, "")); a != "three,two,one" {
		t.Errorf("urls: %s", a)
	}
	if a := aliases(legacyJSON(t, s, "GET", "/api/urls?api="+key+"&order=click", nil, "")); !strings.HasPrefix(a, "two,") {
		t.Errorf("order=click: %s", a)
	}
	if a := aliases(legacyJSON(t, s, "GET", "/api/urls?key="+key+"&limit=1&order=date", nil, "")); a != "three" {
		t.Errorf("limit=1: %s", a)
	}
	if a := aliases(legacyJSON(t, s, "GET", "/api/urls?key="+other, nil, "")); a != "bobs" {
		t.Errorf("bob's urls: %s", a)
	}
	// The wrapper's urls() with an order sends the whole URL again inside
	// key: the key check refuses it, as the original did.
	wantMsg(t, legacyJSON(t, s, "GET", "/api/urls?key="+key+s.URL+"/api/urls?key="+key+"&order=click", nil, ""), msgNoKey)
	// Today's /api/urls is unchanged: Bearer, paged; a Bearer header wins over ?key=.
	for _, p := range []string{"/api/urls", "/api/urls?key=" + other} {
		got := api(t, s, key, "GET", p, nil, 200)
		if len(items(t, got, "urls")) != 3 || num(t, got, "data.perpage") != 15 {
			t.Errorf("%s with Bearer: %v", p, got)
		}
	}
	resp, _ := s.Do(t, "GET", "/api/urls", "", nil)
	if resp.StatusCode != 401 {
		t.Errorf("today's /api/urls without a key: %d", resp.StatusCode)
	}
}

func TestGenerationCURLAdd(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	// The vendor guide's url/add, as the 2.0 wrapper posts it.
	resp, body := legacyCall(t, s, "POST", "/api/url/add", token(key), `{"url":"https://google.com","custom":"google","type":"direct",
		"geotarget":[{"location":"Canada","link":"https://google.ca"}],"devicetarget":[{"device":"iPhone","link":"https://google.com"}]}`)
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil || got["error"] != float64(0) || got["short"] != s.URL+"/google" {
		t.Errorf("url/add with Token: %d %s", resp.StatusCode, body)
	}
}

func TestGenerationCURLGetAndStats(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	other := s.Signup(t, "bob")

	// No links: the paging block without urls.
	got := legacyJSON(t, s, "POST", "/api/url/get", token(key), `{"limit":2,"page":1,"order":"date"}`)
	if got["error"] != "0" {
		t.Errorf("url/get error %#v", got["error"])
	}
	wantKeys(t, "url/get data without links", got["data"], "result", "perpage", "currentpage", "nextpage", "maxpage")

	api(t, s, key, "POST", "/api/url/add", `{"url":"https://google.ca","custom":"googlecanada","title":"Google Canada"}`, 200)
	id := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://google.com","custom":"google","title":"Google",
		"geotarget":[{"location":"Canada","link":"https://google.ca"},{"location":"United States","link":"https://google.us"}],
		"devicetarget":[{"device":"iPhone","link":"https://google.com"},{"device":"Android","link":"https://google.com"}]}`, 200), "id")
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/third"}`, 200)
	bobs := num(t, api(t, s, other, "POST", "/api/url/add", `{"url":"https://example.com/bob"}`, 200), "id")

	// The documented request: {"limit":2,"page":1,"order":"date"}.
	got = legacyJSON(t, s, "POST", "/api/url/get", token(key), `{"limit":2,"page":1,"order":"date"}`)
	wantKeys(t, "url/get", got, "error", "data")
	wantKeys(t, "url/get data", got["data"], "result", "perpage", "currentpage", "nextpage", "maxpage", "urls")
	if num(t, got, "data.result") != 3 || num(t, got, "data.perpage") != 2 || num(t, got, "data.currentpage") != 1 ||
		num(t, got, "data.nextpage") != 2 || num(t, got, "data.maxpage") != 2 {
		t.Errorf("paging: %v", got["data"])
	}
	us := items(t, got, "urls")
	if len(us) != 2 || us[1]["alias"] != "google" || us[1]["id"] != float64(id) || us[1]["title"] != "Google" || us[1]["shorturl"] != s.URL+"/google" {
		t.Errorf("urls: %v", us)
	}
	for _, u := range us {
		wantKeys(t, "url", u, "id", "alias", "shorturl", "longurl", "clicks", "title", "description", "date")
	}
	// Defaults, a bare key, and a limit past the maximum (clamped).
	got = legacyJSON(t, s, "POST", "/api/url/get", map[string]string{"Authorization": key}, `{}`)
	if num(t, got, "data.perpage") != 10 || len(items(t, got, "urls")) != 3 {
		t.Errorf("defaults: %v", got["data"])
	}
	got = legacyJSON(t, s, "POST", "/api/url/get", token(key), `{"limit":"5000","page":"1"}`)
	if num(t, got, "data.perpage") != 1000 {
		t.Errorf("limit 5000: %v", got["data"])
	}
	wantMsg(t, legacyJSON(t, s, "POST", "/api/url/get", token(key), `{"limit":2,"page":3}`), "Page unavailable. Maximum page is 2.")
	for _, b := range []string{"", "not json", "[1,2]"} {
		wantMsg(t, legacyJSON(t, s, "POST", "/api/url/get", token(key), b), "Data is missing or incomplete")
	}
	for _, h := range []map[string]string{nil, token("sk_nosuchkey"), {"Authorization": "Token"}} {
		wantMsg(t, legacyJSON(t, s, "POST", "/api/url/get", h, `{}`), msgNoKey)
	}

	// url/stats {"urlid": N}.
	got = legacyJSON(t, s, "POST", "/api/url/stats", token(key), `{"urlid": `+itoa(id)+`}`)
	wantKeys(t, "url/stats", got, "error", "details", "data")
	wantKeys(t, "details", got["details"], "shorturl", "longurl", "title", "description", "location", "device", "expiry", "date")
	wantKeys(t, "data", got["data"], "clicks", "uniqueClicks", "topCountries", "topReferrers", "topBrowsers", "topOs", "socialCount")
	if got["error"] != float64(0) || at(got, "details.location.united states") != "https://google.us" || at(got, "details.device.android") != "https://google.com" ||
		at(got, "details.expiry") != nil || at(got, "data.topCountries") != float64(0) {
		t.Errorf("url/stats: %v", got)
	}
	click(t, s, key, "google")
	got = legacyJSON(t, s, "POST", "/api/url/stats", token(key), `{"urlid": "`+itoa(id)+`"}`)
	if at(got, "data.clicks") != float64(1) || at(got, "data.topBrowsers") != float64(1) || at(got, "data.socialCount.facebook") != float64(1) {
		t.Errorf("url/stats after a click: %v", got["data"])
	}
	wantMsg(t, legacyJSON(t, s, "POST", "/api/url/stats", token(key), `{}`), "You must send an alias paramater with URLs alias as the value.")
	for _, other := range []int{bobs, 999} {
		wantMsg(t, legacyJSON(t, s, "POST", "/api/url/stats", token(key), `{"urlid": `+itoa(other)+`}`), "This URL does not exist or is not associated with your account.")
	}
	// JSONP on C's routes too.
	_, body := legacyCall(t, s, "POST", "/api/url/stats?callback=cb", token(key), `{"urlid": `+itoa(id)+`}`)
	if !strings.HasPrefix(body, `cb({"error":0,`) {
		t.Errorf("url/stats JSONP: %q", body)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// adminKey creates an admin account as `shortener user create --admin` does.
func adminKey(t *testing.T, s *apptest.Server) string {
	t.Helper()
	_, key, err := account.CreateUser(context.Background(), s.App.Client, account.NewUser{
		Email: "root@example.com", Username: "root", Password: "password123", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestGenerationCAdminRoutes(t *testing.T) {
	s := apptest.New(t, app.Config{})
	admin := adminKey(t, s)
	alice := s.SignupUser(t, "alice")

	// GraphQL reads the flag.
	var me struct{ Me struct{ Admin bool } }
	s.MustGraphQL(t, admin, `{ me { admin } }`, nil, &me)
	if !me.Me.Admin {
		t.Error("me { admin } is false for the admin")
	}
	s.MustGraphQL(t, alice.Key, `{ me { admin } }`, nil, &me)
	if me.Me.Admin {
		t.Error("me { admin } is true for a user")
	}

	// Not an admin: message 013, whatever the body.
	for _, path := range []string{"/api/user/create", "/api/user/get"} {
		for _, b := range []string{`{"userid":1}`, `{"username":"x","password":"password123","email":"x@example.com"}`, ""} {
			wantMsg(t, legacyJSON(t, s, "POST", path, token(alice.Key), b), "You do not have the permission to use this endpoint.")
		}
		wantMsg(t, legacyJSON(t, s, "POST", path, nil, `{}`), msgNoKey)
	}
	if n, err := s.App.Client.User.Query().Count(apptest.SystemContext()); err != nil || n != 2 {
		t.Fatalf("users: %d %v", n, err)
	}

	// The wrapper readme's body.
	got := legacyJSON(t, s, "POST", "/api/user/create", token(admin),
		`{"username":"user","password":"1234567891011","email":"demo@yourwebsite.com","planid":1,"expiration":"2030-11-20 11:00:00"}`)
	wantKeys(t, "user/create", got, "error", "msg", "data")
	wantKeys(t, "user/create data", got["data"], "id", "email", "username")
	newID, _ := at(got, "data.id").(string)
	if got["error"] != float64(0) || got["msg"] != "User has been registered" || newID == "" || at(got, "data.username") != "user" {
		t.Fatalf("user/create: %v", got)
	}
	free := legacyJSON(t, s, "POST", "/api/user/create", token(admin), `{"username":"free1","password":"password123","email":"free@example.com"}`)
	for body, msg := range map[string]string{
		`{"username":"other","password":"password123","email":"DEMO@yourwebsite.com"}`: "Account already exists with this email.",
		`{"username":"USER","password":"password123","email":"new@example.com"}`:       "An account is already associated with this username. Please choose another username.",
		`{"username":"other","password":"password123","email":"bad"}`:                  "Email required. Please enter a valid email.",
		`{"username":"","password":"password123","email":"n@example.com"}`:             "Username required. Please enter a valid username.",
		`not json`: "Data is missing or incomplete",
	} {
		wantMsg(t, legacyJSON(t, s, "POST", "/api/user/create", token(admin), body), msg)
	}
	short := legacyJSON(t, s, "POST", "/api/user/create", token(admin), `{"username":"other","password":"1234","email":"n@example.com"}`)
	if short["error"] != float64(1) || !strings.HasPrefix(short["msg"].(string), "Password required.") {
		t.Errorf("short password: %v", short)
	}

	// user/get {"userid": N}.
	got = legacyJSON(t, s, "POST", "/api/user/get", token(admin), `{"userid": `+newID+`}`)
	wantKeys(t, "user/get", got, "error", "data")
	wantKeys(t, "user/get data", got["data"], "email", "username", "date", "avatar", "pro", "planid", "expiration", "last_payment")
	if at(got, "data.email") != "demo@yourwebsite.com" || at(got, "data.pro") != float64(1) || at(got, "data.expiration") != "2030-11-20 11:00:00" {
		t.Errorf("user/get: %v", got)
	}
	got = legacyJSON(t, s, "POST", "/api/user/get", token(admin), `{"userid": "`+at(free, "data.id").(string)+`"}`)
	if at(got, "data.pro") != float64(0) || at(got, "data.expiration") != nil || at(got, "data.username") != "free1" {
		t.Errorf("user/get of a free user: %v", got)
	}
	wantMsg(t, legacyJSON(t, s, "POST", "/api/user/get", token(admin), `{"userid": 999}`), "User does not exist.")
	wantMsg(t, legacyJSON(t, s, "POST", "/api/user/get", token(admin), `{}`), "Data is missing or incomplete")

	// The created accounts are plain users.
	if n, err := s.App.Client.User.Query().Where(user.Admin(true)).Count(apptest.SystemContext()); err != nil || n != 1 {
		t.Errorf("admins: %d %v", n, err)
	}
	if n, err := s.App.Client.User.Query().Count(apptest.SystemContext()); err != nil || n != 4 {
		t.Errorf("users after two creates: %d %v", n, err)
	}
}

// syncBuffer is a log sink the server's goroutines may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRedactQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                  "",
		"key=sk_secret&url=https%3A%2F%2Fx": "key=REDACTED&url=https%3A%2F%2Fx",
		"api=sk_secret&short=a":             "api=REDACTED&short=a",
		"KEY=sk_secret&Api=sk_2&key=again":  "Api=REDACTED&KEY=REDACTED&key=REDACTED",
		"url=x&key=sk_secret;bad":           "(unparsable query redacted)",
		"keys=visible&apikey=visible":       "apikey=visible&keys=visible",
	} {
		if got := rest.RedactQuery(raw); got != want {
			t.Errorf("RedactQuery(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestQueryKeysAreNeverLogged runs the legacy routes with the key in the
// query string, one of them failing inside (a database error, which is
// logged), and reads every log line the server wrote.
func TestQueryKeysAreNeverLogged(t *testing.T) {
	var logs syncBuffer
	s := apptest.New(t, app.Config{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	key := s.Signup(t, "alice")
	var fail atomic.Bool
	s.App.Client.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			if _, ok := q.(*ent.LinkQuery); ok && fail.Load() {
				return nil, errors.New("database is on fire")
			}
			return next.Query(ctx, q)
		})
	}))
	for _, p := range []string{
		"/api?key=" + key + "&url=https://example.com/a",
		"/api?api=" + key + "&short=nosuch&callback=cb",
		"/api/details?key=" + key + "&alias=nosuch",
		"/api/urls?key=" + key,
		"/api?key=" + key + "x&url=https://example.com/b",
	} {
		legacyCall(t, s, "GET", p, nil, "")
	}
	fail.Store(true)
	for _, p := range []string{"/api?key=" + key + "&short=x", "/api/urls?api=" + key + "&order=click", "/api?key=" + key + "&url=https://example.com/c"} {
		if got := legacyJSON(t, s, "GET", p, nil, ""); got["msg"] != "internal error" {
			t.Errorf("%s with a failing database: %v", p, got)
		}
	}
	out := logs.String()
	if strings.Contains(out, key) || strings.Contains(out, strings.TrimPrefix(key, "sk_")) {
		t.Errorf("the API key is in the log:\n%s", out)
	}
	if !strings.Contains(out, "database is on fire") || !strings.Contains(out, "key=REDACTED") || !strings.Contains(out, "api=REDACTED") {
		t.Errorf("the failures are not logged with their redacted query:\n%s", out)
	}
}

// TestLegacyRateLimit: legacy answers carry the rate limit headers, and a
// spent budget is status 200 with msg (a JSONP caller still runs its
// callback).
func TestLegacyRateLimit(t *testing.T) {
	limit := 2
	s := apptest.New(t, app.Config{RateLimit: &limit})
	key := s.Signup(t, "alice")
	var last *http.Response
	var body string
	for range 3 {
		last, body = legacyCall(t, s, "GET", "/api?key="+key+"&url=https://example.com&callback=cb", nil, "")
		if last.Header.Get("X-RateLimit-Limit") != "2" || last.Header.Get("X-RateLimit-Remaining") == "" {
			t.Errorf("headers %v", last.Header)
		}
	}
	if last.StatusCode != 200 || !strings.HasPrefix(body, `cb({"error":1,`) {
		t.Errorf("over the limit: %d %q", last.StatusCode, body)
	}
}

func TestGenerationCWrongMethod(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		for _, p := range []string{"/api/url/get", "/api/url/stats", "/api/user/create", "/api/user/get"} {
			wantMsg(t, legacyJSON(t, s, m, p, token(key), ""), "Wrong endpoint or invalid API request.")
		}
	}
}

// Generation B answered message 000 for any other sub-path it was sent
// with its query key (/api/edit?key=K); today's routes are unchanged.
func TestGenerationBOtherPathIsWrongEndpoint(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	for _, p := range []string{"/api/edit?key=" + key, "/api/url/1?api=" + key, "/api/nosuch?key=" + key} {
		resp, body := legacyCall(t, s, "GET", p, nil, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Wrong endpoint or invalid API request.") {
			t.Errorf("%s: %d %s, want 200 with message 000", p, resp.StatusCode, body)
		}
	}
	// A bad query key is the generation's key error, still 200.
	resp, body := legacyCall(t, s, "GET", "/api/edit?key=sk_nope", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"error":1`) {
		t.Errorf("bad key: %d %s", resp.StatusCode, body)
	}
	// Today's routes with the Authorization header are untouched.
	if resp, _ := s.Do(t, "GET", "/api/urls?key=ignored", key, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("today's /api/urls with Bearer and a stray key parameter: %d", resp.StatusCode)
	}
}
