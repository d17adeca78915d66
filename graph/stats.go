package graph

import (
	"context"

	"shortener/internal/analytics"
	"shortener/internal/apperr"
)

// stats is the click statistics of a scope, or Internal without a source.
func (r *Resolver) stats(ctx context.Context, s analytics.Scope) (*analytics.Stats, error) {
	if r.Stats == nil {
		return nil, apperr.Errorf(apperr.Internal, "statistics are not available")
	}
	return r.Stats.Totals(ctx, s)
}
