// Package gid encodes opaque GraphQL global ids.
//
// Every table keeps small per-table integer ids (REST shows them as the legacy
// docs do). GraphQL ids are base64url("Type:row"), so node(id:) knows the table
// without globally unique integers. Clients must treat them as opaque.
package gid

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// ErrInvalid is returned for a string that is not a global id.
var ErrInvalid = errors.New("invalid id")

// Encode returns the opaque id of row id of the given type.
func Encode(typ string, id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.Itoa(id)))
}

// Decode splits an opaque id into its type and row id.
func Decode(s string) (typ string, id int, err error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", 0, fmt.Errorf("%w %q", ErrInvalid, s)
	}
	t, n, ok := strings.Cut(string(b), ":")
	if !ok || t == "" {
		return "", 0, fmt.Errorf("%w %q", ErrInvalid, s)
	}
	id, err = strconv.Atoi(n)
	if err != nil || id <= 0 {
		return "", 0, fmt.Errorf("%w %q", ErrInvalid, s)
	}
	return t, id, nil
}

// DecodeAs decodes s and checks that it is an id of type typ.
func DecodeAs(typ, s string) (int, error) {
	t, id, err := Decode(s)
	if err != nil {
		return 0, err
	}
	if t != typ {
		return 0, fmt.Errorf("%w: %q is a %s id, expected %s", ErrInvalid, s, t, typ)
	}
	return id, nil
}

// MarshalIntID is the gqlgen marshaller of ent int ids bound to the ID scalar.
// Objects expose their id through GlobalID(), so a bare int must never go out
// as an ID: that would be a bug, and it panics to be found in tests.
func MarshalIntID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		panic(fmt.Sprintf("gid: bare int id %d marshalled as ID", id))
	})
}

// UnmarshalIntID decodes an opaque id of an input (where inputs, edge ids) to
// its row id. The type inside is not checked here (no context); resolvers that
// take a typed id use DecodeAs.
func UnmarshalIntID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("%w: id must be a string", ErrInvalid)
	}
	_, id, err := Decode(s)
	return id, err
}
