// Package apptest starts the whole server (the same handler `serve` uses)
// on httptest with a fresh database, and speaks GraphQL and REST to it.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"shortener/internal/app"
	"shortener/internal/store/storetest"
)

// Server is a running test server.
type Server struct {
	*httptest.Server
	App *app.App
}

// New starts a server. cfg.DB defaults to a fresh test database; the rate
// limit is off unless cfg.RateLimit or cfg.PlanLimits says otherwise;
// cfg.BaseURL defaults to the test server's own URL.
func New(tb testing.TB, cfg app.Config) *Server {
	tb.Helper()
	if cfg.DB == "" {
		cfg.DB = storetest.DSN(tb)
	}
	if cfg.RateLimit == nil && cfg.PlanLimits == nil {
		off := 0
		cfg.RateLimit = &off
	}
	ts := httptest.NewUnstartedServer(nil)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + ts.Listener.Addr().String()
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	ts.Config.Handler = a.Handler()
	ts.Start()
	s := &Server{Server: ts, App: a}
	tb.Cleanup(func() {
		ts.Close()
		_ = a.Shutdown(context.Background())
		a.Close()
	})
	return s
}

var seq atomic.Int64

// User is an account made by SignupUser.
type User struct {
	Key, ID, Email, Username string // API key, global id, email, username
}

// Signup creates a user through the GraphQL signup mutation and returns its
// API key. name is used for the username and email; a counter keeps names
// unique.
func (s *Server) Signup(tb testing.TB, name string) string {
	tb.Helper()
	return s.SignupUser(tb, name).Key
}

// SignupUser is Signup returning the whole account: the username is name
// plus a counter, the email that at example.com, the password
// "password123".
func (s *Server) SignupUser(tb testing.TB, name string) User {
	tb.Helper()
	n := seq.Add(1)
	email, uname := fmt.Sprintf("%s%d@example.com", name, n), fmt.Sprintf("%s%d", name, n)
	var out struct {
		Signup struct {
			APIKey string
			User   struct{ ID, Email string }
		}
	}
	s.MustGraphQL(tb, "", `mutation($e:String!,$u:String!){ signup(input:{email:$e, username:$u, password:"password123"}) { apiKey user { id email } } }`,
		map[string]any{"e": email, "u": uname}, &out)
	if out.Signup.APIKey == "" || out.Signup.User.ID == "" {
		tb.Fatalf("signup returned %+v", out)
	}
	return User{Key: out.Signup.APIKey, ID: out.Signup.User.ID, Email: email, Username: uname}
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e GQLError) Code() string { s, _ := e.Extensions["code"].(string); return s }

// GQLResponse is a decoded GraphQL response.
type GQLResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
	Status int             `json:"-"`
	Header http.Header     `json:"-"`
}

// GraphQL posts a query with key (empty: no Authorization header).
func (s *Server) GraphQL(tb testing.TB, key, query string, vars map[string]any) GQLResponse {
	tb.Helper()
	resp, body := s.Do(tb, http.MethodPost, "/graphql", key, map[string]any{"query": query, "variables": vars})
	var out GQLResponse
	if err := json.Unmarshal(body, &out); err != nil {
		tb.Fatalf("graphql: decode %q: %v", body, err)
	}
	out.Status, out.Header = resp.StatusCode, resp.Header
	return out
}

// MustGraphQL runs a query that must succeed and decodes data into out.
func (s *Server) MustGraphQL(tb testing.TB, key, query string, vars map[string]any, out any) {
	tb.Helper()
	res := s.GraphQL(tb, key, query, vars)
	if len(res.Errors) > 0 {
		tb.Fatalf("graphql errors: %+v\nquery: %s", res.Errors, query)
	}
	if out != nil {
		if err := json.Unmarshal(res.Data, out); err != nil {
			tb.Fatalf("decode data %s: %v", res.Data, err)
		}
	}
}

// Do sends a request with an optional JSON body (a []byte or string is sent
// as is), without following redirects, and returns the response and its
// body.
func (s *Server) Do(tb testing.TB, method, path, key string, body any) (*http.Response, []byte) {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := NoRedirectClient().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}
