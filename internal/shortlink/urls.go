package shortlink

import (
	"strconv"
	"strings"
)

// The public URLs of the server's objects. base is the server's base URL
// without a trailing slash (graph.Resolver.BaseURL, redirect.Config.BaseURL).

// ShortURL is the short URL of a link: on its branded domain when origin
// (the domain as registered, https://go.example.com) is set, else on base.
func ShortURL(base, origin, alias string) string {
	if origin != "" {
		return strings.TrimRight(origin, "/") + "/" + alias
	}
	return base + "/" + alias
}

// BioURL is the URL of a bio page: bio pages live on the base host.
func BioURL(base, alias string) string { return base + "/" + alias }

// QRURL is the page of a QR code, {base}/qr/{alias}, which serves its
// image; QRURL(base, "") is the prefix of every QR route.
func QRURL(base, alias string) string { return base + "/qr/" + alias }

// QRScanURL is what a LINK QR code encodes, {base}/qr/{alias}/scan: stable
// for the code's life, so the printed image keeps working when the target
// changes.
func QRScanURL(base, alias string) string { return QRURL(base, alias) + "/scan" }

// RotatorURL is the URL of a campaign rotator, {base}/r/{slug}.
func RotatorURL(base, slug string) string { return base + "/r/" + slug }

// ListSlug is the slug part of a campaign list page's URL: the campaign's
// slug, or "list" for a campaign without one (as in the legacy API).
func ListSlug(slug *string) string {
	if slug != nil && *slug != "" {
		return *slug
	}
	return "list"
}

// ListURL is the list page of a public campaign,
// {base}/u/{username}/{slug}-{id}, with ListSlug(slug).
func ListURL(base, username string, slug *string, id int) string {
	return base + "/u/" + username + "/" + ListSlug(slug) + "-" + strconv.Itoa(id)
}
