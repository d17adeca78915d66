package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CORS on the APIs (/graphql and /api/...), for browser frontends on
// another origin. The public routes (aliases, /r, /u, /qr, pages) and the
// playground carry no CORS headers.
//
// Keys travel in the Authorization header, never in cookies, so answers
// never say Access-Control-Allow-Credentials: a page on another origin gets
// only what the key it sends can read.

// corsAllowHeaders are the request headers a cross-origin page may send,
// beyond the CORS-safelisted ones. Each is one a client of these APIs sends:
//   - Authorization: the API key (Bearer or Token).
//   - Content-Type: application/json (and multipart for uploads) is not a
//     safelisted content type.
//   - Accept: GraphQL-over-HTTP clients send
//     "application/graphql-response+json, application/json"; safelisted
//     only while short, so listed.
//   - Apollo-Require-Preflight, X-Apollo-Operation-Name: Apollo's CSRF
//     prevention headers (Apollo Client and apollo-upload-client send them).
//   - Apollographql-Client-Name, Apollographql-Client-Version: Apollo
//     Client's client-awareness headers (sent when name/version are set).
//   - X-Requested-With: jQuery-era and axios-based wrappers of the REST API.
//   - Traceparent, Tracestate: W3C trace context, which browser tracing
//     (OpenTelemetry web) adds to every fetch it instruments.
var corsAllowHeaders = "Authorization, Content-Type, Accept, Apollo-Require-Preflight, X-Apollo-Operation-Name, " +
	"Apollographql-Client-Name, Apollographql-Client-Version, X-Requested-With, Traceparent, Tracestate"

// corsAllowMethods are the methods of the API routes; GET, HEAD and POST
// need no preflight but are listed for clarity.
const corsAllowMethods = "GET, HEAD, POST, PUT, DELETE"

// corsExposeHeaders are the response headers a cross-origin script may
// read besides the safelisted ones: the rate limit's state.
const corsExposeHeaders = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"

// corsMaxAge is how long a browser may reuse a preflight answer, in
// seconds (Chromium caps it at 7200).
const corsMaxAge = "7200"

var (
	corsAny          = []string{"*"}
	corsVaryOrigin   = []string{"Origin"}
	corsVaryPreflt   = []string{"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}
	corsExposeValue  = []string{corsExposeHeaders}
	corsMethodsValue = []string{corsAllowMethods}
	corsHeadersValue = []string{corsAllowHeaders}
	corsMaxAgeValue  = []string{corsMaxAge}
)

// corsPolicy is which origins may call the APIs: any (the default), or a
// set of exact origins (scheme://host[:port], lower case).
type corsPolicy struct {
	any     bool
	origins map[string]bool
}

// newCORSPolicy reads Config.CORSOrigins: nil is any origin, "*" among
// them is any origin, an empty non-nil list is none (CORS off).
func newCORSPolicy(origins []string) (corsPolicy, error) {
	if origins == nil {
		return corsPolicy{any: true}, nil
	}
	p := corsPolicy{origins: map[string]bool{}}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			continue
		case o == "*":
			p.any = true
			continue
		}
		norm, err := normalizeOrigin(o)
		if err != nil {
			return corsPolicy{}, fmt.Errorf("CORS origin %q: %w", o, err)
		}
		p.origins[norm] = true
	}
	return p, nil
}

// normalizeOrigin checks that o is an origin as browsers send it
// (scheme://host[:port], no path, query or user) and lowers its case; a
// trailing slash is forgiven.
func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(o, "/"))
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("want scheme://host[:port] with http or https, e.g. https://app.example.com")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// allows reports whether a request from origin may read the answer.
func (p corsPolicy) allows(origin string) bool {
	return p.any || p.origins[strings.ToLower(origin)]
}

// middleware answers preflights (OPTIONS with Origin and
// Access-Control-Request-Method) with 204 itself, before authentication
// and the rate limit: they carry no key and cost no budget. Every other
// request goes on with the CORS headers already set, so errors (401, 429
// with Retry-After) are readable by the page too.
//
// With any origin allowed the answer is the same for every origin
// (Access-Control-Allow-Origin: *, on every answer), so no Vary; with a
// list it names the request's origin and varies on Origin.
func (p corsPolicy) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		preflight := r.Method == http.MethodOptions && origin != "" &&
			r.Header.Get("Access-Control-Request-Method") != ""
		if !p.any {
			if preflight {
				h["Vary"] = corsVaryPreflt
			} else {
				h["Vary"] = corsVaryOrigin
			}
		}
		allowed := origin != "" && p.allows(origin)
		switch {
		case p.any:
			h["Access-Control-Allow-Origin"] = corsAny
		case allowed:
			h["Access-Control-Allow-Origin"] = []string{origin}
		}
		if preflight {
			if allowed {
				h["Access-Control-Allow-Methods"] = corsMethodsValue
				h["Access-Control-Allow-Headers"] = corsHeadersValue
				h["Access-Control-Max-Age"] = corsMaxAgeValue
			}
			// A refused origin gets the same 204 without the allow
			// headers: the browser then blocks the request.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if p.any || allowed {
			h["Access-Control-Expose-Headers"] = corsExposeValue
		}
		next.ServeHTTP(w, r)
	})
}
