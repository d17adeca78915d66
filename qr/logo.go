package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"

	"shortener/apperr"
)

// Logo limits: the file (fetched or uploaded) and its pixel dimensions. The
// dimension bound stops a small file that declares a huge image (a
// decompression bomb) before any pixel buffer is allocated.
const (
	MaxLogoBytes = 1 << 20
	MaxLogoSide  = 4096
)

var errLogoFormat = errors.New("logo must be a PNG or JPEG image")

// decodeLogo decodes a PNG or JPEG logo within the limits.
func decodeLogo(b []byte) (image.Image, error) {
	if len(b) > MaxLogoBytes {
		return nil, fmt.Errorf("logo is larger than %d bytes", MaxLogoBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, errLogoFormat
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return nil, fmt.Errorf("logo is %dx%d pixels; at most %dx%d", cfg.Width, cfg.Height, MaxLogoSide, MaxLogoSide)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("logo is not a valid %s image", format)
	}
	return img, nil
}

// CheckLogo checks an uploaded logo: at most MaxLogoBytes, a PNG or JPEG
// that decodes, at most MaxLogoSide pixels a side. Errors are apperr
// Invalid on "logo".
func CheckLogo(b []byte) error {
	if len(b) == 0 {
		return apperr.InvalidField("logo", "logo is empty")
	}
	if _, err := decodeLogo(b); err != nil {
		return apperr.InvalidField("logo", "%v", err)
	}
	return nil
}
