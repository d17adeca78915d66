package app_test

import (
	"net/http"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// GET and HEAD of /{alias} skip the router (redirect.FastAlias); every
// other single-segment route must still reach its own handler, and escaped
// or deeper paths must be answered as the router answers them.
func TestFastAliasPathLeavesOtherRoutesToTheRouter(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "fast")
	var out struct {
		CreateLink struct{ Alias string }
	}
	s.MustGraphQL(t, key, `mutation { createLink(input:{url:"https://example.com/x", custom:"fastone"}) { alias } }`, nil, &out)

	for _, c := range []struct {
		method, path string
		status       int
		body         string // a part of the body, if any
		location     string
	}{
		{"GET", "/fastone", http.StatusFound, "", "https://example.com/x"},
		{"HEAD", "/fastone", http.StatusFound, "", "https://example.com/x"},
		{"GET", "/fastone?utm=1", http.StatusFound, "", "https://example.com/x?utm=1"},
		{"GET", "/missing", http.StatusNotFound, "not found", ""},
		{"GET", "/healthz", http.StatusOK, "ok", ""},
		{"GET", "/readyz", http.StatusOK, "ready", ""},
		// GET /api is the older generations' shorten route: status 200
		// with {"error":1,"msg":...} (issue 14, rest/legacy.go).
		{"GET", "/api", http.StatusOK, `"error":1,"msg"`, ""},
		{"GET", "/graphql", http.StatusOK, "no operation provided", ""},
		{"GET", "/fast%2Fone", http.StatusNotFound, "not found", ""},
		{"GET", "/fastone/", http.StatusNotFound, "not found", ""},
		{"POST", "/fastone", http.StatusMethodNotAllowed, "", ""},
	} {
		resp, body := s.Do(t, c.method, c.path, "", nil)
		if resp.StatusCode != c.status || !strings.Contains(strings.ToLower(string(body)), strings.ToLower(c.body)) ||
			resp.Header.Get("Location") != c.location {
			t.Errorf("%s %s: %d %q Location %q; want %d with %q, Location %q", c.method, c.path, resp.StatusCode,
				body, resp.Header.Get("Location"), c.status, c.body, c.location)
		}
	}
}

// /readyz fails when the database is gone; /healthz does not.
func TestReadyzChecksTheDatabase(t *testing.T) {
	s := apptest.New(t, app.Config{})
	if resp, body := s.Do(t, "GET", "/readyz", "", nil); resp.StatusCode != http.StatusOK || string(body) != "ready\n" {
		t.Fatalf("readyz: %d %q", resp.StatusCode, body)
	}
	if err := s.App.Client.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, _ := s.Do(t, "GET", "/readyz", "", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d, want 503", resp.StatusCode)
	}
	if resp, _ := s.Do(t, "GET", "/healthz", "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz with the database closed: %d, want 200", resp.StatusCode)
	}
}
