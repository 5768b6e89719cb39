// Package errs defines the one error type the domain packages return. An error carries a code
// that the HTTP layer maps to a status in one table, and a message that is safe to show to the
// client. Anything else (wrapped driver errors, stack details) stays in the server log.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. The set is closed: the HTTP layer has a status for each.
type Code string

// The error codes of the platform.
const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooLarge     Code = "too_large"
	RateLimited  Code = "rate_limited"
	Internal     Code = "internal"
)

// Error is a domain error with a client-safe message.
type Error struct {
	Code    Code
	Message string
	// RetryAfter, when positive, tells a rate-limited client how many seconds to wait.
	RetryAfter int
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitedFor returns a rate_limited error that asks the client to wait seconds.
func RateLimitedFor(seconds int, message string) error {
	if seconds < 1 {
		seconds = 1
	}
	return &Error{Code: RateLimited, Message: message, RetryAfter: seconds}
}

// CodeOf returns the code of the first *Error in err's chain, Internal for any other non-nil
// error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the client-safe message of err. Errors without a code get a generic message
// so that internal details never reach a client.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
