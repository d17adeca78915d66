package graph

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"

	"shortener/ent"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/gid"
)

// decodeID decodes a global id that must be of type typ. field names the
// argument in the error.
func decodeID(field, typ, id string) (int, error) {
	n, err := gid.DecodeAs(typ, id)
	if err != nil {
		return 0, apperr.InvalidField(field, "%s is not a valid %s id", field, typ)
	}
	return n, nil
}

// decodeOptionalID is decodeID for an optional argument: nil gives 0.
func decodeOptionalID(field, typ string, id *string) (int, error) {
	if id == nil || *id == "" {
		return 0, nil
	}
	return decodeID(field, typ, *id)
}

// decodeIDs decodes a list of global ids of one type.
func decodeIDs(field, typ string, ids []string) ([]int, error) {
	out := make([]int, 0, len(ids))
	for _, s := range ids {
		n, err := decodeID(field, typ, s)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// node loads one object by global id. Another user's object and a missing
// one look the same: NOT_FOUND.
func (r *Resolver) node(ctx context.Context, id string) (ent.Noder, error) {
	typ, row, err := gid.Decode(id)
	table, ok := ent.NodeTables[typ]
	if err != nil || !ok {
		return nil, entgql.ErrNodeNotFound(id)
	}
	n, err := r.Client.Noder(ctx, row, ent.WithFixedNodeType(table))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, entgql.ErrNodeNotFound(id)
		}
		return nil, fmt.Errorf("load node: %w", err)
	}
	return n, nil
}

// deleted decodes id as a typ id, deletes it with del and returns the payload.
func deleted(ctx context.Context, id, typ string, del func(context.Context, int) error) (*model.DeletePayload, error) {
	n, err := decodeID("id", typ, id)
	if err != nil {
		return nil, err
	}
	if err := del(ctx, n); err != nil {
		return nil, err
	}
	return &model.DeletePayload{DeletedID: id}, nil
}

// exists reports whether a Get found its row: NotFound (a missing or
// another user's row) is false, any other error is returned.
func exists[T any](_ T, err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if apperr.CodeOf(err) == apperr.NotFound {
		return false, nil
	}
	return false, err
}
