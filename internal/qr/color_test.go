package qr

import (
	"errors"
	"image/color"
	"math"
	"strings"
	"testing"

	"shortener/internal/apperr"
)

func TestParseColor(t *testing.T) {
	good := map[string]color.RGBA{
		"rgb(0,0,0)":          {0, 0, 0, 255},
		"rgb( 255 , 128, 1 )": {255, 128, 1, 255},
		"RGB(10,20,30)":       {10, 20, 30, 255},
		"#FFA07a":             {255, 160, 122, 255},
	}
	for s, want := range good {
		if got, err := ParseColor(s); err != nil || got != want {
			t.Errorf("ParseColor(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "red", "#fff", "rgb(256,0,0)", "rgb(1,2)", "rgba(0,0,0,1)", "#12345g", "rgb(-1,0,0)"} {
		if _, err := ParseColor(s); err == nil {
			t.Errorf("ParseColor(%q) accepted", s)
		}
	}
}

func TestContrastMatchesWCAG(t *testing.T) {
	black, white := color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}
	if c := Contrast(black, white); math.Abs(c-21) > 0.01 {
		t.Fatalf("black/white %.2f, want 21", c)
	}
	// #777777 on white is WCAG's well-known 4.48:1.
	if c := Contrast(color.RGBA{0x77, 0x77, 0x77, 255}, white); math.Abs(c-4.48) > 0.01 {
		t.Fatalf("#777 on white %.2f, want 4.48", c)
	}
}

func TestCheckColors(t *testing.T) {
	ok := [][2]string{
		{"rgb(0,0,0)", "rgb(255,255,255)"},
		{"#00008b", "#ffffe0"},
		{"rgb(148,148,148)", "#ffffff"}, // 3.03:1, just above the bar
	}
	for _, p := range ok {
		if err := CheckColors(p[0], p[1]); err != nil {
			t.Errorf("%s on %s refused: %v", p[0], p[1], err)
		}
	}
	bad := []struct{ fg, bg, field, msg string }{
		{"#777777", "#888888", "foreground", "contrast"},
		{"rgb(255,255,255)", "rgb(0,0,0)", "foreground", "darker than the background"},
		{"#ff0000", "#ff0000", "foreground", "darker"},
		{"rgb(160,160,160)", "#ffffff", "foreground", "below 3:1"},
		{"black", "#ffffff", "foreground", "rgb(r,g,b) or #rrggbb"},
		{"#000000", "rgb(300,0,0)", "background", "0 to 255"},
	}
	for _, tc := range bad {
		err := CheckColors(tc.fg, tc.bg)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != tc.field || !strings.Contains(ae.Message, tc.msg) {
			t.Errorf("%s on %s: %v; want Invalid on %s containing %q", tc.fg, tc.bg, err, tc.field, tc.msg)
		}
	}
}

// The lowest contrast accepted still decodes, with and without a logo.
func TestLowestAcceptedContrastDecodes(t *testing.T) {
	fg, bg := "rgb(148,148,148)", "#ffffff"
	if err := CheckColors(fg, bg); err != nil {
		t.Fatal(err)
	}
	for _, logo := range [][]byte{nil, testLogo(t, "png", 100)} {
		b, _, err := Render("https://example.com/menu", Options{Foreground: fg, Background: bg, Logo: logo})
		if err != nil {
			t.Fatal(err)
		}
		if got := decodePNG(t, b); got != "https://example.com/menu" {
			t.Fatalf("decoded %q", got)
		}
	}
}
