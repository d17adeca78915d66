package graph

import (
	"context"

	"shortener/internal/analytics"
)

// stats is the click statistics of a scope.
func (r *Resolver) stats(ctx context.Context, s analytics.Scope) (*analytics.Stats, error) {
	return r.Stats.Totals(ctx, s)
}
