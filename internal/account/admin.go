package account

import (
	"context"

	"shortener/ent"
	"shortener/internal/apperr"
	"shortener/internal/auth"
)

// RequireAdmin fails with Forbidden unless the viewer's account is an admin
// (Unauthorized without a viewer). The flag is read from the store on every
// call, so revoking it takes effect at once.
func RequireAdmin(ctx context.Context, client *ent.Client) error {
	v := auth.ViewerFrom(ctx)
	if v == nil {
		return apperr.Errorf(apperr.Unauthorized, "authentication required")
	}
	u, err := client.User.Get(ctx, v.UserID)
	if err != nil {
		return err
	}
	if !u.Admin {
		return apperr.Errorf(apperr.Forbidden, "this route needs an admin account")
	}
	return nil
}

// AdminCreateUser creates an account for an admin viewer, as CreateUser
// does (its key is not returned: the new user signs in for one). The new
// account is never an admin. Errors: Forbidden, Invalid, Conflict.
func AdminCreateUser(ctx context.Context, client *ent.Client, in NewUser) (*ent.User, error) {
	if err := RequireAdmin(ctx, client); err != nil {
		return nil, err
	}
	in.Admin = false
	// The new account's rows (its first key) are its own, not the admin's:
	// create them as sign-up does, without the admin as viewer.
	u, _, err := CreateUser(auth.WithViewer(ctx, nil), client, in)
	return u, err
}

// AdminUser returns any account by id for an admin viewer. Errors:
// Forbidden, NotFound.
func AdminUser(ctx context.Context, client *ent.Client, id int) (*ent.User, error) {
	if err := RequireAdmin(ctx, client); err != nil {
		return nil, err
	}
	return client.User.Get(auth.SystemContext(ctx), id)
}
