package app_test

import (
	"bytes"
	"context"
	stdimage "image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"shortener/ent/qrcode"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
	"shortener/internal/qr/qrtest"
)

// bombLogo is a 4096x4096 16-bit PNG of one colour: about 130 KB of file,
// 128 MiB once decoded.
func bombLogo(tb testing.TB) []byte {
	tb.Helper()
	img := stdimage.NewNRGBA64(stdimage.Rect(0, 0, 4096, 4096))
	c := color.NRGBA64{0x1234, 0x5678, 0x9abc, 0xffff}
	for y := range 4096 {
		for x := range 4096 {
			img.SetNRGBA64(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func storedLogo(t *testing.T, s *apptest.Server, alias string) []byte {
	t.Helper()
	q, err := s.App.Client.QRCode.Query().Where(qrcode.AliasEQ(alias)).Only(auth.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return q.LogoImage
}

// An uploaded decompression bomb is stored decoded once and shrunk: an
// 8-bit PNG at most 512 px a side, which the image route draws.
func TestQRLogoIsStoredShrunk(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "bomb")
	bomb := bombLogo(t)
	t.Logf("bomb PNG: %d bytes", len(bomb))
	res := graphqlUpload(t, s, key, `mutation($in:CreateQRCodeInput!){ createQRCode(input:$in){ alias link } }`,
		map[string]any{"in": map[string]any{"type": "TEXT", "data": "bomb"}}, bomb)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	alias := jsonField(t, res.Data, "createQRCode", "alias")
	b := storedLogo(t, s, alias)
	cfg, format, err := stdimage.DecodeConfig(bytes.NewReader(b))
	if err != nil || format != "png" {
		t.Fatalf("stored logo: %s %v", format, err)
	}
	if cfg.Width > 512 || cfg.Height > 512 || cfg.ColorModel != color.RGBAModel && cfg.ColorModel != color.NRGBAModel {
		t.Fatalf("stored logo is %dx%d %v, want at most 512x512 8-bit RGBA", cfg.Width, cfg.Height, cfg.ColorModel)
	}
	dec, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	switch dec.(type) {
	case *stdimage.RGBA, *stdimage.NRGBA: // 8 bits a channel
	default:
		t.Fatalf("stored logo decodes to %T, want 8-bit RGBA", dec)
	}
	resp, img := image(t, s, jsonField(t, res.Data, "createQRCode", "link"), "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("image: %d %s", resp.StatusCode, img)
	}
	if got := qrtest.DecodePNG(t, img); got != "bomb" {
		t.Fatalf("decoded %q", got)
	}
}

// A flood of distinct sizes beyond the render slots and their wait queue
// is answered 503 with Retry-After, while a cached image and a conditional
// request still answer at once. The flooded code carries a logo stored
// before logos were shrunk (the raw bomb), which still renders.
func TestQRRenderFloodIsRefusedNotQueued(t *testing.T) {
	s := apptest.New(t, app.Config{QRRenders: 1, QRRenderWaiters: 2, QRRenderWait: 200 * time.Millisecond})
	key := s.Signup(t, "flood")
	normal := createQR(t, s, key, map[string]any{"type": "TEXT", "data": "normal"})
	resp, cached := image(t, s, normal.Link, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	etag := resp.Header.Get("ETag")
	heavy := createQR(t, s, key, map[string]any{"type": "TEXT", "data": "heavy"})
	if err := s.App.Client.QRCode.UpdateOneID(heavy.RowID).SetLogoImage(bombLogo(t)).
		Exec(auth.SystemContext(context.Background())); err != nil {
		t.Fatal(err)
	}

	const clients = 30
	codes := make([]int, clients)
	retry := make([]string, clients)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clients {
		wg.Go(func() {
			<-start
			r, err := s.Client().Get(heavy.Link + "?size=" + strconv.Itoa(200+i))
			if err != nil {
				t.Error(err)
				return
			}
			r.Body.Close()
			codes[i], retry[i] = r.StatusCode, r.Header.Get("Retry-After")
		})
	}
	close(start)
	time.Sleep(50 * time.Millisecond)
	// During the flood: the cached image and a 304 answer without a slot.
	t0 := time.Now()
	resp, b := image(t, s, normal.Link, "", nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, cached) {
		t.Fatalf("cached image during flood: %d", resp.StatusCode)
	}
	resp, _ = image(t, s, normal.Link, "", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional during flood: %d", resp.StatusCode)
	}
	during := time.Since(t0)
	wg.Wait()
	busy := 0
	for i, c := range codes {
		switch {
		case c == http.StatusServiceUnavailable && retry[i] == "1":
			busy++
		case c == http.StatusOK:
		default:
			t.Errorf("client %d: %d Retry-After %q", i, c, retry[i])
		}
	}
	t.Logf("flood: %d of %d refused; cached answers during it took %v", busy, clients, during)
	if busy == 0 {
		t.Fatal("no request was refused with 503")
	}
	// The old, unshrunk logo still renders once the flood is over.
	resp, b = image(t, s, heavy.Link, "?size=400", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("heavy after flood: %d %s", resp.StatusCode, b)
	}
	if got := qrtest.DecodePNG(t, b); got != "heavy" {
		t.Fatalf("decoded %q", got)
	}
}
