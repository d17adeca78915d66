package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// The OpenAPI document (openapi.json) is held to the router here: every
// method and path served under /api is documented and every documented one
// is served; its structure is checked (3.1.0, responses on every operation,
// every $ref resolves, path parameters declared); and the golden answers,
// the error envelopes and (openapi_live_test.go) the older generations'
// answers validate against their documented schemas.

// legacyOperation is the documented operation of each route of the older
// generations, which legacyRoutes answers before the chi router (so
// chi.Walk does not see them), and a request classify gives that kind.
var legacyOperations = map[legacyKind]struct{ method, path, probe string }{
	legacyShorten:    {"GET", "/", "/api?key=k&url=https://example.com"},
	legacyDetails:    {"GET", "/details", "/api/details?key=k&alias=a"},
	legacyURLs:       {"GET", "/urls", "/api/urls?key=k"},
	legacyURLGet:     {"POST", "/url/get", "/api/url/get"},
	legacyURLStats:   {"POST", "/url/stats", "/api/url/stats"},
	legacyUserCreate: {"POST", "/user/create", "/api/user/create"},
	legacyUserGet:    {"POST", "/user/get", "/api/user/get"},
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI parses the embedded document.
func loadOpenAPI(t testing.TB) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(openAPI))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if dec.More() {
		t.Fatal("openapi.json has data after the document")
	}
	return doc
}

// chiParam is a chi path parameter with an optional pattern, {id:[0-9]+}.
var chiParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// servedOperations are the "METHOD /path" the /api router answers, in
// OpenAPI's path syntax relative to the /api server.
func servedOperations(t *testing.T) map[string]bool {
	t.Helper()
	served := map[string]bool{}
	h := &Handler{}
	err := chi.Walk(h.Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route != "/" {
			route = strings.TrimSuffix(route, "/")
		}
		served[method+" "+chiParam.ReplaceAllString(route, "{$1}")] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// legacyWrongMethod is the last kind: every kind before it is a route.
	for k := legacyShorten; k < legacyWrongMethod; k++ {
		op, ok := legacyOperations[k]
		if !ok {
			t.Errorf("legacy kind %d has no entry in legacyOperations: document its route", k)
			continue
		}
		req := httptest.NewRequest(op.method, op.probe, nil)
		if got := classify(req); got != k {
			t.Errorf("%s %s classifies as %d, not %d", op.method, op.probe, got, k)
		}
		served[op.method+" "+op.path] = true
	}
	// Served by internal/app outside the key check (TestOpenAPIIsPublic).
	served["GET "+OpenAPIPath] = true
	return served
}

func documentedOperations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range httpMethods {
			if op, ok := item[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+p] = op
			}
		}
	}
	return ops
}

// TestOpenAPICoversTheRouter: the document and the router name the same
// operations.
func TestOpenAPICoversTheRouter(t *testing.T) {
	doc := loadOpenAPI(t)
	served := servedOperations(t)
	documented := documentedOperations(doc)
	for op := range served {
		if documented[op] == nil {
			t.Errorf("%s is served but not in openapi.json", op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("openapi.json documents %s, which the router does not serve", op)
		}
	}
	t.Logf("%d operations", len(documented))
}

// TestOpenAPIStructure checks what a validator would, for the parts of
// OpenAPI 3.1 the document uses.
func TestOpenAPIStructure(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi is %v, want 3.1.0", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if s, _ := info["title"].(string); s == "" {
		t.Error("info.title is missing")
	}
	if s, _ := info["version"].(string); s == "" {
		t.Error("info.version is missing")
	}

	// Every $ref resolves.
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"]; ok {
				s, _ := r.(string)
				if _, err := resolveRef(doc, s); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, e := range v {
				walk(at+"/"+k, e)
			}
		case []any:
			for i, e := range v {
				walk(at+"/"+strconv.Itoa(i), e)
			}
		}
	}
	walk("#", doc)

	comps, _ := doc["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	for _, name := range []string{"bearerAuth", "tokenAuth"} {
		if schemes[name] == nil {
			t.Errorf("security scheme %s is missing", name)
		}
	}
	checkSecurity := func(at string, v any) {
		reqs, ok := v.([]any)
		if !ok {
			t.Errorf("%s: security is %T, want a list", at, v)
			return
		}
		for _, r := range reqs {
			for name := range r.(map[string]any) {
				if schemes[name] == nil {
					t.Errorf("%s: security scheme %q is not in components", at, name)
				}
			}
		}
	}
	checkSecurity("security", doc["security"])

	tags := map[string]bool{}
	for _, tg := range doc["tags"].([]any) {
		tags[tg.(map[string]any)["name"].(string)] = true
	}
	ids := map[string]string{}
	for name, op := range documentedOperations(doc) {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", name)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %s", name, other, id)
		}
		ids[id] = name
		for _, tg := range op["tags"].([]any) {
			if !tags[tg.(string)] {
				t.Errorf("%s: tag %q is not declared", name, tg)
			}
		}
		if s, ok := op["security"]; ok {
			checkSecurity(name, s)
		}
		resps, _ := op["responses"].(map[string]any)
		if len(resps) == 0 {
			t.Errorf("%s has no responses", name)
		}
		for code, r := range resps {
			r, err := deref(doc, r)
			if err != nil {
				t.Errorf("%s %s: %v", name, code, err)
				continue
			}
			if d, _ := r.(map[string]any)["description"].(string); d == "" {
				t.Errorf("%s: response %s has no description", name, code)
			}
		}
		// Path parameters: exactly the template's, each required.
		_, path, _ := strings.Cut(name, " ")
		var want []string
		for _, m := range chiParam.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		var got []string
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p, err := deref(doc, p)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			pm := p.(map[string]any)
			if pm["in"] == "path" {
				got = append(got, pm["name"].(string))
				if pm["required"] != true {
					t.Errorf("%s: path parameter %v is not required", name, pm["name"])
				}
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s declares path parameters %v, the path has %v", name, got, want)
		}
	}

	// The error statuses the README lists, with the rate-limit headers.
	resps, _ := comps["responses"].(map[string]any)
	for _, code := range []string{"400", "401", "404", "405", "413", "422", "429"} {
		found := false
		for _, op := range documentedOperations(doc) {
			if _, ok := op["responses"].(map[string]any)[code]; ok {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no operation documents status %s", code)
		}
	}
	if h := resps["TooManyRequests"].(map[string]any)["headers"].(map[string]any); h["Retry-After"] == nil || h["X-RateLimit-Reset"] == nil {
		t.Errorf("429 lacks Retry-After or X-RateLimit-Reset: %v", h)
	}
}

// resolveRef follows a local JSON pointer ("#/components/schemas/URL").
func resolveRef(doc map[string]any, ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var v any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok || m[tok] == nil {
			return nil, fmt.Errorf("$ref %q does not resolve (at %q)", ref, tok)
		}
		v = m[tok]
	}
	return v, nil
}

// deref returns v, or what its $ref points at.
func deref(doc map[string]any, v any) (any, error) {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		r, ok := m["$ref"].(string)
		if !ok {
			return v, nil
		}
		var err error
		if v, err = resolveRef(doc, r); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("$ref chain too long")
}

// validate checks v against the JSON Schema keywords the document uses:
// $ref, type, const, enum, required, properties, additionalProperties,
// items, maxItems, minimum and oneOf (exactly one). It returns the
// violations, each with its JSON path.
func validate(doc map[string]any, schema any, v any, at string) []string {
	s, err := deref(doc, schema)
	if err != nil {
		return []string{at + ": " + err.Error()}
	}
	sm, _ := s.(map[string]any)
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if ty, ok := sm["type"]; ok {
		var types []any
		if l, ok := ty.([]any); ok {
			types = l
		} else {
			types = []any{ty}
		}
		if !slices.ContainsFunc(types, func(ty any) bool { return hasType(v, ty.(string)) }) {
			bad("%s is not of type %v", short(v), ty)
			return errs
		}
	}
	if c, ok := sm["const"]; ok && !reflect.DeepEqual(c, v) {
		bad("%s, want %s", short(v), short(c))
	}
	if e, ok := sm["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return reflect.DeepEqual(x, v) }) {
		bad("%s is not one of %v", short(v), e)
	}
	if n, ok := sm["minimum"].(float64); ok {
		if f, ok := v.(float64); ok && f < n {
			bad("%v is below %v", f, n)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range asList(sm["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				bad("missing required key %q", r)
			}
		}
		props, _ := sm["properties"].(map[string]any)
		for k, e := range obj {
			if ps, ok := props[k]; ok {
				errs = append(errs, validate(doc, ps, e, at+"."+k)...)
			} else if ap, ok := sm["additionalProperties"]; ok {
				if ap == false {
					bad("unexpected key %q", k)
				} else if ap != true {
					errs = append(errs, validate(doc, ap, e, at+"."+k)...)
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if n, ok := sm["maxItems"].(float64); ok && float64(len(arr)) > n {
			bad("%d items, at most %v", len(arr), n)
		}
		if it, ok := sm["items"]; ok {
			for i, e := range arr {
				errs = append(errs, validate(doc, it, e, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
	}
	if alts := asList(sm["oneOf"]); len(alts) > 0 {
		var matched int
		var why []string
		for _, alt := range alts {
			if e := validate(doc, alt, v, at); len(e) == 0 {
				matched++
			} else {
				why = append(why, strings.Join(e, "; "))
			}
		}
		if matched != 1 {
			bad("matches %d of the oneOf alternatives, want 1 (%s)", matched, strings.Join(why, " | "))
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func hasType(v any, ty string) bool {
	switch ty {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// findOperation matches a request path under /api (its query string
// ignored) to the documented operation of that method, preferring static
// segments to parameters as chi does.
func findOperation(doc map[string]any, method, path string) (string, map[string]any) {
	path, _, _ = strings.Cut(path, "?")
	path = strings.TrimPrefix(path, "/api")
	if path == "" {
		path = "/"
	}
	segs := strings.Split(path, "/")
	best, bestScore := "", -1
	var bestOp map[string]any
	for name, op := range documentedOperations(doc) {
		m, tmpl, _ := strings.Cut(name, " ")
		if m != method {
			continue
		}
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		score := 0
		for i := range ts {
			switch {
			case ts[i] == segs[i]:
				score++
			case strings.HasPrefix(ts[i], "{"):
			default:
				score = -1
			}
			if score < 0 {
				break
			}
		}
		if score > bestScore {
			best, bestScore, bestOp = name, score, op
		}
	}
	return best, bestOp
}

var jsonpRE = regexp.MustCompile(`(?s)^[A-Za-z_$][A-Za-z0-9_$.]*\((.*)\)$`)

// validateAnswer checks one answer against the document: the operation of
// method and path documents status, with contentType, and the body (JSON)
// validates against its schema.
func validateAnswer(doc map[string]any, method, path string, status int, contentType string, body []byte) []string {
	name, op := findOperation(doc, method, path)
	if op == nil {
		return []string{fmt.Sprintf("%s %s: no documented operation", method, path)}
	}
	resps, _ := op["responses"].(map[string]any)
	r, ok := resps[strconv.Itoa(status)]
	if !ok {
		return []string{fmt.Sprintf("%s: status %d is not documented", name, status)}
	}
	r, err := deref(doc, r)
	if err != nil {
		return []string{err.Error()}
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return []string{fmt.Sprintf("%s: Content-Type %q: %v", name, contentType, err)}
	}
	content, _ := r.(map[string]any)["content"].(map[string]any)
	media, ok := content[mt].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s %d: media type %s is not documented", name, status, mt)}
	}
	var v any
	switch {
	case strings.HasPrefix(mt, "text/"):
		v = string(body)
	default:
		if mt == "application/javascript" {
			// JSONP: NAME({...}); the document names the JSON inside.
			if m := jsonpRE.FindSubmatch(body); m != nil {
				body = m[1]
			}
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return []string{fmt.Sprintf("%s: answer is not JSON: %v", name, err)}
		}
	}
	return validate(doc, media["schema"], v, name+" "+strconv.Itoa(status))
}

// TestGoldenAnswersMatchOpenAPI: each golden answer of rest/testdata
// validates against its operation's documented 200 schema.
func TestGoldenAnswersMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var g struct {
			Request  string          `json:"request"`
			Status   int             `json:"status"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		method, path, _ := strings.Cut(g.Request, " ")
		for _, e := range validateAnswer(doc, method, path, g.Status, "application/json; charset=utf-8", g.Response) {
			t.Errorf("%s: %s", filepath.Base(f), e)
		}
	}
}

// TestErrorEnvelopesMatchOpenAPI: WriteError's two envelopes, today's (with
// its status) and the older generations' (200, application/javascript),
// validate against the documented error responses.
func TestErrorEnvelopesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/urls", 400}, {"GET", "/api/account", 401}, {"GET", "/api/url/9", 404},
		{"GET", "/api/url/add", 405}, {"POST", "/api/url/add", 413}, {"PUT", "/api/domain/1/update", 422},
		{"DELETE", "/api/pixel/1/delete", 429},
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest(c.method, c.path, nil), c.status, "an error")
		for _, e := range validateAnswer(doc, c.method, c.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()) {
			t.Error(e)
		}
	}
	for k, op := range legacyOperations {
		req := httptest.NewRequest(op.method, op.probe, nil)
		req = req.WithContext(context.WithValue(req.Context(), legacyKey{}, &legacyRequest{kind: k}))
		rec := httptest.NewRecorder()
		WriteError(rec, req, http.StatusNotFound, "an error")
		for _, e := range validateAnswer(doc, op.method, op.probe, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()) {
			t.Error(e)
		}
	}
}

// For openapi_live_test.go (package rest_test).
var (
	LoadOpenAPI    = loadOpenAPI
	ValidateAnswer = validateAnswer
)

// jsonKeys are the JSON keys of a struct type's fields.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" { // embedded: its keys are promoted
			keys = append(keys, jsonKeys(f.Type)...)
			continue
		}
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestOpenAPISchemasNameTheStructFields: each documented request and
// answer object has exactly the JSON keys of the Go type that reads or
// writes it (an update's body may document fewer: the keys it uses).
func TestOpenAPISchemasNameTheStructFields(t *testing.T) {
	doc := loadOpenAPI(t)
	const s = "#/components/schemas/"
	for _, c := range []struct {
		schema string
		typ    any
		subset bool
	}{
		{s + "URLCreate", urlRequest{}, false}, {s + "URLUpdate", urlRequest{}, false},
		{s + "DeepLink", deepLinkRequest{}, false}, {s + "Parameter", parameterRequest{}, false},
		{s + "GeoTarget", targetRequest{}, true}, {s + "DeviceTarget", targetRequest{}, true}, {s + "LanguageTarget", targetRequest{}, true},
		{s + "QRCreate", qrRequest{}, false}, {s + "QRUpdate", qrRequest{}, false},
		{s + "DomainCreate", domainRequest{}, false}, {s + "DomainUpdate", domainRequest{}, true},
		{s + "ChannelCreate", channelRequest{}, false}, {s + "ChannelUpdate", channelRequest{}, false},
		{s + "CampaignWrite", campaignRequest{}, false},
		{s + "PixelCreate", pixelRequest{}, false}, {s + "PixelUpdate", pixelRequest{}, true},
		{s + "AccountUpdate", accountRequest{}, false},

		{s + "Error", errorBody{}, false}, {s + "Message", messageBody{}, false}, {s + "Created", idBody{}, false},
		{s + "Account", accountBody{}, false}, {s + "Account/properties/data", accountData{}, false},
		{s + "Overlay", overlayItem{}, false}, {s + "Splash", splashItem{}, false},
		{s + "QR", qrItem{}, false}, {s + "QRDetails", qrDetailsBody{}, false}, {s + "QRCreated", qrAddBody{}, false},
		{s + "Stats", statsBody{}, false},
		{s + "URL", urlListItem{}, false}, {s + "URLDetails", urlDetailsBody{}, false},
		{s + "URLDetails/properties/details", urlDetails{}, false},
		{s + "URLCreated", urlAddBody{}, false}, {s + "URLUpdated", urlUpdateBody{}, false},
		{s + "Domain", domainItem{}, false},
		{s + "Channel", channelItem{}, false}, {s + "ChannelItem", channelEntry{}, false}, {s + "ChannelCreated", channelAddBody{}, false},
		{s + "Campaign", campaignItem{}, false}, {s + "CampaignSaved", campaignBody{}, false},
		{s + "Pixel", pixelItem{}, false},

		{s + "LegacyError", legacyErrorBody{}, false}, {s + "LegacyShort", legacyShortBody{}, false},
		{s + "LegacyLookup", legacyLookupBody{}, false}, {s + "LegacyDetails", legacyDetailsBody{}, false},
		{s + "LegacyDetails/properties/details", legacyLinkDetails{}, false}, {s + "LegacyStats", legacyLinkStatsOut{}, false},
		{s + "LegacyURLs", legacyURLsBody{}, false}, {s + "LegacyURLs/properties/data/items", legacyURLItem{}, false},
		{s + "LegacyUserCreated", legacyUserCreated{}, false}, {s + "LegacyUser/properties/data", legacyUser{}, false},
	} {
		v, err := resolveRef(doc, c.schema)
		if err != nil {
			t.Error(err)
			continue
		}
		v, _ = deref(doc, v)
		props, _ := v.(map[string]any)["properties"].(map[string]any)
		var documented []string
		for k := range props {
			documented = append(documented, k)
		}
		sort.Strings(documented)
		keys := jsonKeys(reflect.TypeOf(c.typ))
		if c.subset {
			for _, k := range documented {
				if !slices.Contains(keys, k) {
					t.Errorf("%s documents %q, which %T does not have (%v)", c.schema, k, c.typ, keys)
				}
			}
		} else if !slices.Equal(documented, keys) {
			t.Errorf("%s documents %v, %T has %v", c.schema, documented, c.typ, keys)
		}
	}
}
