package cursor

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
)

// The cursors the server hands out (entgql's encoding) decode to what they
// hold.
func TestServerCursorsRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 1, 10, 4, 5, 123456789, time.UTC)
	for _, c := range []Cursor{
		{ID: 1},
		{ID: 1 << 40, Value: "my-alias"},
		{ID: 7, Value: strings.Repeat("n", 300)},
		{ID: 3, Value: at},
		{ID: 3, Value: time.Unix(1700000000, 0)},
		{ID: 3, Value: time.Unix(1<<35, 5)},
		{ID: 9, Value: 42},
		{ID: 9, Value: -5000000000},
		{ID: -1, Value: 1.5},
	} {
		var buf strings.Builder
		entgql.Cursor[int](c).MarshalGQL(&buf)
		s := strings.Trim(buf.String(), `"`)
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("Decode(%v): %v", c, err)
		}
		want := c.Value
		switch v := want.(type) {
		case int:
			want = int64(v)
		case time.Time:
			if !v.Equal(got.Value.(time.Time)) {
				t.Fatalf("time %v decoded as %v", v, got.Value)
			}
			want = got.Value
		}
		if got.ID != c.ID || !reflect.DeepEqual(got.Value, want) {
			t.Fatalf("Decode(%v) = %#v", c, got)
		}
		if Encode(c) != s {
			t.Fatalf("Encode(%v) = %q, entgql %q", c, Encode(c), s)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	enc := func(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
	deep := append([]byte("\x82\xa1i\x02\xa1v"), []byte(strings.Repeat("\x91", 100))...)
	for name, s := range map[string]string{
		"not base64":      "%%%",
		"empty":           "",
		"too long":        strings.Repeat("A", MaxLen+4),
		"array value":     enc([]byte("\x82\xa1i\x02\xa1v\x92\x01\x02")),
		"map value":       enc([]byte("\x82\xa1i\x02\xa1v\x81\xa1a\x01")),
		"nested arrays":   enc(append(deep, 0)),
		"string id":       enc([]byte("\x81\xa1i\xa1x")),
		"no id":           enc([]byte("\x81\xa1v\x01")),
		"two ids":         enc([]byte("\x82\xa1i\x01\xa1i\x02")),
		"other key":       enc([]byte("\x82\xa1i\x01\xa1x\x02")),
		"trailing":        enc([]byte("\x81\xa1i\x01\x00")),
		"truncated":       enc([]byte("\x82\xa1i\x01\xa1v\xd9\x10ab")),
		"binary value":    enc([]byte("\x82\xa1i\x01\xa1v\xc4\x01a")),
		"other extension": enc([]byte("\x82\xa1i\x01\xa1v\xd6\x05abcd")),
		"array":           enc([]byte("\x92\x01\x02")),
		"uint64 id":       enc([]byte("\x81\xa1i\xcf\xff\xff\xff\xff\xff\xff\xff\xff")),
	} {
		if c, err := Decode(s); err == nil {
			t.Errorf("%s: Decode = %#v, want an error", name, c)
		}
	}
	if _, err := UnmarshalCursor(12); err == nil {
		t.Error("UnmarshalCursor(12) succeeded")
	}
}

// FuzzCursor: Decode never panics, and whatever it accepts encodes back to a
// cursor that decodes to the same thing.
func FuzzCursor(f *testing.F) {
	f.Add(Encode(Cursor{ID: 1}))
	f.Add(Encode(Cursor{ID: 12, Value: "alias"}))
	f.Add(Encode(Cursor{ID: 12, Value: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)}))
	f.Add(Encode(Cursor{ID: 12, Value: 99}))
	f.Add(base64.RawStdEncoding.EncodeToString([]byte("\x82\xa1i\x02\xa1v\x91\x91\x91\x00")))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Decode(s)
		if err != nil {
			return
		}
		again, err := Decode(Encode(c))
		if err != nil {
			t.Fatalf("Decode(Encode(%#v)): %v", c, err)
		}
		if tv, ok := c.Value.(time.Time); ok {
			if !tv.Equal(again.Value.(time.Time)) {
				t.Fatalf("time %v came back as %v", tv, again.Value)
			}
			return
		}
		if f, ok := c.Value.(float64); ok && f != f { // NaN
			return
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("%#v came back as %#v", c, again)
		}
	})
}
