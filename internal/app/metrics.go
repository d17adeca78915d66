package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"shortener/internal/ratelimit"
)

// /metrics (--metrics): Prometheus text format from a registry of the App's
// own (never the global one, so one process may run several servers).
//
// Cost on the redirect path: the request counters and the latency
// histogram are resolved once per route class and status class when the
// App is built (an Inc or Observe is an atomic add); the status is caught
// by a pooled writer, so a redirect allocates nothing for metrics. The
// click pipeline and the redirect cache are read when scraped (CounterFunc,
// GaugeFunc), not counted again per request.

// Metrics modes (Config.Metrics, --metrics).
const (
	MetricsLocal  = "local"  // the default: loopback clients only, not through a proxy
	MetricsPublic = "public" // every client
	MetricsOff    = "off"    // /metrics answers 404 and nothing is counted
)

func checkMetricsMode(mode string) error {
	switch mode {
	case "", MetricsLocal, MetricsPublic, MetricsOff:
		return nil
	}
	return fmt.Errorf("--metrics must be local, public or off, got %q", mode)
}

// routeClass is the label requests are counted under: a small fixed set,
// never the path, so the label's cardinality is bounded.
type routeClass uint8

const (
	classRedirect   routeClass = iota // /{alias} and /r/{slug} answered with a redirect
	classPage                         // /, /{alias}, /r/, /u/ answered otherwise (pages, 404s)
	classQR                           // /qr/...
	classAPI                          // /api/...
	classGraphQL                      // /graphql
	classPlayground                   // /playground...
	classHealth                       // /healthz, /readyz
	classOther                        // /metrics and every other path
	numClasses
)

var classNames = [numClasses]string{"redirect", "page", "qr", "api", "graphql", "playground", "health", "other"}

var statusClasses = [5]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// maxOpNames bounds the operation names GraphQL operations are counted
// under: names are the client's to choose, so past the first maxOpNames
// distinct ones (or longer than maxOpNameLen) a name counts as "other".
// maxErrorCodes does the same for error codes (the server's own, but a
// bound costs nothing).
const (
	maxOpNames    = 100
	maxOpNameLen  = 64
	maxErrorCodes = 50
)

type metrics struct {
	reg *prometheus.Registry

	requests  [numClasses][len(statusClasses)]prometheus.Counter
	latency   [numClasses]prometheus.Observer
	redirects prometheus.Counter
	limited   [numClasses]prometheus.Counter // api and graphql only
	batches   [2]prometheus.Observer         // failed, committed

	gqlOps    *prometheus.CounterVec
	gqlErrors *prometheus.CounterVec
	namesMu   sync.Mutex
	opNames   map[string]bool
	codes     map[string]bool

	writers sync.Pool // *statusWriter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), opNames: map[string]bool{}, codes: map[string]bool{}}
	m.writers.New = func() any { return new(statusWriter) }
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shortener_http_requests_total",
		Help: "HTTP requests answered, by route class and status class.",
	}, []string{"route", "status"})
	lat := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "shortener_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by route class (live event streams and websockets are not observed).",
		// From a cached redirect (tens of µs) to a slow API call.
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.redirects = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "shortener_redirects_total",
		Help: "Short links and rotators answered with a redirect.",
	})
	limited := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shortener_rate_limited_total",
		Help: "API requests refused with 429 because the account's or address's budget was spent.",
	}, []string{"route"})
	batches := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shortener_click_batch_duration_seconds",
		Help:    "Time of one click batch transaction in the database (begin to commit), by result.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"result"})
	m.gqlOps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shortener_graphql_operations_total",
		Help: fmt.Sprintf("GraphQL operations run (parsed and valid), by type and operation name (anonymous for none; other past %d distinct names).", maxOpNames),
	}, []string{"type", "name"})
	m.gqlErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shortener_graphql_errors_total",
		Help: "Errors in GraphQL responses, by extensions.code (requests refused before GraphQL ran included).",
	}, []string{"code"})
	for c := range numClasses {
		for s := range statusClasses {
			m.requests[c][s] = reqs.WithLabelValues(classNames[c], statusClasses[s])
		}
		m.latency[c] = lat.WithLabelValues(classNames[c])
	}
	m.limited[classAPI] = limited.WithLabelValues("api")
	m.limited[classGraphQL] = limited.WithLabelValues("graphql")
	m.batches[0] = batches.WithLabelValues("error")
	m.batches[1] = batches.WithLabelValues("ok")
	m.reg.MustRegister(reqs, lat, m.redirects, limited, batches, m.gqlOps, m.gqlErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observeBatch is the click writer's WriterOptions.ObserveBatch.
func (m *metrics) observeBatch(d time.Duration, ok bool) {
	i := 0
	if ok {
		i = 1
	}
	m.batches[i].Observe(d.Seconds())
}

// registerApp adds the collectors read at scrape time: the click pipeline,
// the live click hub and the redirect cache.
func (m *metrics) registerApp(a *App) {
	counter := func(name, help string, labels prometheus.Labels, f func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return float64(f()) })
	}
	gauge := func(name, help string, f func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	m.reg.MustRegister(
		counter("shortener_clicks_queued_total", "Clicks and scans queued for the writer.", nil, a.Recorder.Accepted),
		counter("shortener_clicks_written_total", "Clicks and scans stored.", nil, a.Writer.Written),
		counter("shortener_clicks_dropped_total", "Clicks and scans lost: the queue was full, or the database refused them after every retry.",
			prometheus.Labels{"reason": "queue_full"}, a.Recorder.Dropped),
		counter("shortener_clicks_dropped_total", "Clicks and scans lost: the queue was full, or the database refused them after every retry.",
			prometheus.Labels{"reason": "database"}, a.Writer.Failed),
		counter("shortener_live_clicks_dropped_total", "Live clicks not delivered to subscribers that read too slowly (all stored).", nil, a.Live.Dropped),
		gauge("shortener_click_queue_depth", "Clicks and scans waiting for the writer.", a.Recorder.Queued),
		gauge("shortener_click_queue_capacity", "The most clicks and scans the queue holds (--click-queue); past it they are dropped.", a.Recorder.Capacity),
		counter("shortener_redirect_cache_hits_total", "Redirect cache lookups answered from memory.", nil, func() uint64 { return a.Cache.Stats().Hits }),
		counter("shortener_redirect_cache_misses_total", "Redirect cache lookups that loaded the link from the database.", nil, func() uint64 { return a.Cache.Stats().Misses }),
		gauge("shortener_redirect_cache_bytes", "Memory the redirect cache holds of its budget.", a.Cache.Bytes),
		gauge("shortener_redirect_cache_budget_bytes", "The redirect cache's memory budget (--cache-mb).", a.Cache.Budget),
		gauge("shortener_redirect_cache_entries", "Snapshots in the redirect cache.", a.Cache.Len),
	)
}

// classify is the route class of a request before it is answered; alias
// reports a path the public handler answers with a redirect or a page
// (decided by the status, in finish).
func classify(r *http.Request, own map[string]bool) (c routeClass, alias bool) {
	p := r.URL.Path
	if len(p) < 2 || p[0] != '/' {
		return classPage, false
	}
	seg, rest, multi := strings.Cut(p[1:], "/")
	if !multi && !own[seg] {
		return classPage, true // /{alias}
	}
	switch seg {
	case "r":
		return classPage, multi && !strings.Contains(rest, "/")
	case "u":
		return classPage, false
	case "qr":
		return classQR, false
	case "api":
		return classAPI, false
	case "graphql":
		return classGraphQL, false
	case "playground":
		return classPlayground, false
	case "healthz", "readyz":
		return classHealth, false
	}
	return classOther, false
}

// middleware counts every request and times it; own are the top-level
// routes (shortlink.RouteNames).
func (m *metrics) middleware(next http.Handler, own map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c, alias := classify(r, own)
		var status int
		observe := true
		if alias {
			// The redirect path: a pooled writer that only keeps the
			// status (the alias and rotator routes neither flush nor
			// hijack).
			sw := m.writers.Get().(*statusWriter)
			sw.ResponseWriter, sw.status = w, 0
			next.ServeHTTP(sw, r)
			status = sw.status
			sw.ResponseWriter = nil
			m.writers.Put(sw)
			if status >= 300 && status < 400 {
				c = classRedirect
				m.redirects.Inc()
			}
		} else {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			status = ww.Status()
			// A websocket or an event stream lasts as long as the client
			// stays: its time is not a latency.
			observe = status != http.StatusSwitchingProtocols && !strings.HasPrefix(ww.Header().Get("Content-Type"), "text/event-stream")
		}
		if status == 0 {
			status = http.StatusOK
		}
		s := status/100 - 1
		if s < 0 || s >= len(statusClasses) {
			s = len(statusClasses) - 1
		}
		m.requests[c][s].Inc()
		if observe {
			m.latency[c].Observe(time.Since(start).Seconds())
		}
	})
}

// statusWriter keeps the status a handler answers with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// refusals wraps an API's refusal writer: a 429 is counted as a rate-limit
// refusal of class c.
func (m *metrics) refusals(c routeClass, write ratelimit.Failure) ratelimit.Failure {
	if m == nil {
		return write
	}
	return func(w http.ResponseWriter, r *http.Request, status int, msg string) {
		if status == http.StatusTooManyRequests {
			m.limited[c].Inc()
		}
		if c == classGraphQL {
			m.countError(graphQLCode(status))
		}
		write(w, r, status, msg)
	}
}

// countError counts one GraphQL error of code; past maxErrorCodes distinct
// codes, as "other".
func (m *metrics) countError(code string) {
	m.namesMu.Lock()
	if !m.codes[code] {
		if len(m.codes) >= maxErrorCodes {
			code = "other"
		} else {
			m.codes[code] = true
		}
	}
	m.namesMu.Unlock()
	m.gqlErrors.WithLabelValues(code).Inc()
}

// opName is the label of an operation's name: anonymous, the name, or
// other once maxOpNames names are known.
func (m *metrics) opName(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > maxOpNameLen {
		return "other"
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if !m.opNames[name] {
		if len(m.opNames) >= maxOpNames {
			return "other"
		}
		m.opNames[name] = true
	}
	return name
}

// graphQLMetrics is the GraphQL handler extension that counts operations
// (once each, subscriptions included) and the errors of every response
// (parse and validation errors included).
type graphQLMetrics struct{ m *metrics }

var (
	_ graphql.HandlerExtension     = graphQLMetrics{}
	_ graphql.OperationInterceptor = graphQLMetrics{}
	_ graphql.ResponseInterceptor  = graphQLMetrics{}
)

func (graphQLMetrics) ExtensionName() string                          { return "Metrics" }
func (graphQLMetrics) Validate(schema graphql.ExecutableSchema) error { return nil }

func (g graphQLMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			typ := "query"
			switch op.Operation {
			case ast.Mutation:
				typ = "mutation"
			case ast.Subscription:
				typ = "subscription"
			}
			g.m.gqlOps.WithLabelValues(typ, g.m.opName(op.Name)).Inc()
		}
	}
	return next(ctx)
}

func (g graphQLMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil {
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" {
				code = "none"
			}
			g.m.countError(code)
		}
	}
	return resp
}

// serveMetrics is /metrics: the registry in the Prometheus text format, to
// the clients the mode allows; 404 when metrics are off.
func (a *App) serveMetrics() http.Handler {
	if a.metrics == nil {
		return http.HandlerFunc(http.NotFound)
	}
	h := promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{ErrorLog: nil})
	if a.Config.Metrics == MetricsPublic {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.localClient(r) {
			http.Error(w, "metrics are served to loopback clients only (--metrics public serves every client)", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// localClient reports whether r comes from a loopback address and not
// through a proxy: without --trust-proxy a request a local reverse proxy
// forwards (X-Forwarded-For, Forwarded, X-Real-IP) comes from anywhere;
// with it, the client address is already the forwarded one.
func (a *App) localClient(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return false
	}
	if !a.Config.TrustProxy {
		for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
			if r.Header.Get(h) != "" {
				return false
			}
		}
	}
	return true
}
