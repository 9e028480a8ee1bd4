// Package inbound receives email replies: an SMTP listener for the MX side
// that accepts mail only for reply+TOKEN@Domain addresses, parses the MIME
// message, keeps the new text of the reply (quoted history and signature
// removed) and hands it to a Deliver callback.
//
// It may import the standard library, the domain package (app/parley) for
// its limits, go-smtp, go-message and golang.org/x/net/html; never
// server/web or server/store: the server wires the callbacks.
package inbound

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Message is one accepted reply.
type Message struct {
	Token     string   // the reply token from the recipient address
	From      string   // the header sender address, else the envelope sender (lower-cased)
	Subject   string   // decoded to UTF-8
	Text      string   // the new text only: quoted history and signature removed, trimmed, at most Config.MaxText runes
	MessageID string   // the mail's Message-ID header, without angle brackets, for dedupe
	InReplyTo []string // In-Reply-To and References ids, without angle brackets, each once
}

// Header is what ParseReply reads from the top-level mail header.
type Header struct {
	From      string // the first From address, lower-cased; "" when missing or unreadable
	Subject   string
	MessageID string
	InReplyTo []string // In-Reply-To first, then References, each once
	// Automatic is true for mail no person wrote: auto-replies (out of
	// office), delivery reports, bulk or list mail. The server accepts such
	// mail and drops it, so that it never lands in a conversation and never
	// bounces back to an autoresponder.
	Automatic bool
}

// Config configures a Server. Domain, CheckToken and Deliver are required.
type Config struct {
	Addr          string // listen address for ListenAndServe and Open, ":2525"
	Domain        string // the domain of reply addresses (chat.example); also the greeting's host name
	MaxBytes      int64  // message size limit; default 1 MiB
	MaxRecipients int    // default 10
	MaxText       int    // runes of reply text kept; default parley.DefaultLimits.MaxTextRunes

	// ReadTimeout bounds the wait for each command and, from the DATA
	// command on, the whole message body; WriteTimeout bounds each reply.
	// Defaults 60 s each.
	ReadTimeout, WriteTimeout time.Duration

	// CheckToken says whether a token is valid; it runs at RCPT time, so
	// unknown addresses are refused before any data is sent.
	CheckToken func(token string) bool
	// Deliver stores the message, once per distinct valid recipient token.
	// An error with Temporary() true becomes 451 (the sender retries),
	// any other 554 with the error's text.
	Deliver func(ctx context.Context, m Message) error

	Logger *slog.Logger // default slog.Default()
}

// Errors returned by ParseReply.
var (
	// ErrMalformed wraps what made a message unreadable.
	ErrMalformed = errors.New("inbound: malformed message")
	// ErrNoText says no text was left once quotes and signature were removed.
	ErrNoText = errors.New("inbound: the reply has no text")
)
