package qr

import "context"

// Hooks gives the GraphQL resolvers (graph.QRHooks) this package's rules:
// payload validation, colour contrast, logo checks, and the logo fetch.
type Hooks struct {
	// Fetch downloads the logo at a URL and checks it: a guarded Fetcher's
	// Fetch (NewFetcher), or a stand-in with the same contract in tests.
	Fetch func(ctx context.Context, url string) ([]byte, error)
}

// Validate checks data for a QR type and returns its stored form.
func (Hooks) Validate(typ string, data any) (any, error) { return Validate(typ, data) }

// FetchLogo fetches and checks the logo at url.
func (h Hooks) FetchLogo(ctx context.Context, url string) ([]byte, error) { return h.Fetch(ctx, url) }

// CheckLogo checks an uploaded logo and returns its stored form.
func (Hooks) CheckLogo(b []byte) ([]byte, error) { return CheckLogo(b) }

// CheckColors checks a foreground/background pair.
func (Hooks) CheckColors(fg, bg string) error { return CheckColors(fg, bg) }
