package rest_test

import (
	"fmt"
	"net/http"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// BenchmarkURLList measures GET /api/urls (a page of 15 of 200 links)
// through real HTTP, auth and the resolvers.
func BenchmarkURLList(b *testing.B) {
	s := apptest.New(b, app.Config{})
	key := s.Signup(b, "bench")
	for i := range 200 {
		if resp, body := s.Do(b, "POST", "/api/url/add", key, fmt.Sprintf(`{"url":"https://example.com/%d"}`, i)); resp.StatusCode != 200 {
			b.Fatalf("add: %d %s", resp.StatusCode, body)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if resp, body := s.Do(b, "GET", "/api/urls?page=3", key, nil); resp.StatusCode != http.StatusOK {
			b.Fatalf("list: %d %s", resp.StatusCode, body)
		}
	}
}

// BenchmarkURLAdd measures POST /api/url/add with the documented example's
// targeting lists (no references), through real HTTP.
func BenchmarkURLAdd(b *testing.B) {
	s := apptest.New(b, app.Config{})
	key := s.Signup(b, "bench")
	body := `{"url":"https://google.com","status":"private","type":"splash","metatitle":"Not Google",
		"geotarget":[{"location":"Canada","link":"https://google.ca"}],
		"devicetarget":[{"device":"iPhone","link":"https://google.com"}],
		"parameters":[{"name":"aff","value":"3"},{"device":"gtm_source","link":"api"}]}`
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if resp, out := s.Do(b, "POST", "/api/url/add", key, body); resp.StatusCode != http.StatusOK {
			b.Fatalf("add: %d %s", resp.StatusCode, out)
		}
	}
}

// BenchmarkURLListPage1000 measures the largest REST page: GET
// /api/urls?limit=1000 over 1000 links (half of them on a branded domain),
// through real HTTP.
func BenchmarkURLListPage1000(b *testing.B) {
	s := apptest.New(b, app.Config{})
	key := s.Signup(b, "bench")
	if resp, body := s.Do(b, "POST", "/api/domain/add", key, `{"domain":"https://go.example.org"}`); resp.StatusCode != 200 {
		b.Fatalf("domain: %d %s", resp.StatusCode, body)
	}
	for i := range 1000 {
		dom := ""
		if i%2 == 0 {
			dom = `,"domain":"go.example.org"`
		}
		if resp, body := s.Do(b, "POST", "/api/url/add", key, fmt.Sprintf(`{"url":"https://example.com/%d"%s}`, i, dom)); resp.StatusCode != 200 {
			b.Fatalf("add: %d %s", resp.StatusCode, body)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if resp, body := s.Do(b, "GET", "/api/urls?limit=1000", key, nil); resp.StatusCode != http.StatusOK || len(body) < 100_000 {
			b.Fatalf("list: %d %d bytes", resp.StatusCode, len(body))
		}
	}
}
