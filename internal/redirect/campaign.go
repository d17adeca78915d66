package redirect

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/ent/campaign"
	entlink "shortener/ent/link"
	"shortener/ent/predicate"
	"shortener/ent/user"
	"shortener/internal/auth"
	"shortener/internal/shortlink"
)

// serveRotator answers /r/{slug}: a redirect to the campaign's links in turn
// (round robin, in link id order). It goes to the link's short URL, so the
// link's own rules apply and its click is counted there, once. A visit reads
// the campaign by its slug and the one next link by the (campaign_id, id)
// index, after the id this node served last: the cost does not grow with
// the campaign. Each node keeps its own turn.
func (h *Handler) serveRotator(w http.ResponseWriter, r *http.Request) {
	sys := auth.SystemContext(r.Context())
	c, err := h.cfg.Client.Campaign.Query().Where(campaign.SlugEQ(chi.URLParam(r, "slug"))).Only(sys)
	if h.failed(w, r, err) {
		return
	}
	v, _ := h.rotations.LoadOrStore(c.ID, new(atomic.Int64))
	last := v.(*atomic.Int64)
	var next *ent.Link
	for range 3 { // a concurrent visit moved the turn: take the one after it
		prev := last.Load()
		if next, err = h.linkAfter(sys, c.ID, prev); err != nil {
			h.fail(w, r, err)
			return
		}
		if next == nil || last.CompareAndSwap(prev, int64(next.ID)) {
			break
		}
	}
	if next == nil {
		h.serveNotFound(w, r)
		return
	}
	w.Header().Set("Location", h.shortURL(next))
	w.Header()["Cache-Control"] = noStore
	w.WriteHeader(http.StatusFound)
}

// linkAfter is the campaign's first link with an id above after, wrapping
// to its first link; nil when it has none.
func (h *Handler) linkAfter(ctx context.Context, campaignID int, after int64) (*ent.Link, error) {
	q := func(pred ...predicate.Link) (*ent.Link, error) {
		l, err := h.cfg.Client.Link.Query().Where(entlink.CampaignID(campaignID)).Where(pred...).
			Order(ent.Asc(entlink.FieldID)).WithDomain().First(ctx)
		if ent.IsNotFound(err) {
			return nil, nil
		}
		return l, err
	}
	l, err := q(entlink.IDGT(int(after)))
	if l != nil || err != nil || after == 0 {
		return l, err
	}
	return q()
}

// shortURL is the short URL of l, its domain edge loaded.
func (h *Handler) shortURL(l *ent.Link) string {
	origin := ""
	if d := l.Edges.Domain; d != nil {
		origin = d.Domain
	}
	return shortlink.ShortURL(h.cfg.BaseURL, origin, l.Alias)
}

// serveCampaign answers /u/{username}/{slug}-{id}: the list page of a
// public campaign. Anything that does not match exactly (private campaign,
// other user, wrong slug) is the same 404.
func (h *Handler) serveCampaign(w http.ResponseWriter, r *http.Request) {
	list := chi.URLParam(r, "list")
	i := strings.LastIndexByte(list, '-')
	if i < 0 {
		h.serveNotFound(w, r)
		return
	}
	id, err := strconv.Atoi(list[i+1:])
	if err != nil {
		h.serveNotFound(w, r)
		return
	}
	slug := list[:i]
	sys := auth.SystemContext(r.Context())
	c, err := h.cfg.Client.Campaign.Query().
		Where(campaign.ID(id), campaign.Public(true), campaign.HasOwnerWith(user.UsernameEQ(chi.URLParam(r, "username")))).
		Only(sys)
	if h.failed(w, r, err) {
		return
	}
	if slug != shortlink.ListSlug(c.Slug) {
		h.serveNotFound(w, r)
		return
	}
	links, prev, next, err := h.campaignPage(sys, c.ID, r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &page{Title: c.Name, Prev: prev, Next: next}
	if p.Title == "" {
		p.Title = "Links"
	}
	for _, l := range links {
		title := l.Title
		u := h.shortURL(l)
		if title == "" {
			title = u
		}
		p.Items = append(p.Items, listItem{Title: title, URL: u})
	}
	if err := render(w, http.StatusOK, "campaign", p); err != nil {
		h.cfg.Log.Error("render page", "page", "campaign", "err", err)
	}
}

// CampaignPageSize is the number of links on one campaign list page.
const CampaignPageSize = 50

// campaignPage reads one page of a campaign's links in id order: the first
// page, the page after ?after=ID or the page before ?before=ID (keyset, so
// any page costs the same). prev and next are the query strings of the
// neighbouring pages ("" where there is none). A malformed cursor is the
// first page.
func (h *Handler) campaignPage(ctx context.Context, campaignID int, query url.Values) (links []*ent.Link, prev, next string, err error) {
	cursor := func(name string) int {
		n, err := strconv.Atoi(query.Get(name))
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	after, before := cursor("after"), cursor("before")
	base := func() *ent.LinkQuery {
		return h.cfg.Client.Link.Query().Where(entlink.CampaignID(campaignID))
	}
	q := base().WithDomain().Limit(CampaignPageSize + 1)
	backward := before > 0 && after == 0
	switch {
	case backward:
		q = q.Where(entlink.IDLT(before)).Order(ent.Desc(entlink.FieldID))
	case after > 0:
		q = q.Where(entlink.IDGT(after)).Order(ent.Asc(entlink.FieldID))
	default:
		q = q.Order(ent.Asc(entlink.FieldID))
	}
	if links, err = q.All(ctx); err != nil {
		return nil, "", "", err
	}
	more := len(links) > CampaignPageSize
	if more {
		links = links[:CampaignPageSize]
	}
	if backward {
		slices.Reverse(links)
	}
	if len(links) == 0 {
		return links, "", "", nil
	}
	first, last := links[0].ID, links[len(links)-1].ID
	// One side is known from the extra row; the other, when the page did
	// not start at the beginning, takes one indexed probe.
	earlier, later := more && backward, more && !backward
	if backward {
		later, err = base().Where(entlink.IDGT(last)).Exist(ctx)
	} else if after > 0 {
		earlier, err = base().Where(entlink.IDLT(first)).Exist(ctx)
	}
	if err != nil {
		return nil, "", "", err
	}
	if earlier {
		prev = "?before=" + strconv.Itoa(first)
	}
	if later {
		next = "?after=" + strconv.Itoa(last)
	}
	return links, prev, next, nil
}

// failed answers a lookup's error, if any: NotFound is the 404 page,
// anything else the error page. It reports whether it answered.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case ent.IsNotFound(err):
		h.serveNotFound(w, r)
	default:
		h.fail(w, r, err)
	}
	return true
}
