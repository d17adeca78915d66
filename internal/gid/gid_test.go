package gid

import (
	"errors"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, c := range []struct {
		typ string
		id  int
	}{{"Link", 1}, {"User", 42}, {"QRCode", 1 << 40}} {
		s := Encode(c.typ, c.id)
		typ, id, err := Decode(s)
		if err != nil || typ != c.typ || id != c.id {
			t.Errorf("Decode(Encode(%s, %d)) = %s, %d, %v", c.typ, c.id, typ, id, err)
		}
	}
	if got := Encode("Link", 1); got != "TGluazox" {
		t.Errorf("Encode(Link, 1) = %q; ids are part of the API and must not change", got)
	}
}

func TestDecodeRejectsNonIDs(t *testing.T) {
	for _, s := range []string{"", "1", "!!!", Encode("Link", 0)[:3], "TGluazo", "TGluazotMQ" /* Link:-1 */, "Omlk" /* :ix */} {
		if _, _, err := Decode(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%q) err = %v, want ErrInvalid", s, err)
		}
	}
}

func TestDecodeAsChecksTheType(t *testing.T) {
	if _, err := DecodeAs("User", Encode("Link", 3)); err == nil {
		t.Error("a Link id was accepted as a User id")
	}
	if id, err := DecodeAs("Link", Encode("Link", 3)); err != nil || id != 3 {
		t.Errorf("DecodeAs(Link) = %d, %v", id, err)
	}
}

func TestUnmarshalIntIDTakesOnlyOpaqueStrings(t *testing.T) {
	if _, err := UnmarshalIntID(7); err == nil {
		t.Error("a bare int was accepted as an ID")
	}
	if id, err := UnmarshalIntID(Encode("Pixel", 9)); err != nil || id != 9 {
		t.Errorf("UnmarshalIntID = %d, %v", id, err)
	}
}
