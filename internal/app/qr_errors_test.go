package app_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/qr/qrtest"
)

const createQRMutation = `mutation($in:CreateQRCodeInput!){ createQRCode(input:$in){ id } }`

// wantInvalid checks a GraphQL response has exactly one BAD_USER_INPUT
// error on field whose message contains msg, and no data.
func wantInvalid(t *testing.T, res apptest.GQLResponse, field, msg string) {
	t.Helper()
	if len(res.Errors) != 1 {
		t.Fatalf("errors %+v, want one", res.Errors)
	}
	e := res.Errors[0]
	if e.Code() != "BAD_USER_INPUT" || e.Extensions["field"] != field || !strings.Contains(e.Message, msg) {
		t.Fatalf("error %q %v, want BAD_USER_INPUT on %s containing %q", e.Message, e.Extensions, field, msg)
	}
	if string(res.Data) != "null" {
		t.Fatalf("data %s, want null", res.Data)
	}
}

func qrCount(t *testing.T, s *apptest.Server, key string) int {
	t.Helper()
	var out struct{ QRCodes struct{ TotalCount int } }
	s.MustGraphQL(t, key, `{ qrCodes { totalCount } }`, nil, &out)
	return out.QRCodes.TotalCount
}

func TestCreateQRCodeRefusesBadInputAndStoresNothing(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "valid")
	// A logo server on loopback: the real fetcher must refuse it.
	logoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(qrtest.Logo(t, "png", 32))
	}))
	defer logoSrv.Close()

	cases := []struct {
		name       string
		in         map[string]any
		field, msg string
	}{
		{"link without a URL", map[string]any{"type": "LINK", "data": "example.com/no-scheme"}, "data", "http or https"},
		{"link as an object", map[string]any{"type": "LINK", "data": map[string]any{"url": "https://x.y"}}, "data", "URL string"},
		{"link to a QR route of this server", map[string]any{"type": "LINK", "data": s.URL + "/qr/abc/scan"}, "data", "QR code URL of this server"},
		{"text as a number", map[string]any{"type": "TEXT", "data": 42}, "data", "is a string"},
		{"email with an unknown field", map[string]any{"type": "EMAIL", "data": map[string]any{"email": "a@b.co", "to": "x"}}, "data", `unknown field "to"`},
		{"phone with letters", map[string]any{"type": "PHONE", "data": "five five five"}, "data", "phone number"},
		{"sms as a string", map[string]any{"type": "SMS", "data": "+15550100"}, "data", "must be an object"},
		{"wifi without ssid", map[string]any{"type": "WIFI", "data": map[string]any{}}, "data", "ssid is required"},
		{"vcard without a name", map[string]any{"type": "VCARD", "data": map[string]any{"email": "a@b.co"}}, "data", "firstName"},
		{"low contrast", map[string]any{"type": "TEXT", "data": "x", "foreground": "#aaaaaa", "background": "#ffffff"}, "foreground", "contrast"},
		{"light on dark", map[string]any{"type": "TEXT", "data": "x", "foreground": "#ffffff", "background": "#000000"}, "foreground", "darker"},
		{"bad colour syntax", map[string]any{"type": "TEXT", "data": "x", "background": "white"}, "background", "rgb(r,g,b)"},
		{"logo on loopback", map[string]any{"type": "TEXT", "data": "x", "logoUrl": logoSrv.URL + "/logo.png"}, "logoUrl", "non-public address"},
		{"logo on a private address", map[string]any{"type": "TEXT", "data": "x", "logoUrl": "http://10.0.0.1/logo.png"}, "logoUrl", "non-public address"},
		{"logo with a file scheme", map[string]any{"type": "TEXT", "data": "x", "logoUrl": "file:///etc/passwd"}, "logoUrl", "http or https"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, s.GraphQL(t, key, createQRMutation, map[string]any{"in": tc.in}), tc.field, tc.msg)
		})
	}
	t.Run("uploaded logo that is not an image", func(t *testing.T) {
		res := graphqlUpload(t, s, key, createQRMutation, map[string]any{"in": map[string]any{"type": "TEXT", "data": "x"}}, []byte("GIF89a nope"))
		wantInvalid(t, res, "logo", "PNG or JPEG")
	})
	t.Run("both an upload and a logoUrl", func(t *testing.T) {
		res := graphqlUpload(t, s, key, createQRMutation, map[string]any{"in": map[string]any{"type": "TEXT", "data": "x", "logoUrl": "https://example.com/l.png"}},
			qrtest.Logo(t, "png", 16))
		wantInvalid(t, res, "logo", "either logo or logoUrl")
	})
	if n := qrCount(t, s, key); n != 0 {
		t.Fatalf("%d QR codes stored after refused creates", n)
	}
}

func TestUpdateQRCodeRefusesBadInputAndChangesNothing(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "upd")
	q := createQR(t, s, key, map[string]any{"type": "WIFI", "data": map[string]any{"ssid": "Home", "password": "pw"},
		"name": "router", "foreground": "#000000"})
	const upd = `mutation($id:ID!, $in:UpdateQRCodeInput!){ updateQRCode(id:$id, input:$in){ id } }`
	cases := []struct {
		name       string
		in         map[string]any
		field, msg string
	}{
		{"data of another type", map[string]any{"data": "https://example.com", "name": "changed"}, "data", "must be an object"},
		{"bad wifi encryption", map[string]any{"data": map[string]any{"ssid": "x", "password": "p", "encryption": "ROT13"}}, "data", "WPA, WEP or nopass"},
		{"foreground too close to the stored background", map[string]any{"foreground": "rgb(250,250,250)", "name": "changed"}, "foreground", "contrast"},
		{"clearLogo with a new logo", map[string]any{"clearLogo": true, "logoUrl": "https://example.com/l.png"}, "clearLogo", "cannot be combined"},
		{"logo on a private address", map[string]any{"logoUrl": "http://192.168.1.1/l.png", "name": "changed"}, "logoUrl", "non-public address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, s.GraphQL(t, key, upd, map[string]any{"id": q.ID, "in": tc.in}), tc.field, tc.msg)
		})
	}
	after := getQR(t, s, key, q.ID)
	if !reflect.DeepEqual(after, q) {
		t.Fatalf("refused updates changed the code:\n%+v\n%+v", q, after)
	}

	// Another user's code behaves like a missing one.
	other := s.Signup(t, "mallory")
	res := s.GraphQL(t, other, upd, map[string]any{"id": q.ID, "in": map[string]any{"data": map[string]any{"ssid": "pwned"}}})
	if len(res.Errors) != 1 || res.Errors[0].Code() != "NOT_FOUND" {
		t.Fatalf("other user's update: %+v", res.Errors)
	}
	res = s.GraphQL(t, other, `mutation($id:ID!){ deleteQRCode(id:$id){ deletedId } }`, map[string]any{"id": q.ID})
	if len(res.Errors) != 1 || res.Errors[0].Code() != "NOT_FOUND" {
		t.Fatalf("other user's delete: %+v", res.Errors)
	}
	if got := getQR(t, s, key, q.ID); !reflect.DeepEqual(got, q) {
		t.Fatalf("another user changed the code: %+v", got)
	}
}
