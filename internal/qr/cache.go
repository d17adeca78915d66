package qr

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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

// ErrBusy is returned by Cache.Render when no render slot came free within
// the wait deadline or too many renders were already waiting: the caller
// answers 503 with Retry-After.
var ErrBusy = errors.New("render qr: all render slots busy")

// DefaultRenderWait is how long a render waits for a slot by default.
const DefaultRenderWait = 2 * time.Second

// Cache renders images and keeps them by ETag, evicting the least recently
// used past a byte budget. Concurrent requests for the same image render it
// once, and at most Slots renders run at a time (GOMAXPROCS by default);
// a render waits at most Wait for a slot, and at most Waiters renders wait
// at once (4 per slot by default); past either it fails with ErrBusy, so a
// burst of requests for many sizes of a public image is refused quickly
// instead of queueing behind itself. Cache hits never wait. Entries are
// never invalidated: a changed code has a new ETag, and the old entry ages
// out.
type Cache struct {
	maxBytes int
	renders  atomic.Int64
	group    singleflight.Group
	slots    chan struct{}
	wait     time.Duration
	waiters  int64
	waiting  atomic.Int64
	busy     atomic.Int64

	mu    sync.Mutex
	used  int
	order *list.List // front: most recent; values are *Image
	byTag map[string]*list.Element
}

// NewCache returns a cache holding at most maxBytes of image data, with the
// default render limits.
func NewCache(maxBytes int) *Cache { return NewCacheLimits(maxBytes, 0, 0, 0) }

// NewCacheLimits returns a cache holding at most maxBytes of image data
// that runs at most slots renders at once (0: GOMAXPROCS), lets at most
// waiters renders wait for a slot (0: 4 per slot) and each at most wait
// (0: DefaultRenderWait).
func NewCacheLimits(maxBytes, slots, waiters int, wait time.Duration) *Cache {
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	if waiters <= 0 {
		waiters = 4 * slots
	}
	if wait <= 0 {
		wait = DefaultRenderWait
	}
	return &Cache{maxBytes: maxBytes, order: list.New(), byTag: map[string]*list.Element{},
		slots: make(chan struct{}, slots), waiters: int64(waiters), wait: wait}
}

// acquire takes a render slot, waiting within the cache's bounds.
func (c *Cache) acquire() error {
	select {
	case c.slots <- struct{}{}:
		return nil
	default:
	}
	if c.waiting.Add(1) > c.waiters {
		c.waiting.Add(-1)
		c.busy.Add(1)
		return ErrBusy
	}
	defer c.waiting.Add(-1)
	t := time.NewTimer(c.wait)
	defer t.Stop()
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-t.C:
		c.busy.Add(1)
		return ErrBusy
	}
}

// Busy counts the renders refused with ErrBusy.
func (c *Cache) Busy() int64 { return c.busy.Load() }

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
		if err := c.acquire(); err != nil {
			return nil, err
		}
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
