package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // logos may be JPEG
	"image/png"

	"golang.org/x/image/draw"

	"shortener/internal/apperr"
)

// Logo limits: the file (fetched or uploaded), its pixel dimensions and
// pixel count, and the side of the stored form. The dimension bounds stop a
// small file that declares a huge image (a decompression bomb) before any
// pixel buffer is allocated; a logo within them is decoded once, when it is
// stored, and kept as an 8-bit PNG at most StoredLogoSide a side, so a
// render never decodes more than that.
const (
	MaxLogoBytes   = 1 << 20
	MaxLogoSide    = 4096
	MaxLogoPixels  = MaxLogoSide * MaxLogoSide
	StoredLogoSide = 512
)

// logoDecodes bounds the logos being decoded at once: a 4096x4096 16-bit
// PNG takes 128 MiB while it is decoded.
var logoDecodes = make(chan struct{}, 2)

var errLogoFormat = errors.New("logo must be a PNG or JPEG image")

// decodeLogo decodes a PNG or JPEG logo within the limits, checking the
// dimensions the header declares before decoding any pixel.
func decodeLogo(b []byte) (image.Image, error) {
	if len(b) > MaxLogoBytes {
		return nil, fmt.Errorf("logo is larger than %d bytes", MaxLogoBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, errLogoFormat
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide ||
		cfg.Width*cfg.Height > MaxLogoPixels {
		return nil, fmt.Errorf("logo is %dx%d pixels; at most %dx%d", cfg.Width, cfg.Height, MaxLogoSide, MaxLogoSide)
	}
	logoDecodes <- struct{}{}
	defer func() { <-logoDecodes }()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("logo is not a valid %s image", format)
	}
	return img, nil
}

// NormalizeLogo checks a logo (see CheckLogo) and returns its stored form:
// an 8-bit NRGBA PNG at most StoredLogoSide pixels a side, the aspect ratio
// kept. Errors are plain; callers wrap them for their field.
func NormalizeLogo(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errors.New("logo is empty")
	}
	img, err := decodeLogo(b)
	if err != nil {
		return nil, err
	}
	return shrink(img, StoredLogoSide)
}

// shrink re-encodes img as an 8-bit NRGBA PNG at most side pixels on its
// longer side.
func shrink(img image.Image, side int) ([]byte, error) {
	src := img.Bounds()
	r := image.Rect(0, 0, src.Dx(), src.Dy())
	if src.Dx() > side || src.Dy() > side {
		r = fit(src, image.Rect(0, 0, side, side))
		r = r.Sub(r.Min)
	}
	dst := image.NewNRGBA(r)
	if r.Dx() == src.Dx() && r.Dy() == src.Dy() {
		draw.Draw(dst, r, img, src.Min, draw.Src)
	} else {
		draw.CatmullRom.Scale(dst, r, img, src, draw.Src, nil)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return nil, fmt.Errorf("encode logo: %w", err)
	}
	return buf.Bytes(), nil
}

// CheckLogo checks an uploaded logo: at most MaxLogoBytes, a PNG or JPEG
// that decodes, at most MaxLogoSide pixels a side. It returns the logo's
// stored form (NormalizeLogo). Errors are apperr Invalid on "logo".
func CheckLogo(b []byte) ([]byte, error) {
	out, err := NormalizeLogo(b)
	if err != nil {
		return nil, apperr.InvalidField("logo", "%v", err)
	}
	return out, nil
}
