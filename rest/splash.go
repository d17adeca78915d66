package rest

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// routesSplash registers the splash page routes.
func (h *Handler) routesSplash(r chi.Router) {
	r.Get("/splash", h.handleSplashList) // GET /api/splash?limit=&page=
}

// splashItem is one custom splash page of GET /api/splash.
type splashItem struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Date string `json:"date"`
}

func (h *Handler) handleSplashList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	pages, total, err := h.Resolver.SplashPageList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]splashItem, 0, len(pages))
	for _, s := range pages {
		items = append(items, splashItem{ID: s.ID, Name: s.Name, Date: legacyDate(s.CreatedAt)})
	}
	ok(w, listAnswer("splash", items, total, p))
}
