package analytics

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

var (
	countryByKey  = map[string]string{} // lower-case code, name or alias -> code
	countryByCode = map[string]string{} // code -> display name
)

func init() {
	for _, c := range countries {
		countryByCode[c.code] = c.name
		countryByKey[strings.ToLower(c.code)] = c.code
		countryByKey[strings.ToLower(c.name)] = c.code
		for _, a := range c.aliases {
			countryByKey[strings.ToLower(a)] = c.code
		}
	}
}

// CountryCode returns the ISO 3166-1 alpha-2 code of a country given by code
// ("CA", "ca"), name ("Canada", "canada") or a usual alias ("USA", "UK"), or
// "" when it is not a country this server knows.
func CountryCode(s string) string {
	return countryByKey[strings.ToLower(strings.TrimSpace(s))]
}

// CountryName returns the English name of an ISO code, "Unknown" for "" and
// the code itself for a code it does not know.
func CountryName(code string) string {
	if code == "" {
		return "Unknown"
	}
	if n, ok := countryByCode[strings.ToUpper(code)]; ok {
		return n
	}
	return code
}

// GeoIP finds the country of an IP address in a MaxMind-format database:
// records with country.iso_code (GeoLite2-Country, GeoIP2-City, DB-IP's
// country lite) or with a top-level country_code (the @ip-location-db
// databases).
type GeoIP struct{ db *maxminddb.Reader }

// OpenGeoIP opens a MaxMind-format database file.
func OpenGeoIP(path string) (*GeoIP, error) {
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open geoip database %s: %w", path, err)
	}
	return &GeoIP{db: db}, nil
}

// Country returns the ISO code of ip's country, or "" when it is unknown,
// not an IP, or g is nil.
func (g *GeoIP) Country(ip string) string {
	if g == nil || ip == "" {
		return ""
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	var rec struct {
		Country struct {
			ISOCode string `maxminddb:"iso_code"`
		} `maxminddb:"country"`
		CountryCode string `maxminddb:"country_code"`
	}
	if err := g.db.Lookup(addr.Unmap()).Decode(&rec); err != nil {
		return ""
	}
	code := rec.Country.ISOCode
	if code == "" {
		code = rec.CountryCode
	}
	return strings.ToUpper(code)
}

// probeAddrs are public resolvers' addresses every country database places.
var probeAddrs = []string{"8.8.8.8", "1.1.1.1", "9.9.9.9", "208.67.222.222", "2001:4860:4860::8888"}

// Answers reports whether the database gives a country for at least one
// well-known public address: a database of another layout opens fine and
// then finds no country for anyone, which the server warns about at start.
func (g *GeoIP) Answers() bool {
	for _, ip := range probeAddrs {
		if g.Country(ip) != "" {
			return true
		}
	}
	return false
}

// Close releases the database.
func (g *GeoIP) Close() error {
	if g == nil {
		return nil
	}
	return g.db.Close()
}
