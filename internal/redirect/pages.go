package redirect

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"shortener/ent"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the HTML answers of the public routes. html/template escapes
// every user-supplied string for its context (text, attribute, URL, script).
var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// og is the OpenGraph card of a page.
type og struct {
	Title, Description, Image, URL string
}

// page is the data of every template; each page uses what it needs.
type page struct {
	Title   string
	URL     string // where the page continues
	Refresh bool   // continue by meta refresh after Delay seconds
	Delay   int
	OG      *og
	Pixels  []pixelView
	Error   string
	Action  string // the password form's target
	Color   string
	Splash  *ent.SplashPage
	Overlay *ent.CTAOverlay
	Bio     *ent.BioPage
	Items   []listItem
	// Prev and Next link to the neighbouring pages of a list ("": none).
	Prev, Next string
	// Nonce marks the page's own scripts and styles for its
	// Content-Security-Policy (set by render).
	Nonce string
}

type listItem struct{ Title, URL string }

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes template name with status. Pages are rendered to a buffer
// first, so a template error is a clean 500 and not half a page.
func render(w http.ResponseWriter, status int, name string, p *page) error {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	defer bufs.Put(b)
	p.Nonce = newNonce()
	for i := range p.Pixels {
		p.Pixels[i].Nonce = p.Nonce
	}
	if err := pages.ExecuteTemplate(b, name, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", csp(name, p))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
	return nil
}

func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// csp is the Content-Security-Policy of a page: scripts only with the
// page's nonce (a pixel's loader may load its own scripts:
// 'strict-dynamic'), no framing by anyone, and frames only of what the page
// frames itself (the target of a frame or overlay page, pixel iframes).
// Inline style attributes (an overlay's colour) need 'unsafe-inline' styles;
// no script runs from them.
func csp(name string, p *page) string {
	var frames []string
	if name == "frame" || name == "overlay" {
		frames = append(frames, origin(p.URL))
	}
	connect := "'none'"
	for _, px := range p.Pixels {
		if px.Frame != "" {
			frames = append(frames, origin(px.Frame))
		}
		connect = "https:" // analytics tags send their beacons
	}
	frames = slices.DeleteFunc(frames, func(s string) bool { return s == "" })
	slices.Sort(frames)
	frames = slices.Compact(frames)
	frameSrc := "'none'"
	if len(frames) > 0 {
		frameSrc = strings.Join(frames, " ")
	}
	return "default-src 'none'; script-src 'nonce-" + p.Nonce + "' 'strict-dynamic'; style-src 'unsafe-inline'; " +
		"img-src https: http: data:; connect-src " + connect + "; frame-src " + frameSrc + "; child-src " + frameSrc +
		"; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// origin is the scheme and host of an absolute URL, as a CSP source, or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		strings.ContainsAny(u.Host, " ;,'\"") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// card is the OpenGraph card of a link: its meta title, description and
// image, the title falling back to the link's title and short URL. The
// link's description is the owner's note: it is never published.
func card(s *Snapshot, base string) *og {
	c := &og{Title: s.MetaTitle, Description: s.MetaDescription, Image: s.MetaImage, URL: s.ShortURL(base)}
	if c.Title == "" {
		c.Title = s.Title
	}
	if c.Title == "" {
		c.Title = c.URL
	}
	return c
}
