package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"shortener/ent/click"
	"shortener/internal/store"
)

// startServe runs `shortener serve` in-process with args on a fresh SQLite
// database (seeded with the link "go"); prepare runs on that database
// before the server opens it. It returns the address, the log and a stop
// function that cancels the server and waits for it.
func startServe(t *testing.T, prepare func(dsn string), args ...string) (addr string, log *logLines, stop func() error) {
	t.Helper()
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "db.sqlite")
	seed(t, dsn)
	if prepare != nil {
		prepare(dsn)
	}
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	log = watchLog(pr)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--rate-limit", "0", "--addr-file", addrFile}, args...), io.Discard, pw)
		pw.Close()
	}()
	addr = waitAddr(t, addrFile, done, 20*time.Second, log)
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		err := <-done
		<-log.done
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return addr, log, stop
}

// dialFrom opens a TCP connection to addr from the loopback address src.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// healthz sends GET /healthz on c (keep-alive) and reports whether an
// answer came back.
func healthz(c net.Conn) error {
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// Row 7 of issue 11: a client that trickles its request body is cut off
// at the read timeout, and one IP holds at most --max-conns-per-ip
// connections.
func TestServeDeadlinesAndConnectionCap(t *testing.T) {
	addr, _, _ := startServe(t, nil, "--read-timeout", "1s", "--write-timeout", "2s", "--max-conns-per-ip", "3")

	t.Run("slow body is cut at the read timeout", func(t *testing.T) {
		c := dialFrom(t, "127.0.0.1", addr)
		if _, err := io.WriteString(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		closed := make(chan struct{})
		go func() { // the server's answer, if any, then EOF
			_, _ = io.Copy(io.Discard, c)
			close(closed)
		}()
		tick := time.NewTicker(200 * time.Millisecond) // one byte every 200 ms: the body needs 20 s
		defer tick.Stop()
		for {
			select {
			case <-closed:
				if d := time.Since(start); d > 3*time.Second {
					t.Errorf("cut after %v, want about 1 s", d)
				}
				return
			case <-tick.C:
				_, _ = io.WriteString(c, " ")
				if time.Since(start) > 6*time.Second {
					t.Fatal("a slow body still held its connection after 6 s (read timeout 1 s)")
				}
			}
		}
	})

	t.Run("per-IP connection cap", func(t *testing.T) {
		var conns []net.Conn
		for i := range 3 {
			c := dialFrom(t, "127.0.0.2", addr)
			if err := healthz(c); err != nil {
				t.Fatalf("connection %d of 3: %v", i+1, err)
			}
			conns = append(conns, c)
		}
		extra := dialFrom(t, "127.0.0.2", addr)
		if err := healthz(extra); err == nil {
			t.Fatal("the 4th connection from one IP was served (cap 3)")
		}
		// Another IP is not affected.
		if err := healthz(dialFrom(t, "127.0.0.3", addr)); err != nil {
			t.Fatalf("another IP: %v", err)
		}
		// A closed connection frees its place.
		conns[0].Close()
		var err error
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if err = healthz(dialFrom(t, "127.0.0.2", addr)); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("after closing one connection: %v", err)
		}
		for _, c := range conns[1:] {
			if err := healthz(c); err != nil {
				t.Errorf("a kept connection: %v", err)
			}
		}
	})
}

// A client that never reads a large answer is cut at the write timeout:
// the handler's Write fails instead of blocking forever.
func TestWriteTimeoutCutsAClientThatNeverReads(t *testing.T) {
	wrote := make(chan error, 1)
	big := bytes.Repeat([]byte("x"), 1<<20)
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 256 { // 256 MiB: more than any socket buffer
			if _, err := w.Write(big); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}), time.Second, time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	c := dialFrom(t, "127.0.0.1", ln.Addr().String())
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-wrote:
		if err == nil {
			t.Fatal("256 MiB written to a client that reads nothing")
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("write failed after %v, want about 1 s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the answer's write still blocked after 10 s (write timeout 1 s)")
	}
}

// Row 10 of issue 11: clicks the database refuses (here a trigger that
// fails every insert, as a full disk does) are counted in the shutdown
// line's clicks_dropped.
func TestServeCountsRefusedClicksAsDropped(t *testing.T) {
	addr, log, stop := startServe(t, func(dsn string) {
		client, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if _, err := client.ExecContext(context.Background(), `CREATE TRIGGER fail_clicks BEFORE INSERT ON `+click.Table+
			` BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END`); err != nil {
			t.Fatal(err)
		}
	})
	visit(t, addr, 40)
	_ = stop()
	m := regexp.MustCompile(`msg=stopped clicks_written=(\d+) clicks_dropped=(\d+)`).FindStringSubmatch(log.String())
	if m == nil || m[1] != "0" || m[2] != "40" {
		t.Fatalf("stopped line %q, want clicks_written=0 clicks_dropped=40\n%s", m, log)
	}
	if !strings.Contains(log.String(), "clicks dropped") {
		t.Errorf("no log line for the dropped clicks:\n%s", log)
	}
}
