package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// ErrBadKey is returned by a Lookup for an unknown, revoked or expired key.
var ErrBadKey = errors.New("invalid, revoked or expired API key")

// Lookup finds the viewer of an API key. It returns ErrBadKey for a key that
// does not authenticate.
type Lookup func(ctx context.Context, key string) (*Viewer, error)

// Failure is what the middleware tells the caller's error writer.
type Failure func(w http.ResponseWriter, r *http.Request, status int, msg string)

// Messages of the authentication failures: a missing key, a header of
// another scheme, and a key that does not authenticate are told apart.
const (
	MsgMissingKey = "missing API key: send Authorization: Bearer KEY"
	MsgBadScheme  = "unsupported Authorization scheme: send Bearer KEY or Token KEY"
)

// Middleware authenticates "Authorization: Bearer KEY" (or "Token KEY", as
// the legacy API's own clients send it) and puts the viewer in the request
// context. With required set, a request without a key gets fail(401);
// otherwise an absent key passes through with no viewer (GraphQL lets
// signup through and asks for a viewer in its resolvers), but a header that
// is present and does not authenticate is still refused.
func Middleware(lookup Lookup, required bool, fail Failure) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, present, ok := KeyFromHeader(r)
			switch {
			case !present && required:
				fail(w, r, http.StatusUnauthorized, MsgMissingKey)
				return
			case !present:
				next.ServeHTTP(w, r)
				return
			case !ok:
				fail(w, r, http.StatusUnauthorized, MsgBadScheme)
				return
			}
			v, err := lookup(r.Context(), key)
			if err != nil {
				if errors.Is(err, ErrBadKey) {
					fail(w, r, http.StatusUnauthorized, ErrBadKey.Error())
				} else {
					fail(w, r, http.StatusInternalServerError, "internal error")
				}
				return
			}
			next.ServeHTTP(w, r.WithContext(WithViewer(r.Context(), v)))
		})
	}
}

// KeyFromHeader returns the key of r's Authorization header: present says a
// header was sent, ok that its scheme is Bearer or Token (either case) with
// a key after it.
func KeyFromHeader(r *http.Request) (key string, present, ok bool) {
	return KeyFromAuthorization(r.Header.Get("Authorization"))
}

// KeyFromAuthorization is KeyFromHeader for a header value (websocket
// connection_init payloads carry one too).
func KeyFromAuthorization(h string) (key string, present, ok bool) {
	if h == "" {
		return "", false, false
	}
	scheme, key, found := strings.Cut(strings.TrimSpace(h), " ")
	key = strings.TrimSpace(key)
	if !found || key == "" || !(strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Token")) {
		return "", true, false
	}
	return key, true, true
}
