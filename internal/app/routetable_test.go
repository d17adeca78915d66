package app

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"shortener/internal/shortlink"
	"shortener/internal/store/storetest"
)

// TestRouterServesTheRouteTable walks the router: every top-level path
// segment it serves is in shortlink.Routes (so no alias can take it, and
// the fast alias path leaves it to the router), and every entry of the
// table is served.
func TestRouterServesTheRouteTable(t *testing.T) {
	off := 0
	a, err := New(context.Background(), Config{DB: storetest.DSN(t), RateLimit: &off})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = a.Shutdown(context.Background())
		a.Close()
	})
	r, _ := a.router()
	served := map[string]bool{}
	err = chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		seg, _, _ := strings.Cut(strings.TrimPrefix(route, "/"), "/")
		switch seg {
		case "", "{alias}", "*": // the public handler's root, aliases and 404
		default:
			served[seg] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("top-level routes: %v", slices.Sorted(maps.Keys(served)))
	names := shortlink.RouteNames()
	for seg := range served {
		if !slices.Contains(names, seg) {
			t.Errorf("the router serves /%s, which shortlink.Routes lacks", seg)
		}
		if !shortlink.IsReserved(seg) {
			t.Errorf("/%s is not reserved", seg)
		}
	}
	for _, n := range names {
		if !served[n] {
			t.Errorf("shortlink.Routes names /%s, which the router does not serve", n)
		}
	}
}
