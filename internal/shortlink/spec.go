package shortlink

import (
	"slices"
	"strings"
	"time"

	"shortener/ent"
	entlink "shortener/ent/link"
	"shortener/ent/schema/schematype"
	"shortener/internal/analytics"
	"shortener/internal/apperr"
	"shortener/internal/auth"
)

// MaxTargets bounds each targeting list of a link, and its pixels.
const MaxTargets = 50

// AliasLength is the length of generated aliases.
const AliasLength = 6

// Spec is one change to a link, in the terms of the store: what GraphQL's
// CreateLinkInput/UpdateLinkInput and the legacy url/add and url/:id/update
// bodies both become. Ids are row ids. On update a nil field (and a nil
// list) leaves the link's value as it is; on create it is the default.
type Spec struct {
	URL   *string
	Alias *string // nil or "": a generated alias on create, unchanged on update
	// DomainID is the branded domain (0: the base host, which clears it on
	// update). DomainURL names it instead as the legacy API does (a URL or a
	// host; the base host means none); the writer resolves it to DomainID.
	DomainID  *int
	DomainURL *string

	RedirectType               *entlink.RedirectType
	SplashPageID, CTAOverlayID *int    // 0 clears
	Password                   *string // "" clears
	ExpiresAt                  *time.Time
	ClearExpires               bool
	Visibility                 *entlink.Visibility

	Title, Description, MetaTitle, MetaDescription, MetaImage *string

	// A list that is not nil (even empty) replaces the link's list.
	GeoTargets      []schematype.GeoTarget
	DeviceTargets   []schematype.DeviceTarget
	LanguageTargets []schematype.LanguageTarget
	Parameters      []schematype.Parameter
	DeepLink        *schematype.DeepLink
	PixelIDs        []int // not nil: the link's pixels become these

	ChannelID  int  // not 0: the link is added to this channel
	CampaignID *int // 0 takes the link out of its campaign
}

// Check validates the spec's own fields (not its references, which need the
// store) and normalises them in place: targets trimmed, language codes in
// lower case, and a splash page or overlay implying its redirect type.
// Errors are Invalid with the GraphQL input's field names.
func (s *Spec) Check() error {
	if err := checkTargets("geoTargets", "geo targets", "a geo target needs a country", s.GeoTargets, 100,
		func(t *schematype.GeoTarget) (*string, string) {
			t.Country = strings.TrimSpace(t.Country)
			return &t.Country, t.URL
		}); err != nil {
		return err
	}
	for _, g := range s.GeoTargets {
		if analytics.CountryCode(g.Country) == "" {
			return apperr.InvalidField("geoTargets", "%q is not a country: use its English name or ISO 3166 code", g.Country)
		}
	}
	if err := checkTargets("deviceTargets", "device targets", "a device target needs a device", s.DeviceTargets, 100,
		func(t *schematype.DeviceTarget) (*string, string) {
			t.Device = strings.TrimSpace(t.Device)
			return &t.Device, t.URL
		}); err != nil {
		return err
	}
	if err := checkTargets("languageTargets", "language targets", "a language target needs a language code", s.LanguageTargets, 35,
		func(t *schematype.LanguageTarget) (*string, string) {
			t.Language = strings.ToLower(strings.TrimSpace(t.Language))
			return &t.Language, t.URL
		}); err != nil {
		return err
	}
	if len(s.Parameters) > MaxTargets {
		return apperr.InvalidField("parameters", "at most %d parameters", MaxTargets)
	}
	for _, p := range s.Parameters {
		if strings.TrimSpace(p.Name) == "" || len(p.Name) > 255 || len(p.Value) > 2048 {
			return apperr.InvalidField("parameters", "a parameter needs a name (at most 255 characters) and a value of at most 2048")
		}
	}
	if d := s.DeepLink; d != nil {
		if err := ValidateOptionalURL("deepLink.apple", d.Apple); err != nil {
			return err
		}
		if err := ValidateOptionalURL("deepLink.google", d.Google); err != nil {
			return err
		}
	}
	if len(s.PixelIDs) > MaxTargets {
		return apperr.InvalidField("pixelIds", "at most %d pixels", MaxTargets)
	}
	if len(s.PixelIDs) > 1 { // keep an empty list empty, not nil: it clears
		s.PixelIDs = slices.Compact(slices.Sorted(slices.Values(s.PixelIDs)))
	}
	if s.URL != nil {
		if err := ValidateURL("url", *s.URL); err != nil {
			return err
		}
	}
	if s.Alias != nil && *s.Alias != "" {
		if err := ValidateAlias("custom", *s.Alias); err != nil {
			return err
		}
	}
	if s.MetaImage != nil {
		if err := ValidateOptionalURL("metaImageUrl", *s.MetaImage); err != nil {
			return err
		}
	}
	if s.Password != nil && len(*s.Password) > auth.MaxPasswordBytes {
		return apperr.InvalidField("password", "password must be at most %d bytes", auth.MaxPasswordBytes)
	}
	if s.SplashPageID != nil && *s.SplashPageID != 0 && s.RedirectType == nil {
		s.RedirectType = new(entlink.RedirectTypeCUSTOM_SPLASH)
	}
	if s.CTAOverlayID != nil && *s.CTAOverlayID != 0 && s.RedirectType == nil {
		s.RedirectType = new(entlink.RedirectTypeOVERLAY)
	}
	return nil
}

// checkTargets checks one targeting list: at most MaxTargets entries, each
// with a key (normalised by key, at most maxKey bytes) and a valid URL.
func checkTargets[T any](field, what, needKey string, list []T, maxKey int, key func(*T) (*string, string)) error {
	if len(list) > MaxTargets {
		return apperr.InvalidField(field, "at most %d %s", MaxTargets, what)
	}
	for i := range list {
		k, u := key(&list[i])
		if *k == "" || len(*k) > maxKey {
			return apperr.InvalidField(field, "%s", needKey)
		}
		if err := ValidateURL(field, u); err != nil {
			return err
		}
	}
	return nil
}

// checkRedirectType checks that a custom splash or overlay type has its
// page; cur is the link being updated (nil on create).
func (s *Spec) checkRedirectType(cur *ent.Link) error {
	if s.RedirectType == nil {
		return nil
	}
	has := func(set, existing *int) bool {
		if set != nil {
			return *set != 0
		}
		return existing != nil
	}
	var curSplash, curOverlay *int
	if cur != nil {
		curSplash, curOverlay = cur.SplashPageID, cur.CtaOverlayID
	}
	switch *s.RedirectType {
	case entlink.RedirectTypeCUSTOM_SPLASH:
		if !has(s.SplashPageID, curSplash) {
			return apperr.InvalidField("splashPageId", "redirect type CUSTOM_SPLASH needs a splash page")
		}
	case entlink.RedirectTypeOVERLAY:
		if !has(s.CTAOverlayID, curOverlay) {
			return apperr.InvalidField("ctaOverlayId", "redirect type OVERLAY needs a CTA overlay")
		}
	}
	return nil
}

// apply writes the spec to a link mutation: the one place a Spec becomes
// column values, for a create and for an update (only an update clears).
func (s *Spec) apply(m *ent.LinkMutation, update bool, alias, passwordHash string) {
	m.SetAlias(alias)
	if s.URL != nil {
		m.SetLongURL(*s.URL)
	}
	ref := func(id *int, set func(int), clear func()) {
		switch {
		case id == nil:
		case *id != 0:
			set(*id)
		case update:
			clear()
		}
	}
	ref(s.DomainID, m.SetDomainID, m.ClearDomainID)
	ref(s.SplashPageID, m.SetSplashPageID, m.ClearSplashPageID)
	ref(s.CTAOverlayID, m.SetCtaOverlayID, m.ClearCtaOverlayID)
	ref(s.CampaignID, m.SetCampaignID, m.ClearCampaignID)
	switch {
	case passwordHash != "":
		m.SetPasswordHash(passwordHash)
	case s.Password != nil && update:
		m.ClearPasswordHash()
	}
	switch {
	case s.ClearExpires && update:
		m.ClearExpiresAt()
	case s.ExpiresAt != nil:
		m.SetExpiresAt(*s.ExpiresAt)
	}
	set(s.RedirectType, m.SetRedirectType)
	set(s.Visibility, m.SetVisibility)
	set(s.Title, m.SetTitle)
	set(s.Description, m.SetDescription)
	set(s.MetaTitle, m.SetMetaTitle)
	set(s.MetaDescription, m.SetMetaDescription)
	set(s.MetaImage, m.SetMetaImage)
	if s.GeoTargets != nil {
		m.SetGeoTargets(s.GeoTargets)
	}
	if s.DeviceTargets != nil {
		m.SetDeviceTargets(s.DeviceTargets)
	}
	if s.LanguageTargets != nil {
		m.SetLanguageTargets(s.LanguageTargets)
	}
	if s.Parameters != nil {
		m.SetParameters(s.Parameters)
	}
	if s.DeepLink != nil {
		m.SetDeepLink(s.DeepLink)
	}
	if s.PixelIDs != nil {
		if update {
			m.ClearPixels()
		}
		m.AddPixelIDs(s.PixelIDs...)
	}
}

func set[T any](v *T, f func(T)) {
	if v != nil {
		f(*v)
	}
}
