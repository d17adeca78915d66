package graph_test

import (
	"net/http/httptest"
	"testing"

	"shortener/graph"
)

func TestWebsocketOrigins(t *testing.T) {
	check := graph.WebsocketOrigins([]string{"https://app.example.com/", "HTTP://Other.Example"})
	for _, tc := range []struct {
		origin string
		want   bool
	}{
		{"", true},              // not a browser
		{"http://sho.rt", true}, // the same host
		{"https://app.example.com", true},
		{"http://other.example", true},
		{"https://evil.example", false},
		{"https://app.example.com.evil.example", false},
		{"null", false},
	} {
		r := httptest.NewRequest("GET", "http://sho.rt/graphql", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := check(r); got != tc.want {
			t.Errorf("origin %q: %v, want %v", tc.origin, got, tc.want)
		}
	}
	any := graph.WebsocketOrigins([]string{"*"})
	r := httptest.NewRequest("GET", "http://sho.rt/graphql", nil)
	r.Header.Set("Origin", "https://anything.example")
	if !any(r) {
		t.Error(`"*" refused an origin`)
	}
}
