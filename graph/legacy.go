package graph

import (
	"context"

	"shortener/ent"
	"shortener/internal/account"
	"shortener/internal/shortlink"
)

// The resolver methods below serve only the older generations of the REST
// API (rest/legacy_*.go); GraphQL has no field for them. Their rules live in
// shortlink and account, like those of every other resolver.

// CreateLinkOnce is CreateLink made idempotent, as the older generations
// shortened (shortlink.Writer.CreateOnce): the viewer's existing link to the
// same URL is returned, created false, when the spec asks for nothing else.
func (r *Resolver) CreateLinkOnce(ctx context.Context, s *shortlink.Spec) (*ent.Link, bool, error) {
	return r.links().CreateOnce(ctx, s)
}

// RequireAdmin fails with Forbidden unless the viewer is an admin account.
func (r *Resolver) RequireAdmin(ctx context.Context) error {
	return account.RequireAdmin(ctx, r.Client)
}

// AdminCreateUser creates an account for an admin viewer. Errors:
// Forbidden (not an admin), Invalid, Conflict.
func (r *Resolver) AdminCreateUser(ctx context.Context, in account.NewUser) (*ent.User, error) {
	return account.AdminCreateUser(ctx, r.Client, in)
}

// AdminUser returns any account by id for an admin viewer. Errors:
// Forbidden, NotFound.
func (r *Resolver) AdminUser(ctx context.Context, id int) (*ent.User, error) {
	return account.AdminUser(ctx, r.Client, id)
}
