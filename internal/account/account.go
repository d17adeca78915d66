// Package account holds the rules of accounts and API keys: sign-up, key
// issue, rotation and revocation, and key authentication.
package account

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"shortener/ent"
	"shortener/ent/apikey"
	"shortener/ent/user"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/shortlink"
	"shortener/internal/store"
)

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$`)

// ValidateEmail checks an email address and returns it normalised.
func ValidateEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", apperr.InvalidField("email", "email %q is not a valid address", email)
	}
	return strings.ToLower(email), nil
}

// ValidatePassword checks a new password: 8 to auth.MaxPasswordBytes bytes.
func ValidatePassword(pw string) error {
	if len(pw) < 8 || len(pw) > auth.MaxPasswordBytes {
		return apperr.InvalidField("password", "password must be 8 to %d bytes long", auth.MaxPasswordBytes)
	}
	return nil
}

// NewUser is what creating an account takes.
type NewUser struct {
	Email, Username, Password string
	Plan                      user.Plan  // empty means FREE
	PlanExpiresAt             *time.Time // when a paid plan falls back to FREE; nil: never
	Admin                     bool       // may use the admin routes (CLI --admin only)
}

// CreateUser creates an account with its first API key and returns both; the
// key is shown only now. Anyone may call it (sign-up, the CLI); it runs with
// the system context. Errors: Invalid, Conflict (email or username taken).
func CreateUser(ctx context.Context, client *ent.Client, in NewUser) (*ent.User, string, error) {
	email, err := ValidateEmail(in.Email)
	if err != nil {
		return nil, "", err
	}
	if !usernameRE.MatchString(in.Username) {
		return nil, "", apperr.InvalidField("username", "username must be 3-32 letters, digits, '.', '-' or '_'")
	}
	if err := ValidatePassword(in.Password); err != nil {
		return nil, "", err
	}
	plan := in.Plan
	if plan == "" {
		plan = user.PlanFREE
	}
	if err := user.PlanValidator(plan); err != nil {
		return nil, "", apperr.InvalidField("plan", "plan must be free or pro")
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, "", err
	}
	sys := auth.SystemContext(ctx)
	if err := checkFree(sys, client, email, in.Username); err != nil {
		return nil, "", err
	}
	var (
		u   *ent.User
		key string
	)
	err = store.WithTx(sys, client, func(tx *ent.Client) error {
		var err error
		u, err = tx.User.Create().SetEmail(email).SetUsername(in.Username).
			SetPasswordHash(hash).SetPlan(plan).SetNillablePlanExpiresAt(in.PlanExpiresAt).SetAdmin(in.Admin).Save(sys)
		if err != nil {
			return err
		}
		key, _, err = issueKey(sys, tx, u.ID, "default", nil)
		return err
	})
	if ent.IsConstraintError(err) {
		return nil, "", apperr.Errorf(apperr.Conflict, "email or username already registered")
	}
	if err != nil {
		return nil, "", fmt.Errorf("create user: %w", err)
	}
	return u.Unwrap(), key, nil // u was loaded in the committed transaction
}

func checkFree(ctx context.Context, client *ent.Client, email, username string) error {
	if n, err := client.User.Query().Where(user.Email(email)).Count(ctx); err != nil {
		return err
	} else if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Message: "email already registered", Field: "email"}
	}
	if n, err := client.User.Query().Where(user.UsernameEqualFold(username)).Count(ctx); err != nil {
		return err
	} else if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Message: "username already taken", Field: "username"}
	}
	return nil
}

// issueKey creates an API key for userID and returns the key and its row.
func issueKey(ctx context.Context, client *ent.Client, userID int, name string, expires *time.Time) (string, *ent.APIKey, error) {
	key, hash := auth.NewKey()
	k, err := client.APIKey.Create().SetOwnerID(userID).SetKeyHash(hash).
		SetPrefix(key[:len(auth.KeyPrefix)+6]).SetName(name).SetNillableExpiresAt(expires).Save(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("issue key: %w", err)
	}
	return key, k, nil
}

// IssueKey creates another API key for the viewer, at most MaxActiveKeys
// active at once; sqlDialect is the store's. Errors: Unauthorized, Invalid.
func IssueKey(ctx context.Context, client *ent.Client, sqlDialect, name string, expires *time.Time, now time.Time) (string, *ent.APIKey, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil {
		return "", nil, apperr.Errorf(apperr.Unauthorized, "authentication required")
	}
	if name == "" {
		name = "default"
	}
	if len(name) > 100 {
		return "", nil, apperr.InvalidField("name", "name is longer than 100 characters")
	}
	if expires != nil && !expires.After(now) {
		return "", nil, apperr.InvalidField("expiresAt", "expiresAt must be in the future")
	}
	// Count and insert in one transaction, with the account's key writers
	// serialised, so racing requests cannot pass the cap together.
	var (
		key string
		row *ent.APIKey
	)
	err := store.WithTx(ctx, client, func(tx *ent.Client) error {
		if err := store.LockXact(ctx, tx, sqlDialect, store.LockAPIKeys, strconv.Itoa(v.UserID)); err != nil {
			return err
		}
		active, err := tx.APIKey.Query().Where(apikey.HasOwnerWith(user.ID(v.UserID)), apikey.RevokedAtIsNil(),
			apikey.Or(apikey.ExpiresAtIsNil(), apikey.ExpiresAtGT(now))).Count(ctx)
		if err != nil {
			return err
		}
		if active >= MaxActiveKeys {
			return apperr.Errorf(apperr.Invalid,
				"an account has at most %d active API keys: revoke one first", MaxActiveKeys)
		}
		key, row, err = issueKey(ctx, tx, v.UserID, name, expires)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return key, row.Unwrap(), nil // row was loaded in the committed transaction
}

// MaxActiveKeys caps the API keys (not revoked, not expired) of an account.
const MaxActiveKeys = 20

// Rotate revokes the viewer's key id (0: the key of this request) and issues
// a new one with the same name and expiry. Errors: Unauthorized, NotFound.
func Rotate(ctx context.Context, client *ent.Client, id int, now time.Time) (string, *ent.APIKey, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil {
		return "", nil, apperr.Errorf(apperr.Unauthorized, "authentication required")
	}
	if id == 0 {
		id = v.KeyID
	}
	var (
		key string
		row *ent.APIKey
	)
	err := store.WithTx(ctx, client, func(tx *ent.Client) error {
		old, err := tx.APIKey.Get(ctx, id)
		if err != nil {
			return err
		}
		if old.RevokedAt != nil {
			return apperr.NotFoundf("API key not found")
		}
		if err := tx.APIKey.UpdateOne(old).SetRevokedAt(now).Exec(ctx); err != nil {
			return err
		}
		key, row, err = issueKey(ctx, tx, v.UserID, old.Name, old.ExpiresAt)
		return err
	})
	if err != nil {
		return "", nil, apperr.From(err)
	}
	return key, row.Unwrap(), nil // row was loaded in the committed transaction
}

// Revoke revokes one of the viewer's keys. Errors: NotFound.
func Revoke(ctx context.Context, client *ent.Client, id int, now time.Time) (*ent.APIKey, error) {
	k, err := client.APIKey.Get(ctx, id)
	if err != nil {
		return nil, apperr.From(err)
	}
	if k.RevokedAt != nil {
		return k, nil
	}
	return client.APIKey.UpdateOne(k).SetRevokedAt(now).Save(ctx)
}

// Authenticate returns the viewer of an API key, or auth.ErrBadKey for an
// unknown, revoked or expired key, or a key whose user is gone or disabled.
func Authenticate(ctx context.Context, client *ent.Client, key string, now time.Time) (*auth.Viewer, error) {
	k, err := lookupKey(ctx, client, key)
	if err != nil {
		return nil, err
	}
	return viewerOf(k, now)
}

// lookupKey loads an API key row with its owner.
func lookupKey(ctx context.Context, client *ent.Client, key string) (*ent.APIKey, error) {
	if !strings.HasPrefix(key, auth.KeyPrefix) || len(key) > 200 {
		return nil, auth.ErrBadKey
	}
	k, err := client.APIKey.Query().Where(apikey.KeyHash(auth.HashKey(key))).WithOwner().Only(auth.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, auth.ErrBadKey
	}
	if err != nil {
		return nil, fmt.Errorf("look up key: %w", err)
	}
	return k, nil
}

// viewerOf is the viewer of a loaded key, or auth.ErrBadKey when the key is
// revoked or expired or its user is gone or disabled (User.disabled_at,
// `shortener user disable`: the flag is read with the key on every lookup).
func viewerOf(k *ent.APIKey, now time.Time) (*auth.Viewer, error) {
	if k.RevokedAt != nil || (k.ExpiresAt != nil && !k.ExpiresAt.After(now)) || k.Edges.Owner == nil ||
		k.Edges.Owner.DisabledAt != nil {
		return nil, auth.ErrBadKey
	}
	u := k.Edges.Owner
	return &auth.Viewer{UserID: u.ID, Username: u.Username, Plan: string(PlanAt(u, now)), KeyID: k.ID}, nil
}

// PlanAt is the plan u is on at now: a paid plan past its end is FREE.
func PlanAt(u *ent.User, now time.Time) user.Plan {
	if u.PlanExpiresAt != nil && !u.PlanExpiresAt.After(now) {
		return user.PlanFREE
	}
	return u.Plan
}

// Update changes the viewer's email, password or avatar. Errors:
// Unauthorized, Invalid, Conflict.
func Update(ctx context.Context, client *ent.Client, email, password, avatar *string) (*ent.User, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil {
		return nil, apperr.Errorf(apperr.Unauthorized, "authentication required")
	}
	upd := client.User.UpdateOneID(v.UserID)
	if email != nil {
		e, err := ValidateEmail(*email)
		if err != nil {
			return nil, err
		}
		n, err := client.User.Query().Where(user.Email(e), user.IDNEQ(v.UserID)).Count(auth.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, &apperr.Error{Code: apperr.Conflict, Message: "email already registered", Field: "email"}
		}
		upd.SetEmail(e)
	}
	if password != nil {
		if err := ValidatePassword(*password); err != nil {
			return nil, err
		}
		h, err := auth.HashPassword(*password)
		if err != nil {
			return nil, err
		}
		upd.SetPasswordHash(h)
	}
	if avatar != nil {
		// The URL rules of every other URL field (package link).
		if err := shortlink.ValidateOptionalURL("avatarUrl", *avatar); err != nil {
			return nil, err
		}
		upd.SetAvatar(*avatar)
	}
	u, err := upd.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apperr.Errorf(apperr.Conflict, "email already registered")
	}
	return u, err
}
