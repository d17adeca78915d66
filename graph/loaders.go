package graph

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"shortener/ent"
	"shortener/ent/biopage"
	"shortener/ent/channelitem"
	entlink "shortener/ent/link"
	"shortener/ent/qrcode"
)

// Per-request loaders keep the field resolvers of list items from querying
// once per row (N+1): a page of 50 links on branded domains would otherwise
// load its domain 50 times for shortUrl, and a channel's items their links
// three times each. gqlgen resolves the items of a list concurrently, so a
// loader collects their keys for a moment and fetches them in one query.
// Calls from Go without a request (the REST layer) have no loaders and query
// directly.

type loadersKey struct{}

// loaderWait is how long a loader collects keys before it fetches.
const loaderWait = time.Millisecond

// loaders holds what one /graphql request has loaded for its field resolvers.
type loaders struct {
	mu      sync.Mutex
	domains map[int]*ent.Domain // the viewer's domains; nil until loaded

	linkChannels *dataloadgen.Loader[int, []*ent.Channel]
	links        *dataloadgen.Loader[int, *ent.Link]
	bioPages     *dataloadgen.Loader[int, *ent.BioPage]
	qrCodes      *dataloadgen.Loader[int, *ent.QRCode]
}

// withLoaders gives every request to h its own loaders.
func (r *Resolver) withLoaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), loadersKey{}, r.newLoaders())))
	})
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

func (r *Resolver) newLoaders() *loaders {
	wait := dataloadgen.WithWait(loaderWait)
	c := r.Client
	return &loaders{
		linkChannels: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int) (map[int][]*ent.Channel, error) {
			items, err := c.ChannelItem.Query().Where(channelitem.LinkIDIn(ids...)).WithChannel().All(ctx)
			if err != nil {
				return nil, err
			}
			out := make(map[int][]*ent.Channel, len(ids))
			for _, id := range ids {
				out[id] = []*ent.Channel{}
			}
			for _, it := range items {
				if ch := it.Edges.Channel; ch != nil && it.LinkID != nil {
					out[*it.LinkID] = append(out[*it.LinkID], ch)
				}
			}
			return out, nil
		}, wait),
		links: byID(func(ctx context.Context, ids []int) ([]*ent.Link, error) {
			return c.Link.Query().Where(entlink.IDIn(ids...)).All(ctx)
		}, wait),
		bioPages: byID(func(ctx context.Context, ids []int) ([]*ent.BioPage, error) {
			return c.BioPage.Query().Where(biopage.IDIn(ids...)).All(ctx)
		}, wait),
		qrCodes: byID(func(ctx context.Context, ids []int) ([]*ent.QRCode, error) {
			return c.QRCode.Query().Where(qrcode.IDIn(ids...)).All(ctx)
		}, wait),
	}
}

// byID makes a loader of rows by id from a query of many ids; an id the
// query does not return (missing, or another user's) is NotFound.
func byID[T interface{ RowID() int }](fetch func(context.Context, []int) ([]T, error), opts ...dataloadgen.Option) *dataloadgen.Loader[int, T] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]T, []error) {
		rows, err := fetch(ctx, ids)
		vals, errs := make([]T, len(ids)), make([]error, len(ids))
		if err != nil {
			for i := range errs {
				errs[i] = err
			}
			return vals, errs
		}
		found := make(map[int]T, len(rows))
		for _, row := range rows {
			found[row.RowID()] = row
		}
		for i, id := range ids {
			if row, ok := found[id]; ok {
				vals[i] = row
			} else {
				errs[i] = &ent.NotFoundError{}
			}
		}
		return vals, errs
	}, opts...)
}

// cachedDomain returns the viewer's domain id, loading all the viewer's
// domains in one query the first time a request asks (users have few). ok is
// false without loaders or when id is not among them (created later in the
// same request).
func (r *Resolver) cachedDomain(ctx context.Context, id int) (d *ent.Domain, ok bool, err error) {
	c := loadersFrom(ctx)
	if c == nil {
		return nil, false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.domains == nil {
		all, err := r.Client.Domain.Query().All(ctx)
		if err != nil {
			return nil, false, err
		}
		c.domains = make(map[int]*ent.Domain, len(all))
		for _, d := range all {
			c.domains[d.ID] = d
		}
	}
	d, ok = c.domains[id]
	return d, ok, nil
}

// linkChannels returns the channels link is in.
func (r *Resolver) linkChannels(ctx context.Context, l *ent.Link) ([]*ent.Channel, error) {
	if c := loadersFrom(ctx); c != nil {
		return c.linkChannels.Load(ctx, l.ID)
	}
	return l.QueryChannelItems().QueryChannel().All(ctx)
}

// itemLink, itemBioPage and itemQRCode return what a channel item points at.
func (r *Resolver) itemLink(ctx context.Context, it *ent.ChannelItem) (*ent.Link, error) {
	if it.Edges.Link != nil { // loaded with the page (REST lists)
		return it.Edges.Link, nil
	}
	if c := loadersFrom(ctx); c != nil {
		return c.links.Load(ctx, *it.LinkID)
	}
	return it.QueryLink().Only(ctx)
}

func (r *Resolver) itemBioPage(ctx context.Context, it *ent.ChannelItem) (*ent.BioPage, error) {
	if it.Edges.BioPage != nil { // loaded with the page (REST lists)
		return it.Edges.BioPage, nil
	}
	if c := loadersFrom(ctx); c != nil {
		return c.bioPages.Load(ctx, *it.BioPageID)
	}
	return it.QueryBioPage().Only(ctx)
}

func (r *Resolver) itemQRCode(ctx context.Context, it *ent.ChannelItem) (*ent.QRCode, error) {
	if it.Edges.QrCode != nil { // loaded with the page (REST lists)
		return it.Edges.QrCode, nil
	}
	if c := loadersFrom(ctx); c != nil {
		return c.qrCodes.Load(ctx, *it.QrCodeID)
	}
	return it.QueryQrCode().Only(ctx)
}

// loaded returns an edge loaded with the item (lists load them in one
// query) or queries it.
func loaded[T any](ctx context.Context, edge *T, query func(context.Context) (*T, error)) (*T, error) {
	if edge != nil {
		return edge, nil
	}
	return query(ctx)
}
