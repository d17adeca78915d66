// Package ptr holds the one helper optional (pointer) fields need.
package ptr

// Value is *p, or T's zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
