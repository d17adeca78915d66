package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"shortener/ent"
	"shortener/ent/user"
	"shortener/internal/auth"
	"shortener/internal/store"
	"shortener/internal/store/storetest"
)

// runUserCreate runs `shortener user create` and returns its stdout, stderr and
// error.
func runUserCreate(tb testing.TB, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"user", "create"}, args...), &out, &errOut)
	return out.String(), errOut.String(), err
}

type created struct {
	ID       int    `json:"id"`
	Email    string `json:"email"`
	Username string `json:"username"`
	APIKey   string `json:"apiKey"`
}

func TestUserCreate(t *testing.T) {
	db := storetest.DSN(t)
	out, errOut, err := runUserCreate(t, "--db", db, "--email", "Ann@Example.com", "--username", "ann", "--password", "password123")
	if err != nil {
		t.Fatalf("user create: %v\nstderr: %s", err, errOut)
	}
	// ONE JSON object, its fields in the contract's order, nothing else.
	if !regexp.MustCompile(`^\{"id":1,"email":"ann@example.com","username":"ann","apiKey":"sk_[A-Za-z0-9_-]{20,}"\}\n$`).MatchString(out) {
		t.Errorf("stdout = %q", out)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var u created
	if err := dec.Decode(&u); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one JSON value: %q", out)
	}

	t.Run("a duplicate email fails with a message on stderr", func(t *testing.T) {
		out, errOut, err := runUserCreate(t, "--db", db, "--email", "ann@example.com", "--username", "other", "--password", "password123")
		if err == nil || out != "" || !strings.Contains(errOut, "email already registered") {
			t.Errorf("err %v, stdout %q, stderr %q", err, out, errOut)
		}
	})
	t.Run("a duplicate username fails with a message on stderr", func(t *testing.T) {
		out, errOut, err := runUserCreate(t, "--db", db, "--email", "new@example.com", "--username", "ANN", "--password", "password123")
		if err == nil || out != "" || !strings.Contains(errOut, "username already taken") {
			t.Errorf("err %v, stdout %q, stderr %q", err, out, errOut)
		}
	})
	t.Run("bad flags fail with a message on stderr", func(t *testing.T) {
		for _, args := range [][]string{
			{"--email", "x@example.com", "--username", "xxx", "--password", "short"},
			{"--email", "x@example.com", "--username", "xxx", "--password", "password123", "--plan", "gold"},
			{"--username", "xxx", "--password", "password123"},
			{"--email", "x@example.com", "--username", "xxx", "--password", "password123", "--nope"},
		} {
			out, errOut, err := runUserCreate(t, append([]string{"--db", db}, args...)...)
			if err == nil || out != "" || errOut == "" {
				t.Errorf("%v: err %v, stdout %q, stderr %q", args, err, out, errOut)
			}
		}
	})
	t.Run("--plan pro and DATABASE_URL", func(t *testing.T) {
		t.Setenv("DATABASE_URL", db)
		out, errOut, err := runUserCreate(t, "--email", "pro@example.com", "--username", "pro", "--password", "password123", "--plan", "pro")
		if err != nil {
			t.Fatalf("%v: %s", err, errOut)
		}
		var u created
		if err := json.Unmarshal([]byte(out), &u); err != nil || u.ID != 2 || u.Username != "pro" {
			t.Errorf("stdout %q (%v)", out, err)
		}
	})
	t.Run("unknown commands fail", func(t *testing.T) {
		for _, args := range [][]string{nil, {"user"}, {"user", "nope"}, {"key"}, {"nope"}} {
			var out, errOut bytes.Buffer
			if err := run(context.Background(), args, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
				t.Errorf("%v: err %v stderr %q", args, err, errOut.String())
			}
		}
	})
}

func TestServe(t *testing.T) {
	db := storetest.DSN(t)
	out, errOut, err := runUserCreate(t, "--db", db, "--email", "ann@example.com", "--username", "ann", "--password", "password123")
	if err != nil {
		t.Fatalf("user create: %v %s", err, errOut)
	}
	var u created
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatal(err)
	}

	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	logs := watchLog(pr)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--base-url", "http://sho.rt", "--rate-limit", "0", "--pprof", "127.0.0.1:0", "--addr-file", addrFile,
			"--cors-origins", "https://app.example.com, http://localhost:3000"}, io.Discard, pw)
		pw.Close()
	}()
	addr := waitAddr(t, addrFile, errc, 20*time.Second, logs)
	base := "http://" + addr

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get("/playground"); code != 200 || !strings.Contains(body, "/graphql") {
		t.Errorf("/playground = %d (%d bytes)", code, len(body))
	}

	// --cors-origins: a listed origin's preflight is answered with its name.
	pre, _ := http.NewRequest(http.MethodOptions, base+"/graphql", nil)
	pre.Header.Set("Origin", "http://localhost:3000")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	if resp, err := http.DefaultClient.Do(pre); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("preflight: %d, Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	gql := func(query string) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+u.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out["errors"] != nil {
			t.Fatalf("%s: %v %v", query, err, out)
		}
		return out["data"].(map[string]any)
	}
	me := gql(`query { me { id email username } }`)["me"].(map[string]any)
	if me["email"] != "ann@example.com" || me["username"] != "ann" {
		t.Errorf("me = %v", me)
	}
	// --pprof: profiles on their own loopback listener, never on the
	// server's router.
	m := regexp.MustCompile(`msg=pprof addr=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no pprof log line:\n%s", logs)
	}
	if resp, err := http.Get("http://" + m[1] + "/debug/pprof/cmdline"); err != nil || resp.StatusCode != 200 {
		t.Errorf("pprof listener: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code, _ := get("/debug/pprof/cmdline"); code != http.StatusNotFound {
		t.Errorf("the API server answers /debug/pprof/cmdline with %d, want 404", code)
	}
	link := gql(`mutation { createLink(input:{url:"https://example.com", custom:"served"}) { id alias shortUrl } }`)["createLink"].(map[string]any)
	if link["shortUrl"] != "http://sho.rt/served" {
		t.Errorf("createLink = %v (base URL from --base-url)", link)
	}

	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("serve returned %v after cancellation, want nil\n%s", err, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
	<-logs.done
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", logs)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the port still accepts connections after shutdown")
	}
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "-1"},
		{"--rate-limit", "lots"},
		{"--db", "mysql://x"},
		{"--addr", "127.0.0.1:notaport", "--db", "sqlite://" + t.TempDir() + "/x.db"},
		{"--nope"},
		{"--pprof", ":0"}, // every interface
		{"--pprof", "0.0.0.0:0"},
		{"--pprof", "192.0.2.1:0"},
		{"--pprof", "localhost"},
		{"--cache-mb", "0"},
		{"--cache-mb", "lots"},
		{"--cors-origins", "app.example.com", "--db", "sqlite://" + t.TempDir() + "/c.db"},
		{"--cors-origins", "https://app.example.com/path", "--db", "sqlite://" + t.TempDir() + "/c.db"},
	} {
		var errOut bytes.Buffer
		err := run(context.Background(), append([]string{"serve"}, args...), io.Discard, &errOut)
		if err == nil || errOut.Len() == 0 {
			t.Errorf("serve %v: err %v, stderr %q", args, err, errOut.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve", "-h"}, &out, &out); err != nil || !strings.Contains(out.String(), "-rate-limit") ||
		!strings.Contains(out.String(), "-cors-origins") || !strings.Contains(out.String(), "[CORS_ORIGINS]") {
		t.Errorf("serve -h: %v %q", err, out.String())
	}
}

// A bad value in an environment variable is an error naming it, as a bad
// flag is; it used to fall back to the default silently.
func TestServeRefusesBadEnvironment(t *testing.T) {
	for name, value := range map[string]string{
		"REDIRECT_STATUS":  "abc",
		"TRUST_PROXY":      "yes",
		"READ_TIMEOUT":     "soon",
		"MAX_CONNS_PER_IP": "many",
		"CACHE_MB":         "lots",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			var errOut bytes.Buffer
			err := run(context.Background(), []string{"serve", "--db", "sqlite://" + t.TempDir() + "/x.db"}, io.Discard, &errOut)
			if err == nil || !strings.Contains(errOut.String(), name) {
				t.Errorf("%s=%s: err %v, stderr %q; want an error naming %s", name, value, err, errOut.String(), name)
			}
		})
	}
	// A flag given on the command line beats its variable, bad or not.
	t.Setenv("REDIRECT_STATUS", "abc")
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--redirect-status", "99", "--db", "sqlite://" + t.TempDir() + "/x.db"}, io.Discard, &errOut)
	if err == nil || strings.Contains(errOut.String(), "REDIRECT_STATUS") {
		t.Errorf("--redirect-status 99 with REDIRECT_STATUS=abc: err %v, stderr %q; want the flag's own error", err, errOut.String())
	}
}

func TestVersionAndLogFormat(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "shortener ") {
		t.Errorf("--version: %v %q", err, out.String())
	}
	var errOut bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--log-format", "xml"}, io.Discard, &errOut); err == nil || !strings.Contains(errOut.String(), "--log-format") {
		t.Errorf("--log-format xml: %v %q", err, errOut.String())
	}
	// JSON logs: every line of a short serve is one JSON object.
	_, log, stop := startServe(t, nil, "--log-format", "json")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["msg"] == nil {
			t.Fatalf("log line %q is not a JSON record: %v", l, err)
		}
	}
	if len(lines) < 2 {
		t.Fatalf("%d log lines, want the start and the stop", len(lines))
	}
}

func TestUserCreateAdmin(t *testing.T) {
	db := storetest.DSN(t)
	for _, args := range [][]string{
		{"--email", "root@example.com", "--username", "root", "--password", "password123", "--admin"},
		{"--email", "ann@example.com", "--username", "ann", "--password", "password123"},
	} {
		out, errOut, err := runUserCreate(t, append([]string{"--db", db}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v %s", args, err, errOut)
		}
		// The output is the contract's, with or without --admin.
		if !regexp.MustCompile(`^\{"id":\d+,"email":"[a-z]+@example.com","username":"[a-z]+","apiKey":"sk_[A-Za-z0-9_-]{20,}"\}\n$`).MatchString(out) {
			t.Errorf("stdout = %q", out)
		}
	}
	client, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	users, err := client.User.Query().Order(ent.Asc(user.FieldID)).All(auth.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || !users[0].Admin || users[1].Admin {
		t.Errorf("admin flags: %+v", users)
	}
}
