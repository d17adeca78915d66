package redirect

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-chi/chi/v5"

	"shortener/auth"
	"shortener/ent"
	"shortener/ent/campaign"
	entlink "shortener/ent/link"
	"shortener/ent/user"
)

// serveRotator answers /r/{slug}: a redirect to the campaign's links in turn
// (round robin, in link id order). It goes to the link's short URL, so the
// link's own rules apply and its click is counted there, once. Rotators are
// read from the database each time: they are not the hot path, and their
// link set changes with every link write.
func (h *Handler) serveRotator(w http.ResponseWriter, r *http.Request) {
	sys := auth.SystemContext(r.Context())
	c, err := h.cfg.Client.Campaign.Query().Where(campaign.SlugEQ(chi.URLParam(r, "slug"))).Only(sys)
	if ent.IsNotFound(err) {
		h.serveNotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	links, err := c.QueryLinks().Order(ent.Asc(entlink.FieldID)).WithDomain().All(sys)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(links) == 0 {
		h.serveNotFound(w, r)
		return
	}
	n, _ := h.rotations.LoadOrStore(c.ID, new(atomic.Uint64))
	i := (n.(*atomic.Uint64).Add(1) - 1) % uint64(len(links))
	w.Header().Set("Location", h.shortURL(links[i]))
	w.Header()["Cache-Control"] = noStore
	w.WriteHeader(http.StatusFound)
}

func (h *Handler) shortURL(l *ent.Link) string {
	if d := l.Edges.Domain; d != nil {
		return strings.TrimRight(d.Domain, "/") + "/" + l.Alias
	}
	return h.cfg.BaseURL + "/" + l.Alias
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
	if ent.IsNotFound(err) {
		h.serveNotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	want := "list"
	if c.Slug != nil && *c.Slug != "" {
		want = *c.Slug
	}
	if slug != want {
		h.serveNotFound(w, r)
		return
	}
	links, err := c.QueryLinks().Order(ent.Asc(entlink.FieldID)).WithDomain().All(sys)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &page{Title: c.Name}
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
