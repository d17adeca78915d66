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

// Middleware authenticates "Authorization: Bearer KEY" and puts the viewer in
// the request context. With required set, a request without a valid key gets
// fail(401); otherwise an absent key passes through with no viewer (GraphQL
// lets signup through and asks for a viewer in its resolvers), but a key that
// is present and bad is still refused.
func Middleware(lookup Lookup, required bool, fail Failure) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, present := bearer(r)
			if !present {
				if required {
					fail(w, r, http.StatusUnauthorized, "missing API key: send Authorization: Bearer KEY")
					return
				}
				next.ServeHTTP(w, r)
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

// bearer returns the key of an Authorization header, and whether one was sent.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(key), true
}
