// Package cursor is the GraphQL Cursor scalar: the opaque position of an edge
// in a connection. A cursor is base64 (no padding) of a msgpack map
// {"i": id, "v": order value}, the format entgql writes, so cursors handed
// out before stay valid. Decoding does not use a general msgpack decoder: it
// reads that one fixed shape (an integer id and a scalar order value: integer,
// float, string, bool or timestamp) from at most MaxLen characters, with no
// recursion, and refuses anything else.
package cursor

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strconv"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vmihailenco/msgpack/v5"
)

// Cursor is what the generated pagination code takes: an id and the value of
// the order field (nil when ordered by id).
type Cursor = entgql.Cursor[int]

// MaxLen bounds the encoded form of a cursor. The server's own cursors are
// far shorter (a long alias or name as the order value is at most a few
// hundred bytes).
const MaxLen = 512

// ErrInvalid is the error of every cursor that is not one the server made.
var ErrInvalid = errors.New("not a valid cursor")

// MarshalCursor writes c as a GraphQL string.
func MarshalCursor(c Cursor) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(Encode(c)))
	})
}

// UnmarshalCursor reads a cursor from a GraphQL value.
func UnmarshalCursor(v any) (Cursor, error) {
	s, ok := v.(string)
	if !ok {
		return Cursor{}, ErrInvalid
	}
	return Decode(s)
}

// Encode returns the string form of c.
func Encode(c Cursor) string {
	b, err := msgpack.Marshal(c)
	if err != nil { // only for a value type no order field has
		return ""
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// Decode reads a cursor made by Encode. Any other string is ErrInvalid.
func Decode(s string) (Cursor, error) {
	if len(s) > MaxLen {
		return Cursor{}, ErrInvalid
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrInvalid
	}
	c, err := decode(b)
	if err != nil {
		return Cursor{}, ErrInvalid
	}
	return c, nil
}

// decode reads the fixed shape: a map of one or two entries, "i" (required)
// and "v", each at most once, and nothing after it.
func decode(b []byte) (Cursor, error) {
	r := reader{b: b}
	h, err := r.byte()
	if err != nil {
		return Cursor{}, err
	}
	if h < 0x81 || h > 0x82 { // fixmap of 1 or 2 entries
		return Cursor{}, ErrInvalid
	}
	var c Cursor
	var hasID, hasValue bool
	for range int(h & 0x0f) {
		key, err := r.str()
		if err != nil {
			return Cursor{}, err
		}
		switch {
		case key == "i" && !hasID:
			hasID = true
			n, err := r.int()
			if err != nil {
				return Cursor{}, err
			}
			if n < math.MinInt || n > math.MaxInt {
				return Cursor{}, ErrInvalid
			}
			c.ID = int(n)
		case key == "v" && !hasValue:
			hasValue = true
			if c.Value, err = r.scalar(); err != nil {
				return Cursor{}, err
			}
		default:
			return Cursor{}, ErrInvalid
		}
	}
	if !hasID || r.off != len(r.b) {
		return Cursor{}, ErrInvalid
	}
	return c, nil
}

// reader reads msgpack items from b; every read checks the length.
type reader struct {
	b   []byte
	off int
}

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, ErrInvalid
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *reader) n(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, ErrInvalid
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p, nil
}

func (r *reader) uint(size int) (uint64, error) {
	p, err := r.n(size)
	if err != nil {
		return 0, err
	}
	var u uint64
	for _, c := range p {
		u = u<<8 | uint64(c)
	}
	return u, nil
}

// str reads a string item.
func (r *reader) str() (string, error) {
	c, err := r.byte()
	if err != nil {
		return "", err
	}
	return r.strBody(c)
}

func (r *reader) strBody(c byte) (string, error) {
	var n uint64
	var err error
	switch {
	case c >= 0xa0 && c <= 0xbf:
		n = uint64(c & 0x1f)
	case c == 0xd9:
		n, err = r.uint(1)
	case c == 0xda:
		n, err = r.uint(2)
	case c == 0xdb:
		n, err = r.uint(4)
	default:
		return "", ErrInvalid
	}
	if err != nil || n > uint64(len(r.b)) {
		return "", ErrInvalid
	}
	p, err := r.n(int(n))
	return string(p), err
}

// int reads an integer item.
func (r *reader) int() (int64, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	n, ok, err := r.intBody(c)
	if err == nil && !ok {
		err = ErrInvalid
	}
	return n, err
}

// intBody reads the integer whose first byte is c; ok is false when c does
// not start an integer.
func (r *reader) intBody(c byte) (int64, bool, error) {
	switch {
	case c <= 0x7f: // positive fixint
		return int64(c), true, nil
	case c >= 0xe0: // negative fixint
		return int64(int8(c)), true, nil
	}
	var size int
	signed := false
	switch c {
	case 0xcc, 0xcd, 0xce, 0xcf: // uint8..uint64
		size = 1 << (c - 0xcc)
	case 0xd0, 0xd1, 0xd2, 0xd3: // int8..int64
		size, signed = 1<<(c-0xd0), true
	default:
		return 0, false, nil
	}
	u, err := r.uint(size)
	if err != nil {
		return 0, true, err
	}
	if !signed {
		if u > math.MaxInt64 {
			return 0, true, ErrInvalid
		}
		return int64(u), true, nil
	}
	shift := 64 - 8*size // sign-extend
	return int64(u<<shift) >> shift, true, nil
}

// scalar reads an order value: nil, bool, integer, float, string or a
// msgpack timestamp. Arrays, maps, binary and other extensions are refused.
func (r *reader) scalar() (any, error) {
	c, err := r.byte()
	if err != nil {
		return nil, err
	}
	if n, ok, err := r.intBody(c); ok {
		return n, err
	}
	switch {
	case c == 0xc0:
		return nil, nil
	case c == 0xc2, c == 0xc3:
		return c == 0xc3, nil
	case c == 0xca:
		u, err := r.uint(4)
		return float64(math.Float32frombits(uint32(u))), err
	case c == 0xcb:
		u, err := r.uint(8)
		return math.Float64frombits(u), err
	case c >= 0xa0 && c <= 0xbf, c == 0xd9, c == 0xda, c == 0xdb:
		return r.strBody(c)
	case c == 0xd6: // fixext 4
		return r.timestamp(4)
	case c == 0xd7: // fixext 8
		return r.timestamp(8)
	case c == 0xc7: // ext 8
		n, err := r.uint(1)
		if err != nil {
			return nil, err
		}
		return r.timestamp(int(n))
	}
	return nil, ErrInvalid
}

// timestamp reads the body of a msgpack timestamp extension (type -1) of n
// bytes, as msgpack does (time.Unix, in the local zone).
func (r *reader) timestamp(n int) (time.Time, error) {
	typ, err := r.byte()
	if err != nil || int8(typ) != -1 {
		return time.Time{}, ErrInvalid
	}
	p, err := r.n(n)
	if err != nil {
		return time.Time{}, err
	}
	switch n {
	case 4:
		return time.Unix(int64(binary.BigEndian.Uint32(p)), 0), nil
	case 8:
		u := binary.BigEndian.Uint64(p)
		if u>>34 > 999_999_999 {
			return time.Time{}, ErrInvalid
		}
		return time.Unix(int64(u&0x3ffffffff), int64(u>>34)), nil
	case 12:
		nsec := binary.BigEndian.Uint32(p)
		if nsec > 999_999_999 {
			return time.Time{}, ErrInvalid
		}
		return time.Unix(int64(binary.BigEndian.Uint64(p[4:])), int64(nsec)), nil
	}
	return time.Time{}, ErrInvalid
}
