package redirect

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/ent/qrcode"
	"shortener/internal/analytics"
	"shortener/internal/auth"
	"shortener/internal/qr"
	"shortener/internal/shortlink"
)

// The public QR routes:
//
//	GET /qr/{alias}       the image: PNG, or ?format=svg; ?size=64..2048
//	GET /qr/{alias}/scan  the URL a LINK code encodes: 302 to its current
//	                      target, counted as a scan

// qrCacheBytes bounds the rendered QR images kept in memory.
const qrCacheBytes = 32 << 20

// qrImageMaxAge is how long a client may reuse an image without asking
// again; after that it revalidates with If-None-Match and gets a 304 unless
// the code changed. Short, so an edited code shows up soon.
const qrImageMaxAge = "public, max-age=60"

// newQRImages is the render cache of the image route, bounded by the
// Config's QR render limits.
func newQRImages(cfg Config) *qr.Cache {
	return qr.NewCacheLimits(qrCacheBytes, cfg.QRRenders, cfg.QRRenderWaiters, cfg.QRRenderWait)
}

// loadQR finds a QR code by alias for a public visitor: the system context
// skips ownership, as on the redirect path.
func (h *Handler) loadQR(w http.ResponseWriter, r *http.Request) *ent.QRCode {
	q, err := h.cfg.Client.QRCode.Query().Where(qrcode.AliasEQ(chi.URLParam(r, "alias"))).
		Only(auth.SystemContext(r.Context()))
	switch {
	case ent.IsNotFound(err):
		http.Error(w, "QR code not found", http.StatusNotFound)
		return nil
	case err != nil:
		h.cfg.Log.ErrorContext(r.Context(), "load qr code", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil
	}
	return q
}

// serveQRImage serves a code's image. The ETag is a digest of what is
// drawn, so a conditional request is answered before rendering, and a cache
// miss renders once for all requests of the same image.
func (h *Handler) serveQRImage(w http.ResponseWriter, r *http.Request) {
	opt, msg := imageOptions(r)
	if msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	q := h.loadQR(w, r)
	if q == nil {
		return
	}
	payload, err := qr.Payload(string(q.Type), q.Data, shortlink.QRScanURL(h.cfg.BaseURL, q.Alias))
	if err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "qr payload", "id", q.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	opt.Foreground, opt.Background, opt.Logo = q.Foreground, q.Background, q.LogoImage
	tag := qr.ETag(payload, opt)
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", qrImageMaxAge)
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	img, err := h.qrImages.Render(payload, opt)
	if errors.Is(err, qr.ErrBusy) {
		w.Header().Del("ETag")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", "1")
		http.Error(w, "too many QR images being drawn; retry shortly", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "render qr", "id", q.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", img.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(img.Body)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if img.ContentType == "image/svg+xml" {
		// An SVG opened directly is a document; it has no script, and
		// this keeps it that way.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'")
	}
	_, _ = w.Write(img.Body)
}

// imageOptions reads ?format= and ?size=; a non-empty message is a 400.
func imageOptions(r *http.Request) (qr.Options, string) {
	opt := qr.Options{Format: qr.PNG, Size: qr.DefaultSize}
	switch f := strings.ToLower(r.URL.Query().Get("format")); f {
	case "", qr.PNG:
	case qr.SVG:
		opt.Format = qr.SVG
	default:
		return opt, "format must be png or svg"
	}
	if s := r.URL.Query().Get("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < qr.MinSize || n > qr.MaxSize {
			return opt, "size must be a number of pixels from " + strconv.Itoa(qr.MinSize) + " to " + strconv.Itoa(qr.MaxSize)
		}
		opt.Size = n
	}
	return opt, ""
}

func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

// serveQRScan sends the visitor of a LINK code to the code's current target
// and records the scan, built like a link click (h.click: clipped headers,
// known countries only, preview bots marked and not counted). Recording
// goes through the Sink, which does not block on the database; HEAD
// requests are not counted.
func (h *Handler) serveQRScan(w http.ResponseWriter, r *http.Request) {
	q := h.loadQR(w, r)
	if q == nil {
		return
	}
	target, ok := q.Data.(string)
	if q.Type != qrcode.TypeLINK || !ok || target == "" {
		http.Error(w, "QR code not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodHead {
		hit := h.click(r, h.cfg.Now(), "", analytics.IsPreviewBot(r.UserAgent()))
		hit.OwnerID, hit.QRCodeID = q.OwnerID, q.ID
		h.cfg.Sink.Record(hit)
	}
	w.Header().Set("Cache-Control", "private, no-store")
	http.Redirect(w, r, target, http.StatusFound)
}
