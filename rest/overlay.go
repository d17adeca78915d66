package rest

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// routesOverlay registers the CTA overlay routes.
func (h *Handler) routesOverlay(r chi.Router) {
	r.Get("/overlay", h.handleOverlayList) // GET /api/overlay?limit=&page=
}

// overlayItem is one CTA overlay of GET /api/overlay (listed under "cta").
type overlayItem struct {
	ID   int    `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
	Date string `json:"date"`
}

func (h *Handler) handleOverlayList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	overlays, total, err := h.Resolver.CTAOverlayList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]overlayItem, 0, len(overlays))
	for _, o := range overlays {
		items = append(items, overlayItem{ID: o.ID, Type: strings.ToLower(string(o.Type)), Name: o.Name, Date: legacyDate(o.CreatedAt)})
	}
	ok(w, listAnswer("cta", items, total, p))
}
