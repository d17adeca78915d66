// Package app wires the server together: database, resolvers, the /graphql,
// /playground, /api and /healthz routes, authentication and rate limits.
// server.go (package main) parses flags into a Config and runs an App.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"shortener/ent"
	"shortener/graph"
	"shortener/internal/account"
	"shortener/internal/analytics"
	"shortener/internal/app/playground"
	"shortener/internal/auth"
	"shortener/internal/ratelimit"
	"shortener/internal/redirect"
	"shortener/internal/shortlink"
	"shortener/internal/store"
	"shortener/rest"
)

// Config is the server's configuration (flags and environment).
type Config struct {
	DB      string // sqlite://PATH or postgres://...
	BaseURL string
	// RateLimit overrides the per-plan limits when set: requests per minute
	// per account (all its API keys together); 0 turns limiting off. Nil uses PlanLimits.
	RateLimit *int
	// PlanLimits are the per-minute budgets of each plan (FREE, PRO).
	PlanLimits     map[string]int
	CountryHeader  string
	GeoIPDB        string
	TrustProxy     bool
	SignupDisabled bool
	// RedirectStatus answers short links: 301, 302 (0 means 302), 307, 308.
	RedirectStatus int
	// Secret signs password-unlock cookies and keys visitor hashes; empty
	// means generated and kept beside a SQLite database (see loadSecret).
	Secret string
	// HSTS adds Strict-Transport-Security to every response (--hsts): for
	// deployments behind TLS.
	HSTS bool
	// CORSOrigins are the origins whose pages may call /graphql and /api
	// (--cors-origins): nil or "*" among them is any origin; a non-nil
	// empty list is none. Never with credentials.
	CORSOrigins []string
	// DomainVerification makes branded domains prove ownership by a DNS TXT
	// record before they serve (the serve flag defaults to on); false
	// verifies every added domain at once (single-tenant installs, tests).
	DomainVerification bool
	// DNSResolver is the host:port of the DNS server TXT lookups ask; empty
	// uses the system resolver.
	DNSResolver string
	// DomainRecheck is how often unverified domains are rechecked (0: every
	// 10 minutes).
	DomainRecheck time.Duration
	// ClickQueue is the capacity of the click queue (0: the default).
	ClickQueue int
	// AccessLog logs a line for every request (--access-log).
	AccessLog bool
	// HomeURL is where / on the base host redirects (--home-url); "" shows
	// a neutral page.
	HomeURL string
	// Metrics serves /metrics (--metrics): MetricsLocal ("" too) to
	// loopback clients not behind a proxy, MetricsPublic to every client,
	// MetricsOff not at all (nothing is counted).
	Metrics string
	// CacheMB is the redirect cache's memory budget in MiB (--cache-mb;
	// 0: redirect.DefaultCacheBytes, 256 MiB).
	CacheMB int
	// LiveLifetime bounds a live clicks stream (websocket or SSE; 0: 1 h)
	// and LiveKeepAlive is its keep-alive interval (0: 15 s).
	LiveLifetime, LiveKeepAlive time.Duration
	// ClickRetention is how long raw click rows are kept (0: forever); the
	// statistics' rollups stay (analytics.WriterOptions.ClickRetention).
	ClickRetention time.Duration
	// QRRenders bounds the QR images drawn at once (0: GOMAXPROCS);
	// QRRenderWaiters the renders waiting for one of those slots (0: 4 per
	// slot) and QRRenderWait how long each waits (0: 2 s). Past them the
	// image route answers 503 with Retry-After: 1.
	QRRenders       int
	QRRenderWaiters int
	QRRenderWait    time.Duration
	// FetchLogo downloads a QR code's logo (logoUrl) and checks it; nil
	// uses the qr package's guarded fetcher. Tests serve logos offline.
	FetchLogo func(ctx context.Context, url string) ([]byte, error)
	Log       *slog.Logger
	Now       func() time.Time
	// EntOptions are extra ent client options; tests use ent.Debug and
	// ent.Log to count the statements a request runs.
	EntOptions []ent.Option
}

// DefaultPlanLimits are the requests per minute of each plan.
var DefaultPlanLimits = map[string]int{"FREE": 30, "PRO": 120}

// keyCacheTTL bounds how long a key change made by another process (the
// admin CLI: user disable, user delete, key revoke) can go unnoticed.
const keyCacheTTL = 30 * time.Second

// App is a running server's parts, all built by New.
type App struct {
	Config   Config
	Client   *ent.Client
	Resolver *graph.Resolver
	Limiter  *ratelimit.Limiter
	// Clicks takes the visits of links and QR codes.
	Clicks analytics.Sink
	// Recorder and Writer are the click pipeline behind Clicks.
	Recorder *analytics.Recorder
	Writer   *analytics.Writer
	// Live fans the stored clicks out to clickRecorded subscribers.
	Live *analytics.Hub
	// Cache holds redirect snapshots.
	Cache *redirect.Cache

	metrics *metrics // nil with --metrics off

	handler http.Handler
	cors    corsPolicy
	keys    *account.KeyCache
	secret  []byte
	geo     *analytics.GeoIP // nil without --geoip
	// The background loops, started last by New: the redirect cache
	// warm-up and, with domain verification, the domain rechecks.
	warm, domainChecks *loop

	shutdownOnce, closeOnce sync.Once
	closeErr                error
}

// New opens the database and builds every part of the server, in the order
// below; nothing is changed after it returns.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PlanLimits == nil {
		cfg.PlanLimits = DefaultPlanLimits
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:8080"
	}
	if err := checkRedirectStatus(cfg.RedirectStatus); err != nil {
		return nil, err
	}
	if err := shortlink.ValidateOptionalURL("--home-url", cfg.HomeURL); err != nil {
		return nil, err
	}
	cors, err := newCORSPolicy(cfg.CORSOrigins)
	if err != nil {
		return nil, err
	}
	if err := checkMetricsMode(cfg.Metrics); err != nil {
		return nil, err
	}

	// The store, then what may fail: the secret and the GeoIP file. On a
	// failure Close releases what was opened.
	client, err := store.Open(ctx, cfg.DB, cfg.EntOptions...)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Client: client, cors: cors}
	if a.secret, err = loadSecret(cfg); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.GeoIPDB != "" {
		if a.geo, err = analytics.OpenGeoIP(cfg.GeoIPDB); err != nil {
			a.Close()
			return nil, err
		}
		if !a.geo.Answers() {
			cfg.Log.Warn("the GeoIP database gives no country for well-known public addresses (8.8.8.8, 1.1.1.1, ...): is it a country database with country.iso_code or country_code records?", "path", cfg.GeoIPDB)
		}
	}
	d := store.DialectOf(cfg.DB)

	// The click pipeline: a non-blocking Recorder, drained by a batch
	// Writer that Shutdown flushes.
	a.Recorder = analytics.NewRecorder(cfg.ClickQueue)
	a.Live = newHub()
	wopts := analytics.WriterOptions{
		Dialect: d, Hasher: analytics.NewHasher(a.secret), GeoIP: a.geo, Log: cfg.Log, Publisher: a.Live,
		ClickRetention: cfg.ClickRetention,
	}
	if cfg.Metrics != MetricsOff {
		a.metrics = newMetrics()
		wopts.ObserveBatch = a.metrics.observeBatch
	}
	a.Writer = analytics.NewWriter(client, a.Recorder, wopts)
	a.Clicks = a.Recorder

	// The resolvers, with all they use.
	res := graph.NewResolver(client, cfg.BaseURL, d)
	res.SignupDisabled = cfg.SignupDisabled
	res.Now = cfg.Now
	res.Log = cfg.Log
	if cfg.FetchLogo != nil {
		res.FetchLogo = cfg.FetchLogo
	}
	res.DomainVerification = cfg.DomainVerification
	res.LookupTXT = txtLookup(cfg.DNSResolver)
	res.Live = a.liveOptions()
	if a.metrics != nil {
		res.Extensions = append(res.Extensions, graphQLMetrics{a.metrics})
	}
	a.Resolver = res

	// The redirect snapshot cache, and the ent hooks that keep the cache
	// and the click rows right on every write path.
	a.Cache = redirect.NewCache(client, redirect.CacheOptions{
		MaxBytes: cfg.CacheMB << 20, Now: cfg.Now, BaseHost: res.BaseHost(),
	})
	a.installHooks()
	if a.metrics != nil {
		a.metrics.registerApp(a)
	}

	// Authentication, rate limits and the handler.
	a.Limiter = ratelimit.New(cfg.Now)
	a.keys = account.NewKeyCache(client, keyCacheTTL)
	a.handler = a.routes()

	// Background work, last: the writer (which first recovers counters a
	// crash left behind), the cache warm-up, the domain rechecks.
	a.Writer.Start()
	a.warm = start(a.warmCache)
	if cfg.DomainVerification {
		a.domainChecks = start(a.recheckDomains)
	}
	return a, nil
}

// StopStreams ends every live click subscription and refuses new ones, so
// open event streams end instead of holding http.Server.Shutdown up: the
// server registers it with RegisterOnShutdown. Later calls do nothing.
func (a *App) StopStreams() { a.Live.Close() }

// Handler is the server's root handler.
func (a *App) Handler() http.Handler { return a.handler }

// Shutdown finishes background work once the caller has drained HTTP
// (http.Server.Shutdown), so every click a request recorded is in the
// queue. In order: stop the background loops (Close waits for them); end
// the live click streams (StopStreams, if the caller has not); flush the
// click writer and stop it; report the clicks a full queue dropped.
// Later calls do nothing.
func (a *App) Shutdown(ctx context.Context) error {
	var err error
	a.shutdownOnce.Do(func() {
		a.domainChecks.stop()
		a.warm.stop()
		a.StopStreams()
		if err = a.Writer.Close(ctx); err != nil {
			return
		}
		if n := a.Recorder.Dropped(); n > 0 {
			a.Config.Log.Warn("clicks dropped because the queue was full", "dropped", n)
		}
		if n := a.Live.Dropped(); n > 0 {
			a.Config.Log.Info("live clicks not delivered to subscribers that read too slowly (all stored)", "dropped", n)
		}
	})
	return err
}

// Close releases the database and the GeoIP file. Call Shutdown first: it
// flushes the clicks. In order: wait for the background loops, so none
// reads a closed database; close the store; close the GeoIP file. Later
// calls return the first call's error.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		a.warm.wait()
		a.domainChecks.wait()
		a.closeErr = a.Client.Close()
		if a.geo != nil {
			_ = a.geo.Close()
		}
	})
	return a.closeErr
}

// loop is a background goroutine: stop cancels its context, wait also
// waits for it to return. A nil loop (never started) does nothing.
type loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs f in a goroutine with a context that stop cancels.
func start(f func(context.Context)) *loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		f(ctx)
	}()
	return l
}

func (l *loop) stop() {
	if l != nil {
		l.cancel()
	}
}

func (l *loop) wait() {
	if l != nil {
		l.cancel()
		<-l.done
	}
}

// routes is the root handler: the router behind the fast alias path and
// the middleware every response passes.
func (a *App) routes() http.Handler {
	r, pub := a.router()
	// GET /{alias}, the hot path, skips the router (the top-level routes
	// stay with it); a panic there is recovered the same way.
	var h http.Handler = redirect.FastAlias(pub, r, shortlink.RouteNames()...)
	h = securityHeaders(h, a.Config.HSTS)
	h = middleware.Recoverer(h)
	if a.Config.AccessLog {
		h = a.accessLog(h)
	}
	if a.Config.TrustProxy {
		h = forwardedFor(h)
	}
	if a.metrics != nil {
		// Outermost: the time of everything the server does.
		own := map[string]bool{}
		for _, n := range shortlink.RouteNames() {
			own[n] = true
		}
		h = a.metrics.middleware(h, own)
	}
	return h
}

// router routes every request: the top-level routes of shortlink.Routes
// (TestRouterServesTheRouteTable holds them to it), then the public
// handler's /{alias} and catch-all 404.
func (a *App) router() (*chi.Mux, *redirect.Handler) {
	r := chi.NewRouter() // panics: Recoverer around the whole handler, in routes

	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Get("/readyz", a.readyz)
	r.Get("/metrics", a.serveMetrics().ServeHTTP)
	// The explorer, from files embedded in the binary (no CDN, works
	// offline): the page at /playground, its scripts and styles below it.
	pg := playground.Handler("/playground", "/graphql")
	r.Handle("/playground", pg)
	r.Handle("/playground/*", pg)

	lookup := a.lookupKey
	budget := a.budget()
	gqlRefuse := a.metrics.refusals(classGraphQL, writeGraphQLError)
	apiRefuse := a.metrics.refusals(classAPI, rest.WriteError)

	// Request ids only for the APIs, which log them: making one costs the
	// redirect path four allocations (the id, a context, a request copy).
	r.Route("/graphql", func(r chi.Router) {
		r.Use(a.cors.middleware) // first: preflights need no key and no budget
		r.Use(middleware.RequestID)
		r.Use(noStore(false))
		r.Use(auth.Middleware(lookup, false, a.refuse(gqlRefuse)))
		r.Use(ratelimit.Middleware(a.Limiter, budget, gqlRefuse))
		r.Use(noteRequest)
		r.Handle("/", graph.NewHandler(a.Resolver))
	})
	// The OpenAPI document is public: no key, no budget. Other methods on
	// its path go on to /api below (and its key check).
	r.With(a.cors.middleware).Get("/api"+rest.OpenAPIPath, rest.OpenAPI)
	r.Route("/api", func(r chi.Router) {
		r.Use(a.cors.middleware)
		r.Use(middleware.RequestID)
		r.Use(noStore(true))
		// The older API generations send their key in the query string
		// (or as "Token KEY" on their own routes): LegacyKey hands it to the
		// same key check, for those routes only. No log line shows a query
		// string unredacted (rest.RedactQuery).
		r.Use(rest.LegacyKey)
		r.Use(auth.Middleware(lookup, true, a.refuse(apiRefuse)))
		r.Use(ratelimit.Middleware(a.Limiter, budget, apiRefuse))
		r.Use(noteRequest)
		h := &rest.Handler{Resolver: a.Resolver}
		r.Mount("/", h.Routes())
	})
	pub := a.publicRoutes()
	pub.Mount(r) // last: /qr, /r and /u, and /{alias} on every host
	return r, pub
}

// lookupKey finds the viewer of an API key.
func (a *App) lookupKey(ctx context.Context, key string) (*auth.Viewer, error) {
	return a.keys.Authenticate(ctx, key, a.Config.Now())
}

// budget counts a request against the viewer's account (every key of an
// account shares one budget) at the viewer's plan limit;
// requests without a key (GraphQL sign-up) count against the client IP at
// the free limit.
func (a *App) budget() ratelimit.Budget {
	return func(r *http.Request) (string, int) {
		v := auth.ViewerFrom(r.Context())
		if v == nil {
			return a.anonymousBudget(r)
		}
		return fmt.Sprintf("user:%d", v.UserID), a.planLimit(v.Plan)
	}
}

func (a *App) anonymousBudget(r *http.Request) (string, int) {
	return "ip:" + analytics.ClientIP(r), a.planLimit("FREE")
}

// planLimit is --rate-limit when given, else the plan's limit.
func (a *App) planLimit(plan string) int {
	if a.Config.RateLimit != nil {
		return *a.Config.RateLimit
	}
	return a.Config.PlanLimits[plan]
}

// refuse wraps the writer of authentication failures: a request with a
// missing or bad key counts against its client address first, so a 401
// carries the X-RateLimit-* headers like every other response and guessing
// keys is throttled (429 once the address's budget is spent).
func (a *App) refuse(write ratelimit.Failure) auth.Failure {
	return func(w http.ResponseWriter, r *http.Request, status int, msg string) {
		if status == http.StatusUnauthorized {
			key, limit := a.anonymousBudget(r)
			if !a.Limiter.Check(w, r, key, limit, write) {
				return
			}
		}
		write(w, r, status, msg)
	}
}

// writeGraphQLError answers a request refused before GraphQL ran (bad key,
// rate limit) in the GraphQL error shape.
// Per GraphQL over HTTP, an application/json client gets 200 for a refused
// key (the code says UNAUTHENTICATED), a graphql-response+json client 401;
// a rate limit is 429 for both, with its Retry-After.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	code := graphQLCode(status)
	if graph.WantsGraphQLResponse(r) {
		w.Header().Set("Content-Type", "application/graphql-response+json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if status == http.StatusUnauthorized {
			status = http.StatusOK
		}
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
		"data":   nil,
	})
}

// graphQLCode is the error code of a request refused before GraphQL ran
// with status.
func graphQLCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "RATE_LIMITED"
	case http.StatusInternalServerError:
		return "INTERNAL"
	}
	return "UNAUTHENTICATED"
}

// forwardedFor takes the client IP from X-Forwarded-For (--trust-proxy): the
// rightmost entry, the one our own proxy appended; entries further left come
// from the client and can be forged.
func forwardedFor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				r.RemoteAddr = net.JoinHostPort(ip.String(), "0")
			}
		}
		next.ServeHTTP(w, r)
	})
}
