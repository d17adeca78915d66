// Command shortener is a self-hosted link-management server: short links,
// QR codes, branded domains, campaigns and click analytics, over a GraphQL
// API and a REST API compatible with the legacy one.
//
//	shortener serve [flags]
//	shortener user create --email E --username U --password P [--plan free|pro] [--admin]
//	shortener user|key|domain ... (the admin CLI: see cli_admin.go and usage)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"shortener/ent/domain"
	"shortener/ent/user"
	"shortener/graph"
	"shortener/internal/account"
	"shortener/internal/analytics"
	"shortener/internal/app"
	"shortener/internal/auth"
	"shortener/internal/hostname"
	"shortener/internal/redirect"
	"shortener/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		os.Exit(1) // run has said why on stderr
	}
}

const usage = `usage:
  shortener serve [--addr :8080] [--db DSN] [--base-url URL] [--rate-limit N] ...
  shortener user create --email E --username U --password P [--plan free|pro] [--admin] [--db DSN]
  shortener user list [--limit N] [--offset N | --after-id N] [--json] [--db DSN]
  shortener user show --id N | --email E | --username U [--json] [--db DSN]
  shortener user disable|enable --id N [--json] [--db DSN]
  shortener user delete --id N --yes [--json] [--db DSN]
  shortener user set-plan --id N --plan free|pro [--expires DATE] [--json] [--db DSN]
  shortener user set-admin --id N --admin=true|false [--json] [--db DSN]
  shortener key list --user N [--json] [--db DSN]
  shortener key create --user N [--name NAME] [--expires DATE] [--json] [--db DSN]
  shortener key revoke --id N [--json] [--db DSN]
  shortener domain list [--user N] [--json] [--db DSN]
  shortener domain verify --host HOST [--id N] [--db DSN]
  shortener backup --to FILE [--db DSN]
  shortener export links|clicks --user N [--db DSN] [--out FILE] [--link ID] [--from DATE] [--to DATE]
  shortener --version
  shortener stats rebuild [--db DSN]
run "shortener serve -h" for every flag`

// run is main without the process: tests call it with their own context,
// arguments and output. A failure is reported on stderr and returned (main
// exits 1); -h prints the flags and is not a failure.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer func() {
		if errors.Is(err, flag.ErrHelp) {
			err = nil
		} else if err != nil {
			fmt.Fprintln(stderr, "shortener:", err)
		}
	}()
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("missing command")
	}
	if cmd := adminCommand(args); cmd != nil { // cli_admin.go
		return cmd(ctx, args[2:], stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "user":
		if len(args) > 1 && args[1] == "create" {
			return userCreate(ctx, args[2:], stdout, stderr)
		}
	case "domain":
		if len(args) > 1 && args[1] == "verify" {
			return domainVerify(ctx, args[2:], stdout, stderr)
		}
	case "backup":
		return backup(ctx, args[1:], stdout, stderr)
	case "export":
		return exportCmd(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "shortener", version())
		return nil
	case "stats":
		if len(args) > 1 && args[1] == "rebuild" {
			return statsRebuild(ctx, args[2:], stdout, stderr)
		}
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// envDuration is the duration in the environment variable name, or def
// when it is unset or not a duration.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

// splitList is a comma-separated flag's entries, trimmed, the empty ones
// dropped; never nil, so an empty flag is an empty list.
func splitList(s string) []string {
	out := []string{}
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("ADDR", ":8080"), "listen address [ADDR]")
	db := fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH or postgres://... [DATABASE_URL]")
	baseURL := fs.String("base-url", env("BASE_URL", "http://localhost:8080"), "prefix of every short URL [BASE_URL]")
	rateLimit := fs.String("rate-limit", env("RATE_LIMIT", ""), "requests per minute per API key, overriding the plan limits (free 30, pro 120); 0 disables [RATE_LIMIT]")
	countryHeader := fs.String("country-header", env("COUNTRY_HEADER", ""), "request header holding the visitor's ISO country code, e.g. CF-IPCountry [COUNTRY_HEADER]")
	geoIP := fs.String("geoip-db", env("GEOIP_DB", ""), "MaxMind-format country database [GEOIP_DB]")
	trustProxy := fs.Bool("trust-proxy", envBool("TRUST_PROXY"), "take the client IP from X-Forwarded-For [TRUST_PROXY]")
	redirectStatus := fs.Int("redirect-status", envInt("REDIRECT_STATUS", 302), "status of short-link redirects: 301, 302, 307 or 308 [REDIRECT_STATUS]")
	secret := fs.String("secret", env("SECRET", ""), "server secret (16+ characters) for password-unlock cookies and visitor hashes; default: generated and kept in DBPATH.secret for SQLite, random per process for PostgreSQL [SECRET]")
	noSignup := fs.Bool("disable-signup", envBool("DISABLE_SIGNUP"), "turn off the public signup mutation [DISABLE_SIGNUP]")
	hstsOn := fs.Bool("hsts", envBool("HSTS"), "send Strict-Transport-Security (one year, subdomains) on every response; for deployments behind TLS [HSTS]")
	pprofAddr := fs.String("pprof", env("PPROF_ADDR", ""), "serve net/http/pprof on this loopback address, e.g. 127.0.0.1:6060; off by default [PPROF_ADDR]")
	readTimeout := fs.Duration("read-timeout", envDuration("READ_TIMEOUT", 30*time.Second), "longest a request (headers and body) may take to arrive; 0 disables [READ_TIMEOUT]")
	writeTimeout := fs.Duration("write-timeout", envDuration("WRITE_TIMEOUT", 60*time.Second), "longest the answer to a request may take to be sent, from the end of its headers; 0 disables [WRITE_TIMEOUT]")
	maxConnsPerIP := fs.Int("max-conns-per-ip", envInt("MAX_CONNS_PER_IP", 256), "open connections one client IP may hold; more are closed on accept; 0 disables [MAX_CONNS_PER_IP]")
	verification := fs.String("domain-verification", env("DOMAIN_VERIFICATION", "on"), "branded domains serve only once a DNS TXT record proves ownership: on, or off (false) to verify every added domain at once [DOMAIN_VERIFICATION]")
	dnsResolver := fs.String("dns-resolver", env("DNS_RESOLVER", ""), "host:port of the DNS server asked for domain verification records; default: the system resolver [DNS_RESOLVER]")
	cacheMB := fs.Int("cache-mb", envInt("CACHE_MB", redirect.DefaultCacheBytes>>20), "memory budget of the redirect cache in MiB (a plain link costs ~116 bytes plus its alias and URL: the default holds a million links with URLs up to ~150 bytes) [CACHE_MB]")
	metrics := fs.String("metrics", env("METRICS", app.MetricsLocal), "serve Prometheus metrics at /metrics: local (loopback clients only, never through a proxy), public (every client: restrict it yourself), or off [METRICS]")
	homeURL := fs.String("home-url", env("HOME_URL", ""), "where / on the base host redirects; default: a neutral page [HOME_URL]")
	accessLog := fs.Bool("access-log", envBool("ACCESS_LOG"), "log a line for every request: method, path, query (keys redacted), status, bytes, duration, client, request id and viewer for the APIs [ACCESS_LOG]")
	logFormat := fs.String("log-format", env("LOG_FORMAT", "text"), "log lines as text (key=value) or json [LOG_FORMAT]")
	corsOrigins := fs.String("cors-origins", env("CORS_ORIGINS", "*"), "origins whose pages may call /graphql and /api from a browser, comma-separated (https://app.example.com,http://localhost:3000); * is any origin, empty is none; never with credentials [CORS_ORIGINS]")
	clickRetention := fs.Duration("click-retention", envDuration("CLICK_RETENTION", 0), "delete raw click rows older than this (e.g. 2160h), keeping the statistics' hourly rollups; 0 keeps them forever [CLICK_RETENTION]")
	addrFile := fs.String("addr-file", env("ADDR_FILE", ""), "once listening, write the listening address (host:port) to this file; useful with --addr 127.0.0.1:0 [ADDR_FILE]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *readTimeout < 0 || *writeTimeout < 0 || *maxConnsPerIP < 0 || *clickRetention < 0 {
		return errors.New("--read-timeout, --write-timeout, --max-conns-per-ip and --click-retention must be >= 0")
	}
	if *cacheMB < 1 || *cacheMB > 1<<20 {
		return fmt.Errorf("--cache-mb must be between 1 and %d, got %d", 1<<20, *cacheMB)
	}
	verify, err := parseOnOff(*verification)
	if err != nil {
		return fmt.Errorf("--domain-verification: %w", err)
	}
	if *addrFile != "" {
		// A file left by an earlier run must not be taken for this one's.
		if err := os.Remove(*addrFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("--addr-file: %w", err)
		}
	}
	log, err := newLogger(*logFormat, stderr)
	if err != nil {
		return err
	}
	cfg := app.Config{
		DB: *db, BaseURL: *baseURL, CountryHeader: *countryHeader, GeoIPDB: *geoIP,
		TrustProxy: *trustProxy, SignupDisabled: *noSignup, Log: log,
		RedirectStatus: *redirectStatus, Secret: *secret, HSTS: *hstsOn,
		DomainVerification: verify, DNSResolver: *dnsResolver, CacheMB: *cacheMB,
		CORSOrigins: splitList(*corsOrigins), AccessLog: *accessLog, ClickRetention: *clickRetention, HomeURL: *homeURL, Metrics: *metrics,
	}
	if *rateLimit != "" {
		n, err := strconv.Atoi(*rateLimit)
		if err != nil || n < 0 {
			return fmt.Errorf("--rate-limit must be a number >= 0, got %q", *rateLimit)
		}
		cfg.RateLimit = &n
	}
	if *pprofAddr != "" {
		ps, err := listenPprof(*pprofAddr, log)
		if err != nil {
			return err
		}
		defer ps.Close()
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *addrFile != "" {
		if err := writeAddrFile(*addrFile, ln.Addr().String()); err != nil {
			ln.Close()
			return fmt.Errorf("--addr-file: %w", err)
		}
	}
	ln = limitConnsPerIP(ln, *maxConnsPerIP)
	srv := newHTTPServer(a.Handler(), *readTimeout, *writeTimeout)
	srv.RegisterOnShutdown(a.StopStreams) // live click streams end, not wait
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "db", strings.SplitN(cfg.DB, "://", 2)[0])

	select {
	case err := <-errc:
		// The listener failed: still write the clicks already taken.
		_ = a.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Stop accepting and let in-flight requests finish, then flush the
	// clicks they recorded; the flush runs even if draining timed out.
	httpErr := srv.Shutdown(shutdownCtx)
	flushCtx, cancelFlush := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelFlush()
	if err := a.Shutdown(flushCtx); err != nil {
		return fmt.Errorf("flush clicks: %w", err)
	}
	if httpErr != nil {
		return fmt.Errorf("shutdown: %w", httpErr)
	}
	// Dropped: refused by a full queue, or given up by the writer after
	// its retries (the database refused them).
	log.Info("stopped", "clicks_written", a.Writer.Written(), "clicks_dropped", a.Recorder.Dropped()+a.Writer.Dropped())
	return nil
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH or postgres://... [DATABASE_URL]")
	email := fs.String("email", "", "email address (required)")
	username := fs.String("username", "", "username (required)")
	password := fs.String("password", "", fmt.Sprintf("password, 8 to %d bytes (required)", auth.MaxPasswordBytes))
	plan := fs.String("plan", "free", "free or pro")
	admin := fs.Bool("admin", false, "an admin account: may use the API's admin routes (user/create, user/get)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	client, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()
	u, key, err := account.CreateUser(ctx, client, account.NewUser{
		Email: *email, Username: *username, Password: *password, Plan: user.Plan(strings.ToUpper(*plan)), Admin: *admin,
	})
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(struct {
		ID       int    `json:"id"`
		Email    string `json:"email"`
		Username string `json:"username"`
		APIKey   string `json:"apiKey"`
	}{u.ID, u.Email, u.Username, key})
}

// parseOnOff reads on/off or a boolean.
func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("want on or off, got %q", v)
	}
	return b, nil
}

// domainVerify marks a branded domain verified for an operator: the claim
// of --host (several accounts may claim one host; --id picks one).
func domainVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("domain verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH or postgres://... [DATABASE_URL]")
	host := fs.String("host", "", "the domain's host name (required)")
	id := fs.Int("id", 0, "the domain's id, when several accounts claim the host")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	h, err := hostname.Normalize(*host)
	if err != nil {
		return fmt.Errorf("--host: %w", err)
	}
	client, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()
	sys := auth.SystemContext(ctx)
	q := client.Domain.Query().Where(domain.HostEQ(h))
	if *id != 0 {
		q = q.Where(domain.IDEQ(*id))
	}
	ds, err := q.All(sys)
	if err != nil {
		return err
	}
	switch {
	case len(ds) == 0:
		return fmt.Errorf("no domain %s", h)
	case len(ds) > 1:
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = fmt.Sprintf("%d (user %d)", d.ID, d.OwnerID)
		}
		return fmt.Errorf("%d accounts claim %s: pass --id, one of %s", len(ds), h, strings.Join(ids, ", "))
	}
	if err := graph.MarkDomainVerified(sys, client, ds[0].ID, time.Now()); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(struct {
		ID       int    `json:"id"`
		Host     string `json:"host"`
		Verified bool   `json:"verified"`
	}{ds[0].ID, h, true})
}

// statsRebuild recomputes the statistics' rollups (and the first_visit
// flags rows written before them lack) from the click rows, and prints
// {"clicks":N} on stdout. Run it with the server stopped.
func statsRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stats rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH or postgres://... [DATABASE_URL]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	client, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()
	n, err := analytics.Rebuild(ctx, client, store.DialectOf(*db), slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(struct {
		Clicks int `json:"clicks"`
	}{n})
}

// writeAddrFile writes addr and a newline to path (--addr-file) through a
// temporary file and a rename, so a reader waiting for the file never sees
// it half written.
func writeAddrFile(path, addr string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(addr+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}
