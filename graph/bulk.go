package graph

import (
	"context"

	"shortener/ent"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/ratelimit"
)

// MaxBulkLinks is how many inputs one createLinks call takes.
const MaxBulkLinks = 100

// createLinks creates each input through the createLink path (specFromCreate,
// then Resolver.CreateLink), one after the other, and reports each item's
// error in its result. The request paid for the field (chargeMutations); the
// other len(inputs)-1 links are charged here, all or nothing, before any is
// made.
func (r *Resolver) createLinks(ctx context.Context, inputs []*model.CreateLinkInput) ([]*model.CreateLinksResult, error) {
	if len(inputs) > MaxBulkLinks {
		return nil, apperr.InvalidField("inputs", "createLinks takes at most %d inputs, got %d", MaxBulkLinks, len(inputs))
	}
	if len(inputs) > 1 && !ratelimit.Charge(ctx, len(inputs)-1) {
		return nil, apperr.Errorf(apperr.RateLimited,
			"rate limit exceeded: createLinks costs one request per input (%d) and the budget has less left; nothing was created", len(inputs))
	}
	out := make([]*model.CreateLinksResult, len(inputs))
	for i, in := range inputs {
		l, err := r.createOne(ctx, in)
		if err != nil {
			out[i] = &model.CreateLinksResult{Error: r.itemError(ctx, i, err)}
			continue
		}
		out[i] = &model.CreateLinksResult{Link: l}
	}
	return out, nil
}

func (r *Resolver) createOne(ctx context.Context, in *model.CreateLinkInput) (l *ent.Link, err error) {
	s, err := specFromCreate(*in)
	if err != nil {
		return nil, err
	}
	return r.CreateLink(ctx, s)
}

// itemError is the ItemError of err as the error presenter would show it;
// an internal error is logged and shown as "internal error".
func (r *Resolver) itemError(ctx context.Context, i int, err error) *model.ItemError {
	ae := apperr.From(err)
	if ae.Code == apperr.Internal {
		r.Log.ErrorContext(ctx, "graphql createLinks", "item", i, "err", err)
		ae = internalError
	}
	e := &model.ItemError{Code: string(ae.Code), Message: shortMessage(ae.Message)}
	if ae.Field != "" {
		f := inputName(ae.Field)
		e.Field = &f
	}
	return e
}
