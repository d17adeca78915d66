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
