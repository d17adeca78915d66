package rest

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeBody feeds arbitrary bodies to the legacy decoders of the
// requests that take the most shapes. Whatever the bytes, decoding either
// succeeds or fails with a 400 or 413 whose message is short: never a panic,
// another status, or an echo of the body.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://example.com","custom":"a","geotarget":[{"location":"Canada","link":"https://a.ca"}]}`,
		`{"url":1}`, `{"channel":"1","campaign":2,"status":"public"}`, `[]`, `"x"`, `{`, ``, `{"data":{"ssid":"x"}}`,
		`{"pixels":[1,"2"],"deeplink":{"apple":"x"},"parameters":[{"name":"a","value":"b"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&urlRequest{}, &qrRequest{}, &campaignRequest{}, &channelRequest{}, &accountRequest{}} {
			r := httptest.NewRequest(http.MethodPost, "/api/x", bytes.NewReader(body))
			err := decodeBody(httptest.NewRecorder(), r, dst)
			if err == nil {
				continue
			}
			var se *statusError
			if !errors.As(err, &se) {
				t.Fatalf("%T: error %v is not a status error", dst, err)
			}
			if se.status != http.StatusBadRequest && se.status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%T: status %d for %q", dst, se.status, body)
			}
			if len(se.msg) > 300 {
				t.Fatalf("%T: %d-byte message", dst, len(se.msg))
			}
		}
	})
}
