package qr

import "testing"

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
