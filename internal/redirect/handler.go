// Package redirect serves the public routes: short links on the base host
// and on branded domains, campaign rotators and list pages, bio pages, and
// QR code images and scans (qr.go).
//
// A request flows: identify (host, alias) -> snapshot from the in-memory
// Cache (loaded on a miss, invalidated on every write) -> Decide, a pure
// function -> respond (a redirect, or a page from the embedded templates) ->
// record the visit through an analytics.Sink, which never blocks. The hot
// path never waits on a database write.
package redirect

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/internal/analytics"
	"shortener/internal/hostname"
	"shortener/internal/qr"
	"shortener/internal/ratelimit"
	"shortener/internal/shortlink"
)

// Config is what the Handler needs.
type Config struct {
	Client *ent.Client
	Cache  *Cache
	Sink   analytics.Sink
	// BaseURL prefixes short URLs on the base host.
	BaseURL string
	// HomeURL is where / on the base host sends visitors (--home-url); ""
	// shows a neutral page saying what the host is.
	HomeURL string
	// Status answers a redirect: 301, 302 (default), 307 or 308.
	Status int
	// CountryHeader, when set, names the request header holding the
	// visitor's ISO country code (CF-IPCountry behind Cloudflare).
	CountryHeader string
	// GeoIP finds the country of an IP when no header gives it; optional.
	GeoIP *analytics.GeoIP
	// Secret signs password-unlock cookies.
	Secret []byte
	// PasswordTries is how many password attempts a client may make on one
	// link per minute (default 5).
	PasswordTries int
	// PasswordTriesPerIP is how many wrong passwords a client address may
	// give across all links per 10 minutes (default 20), on top of
	// PasswordTries.
	PasswordTriesPerIP int
	// QRRenders bounds the QR images drawn at once (0: GOMAXPROCS);
	// QRRenderWaiters the renders waiting for one of those slots (0: 4 per
	// slot) and QRRenderWait how long each waits (0: 2 s). Past them the
	// image route answers 503 with Retry-After: 1.
	QRRenders       int
	QRRenderWaiters int
	QRRenderWait    time.Duration
	Now             func() time.Time
	Log             *slog.Logger
}

// Handler serves the public routes.
type Handler struct {
	cfg       Config
	baseHost  string // the base URL's host, normalised (hostname)
	throttle  *ratelimit.Limiter
	ipTries   *ratelimit.Limiter // wrong passwords per client address, all links
	rotations sync.Map           // campaign id -> *atomic.Int64, the link id served last
	qrImages  *qr.Cache          // rendered QR images
}

// ValidStatus reports whether code may answer a redirect.
func ValidStatus(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// New returns a Handler; zero Config fields get defaults.
func New(cfg Config) *Handler {
	if !ValidStatus(cfg.Status) {
		cfg.Status = http.StatusFound
	}
	if cfg.PasswordTries <= 0 {
		cfg.PasswordTries = 5
	}
	if cfg.PasswordTriesPerIP <= 0 {
		cfg.PasswordTriesPerIP = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	var baseHost string
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		baseHost, _ = hostname.Normalize(u.Host)
	}
	return &Handler{cfg: cfg, baseHost: baseHost, throttle: ratelimit.New(cfg.Now), ipTries: ratelimit.NewPeriod(cfg.Now, 10*time.Minute),
		qrImages: newQRImages(cfg)}
}

// Mount adds the public routes to r. Mount it last: /{alias} matches every
// single-segment path the other routes leave, and /* answers every other
// unknown path with the HTML 404 page (a catch-all route rather than
// r.NotFound, which chi would pass down to /api and /graphql).
func (h *Handler) Mount(r chi.Router) {
	r.Get("/qr/{alias}", h.serveQRImage)
	r.Head("/qr/{alias}", h.serveQRImage)
	r.Get("/qr/{alias}/scan", h.serveQRScan)
	r.Head("/qr/{alias}/scan", h.serveQRScan)
	r.Get("/r/{slug}", h.serveRotator)
	r.Get("/u/{username}/{list}", h.serveCampaign)
	r.Get("/", h.serveRoot)
	r.Get("/{alias}", h.serveAlias)
	r.Head("/{alias}", h.serveAlias)
	r.Post("/{alias}", h.serveAlias)
	r.HandleFunc("/*", h.serveNotFound)
}

var noStore = []string{"no-store"}

// FastAlias returns a handler that serves GET and HEAD of /{alias} through
// h.ServeAlias and passes every other request to next, the router, which
// has the same route mounted (Mount): skipping the router saves a redirect
// a request copy, a path-value map and the route lookup. routes
// names the single-segment paths next serves itself (/healthz, /graphql,
// ...); those, and escaped paths, go to next.
func FastAlias(h *Handler, next http.Handler, routes ...string) http.Handler {
	own := map[string]bool{}
	for _, r := range routes {
		own[r] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.RawPath == "" {
			p := r.URL.Path
			if len(p) > 1 && p[0] == '/' && strings.IndexByte(p[1:], '/') < 0 && !own[p[1:]] {
				h.ServeAlias(w, r, p[1:])
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) serveAlias(w http.ResponseWriter, r *http.Request) {
	h.ServeAlias(w, r, chi.URLParam(r, "alias"))
}

// ServeAlias is the hot path: GET /{alias} on any host. The server calls it
// straight for a GET or HEAD of a single-segment path that no other route
// claims (see FastAlias), without the router.
func (h *Handler) ServeAlias(w http.ResponseWriter, r *http.Request, alias string) {
	ctx := r.Context()
	d, err := h.cfg.Cache.Domain(ctx, r.Host)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.cfg.Cache.Get(ctx, d, alias)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.cfg.Now()
	ua := r.UserAgent()
	v := Visitor{Query: r.URL.RawQuery, Bot: analytics.IsPreviewBot(ua)}
	if s.needs&needPlatform != 0 {
		v.Platform = DetectPlatform(ua)
	}
	if s.needs&needCountry != 0 {
		v.Country = h.country(r)
	}
	if s.needs&needLanguage != 0 {
		v.Languages = analytics.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	formStatus, formError := http.StatusOK, ""
	if s.Kind == KindLink && s.PasswordHash != "" && !v.Bot && !s.expired(now) {
		v.Unlocked = h.unlocked(r, s, now)
		if r.Method == http.MethodPost && !v.Unlocked {
			formStatus, formError, v.Unlocked = h.tryPassword(w, r, s, now)
		}
	} else if r.Method == http.MethodPost && s.Kind == KindLink {
		// Only a password form posts to a link.
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	out := Decide(s, v, now)
	if out.Record && r.Method != http.MethodHead {
		hit := h.click(r, now, v.Country, v.Bot)
		hit.OwnerID, hit.LinkID = s.OwnerID, s.LinkID
		h.cfg.Sink.Record(hit)
	}
	h.respond(w, r, s, out, formStatus, formError)
}

func (h *Handler) respond(w http.ResponseWriter, r *http.Request, s *Snapshot, out Outcome, formStatus int, formError string) {
	var err error
	switch out.Kind {
	case OutcomeRedirect:
		status := h.cfg.Status
		if s.Kind == KindMissing {
			status = http.StatusFound // a redirect404 must not be cached: the alias may come to exist
		}
		if r.Method == http.MethodPost {
			// 307/308 would replay the password to the target.
			status = http.StatusFound
		}
		hdr := w.Header()
		if out.URL == s.location[0] && out.URL != "" {
			hdr["Location"] = s.location[:]
		} else {
			hdr["Location"] = []string{out.URL}
		}
		hdr["Cache-Control"] = noStore
		w.WriteHeader(status)
		return
	case OutcomeNotFound:
		err = render(w, http.StatusNotFound, "notfound", &page{Title: "Link not found"})
	case OutcomeExpired:
		err = render(w, http.StatusGone, "expired", &page{Title: "Link expired"})
	case OutcomePassword:
		err = render(w, formStatus, "password", &page{Title: "Password required", Error: formError, Action: r.URL.RequestURI()})
	case OutcomePreview:
		c := card(s, h.cfg.BaseURL)
		if s.PasswordHash != "" {
			// A protected link shows nothing of itself, to bots either.
			c = &og{Title: "Protected link", URL: s.ShortURL(h.cfg.BaseURL)}
		}
		err = render(w, http.StatusOK, "preview", &page{Title: c.Title, OG: c})
	case OutcomeSplash:
		err = render(w, http.StatusOK, "splash", &page{Title: "Redirecting", URL: out.URL, Refresh: true, Delay: 5,
			OG: card(s, h.cfg.BaseURL), Pixels: pixelViews(s.Pixels)})
	case OutcomeCustomSplash:
		err = render(w, http.StatusOK, "customsplash", &page{Title: s.Splash.Name, URL: out.URL, Refresh: true,
			Delay: s.Splash.DelaySeconds, OG: card(s, h.cfg.BaseURL), Pixels: pixelViews(s.Pixels), Splash: s.Splash})
	case OutcomeFrame:
		c := card(s, h.cfg.BaseURL)
		err = render(w, http.StatusOK, "frame", &page{Title: c.Title, URL: out.URL, OG: c, Pixels: pixelViews(s.Pixels)})
	case OutcomeOverlay:
		c := card(s, h.cfg.BaseURL)
		err = render(w, http.StatusOK, "overlay", &page{Title: c.Title, URL: out.URL, OG: c, Pixels: pixelViews(s.Pixels),
			Overlay: s.Overlay, Color: s.Overlay.Color})
	case OutcomePixels:
		err = render(w, http.StatusOK, "pixels", &page{Title: "Redirecting", URL: out.URL, Refresh: true, Delay: 1,
			Pixels: pixelViews(s.Pixels)})
	case OutcomeBio:
		err = render(w, http.StatusOK, "bio", &page{Title: s.Bio.Name, Bio: s.Bio,
			OG: &og{Title: s.Bio.Name, Description: s.Bio.Content, Image: s.Bio.Avatar, URL: shortlink.BioURL(h.cfg.BaseURL, s.Alias)}})
	}
	if err != nil {
		h.cfg.Log.Error("render page", "page", out.Kind.String(), "err", err)
	}
}

// click is the hit of a visit, a link click or a QR scan: the request's
// facts as analytics.RequestHit takes them (headers clipped, the country
// from the configured header only when it is a known code), country when
// the caller already resolved one (for targeting), and bot, whether the
// visitor is a link-preview bot (analytics.IsPreviewBot). The caller sets
// the owner and the link or QR code.
func (h *Handler) click(r *http.Request, now time.Time, country string, bot bool) analytics.Hit {
	hit := analytics.RequestHit(r, h.cfg.CountryHeader, now)
	if country != "" {
		hit.Country = country
	}
	hit.Bot = bot
	return hit
}

// country is the visitor's ISO country: from the configured header, else
// from the GeoIP database, else "".
func (h *Handler) country(r *http.Request) string {
	if h.cfg.CountryHeader != "" {
		if c := analytics.HeaderCountry(r, h.cfg.CountryHeader); c != "" {
			return c
		}
	}
	return h.cfg.GeoIP.Country(analytics.ClientIP(r))
}

// serveRoot answers / : a branded domain's redirectroot; on the base host
// the home URL, or a neutral page; else the 404 page.
func (h *Handler) serveRoot(w http.ResponseWriter, r *http.Request) {
	d, err := h.cfg.Cache.Domain(r.Context(), r.Host)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := ""
	switch {
	case d != nil:
		to = d.RedirectRoot
	case h.isBaseHost(r.Host):
		if h.cfg.HomeURL == "" {
			if err := render(w, http.StatusOK, "home", &page{Title: "Short links"}); err != nil {
				h.cfg.Log.Error("render page", "page", "home", "err", err)
			}
			return
		}
		to = h.cfg.HomeURL
	}
	if to == "" {
		h.serveNotFound(w, r)
		return
	}
	w.Header().Set("Location", to)
	w.Header()["Cache-Control"] = noStore
	w.WriteHeader(http.StatusFound)
}

// isBaseHost reports whether host (a request's Host) is the base URL's.
func (h *Handler) isBaseHost(host string) bool {
	a, err := hostname.Normalize(host)
	return err == nil && h.baseHost != "" && a == h.baseHost
}

func (h *Handler) serveNotFound(w http.ResponseWriter, r *http.Request) {
	if err := render(w, http.StatusNotFound, "notfound", &page{Title: "Not found"}); err != nil {
		h.cfg.Log.Error("render page", "page", "notfound", "err", err)
	}
}

// fail logs an internal error once, here at the boundary, and shows the
// error page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Log.Error("public route", "path", r.URL.Path, "request_id", r.Header.Get("X-Request-Id"), "err", err)
	_ = render(w, http.StatusInternalServerError, "error", &page{Title: "Error"})
}
