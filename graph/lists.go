package graph

import (
	"context"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/campaign"
	"shortener/ent/channel"
	"shortener/ent/channelitem"
	"shortener/ent/ctaoverlay"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/ent/pixel"
	"shortener/ent/qrcode"
	"shortener/ent/splashpage"
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

// LinkList returns one page of the viewer's links matching search, in order,
// with the number of all matching links. Domains are loaded for short URLs.
func (r *Resolver) LinkList(ctx context.Context, search string, order LinkOrder, p Page) ([]*ent.Link, int, error) {
	q := r.LinkQuery(search)
	total, err := q.Clone().Count(ctx)
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
