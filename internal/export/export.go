// Package export writes a viewer's links and clicks as CSV, for
// GET /api/export/*.csv and `shortener export`. Rows are read in keyset
// pages by id (PageSize at a time) and written as they come, so an export of
// any size holds one page in memory. Every query runs under the ent privacy
// policy of the context's viewer: another user's rows never appear.
package export

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/link"
	"shortener/internal/apperr"
	"shortener/internal/shortlink"
)

// PageSize is how many rows one query reads.
const PageSize = 1000

// DateFormat is the format of every date cell, in UTC.
const DateFormat = "2006-01-02 15:04:05"

// LinkHeader and ClickHeader are the first rows of the two exports.
var (
	LinkHeader  = []string{"id", "alias", "short_url", "long_url", "title", "created", "clicks", "unique_clicks", "domain", "campaign"}
	ClickHeader = []string{"date", "country", "os", "browser", "referrer", "language", "device", "link"}
)

// Exporter writes CSV exports.
type Exporter struct {
	Client *ent.Client
	// BaseURL prefixes the short URL of a link on the base host.
	BaseURL string
	// PageSize overrides the package's PageSize (tests).
	PageSize int
	// AfterPage, when set, runs after each page is written and flushed
	// (the REST handler pushes the bytes out and extends the write
	// deadline); an error stops the export.
	AfterPage func() error
}

// ClickFilter narrows a click export: one link, and a time range
// [From, To).
type ClickFilter struct {
	LinkID   *int
	From, To *time.Time
}

func (e *Exporter) pageSize() int {
	if e.PageSize > 0 {
		return e.PageSize
	}
	return PageSize
}

// Escape guards a cell against formula injection (OWASP, "CSV Injection"):
// a cell starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, so a spreadsheet shows it as text instead of evaluating it.
func Escape(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// writer is a csv.Writer that escapes every cell.
type writer struct {
	cw  *csv.Writer
	row []string
}

func (w *writer) write(cells ...string) error {
	w.row = w.row[:0]
	for _, c := range cells {
		w.row = append(w.row, Escape(c))
	}
	return w.cw.Write(w.row)
}

func (e *Exporter) flush(w *writer) error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	if e.AfterPage != nil {
		return e.AfterPage()
	}
	return nil
}

// Links writes the viewer's links, oldest first (by id).
func (e *Exporter) Links(ctx context.Context, out io.Writer) error {
	w := &writer{cw: csv.NewWriter(out)}
	if err := w.write(LinkHeader...); err != nil {
		return err
	}
	last := 0
	for {
		page, err := e.Client.Link.Query().
			Where(link.IDGT(last)).
			Order(ent.Asc(link.FieldID)).
			Limit(e.pageSize()).
			WithDomain().WithCampaign().
			All(ctx)
		if err != nil {
			return err
		}
		for _, l := range page {
			origin, domain, campaign := "", "", ""
			if d := l.Edges.Domain; d != nil {
				origin, domain = d.Domain, d.Host
			}
			if c := l.Edges.Campaign; c != nil {
				campaign = c.Name
			}
			if err := w.write(strconv.Itoa(l.ID), l.Alias, shortlink.ShortURL(e.BaseURL, origin, l.Alias), l.LongURL, l.Title,
				l.CreatedAt.UTC().Format(DateFormat), strconv.Itoa(l.Clicks), strconv.Itoa(l.UniqueClicks), domain, campaign); err != nil {
				return err
			}
		}
		if err := e.flush(w); err != nil {
			return err
		}
		if len(page) < e.pageSize() {
			return nil
		}
		last = page[len(page)-1].ID
	}
}

// CheckLink reports NotFound when id is not one of the viewer's links (a
// missing one and another user's alike).
func (e *Exporter) CheckLink(ctx context.Context, id int) error {
	ok, err := e.Client.Link.Query().Where(link.IDEQ(id)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("link not found")
	}
	return nil
}

// Clicks writes the viewer's clicks (of links and QR codes) in the order
// they were recorded (by id): no IP and no visitor hash, which are never
// shown. The link column is the alias of the clicked link, empty for a QR
// scan or a deleted link.
func (e *Exporter) Clicks(ctx context.Context, out io.Writer, f ClickFilter) error {
	if f.LinkID != nil {
		if err := e.CheckLink(ctx, *f.LinkID); err != nil {
			return err
		}
	}
	w := &writer{cw: csv.NewWriter(out)}
	if err := w.write(ClickHeader...); err != nil {
		return err
	}
	aliases := map[int]string{} // this page's links
	last := 0
	for {
		q := e.Client.Click.Query().Where(click.IDGT(last))
		if f.LinkID != nil {
			q = q.Where(click.LinkIDEQ(*f.LinkID))
		}
		if f.From != nil {
			q = q.Where(click.CreatedAtGTE(*f.From))
		}
		if f.To != nil {
			q = q.Where(click.CreatedAtLT(*f.To))
		}
		page, err := q.Order(ent.Asc(click.FieldID)).Limit(e.pageSize()).All(ctx)
		if err != nil {
			return err
		}
		if err := e.aliases(ctx, page, aliases); err != nil {
			return err
		}
		for _, c := range page {
			alias := ""
			if c.LinkID != nil {
				alias = aliases[*c.LinkID]
			}
			if err := w.write(c.CreatedAt.UTC().Format(DateFormat), c.Country, c.Os, c.Browser, c.Referrer,
				c.Language, c.Device, alias); err != nil {
				return err
			}
		}
		if err := e.flush(w); err != nil {
			return err
		}
		if len(page) < e.pageSize() {
			return nil
		}
		last = page[len(page)-1].ID
	}
}

// aliases fills m with the aliases of the links page's clicks name, in one
// query; it keeps m at one page's links.
func (e *Exporter) aliases(ctx context.Context, page []*ent.Click, m map[int]string) error {
	clear(m)
	var ids []int
	seen := map[int]bool{}
	for _, c := range page {
		if c.LinkID != nil && !seen[*c.LinkID] {
			seen[*c.LinkID] = true
			ids = append(ids, *c.LinkID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	links, err := e.Client.Link.Query().Where(link.IDIn(ids...)).Select(link.FieldID, link.FieldAlias).All(ctx)
	if err != nil {
		return err
	}
	for _, l := range links {
		m[l.ID] = l.Alias
	}
	return nil
}

// ParseTime reads a from or to bound (end): a date (YYYY-MM-DD, UTC; as an
// end it includes its whole day) or an RFC 3339 time (from inclusive, to
// exclusive). Empty is no bound.
func ParseTime(s string, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
