package rest

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 document of every route under /api, today's
// and the older generations' (openapi_test.go holds it to the router).
//
//go:embed openapi.json
var openAPI []byte

// OpenAPIPath is where the document is served, under /api. It is public:
// internal/app mounts it outside the key check and the rate limit.
const OpenAPIPath = "/openapi.json"

// OpenAPI serves the OpenAPI document.
func OpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPI)
}
