package graph

import (
	"context"
	"errors"
	"strings"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/ent/schema/schematype"
	"shortener/internal/apperr"
	"shortener/internal/shortlink"
	"shortener/internal/store"
)

func checkBio(alias *string, avatar *string, links []schematype.BioLink) error {
	if alias != nil {
		if err := shortlink.ValidateAlias("alias", *alias); err != nil {
			return err
		}
	}
	if avatar != nil {
		if err := shortlink.ValidateOptionalURL("avatar", *avatar); err != nil {
			return err
		}
	}
	if len(links) > shortlink.MaxTargets {
		return apperr.InvalidField("links", "at most %d links", shortlink.MaxTargets)
	}
	for _, l := range links {
		if strings.TrimSpace(l.Title) == "" || len(l.Title) > 255 {
			return apperr.InvalidField("links", "a bio link needs a title of at most 255 characters")
		}
		if err := shortlink.ValidateURL("links", l.URL); err != nil {
			return err
		}
	}
	return nil
}

// saveBio runs write (a create when id is 0) in a transaction that first
// claims alias on the base host when it is set (claimBaseName).
func (r *Resolver) saveBio(ctx context.Context, id int, alias *string, write func(tx *ent.Client) (*ent.BioPage, error)) (*ent.BioPage, error) {
	var out *ent.BioPage
	err := store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
		if alias != nil {
			if err := r.claimBaseName(ctx, tx, *alias, 0, id); err != nil {
				return err
			}
		}
		var err error
		out, err = write(tx)
		return err
	})
	if alias != nil && (errors.Is(err, shortlink.ErrBaseNameTaken) || ent.IsConstraintError(err)) {
		return nil, shortlink.AliasConflict("alias", *alias)
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// DeleteBioPage deletes a bio page and its channel memberships.
func (r *Resolver) DeleteBioPage(ctx context.Context, id int) error {
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.BioPage.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.BioPageIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.BioPage.DeleteOneID(id).Exec(ctx)
	})
}
