package app_test

import (
	"io"
	"net/http"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/qr/qrtest"
)

// BenchmarkQRImageRoute is a repeated GET of a code's image with a 1024 px
// logo: database lookup, ETag digest, cache hit, over real HTTP.
func BenchmarkQRImageRoute(b *testing.B) {
	s := apptest.New(b, app.Config{})
	key := s.Signup(b, "bench")
	res := graphqlUploadTB(b, s, key, `mutation($in:CreateQRCodeInput!){ createQRCode(input:$in){ link } }`,
		map[string]any{"in": map[string]any{"type": "TEXT", "data": "benchmark"}}, qrtest.Logo(b, "png", 1024))
	if len(res.Errors) > 0 {
		b.Fatal(res.Errors)
	}
	link := jsonField(b, res.Data, "createQRCode", "link")
	b.ReportAllocs()
	for b.Loop() {
		resp, err := s.Client().Get(link)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}
