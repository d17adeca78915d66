package rest

import (
	"strconv"
	"strings"

	entlink "shortener/ent/link"
	"shortener/ent/schema/schematype"
	"shortener/internal/apperr"
	"shortener/internal/ptr"
	"shortener/internal/shortlink"
)

// urlRequest is the legacy body of url/add and url/:id/update. Every field
// is optional here; the resolver says what is required.
type urlRequest struct {
	URL             *string            `json:"url"`
	Custom          *string            `json:"custom"`
	Type            *flexString        `json:"type"`
	Password        *string            `json:"password"`
	Domain          *string            `json:"domain"`
	Expiry          *string            `json:"expiry"`
	Status          *string            `json:"status"`
	Title           *string            `json:"title"`
	Description     *string            `json:"description"`
	MetaTitle       *string            `json:"metatitle"`
	MetaDescription *string            `json:"metadescription"`
	MetaImage       *string            `json:"metaimage"`
	Pixels          []flexInt          `json:"pixels"`
	Channel         *flexInt           `json:"channel"`
	Campaign        *flexInt           `json:"campaign"`
	DeepLink        *deepLinkRequest   `json:"deeplink"`
	GeoTarget       []targetRequest    `json:"geotarget"`
	DeviceTarget    []targetRequest    `json:"devicetarget"`
	LanguageTarget  []targetRequest    `json:"languagetarget"`
	Parameters      []parameterRequest `json:"parameters"`
}

type deepLinkRequest struct {
	Auto   *flexBool `json:"auto"`
	Apple  *string   `json:"apple"`
	Google *string   `json:"google"`
}

// targetRequest is one geo, device or language target: the key the list is
// about and the link to send those visitors to.
type targetRequest struct {
	Location string `json:"location"`
	Device   string `json:"device"`
	Language string `json:"language"`
	Link     string `json:"link"`
}

// parameterRequest is one query parameter. The documented url/add example
// sends its second parameter as {"device": "gtm_source", "link": "api"}; that
// spelling is read as name/value so the documented body works verbatim.
type parameterRequest struct {
	Name   flexString `json:"name"`
	Value  flexString `json:"value"`
	Device flexString `json:"device"`
	Link   flexString `json:"link"`
}

// spec translates the legacy words (type, domain, status, expiry, integer
// ids) into the link writer's Spec, the same one GraphQL builds. On update
// an empty domain, password or expiry clears it and campaign 0 takes the
// link out of its campaign; the rules themselves are the writer's.
func spec(req *urlRequest, update bool) (*shortlink.Spec, error) {
	s := &shortlink.Spec{
		URL: req.URL, Alias: req.Custom, DomainURL: req.Domain,
		Title: req.Title, Description: req.Description,
		MetaTitle: req.MetaTitle, MetaDescription: req.MetaDescription, MetaImage: req.MetaImage,
	}
	if s.Alias != nil && *s.Alias == "" {
		s.Alias = nil
	}
	if update && s.URL != nil && *s.URL == "" {
		s.URL = nil // an empty url leaves the link's URL as it is
	}
	if req.Type != nil {
		if err := setType(s, string(*req.Type)); err != nil {
			return nil, err
		}
	}
	if req.Password != nil {
		if *req.Password != "" {
			s.Password = req.Password
		} else if update {
			s.Password = new("")
		}
	}
	if req.Expiry != nil {
		if strings.TrimSpace(*req.Expiry) == "" {
			s.ClearExpires = update
		} else {
			t, err := parseExpiry(*req.Expiry)
			if err != nil {
				return nil, err
			}
			s.ExpiresAt = &t
		}
	}
	if req.Status != nil && *req.Status != "" {
		v := entlink.Visibility(strings.ToUpper(strings.TrimSpace(*req.Status)))
		if entlink.VisibilityValidator(v) != nil {
			return nil, apperr.InvalidField("status", "status must be public or private")
		}
		s.Visibility = &v
	}
	if req.Pixels != nil {
		s.PixelIDs = make([]int, 0, len(req.Pixels))
		for _, p := range req.Pixels {
			s.PixelIDs = append(s.PixelIDs, int(p))
		}
	}
	if req.Channel != nil {
		s.ChannelID = int(*req.Channel)
	}
	if req.Campaign != nil && (*req.Campaign != 0 || update) {
		s.CampaignID = new(int(*req.Campaign))
	}
	if d := req.DeepLink; d != nil {
		s.DeepLink = &schematype.DeepLink{Apple: ptr.Value(d.Apple), Google: ptr.Value(d.Google)}
		if d.Auto != nil {
			s.DeepLink.Auto = bool(*d.Auto)
		}
	}
	setTargets(s, req)
	return s, nil
}

// setType reads the legacy redirect type: direct, frame, splash, the id of a
// custom splash page, or overlay-ID for a CTA overlay.
func setType(s *shortlink.Spec, typ string) error {
	typ = strings.ToLower(strings.TrimSpace(typ))
	set := func(t entlink.RedirectType) { s.RedirectType = &t }
	switch {
	case typ == "":
	case typ == "direct":
		set(entlink.RedirectTypeDIRECT)
	case typ == "frame":
		set(entlink.RedirectTypeFRAME)
	case typ == "splash":
		set(entlink.RedirectTypeSPLASH)
	case strings.HasPrefix(typ, "overlay-"):
		n, err := strconv.Atoi(strings.TrimPrefix(typ, "overlay-"))
		if err != nil {
			return apperr.InvalidField("type", "type overlay-ID needs a numeric overlay id")
		}
		set(entlink.RedirectTypeOVERLAY)
		s.CTAOverlayID = &n
	default:
		n, err := strconv.Atoi(typ)
		if err != nil {
			return apperr.InvalidField("type", "type must be direct, frame, splash, a splash page id or overlay-ID")
		}
		set(entlink.RedirectTypeCUSTOM_SPLASH)
		s.SplashPageID = &n
	}
	return nil
}

// setTargets converts the targeting lists; a list that is present (even
// empty) replaces the link's list on update.
func setTargets(s *shortlink.Spec, req *urlRequest) {
	if req.GeoTarget != nil {
		s.GeoTargets = []schematype.GeoTarget{}
		for _, t := range req.GeoTarget {
			s.GeoTargets = append(s.GeoTargets, schematype.GeoTarget{Country: t.Location, URL: t.Link})
		}
	}
	if req.DeviceTarget != nil {
		s.DeviceTargets = []schematype.DeviceTarget{}
		for _, t := range req.DeviceTarget {
			s.DeviceTargets = append(s.DeviceTargets, schematype.DeviceTarget{Device: t.Device, URL: t.Link})
		}
	}
	if req.LanguageTarget != nil {
		s.LanguageTargets = []schematype.LanguageTarget{}
		for _, t := range req.LanguageTarget {
			s.LanguageTargets = append(s.LanguageTargets, schematype.LanguageTarget{Language: t.Language, URL: t.Link})
		}
	}
	if req.Parameters != nil {
		s.Parameters = []schematype.Parameter{}
		for _, p := range req.Parameters {
			name, value := string(p.Name), string(p.Value)
			if name == "" && value == "" {
				name, value = string(p.Device), string(p.Link)
			}
			if name == "" && value == "" {
				continue // an entry with neither spelling says nothing
			}
			s.Parameters = append(s.Parameters, schematype.Parameter{Name: name, Value: value})
		}
	}
}
