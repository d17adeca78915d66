package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/store/storetest"
)

// corsDo sends method path with an Origin header (none when origin is "")
// and the extra headers given as name, value pairs.
func corsDo(t *testing.T, s *apptest.Server, method, path, origin, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := apptest.NoRedirectClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func preflight(t *testing.T, s *apptest.Server, path, origin, method string) *http.Response {
	t.Helper()
	resp, _ := corsDo(t, s, http.MethodOptions, path, origin, "",
		"Access-Control-Request-Method", method,
		"Access-Control-Request-Headers", "authorization,content-type")
	return resp
}

// listHas reports whether the comma-separated header value lists want
// (case-insensitively).
func listHas(value, want string) bool {
	for _, v := range strings.Split(value, ",") {
		if strings.EqualFold(strings.TrimSpace(v), want) {
			return true
		}
	}
	return false
}

var corsAPIPaths = []struct{ path, method string }{
	{"/graphql", "POST"}, {"/api/url/add", "POST"}, {"/api/urls", "GET"}, {"/api/url/1/update", "PUT"},
	{"/api/url/1/delete", "DELETE"}, {"/api/account", "GET"},
}

// Issue 14: preflights on /graphql and /api are answered 204 without a key
// and before the rate limit, allowing Authorization and Content-Type, by
// default for any origin and never with credentials.
func TestCORSPreflightAnyOrigin(t *testing.T) {
	one := 1
	s := apptest.New(t, app.Config{RateLimit: &one})
	for _, p := range corsAPIPaths {
		for range 3 { // more preflights than the budget of 1
			resp := preflight(t, s, p.path, "https://app.example.com", p.method)
			h := resp.Header
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("preflight %s: %d", p.path, resp.StatusCode)
			}
			if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("preflight %s: Allow-Origin %q, Allow-Credentials %q", p.path,
					h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"))
			}
			for _, want := range []string{"Authorization", "Content-Type", "Accept", "Apollo-Require-Preflight", "X-Apollo-Operation-Name"} {
				if !listHas(h.Get("Access-Control-Allow-Headers"), want) {
					t.Errorf("preflight %s: Allow-Headers %q lacks %s", p.path, h.Get("Access-Control-Allow-Headers"), want)
				}
			}
			if !listHas(h.Get("Access-Control-Allow-Methods"), p.method) || h.Get("Access-Control-Max-Age") == "" {
				t.Errorf("preflight %s: Allow-Methods %q, Max-Age %q", p.path, h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Max-Age"))
			}
			if h.Get("Vary") != "" {
				t.Errorf("preflight %s: Vary %q, though the answer is the same for every origin", p.path, h.Get("Vary"))
			}
			if h.Get("X-RateLimit-Remaining") != "" {
				t.Errorf("preflight %s counted against the rate limit: %q", p.path, h.Get("X-RateLimit-Remaining"))
			}
		}
	}
	// The budget of 1 is untouched by the 18 preflights.
	resp, body := corsDo(t, s, "POST", "/graphql", "https://app.example.com", gqlBody, "Content-Type", "application/json")
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("first request after the preflights: %d, remaining %q: %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"), body)
	}
}

// Actual cross-origin requests read their answers, errors included, and
// the rate limit's headers.
func TestCORSActualRequests(t *testing.T) {
	two := 2
	s := apptest.New(t, app.Config{RateLimit: &two})
	key := s.Signup(t, "cors")
	const origin = "http://localhost:3000"
	check := func(name string, resp *http.Response) {
		t.Helper()
		h := resp.Header
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: Allow-Origin %q, Allow-Credentials %q", name, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"))
		}
		for _, want := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"} {
			if !listHas(h.Get("Access-Control-Expose-Headers"), want) {
				t.Errorf("%s: Expose-Headers %q lacks %s", name, h.Get("Access-Control-Expose-Headers"), want)
			}
		}
	}
	resp, body := corsDo(t, s, "POST", "/graphql", origin, `{"query":"{ me { username } }"}`,
		"Content-Type", "application/json", "Authorization", "Bearer "+key)
	if resp.StatusCode != 200 || !strings.Contains(body, `"username"`) {
		t.Fatalf("graphql: %d %s", resp.StatusCode, body)
	}
	check("POST /graphql", resp)
	resp, body = corsDo(t, s, "GET", "/api/account", origin, "", "Authorization", "Bearer "+key)
	if resp.StatusCode != 200 {
		t.Fatalf("api: %d %s", resp.StatusCode, body)
	}
	check("GET /api/account", resp)
	resp, _ = corsDo(t, s, "GET", "/api/account", origin, "", "Authorization", "Bearer "+key)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third request at a limit of 2: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	check("429", resp)
	resp, _ = corsDo(t, s, "GET", "/api/account", origin, "")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no key: %d", resp.StatusCode)
	}
	check("401", resp)
	// An OPTIONS that is no preflight (no Access-Control-Request-Method)
	// goes on to the handler as before.
	resp, _ = corsDo(t, s, "OPTIONS", "/graphql", origin, "")
	if resp.StatusCode == http.StatusNoContent && resp.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("plain OPTIONS answered as a preflight")
	}
}

// With --cors-origins listing origins, only those are answered, by name,
// with Vary: Origin; others get no Access-Control-Allow-Origin.
func TestCORSOriginList(t *testing.T) {
	s := apptest.New(t, app.Config{CORSOrigins: []string{"https://app.example.com", " http://localhost:3000/ "}})
	key := s.Signup(t, "corslist")
	for _, origin := range []string{"https://app.example.com", "http://localhost:3000"} {
		resp := preflight(t, s, "/api/url/add", origin, "POST")
		h := resp.Header
		if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != origin ||
			!listHas(h.Get("Vary"), "Origin") || !listHas(h.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight from %s: %d, Allow-Origin %q, Vary %q, Allow-Headers %q", origin, resp.StatusCode,
				h.Get("Access-Control-Allow-Origin"), h.Get("Vary"), h.Get("Access-Control-Allow-Headers"))
		}
		resp, _ = corsDo(t, s, "GET", "/api/urls", origin, "", "Authorization", "Bearer "+key)
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != origin || !listHas(resp.Header.Get("Vary"), "Origin") {
			t.Errorf("GET from %s: %d, Allow-Origin %q, Vary %q", origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Vary"))
		}
	}
	for _, origin := range []string{"https://evil.example", "https://app.example.com.evil.example", "http://app.example.com", "null"} {
		resp := preflight(t, s, "/graphql", origin, "POST")
		h := resp.Header
		if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Headers") != "" ||
			!listHas(h.Get("Vary"), "Origin") {
			t.Errorf("preflight from refused %s: %d, Allow-Origin %q, Allow-Headers %q, Vary %q", origin, resp.StatusCode,
				h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Headers"), h.Get("Vary"))
		}
		resp, _ = corsDo(t, s, "POST", "/graphql", origin, gqlBody, "Content-Type", "application/json")
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Expose-Headers") != "" {
			t.Errorf("POST from refused %s: %d, Allow-Origin %q", origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// Same-origin and non-browser requests (no Origin) are unchanged, but
	// the answer still varies on Origin.
	resp, _ := corsDo(t, s, "GET", "/api/urls", "", "", "Authorization", "Bearer "+key)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" || !listHas(resp.Header.Get("Vary"), "Origin") {
		t.Errorf("no Origin: %d, Allow-Origin %q, Vary %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Vary"))
	}

	// An empty list is CORS off.
	off := apptest.New(t, app.Config{CORSOrigins: []string{}})
	if resp := preflight(t, off, "/graphql", "https://app.example.com", "POST"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestCORSBadOrigins(t *testing.T) {
	for _, o := range []string{"app.example.com", "https://app.example.com/path", "ftp://x", "https://", "https://u@x.example"} {
		a, err := app.New(context.Background(), app.Config{DB: storetest.DSN(t), CORSOrigins: []string{o}})
		if err == nil {
			a.Close()
			t.Errorf("origin %q accepted", o)
		} else if !strings.Contains(err.Error(), "CORS origin") {
			t.Errorf("origin %q: %v", o, err)
		}
	}
}

// The public routes and the playground carry no CORS headers, preflight
// or not.
func TestCORSPublicRoutesUnchanged(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "corspub")
	s.MustGraphQL(t, key, `mutation { createLink(input:{url:"https://example.com/x", custom:"corsalias"}) { alias } }`, nil, nil)
	for _, path := range []string{"/corsalias", "/nope", "/r/x", "/u/x/y-1", "/qr/corsalias", "/playground", "/healthz", "/"} {
		for _, method := range []string{"GET", "OPTIONS"} {
			hdr := []string{}
			if method == "OPTIONS" {
				hdr = []string{"Access-Control-Request-Method", "GET"}
			}
			resp, _ := corsDo(t, s, method, path, "https://app.example.com", "", hdr...)
			for name := range resp.Header {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("%s %s: %s: %q", method, path, name, resp.Header.Get(name))
				}
			}
			if method == "OPTIONS" && resp.StatusCode == http.StatusNoContent {
				t.Errorf("OPTIONS %s answered 204 like a preflight", path)
			}
		}
	}
}
