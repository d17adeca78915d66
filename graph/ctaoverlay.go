package graph

import (
	"context"

	"shortener/ent"
	entlink "shortener/ent/link"
	"shortener/internal/store"
)

// DeleteCTAOverlay deletes an overlay; links that used it go direct.
func (r *Resolver) DeleteCTAOverlay(ctx context.Context, id int) error {
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.CTAOverlay.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Link.Update().Where(entlink.CtaOverlayIDEQ(id)).ClearCtaOverlayID().
			SetRedirectType(entlink.RedirectTypeDIRECT).Save(ctx); err != nil {
			return err
		}
		return tx.CTAOverlay.DeleteOneID(id).Exec(ctx)
	})
}
