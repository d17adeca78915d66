package rest_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
)

// BenchmarkURLAddParallel is bench/create.sh in-process: POST /api/url/add
// with the same body from 16 goroutines at once (wrk's 16 connections),
// straight into the app's handler, so ns/op is the server's time per
// creation with both CPUs busy and allocs/op its allocations (plus the
// recorder's). Every creation must be stored.
func BenchmarkURLAddParallel(b *testing.B) {
	s := apptest.New(b, app.Config{})
	key := s.Signup(b, "bench")
	h := s.App.Handler()
	body := []byte(`{"url":"https://example.com/some/long/path?x=1"}`)
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/api/url/add", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"shorturl"`) {
				b.Errorf("add: %d %s", w.Code, w.Body)
				return
			}
		}
	})
	b.StopTimer()
	n, err := s.App.Client.Link.Query().Count(auth.SystemContext(context.Background()))
	if err != nil || n < b.N {
		b.Fatalf("%d links stored after %d creations (%v)", n, b.N, err)
	}
}
