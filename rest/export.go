package rest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"shortener/internal/export"
)

// exportWriteWindow is how long the client has to take each page of an
// export: the handler moves the write deadline on after every page, so an
// export of any size is not cut by --write-timeout while it keeps moving.
const exportWriteWindow = time.Minute

// routesExport registers the CSV exports of the viewer's own data. Each is
// one request of the budget, like any API request (the rate limit
// middleware charges it).
func (h *Handler) routesExport(r chi.Router) {
	r.Get("/export/links.csv", h.handleExportLinks)   // GET /api/export/links.csv
	r.Get("/export/clicks.csv", h.handleExportClicks) // GET /api/export/clicks.csv?link=ID&from=&to=
}

func (h *Handler) exporter(w http.ResponseWriter) *export.Exporter {
	rc := http.NewResponseController(w)
	return &export.Exporter{
		Client: h.Resolver.Client, BaseURL: h.Resolver.BaseURL,
		AfterPage: func() error {
			// Not every writer can move its deadline (tests' recorders).
			if err := rc.SetWriteDeadline(time.Now().Add(exportWriteWindow)); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return err
			}
			if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return err
			}
			return nil
		},
	}
}

func csvHeaders(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
}

func (h *Handler) handleExportLinks(w http.ResponseWriter, r *http.Request) {
	csvHeaders(w, "links.csv")
	if err := h.exporter(w).Links(r.Context(), w); err != nil {
		h.exportFailed(w, r, err)
	}
}

func (h *Handler) handleExportClicks(w http.ResponseWriter, r *http.Request) {
	f, err := parseClickFilter(r)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	ex := h.exporter(w)
	if f.LinkID != nil {
		// Before the first byte, so another user's link is a plain 404.
		if err := ex.CheckLink(r.Context(), *f.LinkID); err != nil {
			h.writeAppError(w, r, err)
			return
		}
	}
	csvHeaders(w, "clicks.csv")
	if err := ex.Clicks(r.Context(), w, f); err != nil {
		h.exportFailed(w, r, err)
	}
}

// exportFailed answers an error: the JSON envelope when no row was sent
// yet, else the export stops short (the client sees a truncated body and,
// over HTTP/1.1 chunked encoding, no terminating chunk) and it is logged.
func (h *Handler) exportFailed(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away
	}
	h.log().ErrorContext(r.Context(), "rest export", "path", r.URL.Path, "err", err)
	panic(http.ErrAbortHandler) // abort the response: a cut CSV must not look complete
}

// parseClickFilter reads ?link=ID (a link's integer id), ?from= and ?to=
// (export.ParseTime).
func parseClickFilter(r *http.Request) (export.ClickFilter, error) {
	q := r.URL.Query()
	var f export.ClickFilter
	if s := q.Get("link"); s != "" {
		id, err := strconv.Atoi(s)
		if err != nil || id <= 0 {
			return f, badRequest("link must be a link's id")
		}
		f.LinkID = &id
	}
	var err error
	if f.From, err = export.ParseTime(q.Get("from"), false); err != nil {
		return f, badRequest("from must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if f.To, err = export.ParseTime(q.Get("to"), true); err != nil {
		return f, badRequest("to must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return f, badRequest("from must be before to")
	}
	return f, nil
}
