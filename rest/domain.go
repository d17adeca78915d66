package rest

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/internal/gid"
)

// routesDomain registers the branded domain routes.
func (h *Handler) routesDomain(r chi.Router) {
	r.Get("/domains", h.handleDomainList)                 // GET /api/domains?limit=&page=
	r.Post("/domain/add", h.handleDomainAdd)              // POST /api/domain/add
	r.Put("/domain/{id}/update", h.handleDomainUpdate)    // PUT /api/domain/:id/update
	r.Delete("/domain/{id}/delete", h.handleDomainDelete) // DELETE /api/domain/:id/delete
}

// domainItem is one domain of GET /api/domains.
type domainItem struct {
	ID           int    `json:"id"`
	Domain       string `json:"domain"`
	RedirectRoot string `json:"redirectroot"`
	Redirect404  string `json:"redirect404"`
}

func (h *Handler) handleDomainList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	domains, total, err := h.Resolver.DomainList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]domainItem, 0, len(domains))
	for _, d := range domains {
		items = append(items, domainItem{ID: d.ID, Domain: d.Domain, RedirectRoot: d.RedirectRoot, Redirect404: d.Redirect404})
	}
	ok(w, listAnswer("domains", items, total, p))
}

// domainRequest is the legacy body of domain/add and domain/:id/update.
type domainRequest struct {
	Domain       string  `json:"domain"`
	RedirectRoot *string `json:"redirectroot"`
	Redirect404  *string `json:"redirect404"`
}

func (h *Handler) handleDomainAdd(w http.ResponseWriter, r *http.Request) {
	var req domainRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	d, err := h.Resolver.Mutation().CreateDomain(r.Context(), ent.CreateDomainInput{
		Domain: req.Domain, RedirectRoot: req.RedirectRoot, Redirect404: req.Redirect404,
	})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, idBody{Error: 0, ID: d.ID})
}

func (h *Handler) handleDomainUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var req domainRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	in := ent.UpdateDomainInput{RedirectRoot: req.RedirectRoot, Redirect404: req.Redirect404}
	if _, err := h.Resolver.Mutation().UpdateDomain(r.Context(), gid.Encode("Domain", id), in); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Domain has been updated successfully.")
}

func (h *Handler) handleDomainDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if _, err := h.Resolver.Mutation().DeleteDomain(r.Context(), gid.Encode("Domain", id)); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Domain has been deleted successfully.")
}
