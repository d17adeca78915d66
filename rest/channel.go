package rest

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/gid"
	"shortener/internal/ptr"
)

// routesChannel registers the channel routes.
func (h *Handler) routesChannel(r chi.Router) {
	r.Get("/channels", h.handleChannelList)                                      // GET /api/channels?limit=&page=
	r.Get("/channel/{id}", h.handleChannelItems)                                 // GET /api/channel/:id?limit=&page=: the channel's items
	r.Post("/channel/add", h.handleChannelAdd)                                   // POST /api/channel/add
	r.Post("/channel/{channelid}/assign/{type}/{itemid}", h.handleChannelAssign) // POST /api/channel/:channelid/assign/:type/:itemid
	r.Put("/channel/{id}/update", h.handleChannelUpdate)                         // PUT /api/channel/:id/update
	r.Delete("/channel/{id}/delete", h.handleChannelDelete)                      // DELETE /api/channel/:id/delete
}

// channelItem is one channel of GET /api/channels.
type channelItem struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Color       string `json:"color"`
	Starred     bool   `json:"starred"`
}

func toChannelItem(c *ent.Channel) channelItem {
	return channelItem{ID: c.ID, Name: c.Name, Description: c.Description, Color: c.Color, Starred: c.Starred}
}

func (h *Handler) handleChannelList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	chans, total, err := h.Resolver.ChannelList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]channelItem, 0, len(chans))
	for _, c := range chans {
		items = append(items, toChannelItem(c))
	}
	ok(w, listAnswer("channels", items, total, p))
}

// channelEntry is one item of GET /api/channel/:id.
type channelEntry struct {
	Type    string `json:"type"`
	ID      int    `json:"id"`
	Title   string `json:"title"`
	Preview string `json:"preview"`
	Link    string `json:"link"`
	Date    string `json:"date"`
}

// Legacy item types in paths and answers, and the enum each stands for.
var (
	legacyItemType = map[channelitem.Type]string{
		channelitem.TypeLINK: "links", channelitem.TypeBIO: "bio", channelitem.TypeQR: "qr",
	}
	itemTypeOf = map[string]struct {
		typ  channelitem.Type
		node string
	}{
		"links": {channelitem.TypeLINK, "Link"},
		"link":  {channelitem.TypeLINK, "Link"},
		"bio":   {channelitem.TypeBIO, "BioPage"},
		"qr":    {channelitem.TypeQR, "QRCode"},
	}
)

func (h *Handler) handleChannelItems(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	entries, total, err := h.Resolver.ChannelEntries(r.Context(), id, p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]channelEntry, 0, len(entries))
	for _, e := range entries {
		items = append(items, channelEntry{
			Type: legacyItemType[e.Type], ID: e.ItemID, Title: e.Title,
			Preview: e.Preview, Link: e.URL, Date: legacyDay(e.Created),
		})
	}
	ok(w, listAnswer("items", items, total, p))
}

// channelRequest is the legacy body of channel/add and channel/:id/update.
type channelRequest struct {
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Color       *string   `json:"color"`
	Starred     *flexBool `json:"starred"`
}

func (c channelRequest) starred() *bool {
	if c.Starred == nil {
		return nil
	}
	return new(bool(*c.Starred))
}

// channelAddBody is the answer of POST /api/channel/add.
type channelAddBody struct {
	Error int `json:"error"`
	channelItem
}

func (h *Handler) handleChannelAdd(w http.ResponseWriter, r *http.Request) {
	var req channelRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	c, err := h.Resolver.Mutation().CreateChannel(r.Context(), ent.CreateChannelInput{
		Name: ptr.Value(req.Name), Description: req.Description, Color: req.Color, Starred: req.starred(),
	})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, channelAddBody{Error: 0, channelItem: toChannelItem(c)})
}

func (h *Handler) handleChannelAssign(w http.ResponseWriter, r *http.Request) {
	chID, err := pathID(r, "channelid")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	itemID, err := pathID(r, "itemid")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	t, known := itemTypeOf[lower(chi.URLParam(r, "type"))]
	if !known {
		h.writeAppError(w, r, badRequest("type must be links, bio or qr"))
		return
	}
	_, err = h.Resolver.Mutation().AssignChannelItem(r.Context(), model.AssignChannelItemInput{
		ChannelID: gid.Encode("Channel", chID), Type: t.typ, ItemID: gid.Encode(t.node, itemID),
	})
	if err != nil {
		h.writeAppError(w, r, pathNotFound(err, "channelId", "itemId"))
		return
	}
	okMessage(w, "Item successfully added to the channel.")
}

// pathNotFound turns an Invalid error about one of fields into NotFound:
// the resolver reports a bad reference in its input, but here the ids come
// from the URL path, where an unknown id is a 404.
func pathNotFound(err error, fields ...string) error {
	ae := apperr.From(err)
	if ae.Code != apperr.Invalid {
		return err
	}
	for _, f := range fields {
		if ae.Field == f {
			return apperr.NotFoundf("%s", ae.Message)
		}
	}
	return err
}

func (h *Handler) handleChannelUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var req channelRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	in := ent.UpdateChannelInput{Name: req.Name, Description: req.Description, Color: req.Color, Starred: req.starred()}
	if _, err := h.Resolver.Mutation().UpdateChannel(r.Context(), gid.Encode("Channel", id), in); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Channel has been updated successfully.")
}

func (h *Handler) handleChannelDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if _, err := h.Resolver.Mutation().DeleteChannel(r.Context(), gid.Encode("Channel", id)); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Channel has been deleted successfully.")
}
