package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"shortener/ent/user"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
)

// addDomain posts legacy domain/add and returns the status and the body.
func addDomain(t *testing.T, s *apptest.Server, key, domain string) (int, map[string]any) {
	t.Helper()
	resp, body := s.Do(t, http.MethodPost, "/api/domain/add", key,
		map[string]any{"domain": domain, "redirect404": "https://evil.example/"})
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("domain/add %s: decode %q: %v", domain, body, err)
	}
	return resp.StatusCode, out
}

func mustRefuse(t *testing.T, s *apptest.Server, key, domain string) {
	t.Helper()
	status, out := addDomain(t, s, key, domain)
	if status != http.StatusUnprocessableEntity || out["error"] != float64(1) || out["message"] == "" {
		t.Errorf("domain/add %q = %d %v, want 422 {error:1,message}", domain, status, out)
	}
}

// getHost sends GET path with the given Host header, without following.
func getHost(t *testing.T, s *apptest.Server, host, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	client := apptest.NoRedirectClient()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func createAlias(t *testing.T, s *apptest.Server, key, alias, target string) {
	t.Helper()
	resp, body := s.Do(t, http.MethodPost, "/api/url/add", key, map[string]any{"url": target, "custom": alias})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("url/add: %d %s", resp.StatusCode, body)
	}
}

// plantDomain stores a domain row straight in the database, as an older
// version (or a bug) might have left it.
func plantDomain(t *testing.T, s *apptest.Server, host string) {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	u := s.App.Client.User.Query().Where(user.UsernameHasPrefix("mallory")).FirstX(ctx)
	s.App.Client.Domain.Create().SetOwnerID(u.ID).SetDomain("http://" + host).SetHost(host).
		SetRedirect404("https://evil.example/").SaveX(ctx)
	s.App.Cache.Flush()
}

// Issue 11 row 2: the base host without its port was accepted as a branded
// domain and from then on took every user's base-host aliases.
func TestDomainBaseHostCannotBeClaimed(t *testing.T) {
	s := apptest.New(t, app.Config{}) // base URL http://127.0.0.1:PORT
	alice := s.Signup(t, "alice")
	mallory := s.Signup(t, "mallory")
	createAlias(t, s, alice, "alice1", "https://alice.example/")

	port := s.URL[strings.LastIndexByte(s.URL, ':'):]
	for _, d := range []string{"http://127.0.0.1", "http://127.0.0.1" + port, "https://127.0.0.1.", "http://localhost",
		"http://LOCALHOST.", "http://app.localhost", "http://[::1]", "http://127.1", "http://2130706433",
		"http://0x7f.1", "http://0177.0.0.1", "http://intranet"} {
		mustRefuse(t, s, mallory, d)
	}
	if resp := getHost(t, s, "127.0.0.1"+port, "/alice1"); resp.StatusCode != http.StatusFound ||
		resp.Header.Get("Location") != "https://alice.example/" {
		t.Errorf("alias after refused claims: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A bad row already in the database is never consulted for the base host.
	plantDomain(t, s, "127.0.0.1")
	for _, h := range []string{"127.0.0.1" + port, "127.0.0.1", "127.0.0.1.:80"} {
		if resp := getHost(t, s, h, "/alice1"); resp.StatusCode != http.StatusFound ||
			resp.Header.Get("Location") != "https://alice.example/" {
			t.Errorf("Host %s with a planted base-host row: %d %q", h, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// With a port-less base URL, every form of its host is refused and served
// as the base host.
func TestDomainPortlessBaseHost(t *testing.T) {
	s := apptest.New(t, app.Config{BaseURL: "https://short.test"})
	alice := s.Signup(t, "alice")
	mallory := s.Signup(t, "mallory")
	createAlias(t, s, alice, "alice1", "https://alice.example/")
	for _, d := range []string{"https://short.test", "https://short.test.", "https://short.test:443", "http://short.test:80",
		"https://short.test:8443", "https://SHORT.test", "http://Short.Test.:8080"} {
		mustRefuse(t, s, mallory, d)
	}
	plantDomain(t, s, "short.test")
	for _, h := range []string{"short.test", "short.test.", "short.test:443", "short.test:80", "short.test:8443", "SHORT.test"} {
		if resp := getHost(t, s, h, "/alice1"); resp.StatusCode != http.StatusFound ||
			resp.Header.Get("Location") != "https://alice.example/" {
			t.Errorf("Host %s: %d %q, want the base host's alias", h, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// Hosts are stored normalised, so two spellings of one host are one domain.
func TestDomainStoredNormalised(t *testing.T) {
	s := apptest.New(t, app.Config{})
	alice := s.Signup(t, "alice")
	mallory := s.Signup(t, "mallory")
	if status, out := addDomain(t, s, alice, "https://Go.Example.COM."); status != http.StatusOK {
		t.Fatalf("add: %d %v", status, out)
	}
	for _, d := range []string{"https://go.example.com", "http://GO.example.com:8443"} {
		if status, out := addDomain(t, s, mallory, d); status == http.StatusOK {
			t.Errorf("duplicate %s accepted: %v", d, out)
		}
	}
	res := s.GraphQL(t, mallory, `mutation{ createDomain(input:{domain:"http://[::1]"}){ id } }`, nil)
	if len(res.Errors) != 1 || res.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("createDomain [::1]: %+v", res.Errors)
	}
}
