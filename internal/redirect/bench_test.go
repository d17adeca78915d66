package redirect_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"shortener/ent"
	"shortener/internal/app"
	"shortener/internal/auth"
	"shortener/internal/store/storetest"
)

// benchApp is the whole server handler (router, middleware, redirect,
// click recording into the real batch writer and SQLite) with n links
// aliased l0..l{n-1}.
func benchApp(b *testing.B, n int) http.Handler {
	b.Helper()
	return benchAppConfig(b, n, app.Config{})
}

// benchAppConfig is benchApp with cfg (its DB, BaseURL and Log are set).
func benchAppConfig(b *testing.B, n int, cfg app.Config) http.Handler {
	b.Helper()
	ctx := context.Background()
	// The writer can't keep up with a handler called in a tight loop on
	// the same CPUs: its drop warning at shutdown is expected, so quiet.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.DB, cfg.BaseURL, cfg.Log = storetest.DSN(b), "http://sho.rt", quiet
	a, err := app.New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = a.Shutdown(context.Background())
		a.Close()
	})
	sys := auth.SystemContext(ctx)
	u, err := a.Client.User.Create().SetEmail("b@example.com").SetUsername("b").SetPasswordHash("x").Save(sys)
	if err != nil {
		b.Fatal(err)
	}
	creates := make([]*ent.LinkCreate, n)
	for i := range creates {
		creates[i] = a.Client.Link.Create().SetOwnerID(u.ID).SetAlias(fmt.Sprintf("l%d", i)).SetLongURL(fmt.Sprintf("https://example.com/page/%d", i))
	}
	if err := a.Client.Link.CreateBulk(creates...).Exec(sys); err != nil {
		b.Fatal(err)
	}
	return a.Handler()
}

// BenchmarkRedirectCacheHit measures one redirect through the full handler
// when the snapshot is cached: route, cache lookup, Decide, 302, and the
// click handed to the recorder (the writer stores it concurrently).
func BenchmarkRedirectCacheHit(b *testing.B) {
	benchRedirectCacheHit(b, benchApp(b, 1))
}

// BenchmarkRedirectCacheHitMetricsOff is BenchmarkRedirectCacheHit with
// --metrics off: the difference is what metrics cost a redirect.
func BenchmarkRedirectCacheHitMetricsOff(b *testing.B) {
	benchRedirectCacheHit(b, benchAppConfig(b, 1, app.Config{Metrics: app.MetricsOff}))
}

func benchRedirectCacheHit(b *testing.B, h http.Handler) {
	req := httptest.NewRequest(http.MethodGet, "http://sho.rt/l0", nil)
	req.Header.Set("User-Agent", chromeUA)
	req.RemoteAddr = "192.0.2.1:1234"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req) // fill the cache
	if w.Code != http.StatusFound {
		b.Fatalf("status %d", w.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := discard{h: http.Header{}}
		h.ServeHTTP(&w, req)
		if w.code != http.StatusFound {
			b.Fatalf("status %d", w.code)
		}
	}
}

// BenchmarkRedirectCacheHitParallel is the same on every CPU, over 1,000
// links.
func BenchmarkRedirectCacheHitParallel(b *testing.B) {
	const links = 1000
	h := benchApp(b, links)
	reqs := make([]*http.Request, links)
	for i := range reqs {
		reqs[i] = httptest.NewRequest(http.MethodGet, fmt.Sprintf("http://sho.rt/l%d", i), nil)
		reqs[i].Header.Set("User-Agent", chromeUA)
		reqs[i].RemoteAddr = "192.0.2.1:1234"
		h.ServeHTTP(httptest.NewRecorder(), reqs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			w := discard{h: http.Header{}}
			h.ServeHTTP(&w, reqs[i%links])
			i++
		}
	})
}

// discard is a ResponseWriter that keeps only the status, so the benchmark
// measures the handler and not httptest.ResponseRecorder.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }
