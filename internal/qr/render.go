// Package qr renders QR codes and holds their rules: the payload of each
// type (text, link, email, phone, sms, wifi, vcard) and its validation, the
// colour contrast check, the logo (fetched through a guarded client, checked
// by decoding, drawn in the centre at the highest error-correction level),
// and PNG and SVG output written from the module matrix of go-qrcode.
package qr

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	goqr "github.com/skip2/go-qrcode"
	"golang.org/x/image/draw"
)

// Image formats.
const (
	PNG = "png"
	SVG = "svg"
)

// Size bounds and default, in pixels.
const (
	MinSize     = 64
	MaxSize     = 2048
	DefaultSize = 300
)

// logoShare is the side of the cleared centre square as a share of the
// code's side (quiet zone excluded): about 6% of the area, well within the
// 30% that error-correction level H recovers.
const logoShare = 0.24

// Options say how to draw a code.
type Options struct {
	Format     string // PNG (default) or SVG
	Size       int    // pixels, MinSize..MaxSize; 0 is DefaultSize
	Foreground string // rgb(r,g,b) or #rrggbb; empty is black
	Background string // empty is white
	Logo       []byte // PNG or JPEG, optional
}

// matrix is a QR code's modules, quiet zone included, with the square of
// modules a logo covers (empty without a logo).
type matrix struct {
	bits [][]bool
	logo image.Rectangle // in modules
}

// encode makes the module matrix of payload. With a logo the code uses
// error-correction level H (go-qrcode's Highest, 30%), without it M at
// least. A matrix holding a false finder pattern (see finder.go) is
// replaced by the first of a few alternatives (higher versions, higher
// error-correction levels) that has none, or failing that the one with the
// fewest.
func encode(payload string, withLogo bool) (*matrix, error) {
	levels := []goqr.RecoveryLevel{goqr.Medium, goqr.High, goqr.Highest}
	if withLogo {
		levels = levels[2:]
	}
	q, err := goqr.New(payload, levels[0])
	if err != nil {
		return nil, fmt.Errorf("encode qr: %w", err)
	}
	best := newMatrix(q.Bitmap(), withLogo)
	fewest := best.falseFinders()
	if fewest == 0 {
		return best, nil
	}
	// Smallest symbols first: at one version a higher level costs nothing
	// in module size and adds error correction.
	for v := q.VersionNumber; v <= min(q.VersionNumber+maxVersionBumps, 40); v++ {
		for _, level := range levels {
			c, err := goqr.NewWithForcedVersion(payload, v, level)
			if err != nil {
				continue // too long for this version at this level
			}
			m := newMatrix(c.Bitmap(), withLogo)
			if k := m.falseFinders(); k < fewest {
				best, fewest = m, k
				if k == 0 {
					return best, nil
				}
			}
		}
	}
	return best, nil
}

func newMatrix(bits [][]bool, withLogo bool) *matrix {
	m := &matrix{bits: bits}
	if withLogo {
		n := len(m.bits)
		const border = 4
		c := int(float64(n-2*border)*logoShare + 0.5)
		if (n-c)%2 != 0 {
			c++ // keep the square centred on the module grid
		}
		o := (n - c) / 2
		m.logo = image.Rect(o, o, o+c, o+c)
	}
	return m
}

func (m *matrix) dark(x, y int) bool {
	return m.bits[y][x] && !image.Pt(x, y).In(m.logo)
}

// Render draws payload as an image and returns it with its content type.
// Colours and logo are assumed checked (CheckColors, CheckLogo); a bad one
// is an error, not a default.
func Render(payload string, opt Options) ([]byte, string, error) {
	if opt.Size == 0 {
		opt.Size = DefaultSize
	}
	if opt.Size < MinSize || opt.Size > MaxSize {
		return nil, "", fmt.Errorf("render qr: size %d outside %d..%d", opt.Size, MinSize, MaxSize)
	}
	fg, bg := color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}
	var err error
	if opt.Foreground != "" {
		if fg, err = ParseColor(opt.Foreground); err != nil {
			return nil, "", fmt.Errorf("render qr: %w", err)
		}
	}
	if opt.Background != "" {
		if bg, err = ParseColor(opt.Background); err != nil {
			return nil, "", fmt.Errorf("render qr: %w", err)
		}
	}
	var logo image.Image
	if len(opt.Logo) > 0 {
		if logo, err = decodeLogo(opt.Logo); err != nil {
			return nil, "", fmt.Errorf("render qr: %w", err)
		}
	}
	m, err := encode(payload, logo != nil)
	if err != nil {
		return nil, "", err
	}
	switch strings.ToLower(opt.Format) {
	case "", PNG:
		b, err := m.png(opt.Size, fg, bg, logo)
		return b, "image/png", err
	case SVG:
		b, err := m.svg(opt.Size, fg, bg, logo)
		return b, "image/svg+xml", err
	}
	return nil, "", fmt.Errorf("render qr: unknown format %q", opt.Format)
}

// png draws whole pixels per module: size/modules each (at least one),
// centred, the remainder added to the quiet zone. A code with more modules
// than size pixels comes out one pixel per module, larger than asked.
func (m *matrix) png(size int, fg, bg color.RGBA, logo image.Image) ([]byte, error) {
	n := len(m.bits)
	ppm := max(size/n, 1)
	dim := max(size, n*ppm)
	off := (dim - n*ppm) / 2
	var img draw.Image
	if logo == nil {
		img = image.NewPaletted(image.Rect(0, 0, dim, dim), color.Palette{bg, fg})
	} else {
		img = image.NewNRGBA(image.Rect(0, 0, dim, dim))
	}
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	dark := image.NewUniform(fg)
	for y := range n {
		for x := range n {
			if m.dark(x, y) {
				r := image.Rect(off+x*ppm, off+y*ppm, off+(x+1)*ppm, off+(y+1)*ppm)
				draw.Draw(img, r, dark, image.Point{}, draw.Src)
			}
		}
	}
	if logo != nil {
		box := image.Rect(off+m.logo.Min.X*ppm, off+m.logo.Min.Y*ppm, off+m.logo.Max.X*ppm, off+m.logo.Max.Y*ppm)
		inset := max(ppm/2, 1)
		draw.CatmullRom.Scale(img, fit(logo.Bounds(), box.Inset(inset)), logo, logo.Bounds(), draw.Over, nil)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// fit returns the largest rectangle of src's aspect ratio centred in box.
func fit(src, box image.Rectangle) image.Rectangle {
	sw, sh, bw, bh := src.Dx(), src.Dy(), box.Dx(), box.Dy()
	w, h := bw, bw*sh/max(sw, 1)
	if h > bh {
		w, h = bh*sw/max(sh, 1), bh
	}
	w, h = max(w, 1), max(h, 1)
	x, y := box.Min.X+(bw-w)/2, box.Min.Y+(bh-h)/2
	return image.Rect(x, y, x+w, y+h)
}

// svg writes the matrix as one path of horizontal runs, in module units
// scaled to size pixels, with the logo embedded as a PNG data URI.
func (m *matrix) svg(size int, fg, bg color.RGBA, logo image.Image) ([]byte, error) {
	n := len(m.bits)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`+"\n", size, size, n, n)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="%s"/>`+"\n", n, n, hexColor(bg))
	fmt.Fprintf(&b, `<path fill="%s" d="`, hexColor(fg))
	for y := range n {
		for x := 0; x < n; {
			if !m.dark(x, y) {
				x++
				continue
			}
			w := 1
			for x+w < n && m.dark(x+w, y) {
				w++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, w, w)
			x += w
		}
	}
	b.WriteString(`"/>` + "\n")
	if logo != nil {
		data, err := thumbnail(logo, 256)
		if err != nil {
			return nil, err
		}
		r := m.logo
		fmt.Fprintf(&b, `<image x="%g" y="%g" width="%g" height="%g" preserveAspectRatio="xMidYMid meet" xlink:href="data:image/png;base64,%s"/>`+"\n",
			float64(r.Min.X)+0.5, float64(r.Min.Y)+0.5, float64(r.Dx())-1, float64(r.Dy())-1, base64.StdEncoding.EncodeToString(data))
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

// thumbnail re-encodes img as a PNG at most side pixels on its longer side.
func thumbnail(img image.Image, side int) ([]byte, error) {
	r := fit(img.Bounds(), image.Rect(0, 0, side, side))
	if img.Bounds().Dx() <= side && img.Bounds().Dy() <= side {
		r = image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy())
	}
	dst := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return nil, fmt.Errorf("encode logo: %w", err)
	}
	return buf.Bytes(), nil
}
