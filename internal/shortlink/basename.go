package shortlink

import (
	"context"
	"errors"

	"shortener/ent"
	"shortener/ent/biopage"
	entlink "shortener/ent/link"
	"shortener/internal/auth"
	"shortener/internal/store"
)

// Names on the base host: a link with no branded domain and a bio page are
// both served at /{alias}, so they share one namespace. Every write that
// gives the base host a name (creating or renaming a base-host link, moving
// a link back to the base host, creating or renaming a bio page) calls
// ClaimBaseName inside its transaction, before it writes. That is the one
// mechanism (docs/decisions/0005-base-host-names.md):
//
//   - writers of one name are serialised: on SQLite every write transaction
//     holds the single write connection from BEGIN IMMEDIATE; on PostgreSQL
//     ClaimBaseName takes a transaction-scoped advisory lock on the name;
//   - then it looks in both tables, so the second writer sees the first's
//     committed row and gets Conflict.
//
// The unique indexes on each table still catch link-link and bio-bio races
// on their own; this covers the pair no index can span.

// ErrBaseNameTaken is ClaimBaseName's answer when the name is held; callers
// turn it into their own Conflict (field "custom" or "alias").
var ErrBaseNameTaken = errors.New("base-host name taken")

// ClaimBaseName serialises writers of alias on the base host and reports
// ErrBaseNameTaken when a link (other than exceptLink) or a bio page (other
// than exceptBio) holds it. tx must be a transaction's client; sqlDialect
// is the store's (entgo.io/ent/dialect).
func ClaimBaseName(ctx context.Context, tx *ent.Client, sqlDialect, alias string, exceptLink, exceptBio int) error {
	if err := store.LockXact(ctx, tx, sqlDialect, store.LockBaseName, alias); err != nil {
		return err
	}
	sys := auth.SystemContext(ctx)
	taken, err := tx.Link.Query().Where(entlink.AliasEQ(alias), entlink.DomainIDIsNil(), entlink.IDNEQ(exceptLink)).Exist(sys)
	if err == nil && !taken {
		taken, err = tx.BioPage.Query().Where(biopage.AliasEQ(alias), biopage.IDNEQ(exceptBio)).Exist(sys)
	}
	if err != nil {
		return err
	}
	if taken {
		return ErrBaseNameTaken
	}
	return nil
}
