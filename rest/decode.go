package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"shortener/internal/apperr"
)

// maxBody bounds a request body; past it the answer is 413.
const maxBody = 1 << 20

// decodeBody reads a JSON object into dst. Unknown fields are ignored, as the
// legacy API did. Errors: 413 past maxBody, 400 for an empty body, malformed
// JSON, a value that is not an object, or a field of the wrong JSON type.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &statusError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", maxBody)}
	}
	if err != nil {
		return badRequest("could not read the request body")
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return badRequest("request body must be a JSON object")
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError turns a decoding error into a 400 a client can act on.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var fe *fieldError
	switch {
	case errors.As(err, &syn):
		return badRequest(fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn))
	case errors.As(err, &typ) && typ.Field == "":
		return badRequest("request body must be a JSON object")
	case errors.As(err, &typ):
		return badRequest(fmt.Sprintf("%s must not be a JSON %s", typ.Field, typ.Value))
	case errors.As(err, &fe):
		return badRequest(fe.Error())
	}
	return badRequest("malformed JSON")
}

// fieldError is a wrong JSON type found by one of the flexible types below.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// flexInt is an integer the legacy clients send as a JSON number or as a
// numeric string ("channel": "1"); anything else is a 400.
type flexInt int

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return &fieldError{"an id must be an integer"}
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
	}
	if s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return &fieldError{fmt.Sprintf("%s is not an integer id", s)}
	}
	*n = flexInt(v)
	return nil
}

// flexBool is a boolean sent as true/false, 1/0 or their strings.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.ToLower(string(b)), `"`)
	switch s {
	case "true", "1", "yes", "on":
		*f = true
	case "false", "0", "no", "off", "", "null":
		*f = false
	default:
		return &fieldError{fmt.Sprintf("%s is not a boolean", string(b))}
	}
	return nil
}

// flexString is a string that may arrive as a JSON number ("type": 3 for
// splash page 3, "value": 3 for a parameter).
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &fieldError{fmt.Sprintf("%s is not a string", string(b))}
	}
	*f = flexString(n.String())
	return nil
}

// pathID reads a positive integer id from the URL. Anything else names no
// object: NotFound, like an id of another user.
func pathID(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(chi.URLParam(r, name))
	if err != nil || n <= 0 {
		return 0, apperr.NotFoundf("%s not found", name)
	}
	return n, nil
}

// Legacy dates: "2020-11-10 18:01:43" in UTC; channel items show the day only.
const (
	dateTime = "2006-01-02 15:04:05"
	dateOnly = "2006-01-02"
)

func legacyDate(t time.Time) string { return t.UTC().Format(dateTime) }

func legacyDay(t time.Time) string { return t.UTC().Format(dateOnly) }

// parseExpiry reads a legacy expiry, "2021-09-28 23:11:16" (UTC); RFC 3339
// and a bare date are accepted too.
func parseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{dateTime, time.RFC3339, "2006-01-02T15:04:05", dateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.InvalidField("expiry", "expiry must be a date such as 2021-09-28 23:11:16")
}

func strp(s string) *string { return &s }

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
