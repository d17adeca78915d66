// Package apperr is the one error type the API shows: a code and a message
// that is safe to show a user. REST (rest.writeError) and GraphQL (the error
// presenter in graph/errors.go) are the only two places that map codes outward.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"shortener/ent"
	"shortener/ent/privacy"
)

// Code classifies an error.
type Code string

// Error codes.
const (
	Invalid      Code = "BAD_USER_INPUT"
	Unauthorized Code = "UNAUTHENTICATED"
	Forbidden    Code = "FORBIDDEN"
	NotFound     Code = "NOT_FOUND"
	Conflict     Code = "CONFLICT"
	RateLimited  Code = "RATE_LIMITED"
	Internal     Code = "INTERNAL"
)

// Error is an error with a code and a message safe to show. Field, when set,
// names the input field at fault ("url", "custom").
type Error struct {
	Code    Code
	Message string
	Field   string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an Invalid error about one input field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: fmt.Sprintf(format, args...), Field: field}
}

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) *Error {
	return Errorf(NotFound, format, args...)
}

// From translates err into an *Error: app errors pass through, ent errors get
// their code (privacy denials look exactly like missing rows), and anything
// else is Internal with a generic message (the caller logs the original).
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var ve *ent.ValidationError
	switch {
	case errors.As(err, &ve):
		return &Error{Code: Invalid, Message: validationMessage(ve), Field: ve.Name}
	case ent.IsNotFound(err), errors.Is(err, privacy.Deny):
		return &Error{Code: NotFound, Message: "not found"}
	case ent.IsConstraintError(err):
		return &Error{Code: Conflict, Message: "already exists"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: Internal, Message: "request cancelled"}
	}
	return &Error{Code: Internal, Message: "internal error"}
}

func validationMessage(ve *ent.ValidationError) string {
	// ent wraps the validator's own error ("value out of range") in
	// `ent: validator failed for field "SplashPage.delay_seconds": ...`;
	// show only the validator's words.
	err := ve.Unwrap()
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	msg := err.Error()
	return fmt.Sprintf("invalid %s: %s", strings.ReplaceAll(ve.Name, "_", " "), msg)
}

// CodeOf returns the code of err after translation.
func CodeOf(err error) Code { return From(err).Code }
