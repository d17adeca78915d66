package rest

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/ent/pixel"
	"shortener/internal/apperr"
	"shortener/internal/gid"
	"shortener/internal/ptr"
)

// routesPixel registers the retargeting pixel routes.
func (h *Handler) routesPixel(r chi.Router) {
	r.Get("/pixels", h.handlePixelList)                 // GET /api/pixels?limit=&page=
	r.Post("/pixel/add", h.handlePixelAdd)              // POST /api/pixel/add
	r.Put("/pixel/{id}/update", h.handlePixelUpdate)    // PUT /api/pixel/:id/update
	r.Delete("/pixel/{id}/delete", h.handlePixelDelete) // DELETE /api/pixel/:id/delete
}

// pixelItem is one pixel of GET /api/pixels; type is lower case (gtmpixel).
type pixelItem struct {
	ID   int    `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
	Tag  string `json:"tag"`
	Date string `json:"date"`
}

func (h *Handler) handlePixelList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	pixels, total, err := h.Resolver.PixelList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]pixelItem, 0, len(pixels))
	for _, px := range pixels {
		items = append(items, pixelItem{ID: px.ID, Type: strings.ToLower(string(px.Type)), Name: px.Name, Tag: px.Tag, Date: legacyDate(px.CreatedAt)})
	}
	ok(w, listAnswer("pixels", items, total, p))
}

// pixelRequest is the legacy body of pixel/add and pixel/:id/update.
type pixelRequest struct {
	Type *string `json:"type"`
	Name *string `json:"name"`
	Tag  *string `json:"tag"`
}

func (h *Handler) handlePixelAdd(w http.ResponseWriter, r *http.Request) {
	var req pixelRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	typ := pixel.Type(strings.ToUpper(strings.TrimSpace(ptr.Value(req.Type))))
	if pixel.TypeValidator(typ) != nil {
		h.writeAppError(w, r, apperr.InvalidField("type", "type must be one of gtmpixel, gapixel, fbpixel, adwordspixel, "+
			"linkedinpixel, twitterpixel, adrollpixel, quorapixel, pinterest, bing, snapchat, reddit, tiktok"))
		return
	}
	px, err := h.Resolver.Mutation().CreatePixel(r.Context(), ent.CreatePixelInput{Type: typ, Name: ptr.Value(req.Name), Tag: ptr.Value(req.Tag)})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, idBody{Error: 0, ID: px.ID})
}

func (h *Handler) handlePixelUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var req pixelRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	in := ent.UpdatePixelInput{Name: req.Name, Tag: req.Tag}
	if _, err := h.Resolver.Mutation().UpdatePixel(r.Context(), gid.Encode("Pixel", id), in); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Pixel has been updated successfully.")
}

func (h *Handler) handlePixelDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if _, err := h.Resolver.Mutation().DeletePixel(r.Context(), gid.Encode("Pixel", id)); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Pixel has been deleted successfully.")
}
