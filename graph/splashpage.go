package graph

import (
	"context"

	"shortener/ent"
	entlink "shortener/ent/link"
	"shortener/internal/store"
)

// DeleteSplashPage deletes a splash page; links that used it go direct.
func (r *Resolver) DeleteSplashPage(ctx context.Context, id int) error {
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.SplashPage.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Link.Update().Where(entlink.SplashPageIDEQ(id)).ClearSplashPageID().
			SetRedirectType(entlink.RedirectTypeDIRECT).Save(ctx); err != nil {
			return err
		}
		return tx.SplashPage.DeleteOneID(id).Exec(ctx)
	})
}
