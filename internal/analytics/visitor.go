package analytics

import (
	"hash/maphash"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/mssola/useragent"
)

// Agent is what a user agent says about the visitor, in the words the
// statistics show: Browser "Chrome", OS "Windows 10", Device "Desktop",
// "Mobile", "Tablet" or "Bot".
type Agent struct {
	Browser, OS, Device string
}

// ParseUserAgent reads a User-Agent header. It is not free (a few
// microseconds), so the hot path leaves it to the batch writer.
func ParseUserAgent(ua string) Agent {
	if strings.TrimSpace(ua) == "" {
		return Agent{Browser: "Unknown", OS: "Unknown", Device: "Unknown"}
	}
	p := useragent.New(ua)
	a := Agent{OS: osLabel(p, ua), Device: "Desktop"}
	a.Browser, _ = p.Browser()
	if a.Browser == "" {
		a.Browser = "Unknown"
	}
	switch {
	case p.Bot() || IsPreviewBot(ua):
		a.Device = "Bot"
	case strings.Contains(ua, "iPad") || strings.Contains(ua, "Tablet") ||
		(strings.Contains(ua, "Android") && !strings.Contains(ua, "Mobile")):
		a.Device = "Tablet"
	case p.Mobile() || strings.Contains(ua, "Mobile"):
		a.Device = "Mobile"
	}
	return a
}

// osLabel names the operating system the way the legacy statistics do:
// "Windows 10", "Mac OS X", "iOS", "Android", "Linux", "Chrome OS".
func osLabel(p *useragent.UserAgent, ua string) string {
	full := p.OS()
	switch {
	case strings.Contains(ua, "Windows Phone"):
		return "Windows Phone"
	case strings.HasPrefix(full, "Windows"):
		return full
	case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"), strings.Contains(ua, "iPod"):
		return "iOS"
	case strings.Contains(ua, "Android"):
		return "Android"
	case strings.Contains(ua, "CrOS"):
		return "Chrome OS"
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return "Mac OS X"
	case strings.Contains(ua, "Linux"):
		return "Linux"
	case full != "":
		return full
	}
	return "Unknown"
}

// previewBots are the link-preview fetchers of chat apps and social
// networks: they fetch a link to draw a card, not because a person clicked.
var previewBots = []string{
	"facebookexternalhit", "Facebot", "Twitterbot", "Slackbot", "Slack-ImgProxy",
	"LinkedInBot", "Discordbot", "WhatsApp", "TelegramBot", "SkypeUriPreview",
	"Pinterestbot", "redditbot", "Applebot", "vkShare", "Embedly", "Iframely",
	"MetaInspector", "Google-PageRenderer", "Mastodon", "Bluesky", "XING-contenttabreceiver",
	"Viber", "Snapchat", "W3C_Validator", "Googlebot", "bingbot",
}

// IsPreviewBot reports whether ua is a link-preview bot. It runs on every
// redirect: a small lock-free cache remembers the answer for recent user
// agents (real traffic repeats a few hundred), so most calls cost a hash
// and a string compare instead of a scan for every bot name.
func IsPreviewBot(ua string) bool {
	slot := &botCache[maphash.String(botSeed, ua)%uint64(len(botCache))]
	if e := slot.Load(); e != nil && e.ua == ua {
		return e.bot
	}
	bot := scanPreviewBot(ua)
	if len(ua) <= 512 { // don't keep giant headers alive
		slot.Store(&botEntry{ua: ua, bot: bot})
	}
	return bot
}

type botEntry struct {
	ua  string
	bot bool
}

var (
	botSeed  = maphash.MakeSeed()
	botCache [1024]atomic.Pointer[botEntry]
)

func scanPreviewBot(ua string) bool {
	for _, b := range previewBots {
		if strings.Contains(ua, b) {
			return true
		}
	}
	return false
}

// ReferrerHost returns the lower-case host of a Referer header without a
// leading "www.", or "" for none (direct visits, email clients, apps).
func ReferrerHost(ref string) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// ParseAcceptLanguage returns the language tags of an Accept-Language
// header, lower-case, most preferred first (by q-value, then by order);
// tags with q=0 are left out.
func ParseAcceptLanguage(h string) []string {
	if h == "" {
		return nil
	}
	type tag struct {
		name string
		q    float64
	}
	var tags []tag
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" || name == "*" || len(name) > 35 {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			tags = append(tags, tag{name, q})
		}
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].q > tags[j].q })
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.name
	}
	return out
}

// PrimaryLanguage is the primary subtag of the most preferred language of an
// Accept-Language header ("fr" for "fr-CA,en;q=0.5"), or "".
func PrimaryLanguage(acceptLanguage string) string {
	tags := ParseAcceptLanguage(acceptLanguage)
	if len(tags) == 0 {
		return ""
	}
	p, _, _ := strings.Cut(tags[0], "-")
	return p
}

// socialNetworks maps a referrer's registrable host to the social network it
// belongs to (the socialCount of the legacy statistics).
var socialNetworks = []struct{ name, host string }{
	{"facebook", "facebook.com"}, {"facebook", "fb.com"}, {"facebook", "fb.me"},
	{"twitter", "twitter.com"}, {"twitter", "t.co"}, {"twitter", "x.com"},
	{"instagram", "instagram.com"},
	{"google", "google.com"},
	{"linkedin", "linkedin.com"}, {"linkedin", "lnkd.in"},
	{"pinterest", "pinterest.com"},
	{"reddit", "reddit.com"},
	{"youtube", "youtube.com"}, {"youtube", "youtu.be"},
	{"tiktok", "tiktok.com"},
	{"snapchat", "snapchat.com"},
	{"whatsapp", "whatsapp.com"},
	{"telegram", "t.me"}, {"telegram", "telegram.org"},
	{"vk", "vk.com"},
}

// SocialNetwork names the social network of a referrer host, or "".
func SocialNetwork(host string) string {
	for _, s := range socialNetworks {
		if host == s.host || strings.HasSuffix(host, "."+s.host) {
			return s.name
		}
	}
	return ""
}
