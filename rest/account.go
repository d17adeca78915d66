package rest

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"shortener/graph/model"
	"shortener/internal/auth"
)

// routesAccount registers the account routes.
func (h *Handler) routesAccount(r chi.Router) {
	r.Get("/account", h.handleAccountGet)           // GET /api/account
	r.Post("/account", h.handleAccountGet)          // POST /api/account: the docs show both methods
	r.Put("/account/update", h.handleAccountUpdate) // PUT /api/account/update
}

// accountBody is the answer of GET /api/account.
type accountBody struct {
	Error int         `json:"error"`
	Data  accountData `json:"data"`
}

type accountData struct {
	ID         int     `json:"id"`
	Email      string  `json:"email"`
	Username   string  `json:"username"`
	Avatar     string  `json:"avatar"`
	Status     string  `json:"status"`  // the plan in effect: free or pro
	Expires    *string `json:"expires"` // when the plan ends; null when it does not
	Registered string  `json:"registered"`
}

func (h *Handler) handleAccountGet(w http.ResponseWriter, r *http.Request) {
	u, err := h.Resolver.Query().Me(r.Context())
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	d := accountData{
		ID: u.ID, Email: u.Email, Username: u.Username, Avatar: u.Avatar,
		Status: strings.ToLower(string(u.Plan)), Registered: legacyDate(u.CreatedAt),
	}
	// The viewer carries the plan in effect (an expired pro plan is free).
	if v := auth.ViewerFrom(r.Context()); v != nil && v.Plan != "" {
		d.Status = strings.ToLower(v.Plan)
	}
	if u.PlanExpiresAt != nil {
		d.Expires = strp(legacyDate(*u.PlanExpiresAt))
	}
	ok(w, accountBody{Error: 0, Data: d})
}

// accountRequest is the legacy body of account/update.
type accountRequest struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	Avatar   *string `json:"avatar"`
}

func (h *Handler) handleAccountUpdate(w http.ResponseWriter, r *http.Request) {
	var req accountRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	in := model.UpdateAccountInput{Email: emptyNil(req.Email), Password: emptyNil(req.Password), AvatarURL: req.Avatar}
	if _, err := h.Resolver.Mutation().UpdateAccount(r.Context(), in); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	okMessage(w, "Account has been successfully updated.")
}
