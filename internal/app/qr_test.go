package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/qr/qrtest"
)

const qrFields = `id rowId alias link type data name foreground background logoUrl scans`

type qrCode struct {
	ID         string
	RowID      int
	Alias      string
	Link       string
	Type       string
	Data       any
	Foreground string
	Background string
	LogoURL    string
	Scans      int
}

func createQR(t *testing.T, s *apptest.Server, key string, in map[string]any) qrCode {
	t.Helper()
	var out struct{ CreateQRCode qrCode }
	s.MustGraphQL(t, key, `mutation($in:CreateQRCodeInput!){ createQRCode(input:$in){ `+qrFields+` } }`,
		map[string]any{"in": in}, &out)
	return out.CreateQRCode
}

func getQR(t *testing.T, s *apptest.Server, key, id string) qrCode {
	t.Helper()
	var out struct{ Node qrCode }
	s.MustGraphQL(t, key, `query($id:ID!){ node(id:$id){ ... on QRCode { `+qrFields+` } } }`, map[string]any{"id": id}, &out)
	return out.Node
}

// image fetches a QR image by its public link (plus a query) and returns
// the response and body.
func image(t *testing.T, s *apptest.Server, link, query string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, link+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// jsonField digs a string out of GraphQL data.
func jsonField(tb testing.TB, data json.RawMessage, path ...string) string {
	tb.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		tb.Fatal(err)
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			tb.Fatalf("no %s in %s", p, data)
		}
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// decodeBoth fetches a code's PNG and SVG and checks both decode to want.
func decodeBoth(t *testing.T, s *apptest.Server, link, want string) {
	t.Helper()
	resp, b := image(t, s, link, "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	if got := qrtest.DecodePNG(t, b); got != want {
		t.Fatalf("png decoded %q, want %q", got, want)
	}
	resp, b = image(t, s, link, "?format=svg&size=256", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("svg: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	if got := qrtest.DecodeSVG(t, b, 256); got != want {
		t.Fatalf("svg decoded %q, want %q", got, want)
	}
}

func TestQRImageDecodesToThePayloadOfEveryType(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "qr")
	cases := []struct {
		typ  string
		data any
		want string // "" for a LINK: its scan URL
	}{
		{"TEXT", "Table 12 · menu", "Table 12 · menu"},
		{"LINK", "https://example.com/menu", ""},
		{"EMAIL", map[string]any{"email": "hi@example.com", "subject": "Order", "body": "Two coffees"},
			"mailto:hi@example.com?subject=Order&body=Two%20coffees"},
		{"PHONE", "+1 555 0100", "tel:+15550100"},
		{"SMS", map[string]any{"phone": "+15550100", "message": "STOP"}, "SMSTO:+15550100:STOP"},
		{"WIFI", map[string]any{"ssid": "Cafe", "password": "a;b"}, `WIFI:T:WPA;S:Cafe;P:a\;b;;`},
		{"VCARD", map[string]any{"firstName": "Ann", "lastName": "Lee", "phone": "+15550100"},
			"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\nTEL;TYPE=VOICE:+15550100\r\nEND:VCARD\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			q := createQR(t, s, key, map[string]any{"type": tc.typ, "data": tc.data,
				"foreground": "rgb(20,20,90)", "background": "#fdfdf0"})
			if q.Link != s.URL+"/qr/"+q.Alias || q.Type != tc.typ {
				t.Fatalf("created %+v", q)
			}
			want := tc.want
			if want == "" {
				want = q.Link + "/scan"
			}
			decodeBoth(t, s, q.Link, want)
		})
	}
}

// scan follows a decoded scan URL once without following the redirect.
func scan(t *testing.T, s *apptest.Server, scanURL string) *http.Response {
	t.Helper()
	u, err := url.Parse(scanURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := s.Do(t, http.MethodGet, u.Path, "", nil)
	return resp
}

// waitScans polls until the code shows want scans: counting may be
// asynchronous (the contract allows 2 seconds).
func waitScans(t *testing.T, s *apptest.Server, key, id string, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := getQR(t, s, key, id).Scans
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scans = %d, want %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestQRDynamicLinkCountsScansAndFollowsItsTarget(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "dyn")
	q := createQR(t, s, key, map[string]any{"type": "LINK", "data": "https://example.com/a"})
	_, before := image(t, s, q.Link, "", nil)
	scanURL := qrtest.DecodePNG(t, before)
	if scanURL != q.Link+"/scan" {
		t.Fatalf("image encodes %q", scanURL)
	}

	resp := scan(t, s, scanURL)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://example.com/a" {
		t.Fatalf("scan: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	waitScans(t, s, key, q.ID, 1)

	// HEAD (link checkers) is answered but not counted.
	if resp, _ := s.Do(t, http.MethodHead, "/qr/"+q.Alias+"/scan", "", nil); resp.StatusCode != http.StatusFound {
		t.Fatalf("head: %d", resp.StatusCode)
	}

	var up struct{ UpdateQRCode qrCode }
	s.MustGraphQL(t, key, `mutation($id:ID!){ updateQRCode(id:$id, input:{data:"https://example.com/b"}){ `+qrFields+` } }`,
		map[string]any{"id": q.ID}, &up)
	if up.UpdateQRCode.Data != "https://example.com/b" || up.UpdateQRCode.Alias != q.Alias {
		t.Fatalf("updated %+v", up.UpdateQRCode)
	}
	_, after := image(t, s, q.Link, "", nil)
	if !bytes.Equal(before, after) {
		t.Fatal("changing the target changed the image; a printed code would break")
	}
	resp = scan(t, s, qrtest.DecodePNG(t, after))
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://example.com/b" {
		t.Fatalf("scan after update: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	waitScans(t, s, key, q.ID, 2)
}

func TestQRImageETagAndCaching(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "etag")
	q := createQR(t, s, key, map[string]any{"type": "TEXT", "data": "hello"})
	resp, body := image(t, s, q.Link, "", nil)
	tag := resp.Header.Get("ETag")
	if tag == "" || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "public, max-age=") {
		t.Fatalf("headers %v", resp.Header)
	}
	resp, b := image(t, s, q.Link, "", map[string]string{"If-None-Match": tag})
	if resp.StatusCode != http.StatusNotModified || len(b) != 0 || resp.Header.Get("ETag") != tag {
		t.Fatalf("conditional request: %d, %d bytes", resp.StatusCode, len(b))
	}
	if resp, b := image(t, s, q.Link, "", nil); resp.Header.Get("ETag") != tag || !bytes.Equal(b, body) {
		t.Fatal("the same image came back different")
	}
	resp, _ = image(t, s, q.Link, "?format=svg", nil)
	if resp.Header.Get("ETag") == tag {
		t.Fatal("SVG and PNG share an ETag")
	}
	s.MustGraphQL(t, key, `mutation($id:ID!){ updateQRCode(id:$id, input:{foreground:"#003300"}){ id } }`, map[string]any{"id": q.ID}, nil)
	resp, b = image(t, s, q.Link, "", map[string]string{"If-None-Match": tag})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == tag {
		t.Fatalf("after a colour change: %d, ETag %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if got := qrtest.DecodePNG(t, b); got != "hello" {
		t.Fatalf("decoded %q", got)
	}
}

func TestQRImageRefusesBadRequests(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "bad")
	text := createQR(t, s, key, map[string]any{"type": "TEXT", "data": "x"})
	cases := map[string]int{
		"/qr/" + text.Alias + "?size=10":     400,
		"/qr/" + text.Alias + "?size=4096":   400,
		"/qr/" + text.Alias + "?size=big":    400,
		"/qr/" + text.Alias + "?format=gif":  400,
		"/qr/nosuchcode":                     404,
		"/qr/nosuchcode/scan":                404,
		"/qr/" + text.Alias + "/scan":        404, // only LINK codes redirect
		"/qr/" + text.Alias + "?size=64":     200,
		"/qr/" + text.Alias + "?format=SVG":  200,
		"/qr/" + text.Alias + "?size=2048":   200,
		"/qr/" + text.Alias + "?format=png":  200,
		"/qr/" + text.Alias + "?format=svg&": 200,
	}
	for path, want := range cases {
		if resp, b := s.Do(t, http.MethodGet, path, "", nil); resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, b, want)
		}
	}
}

// graphqlUpload sends a GraphQL multipart request (the spec's operations,
// map and file parts) with file at variables.in.logo.
func graphqlUpload(t *testing.T, s *apptest.Server, key, query string, vars map[string]any, file []byte) apptest.GQLResponse {
	t.Helper()
	return graphqlUploadTB(t, s, key, query, vars, file)
}

func graphqlUploadTB(t testing.TB, s *apptest.Server, key, query string, vars map[string]any, file []byte) apptest.GQLResponse {
	t.Helper()
	in := vars["in"].(map[string]any)
	in["logo"] = nil
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0":["variables.in.logo"]}`)
	fw, err := mw.CreateFormFile("0", "logo.png")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out apptest.GQLResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestQRLogoUploadIsDrawnAndCanBeCleared(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "logo")
	for _, format := range []string{"png", "jpeg"} {
		res := graphqlUpload(t, s, key, `mutation($in:CreateQRCodeInput!){ createQRCode(input:$in){ `+qrFields+` } }`,
			map[string]any{"in": map[string]any{"type": "TEXT", "data": "with a logo", "foreground": "#4a0000"}},
			qrtest.Logo(t, format, 200))
		if len(res.Errors) > 0 {
			t.Fatalf("%s upload: %+v", format, res.Errors)
		}
		var out struct{ CreateQRCode qrCode }
		if err := json.Unmarshal(res.Data, &out); err != nil {
			t.Fatal(err)
		}
		q := out.CreateQRCode
		_, plain := image(t, s, q.Link, "?format=svg", nil)
		if !bytes.Contains(plain, []byte("<image ")) {
			t.Fatal("the SVG has no logo")
		}
		decodeBoth(t, s, q.Link, "with a logo")
		s.MustGraphQL(t, key, `mutation($id:ID!){ updateQRCode(id:$id, input:{clearLogo:true}){ id } }`, map[string]any{"id": q.ID}, nil)
		_, cleared := image(t, s, q.Link, "?format=svg", nil)
		if bytes.Contains(cleared, []byte("<image ")) {
			t.Fatal("clearLogo left the logo")
		}
		decodeBoth(t, s, q.Link, "with a logo")
	}
}
