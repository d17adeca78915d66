package qr

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

const benchPayload = "https://sho.rt/qr/Ab3dE9/scan"

func benchRender(b *testing.B, payload string, opt Options) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Render(payload, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderPNG(b *testing.B) { benchRender(b, benchPayload, Options{}) }

func BenchmarkRenderSVG(b *testing.B) { benchRender(b, benchPayload, Options{Format: SVG}) }

func BenchmarkRenderPNGLogo(b *testing.B) {
	benchRender(b, benchPayload, Options{Logo: testLogo(b, "png", 256)})
}

func BenchmarkRenderPNG2048VCard(b *testing.B) {
	stored, err := Validate(payloadCases[6].typ, payloadCases[6].data)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := Payload("VCARD", stored, "")
	benchRender(b, p, Options{Size: MaxSize})
}

// BenchmarkCacheHit is a repeated request for the same image.
func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(1 << 20)
	opt := Options{Logo: testLogo(b, "png", 256)}
	if _, err := c.Render(benchPayload, opt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(benchPayload, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// bombPNG is a 4096x4096 16-bit PNG of one colour (about 110 KB, 128 MiB
// decoded).
func bombPNG(b *testing.B) []byte {
	img := image.NewNRGBA64(image.Rect(0, 0, 4096, 4096))
	for i := 0; i < len(img.Pix); i += 8 {
		copy(img.Pix[i:], []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xff, 0xff})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkRenderPNGBombLogoRaw is an uncached render of a code whose
// logo was stored as uploaded (before logos were shrunk).
func BenchmarkRenderPNGBombLogoRaw(b *testing.B) {
	benchRender(b, benchPayload, Options{Logo: bombPNG(b)})
}

// BenchmarkRenderPNGBombLogoStored is the same render with the logo in its
// stored form (NormalizeLogo).
func BenchmarkRenderPNGBombLogoStored(b *testing.B) {
	stored, err := NormalizeLogo(bombPNG(b))
	if err != nil {
		b.Fatal(err)
	}
	benchRender(b, benchPayload, Options{Logo: stored})
}
