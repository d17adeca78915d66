package redirect

import (
	"context"
	"strings"
	"time"

	"shortener/ent"
	"shortener/ent/biopage"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/ent/schema/schematype"
	"shortener/internal/analytics"
	"shortener/internal/auth"
	"shortener/internal/hostname"
	"shortener/internal/shortlink"
)

// Kind is what lives at a (host, alias).
type Kind uint8

// Kinds of snapshot.
const (
	KindMissing Kind = iota // nothing: 404, or the domain's redirect404
	KindLink
	KindBio
)

// Domain is a branded domain as the public routes need it.
type Domain struct {
	ID           int
	Host         string
	Origin       string // scheme and host, as registered: https://go.example.com
	RedirectRoot string
	Redirect404  string
}

// Snapshot is an immutable copy of everything the public routes need to
// answer for one (domain, alias): the link with its rules, pages and pixels
// resolved, or a bio page, or nothing. Handlers share snapshots between
// requests and must not change them.
//
// The cache holds one per link, so its size matters: what most links don't
// have lives in Extra, which plain links share (an empty one).
type Snapshot struct {
	Kind   Kind
	needs  needs
	Domain *Domain // nil on the base host

	LinkID, OwnerID int
	Alias           string
	LongURL         string
	// location holds Direct as a header value, shared by every response
	// (an array in the snapshot: no second allocation per cached link).
	location [1]string
	Type     entlink.RedirectType

	*Extra
}

// Extra is the rarely set part of a snapshot.
type Extra struct {
	Title, Description                    string
	MetaTitle, MetaDescription, MetaImage string
	PasswordHash                          string
	ExpiresAt                             time.Time // zero: never

	Params    []param
	Devices   []rule // device name, lower case
	Countries []rule // ISO code
	Languages []rule // language tag, lower case
	Apple     string // deep links (explicit or derived)
	Google    string

	Splash  *ent.SplashPage
	Overlay *ent.CTAOverlay
	Pixels  []Pixel

	Bio *ent.BioPage
}

// Direct is LongURL with the link's parameters merged in: the answer for a
// visitor no rule applies to, computed once per snapshot ("" unless the
// snapshot is a link).
func (s *Snapshot) Direct() string { return s.location[0] }

// noExtra is the Extra of every snapshot that has none.
var noExtra = &Extra{}

// ShortURL is the snapshot's short URL: its domain's origin, or base (the
// server's base URL), and its alias.
func (s *Snapshot) ShortURL(base string) string {
	origin := ""
	if s.Domain != nil {
		origin = s.Domain.Origin
	}
	return shortlink.ShortURL(base, origin, s.Alias)
}

type param struct{ name, value string }

type rule struct{ key, url string }

// needs says which visitor facts Decide will look at, so the handler works
// them out only then (no user-agent matching for a plain link).
type needs uint8

const (
	needPlatform needs = 1 << iota
	needCountry
	needLanguage
)

// Pixel is a retargeting pixel of a link.
type Pixel struct{ Type, Tag string }

// expired reports whether the link has expired at now.
func (s *Snapshot) expired(now time.Time) bool {
	return !s.ExpiresAt.IsZero() && !now.Before(s.ExpiresAt)
}

// loader builds snapshots from the database with the system context: the
// public routes act for no user.
type loader struct {
	client   *ent.Client
	baseHost string
}

// domains loads every branded domain by host.
func (l *loader) domains(ctx context.Context) (map[string]*Domain, error) {
	ds, err := l.client.Domain.Query().Where(domain.VerifiedAtNotNil()).Select(domain.FieldID, domain.FieldHost, domain.FieldDomain,
		domain.FieldRedirectRoot, domain.FieldRedirect404).All(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Domain, len(ds))
	for _, d := range ds {
		// A row stored before hosts were checked (the base host, an IP,
		// localhost, an unnormalised form) never serves.
		if h, err := hostname.Branded(d.Host); err != nil || h != d.Host || h == l.baseHost {
			continue
		}
		out[d.Host] = &Domain{ID: d.ID, Host: d.Host, Origin: strings.TrimRight(d.Domain, "/"),
			RedirectRoot: d.RedirectRoot, Redirect404: d.Redirect404}
	}
	return out, nil
}

// load builds the snapshot of alias on d (nil: the base host).
func (l *loader) load(ctx context.Context, d *Domain, alias string) (*Snapshot, error) {
	sys := auth.SystemContext(ctx)
	q := l.client.Link.Query().Where(entlink.AliasEQ(alias)).
		WithPixels().WithSplashPage().WithCtaOverlay()
	if d == nil {
		q = q.Where(entlink.DomainIDIsNil())
	} else {
		q = q.Where(entlink.DomainIDEQ(d.ID))
	}
	lk, err := q.Only(sys)
	switch {
	case err == nil:
		return l.linkSnapshot(d, lk), nil
	case !ent.IsNotFound(err):
		return nil, err
	}
	if d == nil {
		bio, err := l.client.BioPage.Query().Where(biopage.AliasEQ(alias)).Only(sys)
		if err == nil {
			return &Snapshot{Kind: KindBio, Alias: alias, OwnerID: bio.OwnerID, Extra: &Extra{Bio: bio}}, nil
		}
		if !ent.IsNotFound(err) {
			return nil, err
		}
	}
	return &Snapshot{Kind: KindMissing, Domain: d, Alias: alias, Extra: noExtra}, nil
}

// page loads up to n links with ids below before (0: from the newest), newest
// first, with what their snapshots embed.
func (l *loader) page(ctx context.Context, before, n int) ([]*ent.Link, error) {
	q := l.client.Link.Query().WithPixels().WithSplashPage().WithCtaOverlay().
		Order(ent.Desc(entlink.FieldID)).Limit(n)
	if before > 0 {
		q = q.Where(entlink.IDLT(before))
	}
	return q.All(auth.SystemContext(ctx))
}

func (l *loader) linkSnapshot(d *Domain, lk *ent.Link) *Snapshot {
	s := &Snapshot{
		Kind: KindLink, Domain: d, LinkID: lk.ID, OwnerID: lk.OwnerID, Alias: lk.Alias,
		LongURL: lk.LongURL, Type: redirectType(lk.RedirectType),
	}
	x := &Extra{
		Title: lk.Title, Description: lk.Description,
		MetaTitle: lk.MetaTitle, MetaDescription: lk.MetaDescription, MetaImage: lk.MetaImage,
		PasswordHash: lk.PasswordHash, Splash: lk.Edges.SplashPage, Overlay: lk.Edges.CtaOverlay,
	}
	if lk.ExpiresAt != nil {
		x.ExpiresAt = *lk.ExpiresAt
	}
	for _, p := range lk.Parameters {
		x.Params = append(x.Params, param{p.Name, p.Value})
	}
	s.location[0] = withParams(lk.LongURL, x.Params, "")
	for _, t := range lk.DeviceTargets {
		x.Devices = append(x.Devices, rule{strings.ToLower(strings.TrimSpace(t.Device)), t.URL})
	}
	for _, t := range lk.GeoTargets {
		// A target naming no country this server knows can never match.
		if code := analytics.CountryCode(t.Country); code != "" {
			x.Countries = append(x.Countries, rule{code, t.URL})
		}
	}
	for _, t := range lk.LanguageTargets {
		x.Languages = append(x.Languages, rule{strings.ToLower(strings.TrimSpace(t.Language)), t.URL})
	}
	x.Apple, x.Google = deepLinks(lk.DeepLink, lk.LongURL)
	for _, p := range lk.Edges.Pixels {
		x.Pixels = append(x.Pixels, Pixel{Type: string(p.Type), Tag: p.Tag})
	}
	if len(x.Devices) > 0 || x.Apple != "" || x.Google != "" {
		s.needs |= needPlatform
	}
	if len(x.Countries) > 0 {
		s.needs |= needCountry
	}
	if len(x.Languages) > 0 {
		s.needs |= needLanguage
	}
	s.Extra = x
	if x.empty() {
		s.Extra = noExtra
	}
	return s
}

// redirectType returns t as the package's constant, so the 100,000 cached
// snapshots of a large server share one string rather than each keeping
// the copy its row was scanned into.
func redirectType(t entlink.RedirectType) entlink.RedirectType {
	for _, v := range redirectTypes {
		if v == t {
			return v
		}
	}
	return t
}

// empty reports whether x holds nothing (so the snapshot can share noExtra).
func (x *Extra) empty() bool {
	return x.Title == "" && x.Description == "" && x.MetaTitle == "" && x.MetaDescription == "" &&
		x.MetaImage == "" && x.PasswordHash == "" && x.ExpiresAt.IsZero() && len(x.Params) == 0 &&
		len(x.Devices) == 0 && len(x.Countries) == 0 && len(x.Languages) == 0 && x.Apple == "" &&
		x.Google == "" && x.Splash == nil && x.Overlay == nil && len(x.Pixels) == 0 && x.Bio == nil
}

// deepLinks returns the app links of a link: the explicit ones, else (with
// auto) those derived from the long URL's host.
func deepLinks(d *schematype.DeepLink, long string) (apple, google string) {
	if d == nil {
		return "", ""
	}
	apple, google = d.Apple, d.Google
	if d.Auto {
		ios, android := autoAppLinks(long)
		if apple == "" {
			apple = ios
		}
		if google == "" {
			google = android
		}
	}
	return apple, google
}
