package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"shortener/internal/analytics"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

func TestErrorStatuses(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com","custom":"taken"}`, 200)
	api(t, s, key, "POST", "/api/channel/add", `{"name":"c"}`, 200)
	email := str(t, api(t, s, key, "GET", "/api/account", nil, 200), "data.email")

	cases := []struct {
		name, method, path, body string
		key                      string
		want                     int
	}{
		{"no API key", "GET", "/api/account", "", "-", 401},
		{"unknown API key", "GET", "/api/urls", "", "sk_nope", 401},
		{"unknown route", "GET", "/api/nothing", "", key, 404},
		{"wrong method on a list", "PUT", "/api/urls", "", key, 405},
		{"wrong method on account", "DELETE", "/api/account", "", key, 405},
		{"wrong method on add", "DELETE", "/api/url/add", "", key, 405},
		{"empty body", "POST", "/api/url/add", "", key, 400},
		{"malformed JSON", "POST", "/api/url/add", `{"url":`, key, 400},
		{"trailing garbage", "POST", "/api/url/add", `{"url":"https://example.com"} x`, key, 400},
		{"an array body", "POST", "/api/url/add", `[{"url":"https://example.com"}]`, key, 400},
		{"a string body", "POST", "/api/channel/add", `"name"`, key, 400},
		{"url of the wrong type", "POST", "/api/url/add", `{"url": 5}`, key, 400},
		{"pixels not a list", "POST", "/api/url/add", `{"url":"https://example.com","pixels":"1"}`, key, 400},
		{"a pixel id that is not a number", "POST", "/api/url/add", `{"url":"https://example.com","pixels":["x"]}`, key, 400},
		{"channel a boolean", "POST", "/api/url/add", `{"url":"https://example.com","channel":true}`, key, 400},
		{"starred not a boolean", "POST", "/api/channel/add", `{"name":"c","starred":"maybe"}`, key, 400},
		{"geotarget an object", "POST", "/api/url/add", `{"url":"https://example.com","geotarget":{"location":"x"}}`, key, 400},
		{"a javascript URL", "POST", "/api/url/add", `{"url":"javascript:alert(1)"}`, key, 422},
		{"no url", "POST", "/api/url/add", `{"custom":"x"}`, key, 422},
		{"an alias taken", "POST", "/api/url/add", `{"url":"https://example.com","custom":"taken"}`, key, 422},
		{"a reserved alias", "POST", "/api/url/add", `{"url":"https://example.com","custom":"api"}`, key, 422},
		{"an unknown status", "POST", "/api/url/add", `{"url":"https://example.com","status":"secret"}`, key, 422},
		{"an unreadable expiry", "POST", "/api/url/add", `{"url":"https://example.com","expiry":"tomorrow"}`, key, 422},
		{"an unknown type", "POST", "/api/url/add", `{"url":"https://example.com","type":"teleport"}`, key, 422},
		{"a missing splash page", "POST", "/api/url/add", `{"url":"https://example.com","type":"42"}`, key, 422},
		{"a missing pixel", "POST", "/api/url/add", `{"url":"https://example.com","pixels":[9]}`, key, 422},
		{"pixel id zero", "POST", "/api/url/add", `{"url":"https://example.com","pixels":[0]}`, key, 422},
		{"a domain not registered", "POST", "/api/url/add", `{"url":"https://example.com","domain":"https://nope.example"}`, key, 422},
		{"a geo target without a link", "POST", "/api/url/add", `{"url":"https://example.com","geotarget":[{"location":"Canada"}]}`, key, 422},
		{"an unknown pixel type", "POST", "/api/pixel/add", `{"type":"myspace","name":"p","tag":"1"}`, key, 422},
		{"a pixel without tag", "POST", "/api/pixel/add", `{"type":"gtmpixel","name":"p"}`, key, 422},
		{"an unknown QR type", "POST", "/api/qr/add", `{"type":"hologram","data":"x"}`, key, 422},
		{"a QR without data", "POST", "/api/qr/add", `{"type":"text"}`, key, 422},
		{"a link QR with a bad URL", "POST", "/api/qr/add", `{"type":"link","data":"ftp://x"}`, key, 422},
		{"a channel without name", "POST", "/api/channel/add", `{"color":"#000000"}`, key, 422},
		{"a channel colour that is not hex", "POST", "/api/channel/add", `{"name":"c","color":"red"}`, key, 422},
		{"a campaign slug with spaces", "POST", "/api/campaign/add", `{"name":"c","slug":"a b"}`, key, 422},
		{"a domain that is not http", "POST", "/api/domain/add", `{"domain":"ftp://files.example"}`, key, 422},
		{"an email that is not one", "PUT", "/api/account/update", `{"email":"nope"}`, key, 422},
		{"a short password", "PUT", "/api/account/update", `{"password":"x"}`, key, 422},
		{"a channel item type that is not one", "POST", "/api/channel/1/assign/files/1", "", key, 400},
	}
	// What some messages must say: legacy field names, not GraphQL ones.
	msgs := map[string]string{
		"a missing splash page": "type refers",
		"a missing pixel":       "pixels refers",
		"url of the wrong type": "url must not be a JSON number",
		"an alias taken":        "already taken",
		"malformed JSON":        "malformed JSON",
		"an unreadable expiry":  "expiry must be",
		"no API key":            "API key",
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := c.key
			if k == "-" {
				k = ""
			}
			var body any
			if c.body != "" {
				body = c.body
			}
			got := api(t, s, k, c.method, c.path, body, c.want)
			if m, _ := got["message"].(string); !strings.Contains(m, msgs[c.name]) {
				t.Errorf("message %q does not say %q", m, msgs[c.name])
			}
		})
	}
	// Nothing was stored by the refused requests.
	for _, l := range []struct {
		path string
		want int
	}{
		{"/api/urls", 1}, {"/api/channels", 1}, {"/api/pixels", 0}, {"/api/qr", 0}, {"/api/campaigns", 0}, {"/api/domains", 0},
	} {
		if n := num(t, api(t, s, key, "GET", l.path, nil, 200), "data.result"); n != l.want {
			t.Errorf("%s holds %d items after refused requests, want %d", l.path, n, l.want)
		}
	}
	if got := str(t, api(t, s, key, "GET", "/api/account", nil, 200), "data.email"); got != email {
		t.Errorf("the refused account update changed the email from %s to %s", email, got)
	}
}

func TestBodyPastOneMiBIs413(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	big := `{"url":"https://example.com","description":"` + strings.Repeat("a", 1<<20) + `"}`
	api(t, s, key, "POST", "/api/url/add", big, http.StatusRequestEntityTooLarge)
	api(t, s, key, "PUT", "/api/account/update", big, http.StatusRequestEntityTooLarge)
	if n := num(t, api(t, s, key, "GET", "/api/urls", nil, 200), "data.result"); n != 0 {
		t.Errorf("a link was stored from a refused body: %d", n)
	}
}

func TestLenientInput(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	ch := num(t, api(t, s, key, "POST", "/api/channel/add", `{"name":"c","starred":"true","extra":{"nested":[1,2]}}`, 200), "id")
	// Unknown fields are ignored; ids may come as numeric strings.
	add := api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com","channel":"%d","whatever":true,
		"parameters":[{"name":"a","value":3},{}],"type":"direct","status":"PUBLIC","expiry":"2031-01-02T03:04:05Z"}`, ch), 200)
	id := num(t, add, "id")
	got := api(t, s, key, "GET", fmt.Sprintf("/api/url/%d/", id), nil, 200) // a trailing slash is ignored
	if str(t, got, "details.expiry") != "2031-01-02 03:04:05" {
		t.Errorf("expiry = %v", at(got, "details.expiry"))
	}
	if n := num(t, api(t, s, key, "GET", fmt.Sprintf("/api/channel/%d", ch), nil, 200), "data.result"); n != 1 {
		t.Errorf("channel given as a string: %d items", n)
	}
	// Update: empty expiry and password clear them; the alias can change.
	upd := api(t, s, key, "PUT", fmt.Sprintf("/api/url/%d/update", id), `{"expiry":"","password":"","custom":"renamed"}`, 200)
	if !strings.HasSuffix(str(t, upd, "short"), "/renamed") {
		t.Errorf("update answer %v", upd)
	}
	if at(api(t, s, key, "GET", fmt.Sprintf("/api/url/%d", id), nil, 200), "details.expiry") != nil {
		t.Error("an empty expiry did not clear it")
	}
}

// TestNoServerErrorForOddInput sends odd bodies to every write route: each
// answer is a client error or a success, never a 5xx.
func TestNoServerErrorForOddInput(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com"}`, 200)
	api(t, s, key, "POST", "/api/qr/add", `{"type":"text","data":"x"}`, 200)
	bodies := []string{
		`null`, `{}`, `0`, `true`, `{"url":null,"data":null}`, `{"data":{"a":[1,{"b":null}]},"type":"vcard"}`,
		`{"type":123}`, `{"pixels":[1e30]}`, `{"pixels":[-1]}`, `{"channel":-4}`, `{"campaign":99999999999}`,
		`{"expiry":"9999-99-99 99:99:99"}`, `{"geotarget":[{"location":"","link":""}]}`, `{"parameters":[{}]}`,
		`{"deeplink":{"auto":"maybe"}}`, `{"deeplink":{"apple":"javascript:x"}}`, `{"domain":"://"}`, `{"domain":"%%%"}`,
		`{"url":"https://example.com","custom":"` + strings.Repeat("x", 5000) + `"}`, `{"name":"` + strings.Repeat("n", 5000) + `"}`,
		`{"starred":null,"public":null}`, `{"data":["a","b"],"type":"link"}`, `{"type":"wifi","data":{"ssid":1}}`,
		"{\"name\":\"\x00\"}", `{"email":123}`, `{"slug":"` + strings.Repeat("s", 500) + `"}`,
		`{"redirectroot":"javascript:alert(1)"}`, `{"tag":""}`, `{"background":"rgb(999,0,0)"}`,
	}
	routes := []string{
		"POST /api/url/add", "PUT /api/url/1/update", "POST /api/qr/add", "PUT /api/qr/1/update",
		"POST /api/domain/add", "PUT /api/domain/1/update", "POST /api/channel/add", "PUT /api/channel/1/update",
		"POST /api/campaign/add", "PUT /api/campaign/1/update", "POST /api/pixel/add", "PUT /api/pixel/1/update",
		"PUT /api/account/update", "POST /api/account",
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		for _, b := range bodies {
			resp, raw := s.Do(t, method, path, key, b)
			if resp.StatusCode >= 500 {
				t.Errorf("%s with %.60s: %d %s", rt, b, resp.StatusCode, raw)
			}
		}
	}
}

func TestRateLimitAnswersEnvelope429(t *testing.T) {
	limit := 2
	s := apptest.New(t, app.Config{RateLimit: &limit})
	key := s.Signup(t, "alice")
	for range limit {
		resp, _ := s.Do(t, "GET", "/api/account", key, nil)
		if resp.Header.Get("X-RateLimit-Limit") != "2" {
			t.Errorf("X-RateLimit-Limit = %q", resp.Header.Get("X-RateLimit-Limit"))
		}
	}
	api(t, s, key, "GET", "/api/account", nil, http.StatusTooManyRequests)
}

func TestStatisticsInLegacyShape(t *testing.T) {
	s := apptest.New(t, app.Config{CountryHeader: "CF-IPCountry"})
	key := s.Signup(t, "alice")
	id := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com","custom":"shape"}`, 200), "id")
	idle := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/idle"}`, 200), "id")
	qr := num(t, api(t, s, key, "POST", "/api/qr/add", `{"type":"text","data":"x"}`, 200), "id")
	const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
	// Two visitors (all from 127.0.0.1: a visitor is IP + user agent).
	for _, h := range []map[string]string{
		{"User-Agent": chrome, "CF-IPCountry": "CA", "Referer": "https://www.facebook.com/post"},
		{"User-Agent": chrome, "CF-IPCountry": "CA", "Referer": "https://m.facebook.com/"},
		{"User-Agent": chrome, "CF-IPCountry": "CA", "Referer": "https://www.reddit.com/r/x"},
		{"User-Agent": firefox},
		{"User-Agent": firefox},
	} {
		req, _ := http.NewRequest("GET", s.URL+"/shape", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := apptest.NoRedirectClient().Do(req)
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("visit: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.App.Writer.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	got := api(t, s, key, "GET", fmt.Sprintf("/api/url/%d", id), nil, 200)
	if num(t, got, "data.clicks") != 5 || num(t, got, "data.uniqueClicks") != 2 {
		t.Errorf("totals: %v", got["data"])
	}
	if at(got, "data.topCountries.Canada") != "3" || at(got, "data.topCountries.Unknown") != "2" {
		t.Errorf("topCountries = %v, want counts as strings", at(got, "data.topCountries"))
	}
	if at(got, "data.topReferrers."+analytics.DirectReferrer) != "2" || at(got, "data.topBrowsers.Chrome") != "3" ||
		at(got, "data.topBrowsers.Firefox") != "2" {
		t.Errorf("breakdowns: %v", got["data"])
	}
	social := at(got, "data.socialCount").(map[string]any)
	if social["facebook"] != float64(2) || social["reddit"] != float64(1) || social["twitter"] != float64(0) || social["linkedin"] != float64(0) {
		t.Errorf("socialCount = %v", social)
	}
	// Without clicks, each breakdown is the number 0 and every network 0.
	for _, p := range []string{fmt.Sprintf("/api/url/%d", idle), fmt.Sprintf("/api/qr/%d", qr)} {
		got := api(t, s, key, "GET", p, nil, 200)
		if num(t, got, "data.clicks") != 0 {
			t.Errorf("%s clicks: %v", p, got["data"])
		}
		for _, k := range []string{"topCountries", "topReferrers", "topBrowsers", "topOs"} {
			if at(got, "data."+k) != float64(0) {
				t.Errorf("%s %s without data = %#v, want the number 0", p, k, at(got, "data."+k))
			}
		}
		social := at(got, "data.socialCount").(map[string]any)
		for _, n := range []string{"facebook", "twitter", "linkedin"} {
			if social[n] != float64(0) {
				t.Errorf("%s socialCount = %v, want %s 0", p, social, n)
			}
		}
	}
}

// The vendor's own clients send "Authorization: Token KEY"; a header of
// another scheme is not called an invalid key, and a missing one says so.
func TestAuthorizationSchemes(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "schemes")
	for _, tc := range []struct{ header, want string }{
		{"Token " + key, `"error":0`},
		{"token " + key, `"error":0`},
		{"Bearer " + key, `"error":0`},
		{"Basic " + key, "unsupported Authorization scheme"},
		{"Token", "unsupported Authorization scheme"},
		{"Token sk_nope", "invalid, revoked or expired API key"},
		{"", "missing API key"},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/account", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantStatus := http.StatusOK
		if tc.want != `"error":0` {
			wantStatus = http.StatusUnauthorized
		}
		if resp.StatusCode != wantStatus || !strings.Contains(string(b), tc.want) {
			t.Errorf("%q: %d %s, want %d with %q", tc.header, resp.StatusCode, b, wantStatus, tc.want)
		}
	}
}
