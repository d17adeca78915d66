package graph

import (
	"context"
	"fmt"
	"regexp"

	"shortener/ent"
	"shortener/ent/campaign"
	entlink "shortener/ent/link"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/shortlink"
	"shortener/internal/store"
)

var slugRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

func checkSlug(slug *string) error {
	if slug != nil && *slug != "" && !slugRE.MatchString(*slug) {
		return apperr.InvalidField("slug", "slug must be 1-100 letters, digits, '-' or '_'")
	}
	return nil
}

func (r *Resolver) slugTaken(ctx context.Context, slug *string, except int) error {
	if slug == nil || *slug == "" {
		return nil
	}
	taken, err := r.Client.Campaign.Query().Where(campaign.SlugEQ(*slug), campaign.IDNEQ(except)).Exist(auth.SystemContext(ctx))
	if err != nil {
		return err
	}
	if taken {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("slug %q is already taken", *slug), Field: "slug"}
	}
	return nil
}

// RotatorURL is {base}/r/{slug}, or nil for a campaign without a slug.
func (r *Resolver) RotatorURL(c *ent.Campaign) *string {
	if c.Slug == nil || *c.Slug == "" {
		return nil
	}
	u := shortlink.RotatorURL(r.BaseURL, *c.Slug)
	return &u
}

// ListURL is {base}/u/{username}/{slug}-{id}; "list" stands in for a
// missing slug, as in the legacy API.
func (r *Resolver) ListURL(ctx context.Context, c *ent.Campaign) (string, error) {
	u, err := loaded(auth.SystemContext(ctx), c.Edges.Owner, c.QueryOwner().Only)
	if err != nil {
		return "", err
	}
	return shortlink.ListURL(r.BaseURL, u.Username, c.Slug, c.ID), nil
}

// DeleteCampaign deletes a campaign; its links stay, without a campaign.
func (r *Resolver) DeleteCampaign(ctx context.Context, id int) error {
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.Campaign.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Link.Update().Where(entlink.CampaignIDEQ(id)).ClearCampaignID().Save(ctx); err != nil {
			return err
		}
		return tx.Campaign.DeleteOneID(id).Exec(ctx)
	})
}
