// Package schematype holds the Go types of the JSON columns of the ent schema.
package schematype

// GeoTarget sends visitors from a country to URL. Country is a country name
// as in the legacy docs ("Canada") or an ISO 3166-1 alpha-2 code.
type GeoTarget struct {
	Country string `json:"country"`
	URL     string `json:"url"`
}

// DeviceTarget sends visitors on a device (iPhone, iPad, Android, Windows,
// Mac, Linux, ...) to URL.
type DeviceTarget struct {
	Device string `json:"device"`
	URL    string `json:"url"`
}

// LanguageTarget sends visitors whose browser prefers Language (ISO 639-1)
// to URL.
type LanguageTarget struct {
	Language string `json:"language"`
	URL      string `json:"url"`
}

// Parameter is a query parameter appended to the long URL on redirect.
type Parameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DeepLink holds app links: Apple for iOS, Google for Android; Auto derives
// app links for well-known hosts.
type DeepLink struct {
	Apple  string `json:"apple,omitempty"`
	Google string `json:"google,omitempty"`
	Auto   bool   `json:"auto,omitempty"`
}

// BioLink is one entry of a bio page.
type BioLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// RollupCount is the clicks and first visits of one key of a dimension in
// a click rollup.
type RollupCount struct {
	Clicks int `json:"c"`
	Unique int `json:"u,omitempty"`
}

// RollupDims is the dimension counts of a click rollup: dimension
// ("country", "referrer", "browser", "os", "device", "language",
// "social") -> key -> counts.
type RollupDims map[string]map[string]RollupCount
