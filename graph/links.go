package graph

import (
	"context"
	"net/url"
	"strings"

	"shortener/ent"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/ent/schema/schematype"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/ptr"
	"shortener/internal/shortlink"
)

// claimBaseName is shortlink.ClaimBaseName in the resolver's dialect.
func (r *Resolver) claimBaseName(ctx context.Context, tx *ent.Client, alias string, exceptLink, exceptBio int) error {
	return shortlink.ClaimBaseName(ctx, tx, r.Dialect, alias, exceptLink, exceptBio)
}

// links is the writer of the viewer's links.
func (r *Resolver) links() *shortlink.Writer {
	return &shortlink.Writer{Client: r.Client, BaseHost: r.BaseHost(), Dialect: r.Dialect}
}

// CreateLink creates a link for the viewer (GraphQL createLink and REST
// url/add). Errors: Unauthorized, Invalid, Conflict (alias taken).
func (r *Resolver) CreateLink(ctx context.Context, s *shortlink.Spec) (*ent.Link, error) {
	return r.links().Create(ctx, s)
}

// UpdateLink changes the viewer's link id (GraphQL updateLink and REST
// url/:id/update). Errors: NotFound, Invalid, Conflict.
func (r *Resolver) UpdateLink(ctx context.Context, id int, s *shortlink.Spec) (*ent.Link, error) {
	return r.links().Update(ctx, id, s)
}

// DeleteLink deletes the viewer's link id with its channel memberships; its
// click rows stay for account statistics. Errors: NotFound.
func (r *Resolver) DeleteLink(ctx context.Context, id int) error {
	return r.links().Delete(ctx, id)
}

// DomainByURL finds the viewer's branded domain given as a URL or a bare
// host; base reports the base host. Errors: Invalid on field "domain".
func (r *Resolver) DomainByURL(ctx context.Context, s string) (id int, base bool, err error) {
	return r.links().DomainByURL(ctx, s)
}

// ShortURL returns the short URL of l: its branded domain (or the base URL)
// and its alias.
func (r *Resolver) ShortURL(ctx context.Context, l *ent.Link) (string, error) {
	if l.DomainID == nil {
		return shortlink.ShortURL(r.BaseURL, "", l.Alias), nil
	}
	d := l.Edges.Domain
	// The edge may be missing, or loaded by GraphQL field collection with
	// only the columns the query selected (domain { id }): then take it from
	// the request's cache, or load it.
	if d == nil || d.Domain == "" {
		cached, ok, err := r.cachedDomain(ctx, *l.DomainID)
		if err != nil {
			return "", err
		}
		if d = cached; !ok {
			if d, err = l.QueryDomain().Only(ctx); err != nil {
				return "", err
			}
		}
	}
	return shortlink.ShortURL(r.BaseURL, d.Domain, l.Alias), nil
}

// specFromCreate is the Spec of a CreateLinkInput: its global ids decoded.
func specFromCreate(in model.CreateLinkInput) (*shortlink.Spec, error) {
	s := &shortlink.Spec{
		URL: &in.URL, Alias: in.Custom, RedirectType: in.RedirectType, Password: in.Password,
		ExpiresAt: in.ExpiresAt, Visibility: in.Visibility, Title: in.Title, Description: in.Description,
		MetaTitle: in.MetaTitle, MetaDescription: in.MetaDescription, MetaImage: in.MetaImageURL,
	}
	if err := decodeRefs(s, in.DomainID, in.SplashPageID, in.CtaOverlayID, in.CampaignID, in.ChannelID, in.PixelIds); err != nil {
		return nil, err
	}
	setTargets(s, in.GeoTargets, in.DeviceTargets, in.LanguageTargets, in.Parameters, in.DeepLink)
	return s, nil
}

// specFromUpdate is the Spec of an UpdateLinkInput: its global ids decoded,
// its clear flags as zero values.
func specFromUpdate(in model.UpdateLinkInput) (*shortlink.Spec, error) {
	s := &shortlink.Spec{
		URL: in.URL, Alias: in.Custom, RedirectType: in.RedirectType, Password: in.Password,
		ExpiresAt: in.ExpiresAt, Visibility: in.Visibility, Title: in.Title, Description: in.Description,
		MetaTitle: in.MetaTitle, MetaDescription: in.MetaDescription, MetaImage: in.MetaImageURL,
	}
	if err := decodeRefs(s, in.DomainID, in.SplashPageID, in.CtaOverlayID, in.CampaignID, in.ChannelID, in.PixelIds); err != nil {
		return nil, err
	}
	if in.ClearDomain != nil && *in.ClearDomain {
		s.DomainID = new(0)
	}
	if in.ClearCampaign != nil && *in.ClearCampaign {
		s.CampaignID = new(0)
	}
	if in.ClearPassword != nil && *in.ClearPassword {
		s.Password = new("")
	}
	s.ClearExpires = in.ClearExpiresAt != nil && *in.ClearExpiresAt
	setTargets(s, in.GeoTargets, in.DeviceTargets, in.LanguageTargets, in.Parameters, in.DeepLink)
	return s, nil
}

// decodeRefs decodes the global ids of a link input into s.
func decodeRefs(s *shortlink.Spec, domain, splash, overlay, campaign, channel *string, pixels []string) error {
	var err error
	dec := func(dst **int, field, typ string, id *string) {
		if err != nil || id == nil {
			return
		}
		var n int
		n, err = decodeOptionalID(field, typ, id)
		*dst = &n
	}
	dec(&s.DomainID, "domainId", "Domain", domain)
	dec(&s.SplashPageID, "splashPageId", "SplashPage", splash)
	dec(&s.CTAOverlayID, "ctaOverlayId", "CTAOverlay", overlay) // GlobalID encodes the ent type name
	dec(&s.CampaignID, "campaignId", "Campaign", campaign)
	var ch *int
	dec(&ch, "channelId", "Channel", channel)
	if err != nil {
		return err
	}
	if ch != nil {
		s.ChannelID = *ch
	}
	if pixels != nil {
		if len(pixels) > shortlink.MaxTargets {
			return apperr.InvalidField("pixelIds", "at most %d pixels", shortlink.MaxTargets)
		}
		if s.PixelIDs, err = decodeIDs("pixelIds", "Pixel", pixels); err != nil {
			return err
		}
		if s.PixelIDs == nil {
			s.PixelIDs = []int{}
		}
	}
	return nil
}

// setTargets copies the targeting lists and the deep link of a link input
// into s (Spec.Check validates them); a list given, even empty, is set.
func setTargets(s *shortlink.Spec, geo []*model.GeoTargetInput, dev []*model.DeviceTargetInput,
	lang []*model.LanguageTargetInput, params []*model.ParameterInput, deep *model.DeepLinkInput) {
	s.GeoTargets = convert(geo, func(g *model.GeoTargetInput) schematype.GeoTarget {
		return schematype.GeoTarget{Country: g.Country, URL: g.URL}
	})
	s.DeviceTargets = convert(dev, func(d *model.DeviceTargetInput) schematype.DeviceTarget {
		return schematype.DeviceTarget{Device: d.Device, URL: d.URL}
	})
	s.LanguageTargets = convert(lang, func(l *model.LanguageTargetInput) schematype.LanguageTarget {
		return schematype.LanguageTarget{Language: l.Language, URL: l.URL}
	})
	s.Parameters = convert(params, func(p *model.ParameterInput) schematype.Parameter {
		return schematype.Parameter{Name: p.Name, Value: p.Value}
	})
	if deep != nil {
		s.DeepLink = &schematype.DeepLink{Apple: ptr.Value(deep.Apple), Google: ptr.Value(deep.Google), Auto: ptr.Value(deep.Auto)}
	}
}

// convert maps a list, keeping nil nil and empty empty.
func convert[In, Out any](in []In, f func(In) Out) []Out {
	if in == nil {
		return nil
	}
	out := make([]Out, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

// matchShortURL returns the alias and host of a short URL given as a full URL,
// as one without a scheme (host/alias, as a click-counter script sends it) or
// as a bare alias.
func matchShortURL(s string) (alias, host string) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		return s, ""
	}
	if !strings.Contains(s, "://") && !strings.HasPrefix(s, "/") {
		s = "//" + s // host/alias: url.Parse would read it as a path
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", ""
	}
	return strings.Trim(u.Path, "/"), strings.ToLower(u.Hostname())
}

// LinkByShortURL finds one of the viewer's links by its full short URL or by
// its alias (on the base host). A miss is nil, not an error.
func (r *Resolver) LinkByShortURL(ctx context.Context, short string) (*ent.Link, error) {
	alias, host := matchShortURL(short)
	if alias == "" {
		return nil, nil
	}
	q := r.Client.Link.Query().Where(entlink.AliasEQ(alias))
	base, _ := url.Parse(r.BaseURL)
	if host == "" || (base != nil && strings.EqualFold(base.Hostname(), host)) {
		q = q.Where(entlink.DomainIDIsNil())
	} else {
		q = q.Where(entlink.HasDomainWith(domain.HostEQ(host)))
	}
	l, err := q.First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return l, err
}
