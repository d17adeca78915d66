package rest

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/graph"
	"shortener/internal/analytics"
)

// routesURL registers the short link routes.
func (h *Handler) routesURL(r chi.Router) {
	r.Get("/urls", h.handleURLList)                 // GET /api/urls?limit=&page=&order=date|click&q=&short=
	r.Get("/url/{id}", h.handleURLGet)              // GET /api/url/:id: details and statistics
	r.Post("/url/add", h.handleURLAdd)              // POST /api/url/add: shorten a link
	r.Put("/url/{id}/update", h.handleURLUpdate)    // PUT /api/url/:id/update
	r.Delete("/url/{id}/delete", h.handleURLDelete) // DELETE /api/url/:id/delete
}

// urlListItem is one link of GET /api/urls.
type urlListItem struct {
	ID          int    `json:"id"`
	Alias       string `json:"alias"`
	ShortURL    string `json:"shorturl"`
	LongURL     string `json:"longurl"`
	Clicks      int    `json:"clicks"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Date        string `json:"date"`
}

func (h *Handler) handleURLList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if short := q.Get("short"); short != "" {
		// Legacy: with short, every other parameter is ignored and the
		// answer is the single-link answer of url/:id.
		l, err := h.Resolver.LinkByShortURL(r.Context(), short)
		if err != nil {
			h.writeAppError(w, r, err)
			return
		}
		if l == nil {
			WriteError(w, r, http.StatusNotFound, "link not found")
			return
		}
		h.writeURLDetails(w, r, l)
		return
	}
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	order := graph.LinkOrderDate
	switch q.Get("order") {
	case "", "date":
	case "click", "clicks":
		order = graph.LinkOrderClicks
	default:
		h.writeAppError(w, r, badRequest("order must be date or click"))
		return
	}
	links, total, err := h.Resolver.LinkList(r.Context(), q.Get("q"), order, p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]urlListItem, 0, len(links))
	for _, l := range links {
		short, err := h.Resolver.ShortURL(r.Context(), l)
		if err != nil {
			h.writeAppError(w, r, err)
			return
		}
		items = append(items, urlListItem{
			ID: l.ID, Alias: l.Alias, ShortURL: short, LongURL: l.LongURL, Clicks: l.Clicks,
			Title: linkTitle(l), Description: l.Description, Date: legacyDate(l.CreatedAt),
		})
	}
	ok(w, listAnswer("urls", items, total, p))
}

// linkTitle is the title the legacy lists show: the link's title, or its
// meta title when it has none.
func linkTitle(l *ent.Link) string {
	if l.Title != "" {
		return l.Title
	}
	return l.MetaTitle
}

// urlDetailsBody is the answer of GET /api/url/:id (and of /api/urls?short=).
type urlDetailsBody struct {
	Error   int        `json:"error"`
	ID      int        `json:"id"`
	Details urlDetails `json:"details"`
	Data    statsBody  `json:"data"`
}

type urlDetails struct {
	ID          int               `json:"id"`
	ShortURL    string            `json:"shorturl"`
	LongURL     string            `json:"longurl"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Location    map[string]string `json:"location"`
	Device      map[string]string `json:"device"`
	Expiry      *string           `json:"expiry"`
	Date        string            `json:"date"`
}

func (h *Handler) handleURLGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	l, err := h.Resolver.Client.Link.Get(r.Context(), id)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	h.writeURLDetails(w, r, l)
}

func (h *Handler) writeURLDetails(w http.ResponseWriter, r *http.Request, l *ent.Link) {
	short, err := h.Resolver.ShortURL(r.Context(), l)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	// location and device are keyed by the lower-cased country and device,
	// as the legacy API printed them.
	d := urlDetails{
		ID: l.ID, ShortURL: short, LongURL: l.LongURL, Title: linkTitle(l), Description: l.Description,
		Location: map[string]string{}, Device: map[string]string{}, Date: legacyDate(l.CreatedAt),
	}
	for _, g := range l.GeoTargets {
		d.Location[lower(g.Country)] = g.URL
	}
	for _, t := range l.DeviceTargets {
		d.Device[lower(t.Device)] = t.URL
	}
	if l.ExpiresAt != nil {
		d.Expiry = strp(legacyDate(*l.ExpiresAt))
	}
	st, err := h.stats(r.Context(), analytics.Scope{LinkID: l.ID}, l.Clicks, l.UniqueClicks)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, urlDetailsBody{Error: 0, ID: l.ID, Details: d, Data: st})
}

// urlAddBody is the answer of POST /api/url/add: the short URL under both
// names, shorturl (the newest generation) and short (the older ones, which
// every vendor wrapper reads).
type urlAddBody struct {
	Error    int    `json:"error"`
	ID       int    `json:"id"`
	ShortURL string `json:"shorturl"`
	Short    string `json:"short"`
}

func (h *Handler) handleURLAdd(w http.ResponseWriter, r *http.Request) {
	var req urlRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	s, err := spec(&req, false)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	l, err := h.Resolver.CreateLink(r.Context(), s)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	short, err := h.Resolver.ShortURL(r.Context(), l)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, urlAddBody{Error: 0, ID: l.ID, ShortURL: short, Short: short})
}

// urlUpdateBody is the answer of PUT /api/url/:id/update; legacy calls the
// short URL "short" here but "shorturl" in url/add.
type urlUpdateBody struct {
	Error int    `json:"error"`
	ID    int    `json:"id"`
	Short string `json:"short"`
}

func (h *Handler) handleURLUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var req urlRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	s, err := spec(&req, true)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	l, err := h.Resolver.UpdateLink(r.Context(), id, s)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	short, err := h.Resolver.ShortURL(r.Context(), l)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, urlUpdateBody{Error: 0, ID: l.ID, Short: short})
}

func (h *Handler) handleURLDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if err := h.Resolver.DeleteLink(r.Context(), id); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Link has been deleted successfully")
}
