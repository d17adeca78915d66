package graph

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/ent/pixel"
	"shortener/ent/schema/schematype"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/shortlink"
)

// maxTargets bounds each targeting list of a shortlink.
const maxTargets = 50

// aliasLength is the length of generated aliases.
const aliasLength = 6

// linkSpec is the checked, decoded form of a create or update input. Nil
// fields are left as they are on update.
type linkSpec struct {
	url                                      *string
	alias                                    *string
	domainID                                 *int // 0 clears
	redirectType                             *entlink.RedirectType
	splashID, overlayID                      *int
	password                                 *string // "" clears
	expires                                  *time.Time
	clearExpires                             bool
	visibility                               *entlink.Visibility
	title, description, metaTitle, metaDesc  *string
	metaImage                                *string
	geo                                      []schematype.GeoTarget
	device                                   []schematype.DeviceTarget
	language                                 []schematype.LanguageTarget
	params                                   []schematype.Parameter
	geoSet, deviceSet, languageSet, paramSet bool
	deepLink                                 *schematype.DeepLink
	pixelIDs                                 []int
	pixelSet                                 bool
	channelID                                int
	campaignID                               *int // 0 clears
}

// setTargets validates the targeting lists and converts them.
func (s *linkSpec) setTargets(geo []*model.GeoTargetInput, dev []*model.DeviceTargetInput, lang []*model.LanguageTargetInput, params []*model.ParameterInput) error {
	if geo != nil {
		s.geoSet, s.geo = true, []schematype.GeoTarget{}
		if len(geo) > maxTargets {
			return apperr.InvalidField("geoTargets", "at most %d geo targets", maxTargets)
		}
		for _, g := range geo {
			c := strings.TrimSpace(g.Country)
			if c == "" || len(c) > 100 {
				return apperr.InvalidField("geoTargets", "a geo target needs a country")
			}
			if err := shortlink.ValidateURL("geoTargets", g.URL); err != nil {
				return err
			}
			s.geo = append(s.geo, schematype.GeoTarget{Country: c, URL: g.URL})
		}
	}
	if dev != nil {
		s.deviceSet, s.device = true, []schematype.DeviceTarget{}
		if len(dev) > maxTargets {
			return apperr.InvalidField("deviceTargets", "at most %d device targets", maxTargets)
		}
		for _, d := range dev {
			name := strings.TrimSpace(d.Device)
			if name == "" || len(name) > 100 {
				return apperr.InvalidField("deviceTargets", "a device target needs a device")
			}
			if err := shortlink.ValidateURL("deviceTargets", d.URL); err != nil {
				return err
			}
			s.device = append(s.device, schematype.DeviceTarget{Device: name, URL: d.URL})
		}
	}
	if lang != nil {
		s.languageSet, s.language = true, []schematype.LanguageTarget{}
		if len(lang) > maxTargets {
			return apperr.InvalidField("languageTargets", "at most %d language targets", maxTargets)
		}
		for _, l := range lang {
			code := strings.ToLower(strings.TrimSpace(l.Language))
			if code == "" || len(code) > 35 {
				return apperr.InvalidField("languageTargets", "a language target needs a language code")
			}
			if err := shortlink.ValidateURL("languageTargets", l.URL); err != nil {
				return err
			}
			s.language = append(s.language, schematype.LanguageTarget{Language: code, URL: l.URL})
		}
	}
	if params != nil {
		s.paramSet, s.params = true, []schematype.Parameter{}
		if len(params) > maxTargets {
			return apperr.InvalidField("parameters", "at most %d parameters", maxTargets)
		}
		for _, p := range params {
			if strings.TrimSpace(p.Name) == "" || len(p.Name) > 255 || len(p.Value) > 2048 {
				return apperr.InvalidField("parameters", "a parameter needs a name (at most 255 characters) and a value of at most 2048")
			}
			s.params = append(s.params, schematype.Parameter{Name: p.Name, Value: p.Value})
		}
	}
	return nil
}

// ShortURL returns the short URL of l: its branded domain (or the base URL)
// and its alias.
func (r *Resolver) ShortURL(ctx context.Context, l *ent.Link) (string, error) {
	if l.DomainID == nil {
		return r.BaseURL + "/" + l.Alias, nil
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
	return strings.TrimRight(d.Domain, "/") + "/" + l.Alias, nil
}

// checkOwned fails with an Invalid error on field when one of ids is not an
// object the viewer can see (missing and foreign ids look the same).
func checkOwned(ctx context.Context, field string, found, want int) error {
	if found != want {
		return apperr.InvalidField(field, "%s refers to an object that does not exist", field)
	}
	return nil
}

func (r *Resolver) checkRefs(ctx context.Context, s *linkSpec) error {
	c := r.Client
	one := func(field string, id *int, exist func(int) (bool, error)) error {
		if id == nil || *id == 0 {
			return nil
		}
		ok, err := exist(*id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.InvalidField(field, "%s refers to an object that does not exist", field)
		}
		return nil
	}
	if err := one("domainId", s.domainID, func(id int) (bool, error) { return exists(c.Domain.Get(ctx, id)) }); err != nil {
		return err
	}
	if err := one("splashPageId", s.splashID, func(id int) (bool, error) { return exists(c.SplashPage.Get(ctx, id)) }); err != nil {
		return err
	}
	if err := one("ctaOverlayId", s.overlayID, func(id int) (bool, error) { return exists(c.CTAOverlay.Get(ctx, id)) }); err != nil {
		return err
	}
	if err := one("campaignId", s.campaignID, func(id int) (bool, error) { return exists(c.Campaign.Get(ctx, id)) }); err != nil {
		return err
	}
	ch := s.channelID
	if err := one("channelId", &ch, func(id int) (bool, error) { return exists(c.Channel.Get(ctx, id)) }); err != nil {
		return err
	}
	if len(s.pixelIDs) > 0 {
		n, err := c.Pixel.Query().Where(pixel.IDIn(s.pixelIDs...)).Count(ctx)
		if err != nil {
			return err
		}
		if err := checkOwned(ctx, "pixelIds", n, len(s.pixelIDs)); err != nil {
			return err
		}
	}
	return nil
}

// uniqueInts returns the distinct ids, sorted; the input is not changed.
func uniqueInts(in []int) []int { return slices.Compact(slices.Sorted(slices.Values(in))) }

// matchShortURL returns the alias and host of a short URL given as a full URL
// or as a bare alias.
func matchShortURL(s string) (alias, host string) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		return s, ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", ""
	}
	return strings.Trim(u.Path, "/"), strings.ToLower(u.Hostname())
}

// addChannelItem puts a link in a channel unless it is there already.
func addChannelItem(ctx context.Context, tx *ent.Client, channelID, linkID int) error {
	n, err := tx.ChannelItem.Query().Where(channelitem.ChannelIDEQ(channelID), channelitem.LinkIDEQ(linkID)).Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	return tx.ChannelItem.Create().SetChannelID(channelID).SetType(channelitem.TypeLINK).SetLinkID(linkID).Exec(ctx)
}

// specFromCreate checks a CreateLinkInput.
func specFromCreate(in model.CreateLinkInput) (*linkSpec, error) {
	s := &linkSpec{
		url: &in.URL, alias: in.Custom, redirectType: in.RedirectType, password: in.Password,
		expires: in.ExpiresAt, visibility: in.Visibility, title: in.Title, description: in.Description,
		metaTitle: in.MetaTitle, metaDesc: in.MetaDescription, metaImage: in.MetaImageURL,
	}
	if err := s.decodeRefs(in.DomainID, in.SplashPageID, in.CtaOverlayID, in.CampaignID, in.ChannelID, in.PixelIds); err != nil {
		return nil, err
	}
	if err := s.setTargets(in.GeoTargets, in.DeviceTargets, in.LanguageTargets, in.Parameters); err != nil {
		return nil, err
	}
	if err := s.setDeepLink(in.DeepLink); err != nil {
		return nil, err
	}
	return s, s.check()
}

// specFromUpdate checks an UpdateLinkInput.
func specFromUpdate(in model.UpdateLinkInput) (*linkSpec, error) {
	s := &linkSpec{
		url: in.URL, alias: in.Custom, redirectType: in.RedirectType, password: in.Password,
		expires: in.ExpiresAt, visibility: in.Visibility, title: in.Title, description: in.Description,
		metaTitle: in.MetaTitle, metaDesc: in.MetaDescription, metaImage: in.MetaImageURL,
	}
	if err := s.decodeRefs(in.DomainID, in.SplashPageID, in.CtaOverlayID, in.CampaignID, in.ChannelID, in.PixelIds); err != nil {
		return nil, err
	}
	if in.ClearDomain != nil && *in.ClearDomain {
		zero := 0
		s.domainID = &zero
	}
	if in.ClearCampaign != nil && *in.ClearCampaign {
		zero := 0
		s.campaignID = &zero
	}
	if in.ClearPassword != nil && *in.ClearPassword {
		empty := ""
		s.password = &empty
	}
	s.clearExpires = in.ClearExpiresAt != nil && *in.ClearExpiresAt
	if err := s.setTargets(in.GeoTargets, in.DeviceTargets, in.LanguageTargets, in.Parameters); err != nil {
		return nil, err
	}
	if err := s.setDeepLink(in.DeepLink); err != nil {
		return nil, err
	}
	return s, s.check()
}

func (s *linkSpec) decodeRefs(domain, splash, overlay, campaign, channel *string, pixels []string) error {
	var err error
	dec := func(dst **int, field, typ string, id *string) {
		if err != nil || id == nil {
			return
		}
		var n int
		n, err = decodeOptionalID(field, typ, id)
		*dst = &n
	}
	dec(&s.domainID, "domainId", "Domain", domain)
	dec(&s.splashID, "splashPageId", "SplashPage", splash)
	dec(&s.overlayID, "ctaOverlayId", "CTAOverlay", overlay) // GlobalID encodes the ent type name
	dec(&s.campaignID, "campaignId", "Campaign", campaign)
	var ch *int
	dec(&ch, "channelId", "Channel", channel)
	if err != nil {
		return err
	}
	if ch != nil {
		s.channelID = *ch
	}
	if pixels != nil {
		s.pixelSet = true
		if len(pixels) > maxTargets {
			return apperr.InvalidField("pixelIds", "at most %d pixels", maxTargets)
		}
		if s.pixelIDs, err = decodeIDs("pixelIds", "Pixel", pixels); err != nil {
			return err
		}
		s.pixelIDs = uniqueInts(s.pixelIDs)
	}
	return nil
}

func (s *linkSpec) setDeepLink(in *model.DeepLinkInput) error {
	if in == nil {
		return nil
	}
	d := &schematype.DeepLink{}
	if in.Apple != nil {
		d.Apple = *in.Apple
	}
	if in.Google != nil {
		d.Google = *in.Google
	}
	d.Auto = in.Auto != nil && *in.Auto
	if err := shortlink.ValidateOptionalURL("deepLink.apple", d.Apple); err != nil {
		return err
	}
	if err := shortlink.ValidateOptionalURL("deepLink.google", d.Google); err != nil {
		return err
	}
	s.deepLink = d
	return nil
}

// check validates the plain fields and settles the redirect type: a splash
// page implies CUSTOM_SPLASH and an overlay OVERLAY.
func (s *linkSpec) check() error {
	if s.url != nil {
		if err := shortlink.ValidateURL("url", *s.url); err != nil {
			return err
		}
	}
	if s.alias != nil && *s.alias != "" {
		if err := shortlink.ValidateAlias("custom", *s.alias); err != nil {
			return err
		}
	}
	if s.metaImage != nil {
		if err := shortlink.ValidateOptionalURL("metaImageUrl", *s.metaImage); err != nil {
			return err
		}
	}
	if s.password != nil && len(*s.password) > auth.MaxPasswordBytes {
		return apperr.InvalidField("password", "password must be at most 72 bytes")
	}
	if s.splashID != nil && *s.splashID != 0 && s.redirectType == nil {
		t := entlink.RedirectTypeCUSTOM_SPLASH
		s.redirectType = &t
	}
	if s.overlayID != nil && *s.overlayID != 0 && s.redirectType == nil {
		t := entlink.RedirectTypeOVERLAY
		s.redirectType = &t
	}
	return nil
}

// CreateLink creates a link for the viewer. Errors: Unauthorized, Invalid
// (bad URL, alias, target or reference), Conflict (alias taken).
func (r *Resolver) CreateLink(ctx context.Context, in model.CreateLinkInput) (*ent.Link, error) {
	s, err := specFromCreate(in)
	if err != nil {
		return nil, err
	}
	if err := r.checkRefs(ctx, s); err != nil {
		return nil, err
	}
	if err := checkRedirectType(s.redirectType, s.splashID, s.overlayID, nil); err != nil {
		return nil, err
	}
	domainID := 0
	if s.domainID != nil {
		domainID = *s.domainID
	}
	custom := s.alias != nil && *s.alias != ""
	for attempt := 0; ; attempt++ {
		alias := shortlink.NewAlias(aliasLength)
		if custom {
			alias = *s.alias
		}
		l, err := r.insertLink(ctx, s, alias, domainID == 0)
		if err == nil {
			return l, nil
		}
		if !ent.IsConstraintError(err) && !errors.Is(err, errBaseNameTaken) {
			return nil, err
		}
		if custom || attempt >= 5 {
			return nil, aliasConflict("custom", alias)
		}
	}
}

// insertLink stores the link; base says it goes on the base host, where it
// claims its alias first (claimBaseName).
func (r *Resolver) insertLink(ctx context.Context, s *linkSpec, alias string, base bool) (*ent.Link, error) {
	// Hash before any transaction: bcrypt takes tens of milliseconds and a
	// SQLite transaction holds the one write connection.
	var hash string
	if s.password != nil && *s.password != "" {
		h, err := auth.HashPassword(*s.password)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	if s.channelID == 0 && !base {
		// One INSERT (ent adds its own transaction for pixel edges); the
		// (domain, alias) index keeps branded aliases unique.
		return buildLink(r.Client, s, alias, hash).Save(ctx)
	}
	var l *ent.Link
	err := withTx(ctx, r.Client, func(tx *ent.Client) error {
		if base {
			if err := r.claimBaseName(ctx, tx, alias, 0, 0); err != nil {
				return err
			}
		}
		var err error
		if l, err = buildLink(tx, s, alias, hash).Save(ctx); err != nil {
			return err
		}
		if s.channelID == 0 {
			return nil
		}
		return addChannelItem(ctx, tx, s.channelID, l.ID)
	})
	if err != nil {
		return nil, err
	}
	// l was loaded inside the committed transaction: unwrap it so the
	// resolvers of its edges (domain, pixels, channels) query the client.
	return l.Unwrap(), nil
}

// buildLink is the create builder of a checked spec.
func buildLink(client *ent.Client, s *linkSpec, alias, passwordHash string) *ent.LinkCreate {
	c := client.Link.Create().SetAlias(alias).SetLongURL(*s.url)
	if s.domainID != nil && *s.domainID != 0 {
		c.SetDomainID(*s.domainID)
	}
	if passwordHash != "" {
		c.SetPasswordHash(passwordHash)
	}
	c.SetNillableRedirectType(s.redirectType).SetNillableVisibility(s.visibility).
		SetNillableExpiresAt(s.expires).SetNillableTitle(s.title).SetNillableDescription(s.description).
		SetNillableMetaTitle(s.metaTitle).SetNillableMetaDescription(s.metaDesc).SetNillableMetaImage(s.metaImage)
	if s.splashID != nil && *s.splashID != 0 {
		c.SetSplashPageID(*s.splashID)
	}
	if s.overlayID != nil && *s.overlayID != 0 {
		c.SetCtaOverlayID(*s.overlayID)
	}
	if s.campaignID != nil && *s.campaignID != 0 {
		c.SetCampaignID(*s.campaignID)
	}
	if s.geoSet {
		c.SetGeoTargets(s.geo)
	}
	if s.deviceSet {
		c.SetDeviceTargets(s.device)
	}
	if s.languageSet {
		c.SetLanguageTargets(s.language)
	}
	if s.paramSet {
		c.SetParameters(s.params)
	}
	if s.deepLink != nil {
		c.SetDeepLink(s.deepLink)
	}
	return c.AddPixelIDs(s.pixelIDs...)
}

// checkRedirectType checks that a custom splash or overlay type has its page.
// cur is the link being updated (nil on create).
func checkRedirectType(t *entlink.RedirectType, splash, overlay *int, cur *ent.Link) error {
	if t == nil {
		return nil
	}
	has := func(set *int, existing *int) bool {
		if set != nil {
			return *set != 0
		}
		return existing != nil
	}
	var curSplash, curOverlay *int
	if cur != nil {
		curSplash, curOverlay = cur.SplashPageID, cur.CtaOverlayID
	}
	switch *t {
	case entlink.RedirectTypeCUSTOM_SPLASH:
		if !has(splash, curSplash) {
			return apperr.InvalidField("splashPageId", "redirect type CUSTOM_SPLASH needs a splash page")
		}
	case entlink.RedirectTypeOVERLAY:
		if !has(overlay, curOverlay) {
			return apperr.InvalidField("ctaOverlayId", "redirect type OVERLAY needs a CTA overlay")
		}
	}
	return nil
}

// UpdateLink changes the viewer's link id. Errors: NotFound, Invalid, Conflict.
func (r *Resolver) UpdateLink(ctx context.Context, id int, in model.UpdateLinkInput) (*ent.Link, error) {
	s, err := specFromUpdate(in)
	if err != nil {
		return nil, err
	}
	cur, err := r.Client.Link.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.checkRefs(ctx, s); err != nil {
		return nil, err
	}
	if err := checkRedirectType(s.redirectType, s.splashID, s.overlayID, cur); err != nil {
		return nil, err
	}
	domainID := 0
	if cur.DomainID != nil {
		domainID = *cur.DomainID
	}
	if s.domainID != nil {
		domainID = *s.domainID
	}
	alias := cur.Alias
	if s.alias != nil && *s.alias != "" {
		alias = *s.alias
	}
	// A new name on the base host is claimed in the transaction; on a
	// branded domain the (domain, alias) index refuses a taken one.
	claim := domainID == 0 && (alias != cur.Alias || cur.DomainID != nil)
	var hash string // outside the transaction, as in insertLink
	if s.password != nil && *s.password != "" {
		if hash, err = auth.HashPassword(*s.password); err != nil {
			return nil, err
		}
	}
	var out *ent.Link
	err = withTx(ctx, r.Client, func(tx *ent.Client) error {
		if claim {
			if err := r.claimBaseName(ctx, tx, alias, cur.ID, 0); err != nil {
				return err
			}
		}
		u := tx.Link.UpdateOneID(id).SetAlias(alias)
		if s.url != nil {
			u.SetLongURL(*s.url)
		}
		if s.domainID != nil {
			if *s.domainID == 0 {
				u.ClearDomainID()
			} else {
				u.SetDomainID(*s.domainID)
			}
		}
		if s.password != nil {
			if *s.password == "" {
				u.ClearPasswordHash()
			} else {
				u.SetPasswordHash(hash)
			}
		}
		if s.clearExpires {
			u.ClearExpiresAt()
		} else if s.expires != nil {
			u.SetExpiresAt(*s.expires)
		}
		u.SetNillableRedirectType(s.redirectType).SetNillableVisibility(s.visibility).
			SetNillableTitle(s.title).SetNillableDescription(s.description).
			SetNillableMetaTitle(s.metaTitle).SetNillableMetaDescription(s.metaDesc).SetNillableMetaImage(s.metaImage)
		if s.splashID != nil {
			if *s.splashID == 0 {
				u.ClearSplashPageID()
			} else {
				u.SetSplashPageID(*s.splashID)
			}
		}
		if s.overlayID != nil {
			if *s.overlayID == 0 {
				u.ClearCtaOverlayID()
			} else {
				u.SetCtaOverlayID(*s.overlayID)
			}
		}
		if s.campaignID != nil {
			if *s.campaignID == 0 {
				u.ClearCampaignID()
			} else {
				u.SetCampaignID(*s.campaignID)
			}
		}
		if s.geoSet {
			u.SetGeoTargets(s.geo)
		}
		if s.deviceSet {
			u.SetDeviceTargets(s.device)
		}
		if s.languageSet {
			u.SetLanguageTargets(s.language)
		}
		if s.paramSet {
			u.SetParameters(s.params)
		}
		if s.deepLink != nil {
			u.SetDeepLink(s.deepLink)
		}
		if s.pixelSet {
			u.ClearPixels().AddPixelIDs(s.pixelIDs...)
		}
		var err error
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if s.channelID != 0 {
			return addChannelItem(ctx, tx, s.channelID, id)
		}
		return nil
	})
	if ent.IsConstraintError(err) || errors.Is(err, errBaseNameTaken) {
		return nil, aliasConflict("custom", alias)
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil // loaded in the committed transaction
}

// DeleteLink deletes the viewer's link id with its channel memberships; its
// click rows stay for account statistics. Errors: NotFound.
func (r *Resolver) DeleteLink(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.Link.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.LinkIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.Link.DeleteOneID(id).Exec(ctx)
	})
}

// withTx runs fn in a transaction; fn gets the transaction's client.
func withTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
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
