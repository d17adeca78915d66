package rest

// The older generations of the vendor's API (legacy-generations.md): A and B
// send the key in the query string (?key= or ?api=) to GET /api,
// /api/details and /api/urls; C posts JSON with "Authorization: Token KEY"
// to url/get, url/stats, user/create and user/get. Their answers differ
// from today's routes in every generation the same way: status 200 even for
// errors, {"error":1,"msg":...}, Content-Type application/javascript, JSONP
// with ?callback=, and ?format=text for the bare short URL.
//
// LegacyKey (before authentication) recognises these requests, marks them
// in the context and puts their key where the normal key check reads it;
// legacyRoutes (in the /api router, after authentication and the rate
// limit) answers them from the same resolvers the current routes call.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5/middleware"

	"shortener/internal/apperr"
)

// legacyKind names a route of the older generations.
type legacyKind int

const (
	legacyShorten     legacyKind = iota + 1 // GET /api: shorten (A, B, C) or, with short=, look up (A)
	legacyDetails                           // GET /api/details?alias= (B)
	legacyURLs                              // GET /api/urls with a query-string key and no Authorization (B)
	legacyURLGet                            // POST /api/url/get (C)
	legacyURLStats                          // POST /api/url/stats (C)
	legacyUserCreate                        // POST /api/user/create (C, admin)
	legacyUserGet                           // POST /api/user/get (C, admin)
	legacyWrongMethod                       // C's routes with another method than POST: message 000
	legacyOtherPath                         // B: another GET /api/... with ?key= and no Authorization header: message 000
)

// legacyRequest is what LegacyKey read from a request of an older
// generation: its route and how to answer.
type legacyRequest struct {
	kind legacyKind
	// text: format=text, a bare short (or long) URL; only the shorten and
	// lookup route has one.
	text bool
	// callback is the JSONP function name; badCallback a name that failed
	// callbackRE (answered with an error, never echoed).
	callback    string
	badCallback bool
}

type legacyKey struct{}

// legacyOf returns the legacy request marked by LegacyKey, or nil.
func legacyOf(r *http.Request) *legacyRequest {
	if r == nil {
		return nil
	}
	lr, _ := r.Context().Value(legacyKey{}).(*legacyRequest)
	return lr
}

// callbackRE is what a JSONP callback name may be: a JavaScript identifier
// path such as GemPixel_123 or jQuery.cb, at most 64 characters.
var callbackRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$`)

// LegacyKey recognises the requests of the older API generations (mounted
// at /api, before the key check) and, for those only, takes the key from
// where that generation sends it and hands it to the normal key check as
// "Authorization: Bearer KEY":
//
//	GET /api, /api/details                   ?key= or ?api= (A, B), unless an Authorization header is sent
//	GET /api/urls                            ?key= or ?api= with no Authorization header (B; today's route otherwise)
//	GET /api/... (any other)                 ?key= or ?api= with no Authorization header (B: message 000)
//	POST /api/url/get, url/stats,            Authorization: Token KEY, or the bare key (C;
//	     /api/user/create, user/get           another method answers message 000)
//
// Every other request passes unchanged, so today's routes authenticate
// exactly as before.
func LegacyKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := classify(r)
		if kind == 0 {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		lr := &legacyRequest{kind: kind, text: kind == legacyShorten && strings.EqualFold(q.Get("format"), "text")}
		if cb := q.Get("callback"); cb != "" {
			lr.callback = cb
			lr.badCallback = !callbackRE.MatchString(cb)
		}
		r = r.WithContext(context.WithValue(r.Context(), legacyKey{}, lr))
		if key, ok := legacyAPIKey(r, kind); ok {
			r.Header = r.Header.Clone()
			r.Header.Set("Authorization", "Bearer "+key)
		}
		next.ServeHTTP(w, r)
	})
}

// classify names the legacy route of r, or 0.
func classify(r *http.Request) legacyKind {
	p := strings.TrimRight(strings.TrimPrefix(r.URL.Path, "/api"), "/")
	switch r.Method {
	case http.MethodGet:
		switch p {
		case "":
			return legacyShorten
		case "/details":
			return legacyDetails
		case "/urls":
			q := r.URL.Query()
			if r.Header.Get("Authorization") == "" && (q.Has("key") || q.Has("api")) {
				return legacyURLs
			}
		}
	case http.MethodPost:
		switch p {
		case "/url/get":
			return legacyURLGet
		case "/url/stats":
			return legacyURLStats
		case "/user/create":
			return legacyUserCreate
		case "/user/get":
			return legacyUserGet
		}
	}
	switch p {
	case "/url/get", "/url/stats", "/user/create", "/user/get":
		if r.Method != http.MethodPost && r.Method != http.MethodOptions {
			return legacyWrongMethod
		}
	}
	// B answered message 000 for any other sub-path it was sent (e.g.
	// /api/edit?key=K); today's routes are never asked with a query key.
	if r.Method == http.MethodGet && r.Header.Get("Authorization") == "" {
		if q := r.URL.Query(); q.Has("key") || q.Has("api") {
			return legacyOtherPath
		}
	}
	return 0
}

// legacyAPIKey is the key of a legacy request when it sends one in its
// generation's form that the normal key check does not read itself.
func legacyAPIKey(r *http.Request, kind legacyKind) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	switch kind {
	case legacyShorten, legacyDetails, legacyURLs, legacyOtherPath:
		if h != "" {
			return "", false // an Authorization header speaks for itself
		}
		q := r.URL.Query()
		key := q.Get("key")
		if key == "" {
			key = q.Get("api")
		}
		key = strings.TrimSpace(key)
		return key, key != ""
	}
	// Generation C: the original deleted "Token " from the header and looked
	// up the rest, so a bare key worked too.
	if scheme, key, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Token") {
		key = strings.TrimSpace(key)
		return key, key != ""
	}
	if h != "" && !strings.Contains(h, " ") {
		return h, true
	}
	return "", false
}

// Legacy error texts (the original's table; only those a route sends).
const (
	msgWrongEndpoint = "Wrong endpoint or invalid API request."                          // 000
	msgNoKey         = "A valid API key is required to use this service."                // 002
	msgBadURL        = "Please enter a valid URL."                                       // 004
	msgNoAlias       = "You must send an alias paramater with URLs alias as the value."  // 007
	msgNotYours      = "This URL does not exist or is not associated with your account." // 008
	msgNoPermission  = "You do not have the permission to use this endpoint."            // 013
	msgMissingData   = "Data is missing or incomplete"                                   // 014
	msgBadCallback   = "The callback must be a JavaScript name: letters, digits, _, $ and ., at most 64 characters."
)

// legacyErrorBody is the error answer of the older generations. It carries
// the message under msg (theirs) and message (today's), so clients of every
// generation find it.
type legacyErrorBody struct {
	Error   int    `json:"error"`
	Msg     string `json:"msg"`
	Message string `json:"message"`
}

// write answers a legacy request: status 200 always; format=text the bare
// text (empty on errors); else the JSON as application/javascript, wrapped
// in the callback when one was given.
func (lr *legacyRequest) write(w http.ResponseWriter, v any, text string) {
	h := w.Header()
	if lr.text {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, text)
		return
	}
	cb := lr.callback
	if lr.badCallback {
		v, cb = legacyErrorBody{Error: 1, Msg: msgBadCallback, Message: msgBadCallback}, ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(legacyErrorBody{Error: 1, Msg: "internal error", Message: "internal error"})
	}
	h.Set("Content-Type", "application/javascript")
	w.WriteHeader(http.StatusOK)
	if cb != "" {
		b = append(append([]byte(cb+"("), b...), ')')
	}
	_, _ = w.Write(b)
}

// fail answers a legacy request with an error message.
func (lr *legacyRequest) fail(w http.ResponseWriter, msg string) {
	lr.write(w, legacyErrorBody{Error: 1, Msg: msg, Message: msg}, "")
}

// writeLegacyError is WriteError for a legacy request: the refusals of the
// key check (401) become message 002, the others keep their text.
func writeLegacyError(w http.ResponseWriter, lr *legacyRequest, status int, msg string) {
	if status == http.StatusUnauthorized {
		msg = msgNoKey
	}
	lr.fail(w, msg)
}

// legacyFail answers an error of a resolver on a legacy route: its message
// (in the legacy field names), or notFound for NotFound, message 013 for
// Forbidden, 002 for Unauthorized. Internal errors are logged, with the
// query string's keys redacted.
func (h *Handler) legacyFail(w http.ResponseWriter, r *http.Request, lr *legacyRequest, err error, notFound string) {
	var se *statusError
	if errors.As(err, &se) {
		lr.fail(w, msgMissingData)
		return
	}
	ae := apperr.From(err)
	switch ae.Code {
	case apperr.NotFound:
		lr.fail(w, notFound)
	case apperr.Forbidden:
		lr.fail(w, msgNoPermission)
	case apperr.Unauthorized:
		lr.fail(w, msgNoKey)
	case apperr.Invalid, apperr.Conflict, apperr.RateLimited:
		lr.fail(w, legacyMessage(ae))
	default:
		h.log().ErrorContext(r.Context(), "rest legacy handler", "method", r.Method, "path", r.URL.Path,
			"query", RedactQuery(r.URL.RawQuery), "request_id", middleware.GetReqID(r.Context()), "err", err)
		lr.fail(w, "internal error")
	}
}

// secretParams are the query parameters that carry an API key.
var secretParams = []string{"key", "api"}

// RedactQuery returns a raw query string fit for a log line: the values of
// key and api (in any letter case) replaced by REDACTED. A query that does
// not parse is not shown at all.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable query redacted)"
	}
	for name := range q {
		for _, s := range secretParams {
			if strings.EqualFold(name, s) {
				q[name] = []string{"REDACTED"}
			}
		}
	}
	return q.Encode()
}
