package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"shortener/ent/click"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
	"shortener/internal/store"
)

// logLines collects what serve writes to stderr, line by line.
type logLines struct {
	mu    sync.Mutex
	lines []string
	done  chan struct{} // closed when the log ends
}

func watchLog(r io.Reader) *logLines {
	l := &logLines{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// waitAddr waits until serve has written the address it listens on to path
// (--addr-file) and returns it. It fails the test after timeout, or as soon
// as serve returns when exited (serve's result) is not nil; log goes into
// the failure message.
func waitAddr(t *testing.T, path string, exited <-chan error, timeout time.Duration, log fmt.Stringer) string {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		select {
		case <-tick.C:
		case err := <-exited:
			t.Fatalf("serve ended before listening: %v\n%s", err, log)
		case <-deadline:
			t.Fatalf("serve did not write its address to %s within %v\n%s", path, timeout, log)
		}
	}
}

// seed creates a user and a link with alias "go" in the database at dsn.
func seed(t *testing.T, dsn string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "create", "--db", dsn, "--email", "a@example.com",
		"--username", "alice", "--password", "password123"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var u struct {
		ID     int
		APIKey string
	}
	if err := json.Unmarshal(out.Bytes(), &u); err != nil {
		t.Fatal(err)
	}
	client, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.Link.Create().SetOwnerID(u.ID).SetAlias("go").SetLongURL("https://example.com/").
		Exec(auth.SystemContext(context.Background())); err != nil {
		t.Fatal(err)
	}
}

// visit clicks http://addr/go n times.
func visit(t *testing.T, addr string, n int) {
	t.Helper()
	client := apptest.NoRedirectClient()
	for i := 0; i < n; i++ {
		resp, err := client.Get("http://" + addr + "/go")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("visit %d: status %d", i, resp.StatusCode)
		}
	}
}

// countClicks counts the click rows and the link's counter.
func countClicks(t *testing.T, dsn string) (rows, counter int) {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	client, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	rows, err = client.Click.Query().Where(click.BotEQ(false)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, err := client.Link.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rows, l.Clicks
}

// TestServeFlushesClicksOnStop runs serve in-process and stops it the way
// main does on SIGTERM (the context ends): run returns nil and every click
// is in the database.
func TestServeFlushesClicksOnStop(t *testing.T) {
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "db.sqlite")
	seed(t, dsn)
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	log := watchLog(pr)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--addr-file", addrFile}, io.Discard, pw)
		pw.Close()
	}()
	addr := waitAddr(t, addrFile, done, 10*time.Second, log)
	visit(t, addr, 300)
	cancel()
	err := <-done
	<-log.done
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	if rows, counter := countClicks(t, dsn); rows != 300 || counter != 300 {
		t.Fatalf("after stop: %d rows, counter %d, want 300", rows, counter)
	}
}

// TestBinaryFlushesClicksOnSIGTERM builds the real binary, sends it SIGTERM
// right after the visits, and expects exit status 0 and every click stored.
func TestBinaryFlushesClicksOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortener")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dsn := "sqlite://" + filepath.Join(dir, "db.sqlite")
	seed(t, dsn)
	addrFile := filepath.Join(dir, "addr")
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--addr-file", addrFile)
	cmd.Env = append(os.Environ(), "RATE_LIMIT=0")
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	log := watchLog(pr)
	addr := waitAddr(t, addrFile, nil, 20*time.Second, log)
	visit(t, addr, 500)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	pw.Close()
	<-log.done
	if err != nil {
		t.Fatalf("exit: %v (want status 0)\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "clicks_written=500") {
		t.Errorf("log does not report 500 clicks written:\n%s", log.String())
	}
	if rows, counter := countClicks(t, dsn); rows != 500 || counter != 500 {
		t.Fatalf("after SIGTERM: %d rows, counter %d, want 500", rows, counter)
	}
}
