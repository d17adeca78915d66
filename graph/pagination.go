package graph

import "shortener/internal/apperr"

// DefaultPageSize is the page size of a connection asked for without first
// or last; MaxPageSize is the largest page a connection returns.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// pageArgs checks and bounds connection arguments: a page has at most
// MaxPageSize items, and DefaultPageSize when neither first nor last is given.
func pageArgs(first, last *int) (*int, *int, error) {
	for _, p := range []struct {
		name string
		v    *int
	}{{"first", first}, {"last", last}} {
		if p.v != nil && (*p.v < 0 || *p.v > MaxPageSize) {
			return nil, nil, apperr.InvalidField(p.name, "%s must be between 0 and %d", p.name, MaxPageSize)
		}
	}
	if first == nil && last == nil {
		n := DefaultPageSize
		first = &n
	}
	return first, last, nil
}
