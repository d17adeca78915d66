// Package rest is the legacy REST API: a chi router mounted at /api that maps
// each documented route onto the GraphQL resolvers and keeps the legacy JSON
// shapes. Handlers translate shapes; they never re-implement a rule.
package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"shortener/apperr"
	"shortener/graph"
)

// Handler serves the legacy API over the resolvers.
type Handler struct {
	Resolver *graph.Resolver
}

// Routes returns the /api router.
func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "unknown API route")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusMethodNotAllowed, "method not allowed")
	})
	return r
}

// WriteError writes the legacy error envelope {"error":1,"message":...}.
func WriteError(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": 1, "message": msg})
}

// writeAppError maps an error to its status and writes the envelope. This is
// the one place REST maps error codes outward.
func writeAppError(w http.ResponseWriter, r *http.Request, err error) {
	ae := apperr.From(err)
	status := http.StatusInternalServerError
	switch ae.Code {
	case apperr.Invalid:
		status = http.StatusUnprocessableEntity
	case apperr.Unauthorized:
		status = http.StatusUnauthorized
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Conflict:
		status = http.StatusConflict
	case apperr.RateLimited:
		status = http.StatusTooManyRequests
	}
	WriteError(w, r, status, ae.Message)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var _ = errors.New
var _ = writeAppError
