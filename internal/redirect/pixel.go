package redirect

import (
	"net/url"
	"regexp"
	"strings"
)

// pixelTag is the shape of a tag for each pixel type. A tag that doesn't
// fit its type is not rendered: it ends up in script URLs and inline
// scripts, so html/template's escaping is the second line, not the first.
var pixelTag = map[string]*regexp.Regexp{
	"GTMPIXEL":      regexp.MustCompile(`^GTM-[A-Z0-9]{4,12}$`),
	"GAPIXEL":       regexp.MustCompile(`^(G|UA|GT)-[A-Z0-9-]{4,20}$`),
	"ADWORDSPIXEL":  regexp.MustCompile(`^AW-[0-9]{5,15}$`),
	"FBPIXEL":       regexp.MustCompile(`^[0-9]{5,20}$`),
	"LINKEDINPIXEL": regexp.MustCompile(`^[0-9]{3,15}$`),
	"TWITTERPIXEL":  regexp.MustCompile(`^[a-z0-9]{4,12}$`),
	"ADROLLPIXEL":   regexp.MustCompile(`^[A-Z0-9]{10,32}:[A-Z0-9]{10,32}$`),
	"QUORAPIXEL":    regexp.MustCompile(`^[a-f0-9]{32}$`),
	"PINTEREST":     regexp.MustCompile(`^[0-9]{5,20}$`),
	"BING":          regexp.MustCompile(`^[0-9]{4,15}$`),
	"SNAPCHAT":      regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`),
	"REDDIT":        regexp.MustCompile(`^(t2_|a2_)?[a-z0-9]{4,20}$`),
	"TIKTOK":        regexp.MustCompile(`^[A-Z0-9]{10,30}$`),
}

// ValidPixelTag reports whether tag is well-formed for a pixel type.
func ValidPixelTag(typ, tag string) bool {
	re := pixelTag[typ]
	return re != nil && re.MatchString(tag)
}

// pixelView is how a page fires one pixel: a loader script, an inline
// initialisation (by kind; the tag goes in as a template value), and an
// image or iframe beacon that works without JavaScript.
type pixelView struct {
	Type, ID, ID2 string
	Script        string
	Init          string // "gtag", "gtm", "fbq", "adroll", "ttq", or ""
	Img, Frame    string
	Nonce         string // the page's script nonce
}

func pixelViews(ps []Pixel) []pixelView {
	var out []pixelView
	for _, p := range ps {
		if !ValidPixelTag(p.Type, p.Tag) {
			continue
		}
		id := url.QueryEscape(p.Tag)
		v := pixelView{Type: p.Type, ID: p.Tag}
		switch p.Type {
		case "GTMPIXEL":
			v.Script, v.Init = "https://www.googletagmanager.com/gtm.js?id="+id, "gtm"
			v.Frame = "https://www.googletagmanager.com/ns.html?id=" + id
		case "GAPIXEL", "ADWORDSPIXEL":
			v.Script, v.Init = "https://www.googletagmanager.com/gtag/js?id="+id, "gtag"
		case "FBPIXEL":
			v.Script, v.Init = "https://connect.facebook.net/en_US/fbevents.js", "fbq"
			v.Img = "https://www.facebook.com/tr?id=" + id + "&ev=PageView&noscript=1"
		case "LINKEDINPIXEL":
			v.Img = "https://px.ads.linkedin.com/collect/?pid=" + id + "&fmt=gif"
		case "TWITTERPIXEL":
			v.Img = "https://analytics.twitter.com/i/adsct?txn_id=" + id + "&p_id=Twitter"
		case "ADROLLPIXEL":
			v.ID, v.ID2, _ = strings.Cut(p.Tag, ":")
			v.Script, v.Init = "https://s.adroll.com/j/roundtrip.js", "adroll"
		case "QUORAPIXEL":
			v.Img = "https://q.quora.com/_/ad/" + id + "/pixel?tag=ViewContent&noscript=1"
		case "PINTEREST":
			v.Img = "https://ct.pinterest.com/v3/?event=init&tid=" + id + "&noscript=1"
		case "BING":
			v.Img = "https://bat.bing.com/action/0?ti=" + id + "&Ver=2"
		case "SNAPCHAT":
			v.Img = "https://tr.snapchat.com/p?pid=" + id + "&ev=PAGE_VIEW"
		case "REDDIT":
			v.Img = "https://alb.reddit.com/rp.gif?id=" + id + "&event=PageVisit"
		case "TIKTOK":
			v.Script, v.Init = "https://analytics.tiktok.com/i18n/pixel/events.js?sdkid="+id+"&lib=ttq", "ttq"
		}
		out = append(out, v)
	}
	return out
}
