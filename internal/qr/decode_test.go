package qr

import (
	"testing"

	"shortener/internal/qr/qrtest"
)

func decodePNG(tb testing.TB, b []byte) string { tb.Helper(); return qrtest.DecodePNG(tb, b) }

func decodeSVG(tb testing.TB, b []byte, size int) string {
	tb.Helper()
	return qrtest.DecodeSVG(tb, b, size)
}

func testLogo(tb testing.TB, format string, side int) []byte {
	tb.Helper()
	return qrtest.Logo(tb, format, side)
}

// tryDecodePNG is decodePNG returning the error instead of failing.
func tryDecodePNG(b []byte) (string, error) { return qrtest.TryDecodePNG(b) }
