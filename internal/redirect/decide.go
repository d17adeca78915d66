package redirect

import (
	"time"

	entlink "shortener/ent/link"
)

// Visitor is what Decide knows about a request. The handler fills only the
// facts the snapshot's rules need (see Snapshot.needs).
type Visitor struct {
	Bot       bool     // a link-preview bot
	Platform  Platform // device, for device targets and deep links
	Country   string   // ISO code, for geo targets
	Languages []string // Accept-Language tags, most preferred first
	Unlocked  bool     // the visitor has given the link's password
	Query     string   // the request's raw query, forwarded to the target
}

// OutcomeKind is what the visitor gets.
type OutcomeKind uint8

// Outcomes of Decide.
const (
	OutcomeNotFound     OutcomeKind = iota // 404 page
	OutcomeRedirect                        // 30x to URL
	OutcomePassword                        // 200 password form
	OutcomeExpired                         // 410 page
	OutcomePreview                         // OpenGraph page for a link-preview bot
	OutcomeSplash                          // default splash page, then URL
	OutcomeCustomSplash                    // the link's splash page, then URL
	OutcomeFrame                           // URL in an iframe
	OutcomeOverlay                         // URL in an iframe under the CTA overlay
	OutcomePixels                          // page firing the link's pixels, then URL
	OutcomeBio                             // bio page
)

var outcomeNames = [...]string{"not found", "redirect", "password", "expired", "preview", "splash",
	"custom splash", "frame", "overlay", "pixels", "bio"}

func (k OutcomeKind) String() string {
	if int(k) < len(outcomeNames) {
		return outcomeNames[k]
	}
	return "unknown"
}

// Outcome is Decide's answer.
type Outcome struct {
	Kind OutcomeKind
	URL  string // where the visitor goes (redirects and pages that continue)
	// Record says whether the visit counts: a click for people, a bot row
	// for preview bots; nothing for 404, 410 or a locked password form.
	Record bool
}

// Decide chooses the answer to a visit of s at now. It is pure: everything
// it looks at is in its arguments. The order follows the link's life:
// missing, expired, preview bots, password, then the target (deep link,
// device, geo, language, else the long URL) and the redirect type.
func Decide(s *Snapshot, v Visitor, now time.Time) Outcome {
	switch s.Kind {
	case KindMissing:
		if s.Domain != nil && s.Domain.Redirect404 != "" {
			return Outcome{Kind: OutcomeRedirect, URL: s.Domain.Redirect404}
		}
		return Outcome{Kind: OutcomeNotFound}
	case KindBio:
		return Outcome{Kind: OutcomeBio}
	}
	if s.expired(now) {
		return Outcome{Kind: OutcomeExpired}
	}
	if v.Bot {
		return Outcome{Kind: OutcomePreview, Record: true}
	}
	if s.PasswordHash != "" && !v.Unlocked {
		return Outcome{Kind: OutcomePassword}
	}
	if app := s.appLink(v.Platform); app != "" {
		// An app link is for the operating system, not for a page.
		return Outcome{Kind: OutcomeRedirect, URL: app, Record: true}
	}
	out := Outcome{Kind: OutcomeRedirect, URL: s.target(v), Record: true}
	switch {
	case s.Type == entlink.RedirectTypeSPLASH:
		out.Kind = OutcomeSplash
	case s.Type == entlink.RedirectTypeCUSTOM_SPLASH && s.Splash != nil:
		out.Kind = OutcomeCustomSplash
	case s.Type == entlink.RedirectTypeFRAME:
		out.Kind = OutcomeFrame
	case s.Type == entlink.RedirectTypeOVERLAY && s.Overlay != nil:
		out.Kind = OutcomeOverlay
	case len(s.Pixels) > 0:
		out.Kind = OutcomePixels
	}
	return out
}

// appLink is the deep link for the visitor's platform, or "".
func (s *Snapshot) appLink(p Platform) string {
	switch {
	case p.iOS():
		return s.Apple
	case p.android():
		return s.Google
	}
	return ""
}

// target is the first matching rule's URL (device, then country, then the
// visitor's languages in order of preference), else the long URL; with the
// link's parameters and the visitor's query merged in.
func (s *Snapshot) target(v Visitor) string {
	for _, r := range s.Devices {
		if v.Platform.Is(r.key) {
			return withParams(r.url, s.Params, v.Query)
		}
	}
	if v.Country != "" {
		for _, r := range s.Countries {
			if r.key == v.Country {
				return withParams(r.url, s.Params, v.Query)
			}
		}
	}
	for _, tag := range v.Languages {
		for _, r := range s.Languages {
			if languageMatches(tag, r.key) {
				return withParams(r.url, s.Params, v.Query)
			}
		}
	}
	if v.Query == "" {
		return s.Direct()
	}
	return withParams(s.LongURL, s.Params, v.Query)
}
