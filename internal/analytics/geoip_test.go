package analytics_test

import (
	"testing"

	"shortener/internal/analytics"
	"shortener/internal/analytics/analyticstest"
)

func TestGeoIPCountry(t *testing.T) {
	g, err := analytics.OpenGeoIP(analyticstest.GeoDB(t, map[string]string{
		"81.2.69.0/24": "GB", "2001:db8::/32": "se", "192.0.2.0/24": "",
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for ip, want := range map[string]string{
		"81.2.69.160": "GB", "2001:db8::1": "SE", "::ffff:81.2.69.1": "GB", "192.0.2.1": "", "198.51.100.1": "", "not an ip": "", "": "",
	} {
		if got := g.Country(ip); got != want {
			t.Errorf("Country(%q) = %q, want %q", ip, got, want)
		}
	}
	var none *analytics.GeoIP
	if none.Country("81.2.69.160") != "" {
		t.Error("a nil GeoIP knows a country")
	}
	if _, err := analytics.OpenGeoIP(t.TempDir() + "/missing.mmdb"); err == nil {
		t.Error("opening a missing database did not fail")
	}
}

// Databases in the @ip-location-db layout (a top-level country_code) give
// countries too; Answers tells a database that places well-known public
// addresses from one that finds no country for anyone.
func TestGeoIPLayoutsAndProbe(t *testing.T) {
	flat, err := analytics.OpenGeoIP(analyticstest.GeoDBFlat(t, map[string]string{"81.2.69.0/24": "gb", "8.8.8.0/24": "US"}))
	if err != nil {
		t.Fatal(err)
	}
	defer flat.Close()
	if got := flat.Country("81.2.69.160"); got != "GB" {
		t.Errorf("country_code layout: %q, want GB", got)
	}
	if !flat.Answers() {
		t.Error("a database placing 8.8.8.8 does not answer")
	}
	empty, err := analytics.OpenGeoIP(analyticstest.GeoDB(t, map[string]string{"192.0.2.0/24": "SE"}))
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if empty.Answers() {
		t.Error("a database without public addresses answers")
	}
}
