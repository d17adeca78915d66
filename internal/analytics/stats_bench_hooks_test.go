package analytics_test

import (
	"context"

	"shortener/ent"
	"shortener/internal/analytics"
)

// The statistics of this branch come from rollups: a seed is rolled up by
// a rebuild, and REST reads them in one pass.
func init() {
	afterSeed = func(ctx context.Context, c *ent.Client, d string) error {
		_, err := analytics.Rebuild(ctx, c, d, nil)
		return err
	}
	restStats = func(ctx context.Context, s *analytics.Store, sc analytics.Scope) error {
		_, err := s.Summary(ctx, sc, 100)
		return err
	}
}
