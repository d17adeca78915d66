package app_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shortener/app"
	"shortener/app/apptest"
)

func do(t *testing.T, method, url, key string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(`{"query":"{__typename}"}`))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Issue 11 row 12: nosniff everywhere, a CSP and no framing on the
// playground, no-store on private API answers, HSTS on request.
func TestSecurityHeaders(t *testing.T) {
	s := apptest.New(t, app.Config{HSTS: true})
	key := s.Signup(t, "owner")
	for _, c := range []struct{ method, path, key string }{
		{"GET", "/playground", ""}, {"GET", "/healthz", ""}, {"GET", "/nope", ""},
		{"GET", "/api/account", key}, {"POST", "/graphql", key}, {"GET", "/qr/x", ""},
	} {
		resp, _ := do(t, c.method, s.URL+c.path, c.key)
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q", c.method, c.path, got)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s %s: Strict-Transport-Security %q", c.method, c.path, got)
		}
		if c.key != "" && resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s with a key: Cache-Control %q", c.method, c.path, resp.Header.Get("Cache-Control"))
		}
	}
	resp, body := do(t, "GET", s.URL+"/playground", "")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "https://cdn.jsdelivr.net") ||
		strings.Contains(strings.Split(csp, "; style-src")[0], "unsafe-inline") ||
		resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("playground CSP %q, X-Frame-Options %q", csp, resp.Header.Get("X-Frame-Options"))
	}
	if n := len(regexp.MustCompile(`<script>`).FindAllString(body, -1)); n == 0 || strings.Count(csp, "'sha256-") != n {
		t.Fatalf("playground: %d inline scripts, CSP %q", n, csp)
	}

	plain := apptest.New(t, app.Config{})
	if resp, _ := do(t, "GET", plain.URL+"/healthz", ""); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS without --hsts")
	}
}
