package app_test

import (
	"regexp"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

const gqlBody = `{"query":"{__typename}"}`

// Issue 11 row 12: nosniff everywhere, a CSP and no framing on the
// playground, no-store on private API answers, HSTS on request.
func TestSecurityHeaders(t *testing.T) {
	s := apptest.New(t, app.Config{HSTS: true})
	key := s.Signup(t, "owner")
	for _, c := range []struct{ method, path, key string }{
		{"GET", "/playground", ""}, {"GET", "/healthz", ""}, {"GET", "/nope", ""},
		{"GET", "/api/account", key}, {"POST", "/graphql", key}, {"GET", "/qr/x", ""},
	} {
		resp, _ := s.Do(t, c.method, c.path, c.key, gqlBody)
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
	// Issue 14: the explorer is served from the binary: scripts from this
	// server only, none inline, no CDN.
	resp, body := s.Do(t, "GET", "/playground", "", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	scriptSrc, _, _ := strings.Cut(strings.SplitN(csp, "script-src ", 2)[1], ";")
	if !strings.Contains(csp, "frame-ancestors 'none'") || scriptSrc != "'self'" || strings.Contains(csp, "https:") ||
		!strings.Contains(csp, "connect-src 'self'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("playground CSP %q, X-Frame-Options %q", csp, resp.Header.Get("X-Frame-Options"))
	}
	if n := len(regexp.MustCompile(`<script>`).FindAllString(string(body), -1)); n != 0 || strings.Contains(string(body), "https://") {
		t.Fatalf("playground: %d inline scripts, or a URL elsewhere: %s", n, body)
	}
	plain := apptest.New(t, app.Config{})
	if resp, _ := plain.Do(t, "GET", "/healthz", "", nil); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS without --hsts")
	}
}
