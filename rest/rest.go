// Package rest is the legacy REST API: a chi router mounted at /api that maps
// each documented route onto the GraphQL resolvers and keeps the legacy JSON
// shapes. Handlers translate shapes; they never re-implement a rule.
//
// A handler decodes the legacy JSON, builds the GraphQL input (legacy integer
// ids become global ids, legacy words become enum values), calls the same
// resolver method GraphQL runs, and encodes the returned entity in the legacy
// shape. Ownership is enforced below the resolvers, in ent: another user's id
// answers 404 exactly like a missing one.
package rest

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"shortener/graph"
	"shortener/internal/apperr"
)

// Handler serves the legacy API over the resolvers.
type Handler struct {
	Resolver *graph.Resolver
}

// Routes returns the /api router: every legacy route, an enveloped 404 for
// unknown paths and 405 for a known path with the wrong method.
func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	// Legacy clients build paths by hand; /api/urls/ is /api/urls.
	r.Use(middleware.StripSlashes)
	// The older generations' requests (marked by LegacyKey) are answered
	// before routing; legacy.go.
	r.Use(h.legacyRoutes)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "unknown API route")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusMethodNotAllowed, "method not allowed")
	})
	h.routesAccount(r)
	h.routesOverlay(r)
	h.routesQR(r)
	h.routesURL(r)
	h.routesSplash(r)
	h.routesDomain(r)
	h.routesChannel(r)
	h.routesCampaign(r)
	h.routesPixel(r)
	h.routesExport(r)
	return r
}

// WriteError writes the legacy error envelope {"error":1,"message":...}, or
// for a request of an older generation (LegacyKey) its own: status 200,
// {"error":1,"msg":...}, JSONP or text as asked.
func WriteError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if lr := legacyOf(r); lr != nil {
		writeLegacyError(w, lr, status, msg)
		return
	}
	writeJSON(w, status, errorBody{Error: 1, Message: msg})
}

type errorBody struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
}

// statusError is an error about the HTTP request itself (its body, its
// query string) that never reached a resolver.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

func badRequest(msg string) error { return &statusError{http.StatusBadRequest, msg} }

// writeAppError maps an error to its status and writes the envelope. This is
// the one place REST maps error codes outward:
//
//	request errors (malformed JSON, wrong JSON type, bad limit)  400
//	apperr.Invalid (failed validation)                           422
//	apperr.Conflict (alias, slug, domain or email taken)         422
//	apperr.Unauthorized                                          401
//	apperr.Forbidden                                             403
//	apperr.NotFound (missing or another user's id)               404
//	body past 1 MiB                                              413
//	apperr.RateLimited                                           429
//	anything else                                                500 (logged)
//
// Conflicts answer 422 rather than 409: the outside contract lists 400/422
// for rejected input, and legacy clients only test the "error" key.
func (h *Handler) writeAppError(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusError
	if errors.As(err, &se) {
		WriteError(w, r, se.status, se.msg)
		return
	}
	ae := apperr.From(err)
	status := http.StatusInternalServerError
	switch ae.Code {
	case apperr.Invalid, apperr.Conflict:
		status = http.StatusUnprocessableEntity
	case apperr.Unauthorized:
		status = http.StatusUnauthorized
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.RateLimited:
		status = http.StatusTooManyRequests
	default:
		h.log().ErrorContext(r.Context(), "rest handler", "method", r.Method, "path", r.URL.Path,
			"request_id", middleware.GetReqID(r.Context()), "err", err)
	}
	WriteError(w, r, status, legacyMessage(ae))
}

// legacyFields names the GraphQL input fields by the legacy JSON keys a REST
// client sent, so a message about "pixelIds" reads "pixels".
var legacyFields = map[string]string{
	"pixelIds": "pixels", "channelId": "channel", "campaignId": "campaign", "domainId": "domain",
	"splashPageId": "type", "ctaOverlayId": "type", "geoTargets": "geotarget", "deviceTargets": "devicetarget",
	"languageTargets": "languagetarget", "metaImageUrl": "metaimage", "metaTitle": "metatitle",
	"metaDescription": "metadescription", "deepLink.apple": "deeplink.apple", "deepLink.google": "deeplink.google",
	"expiresAt": "expiry", "logoUrl": "logo", "avatarUrl": "avatar", "redirectRoot": "redirectroot",
}

func legacyMessage(ae *apperr.Error) string {
	if l, ok := legacyFields[ae.Field]; ok {
		return strings.ReplaceAll(ae.Message, ae.Field, l)
	}
	return ae.Message
}

func (h *Handler) log() *slog.Logger {
	if h.Resolver != nil && h.Resolver.Log != nil {
		return h.Resolver.Log
	}
	return slog.Default()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ok writes a 200 answer.
func ok(w http.ResponseWriter, v any) { writeJSON(w, http.StatusOK, v) }

// messageBody is the answer of updates and deletes: {"error":0,"message":...}.
type messageBody struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
}

func okMessage(w http.ResponseWriter, msg string) { ok(w, messageBody{Error: 0, Message: msg}) }

// idBody is the answer of creates that only return the new id.
type idBody struct {
	Error int `json:"error"`
	ID    int `json:"id"`
}
