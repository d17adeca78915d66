// Package analyticstest builds test fixtures for analytics: a small
// MaxMind-format country database.
package analyticstest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// GeoDB writes a GeoLite2-Country-shaped database mapping each CIDR to an
// ISO country code and returns its path.
func GeoDB(tb testing.TB, networks map[string]string) string {
	tb.Helper()
	return writeGeoDB(tb, networks, func(code string) mmdbtype.Map {
		return mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(code)}}
	})
}

// GeoDBFlat is GeoDB in the @ip-location-db layout: a top-level
// country_code in each record.
func GeoDBFlat(tb testing.TB, networks map[string]string) string {
	tb.Helper()
	return writeGeoDB(tb, networks, func(code string) mmdbtype.Map {
		return mmdbtype.Map{"country_code": mmdbtype.String(code)}
	})
}

func writeGeoDB(tb testing.TB, networks map[string]string, record func(code string) mmdbtype.Map) string {
	tb.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoLite2-Country",
		IncludeReservedNetworks: true, // tests use loopback and documentation ranges
		RecordSize:              24,
	})
	if err != nil {
		tb.Fatal(err)
	}
	for cidr, code := range networks {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			tb.Fatal(err)
		}
		if err := w.Insert(n, record(code)); err != nil {
			tb.Fatal(err)
		}
	}
	path := filepath.Join(tb.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := w.WriteTo(f); err != nil {
		tb.Fatal(err)
	}
	return path
}
