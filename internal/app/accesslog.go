package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"shortener/internal/auth"
	"shortener/rest"
)

// The access log (--access-log): one line a request with its method, path,
// query (keys redacted), status, bytes, duration, client address, and for
// the APIs the request id and the viewer. It is off by default: at tens of
// thousands of redirects a second a line each is a cost the redirect path
// does not otherwise pay.

type accessKey struct{}

// accessNote is what inner handlers tell the access log about a request.
type accessNote struct {
	requestID string
	viewer    int
}

func (a *App) accessLog(next http.Handler) http.Handler {
	log := a.Config.Log
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		note := &accessNote{}
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), accessKey{}, note)))
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", statusOf(ww)), slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr),
		}
		if r.URL.RawQuery != "" {
			attrs = append(attrs, slog.String("query", rest.RedactQuery(r.URL.RawQuery)))
		}
		if note.requestID != "" {
			attrs = append(attrs, slog.String("request_id", note.requestID))
		}
		if note.viewer != 0 {
			attrs = append(attrs, slog.Int("viewer", note.viewer))
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

func statusOf(ww middleware.WrapResponseWriter) int {
	if s := ww.Status(); s != 0 {
		return s
	}
	return http.StatusOK
}

// noteRequest tells the access log the request id and the viewer of an API
// request (after authentication); without the access log it does nothing.
func noteRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if note, ok := r.Context().Value(accessKey{}).(*accessNote); ok {
			note.requestID = middleware.GetReqID(r.Context())
			if v := auth.ViewerFrom(r.Context()); v != nil {
				note.viewer = v.UserID
			}
		}
		next.ServeHTTP(w, r)
	})
}
