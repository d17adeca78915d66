package qr

import (
	"bytes"
	"sync"
	"testing"
)

func TestCacheRendersOnce(t *testing.T) {
	c := NewCache(1 << 20)
	opt := Options{Format: SVG, Size: 200, Foreground: "#000080"}
	var wg sync.WaitGroup
	imgs := make([]*Image, 8)
	for i := range imgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img, err := c.Render("hello", opt)
			if err != nil {
				t.Error(err)
			}
			imgs[i] = img
		}()
	}
	wg.Wait()
	if n := c.Renders(); n != 1 {
		t.Fatalf("%d renders for 8 requests of one image", n)
	}
	for _, img := range imgs[1:] {
		if img == nil || !bytes.Equal(img.Body, imgs[0].Body) || img.ETag != imgs[0].ETag {
			t.Fatal("requests got different images")
		}
	}
	if got := decodeSVG(t, imgs[0].Body, 200); got != "hello" {
		t.Fatalf("decoded %q", got)
	}
}

func TestETagChangesWithWhatIsDrawn(t *testing.T) {
	base := Options{Format: PNG, Size: 300}
	tag := ETag("p", base)
	changed := map[string]Options{
		"format": {Format: SVG, Size: 300},
		"size":   {Format: PNG, Size: 301},
		"fg":     {Format: PNG, Size: 300, Foreground: "#000001"},
		"bg":     {Format: PNG, Size: 300, Background: "#fffffe"},
		"logo":   {Format: PNG, Size: 300, Logo: []byte{1}},
	}
	for name, opt := range changed {
		if ETag("p", opt) == tag {
			t.Errorf("changing %s kept the ETag", name)
		}
	}
	if ETag("q", base) == tag {
		t.Error("changing the payload kept the ETag")
	}
	if ETag("p", base) != tag {
		t.Error("the same image got another ETag")
	}
}

func TestCacheEvictsPastItsBudget(t *testing.T) {
	one, _, err := Render("a", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(len(one) * 3)
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		if _, err := c.Render(p, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if c.used > c.maxBytes || len(c.byTag) > 3 || c.order.Len() != len(c.byTag) {
		t.Fatalf("used %d of %d bytes in %d entries", c.used, c.maxBytes, len(c.byTag))
	}
	before := c.Renders()
	if _, err := c.Render("e", Options{}); err != nil { // most recent: kept
		t.Fatal(err)
	}
	if _, err := c.Render("a", Options{}); err != nil { // oldest: evicted
		t.Fatal(err)
	}
	if got := c.Renders() - before; got != 1 {
		t.Fatalf("%d renders, want 1 (a evicted, e kept)", got)
	}
}
