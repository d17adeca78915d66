// Package auth holds the viewer (the user a request acts for), API key and
// password hashing, and the HTTP middleware that authenticates requests.
//
// It does not import ent: the ent schema's privacy rules read the viewer from
// here, and the key lookup is handed to the middleware by the caller.
package auth

import (
	"context"

	"entgo.io/ent/privacy"
)

// Viewer is the authenticated user a request acts for.
type Viewer struct {
	UserID   int
	Username string
	Plan     string // "FREE" or "PRO"
	KeyID    int    // the API key used, 0 when none
}

type viewerKey struct{}

// WithViewer returns a context carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer of ctx, or nil.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// SystemContext returns a context that bypasses the ownership privacy rules.
// Only the server itself uses it: sign-up, key lookup, the redirect path and
// the click writer. Never derive it from a request's input.
func SystemContext(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}
