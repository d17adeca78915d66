package shortlink

import "strings"

// Route is a top-level path segment the server serves itself, on every
// host: no alias may take its name.
type Route struct {
	Name string // the first path segment: /{Name} or /{Name}/...
	What string
}

// Routes are the server's top-level routes, everything but /{alias} and
// the catch-all 404. The router (internal/app), the fast alias path
// (redirect.FastAlias) and the reserved aliases read this table; a test in
// internal/app walks the router against it.
var Routes = []Route{
	{"healthz", "liveness probe: GET /healthz"},
	{"readyz", "readiness probe: GET /readyz (the database answers)"},
	{"metrics", "Prometheus metrics: GET /metrics (--metrics)"},
	{"playground", "GraphiQL page: /playground"},
	{"graphql", "GraphQL API: /graphql"},
	{"api", "REST API: /api/..."},
	{"qr", "QR code images and scans: /qr/{alias}, /qr/{alias}/scan"},
	{"r", "campaign rotators: /r/{slug}"},
	{"u", "public campaign list pages: /u/{username}/{slug}-{id}"},
}

// ReservedNames are aliases kept free that are not routes today: common
// web paths, and names a future page may want.
var ReservedNames = []string{
	"static", "assets", "favicon.ico", "robots.txt", "admin", "login", "logout",
	"signup", "debug", ".well-known",
}

// RouteNames are the Name of every entry of Routes.
func RouteNames() []string {
	names := make([]string, len(Routes))
	for i, r := range Routes {
		names[i] = r.Name
	}
	return names
}

// reserved is Routes and ReservedNames, lower case.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range Routes {
		m[strings.ToLower(r.Name)] = true
	}
	for _, n := range ReservedNames {
		m[strings.ToLower(n)] = true
	}
	return m
}()

// IsReserved reports whether alias is taken by a server route or kept free
// (ReservedNames).
func IsReserved(alias string) bool { return reserved[strings.ToLower(alias)] }
