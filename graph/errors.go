package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"shortener/internal/apperr"
	"shortener/internal/auth"
)

var internalError = &apperr.Error{Code: apperr.Internal, Message: "internal error"}

// publicRootFields may be called without an API key.
var publicRootFields = map[string]bool{"signup": true, "__schema": true, "__type": true, "__typename": true}

// requireViewer refuses every root field but the public ones when the
// request carries no API key.
func requireViewer(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc != nil && !publicRootFields[fc.Field.Name] && auth.ViewerFrom(ctx) == nil {
		graphql.AddError(ctx, apperr.Errorf(apperr.Unauthorized,
			"authentication required: send Authorization: Bearer KEY"))
		return graphql.Null
	}
	return next(ctx)
}

// translateErrors turns every error a resolver returns into an *apperr.Error:
// ent errors get their code, unknown errors become Internal and are logged
// once, here.
func (r *Resolver) translateErrors(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err == nil {
		return res, nil
	}
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Err == nil {
		return res, err // made by gqlgen or entgql, already shaped
	}
	ae := apperr.From(err)
	if ae.Code == apperr.Internal {
		r.Log.ErrorContext(ctx, "graphql resolver", "path", graphql.GetPath(ctx).String(), "err", err)
	}
	return res, ae
}

// presentError is the one place GraphQL errors get their extensions.code.
// Errors of our own carry their code; errors gqlgen raises before a resolver
// runs (argument and variable coercion) are the client's and become
// BAD_USER_INPUT when they have no code yet.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	gerr.Message = shortMessage(gerr.Message)
	var ae *apperr.Error
	if errors.As(err, &ae) {
		gerr.Message = shortMessage(ae.Message)
		if gerr.Extensions == nil {
			gerr.Extensions = map[string]any{}
		}
		gerr.Extensions["code"] = string(ae.Code)
		if ae.Field != "" {
			gerr.Extensions["field"] = inputName(ae.Field)
		}
		return gerr
	}
	if _, ok := gerr.Extensions["code"]; !ok {
		if gerr.Extensions == nil {
			gerr.Extensions = map[string]any{}
		}
		gerr.Extensions["code"] = string(apperr.Invalid)
	}
	return gerr
}

// inputName turns an ent field name from a schema validator (delay_seconds)
// into the GraphQL input field's name (delaySeconds).
func inputName(field string) string {
	parts := strings.Split(field, "_")
	for i := 1; i < len(parts); i++ {
		if p := parts[i]; p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}
