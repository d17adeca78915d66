package rest

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/ent/qrcode"
	"shortener/graph/model"
	"shortener/internal/analytics"
	"shortener/internal/apperr"
	"shortener/internal/gid"
)

// routesQR registers the QR code routes.
func (h *Handler) routesQR(r chi.Router) {
	r.Get("/qr", h.handleQRList)                  // GET /api/qr?limit=&page=
	r.Get("/qr/{id}", h.handleQRGet)              // GET /api/qr/:id: details and statistics
	r.Post("/qr/add", h.handleQRAdd)              // POST /api/qr/add
	r.Put("/qr/{id}/update", h.handleQRUpdate)    // PUT /api/qr/:id/update
	r.Delete("/qr/{id}/delete", h.handleQRDelete) // DELETE /api/qr/:id/delete
}

// qrItem is a QR code in GET /api/qr and in the details of GET /api/qr/:id.
type qrItem struct {
	ID    int    `json:"id"`
	Link  string `json:"link"`
	Scans int    `json:"scans"`
	Name  string `json:"name"`
	Date  string `json:"date"`
}

func (h *Handler) qrItem(q *ent.QRCode) qrItem {
	return qrItem{ID: q.ID, Link: h.Resolver.QRLink(q), Scans: q.Scans, Name: q.Name, Date: legacyDate(q.CreatedAt)}
}

func (h *Handler) handleQRList(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	qrs, total, err := h.Resolver.QRCodeList(r.Context(), p.graph())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	items := make([]qrItem, 0, len(qrs))
	for _, q := range qrs {
		items = append(items, h.qrItem(q))
	}
	ok(w, listAnswer("qrs", items, total, p))
}

// qrDetailsBody is the answer of GET /api/qr/:id (no top-level id, unlike
// url/:id).
type qrDetailsBody struct {
	Error   int       `json:"error"`
	Details qrItem    `json:"details"`
	Data    statsBody `json:"data"`
}

func (h *Handler) handleQRGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	q, err := h.Resolver.Client.QRCode.Get(r.Context(), id)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	// Without a statistics source the row's scan counter is all there is;
	// it does not tell unique visitors apart.
	st, err := h.stats(r.Context(), analytics.Scope{QRCodeID: q.ID}, q.Scans, 0)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, qrDetailsBody{Error: 0, Details: h.qrItem(q), Data: st})
}

// qrRequest is the legacy body of qr/add and qr/:id/update. data is a string
// or an object depending on the type and goes to the resolver as it came.
type qrRequest struct {
	Type       *string `json:"type"`
	Data       any     `json:"data"`
	Background *string `json:"background"`
	Foreground *string `json:"foreground"`
	Logo       *string `json:"logo"`
	Name       *string `json:"name"`
}

// qrAddBody is the answer of POST /api/qr/add.
type qrAddBody struct {
	Error int    `json:"error"`
	ID    int    `json:"id"`
	Link  string `json:"link"`
}

func (h *Handler) handleQRAdd(w http.ResponseWriter, r *http.Request) {
	var req qrRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	// type and data are non-null in the GraphQL input; REST checks the same.
	if req.Type == nil || *req.Type == "" {
		h.writeAppError(w, r, apperr.InvalidField("type", "type is required: text, vcard, link, email, phone, sms or wifi"))
		return
	}
	typ := qrcode.Type(strings.ToUpper(strings.TrimSpace(*req.Type)))
	if qrcode.TypeValidator(typ) != nil {
		h.writeAppError(w, r, apperr.InvalidField("type", "type must be text, vcard, link, email, phone, sms or wifi"))
		return
	}
	if req.Data == nil {
		h.writeAppError(w, r, apperr.InvalidField("data", "data is required"))
		return
	}
	q, err := h.Resolver.Mutation().CreateQRCode(r.Context(), model.CreateQRCodeInput{
		Type: typ, Data: req.Data, Name: req.Name,
		Background: req.Background, Foreground: req.Foreground, LogoURL: emptyNil(req.Logo),
	})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ok(w, qrAddBody{Error: 0, ID: q.ID, Link: h.Resolver.QRLink(q)})
}

func (h *Handler) handleQRUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var req qrRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	// A QR code keeps its type: the legacy update body repeats it, and it
	// is ignored here as it was there.
	in := model.UpdateQRCodeInput{
		Data: req.Data, Name: req.Name, Background: req.Background, Foreground: req.Foreground,
	}
	if req.Logo != nil {
		if *req.Logo == "" {
			in.ClearLogo = new(true)
		} else {
			in.LogoURL = req.Logo
		}
	}
	if _, err := h.Resolver.Mutation().UpdateQRCode(r.Context(), gid.Encode("QRCode", id), in); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "QR has been updated successfully.")
}

func (h *Handler) handleQRDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if _, err := h.Resolver.Mutation().DeleteQRCode(r.Context(), gid.Encode("QRCode", id)); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "QR Code has been deleted successfully.")
}

// emptyNil treats an empty optional string as absent.
func emptyNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
