package rest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	entlink "shortener/ent/link"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/gid"
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

// linkFields is a urlRequest translated into GraphQL terms, shared by the
// create and the update input.
type linkFields struct {
	redirectType                 *entlink.RedirectType
	splashPageID, ctaOverlayID   *string
	domainID                     *string
	clearDomain                  bool
	password                     *string
	clearPassword                bool
	expires                      *time.Time
	clearExpires                 bool
	visibility                   *entlink.Visibility
	title, description           *string
	metaTitle, metaDesc, metaImg *string
	pixelIDs                     []string
	channelID, campaignID        *string
	clearCampaign                bool
	deepLink                     *model.DeepLinkInput
	geo                          []*model.GeoTargetInput
	device                       []*model.DeviceTargetInput
	language                     []*model.LanguageTargetInput
	params                       []*model.ParameterInput
}

// linkFields translates the legacy words: type, domain, status, expiry, ids.
// On update an empty domain, password or expiry clears it and campaign 0
// takes the link out of its campaign.
func (h *Handler) linkFields(r *http.Request, req *urlRequest, update bool) (*linkFields, error) {
	f := &linkFields{
		title: req.Title, description: req.Description,
		metaTitle: req.MetaTitle, metaDesc: req.MetaDescription, metaImg: req.MetaImage,
	}
	if req.Type != nil {
		if err := f.setType(string(*req.Type)); err != nil {
			return nil, err
		}
	}
	if req.Domain != nil && strings.TrimSpace(*req.Domain) != "" {
		id, base, err := h.Resolver.DomainByURL(r.Context(), *req.Domain)
		if err != nil {
			return nil, err
		}
		if base {
			f.clearDomain = update
		} else {
			f.domainID = strp(gid.Encode("Domain", id))
		}
	}
	if req.Password != nil {
		if *req.Password != "" {
			f.password = req.Password
		} else {
			f.clearPassword = update
		}
	}
	if req.Expiry != nil {
		if strings.TrimSpace(*req.Expiry) == "" {
			f.clearExpires = update
		} else {
			t, err := parseExpiry(*req.Expiry)
			if err != nil {
				return nil, err
			}
			f.expires = &t
		}
	}
	if req.Status != nil && *req.Status != "" {
		v := entlink.Visibility(strings.ToUpper(strings.TrimSpace(*req.Status)))
		if entlink.VisibilityValidator(v) != nil {
			return nil, apperr.InvalidField("status", "status must be public or private")
		}
		f.visibility = &v
	}
	if req.Pixels != nil {
		f.pixelIDs = make([]string, 0, len(req.Pixels))
		for _, p := range req.Pixels {
			f.pixelIDs = append(f.pixelIDs, gid.Encode("Pixel", int(p)))
		}
	}
	if req.Channel != nil && *req.Channel != 0 {
		f.channelID = strp(gid.Encode("Channel", int(*req.Channel)))
	}
	if req.Campaign != nil {
		if *req.Campaign != 0 {
			f.campaignID = strp(gid.Encode("Campaign", int(*req.Campaign)))
		} else {
			f.clearCampaign = update
		}
	}
	if d := req.DeepLink; d != nil {
		f.deepLink = &model.DeepLinkInput{Apple: d.Apple, Google: d.Google}
		if d.Auto != nil {
			f.deepLink.Auto = new(bool(*d.Auto))
		}
	}
	f.setTargets(req)
	return f, nil
}

// setType reads the legacy redirect type: direct, frame, splash, the id of a
// custom splash page, or overlay-ID for a CTA overlay.
func (f *linkFields) setType(s string) error {
	s = strings.ToLower(strings.TrimSpace(s))
	set := func(t entlink.RedirectType) { f.redirectType = &t }
	switch {
	case s == "":
	case s == "direct":
		set(entlink.RedirectTypeDIRECT)
	case s == "frame":
		set(entlink.RedirectTypeFRAME)
	case s == "splash":
		set(entlink.RedirectTypeSPLASH)
	case strings.HasPrefix(s, "overlay-"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "overlay-"))
		if err != nil {
			return apperr.InvalidField("type", "type overlay-ID needs a numeric overlay id")
		}
		set(entlink.RedirectTypeOVERLAY)
		f.ctaOverlayID = strp(gid.Encode("CTAOverlay", n))
	default:
		n, err := strconv.Atoi(s)
		if err != nil {
			return apperr.InvalidField("type", "type must be direct, frame, splash, a splash page id or overlay-ID")
		}
		set(entlink.RedirectTypeCUSTOM_SPLASH)
		f.splashPageID = strp(gid.Encode("SplashPage", n))
	}
	return nil
}

// setTargets converts the targeting lists; a list that is present (even
// empty) replaces the link's list on update.
func (f *linkFields) setTargets(req *urlRequest) {
	if req.GeoTarget != nil {
		f.geo = []*model.GeoTargetInput{}
		for _, t := range req.GeoTarget {
			f.geo = append(f.geo, &model.GeoTargetInput{Country: t.Location, URL: t.Link})
		}
	}
	if req.DeviceTarget != nil {
		f.device = []*model.DeviceTargetInput{}
		for _, t := range req.DeviceTarget {
			f.device = append(f.device, &model.DeviceTargetInput{Device: t.Device, URL: t.Link})
		}
	}
	if req.LanguageTarget != nil {
		f.language = []*model.LanguageTargetInput{}
		for _, t := range req.LanguageTarget {
			f.language = append(f.language, &model.LanguageTargetInput{Language: t.Language, URL: t.Link})
		}
	}
	if req.Parameters != nil {
		f.params = []*model.ParameterInput{}
		for _, p := range req.Parameters {
			name, value := string(p.Name), string(p.Value)
			if name == "" && value == "" {
				name, value = string(p.Device), string(p.Link)
			}
			if name == "" && value == "" {
				continue // an entry with neither spelling says nothing
			}
			f.params = append(f.params, &model.ParameterInput{Name: name, Value: value})
		}
	}
}

func (f *linkFields) createInput(url string, custom *string) model.CreateLinkInput {
	if custom != nil && *custom == "" {
		custom = nil
	}
	return model.CreateLinkInput{
		URL: url, Custom: custom, DomainID: f.domainID, RedirectType: f.redirectType,
		SplashPageID: f.splashPageID, CtaOverlayID: f.ctaOverlayID, Password: f.password,
		ExpiresAt: f.expires, Visibility: f.visibility, Title: f.title, Description: f.description,
		MetaTitle: f.metaTitle, MetaDescription: f.metaDesc, MetaImageURL: f.metaImg,
		GeoTargets: f.geo, DeviceTargets: f.device, LanguageTargets: f.language, Parameters: f.params,
		DeepLink: f.deepLink, PixelIds: f.pixelIDs, ChannelID: f.channelID, CampaignID: f.campaignID,
	}
}

func (f *linkFields) updateInput(url, custom *string) model.UpdateLinkInput {
	if url != nil && *url == "" {
		url = nil
	}
	if custom != nil && *custom == "" {
		custom = nil
	}
	flag := func(b bool) *bool {
		if !b {
			return nil
		}
		return &b
	}
	return model.UpdateLinkInput{
		URL: url, Custom: custom, DomainID: f.domainID, ClearDomain: flag(f.clearDomain),
		RedirectType: f.redirectType, SplashPageID: f.splashPageID, CtaOverlayID: f.ctaOverlayID,
		Password: f.password, ClearPassword: flag(f.clearPassword),
		ExpiresAt: f.expires, ClearExpiresAt: flag(f.clearExpires), Visibility: f.visibility,
		Title: f.title, Description: f.description, MetaTitle: f.metaTitle, MetaDescription: f.metaDesc,
		MetaImageURL: f.metaImg, GeoTargets: f.geo, DeviceTargets: f.device, LanguageTargets: f.language,
		Parameters: f.params, DeepLink: f.deepLink, PixelIds: f.pixelIDs, ChannelID: f.channelID,
		CampaignID: f.campaignID, ClearCampaign: flag(f.clearCampaign),
	}
}
