package graph

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"shortener/internal/apperr"
	"shortener/internal/ratelimit"
)

// chargeMutations charges every mutation root field of a document against
// the request's budget (ratelimit.Charge, put in the context by the rate
// limit middleware): the request itself paid for the first field, each
// further one costs 1 more. Mutation fields run one after the other, so a
// document with more fields than the budget has left runs as many as it can
// pay for; the rest answer null with RATE_LIMITED and do nothing.
type chargeMutations struct{}

var (
	_ graphql.HandlerExtension     = chargeMutations{}
	_ graphql.OperationInterceptor = chargeMutations{}
	_ graphql.RootFieldInterceptor = chargeMutations{}
)

func (chargeMutations) ExtensionName() string                   { return "ChargeMutations" }
func (chargeMutations) Validate(graphql.ExecutableSchema) error { return nil }

type mutationCount struct{}

func (chargeMutations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, mutationCount{}, new(atomic.Int32)))
}

func (chargeMutations) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	// RootFieldContext.Object holds the field's name, not its type: the
	// operation says whether this is a mutation.
	oc := graphql.GetOperationContext(ctx)
	n, _ := ctx.Value(mutationCount{}).(*atomic.Int32)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation || n == nil {
		return next(ctx)
	}
	if n.Add(1) > 1 && !ratelimit.Charge(ctx, 1) {
		graphql.AddError(ctx, apperr.Errorf(apperr.RateLimited,
			"rate limit exceeded: this mutation field was not run (each mutation field of a document costs one request)"))
		return graphql.Null
	}
	return next(ctx)
}
