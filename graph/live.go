package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"shortener/ent"
	"shortener/internal/analytics"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/gid"
)

// Live clicks: the clickRecorded subscription over websockets (graphql-ws
// and graphql-transport-ws) and server-sent events
// (docs/decisions/0007-live-clicks.md).

// Live configures the subscriptions and their transports.
type Live struct {
	// Hub delivers the stored clicks; nil turns clickRecorded off (FORBIDDEN).
	Hub *analytics.Hub
	// Authenticate checks the Authorization value a websocket client sends
	// in its connection_init payload ("Bearer KEY"), the way the HTTP
	// middleware checks the header, and returns the viewer or an error to
	// show the client. Nil accepts only connections whose upgrade request
	// carried a valid Authorization header.
	Authenticate func(ctx context.Context, authorization string) (*auth.Viewer, error)
	// CheckOrigin decides whether a websocket may connect from the Origin
	// of r (browsers send any page's cookies-free upgrade; keys come in
	// connection_init, so this guards only against unexpected pages). Nil
	// accepts every origin: the hook for --cors-origins, see WebsocketOrigins.
	CheckOrigin func(r *http.Request) bool
	// MaxLifetime bounds a websocket connection and an event stream
	// (default 1 h): then the server ends it and the client subscribes again.
	MaxLifetime time.Duration
	// KeepAlive is the interval of keep-alive messages on idle streams
	// (default 15 s): graphql-ws "ka", graphql-transport-ws ping (a client
	// that answers no pong for two intervals is disconnected), SSE comments.
	KeepAlive time.Duration
}

// Defaults of Live.
const (
	DefaultStreamLifetime  = time.Hour
	DefaultStreamKeepAlive = 15 * time.Second
	// websocketInitTimeout bounds the wait for connection_init.
	websocketInitTimeout = 10 * time.Second
	// closeForbidden is graphql-transport-ws's close code for a refused
	// connection_init.
	closeForbidden = 4403
)

func (l Live) lifetime() time.Duration {
	if l.MaxLifetime > 0 {
		return l.MaxLifetime
	}
	return DefaultStreamLifetime
}

func (l Live) keepAlive() time.Duration {
	if l.KeepAlive > 0 {
		return l.KeepAlive
	}
	return DefaultStreamKeepAlive
}

// WebsocketOrigins returns a Live.CheckOrigin that accepts a request
// without Origin (not a browser), one from its own host, and one from any
// of origins ("https://app.example.com"; "*" for any).
func WebsocketOrigins(origins []string) func(r *http.Request) bool {
	allowed := map[string]bool{}
	for _, o := range origins {
		allowed[strings.ToLower(strings.TrimRight(o, "/"))] = true
	}
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		if origin == "" || allowed["*"] || allowed[strings.ToLower(origin)] {
			return true
		}
		u, err := url.Parse(origin)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
}

// streamKind marks the context of a websocket connection or an event
// stream, so streamOperations knows the transport.
type streamKind struct{}

const (
	overWebsocket = "websocket"
	overSSE       = "sse"
)

// addStreamTransports adds the SSE and websocket transports; before POST,
// which would take an SSE request (a JSON POST) too.
func (r *Resolver) addStreamTransports(srv *handler.Server) {
	ka := r.Live.keepAlive()
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: ka})
	readLimit := int64(MaxBodyBytes)
	srv.AddTransport(transport.Websocket{
		// The origin is checked by streams, before the upgrade.
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true},
		},
		InitFunc:              r.websocketInit,
		InitTimeout:           websocketInitTimeout,
		KeepAlivePingInterval: ka,
		PingPongInterval:      ka,
		PayloadReadLimit:      &readLimit,
	})
	srv.Use(streamOperations{})
}

// streams prepares the requests of the streaming transports: a websocket
// from a refused Origin is answered 403; an event stream outlives the
// server's read and write timeouts (a hijacked websocket has none); both
// end after MaxLifetime. Inside limitBody: the body is read under the
// timeouts first.
func (r *Resolver) streams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var kind string
		switch {
		case transport.Websocket{}.Supports(req):
			kind = overWebsocket
			if r.Live.CheckOrigin != nil && !r.Live.CheckOrigin(req) {
				writeCodeError(w, http.StatusForbidden, apperr.Forbidden, "websocket origin not allowed")
				return
			}
		case transport.SSE{}.Supports(req):
			kind = overSSE
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
		default:
			next.ServeHTTP(w, req)
			return
		}
		ctx, cancel := context.WithTimeout(context.WithValue(req.Context(), streamKind{}, kind), r.Live.lifetime())
		defer cancel()
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

// websocketInit authenticates a websocket by its connection_init payload
// {"Authorization": "Bearer KEY"} (browsers cannot set headers on an
// upgrade), else by the upgrade request's own header. A connection without
// a valid key is closed with 4403.
func (r *Resolver) websocketInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	refuse := func(msg string) (context.Context, *transport.InitPayload, error) {
		ctx := transport.WithWebsocketCloseCode(ctx, closeForbidden)
		return transport.AppendCloseReason(ctx, msg), nil, errors.New(msg)
	}
	if authz := p.Authorization(); authz != "" {
		if r.Live.Authenticate == nil {
			return refuse("send the API key in the Authorization header of the upgrade request")
		}
		v, err := r.Live.Authenticate(ctx, authz)
		if err != nil {
			return refuse(err.Error())
		}
		ctx = auth.WithViewer(ctx, v)
	}
	if auth.ViewerFrom(ctx) == nil {
		return refuse(`missing API key: send {"Authorization": "Bearer KEY"} in connection_init`)
	}
	return ctx, nil, nil
}

// streamOperations keeps each operation on the transport that bounds it:
// a subscription needs a stream (over POST or GET it would hold the request
// for one click); over a websocket only subscriptions run, because its
// messages pass no rate limit (over SSE each operation is its own request,
// limited as usual).
type streamOperations struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = streamOperations{}

func (streamOperations) ExtensionName() string                   { return "StreamOperations" }
func (streamOperations) Validate(graphql.ExecutableSchema) error { return nil }

func (streamOperations) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	kind, _ := ctx.Value(streamKind{}).(string)
	sub := rc.Operation.Operation == ast.Subscription
	var msg string
	switch {
	case sub && kind == "":
		msg = "subscriptions need a websocket (graphql-transport-ws or graphql-ws) or server-sent events (POST with Accept: text/event-stream)"
	case !sub && kind == overWebsocket:
		msg = "only subscriptions run over a websocket: send queries and mutations with POST"
	default:
		return nil
	}
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(apperr.Invalid)}}
}

// subscribeClicks is clickRecorded: every click of the viewer's links and
// QR codes, or with linkID only that link's when the viewer owns it.
func (r *Resolver) subscribeClicks(ctx context.Context, linkID *string) (<-chan *analytics.ClickEvent, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil { // requireViewer refuses it first
		return nil, apperr.Errorf(apperr.Unauthorized, "authentication required")
	}
	if r.Live.Hub == nil {
		return nil, apperr.Errorf(apperr.Forbidden, "live clicks are not enabled on this server")
	}
	f := analytics.Filter{Owner: v.UserID}
	if linkID != nil {
		id, err := decodeID("linkId", "Link", *linkID)
		if err != nil {
			return nil, err
		}
		l, err := r.Client.Link.Get(ctx, id)
		if ent.IsNotFound(err) || (err == nil && l.OwnerID != v.UserID) {
			return nil, apperr.NotFoundf("not found")
		}
		if err != nil {
			return nil, err
		}
		f.Link = id
	}
	c, err := r.Live.Hub.Subscribe(ctx, f)
	switch {
	case errors.Is(err, analytics.ErrTooManySubscriptions):
		return nil, apperr.Errorf(apperr.RateLimited, "%s", err.Error())
	case errors.Is(err, analytics.ErrHubClosed):
		return nil, apperr.Errorf(apperr.Forbidden, "%s", err.Error())
	case err != nil:
		return nil, err
	}
	return c, nil
}

// globalID is the opaque id of row id of typ, or nil for 0.
func globalID(typ string, id int) *string {
	if id == 0 {
		return nil
	}
	s := gid.Encode(typ, id)
	return &s
}

// writeCodeError answers a request refused before GraphQL ran.
func writeCodeError(w http.ResponseWriter, status int, code apperr.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": msg, "extensions": map[string]any{"code": string(code)},
	}}})
}
