// Package qrtest decodes the images the qr package draws, for tests: PNG
// through ZXing's decoder (gozxing, a port independent of the encoder) and
// SVG by rasterising the subset of SVG the qr package writes. Only tests
// import it, so the decoder stays out of the server binary.
package qrtest

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/draw"
)

// DecodeImage reads the QR code in img with ZXing's decoder (a port
// independent of the encoder) and returns its text.
func DecodeImage(tb testing.TB, img image.Image) string {
	tb.Helper()
	s, err := tryDecode(img)
	if err != nil {
		tb.Fatalf("decode qr: %v", err)
	}
	return s
}

func tryDecode(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// TryDecodePNG decodes a PNG and the QR code in it, returning any error.
func TryDecodePNG(b []byte) (string, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	return tryDecode(img)
}

// DecodePNG decodes a PNG and the QR code in it.
func DecodePNG(tb testing.TB, b []byte) string {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("png: %v", err)
	}
	return DecodeImage(tb, img)
}

// DecodeSVG rasterises an SVG as this package writes it (a background rect,
// one path of "MxYhWv1h-Wz" runs, an optional embedded PNG image) and
// decodes it. It fails on any element or path command it does not know, so
// a change in the SVG writer cannot slip past it.
func DecodeSVG(tb testing.TB, b []byte, wantSize int) string {
	tb.Helper()
	return DecodeImage(tb, RasterSVG(tb, b, wantSize))
}

var runRE = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// RasterSVG draws an SVG of the qr package at 8 pixels a module; the
// <svg> width and height must be wantSize.
func RasterSVG(tb testing.TB, b []byte, wantSize int) image.Image {
	tb.Helper()
	const k = 8 // pixels per module
	dec := xml.NewDecoder(bytes.NewReader(b))
	var img *image.NRGBA
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	num := func(s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			tb.Fatalf("svg number %q: %v", s, err)
		}
		return f
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "svg":
			if w, h := attr(se, "width"), attr(se, "height"); w != strconv.Itoa(wantSize) || h != w {
				tb.Fatalf("svg size %sx%s, want %d", w, h, wantSize)
			}
			var n int
			if _, err := fmt.Sscanf(attr(se, "viewBox"), "0 0 %d %d", &n, &n); err != nil {
				tb.Fatalf("viewBox %q", attr(se, "viewBox"))
			}
			img = image.NewNRGBA(image.Rect(0, 0, n*k, n*k))
		case "rect":
			c := parseHex(tb, attr(se, "fill"))
			r := image.Rect(int(num(attr(se, "x"))*k), int(num(attr(se, "y"))*k),
				int((num(attr(se, "x"))+num(attr(se, "width")))*k), int((num(attr(se, "y"))+num(attr(se, "height")))*k))
			draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
		case "path":
			c := image.NewUniform(parseHex(tb, attr(se, "fill")))
			d := attr(se, "d")
			for d != "" {
				m := runRE.FindStringSubmatch(d)
				if m == nil || m[3] != m[4] {
					tb.Fatalf("unexpected path data at %.20q", d)
				}
				x, y, w := atoi(m[1]), atoi(m[2]), atoi(m[3])
				draw.Draw(img, image.Rect(x*k, y*k, (x+w)*k, (y+1)*k), c, image.Point{}, draw.Src)
				d = d[len(m[0]):]
			}
		case "image":
			href := attr(se, "href")
			data, ok := strings.CutPrefix(href, "data:image/png;base64,")
			if !ok {
				tb.Fatalf("image href %.40q is not a PNG data URI", href)
			}
			raw, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				tb.Fatal(err)
			}
			logo, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				tb.Fatal(err)
			}
			box := image.Rect(int(num(attr(se, "x"))*k), int(num(attr(se, "y"))*k),
				int((num(attr(se, "x"))+num(attr(se, "width")))*k), int((num(attr(se, "y"))+num(attr(se, "height")))*k))
			draw.CatmullRom.Scale(img, fit(logo.Bounds(), box), logo, logo.Bounds(), draw.Over, nil)
		default:
			tb.Fatalf("unexpected svg element <%s>", se.Name.Local)
		}
	}
	if img == nil {
		tb.Fatal("no <svg> element")
	}
	return img
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func parseHex(tb testing.TB, s string) color.RGBA {
	tb.Helper()
	var c color.RGBA
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &c.R, &c.G, &c.B); err != nil || len(s) != 7 {
		tb.Fatalf("svg colour %q", s)
	}
	c.A = 255
	return c
}

// fit returns the largest rectangle of src's aspect ratio centred in box
// (preserveAspectRatio="xMidYMid meet").
func fit(src, box image.Rectangle) image.Rectangle {
	sw, sh, bw, bh := src.Dx(), src.Dy(), box.Dx(), box.Dy()
	w, h := bw, bw*sh/max(sw, 1)
	if h > bh {
		w, h = bh*sw/max(sh, 1), bh
	}
	x, y := box.Min.X+(bw-w)/2, box.Min.Y+(bh-h)/2
	return image.Rect(x, y, x+w, y+h)
}

// Logo is a colourful PNG or JPEG ("jpeg") logo: a red disc on a blue square, the kind of
// image that damages the modules under it.
func Logo(tb testing.TB, format string, side int) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			dx, dy := x-side/2, y-side/2
			c := color.NRGBA{20, 40, 200, 255}
			if dx*dx+dy*dy < side*side/9 {
				c = color.NRGBA{220, 30, 30, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, nil)
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
