package app

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
)

var (
	nosniff = []string{"nosniff"}
	hsts    = []string{"max-age=31536000; includeSubDomains"}
	noCache = []string{"no-store"}
)

// securityHeaders sets what every response carries: nosniff, and with
// --hsts Strict-Transport-Security. Pages set their own CSP (redirect
// renders each with a nonce; the playground's is playgroundCSP).
func securityHeaders(next http.Handler, withHSTS bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		if withHSTS {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// noStore marks private API answers Cache-Control: no-store: every answer
// (always), or those of requests that send a key.
func noStore(always bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if always || r.Header.Get("Authorization") != "" {
				w.Header()["Cache-Control"] = noCache
			}
			next.ServeHTTP(w, r)
		})
	}
}

var (
	inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	cdnURL       = regexp.MustCompile(`https://[a-z0-9.-]+/`)
)

// playgroundCSP is the Content-Security-Policy of the GraphiQL page: its
// scripts and styles from the CDN origins it names (with subresource
// integrity), its inline script by hash, its requests to this server.
func playgroundCSP(pg http.Handler) string {
	rec := httptest.NewRecorder()
	pg.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/playground", nil))
	body := rec.Body.String()
	var hashes []string
	for _, m := range inlineScript.FindAllStringSubmatch(body, -1) {
		sum := sha256.Sum256([]byte(m[1]))
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	origins := map[string]bool{}
	var cdn []string
	for _, u := range cdnURL.FindAllString(body, -1) {
		o := strings.TrimSuffix(u, "/")
		if !origins[o] {
			origins[o] = true
			cdn = append(cdn, o)
		}
	}
	src := strings.Join(cdn, " ")
	return "default-src 'none'; script-src " + src + " " + strings.Join(hashes, " ") +
		"; style-src " + src + " 'unsafe-inline'; font-src " + src + " data:; img-src " + src + " data:" +
		"; connect-src 'self'; worker-src blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}
