package parley

import (
	"errors"
	"fmt"
)

// Error codes, shared by the websocket error frame and the HTTP API.
const (
	EInvalid      = "invalid"      // malformed or unacceptable input
	ETooLarge     = "too_large"    // a frame or message over its limit
	ERateLimited  = "rate_limited" // too many requests; slow down
	EUnauthorized = "unauthorized" // not logged in or bad credentials
	EForbidden    = "forbidden"    // logged in, but not allowed
	ENotFound     = "not_found"    // no such thing, or not yours to see
	EConflict     = "conflict"     // the request contradicts current state
	EUnavailable  = "unavailable"  // shutting down or overloaded; try again
	EChallenge    = "challenge"    // a new visitor of a flooded site: solve the attached proof of work first
	EUnsupported  = "unsupported"  // a file of a type the site does not take
	EInternal     = "internal"     // our fault; details are logged, not sent
)

// Error is an error a user may see: a code and a clear message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("parley error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message of the *Error in err's chain. Other errors
// are internal: their text may hold details users must not see.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
