package analytics

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Live clicks (docs/decisions/0007-live-clicks.md): the Writer hands each
// batch it has committed to a Publisher (WriterOptions.Publisher); the Hub
// is the Publisher of the running server and fans the clicks out to the
// subscribers of their owner. Nothing here ever blocks the writer: a
// subscriber that reads too slowly loses clicks, and is told how many.

// ClickEvent is one stored click or QR scan as a live subscriber sees it.
// It carries no IP and no visitor hash.
type ClickEvent struct {
	OwnerID   int // the user who owns the link or QR code
	LinkID    int // 0 for a QR scan
	QRCodeID  int // 0 for a link click
	CreatedAt time.Time
	Country   string // ISO code, "" when unknown
	Referrer  string // the referrer's host, as stored
	Browser   string
	OS        string
	Device    string
	Language  string
	Bot       bool
	// FirstVisit says whether this was the visitor's first click of the
	// link that day, when the publisher knows (nil: unknown).
	FirstVisit *bool
	// Dropped is how many of this subscription's clicks were dropped before
	// this one because the subscriber read too slowly (since it subscribed).
	Dropped int
}

// Publisher takes the clicks of each batch the Writer has committed. Both
// methods run on the writer's goroutine and must never block.
type Publisher interface {
	// Wants reports whether anyone listens to owner's clicks; the writer
	// builds events only for those.
	Wants(owner int) bool
	// Publish delivers the events; it may keep none of the slice.
	Publish(events []ClickEvent)
}

// publish hands the Publisher the clicks of a batch that has just been
// committed, so a delivered click is a stored click. Without a Publisher,
// or when nobody listens, it costs one check a batch (a hit).
func (w *Writer) publish(batch hits) {
	p := w.opts.Publisher
	if p == nil || batch.Len() == 0 {
		return
	}
	var events []ClickEvent
	lastOwner, wanted := -1, false
	for i := range batch.Len() {
		h := batch.at(i)
		if h.OwnerID != lastOwner {
			lastOwner, wanted = h.OwnerID, p.Wants(h.OwnerID)
		}
		if !wanted {
			continue
		}
		t := h.Time.UTC()
		if h.Time.IsZero() {
			t = time.Now().UTC()
		}
		country := h.Country
		if country == "" {
			country = w.opts.GeoIP.Country(h.IP)
		}
		a := w.agent(h.UserAgent) // cached: insert parsed it
		var first *bool
		if i < len(w.firstOf) && w.firstOf[i] != firstUnknown {
			first = new(w.firstOf[i] == firstYes)
		}
		events = append(events, ClickEvent{
			OwnerID: h.OwnerID, LinkID: h.LinkID, QRCodeID: h.QRCodeID, CreatedAt: t,
			Country: country, Referrer: ReferrerHost(h.Referrer),
			Browser: a.Browser, OS: a.OS, Device: a.Device, Language: w.language(h.AcceptLanguage),
			Bot: h.Bot, FirstVisit: first,
		})
	}
	if len(events) > 0 {
		p.Publish(events)
	}
}

// Defaults of HubOptions.
const (
	DefaultLiveBuffer   = 256
	DefaultLivePerOwner = 10
)

// HubOptions configure a Hub.
type HubOptions struct {
	// Buffer is how many clicks wait for one subscriber (default 256);
	// past it the subscriber's clicks are dropped and counted.
	Buffer int
	// PerOwner bounds the subscriptions one account holds at once
	// (default 10).
	PerOwner int
}

// ErrTooManySubscriptions refuses a subscription past HubOptions.PerOwner.
var ErrTooManySubscriptions = errors.New("too many live subscriptions for this account")

// ErrHubClosed refuses a subscription once the server is shutting down.
var ErrHubClosed = errors.New("live clicks have stopped: the server is shutting down")

// Filter says which clicks a subscription receives: those of Owner's links
// and QR codes, or with Link set only that link's. (Whether the viewer
// owns Link is checked by the caller; the hub delivers only Owner's clicks
// whatever Link is.)
type Filter struct {
	Owner int
	Link  int
}

// Hub is the registry of live subscribers and the server's Publisher. The
// writer publishes under a read lock and never waits: each subscriber has a
// bounded channel, and a send that would block is dropped and counted.
type Hub struct {
	opts HubOptions

	mu     sync.RWMutex
	owners map[int][]*subscriber // by owner id
	closed bool

	open               atomic.Int64 // subscriptions open
	delivered, dropped atomic.Uint64
}

type subscriber struct {
	filter  Filter
	c       chan *ClickEvent // closed by remove or Close, under mu
	dropped atomic.Int64
}

// NewHub returns an empty Hub.
func NewHub(opts HubOptions) *Hub {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultLiveBuffer
	}
	if opts.PerOwner <= 0 {
		opts.PerOwner = DefaultLivePerOwner
	}
	return &Hub{opts: opts, owners: map[int][]*subscriber{}}
}

// Subscribe registers a subscriber of f's clicks until ctx is done (or the
// hub closes), when the channel is closed.
func (h *Hub) Subscribe(ctx context.Context, f Filter) (<-chan *ClickEvent, error) {
	if f.Owner <= 0 {
		return nil, errors.New("live: a subscription needs an owner")
	}
	s := &subscriber{filter: f, c: make(chan *ClickEvent, h.opts.Buffer)}
	h.mu.Lock()
	switch {
	case h.closed:
		h.mu.Unlock()
		return nil, ErrHubClosed
	case len(h.owners[f.Owner]) >= h.opts.PerOwner:
		h.mu.Unlock()
		return nil, fmt.Errorf("%w (at most %d at once)", ErrTooManySubscriptions, h.opts.PerOwner)
	}
	h.owners[f.Owner] = append(h.owners[f.Owner], s)
	h.open.Add(1)
	h.mu.Unlock()
	context.AfterFunc(ctx, func() { h.remove(s) })
	return s.c, nil
}

func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.owners[s.filter.Owner]
	for i, o := range subs {
		if o != s {
			continue
		}
		subs = append(subs[:i], subs[i+1:]...)
		if len(subs) == 0 {
			delete(h.owners, s.filter.Owner)
		} else {
			h.owners[s.filter.Owner] = subs
		}
		close(s.c)
		h.open.Add(-1)
		return
	}
}

// Wants reports whether owner has a subscriber.
func (h *Hub) Wants(owner int) bool {
	if h.open.Load() == 0 {
		return false
	}
	h.mu.RLock()
	_, ok := h.owners[owner]
	h.mu.RUnlock()
	return ok
}

// Publish sends each event to the subscribers of its owner whose filter it
// passes, without waiting: a subscriber whose buffer is full loses it (its
// next delivered event's Dropped says how many it has lost).
func (h *Hub) Publish(events []ClickEvent) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for i := range events {
		e := &events[i]
		for _, s := range h.owners[e.OwnerID] {
			if s.filter.Link != 0 && s.filter.Link != e.LinkID {
				continue
			}
			if len(s.c) == cap(s.c) { // full: drop before copying
				s.dropped.Add(1)
				h.dropped.Add(1)
				continue
			}
			ev := *e
			ev.Dropped = int(s.dropped.Load())
			select {
			case s.c <- &ev:
				h.delivered.Add(1)
			default: // filled since (another publisher)
				s.dropped.Add(1)
				h.dropped.Add(1)
			}
		}
	}
}

// Close ends every subscription and refuses new ones. The server calls it
// when it starts shutting down, so open streams end instead of holding the
// shutdown up.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for owner, subs := range h.owners {
		for _, s := range subs {
			close(s.c)
			h.open.Add(-1)
		}
		delete(h.owners, owner)
	}
}

// Open is the number of open subscriptions.
func (h *Hub) Open() int { return int(h.open.Load()) }

// Delivered is the number of clicks handed to subscribers' buffers.
func (h *Hub) Delivered() uint64 { return h.delivered.Load() }

// Dropped is the number of clicks subscribers lost because they read too
// slowly.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }
