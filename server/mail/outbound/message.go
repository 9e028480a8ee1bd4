package outbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// Mail is one email to send.
type Mail struct {
	// MessageID is the stable id without angle brackets, from MessageIDFor:
	// the same job sends the same id on every attempt.
	MessageID string
	// InReplyTo and References thread the mail under earlier ones
	// (ids without angle brackets).
	InReplyTo  string
	References []string
	To         []mail.Address
	// ReplyTo is where the customer's answer goes: reply+TOKEN@domain.
	ReplyTo *mail.Address
	// FromName is the shop's name, shown with Config.From's address.
	FromName string
	Subject  string
	// Text is the plain-text body, required; HTML (from Render) is optional
	// and sent beside it as multipart/alternative.
	Text string
	HTML string
	// Headers adds fields such as Auto-Submitted or X-Parley-Conversation.
	// Fields that this package writes itself are refused.
	Headers map[string]string
	// Attachments are files sent after the body, as multipart/mixed.
	Attachments []Attachment
}

// Attachment is a file attached to a mail.
type Attachment struct {
	// Name is the file's name as the receiver sees it; Type its media
	// type (application/octet-stream when empty).
	Name, Type string
	Data       []byte
}

// MessageIDFor is the Message-ID of a mail job, "<job>.<hash>@<domain>": the
// same job, install and domain give the same id, so a resend is recognisably
// the same mail. install is a value of the installation's own (random, kept
// in its store): a store made anew, whose jobs count from 1 again, makes
// other ids, as receivers such as Gmail drop a mail whose id they have seen.
// The hash also keeps the id from reading as a bare counter. An empty or
// malformed domain becomes parley.invalid.
func MessageIDFor(jobID uint64, domain string, install []byte) string {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || !isDotAtom(domain) {
		domain = "parley.invalid"
	}
	id := strconv.FormatUint(jobID, 10)
	h := sha256.New()
	h.Write([]byte("parley message-id\x00"))
	h.Write(install)
	h.Write([]byte("\x00" + domain + "\x00" + id))
	check := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:10]))
	return id + "." + check + "@" + domain
}

// reservedHeaders are written by build; Mail.Headers may not set them.
var reservedHeaders = map[string]bool{
	"from": true, "sender": true, "to": true, "cc": true, "bcc": true, "reply-to": true,
	"subject": true, "date": true, "message-id": true, "in-reply-to": true, "references": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true,
	"content-disposition": true, "return-path": true, "received": true,
}

// build renders m as an RFC 5322 message. Its errors are about m itself, so
// the caller treats them as permanent.
func build(m Mail, from mail.Address, now time.Time) ([]byte, error) {
	if !validMsgID(m.MessageID) {
		return nil, fmt.Errorf("message id %q is not local@domain", m.MessageID)
	}
	if m.InReplyTo != "" && !validMsgID(m.InReplyTo) {
		return nil, fmt.Errorf("in-reply-to %q is not local@domain", m.InReplyTo)
	}
	for _, r := range m.References {
		if !validMsgID(r) {
			return nil, fmt.Errorf("reference %q is not local@domain", r)
		}
	}
	if len(m.To) == 0 {
		return nil, fmt.Errorf("no recipient")
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, fmt.Errorf("no text body")
	}

	var h gomail.Header
	h.SetDate(now)
	name := oneLine(m.FromName)
	if name == "" {
		name = from.Name
	}
	h.SetAddressList("From", []*mail.Address{{Name: name, Address: from.Address}})
	to := make([]*mail.Address, len(m.To))
	for i, a := range m.To {
		c, err := cleanAddress(a)
		if err != nil {
			return nil, fmt.Errorf("recipient: %w", err)
		}
		to[i] = c
	}
	h.SetAddressList("To", to)
	if m.ReplyTo != nil {
		c, err := cleanAddress(*m.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
		h.SetAddressList("Reply-To", []*mail.Address{c})
	}
	h.SetSubject(oneLine(m.Subject))
	h.SetMessageID(m.MessageID)
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	h.SetMsgIDList("References", m.References)

	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable order: a resend differs only in Date
	for _, k := range keys {
		v := m.Headers[k]
		if !validFieldName(k) || reservedHeaders[strings.ToLower(k)] {
			return nil, fmt.Errorf("header %q may not be set", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("header %q has a line break", k)
		}
		h.SetText(k, v)
	}

	var b bytes.Buffer
	if len(m.Attachments) > 0 {
		return buildMixed(&b, h, m)
	}
	if m.HTML == "" {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w, err := gomail.CreateSingleInlineWriter(&b, h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(m.Text)); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	w, err := gomail.CreateInlineWriter(&b, h)
	if err != nil {
		return nil, err
	}
	if err := writeAlternatives(w, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeAlternatives writes the text and HTML bodies into w and closes it.
func writeAlternatives(w *gomail.InlineWriter, m Mail) error {
	for _, part := range []struct{ typ, body string }{
		{"text/plain", m.Text}, // first: the least preferred alternative
		{"text/html", m.HTML},
	} {
		var ph gomail.InlineHeader
		ph.Set("Content-Type", part.typ+"; charset=utf-8")
		if part.body == "" {
			continue // no HTML
		}
		pw, err := w.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := pw.Write([]byte(part.body)); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return w.Close()
}

// buildMixed writes m with its attachments: multipart/mixed, the bodies
// first (as multipart/alternative), then one part per file.
func buildMixed(b *bytes.Buffer, h gomail.Header, m Mail) ([]byte, error) {
	w, err := gomail.CreateWriter(b, h)
	if err != nil {
		return nil, err
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, err
	}
	if err := writeAlternatives(iw, m); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		var ah gomail.AttachmentHeader
		typ := a.Type
		if typ == "" || strings.ContainsAny(typ, "\r\n;") {
			typ = "application/octet-stream"
		}
		ah.Set("Content-Type", typ)
		ah.SetFilename(oneLine(a.Name))
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		if _, err := aw.Write(a.Data); err != nil {
			return nil, err
		}
		if err := aw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// cleanAddress checks an address and flattens its display name, which comes
// from a visitor or a shop and may hold anything.
func cleanAddress(a mail.Address) (*mail.Address, error) {
	p, err := mail.ParseAddress(a.Address)
	if err != nil || p.Name != "" || p.Address != a.Address {
		return nil, fmt.Errorf("%q is not an address", a.Address)
	}
	return &mail.Address{Name: oneLine(a.Name), Address: a.Address}, nil
}

// oneLine folds every run of white space, line breaks included, to a space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// validMsgID accepts the dot-atom form of RFC 5322's msg-id, the one every
// id this package makes has.
func validMsgID(id string) bool {
	at := strings.LastIndexByte(id, '@')
	return at > 0 && isDotAtom(id[:at]) && isDotAtom(id[at+1:])
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validFieldName is RFC 5322's field-name: printable ASCII but the colon.
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 33 || k[i] > 126 || k[i] == ':' {
			return false
		}
	}
	return true
}
