package graph

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"shortener/internal/apperr"
)

// pageLimit checks the page size of every connection in an operation before
// anything runs, nested ones included: entgql loads nested connections
// (campaign { links }, channel { items }) while the parent list loads, from
// the query's arguments, so a check in the root resolvers comes too late and
// a nested connection without first or last would load every row. As on
// GitHub, first and last are at most MaxPageSize, and a nested connection
// that selects edges must give one of them; root connections default to
// DefaultPageSize (pageArgs).
type pageLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = pageLimit{}

func (pageLimit) ExtensionName() string                   { return "PageLimit" }
func (pageLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (pageLimit) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	w := pageWalker{rc: rc, seen: map[string]bool{}}
	return w.walk(rc.Operation.SelectionSet, 0)
}

type pageWalker struct {
	rc   *graphql.OperationContext
	seen map[string]bool // fragments already walked
}

func (w *pageWalker) walk(set ast.SelectionSet, depth int) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := w.field(s, depth); err != nil {
				return err
			}
			if err := w.walk(s.SelectionSet, depth+1); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.walk(s.SelectionSet, depth); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if def := w.rc.Doc.Fragments.ForName(s.Name); def != nil {
				if err := w.walk(def.SelectionSet, depth); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *pageWalker) field(f *ast.Field, depth int) *gqlerror.Error {
	if f.Definition == nil || f.Definition.Type == nil || !strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return nil
	}
	args := f.ArgumentMap(w.rc.Variables)
	given := false
	for _, name := range []string{"first", "last"} {
		n, ok := intArg(args[name])
		if !ok {
			continue
		}
		given = true
		if n < 0 || n > MaxPageSize {
			return pageError(f, name, "%s on %s must be between 0 and %d", name, f.Name, MaxPageSize)
		}
	}
	if !given && depth > 0 && selects(f.SelectionSet, "edges") {
		return pageError(f, "first", "give first or last (at most %d) to page the %s connection", MaxPageSize, f.Name)
	}
	return nil
}

// selects reports whether a selection set asks for a field by name,
// directly or in an inline fragment.
func selects(set ast.SelectionSet, name string) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, name) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, name) {
				return true
			}
		}
	}
	return false
}

func intArg(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func pageError(f *ast.Field, arg, format string, args ...any) *gqlerror.Error {
	e := gqlerror.ErrorPosf(f.Position, format, args...)
	e.Extensions = map[string]any{"code": string(apperr.Invalid), "field": arg}
	return e
}
