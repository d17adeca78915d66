package redirect

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
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
}

type listItem struct{ Title, URL string }

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes template name with status. Pages are rendered to a buffer
// first, so a template error is a clean 500 and not half a page.
func render(w http.ResponseWriter, status int, name string, p *page) error {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	defer bufs.Put(b)
	if err := pages.ExecuteTemplate(b, name, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
	return nil
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
