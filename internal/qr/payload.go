package qr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	goqr "github.com/skip2/go-qrcode"

	"shortener/internal/apperr"
	"shortener/internal/shortlink"
)

// The QR code types, as the ent enum spells them.
const (
	TypeText  = "TEXT"
	TypeLink  = "LINK"
	TypeEmail = "EMAIL"
	TypePhone = "PHONE"
	TypeSMS   = "SMS"
	TypeWiFi  = "WIFI"
	TypeVCard = "VCARD"
)

// maxField bounds every string field of an object payload; the whole
// payload must also fit a QR code at the highest error-correction level.
const maxField = 512

// Email is the data of an EMAIL code: mailto:Email?subject=..&body=..
type Email struct {
	Email   string `json:"email"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
}

// SMS is the data of an SMS code: SMSTO:Phone:Message.
type SMS struct {
	Phone   string `json:"phone"`
	Message string `json:"message,omitempty"`
}

// WiFi is the data of a WIFI code: WIFI:T:..;S:..;P:..;H:..;;
type WiFi struct {
	SSID     string `json:"ssid"`
	Password string `json:"password,omitempty"`
	// Encryption is WPA, WEP or nopass; empty means WPA with a password
	// and nopass without.
	Encryption string `json:"encryption,omitempty"`
	Hidden     bool   `json:"hidden,omitempty"`
}

// VCard is the data of a VCARD code, written as a vCard 3.0.
type VCard struct {
	FirstName    string   `json:"firstName,omitempty"`
	LastName     string   `json:"lastName,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	Email        string   `json:"email,omitempty"`
	URL          string   `json:"url,omitempty"`
	Address      *Address `json:"address,omitempty"`
}

// Address is the postal address of a VCard.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Validate checks data for a QR type (TEXT, LINK, EMAIL, PHONE, SMS, WIFI,
// VCARD, any case) and returns its stored form: a string for TEXT, LINK and
// PHONE, an object with only the known fields for the others. Errors are
// apperr Invalid on the field "data" (or "type").
func Validate(typ string, data any) (any, error) {
	switch strings.ToUpper(typ) {
	case TypeText:
		s, err := str(data, "a text QR code's data is a string")
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(s) == "" {
			return nil, apperr.InvalidField("data", "data is required")
		}
		return s, fits(s)
	case TypeLink:
		s, err := str(data, "a link QR code's data is a URL string")
		if err != nil {
			return nil, err
		}
		return s, shortlink.ValidateURL("data", s)
	case TypePhone:
		s, err := str(data, "a phone QR code's data is a phone number string")
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		return s, checkPhone("data", s)
	case TypeEmail:
		return validateObject[Email](data, `{"email", "subject", "body"}`, (*Email).check)
	case TypeSMS:
		return validateObject[SMS](data, `{"phone", "message"}`, (*SMS).check)
	case TypeWiFi:
		return validateObject[WiFi](data, `{"ssid", "password", "encryption", "hidden"}`, (*WiFi).check)
	case TypeVCard:
		return validateObject[VCard](data, `{"firstName", "lastName", "organization", "phone", "email", "url", "address"}`, (*VCard).check)
	}
	return nil, apperr.InvalidField("type", "type must be one of text, link, email, phone, sms, wifi, vcard")
}

func str(data any, msg string) (string, error) {
	s, ok := data.(string)
	if !ok {
		return "", apperr.InvalidField("data", "%s", msg)
	}
	return s, nil
}

// validateObject decodes data (a JSON object as decoded into map[string]any)
// into T strictly, runs check, and returns the canonical map.
func validateObject[T any](data any, fields string, check func(*T) error) (any, error) {
	v, err := decodeObject[T](data, fields)
	if err != nil {
		return nil, err
	}
	if err := check(v); err != nil {
		return nil, err
	}
	return canonical(v)
}

func decodeObject[T any](data any, fields string) (*T, error) {
	if _, ok := data.(map[string]any); !ok {
		return nil, apperr.InvalidField("data", "data must be an object %s", fields)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, apperr.InvalidField("data", "data must be an object %s", fields)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	v := new(T)
	if err := dec.Decode(v); err != nil {
		return nil, decodeError(err, fields)
	}
	return v, nil
}

// decodeError turns a json error into a message naming the field.
func decodeError(err error, fields string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return apperr.InvalidField("data", "data.%s must be %s", te.Field, jsonKind(te.Type.Kind().String()))
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return apperr.InvalidField("data", "data has an unknown field %s; the fields are %s",
			strings.TrimPrefix(msg, "json: unknown field "), fields)
	}
	return apperr.InvalidField("data", "data must be an object %s", fields)
}

func jsonKind(k string) string {
	switch k {
	case "bool":
		return "a boolean"
	case "ptr", "struct":
		return "an object"
	}
	return "a " + k
}

// canonical is the stored form of an object payload: a map with only the
// set fields, as it reads back from the JSON column.
func canonical(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("qr data: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("qr data: %w", err)
	}
	return m, nil
}

func checkText(field, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return apperr.InvalidField("data", "data.%s is required", field)
	case !utf8.ValidString(s):
		return apperr.InvalidField("data", "data.%s is not valid UTF-8", field)
	case len(s) > maxField:
		return apperr.InvalidField("data", "data.%s is longer than %d bytes", field, maxField)
	}
	return nil
}

// checkPhone accepts digits with an optional leading '+' and the visual
// separators of RFC 3966 (space, '-', '.', '(', ')').
func checkPhone(field, s string) error {
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case strings.ContainsRune(" -.()", c):
		default:
			return apperr.InvalidField("data", "%s must be a phone number: digits, an optional leading '+', spaces, '-', '.', '(' or ')'", field)
		}
	}
	if digits < 3 || digits > 20 {
		return apperr.InvalidField("data", "%s must be a phone number of 3 to 20 digits", field)
	}
	return nil
}

// dialable strips the visual separators: tel:+15551234567.
func dialable(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '+' || (c >= '0' && c <= '9') {
			return c
		}
		return -1
	}, s)
}

func checkEmail(field, s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return apperr.InvalidField("data", "data.%s must be an email address such as name@example.com", field)
	}
	return nil
}

func (e *Email) check() error {
	e.Email = strings.TrimSpace(e.Email)
	if e.Email == "" {
		return apperr.InvalidField("data", "data.email is required")
	}
	if err := checkEmail("email", e.Email); err != nil {
		return err
	}
	if err := checkText("subject", e.Subject, false); err != nil {
		return err
	}
	if err := checkText("body", e.Body, false); err != nil {
		return err
	}
	return fits(e.payload())
}

func (s *SMS) check() error {
	s.Phone = strings.TrimSpace(s.Phone)
	if s.Phone == "" {
		return apperr.InvalidField("data", "data.phone is required")
	}
	if err := checkPhone("data.phone", s.Phone); err != nil {
		return err
	}
	if err := checkText("message", s.Message, false); err != nil {
		return err
	}
	return fits(s.payload())
}

func (w *WiFi) check() error {
	if err := checkText("ssid", w.SSID, true); err != nil {
		return err
	}
	if len(w.SSID) > 32 {
		return apperr.InvalidField("data", "data.ssid is longer than 32 bytes")
	}
	if err := checkText("password", w.Password, false); err != nil {
		return err
	}
	switch strings.ToLower(w.Encryption) {
	case "":
		w.Encryption = "nopass"
		if w.Password != "" {
			w.Encryption = "WPA"
		}
	case "wpa", "wpa2", "wpa3":
		w.Encryption = "WPA"
	case "wep":
		w.Encryption = "WEP"
	case "nopass", "none":
		w.Encryption = "nopass"
	default:
		return apperr.InvalidField("data", "data.encryption must be WPA, WEP or nopass")
	}
	if w.Encryption == "nopass" && w.Password != "" {
		return apperr.InvalidField("data", "data.password must be empty when data.encryption is nopass")
	}
	if w.Encryption != "nopass" && w.Password == "" {
		return apperr.InvalidField("data", "data.password is required for %s", w.Encryption)
	}
	return fits(w.payload())
}

func (v *VCard) check() error {
	fields := map[string]string{
		"firstName": v.FirstName, "lastName": v.LastName, "organization": v.Organization,
		"phone": v.Phone, "email": v.Email, "url": v.URL,
	}
	if a := v.Address; a != nil {
		for k, s := range map[string]string{"address.street": a.Street, "address.city": a.City,
			"address.region": a.Region, "address.postalCode": a.PostalCode, "address.country": a.Country} {
			fields[k] = s
		}
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names) // the first bad field named is always the same
	for _, k := range names {
		if err := checkText(k, fields[k], false); err != nil {
			return err
		}
	}
	if strings.TrimSpace(v.FirstName+v.LastName+v.Organization) == "" {
		return apperr.InvalidField("data", "data needs a firstName, lastName or organization")
	}
	if v.Phone != "" {
		if err := checkPhone("data.phone", v.Phone); err != nil {
			return err
		}
	}
	if v.Email != "" {
		if err := checkEmail("email", v.Email); err != nil {
			return err
		}
	}
	if v.URL != "" {
		if err := shortlink.ValidateURL("url", v.URL); err != nil {
			return apperr.InvalidField("data", "data.url must be an http or https URL")
		}
	}
	return fits(v.payload())
}

// fits checks that a payload can be encoded at the highest error-correction
// level, so adding a logo later never makes a stored code unrenderable.
func fits(payload string) error {
	if _, err := goqr.New(payload, goqr.Highest); err != nil {
		return apperr.InvalidField("data", "data is too long for a QR code (%d bytes encoded)", len(payload))
	}
	return nil
}

// Payload returns the text a QR code encodes. data is the stored form that
// Validate returned (or its JSON round trip); scanURL is the tracking URL
// a LINK code encodes instead of its target, so the target can change.
func Payload(typ string, data any, scanURL string) (string, error) {
	switch strings.ToUpper(typ) {
	case TypeLink:
		return scanURL, nil
	case TypeText:
		s, err := str(data, "a text QR code's data is a string")
		return s, err
	case TypePhone:
		s, err := str(data, "a phone QR code's data is a phone number string")
		return "tel:" + dialable(s), err
	case TypeEmail:
		v, err := decodeObject[Email](data, "")
		if err != nil {
			return "", err
		}
		return v.payload(), nil
	case TypeSMS:
		v, err := decodeObject[SMS](data, "")
		if err != nil {
			return "", err
		}
		return v.payload(), nil
	case TypeWiFi:
		v, err := decodeObject[WiFi](data, "")
		if err != nil {
			return "", err
		}
		return v.payload(), nil
	case TypeVCard:
		v, err := decodeObject[VCard](data, "")
		if err != nil {
			return "", err
		}
		return v.payload(), nil
	}
	return "", fmt.Errorf("qr payload: unknown type %q", typ)
}

// mailtoEscape percent-encodes for a mailto: header value (RFC 6068): spaces
// are %20, never '+'.
func mailtoEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (e *Email) payload() string {
	var q []string
	if e.Subject != "" {
		q = append(q, "subject="+mailtoEscape(e.Subject))
	}
	if e.Body != "" {
		q = append(q, "body="+mailtoEscape(e.Body))
	}
	// The address goes in as a path: '?', '#', '%' and '/' (legal in a
	// local part) are escaped, '@' and '+' are not.
	s := "mailto:" + url.PathEscape(e.Email)
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}

func (s *SMS) payload() string { return "SMSTO:" + dialable(s.Phone) + ":" + s.Message }

// wifiEscape escapes the characters special in a WIFI: payload (the ZXing
// convention): backslash, ';', ',', ':' and '"'.
func wifiEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`\;,:"`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (w *WiFi) payload() string {
	var b strings.Builder
	b.WriteString("WIFI:T:" + w.Encryption + ";S:" + wifiEscape(w.SSID) + ";")
	if w.Encryption != "nopass" {
		b.WriteString("P:" + wifiEscape(w.Password) + ";")
	}
	if w.Hidden {
		b.WriteString("H:true;")
	}
	b.WriteString(";")
	return b.String()
}

// vcardEscape escapes a vCard 3.0 text value (RFC 2426 §4): backslash, ',',
// ';' and newlines.
func vcardEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

func (v *VCard) payload() string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteString("\r\n")
	}
	line("BEGIN:VCARD")
	line("VERSION:3.0")
	line("N:", vcardEscape(v.LastName), ";", vcardEscape(v.FirstName), ";;;")
	fn := strings.TrimSpace(v.FirstName + " " + v.LastName)
	if fn == "" {
		fn = v.Organization
	}
	line("FN:", vcardEscape(fn))
	if v.Organization != "" {
		line("ORG:", vcardEscape(v.Organization))
	}
	if v.Phone != "" {
		line("TEL;TYPE=VOICE:", dialable(v.Phone))
	}
	if v.Email != "" {
		line("EMAIL;TYPE=INTERNET:", v.Email)
	}
	if v.URL != "" {
		line("URL:", v.URL)
	}
	if a := v.Address; a != nil && *a != (Address{}) {
		line("ADR;TYPE=WORK:;;", vcardEscape(a.Street), ";", vcardEscape(a.City), ";",
			vcardEscape(a.Region), ";", vcardEscape(a.PostalCode), ";", vcardEscape(a.Country))
	}
	line("END:VCARD")
	return b.String()
}
