package redirect

import (
	"net/url"
	"strings"
)

// Platform is the visitor's device as device targets and deep links see it.
type Platform uint8

// Platforms told apart by the user agent.
const (
	PlatformOther Platform = iota
	PlatformIPhone
	PlatformIPad
	PlatformIPod
	PlatformAndroid
	PlatformAndroidTablet
	PlatformWindowsPhone
	PlatformWindows
	PlatformMac
	PlatformLinux
	PlatformChromeOS
	PlatformBlackBerry
)

// DetectPlatform reads the platform from a User-Agent header with a few
// substring checks (cheap enough for the hot path; full parsing waits for
// the batch writer). Order matters: Windows Phone UAs also say Android,
// and iPad UAs say "like Mac OS X".
func DetectPlatform(ua string) Platform {
	switch {
	case strings.Contains(ua, "Windows Phone"):
		return PlatformWindowsPhone
	case strings.Contains(ua, "iPad"):
		return PlatformIPad
	case strings.Contains(ua, "iPhone"):
		return PlatformIPhone
	case strings.Contains(ua, "iPod"):
		return PlatformIPod
	case strings.Contains(ua, "Android"):
		if strings.Contains(ua, "Mobile") {
			return PlatformAndroid
		}
		return PlatformAndroidTablet
	case strings.Contains(ua, "BlackBerry"), strings.Contains(ua, "BB10"):
		return PlatformBlackBerry
	case strings.Contains(ua, "Windows"):
		return PlatformWindows
	case strings.Contains(ua, "CrOS"):
		return PlatformChromeOS
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return PlatformMac
	case strings.Contains(ua, "Linux"), strings.Contains(ua, "X11"):
		return PlatformLinux
	}
	return PlatformOther
}

// platformNames are the device names (lower case) each platform answers to
// in a device target: the legacy docs' names (iPhone, iPad, Android,
// Windows, Mac, Linux...) and the obvious groupings (iOS, Mobile, Tablet,
// Desktop).
var platformNames = map[Platform][]string{
	PlatformIPhone:        {"iphone", "ios", "mobile", "apple"},
	PlatformIPad:          {"ipad", "ios", "tablet", "apple"},
	PlatformIPod:          {"ipod", "ios", "mobile", "apple"},
	PlatformAndroid:       {"android", "mobile"},
	PlatformAndroidTablet: {"android", "android tablet", "tablet"},
	PlatformWindowsPhone:  {"windows phone", "windowsphone", "windows mobile", "mobile"},
	PlatformWindows:       {"windows", "desktop", "pc"},
	PlatformMac:           {"mac", "macos", "mac os", "mac os x", "macintosh", "osx", "desktop", "apple"},
	PlatformLinux:         {"linux", "desktop"},
	PlatformChromeOS:      {"chrome os", "chromeos", "chromebook", "desktop"},
	PlatformBlackBerry:    {"blackberry", "mobile"},
}

// Is reports whether the platform answers to a device target's name
// (lower case, trimmed).
func (p Platform) Is(name string) bool {
	for _, n := range platformNames[p] {
		if n == name {
			return true
		}
	}
	return false
}

func (p Platform) iOS() bool {
	return p == PlatformIPhone || p == PlatformIPad || p == PlatformIPod
}

func (p Platform) android() bool {
	return p == PlatformAndroid || p == PlatformAndroidTablet
}

// languageMatches reports whether a visitor's language tag (lower case)
// satisfies a target's language: the same tag, or the target names the
// primary language ("fr" takes "fr-ca").
func languageMatches(tag, target string) bool {
	if tag == target {
		return true
	}
	primary, _, _ := strings.Cut(tag, "-")
	return primary == target
}

// appLink is a well-known host whose app can open its web URLs.
type appLink struct {
	hosts   []string
	scheme  string // iOS URL scheme
	android string // Android package
}

var appLinks = []appLink{
	{[]string{"youtube.com", "m.youtube.com", "youtu.be"}, "youtube", "com.google.android.youtube"},
	{[]string{"instagram.com"}, "instagram", "com.instagram.android"},
	{[]string{"twitter.com", "x.com", "mobile.twitter.com"}, "twitter", "com.twitter.android"},
	{[]string{"facebook.com", "m.facebook.com", "fb.com"}, "fb", "com.facebook.katana"},
	{[]string{"open.spotify.com"}, "spotify", "com.spotify.music"},
	{[]string{"linkedin.com"}, "linkedin", "com.linkedin.android"},
	{[]string{"reddit.com"}, "reddit", "com.reddit.frontpage"},
	{[]string{"pinterest.com"}, "pinterest", "com.pinterest"},
	{[]string{"tiktok.com"}, "snssdk1233", "com.zhiliaoapp.musically"},
	{[]string{"amazon.com"}, "com.amazon.mobile.shopping.web", "com.amazon.mShop.android.shopping"},
}

// autoAppLinks derives app links for a long URL on a well-known host
// (deepLink.auto): an iOS URL-scheme link and an Android intent link that
// falls back to the long URL when the app is not installed. Unknown hosts
// give "", and the visitor gets the long URL.
func autoAppLinks(long string) (ios, android string) {
	u, err := url.Parse(long)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	for _, a := range appLinks {
		for _, h := range a.hosts {
			if host != h {
				continue
			}
			rest := u.Host + u.EscapedPath()
			if u.RawQuery != "" {
				rest += "?" + u.RawQuery
			}
			ios = a.scheme + "://" + rest
			android = "intent://" + rest + "#Intent;scheme=" + u.Scheme + ";package=" + a.android +
				";S.browser_fallback_url=" + url.QueryEscape(long) + ";end"
			return ios, android
		}
	}
	return "", ""
}

// withParams returns target with the link's parameters and the visitor's
// query merged in. The target's own query keeps its order; a link parameter
// replaces a same-named one of the target; the visitor's parameters (as
// forwarded from the short URL, e.g. utm_*) are added only where neither
// names them, so the link owner's values win.
func withParams(target string, params []param, visitorQuery string) string {
	if len(params) == 0 && visitorQuery == "" {
		return target
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return target
	}
	override := map[string]bool{}
	for _, p := range params {
		override[p.name] = true
	}
	have := map[string]bool{}
	var parts []string
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		key := queryKey(part)
		if override[key] {
			continue
		}
		have[key] = true
		parts = append(parts, part)
	}
	for _, p := range params {
		have[p.name] = true
		parts = append(parts, url.QueryEscape(p.name)+"="+url.QueryEscape(p.value))
	}
	for _, part := range strings.Split(visitorQuery, "&") {
		key := queryKey(part)
		if part == "" || key == "" || have[key] {
			continue
		}
		parts = append(parts, part)
	}
	u.RawQuery = strings.Join(parts, "&")
	u.ForceQuery = false
	return u.String()
}

// queryKey is the unescaped name of one "name=value" part of a query.
func queryKey(part string) string {
	k, _, _ := strings.Cut(part, "=")
	key, err := url.QueryUnescape(k)
	if err != nil {
		return ""
	}
	return key
}
