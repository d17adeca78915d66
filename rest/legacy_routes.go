package rest

import (
	"net/http"
	"strconv"
	"strings"

	"shortener/ent"
	entlink "shortener/ent/link"
	"shortener/ent/user"
	"shortener/graph"
	"shortener/internal/account"
	"shortener/internal/analytics"
	"shortener/internal/apperr"
)

// legacyRoutes answers the requests LegacyKey marked (after the key check
// and the rate limit), before the /api router sees them; every other
// request goes on to today's routes.
func (h *Handler) legacyRoutes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lr := legacyOf(r)
		if lr == nil {
			next.ServeHTTP(w, r)
			return
		}
		switch lr.kind {
		case legacyShorten:
			h.legacyShorten(w, r, lr)
		case legacyDetails:
			h.legacyDetails(w, r, lr)
		case legacyURLs:
			h.legacyURLs(w, r, lr)
		case legacyURLGet:
			h.legacyURLGet(w, r, lr)
		case legacyURLStats:
			h.legacyURLStats(w, r, lr)
		case legacyUserCreate:
			h.legacyUserCreate(w, r, lr)
		case legacyUserGet:
			h.legacyUserGet(w, r, lr)
		default:
			lr.fail(w, msgWrongEndpoint)
		}
	})
}

// legacyShortBody is the shorten answer of every generation at once: short
// (A, B, C), shorturl and id (today's url/add).
type legacyShortBody struct {
	Error    int    `json:"error"`
	Short    string `json:"short"`
	ShortURL string `json:"shorturl"`
	ID       int    `json:"id"`
}

// legacyShorten is GET /api: ?url= shortens (A, B, C: custom, type, pass
// or password, domain), idempotently per user; ?short= without url looks a
// link up (A).
func (h *Handler) legacyShorten(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	q := r.URL.Query()
	long := strings.TrimSpace(q.Get("url"))
	if long == "" {
		if short := strings.TrimSpace(q.Get("short")); short != "" {
			h.legacyLookup(w, r, lr, short)
			return
		}
		lr.fail(w, msgBadURL)
		return
	}
	req := urlRequest{URL: &long}
	if v := q.Get("custom"); v != "" {
		req.Custom = &v
	}
	if v := q.Get("type"); v != "" {
		t := flexString(v)
		req.Type = &t
	}
	pass := q.Get("pass")
	if pass == "" {
		pass = q.Get("password")
	}
	if pass != "" {
		req.Password = &pass
	}
	if v := q.Get("domain"); v != "" {
		req.Domain = &v
	}
	s, err := spec(&req, false)
	if err != nil {
		h.legacyShortenFail(w, r, lr, err)
		return
	}
	l, _, err := h.Resolver.CreateLinkOnce(r.Context(), s)
	if err != nil {
		h.legacyShortenFail(w, r, lr, err)
		return
	}
	short, err := h.Resolver.ShortURL(r.Context(), l)
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	lr.write(w, legacyShortBody{Error: 0, Short: short, ShortURL: short, ID: l.ID}, short)
}

// legacyShortenFail words the shortener's refusals as the original did
// where it had a text for them.
func (h *Handler) legacyShortenFail(w http.ResponseWriter, r *http.Request, lr *legacyRequest, err error) {
	ae := apperr.From(err)
	switch {
	case ae.Code == apperr.Invalid && ae.Field == "url":
		lr.fail(w, msgBadURL)
	case ae.Code == apperr.Conflict && ae.Field == "custom":
		lr.fail(w, "That alias is taken. Please choose another one.")
	default:
		h.legacyFail(w, r, lr, err, msgNotYours)
	}
}

// legacyLookupBody is generation A's answer to ?short=.
type legacyLookupBody struct {
	Error    int               `json:"error"`
	Long     string            `json:"long"`
	Click    int               `json:"click"`
	Date     string            `json:"date"`
	Location map[string]string `json:"location"` // null without geo targets
}

func (h *Handler) legacyLookup(w http.ResponseWriter, r *http.Request, lr *legacyRequest, short string) {
	l, err := h.Resolver.LinkByShortURL(r.Context(), short)
	if err == nil && l == nil {
		err = apperr.NotFoundf("link not found")
	}
	if err != nil {
		h.legacyFail(w, r, lr, err, "This URL couldn't be found. Please double check it.")
		return
	}
	lr.write(w, legacyLookupBody{
		Error: 0, Long: l.LongURL, Click: l.Clicks, Date: legacyDate(l.CreatedAt), Location: targetsOf(l).location,
	}, l.LongURL)
}

// legacyDetails is B's GET /api/details?alias=: one of the key owner's
// links (on the base host first, then on a branded domain) and its
// statistics.
func (h *Handler) legacyDetails(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	alias := strings.TrimSpace(r.URL.Query().Get("alias"))
	if alias == "" {
		lr.fail(w, msgNoAlias)
		return
	}
	l, err := h.Resolver.LinkByShortURL(r.Context(), alias)
	if err == nil && l == nil {
		l, err = h.Resolver.Client.Link.Query().Where(entlink.AliasEQ(alias)).Order(ent.Asc(entlink.FieldID)).First(r.Context())
	}
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	h.legacyLinkStats(w, r, lr, l, false)
}

// legacyDetailsBody is the answer of B's details and C's url/stats.
type legacyDetailsBody struct {
	Error   int                `json:"error"`
	Details legacyLinkDetails  `json:"details"`
	Data    legacyLinkStatsOut `json:"data"`
}

type legacyLinkDetails struct {
	ShortURL    string            `json:"shorturl"`
	LongURL     string            `json:"longurl"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Location    map[string]string `json:"location"` // null when unset
	Device      map[string]string `json:"device"`   // null when unset
	Expiry      *string           `json:"expiry"`
	Date        string            `json:"date"`
}

// legacyLinkStatsOut is the statistics of B and C: the top* fields are the
// breakdown objects (B: [] when empty) or their integer casts (C: 0 empty,
// 1 otherwise); socialCount has the three networks they knew.
type legacyLinkStatsOut = statsBody // today's shape; only the top* values differ

// legacyTargets are a link's geo and device targets keyed by the lower-cased
// country and device, nil when there are none.
type legacyTargets struct{ location, device map[string]string }

func targetsOf(l *ent.Link) legacyTargets {
	var t legacyTargets
	for _, g := range l.GeoTargets {
		if t.location == nil {
			t.location = map[string]string{}
		}
		t.location[lower(g.Country)] = g.URL
	}
	for _, d := range l.DeviceTargets {
		if t.device == nil {
			t.device = map[string]string{}
		}
		t.device[lower(d.Device)] = d.URL
	}
	return t
}

// legacyLinkStats writes the details answer of l; cast selects C's integer
// top* fields.
func (h *Handler) legacyLinkStats(w http.ResponseWriter, r *http.Request, lr *legacyRequest, l *ent.Link, cast bool) {
	short, err := h.Resolver.ShortURL(r.Context(), l)
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	t := targetsOf(l)
	d := legacyLinkDetails{
		ShortURL: short, LongURL: l.LongURL, Title: linkTitle(l), Description: l.Description,
		Location: t.location, Device: t.device, Date: legacyDate(l.CreatedAt),
	}
	if l.ExpiresAt != nil {
		d.Expiry = strp(legacyDate(*l.ExpiresAt))
	}
	st, err := h.stats(r.Context(), analytics.Scope{LinkID: l.ID}, l.Clicks, l.UniqueClicks)
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	top := func(v any) any {
		o, ok := v.(countObject)
		switch {
		case cast && ok && len(o) > 0:
			return 1
		case cast:
			return 0
		case ok && len(o) > 0:
			return o
		}
		return []string{} // PHP's json_encode of an empty map
	}
	out := legacyLinkStatsOut{
		Clicks: st.Clicks, UniqueClicks: st.UniqueClicks,
		TopCountries: top(st.TopCountries), TopReferrers: top(st.TopReferrers),
		TopBrowsers: top(st.TopBrowsers), TopOs: top(st.TopOs),
		SocialCount: map[string]int{"facebook": st.SocialCount["facebook"], "twitter": st.SocialCount["twitter"], "google": st.SocialCount["google"]},
	}
	lr.write(w, legacyDetailsBody{Error: 0, Details: d, Data: out}, "")
}

// legacyURLItem is one link of B's /api/urls (no id).
type legacyURLItem struct {
	Alias       string `json:"alias"`
	ShortURL    string `json:"shorturl"`
	LongURL     string `json:"longurl"`
	Clicks      int    `json:"clicks"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Date        string `json:"date"`
}

// legacyURLsBody is B's list answer: a flat array, error the string "0".
type legacyURLsBody struct {
	Error string          `json:"error"`
	Data  []legacyURLItem `json:"data"`
}

// legacyOrder reads order=date|click (descending); anything else is date.
func legacyOrder(s string) graph.LinkOrder {
	if o := strings.ToLower(strings.TrimSpace(s)); o == "click" || o == "clicks" {
		return graph.LinkOrderClicks
	}
	return graph.LinkOrderDate
}

// legacyURLs is B's GET /api/urls?key=[&limit=N][&order=date|click]: the key
// owner's links, newest (or most clicked) first, without paging: at most
// maxLimit of them, fewer with a smaller limit.
func (h *Handler) legacyURLs(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	q := r.URL.Query()
	limit := maxLimit
	if n, ok := positive(strings.TrimSpace(q.Get("limit"))); ok {
		limit = min(n, maxLimit)
	}
	links, _, err := h.Resolver.LinkList(r.Context(), "", legacyOrder(q.Get("order")), graph.Page{Limit: limit})
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	out := legacyURLsBody{Error: "0", Data: []legacyURLItem{}}
	for _, l := range links {
		short, err := h.Resolver.ShortURL(r.Context(), l)
		if err != nil {
			h.legacyFail(w, r, lr, err, msgNotYours)
			return
		}
		out.Data = append(out.Data, legacyURLItem{
			Alias: l.Alias, ShortURL: short, LongURL: l.LongURL, Clicks: l.Clicks,
			Title: linkTitle(l), Description: l.Description, Date: legacyDate(l.CreatedAt),
		})
	}
	lr.write(w, out, "")
}

// legacyBody decodes a generation C body; empty or not JSON is message 014.
func (h *Handler) legacyBody(w http.ResponseWriter, r *http.Request, lr *legacyRequest, dst any) bool {
	if err := decodeBody(w, r, dst); err != nil {
		lr.fail(w, msgMissingData)
		return false
	}
	return true
}

// legacyURLGet is C's POST /api/url/get {"limit":N,"page":N,"order":"date"}:
// a page of the key owner's links (default 10 from page 1, newest first; a
// limit past maxLimit is maxLimit). A page past the last is an error; a user
// without links gets the paging block without urls.
func (h *Handler) legacyURLGet(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	var req struct {
		Limit *flexInt    `json:"limit"`
		Page  *flexInt    `json:"page"`
		Order *flexString `json:"order"`
	}
	if !h.legacyBody(w, r, lr, &req) {
		return
	}
	p := pageParams{limit: 10, page: 1}
	if req.Limit != nil && *req.Limit > 0 {
		p.limit = min(int(*req.Limit), maxLimit)
	}
	if req.Page != nil && *req.Page > 0 {
		p.page = min(int(*req.Page), 1_000_000)
	}
	order := graph.LinkOrderDate
	if req.Order != nil {
		order = legacyOrder(string(*req.Order))
	}
	links, total, err := h.Resolver.LinkList(r.Context(), "", order, p.graph())
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	if maxPage := max(1, (total+p.limit-1)/p.limit); p.page > maxPage {
		lr.fail(w, "Page unavailable. Maximum page is "+strconv.Itoa(maxPage)+".")
		return
	}
	items := make([]urlListItem, 0, len(links))
	for _, l := range links {
		short, err := h.Resolver.ShortURL(r.Context(), l)
		if err != nil {
			h.legacyFail(w, r, lr, err, msgNotYours)
			return
		}
		items = append(items, urlListItem{
			ID: l.ID, Alias: l.Alias, ShortURL: short, LongURL: l.LongURL, Clicks: l.Clicks,
			Title: linkTitle(l), Description: l.Description, Date: legacyDate(l.CreatedAt),
		})
	}
	ans := listAnswer("urls", items, total, p)
	if total == 0 {
		ans.Data.Key = "" // no links: no urls key, as the original
	}
	lr.write(w, ans, "")
}

// legacyURLStats is C's POST /api/url/stats {"urlid":N}.
func (h *Handler) legacyURLStats(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	var req struct {
		URLID *flexInt `json:"urlid"`
	}
	if !h.legacyBody(w, r, lr, &req) {
		return
	}
	if req.URLID == nil || *req.URLID <= 0 {
		lr.fail(w, msgNoAlias)
		return
	}
	l, err := h.Resolver.Client.Link.Get(r.Context(), int(*req.URLID))
	if err != nil {
		h.legacyFail(w, r, lr, err, msgNotYours)
		return
	}
	h.legacyLinkStats(w, r, lr, l, true)
}

// legacyUserCreated is C's answer to user/create: the new account, its id
// a string, its API key not shown.
type legacyUserCreated struct {
	Error int    `json:"error"`
	Msg   string `json:"msg"`
	Data  struct {
		ID       string `json:"id"`
		Email    string `json:"email"`
		Username string `json:"username"`
	} `json:"data"`
}

// legacyUserCreate is C's admin-only POST /api/user/create {"username",
// "password", "email", "planid", "expiration"}: a planid above 0 makes the
// account pro until expiration (default one month from now).
func (h *Handler) legacyUserCreate(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	if err := h.Resolver.RequireAdmin(r.Context()); err != nil {
		h.legacyFail(w, r, lr, err, msgNoPermission)
		return
	}
	var req struct {
		Username   string     `json:"username"`
		Password   string     `json:"password"`
		Email      string     `json:"email"`
		PlanID     *flexInt   `json:"planid"`
		Expiration flexString `json:"expiration"`
	}
	if !h.legacyBody(w, r, lr, &req) {
		return
	}
	in := account.NewUser{Email: req.Email, Username: req.Username, Password: req.Password}
	if req.PlanID != nil && *req.PlanID > 0 {
		in.Plan = user.PlanPRO
		end := h.Resolver.Now().AddDate(0, 1, 0)
		if e := strings.TrimSpace(string(req.Expiration)); e != "" {
			t, err := parseExpiry(e)
			if err != nil {
				lr.fail(w, "expiration must be a date such as 2020-11-20 11:00:00")
				return
			}
			end = t
		}
		in.PlanExpiresAt = &end
	}
	u, err := h.Resolver.AdminCreateUser(r.Context(), in)
	if err != nil {
		ae := apperr.From(err)
		switch {
		case ae.Code == apperr.Invalid && ae.Field == "email":
			lr.fail(w, "Email required. Please enter a valid email.")
		case ae.Code == apperr.Conflict && ae.Field == "email":
			lr.fail(w, "Account already exists with this email.")
		case ae.Code == apperr.Invalid && ae.Field == "username":
			lr.fail(w, "Username required. Please enter a valid username.")
		case ae.Code == apperr.Conflict && ae.Field == "username":
			lr.fail(w, "An account is already associated with this username. Please choose another username.")
		case ae.Code == apperr.Invalid && ae.Field == "password":
			lr.fail(w, "Password required. "+ae.Message+".")
		default:
			h.legacyFail(w, r, lr, err, msgNotYours)
		}
		return
	}
	out := legacyUserCreated{Error: 0, Msg: "User has been registered"}
	out.Data.ID, out.Data.Email, out.Data.Username = strconv.Itoa(u.ID), u.Email, u.Username
	lr.write(w, out, "")
}

// legacyUser is C's answer to user/get.
type legacyUser struct {
	Email       string  `json:"email"`
	Username    string  `json:"username"`
	Date        string  `json:"date"`
	Avatar      string  `json:"avatar"`
	Pro         int     `json:"pro"`
	PlanID      int     `json:"planid"`
	Expiration  *string `json:"expiration"`
	LastPayment *string `json:"last_payment"`
}

// legacyUserGet is C's admin-only POST /api/user/get {"userid":N}.
func (h *Handler) legacyUserGet(w http.ResponseWriter, r *http.Request, lr *legacyRequest) {
	if err := h.Resolver.RequireAdmin(r.Context()); err != nil {
		h.legacyFail(w, r, lr, err, msgNoPermission)
		return
	}
	var req struct {
		UserID *flexInt `json:"userid"`
	}
	if !h.legacyBody(w, r, lr, &req) {
		return
	}
	if req.UserID == nil || *req.UserID <= 0 {
		lr.fail(w, msgMissingData)
		return
	}
	u, err := h.Resolver.AdminUser(r.Context(), int(*req.UserID))
	if err != nil {
		h.legacyFail(w, r, lr, err, "User does not exist.")
		return
	}
	out := legacyUser{Email: u.Email, Username: u.Username, Date: legacyDate(u.CreatedAt), Avatar: u.Avatar}
	if account.PlanAt(u, h.Resolver.Now()) == user.PlanPRO {
		out.Pro, out.PlanID = 1, 1
	}
	if u.PlanExpiresAt != nil {
		out.Expiration = strp(legacyDate(*u.PlanExpiresAt))
	}
	lr.write(w, struct {
		Error int        `json:"error"`
		Data  legacyUser `json:"data"`
	}{0, out}, "")
}
