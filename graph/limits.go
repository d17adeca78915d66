package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"shortener/internal/apperr"
)

// Limits of one /graphql request, checked before anything runs. Past them the
// request is refused with BAD_USER_INPUT (413 for the body).
const (
	// MaxBodyBytes bounds a JSON or GET request, as on the REST API.
	// Multipart uploads have their own bound (maxUploadBytes).
	MaxBodyBytes = 1 << 20
	// MaxTokens bounds the tokens of a query document.
	MaxTokens = 15_000
	// MaxFragments bounds the fragment definitions of a document.
	MaxFragments = 100
	// MaxDepth bounds how deeply fields nest, through fragments too.
	MaxDepth = 15
	// maxErrorMessage bounds the message of an error; no message carries the
	// request.
	maxErrorMessage = 200
)

// maxUploadBytes bounds a multipart request (a 1 MiB logo and its form).
const maxUploadBytes = 2 << 20

// limitBody answers 413 to a request body past MaxBodyBytes without running
// it. Multipart bodies are bounded by the multipart transport.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > MaxBodyBytes {
			tooLarge(w)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if len(b) > MaxBodyBytes {
			tooLarge(w)
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "could not read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close") // the rest of the body is not read
	writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": msg, "extensions": map[string]any{"code": string(apperr.Invalid)},
	}}})
}

// queryLimit refuses documents past MaxTokens or MaxFragments before they are
// parsed or validated (validation of many chained fragments is what costs),
// and operations nested deeper than MaxDepth before they run.
type queryLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = queryLimit{}

func (queryLimit) ExtensionName() string                   { return "QueryLimit" }
func (queryLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters counts tokens and fragment definitions with the
// lexer: one pass, no tree.
func (queryLimit) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	lx := lexer.New(&ast.Source{Input: p.Query})
	braces, parens, tokens, fragments := 0, 0, 0, 0
	var prev lexer.Type
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return nil // the parser reports syntax errors
		}
		tokens++
		if tokens > MaxTokens {
			return limitError("the query has more than %d tokens", MaxTokens)
		}
		switch tok.Kind {
		case lexer.BraceL:
			braces++
		case lexer.BraceR:
			braces--
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.Name:
			if tok.Value == "fragment" && braces == 0 && parens == 0 && prev != lexer.Dollar {
				if fragments++; fragments > MaxFragments {
					return limitError("the query has more than %d fragments", MaxFragments)
				}
			}
		}
		prev = tok.Kind
	}
}

// MutateOperationContext checks the depth of the operation, fragments
// expanded (each fragment's depth is computed once).
func (queryLimit) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	memo := map[string]int{}
	if d := depth(rc.Doc, rc.Operation.SelectionSet, memo); d > MaxDepth {
		return limitError("the query nests fields %d deep, more than %d", d, MaxDepth)
	}
	return nil
}

// depth is the deepest field nesting of set. Validation has refused fragment
// cycles already; memo also stops them.
func depth(doc *ast.QueryDocument, set ast.SelectionSet, memo map[string]int) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + depth(doc, s.SelectionSet, memo)
		case *ast.InlineFragment:
			d = depth(doc, s.SelectionSet, memo)
		case *ast.FragmentSpread:
			var ok bool
			if d, ok = memo[s.Name]; !ok {
				memo[s.Name] = 0
				if def := doc.Fragments.ForName(s.Name); def != nil {
					d = depth(doc, def.SelectionSet, memo)
				}
				memo[s.Name] = d
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func limitError(format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": string(apperr.Invalid)}
	return e
}

// shortMessage cuts an error message: gqlgen's JSON error quotes the whole
// body ("... body:<request>"), and parser errors quote tokens.
func shortMessage(m string) string {
	if i := strings.Index(m, " body:"); i >= 0 {
		m = m[:i]
	}
	if len(m) <= maxErrorMessage {
		return m
	}
	m = m[:maxErrorMessage]
	for len(m) > 0 && !utf8.ValidString(m) {
		m = m[:len(m)-1]
	}
	return m + "…"
}
