package app_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// TestOpenAPIIsPublic: GET /api/openapi.json answers the document without
// a key, outside the rate limit and with CORS; every other /api path,
// near ones included, still needs a key.
func TestOpenAPIIsPublic(t *testing.T) {
	one := 1
	s := apptest.New(t, app.Config{RateLimit: &one})
	for range 3 { // past the anonymous budget of 1: the document is not counted
		resp, body := corsDo(t, s, http.MethodGet, "/api/openapi.json", "https://docs.example.com", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/openapi.json: %d %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Access-Control-Allow-Origin %q, want *", got)
		}
		if resp.Header.Get("X-RateLimit-Limit") != "" {
			t.Error("the document carries rate-limit headers: it went through the limiter")
		}
		var doc struct {
			OpenAPI string `json:"openapi"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.OpenAPI != "3.1.0" {
			t.Fatalf("not an OpenAPI 3.1 document (%v): %.200s", err, body)
		}
	}
	if resp := preflight(t, s, "/api/openapi.json", "https://docs.example.com", "GET"); resp.StatusCode != http.StatusNoContent {
		t.Errorf("preflight: %d", resp.StatusCode)
	}
	// The first refusal is a 401, so the fetches above left the client's
	// budget of one whole; the next ones may meet the spent budget (429).
	// Only GET of that one path is public: another method or a near path
	// goes to the API and its key check.
	for i, req := range [][2]string{{"GET", "/api/openapi.json/x"}, {"POST", "/api/openapi.json"},
		{"GET", "/api/openapi.jsonx"}, {"GET", "/api/openapi"}, {"GET", "/api/account"}, {"GET", "/api/urls"}} {
		resp, body := corsDo(t, s, req[0], req[1], "", "")
		if resp.StatusCode != http.StatusUnauthorized && (i == 0 || resp.StatusCode != http.StatusTooManyRequests) {
			t.Errorf("%s %s without a key: %d %s, want 401", req[0], req[1], resp.StatusCode, body)
		}
	}
}
