package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"shortener/ent/click"
	"shortener/internal/auth"
	"shortener/internal/store"
)

var addrRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// watchAddr reads a server's log into log and sends the address it serves
// on; done closes when the log ends.
func watchAddr(r io.Reader, log *bytes.Buffer) (addr <-chan string, done <-chan struct{}) {
	ch := make(chan string, 1)
	end := make(chan struct{})
	go func() {
		defer close(end)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				ch <- m[1]
			}
		}
	}()
	return ch, end
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
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
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
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var log bytes.Buffer
	addrc, logDone := watchAddr(pr, &log)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}, io.Discard, pw)
		pw.Close()
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, log.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	visit(t, addr, 300)
	cancel()
	err := <-done
	<-logDone
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
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn)
	cmd.Env = append(os.Environ(), "RATE_LIMIT=0")
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var log bytes.Buffer
	addrc, logDone := watchAddr(pr, &log)
	var addr string
	select {
	case addr = <-addrc:
	case <-time.After(20 * time.Second):
		t.Fatalf("binary did not start:\n%s", log.String())
	}
	visit(t, addr, 500)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	pw.Close()
	<-logDone
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
