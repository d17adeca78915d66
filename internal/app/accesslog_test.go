package app_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// --access-log writes a line a request with its status and, on the APIs,
// the request id and the viewer; keys never appear in it.
func TestAccessLog(t *testing.T) {
	var buf lockedBuffer
	s := apptest.New(t, app.Config{AccessLog: true, Log: slog.New(slog.NewJSONHandler(&buf, nil))})
	key := s.Signup(t, "logged")
	if resp, _ := s.Do(t, "GET", "/api/account", key, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("account: %d", resp.StatusCode)
	}
	resp, err := http.Get(s.URL + "/api?key=" + key + "&url=https%3A%2F%2Fexample.com&custom=logged1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, _ := s.Do(t, "GET", "/nosuchalias", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing alias: %d", resp.StatusCode)
	}
	log := buf.String()
	if strings.Contains(log, key) || strings.Contains(log, key[len(key)-12:]) {
		t.Fatalf("the access log shows the key:\n%s", log)
	}
	for _, want := range []string{
		`"msg":"request","method":"GET","path":"/api/account","status":200`,
		`"path":"/api","status":200`,
		`key=REDACTED`,
		`"path":"/nosuchalias","status":404`,
		`"viewer":`, `"request_id":`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %s:\n%s", want, log)
		}
	}
}
