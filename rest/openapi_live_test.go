package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/rest"
)

// TestLiveAnswersMatchOpenAPI sends real requests, today's and the older
// generations', successes and failures, through the whole server and
// validates each answer (status, media type, body) against openapi.json,
// and the rate-limit headers the document promises.
func TestLiveAnswersMatchOpenAPI(t *testing.T) {
	limit := 1000
	s := apptest.New(t, app.Config{RateLimit: &limit})
	doc := rest.LoadOpenAPI(t)
	key := s.Signup(t, "alice")
	admin := adminKey(t, s)
	bearer := map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json"}

	check := func(method, path string, hdr map[string]string, body string, status int) {
		t.Helper()
		resp, raw := legacyCall(t, s, method, path, hdr, body)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, status, raw)
		}
		// A 405 answers a method the path has no operation for: its
		// envelope is documented on the path's operations.
		as := method
		if status == http.StatusMethodNotAllowed {
			as = "GET"
		}
		for _, e := range rest.ValidateAnswer(doc, as, path, resp.StatusCode, resp.Header.Get("Content-Type"), []byte(raw)) {
			t.Errorf("%s %s: %s\n%s", method, path, e, raw)
		}
		if hdr["Authorization"] != "" || strings.Contains(path, "key=") {
			for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("%s %s: no %s", method, path, h)
				}
			}
		}
	}

	check("POST", "/api/url/add", bearer, `{"url":"https://google.com","custom":"google","expiry":"2030-01-01 00:00:00",
		"geotarget":[{"location":"Canada","link":"https://google.ca"}],"devicetarget":[{"device":"iPhone","link":"https://apple.com"}]}`, 200)
	click(t, s, key, "google")

	// Today's routes, with statistics that have breakdowns.
	check("GET", "/api/url/1", bearer, "", 200)
	check("GET", "/api/urls?short=google", bearer, "", 200)
	check("GET", "/api/urls?limit=1", bearer, "", 200)
	check("GET", "/api/campaigns", bearer, "", 200) // an empty list
	// Today's errors.
	check("GET", "/api/account", nil, "", 401)
	check("GET", "/api/url/99", bearer, "", 404)
	check("DELETE", "/api/account", bearer, "", 405)
	check("GET", "/api/urls?limit=x", bearer, "", 400)
	check("POST", "/api/url/add", bearer, `{"url":`, 400)
	check("POST", "/api/url/add", bearer, `{"url":"not a url"}`, 422)
	check("POST", "/api/url/add", bearer, `{"url":"https://example.com","custom":"`+strings.Repeat("a", 2<<20)+`"}`, 413)

	// The older generations.
	check("GET", "/api?key="+key+"&url=https%3A%2F%2Fexample.com", nil, "", 200)
	check("GET", "/api?api="+key+"&short=google", nil, "", 200)
	check("GET", "/api?key="+key+"&url=https%3A%2F%2Fexample.com&format=text", nil, "", 200)
	check("GET", "/api?key=nope&url=https%3A%2F%2Fexample.com", nil, "", 200) // error 1, msg 002
	check("GET", "/api/details?key="+key+"&alias=google", nil, "", 200)
	check("GET", "/api/details?key="+key+"&alias=google&callback=cb.done", nil, "", 200)
	check("GET", "/api/details?key="+key+"&alias=nope", nil, "", 200)
	check("GET", "/api/urls?key="+key+"&order=click", nil, "", 200)
	check("POST", "/api/url/get", token(key), `{"limit":1,"page":1,"order":"date"}`, 200)
	check("POST", "/api/url/get", token(key), `{"page":99}`, 200)
	check("POST", "/api/url/stats", token(key), `{"urlid":1}`, 200)
	check("POST", "/api/url/stats", token(key), `{}`, 200)
	check("POST", "/api/user/create", token(admin), `{"username":"bob","password":"password123","email":"bob@example.com","planid":1}`, 200)
	check("POST", "/api/user/get", token(admin), `{"userid":3}`, 200)
	check("POST", "/api/user/get", token(key), `{"userid":3}`, 200) // not an admin: msg 013
	check("POST", "/api/url/add", token(key), `{"url":"https://example.com/c"}`, 200)

	// The document itself.
	resp, raw := legacyCall(t, s, "GET", "/api"+rest.OpenAPIPath, nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(raw, `"openapi": "3.1.0"`) {
		t.Errorf("GET /api/openapi.json: %d %.100s", resp.StatusCode, raw)
	}
}
