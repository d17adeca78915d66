package qr

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// Image is a rendered code.
type Image struct {
	ETag        string // quoted, strong
	Body        []byte
	ContentType string
}

// ETag is the entity tag of the image payload and opt render to: a digest
// of everything that changes a pixel (payload, format, size, colours, logo
// bytes). Changing a QR code's colours or logo changes it; changing a
// dynamic code's target does not, since its image encodes the tracking URL.
func ETag(payload string, opt Options) string {
	h := sha256.New()
	logo := sha256.Sum256(opt.Logo)
	fmt.Fprintf(h, "v1\x00%s\x00%d\x00%s\x00%s\x00%x\x00%d\x00",
		strings.ToLower(opt.Format), opt.Size, opt.Foreground, opt.Background, logo, len(payload))
	h.Write([]byte(payload))
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// Cache renders images and keeps them by ETag, evicting the least recently
// used past a byte budget. Concurrent requests for the same image render it
// once, and at most GOMAXPROCS renders run at a time, so a burst of
// requests for many sizes of a public image queues instead of taking every
// core. Entries are never invalidated: a changed code has a new ETag, and
// the old entry ages out.
type Cache struct {
	maxBytes int
	renders  atomic.Int64
	group    singleflight.Group
	slots    chan struct{}

	mu    sync.Mutex
	used  int
	order *list.List // front: most recent; values are *Image
	byTag map[string]*list.Element
}

// NewCache returns a cache holding at most maxBytes of image data.
func NewCache(maxBytes int) *Cache {
	return &Cache{maxBytes: maxBytes, order: list.New(), byTag: map[string]*list.Element{},
		slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Render returns the image of payload and opt, from the cache when it is
// there.
func (c *Cache) Render(payload string, opt Options) (*Image, error) {
	tag := ETag(payload, opt)
	if img := c.get(tag); img != nil {
		return img, nil
	}
	v, err, _ := c.group.Do(tag, func() (any, error) {
		if img := c.get(tag); img != nil {
			return img, nil
		}
		c.slots <- struct{}{}
		defer func() { <-c.slots }()
		c.renders.Add(1)
		body, ctype, err := Render(payload, opt)
		if err != nil {
			return nil, err
		}
		img := &Image{ETag: tag, Body: body, ContentType: ctype}
		c.add(img)
		return img, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Image), nil
}

// Renders counts the images actually rendered (cache misses).
func (c *Cache) Renders() int64 { return c.renders.Load() }

func (c *Cache) get(tag string) *Image {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byTag[tag]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*Image)
	}
	return nil
}

func (c *Cache) add(img *Image) {
	if len(img.Body) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byTag[img.ETag]; ok {
		return
	}
	c.byTag[img.ETag] = c.order.PushFront(img)
	c.used += len(img.Body)
	for c.used > c.maxBytes {
		e := c.order.Back()
		old := e.Value.(*Image)
		c.order.Remove(e)
		delete(c.byTag, old.ETag)
		c.used -= len(old.Body)
	}
}
