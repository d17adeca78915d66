package qr

import "context"

// Hooks gives the GraphQL resolvers (graph.QRHooks) this package's rules:
// payload validation, colour contrast, logo checks and the guarded fetch.
type Hooks struct {
	Fetcher *Fetcher
}

// NewHooks returns Hooks with a guarded fetcher.
func NewHooks() *Hooks { return &Hooks{Fetcher: NewFetcher()} }

// Validate checks data for a QR type and returns its stored form.
func (h *Hooks) Validate(typ string, data any) (any, error) { return Validate(typ, data) }

// FetchLogo fetches and checks the logo at url.
func (h *Hooks) FetchLogo(ctx context.Context, url string) ([]byte, error) {
	return h.Fetcher.Fetch(ctx, url)
}

// CheckLogo checks an uploaded logo and returns its stored form.
func (h *Hooks) CheckLogo(b []byte) ([]byte, error) { return CheckLogo(b) }

// CheckColors checks a foreground/background pair.
func (h *Hooks) CheckColors(fg, bg string) error { return CheckColors(fg, bg) }
