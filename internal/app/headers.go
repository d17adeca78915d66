package app

import "net/http"

var (
	nosniff = []string{"nosniff"}
	hsts    = []string{"max-age=31536000; includeSubDomains"}
	noCache = []string{"no-store"}
)

// securityHeaders sets what every response carries: nosniff, and with
// --hsts Strict-Transport-Security. Pages set their own CSP (redirect
// renders each with a nonce; the playground's is playground.CSP).
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
