package qr

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"shortener/internal/apperr"
)

func TestValidateRefusesBadData(t *testing.T) {
	long := strings.Repeat("x", 600)
	cases := []struct {
		name, typ string
		data      any
		field     string
		msg       string // a part of the message
	}{
		{"unknown type", "fax", "123", "type", "type must be one of"},
		{"text that is an object", "text", map[string]any{"a": 1}, "data", "is a string"},
		{"empty text", "text", "  ", "data", "required"},
		{"text too long for a code", "text", strings.Repeat("é", 800), "data", "too long"},
		{"link that is not a string", "link", map[string]any{"url": "https://x.y"}, "data", "URL string"},
		{"link with a javascript scheme", "link", "javascript:alert(1)", "data", "http or https"},
		{"phone with letters", "phone", "call me", "data", "phone number"},
		{"phone too short", "phone", "12", "data", "3 to 20 digits"},
		{"phone that is a number", "phone", 5551234.0, "data", "phone number string"},
		{"email as a string", "email", "a@b.c", "data", "must be an object"},
		{"email without address", "email", map[string]any{"subject": "hi"}, "data", "data.email is required"},
		{"email with a bad address", "email", map[string]any{"email": "not an address"}, "data", "email address"},
		{"email with an unknown field", "email", map[string]any{"email": "a@b.co", "cc": "x"}, "data", `unknown field "cc"`},
		{"email subject of the wrong type", "email", map[string]any{"email": "a@b.co", "subject": 3.0}, "data", "data.subject must be a string"},
		{"sms without number", "sms", map[string]any{"message": "hi"}, "data", "data.phone is required"},
		{"sms with a long message", "sms", map[string]any{"phone": "+15550100", "message": long}, "data", "longer than"},
		{"wifi without ssid", "wifi", map[string]any{"password": "x"}, "data", "data.ssid is required"},
		{"wifi with an unknown encryption", "wifi", map[string]any{"ssid": "n", "password": "p", "encryption": "WPA9"}, "data", "WPA, WEP or nopass"},
		{"wifi nopass with a password", "wifi", map[string]any{"ssid": "n", "password": "p", "encryption": "nopass"}, "data", "must be empty"},
		{"wifi WEP without password", "wifi", map[string]any{"ssid": "n", "encryption": "WEP"}, "data", "password is required"},
		{"wifi hidden as a string", "wifi", map[string]any{"ssid": "n", "hidden": "yes"}, "data", "data.hidden must be a boolean"},
		{"vcard without a name", "vcard", map[string]any{"phone": "+15550100"}, "data", "firstName, lastName or organization"},
		{"vcard with a bad url", "vcard", map[string]any{"firstName": "A", "url": "ftp://x"}, "data", "data.url"},
		{"vcard with a bad email", "vcard", map[string]any{"firstName": "A", "email": "x"}, "data", "data.email"},
		{"vcard address as a string", "vcard", map[string]any{"firstName": "A", "address": "1 Main St"}, "data", "data.address must be an object"},
		{"vcard address unknown field", "vcard", map[string]any{"firstName": "A", "address": map[string]any{"zip": "1"}}, "data", `unknown field "zip"`},
		{"vcard as a list", "vcard", []any{"A"}, "data", "must be an object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Validate(tc.typ, tc.data)
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want an apperr", err)
			}
			if ae.Code != apperr.Invalid || ae.Field != tc.field || !strings.Contains(ae.Message, tc.msg) {
				t.Fatalf("got %s on %q: %q; want Invalid on %q containing %q", ae.Code, ae.Field, ae.Message, tc.field, tc.msg)
			}
		})
	}
}

// The stored form holds only known fields, normalised, and survives the
// JSON column's round trip into the same payload.
func TestValidateStoredFormRoundTrips(t *testing.T) {
	got, err := Validate("wifi", map[string]any{"ssid": "Home", "password": "pw", "encryption": "wpa2"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"ssid": "Home", "password": "pw", "encryption": "WPA"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stored %#v, want %#v", got, want)
	}
	for _, tc := range payloadCases {
		stored, err := Validate(tc.typ, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(stored)
		if err != nil {
			t.Fatal(err)
		}
		var back any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		p, err := Payload(tc.typ, back, testScanURL)
		if err != nil || p != tc.want {
			t.Errorf("%s after round trip: %q, %v", tc.typ, p, err)
		}
	}
}

func TestPayloadOfOpenNetworkAndNameOnlyCard(t *testing.T) {
	cases := []struct {
		typ  string
		data any
		want string
	}{
		{"wifi", map[string]any{"ssid": "Open Cafe"}, "WIFI:T:nopass;S:Open Cafe;;"},
		{"wifi", map[string]any{"ssid": "Old", "password": "abc", "encryption": "WEP"}, "WIFI:T:WEP;S:Old;P:abc;;"},
		{"vcard", map[string]any{"organization": "Acme"}, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Acme\r\nORG:Acme\r\nEND:VCARD\r\n"},
		{"email", map[string]any{"email": "a@b.co"}, "mailto:a@b.co"},
		{"email", map[string]any{"email": "a+tag?x@b.co", "subject": "?"}, "mailto:a+tag%3Fx@b.co?subject=%3F"},
		{"sms", map[string]any{"phone": "555-0100"}, "SMSTO:5550100:"},
	}
	for _, tc := range cases {
		stored, err := Validate(tc.typ, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Payload(tc.typ, stored, "")
		if err != nil || got != tc.want {
			t.Errorf("%s %v: %q, %v; want %q", tc.typ, tc.data, got, err, tc.want)
		}
	}
}
