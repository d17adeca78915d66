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
	for _, p := range []string{"/api/openapi.json/x", "/api/openapi.jsonx", "/api/openapi", "/api/account", "/api/urls"} {
		resp, body := corsDo(t, s, http.MethodGet, p, "", "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without a key: %d %s, want 401", p, resp.StatusCode, body)
		}
	}
	// Only GET is public: another method goes to the API and its key check.
	if resp, body := corsDo(t, s, http.MethodPost, "/api/openapi.json", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /api/openapi.json without a key: %d %s, want 401", resp.StatusCode, body)
	}
}
