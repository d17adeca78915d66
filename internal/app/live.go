package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"shortener/graph"
	"shortener/internal/analytics"
	"shortener/internal/auth"
)

// liveOptions configure the clickRecorded subscription: the hub the click
// writer publishes to, websocket authentication by the key in
// connection_init, and the websocket origin check.
func (a *App) liveOptions() graph.Live {
	return graph.Live{
		Hub:          a.Live,
		Authenticate: a.authenticateValue,
		// A page may open a websocket from the origins that may call
		// /graphql (--cors-origins), its own, or none (not a browser).
		CheckOrigin: websocketOrigins(a.Config.CORSOrigins),
		MaxLifetime: a.Config.LiveLifetime,
		KeepAlive:   a.Config.LiveKeepAlive,
	}
}

// newHub is the live clicks hub (its defaults: 10 subscriptions an account,
// 256 buffered clicks each).
func newHub() *analytics.Hub { return analytics.NewHub(analytics.HubOptions{}) }

// authenticateValue checks an Authorization value that did not come in a
// header (a websocket's connection_init payload) through auth.Middleware
// itself, so both accept the same schemes and refuse with the same words.
func (a *App) authenticateValue(ctx context.Context, authorization string) (*auth.Viewer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/graphql", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", authorization)
	var viewer *auth.Viewer
	var refused error
	mw := auth.Middleware(a.lookupKey, true, func(_ http.ResponseWriter, _ *http.Request, _ int, msg string) {
		refused = errors.New(msg)
	})
	mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		viewer = auth.ViewerFrom(r.Context())
	})).ServeHTTP(discardWriter{}, req)
	switch {
	case refused != nil:
		return nil, refused
	case viewer == nil:
		return nil, errors.New("missing API key")
	}
	return viewer, nil
}

// discardWriter is the ResponseWriter of authenticateValue: the middleware's
// answer goes nowhere, its verdict is kept.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

// websocketOrigins is the websocket origin check of --cors-origins: nil
// (any origin) checks nothing.
func websocketOrigins(origins []string) func(*http.Request) bool {
	if origins == nil {
		return nil
	}
	trimmed := make([]string, 0, len(origins))
	for _, o := range origins {
		if o = strings.TrimSpace(o); o != "" {
			trimmed = append(trimmed, o)
		}
	}
	return graph.WebsocketOrigins(trimmed)
}
