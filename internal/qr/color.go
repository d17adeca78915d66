package qr

import (
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"

	"shortener/internal/apperr"
)

// MinContrast is the lowest WCAG 2 contrast ratio accepted between the
// foreground and the background. 3:1 is WCAG's bar for graphical objects
// (SC 1.4.11); below it phone cameras in poor light start to fail, and the
// pairs people pick by mistake (light grey on white, navy on black) are
// well under it.
const MinContrast = 3.0

var (
	rgbRE = regexp.MustCompile(`^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$`)
	hexRE = regexp.MustCompile(`^#([0-9A-Fa-f]{6})$`)
)

// ParseColor reads rgb(r,g,b) (0-255 each, spaces allowed) or #rrggbb.
func ParseColor(s string) (color.RGBA, error) {
	s = strings.TrimSpace(s)
	if m := rgbRE.FindStringSubmatch(strings.ToLower(s)); m != nil {
		var c [3]uint8
		for i := range c {
			n, _ := strconv.Atoi(m[i+1])
			if n > 255 {
				return color.RGBA{}, fmt.Errorf("colour %q: each of r, g, b must be 0 to 255", s)
			}
			c[i] = uint8(n)
		}
		return color.RGBA{c[0], c[1], c[2], 255}, nil
	}
	if m := hexRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.ParseUint(m[1], 16, 32)
		return color.RGBA{uint8(n >> 16), uint8(n >> 8), uint8(n), 255}, nil
	}
	return color.RGBA{}, fmt.Errorf("colour %q must be rgb(r,g,b) or #rrggbb", s)
}

// luminance is the WCAG 2 relative luminance of c.
func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast is the WCAG 2 contrast ratio of two colours, from 1 to 21.
func Contrast(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// CheckColors checks a foreground/background pair: both parse, the
// foreground is the darker (many phone scanners, and the ISO decoding
// algorithm, expect dark modules on a light background; inverted codes are
// an optional extension), and the contrast ratio is at least MinContrast.
// Errors are apperr Invalid on "foreground" or "background".
func CheckColors(fg, bg string) error {
	f, err := ParseColor(fg)
	if err != nil {
		return apperr.InvalidField("foreground", "foreground: %v", err)
	}
	b, err := ParseColor(bg)
	if err != nil {
		return apperr.InvalidField("background", "background: %v", err)
	}
	if luminance(f) >= luminance(b) {
		return apperr.InvalidField("foreground", "the foreground must be darker than the background: scanners expect dark modules on a light background")
	}
	if c := Contrast(f, b); c < MinContrast {
		return apperr.InvalidField("foreground", "foreground and background contrast %.2f:1 is below %.0f:1; the code would not scan reliably", c, MinContrast)
	}
	return nil
}

func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
