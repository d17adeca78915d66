package graph

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"

	"shortener/ent"
	"shortener/ent/campaign"
	"shortener/ent/channel"
	"shortener/ent/channelitem"
	"shortener/ent/ctaoverlay"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/ent/pixel"
	"shortener/ent/privacy"
	"shortener/ent/qrcode"
	"shortener/ent/splashpage"
	"shortener/internal/auth"
	"shortener/internal/store"
)

// This file holds the owner-scoped list query builders used by offset-paged
// clients (the legacy REST API's limit/page). Relay connections page with
// cursors over the same builders; only the paging step differs. Ownership
// comes from the ent privacy policy: every builder sees the viewer's rows only.

// Page is an offset page: Limit rows after Offset.
type Page struct {
	Limit, Offset int
}

// LinkOrder is the order of a link list.
type LinkOrder int

// Link list orders.
const (
	// LinkOrderDate lists the newest links first.
	LinkOrderDate LinkOrder = iota
	// LinkOrderClicks lists the most clicked links first.
	LinkOrderClicks
)

// LinkQuery returns the viewer's links matching search (empty: all): a
// case-insensitive substring of the alias, long URL, title or description.
func (r *Resolver) LinkQuery(search string) *ent.LinkQuery {
	q := r.Client.Link.Query()
	if s := strings.TrimSpace(search); s != "" {
		q = q.Where(entlink.Or(
			entlink.AliasContainsFold(s),
			entlink.LongURLContainsFold(s),
			entlink.TitleContainsFold(s),
			entlink.DescriptionContainsFold(s),
		))
	}
	return q
}

// searchIndex lets q (the viewer's links filtered by terms with LIKE) read
// its candidates from the text index where that is cheaper than scanning
// the account (store.SearchFrom: SQLite's FTS5 trigram index; on
// PostgreSQL, pg_trgm GIN indexes serve the LIKE / ILIKE predicates as they
// are). The answer is the same set either way.
func (r *Resolver) searchIndex(ctx context.Context, q *ent.LinkQuery, terms []store.SearchTerm) error {
	v := auth.ViewerFrom(ctx)
	if d, ok := privacy.DecisionFromContext(ctx); v == nil || len(terms) == 0 || (ok && d == privacy.Allow) {
		return nil
	}
	m, err := store.SearchFrom(ctx, r.Client, r.Dialect, v.UserID, terms)
	if m != nil {
		q.Modify(m)
	}
	return err
}

// LinkList returns one page of the viewer's links matching search, in order,
// with the number of all matching links: without a search, the viewer's
// count from link_counts (no scan); with one, counted (through the text
// index where it helps). Domains are loaded for short URLs. The page is an
// offset (the legacy contract); ordered by an index ((owner_id, created_at)
// or (owner_id, clicks, id)), skipped rows cost index entries, not a sort.
func (r *Resolver) LinkList(ctx context.Context, search string, order LinkOrder, p Page) ([]*ent.Link, int, error) {
	q := r.LinkQuery(search)
	var total int
	var err error
	if s := strings.TrimSpace(search); s == "" {
		total, err = r.linkTotal(ctx, q.Clone())
	} else {
		// ContainsFold matches the lower-cased term: the index gets the same.
		if err := r.searchIndex(ctx, q, []store.SearchTerm{{Term: strings.ToLower(s), Fold: true}}); err != nil {
			return nil, 0, err
		}
		total, err = q.Clone().Count(ctx)
	}
	if err != nil {
		return nil, 0, err
	}
	if order == LinkOrderClicks {
		q = q.Order(entlink.ByClicks(sql.OrderDesc()), entlink.ByID(sql.OrderDesc()))
	} else {
		q = q.Order(entlink.ByCreatedAt(sql.OrderDesc()), entlink.ByID(sql.OrderDesc()))
	}
	items, err := q.WithDomain().Limit(p.Limit).Offset(p.Offset).All(ctx)
	return items, total, err
}

// linkTotal is the number of links an unfiltered link query q returns: for
// a viewer (whom privacy scopes to its own links) the count link_counts
// keeps, else (the system context) q counted.
func (r *Resolver) linkTotal(ctx context.Context, q *ent.LinkQuery) (int, error) {
	if d, ok := privacy.DecisionFromContext(ctx); ok && d == privacy.Allow {
		return q.Count(ctx)
	}
	if v := auth.ViewerFrom(ctx); v != nil {
		return store.LinkCount(ctx, r.Client, v.UserID)
	}
	return q.Count(ctx)
}

// LinkConnection pages the viewer's links for the links query. entgql's
// cursors are keyset ((order column, id) compared with the cursor's, on the
// (owner_id, created_at) and (owner_id, clicks, id) indexes). What this adds:
// the text index for *Contains filters on the text columns (searchIndex), and totalCount only when asked (entgql counts for pageInfo
// too, which does not use it), from link_counts when nothing filters.
func (r *Resolver) LinkConnection(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	orderBy *ent.LinkOrder, where *ent.LinkWhereInput) (*ent.LinkConnection, error) {
	q := r.Client.Link.Query()
	if err := r.searchIndex(ctx, q, linkSearchTerms(where)); err != nil {
		return nil, err
	}
	filtered := false
	if where != nil {
		if _, err := where.P(); !errors.Is(err, ent.ErrEmptyLinkWhereInput) {
			filtered = true
		}
	}
	// Paginate counts when totalCount or pageInfo is selected; the first
	// Count of links under ctx is that one (nested connections count with
	// GROUP BY queries, and child fields resolve after Paginate returns).
	if collects(ctx, "totalCount") {
		if !filtered {
			ctx = withLinkCount(ctx, r.linkTotal)
		}
	} else if collects(ctx, "pageInfo") {
		ctx = withLinkCount(ctx, func(context.Context, *ent.LinkQuery) (int, error) {
			return 0, nil // pageInfo comes from the page (first+1 rows)
		})
	}
	return q.Paginate(ctx, after, first, before, last, ent.WithLinkOrder(orderBy), ent.WithLinkFilter(where.Filter))
}

type linkCountKey struct{}

// linkCountAnswer answers the next Count of links under a context once.
type linkCountAnswer struct {
	pending atomic.Bool
	answer  func(context.Context, *ent.LinkQuery) (int, error)
}

func withLinkCount(ctx context.Context, f func(context.Context, *ent.LinkQuery) (int, error)) context.Context {
	a := &linkCountAnswer{answer: f}
	a.pending.Store(true)
	return context.WithValue(ctx, linkCountKey{}, a)
}

// linkCountInterceptor lets LinkConnection answer Paginate's count (the
// client's link interceptor, set by NewResolver; a no-op without
// withLinkCount).
var linkCountInterceptor = ent.InterceptFunc(func(next ent.Querier) ent.Querier {
	return ent.QuerierFunc(func(ctx context.Context, query ent.Query) (ent.Value, error) {
		a, _ := ctx.Value(linkCountKey{}).(*linkCountAnswer)
		if a == nil {
			return next.Query(ctx, query)
		}
		lq, ok := query.(*ent.LinkQuery)
		if qc := entgo.QueryFromContext(ctx); !ok || qc == nil || qc.Op != entgo.OpQueryCount || !a.pending.CompareAndSwap(true, false) {
			return next.Query(ctx, query)
		}
		return a.answer(ctx, lq)
	})
})

// collects reports whether the field being resolved selects name.
func collects(ctx context.Context, name string) bool {
	if graphql.GetFieldContext(ctx) == nil {
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// linkSearchTerms are the substring filters of where on the indexed text
// columns that every matching link must pass: its own fields and those of
// its and-list (not or or not).
func linkSearchTerms(w *ent.LinkWhereInput) []store.SearchTerm {
	if w == nil {
		return nil
	}
	var out []store.SearchTerm
	add := func(column string, v *string, fold bool) {
		if v == nil {
			return
		}
		t := *v
		if fold {
			t = strings.ToLower(t) // as ContainsFold's pattern
		}
		out = append(out, store.SearchTerm{Column: column, Term: t, Fold: fold})
	}
	add(entlink.FieldAlias, w.AliasContains, false)
	add(entlink.FieldAlias, w.AliasContainsFold, true)
	add(entlink.FieldLongURL, w.LongURLContains, false)
	add(entlink.FieldLongURL, w.LongURLContainsFold, true)
	add(entlink.FieldTitle, w.TitleContains, false)
	add(entlink.FieldTitle, w.TitleContainsFold, true)
	add(entlink.FieldDescription, w.DescriptionContains, false)
	add(entlink.FieldDescription, w.DescriptionContainsFold, true)
	for _, a := range w.And {
		out = append(out, linkSearchTerms(a)...)
	}
	return out
}

// QRCodeList returns one page of the viewer's QR codes, newest first.
func (r *Resolver) QRCodeList(ctx context.Context, p Page) ([]*ent.QRCode, int, error) {
	q := r.Client.QRCode.Query()
	return pageOf(ctx, q.Clone().Count, q.Order(qrcode.ByCreatedAt(sql.OrderDesc()), qrcode.ByID(sql.OrderDesc())).
		Limit(p.Limit).Offset(p.Offset).All)
}

// DomainList returns one page of the viewer's branded domains, oldest first.
func (r *Resolver) DomainList(ctx context.Context, p Page) ([]*ent.Domain, int, error) {
	q := r.Client.Domain.Query()
	return pageOf(ctx, q.Clone().Count, q.Order(domain.ByID()).Limit(p.Limit).Offset(p.Offset).All)
}

// ChannelList returns one page of the viewer's channels, oldest first.
func (r *Resolver) ChannelList(ctx context.Context, p Page) ([]*ent.Channel, int, error) {
	q := r.Client.Channel.Query()
	return pageOf(ctx, q.Clone().Count, q.Order(channel.ByID()).Limit(p.Limit).Offset(p.Offset).All)
}

// CampaignList returns one page of the viewer's campaigns, oldest first.
func (r *Resolver) CampaignList(ctx context.Context, p Page) ([]*ent.Campaign, int, error) {
	q := r.Client.Campaign.Query()
	// The owner is loaded with the page: list URLs name the username.
	return pageOf(ctx, q.Clone().Count, q.Order(campaign.ByID()).WithOwner().Limit(p.Limit).Offset(p.Offset).All)
}

// PixelList returns one page of the viewer's pixels, oldest first.
func (r *Resolver) PixelList(ctx context.Context, p Page) ([]*ent.Pixel, int, error) {
	q := r.Client.Pixel.Query()
	return pageOf(ctx, q.Clone().Count, q.Order(pixel.ByID()).Limit(p.Limit).Offset(p.Offset).All)
}

// SplashPageList returns one page of the viewer's splash pages, oldest first.
func (r *Resolver) SplashPageList(ctx context.Context, p Page) ([]*ent.SplashPage, int, error) {
	q := r.Client.SplashPage.Query()
	return pageOf(ctx, q.Clone().Count, q.Order(splashpage.ByID()).Limit(p.Limit).Offset(p.Offset).All)
}

// CTAOverlayList returns one page of the viewer's CTA overlays, oldest first.
func (r *Resolver) CTAOverlayList(ctx context.Context, p Page) ([]*ent.CTAOverlay, int, error) {
	q := r.Client.CTAOverlay.Query()
	return pageOf(ctx, q.Clone().Count, q.Order(ctaoverlay.ByID()).Limit(p.Limit).Offset(p.Offset).All)
}

// ChannelEntry is one item of a channel as lists show it: the item's kind and
// row id, its title, where it leads (preview), its own URL and its date.
type ChannelEntry struct {
	Type    channelitem.Type
	ItemID  int
	Title   string
	Preview string
	URL     string
	Created time.Time
}

// ChannelEntries returns one page of the items of the viewer's channel id, in
// the order they were added. Errors: NotFound (missing or foreign channel).
func (r *Resolver) ChannelEntries(ctx context.Context, id int, p Page) ([]ChannelEntry, int, error) {
	if _, err := r.Client.Channel.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	q := r.Client.ChannelItem.Query().Where(channelitem.ChannelIDEQ(id))
	items, total, err := pageOf(ctx, q.Clone().Count, q.
		WithLink(func(q *ent.LinkQuery) { q.WithDomain() }).WithBioPage().WithQrCode().
		Order(channelitem.ByCreatedAt(), channelitem.ByID()).Limit(p.Limit).Offset(p.Offset).All)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ChannelEntry, 0, len(items))
	for _, it := range items {
		v, err := r.channelItemView(ctx, it)
		if err != nil {
			return nil, 0, err
		}
		e := ChannelEntry{Type: it.Type, Title: v.title, Preview: v.preview, URL: v.url, Created: it.CreatedAt}
		switch {
		case it.Edges.Link != nil:
			e.ItemID, e.Created = it.Edges.Link.ID, it.Edges.Link.CreatedAt
		case it.Edges.BioPage != nil:
			e.ItemID, e.Created = it.Edges.BioPage.ID, it.Edges.BioPage.CreatedAt
		case it.Edges.QrCode != nil:
			e.ItemID, e.Created = it.Edges.QrCode.ID, it.Edges.QrCode.CreatedAt
		}
		out = append(out, e)
	}
	return out, total, nil
}

// QRLink is the page of a QR code, {base}/qr/{alias}, which serves its image.
func (r *Resolver) QRLink(q *ent.QRCode) string { return r.qrLink(q) }

// pageOf runs a count and a page query.
func pageOf[T any](ctx context.Context, count func(context.Context) (int, error), all func(context.Context) ([]T, error)) ([]T, int, error) {
	total, err := count(ctx)
	if err != nil {
		return nil, 0, err
	}
	items, err := all(ctx)
	return items, total, err
}
