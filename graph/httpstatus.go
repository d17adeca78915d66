package graph

import (
	"mime"
	"net/http"
	"strings"
)

// GraphQL over HTTP (graphql.github.io/graphql-over-http): a client that
// accepts application/graphql-response+json gets status codes for request
// errors (400 for a document that does not parse or validate, 401 for a
// bad key); a client of the classic application/json gets 200 for every
// well-formed request, with the errors and their codes in "errors" — what
// Apollo Client, urql and relay expect, since they treat another status as
// a network error and drop the GraphQL errors.

const graphQLResponseJSON = "application/graphql-response+json"

// WantsGraphQLResponse reports whether the answer to r is
// application/graphql-response+json (the media types of r's Accept, in
// order; none, */* or application/* choose application/json), the same
// choice gqlgen's transports make.
func WantsGraphQLResponse(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return false
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json":
			return false
		case graphQLResponseJSON:
			return true
		}
	}
	return true
}

// jsonStatus answers 200 where gqlgen answers 422 (a document that does not
// parse or validate) to an application/json client.
func jsonStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if WantsGraphQLResponse(r) || r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r) // websockets need the connection itself
			return
		}
		next.ServeHTTP(&okStatus{ResponseWriter: w}, r)
	})
}

type okStatus struct{ http.ResponseWriter }

func (w *okStatus) WriteHeader(code int) {
	if code == http.StatusUnprocessableEntity {
		code = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(code)
}

// Flush passes a flush on (server-sent events stream through it).
func (w *okStatus) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines, hijacking for websockets).
func (w *okStatus) Unwrap() http.ResponseWriter { return w.ResponseWriter }
