package rest

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/internal/gid"
)

// routesCampaign registers the campaign routes.
func (h *Handler) routesCampaign(r chi.Router) {
	r.Get("/campaigns", h.handleCampaignList)                                // GET /api/campaigns?limit=&page=
	r.Post("/campaign/add", h.handleCampaignAdd)                             // POST /api/campaign/add
	r.Post("/campaign/{campaignid}/assign/{linkid}", h.handleCampaignAssign) // POST /api/campaign/:campaignid/assign/:linkid
	r.Put("/campaign/{id}/update", h.handleCampaignUpdate)                   // PUT /api/campaign/:id/update
	r.Delete("/campaign/{id}/delete", h.handleCampaignDelete)                // DELETE /api/campaign/:id/delete
}

// campaignItem is one campaign of GET /api/campaigns. The legacy sample
// names the campaign "name" in its first item and "domain" in its second;
// both keys are sent so clients reading either work.
type campaignItem struct {
	ID      int    `json:"id"`
	Name    string `json:"name"`
	Domain  string `json:"domain"`
	Public  bool   `json:"public"`
	Rotator any    `json:"rotator"` // the rotator URL, or false without a slug
	List    string `json:"list"`
}

// campaignBody is the answer of campaign/add and campaign/:id/update, where
// the legacy API calls the name "domain".
type campaignBody struct {
	Error   int    `json:"error"`
	ID      int    `json:"id"`
	Domain  string `json:"domain"`
	Public  bool   `json:"public"`
	Rotator any    `json:"rotator"`
	List    string `json:"list"`
}

// campaignView returns the rotator (URL or false) and list URL of c.
func (h *Handler) campaignView(ctx context.Context, c *ent.Campaign) (rotator any, list string, err error) {
	rotator = false
	if u := h.Resolver.RotatorURL(c); u != nil {
		rotator = *u
	}
	list, err = h.Resolver.ListURL(ctx, c)
	return rotator, list, err
}

func (h *Handler) handleCampaignList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	camps, total, err := h.Resolver.CampaignList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]campaignItem, 0, len(camps))
	for _, c := range camps {
		rot, list, err := h.campaignView(r.Context(), c)
		if err != nil {
			h.writeAppError(w, r, err)
			return
		}
		items = append(items, campaignItem{ID: c.ID, Name: c.Name, Domain: c.Name, Public: c.Public, Rotator: rot, List: list})
	}
	ok(w, listAnswer("campaigns", items, total, p))
}

// campaignRequest is the legacy body of campaign/add and campaign/:id/update.
type campaignRequest struct {
	Name   *string   `json:"name"`
	Slug   *string   `json:"slug"`
	Public *flexBool `json:"public"`
}

func (c campaignRequest) public() *bool {
	if c.Public == nil {
		return nil
	}
	return new(bool(*c.Public))
}

func (h *Handler) writeCampaign(w http.ResponseWriter, r *http.Request, c *ent.Campaign) {
	rot, list, err := h.campaignView(r.Context(), c)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, campaignBody{Error: 0, ID: c.ID, Domain: c.Name, Public: c.Public, Rotator: rot, List: list})
}

func (h *Handler) handleCampaignAdd(w http.ResponseWriter, r *http.Request) {
	var req campaignRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	c, err := h.Resolver.Mutation().CreateCampaign(r.Context(), ent.CreateCampaignInput{
		Name: req.Name, Slug: req.Slug, Public: req.public(),
	})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	h.writeCampaign(w, r, c)
}

func (h *Handler) handleCampaignAssign(w http.ResponseWriter, r *http.Request) {
	campID, err := pathID(r, "campaignid")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	linkID, err := pathID(r, "linkid")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	_, err = h.Resolver.Mutation().AssignLinkToCampaign(r.Context(), gid.Encode("Campaign", campID), gid.Encode("Link", linkID))
	if err != nil {
		h.writeAppError(w, r, pathNotFound(err, "campaignId", "linkId"))
		return
	}
	okMessage(w, "Link successfully added to the campaign.")
}

func (h *Handler) handleCampaignUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var req campaignRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	in := ent.UpdateCampaignInput{Name: req.Name, Slug: req.Slug, Public: req.public()}
	c, err := h.Resolver.Mutation().UpdateCampaign(r.Context(), gid.Encode("Campaign", id), in)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	h.writeCampaign(w, r, c)
}

func (h *Handler) handleCampaignDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if _, err := h.Resolver.Mutation().DeleteCampaign(r.Context(), gid.Encode("Campaign", id)); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Campaign has been deleted successfully.")
}
