package inbound

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode iso-8859-*, windows-125*, ... (about 1 MiB of tables, server side only)
	"github.com/emersion/go-message/mail"
)

// maxPartBytes bounds how much of one text part ParseReply reads, so that a
// reader without a size limit cannot make it hold more. The new text is at
// the top of a reply: what is cut is quoted history.
const maxPartBytes = 4 << 20

// ParseReply reads a MIME message and returns the new text of the reply:
// the first inline text/plain part, else the first inline text/html part
// turned into text, with StripQuoted applied, trimmed and cut to maxText
// runes (no cut when maxText <= 0). Attachments are skipped. Charsets are
// decoded to UTF-8; an unknown charset is read as is, with invalid bytes
// replaced.
//
// The error wraps ErrMalformed when the message cannot be read (together
// with the cause, so a reader's own error stays visible to errors.Is), and
// is ErrNoText when nothing is left. hdr is filled as far as it was read.
func ParseReply(r io.Reader, maxText int) (text string, hdr Header, err error) {
	mr, err := mail.CreateReader(r)
	if err != nil && !message.IsUnknownCharset(err) {
		return "", hdr, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	hdr = readHeader(mr.Header)
	if t, _, _ := mr.Header.ContentType(); t == "multipart/report" {
		hdr.Automatic = true // delivery and read reports
	}

	var plain, html string
	var havePlain, haveHTML bool
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return "", hdr, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		h, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			continue // attachments are ignored; NextPart skips their body
		}
		t, params, _ := h.ContentType()
		if strings.HasPrefix(t, "multipart/") {
			// A multipart type go-message could not split: no boundary.
			return "", hdr, fmt.Errorf("%w: %s part without a boundary", ErrMalformed, t)
		}
		if _, disp, _ := h.ContentDisposition(); disp["filename"] != "" {
			continue // an inline file, such as notes.txt, is not the reply
		}
		switch {
		case t == "text/plain" && !havePlain:
			b, err := readPart(p.Body)
			if err != nil {
				return "", hdr, fmt.Errorf("%w: text part: %w", ErrMalformed, err)
			}
			plain, havePlain = b, true
			if strings.EqualFold(params["format"], "flowed") {
				plain = unflow(plain, strings.EqualFold(params["delsp"], "yes"))
			}
		case t == "text/html" && !haveHTML:
			b, err := readPart(p.Body)
			if err != nil {
				return "", hdr, fmt.Errorf("%w: html part: %w", ErrMalformed, err)
			}
			html, haveHTML = b, true
		}
	}
	if err := mr.Close(); err != nil {
		return "", hdr, fmt.Errorf("%w: %w", ErrMalformed, err)
	}

	switch {
	case havePlain:
		text = StripQuoted(plain)
	case haveHTML:
		text = StripQuoted(HTMLText(html))
	}
	if text == "" && havePlain && haveHTML {
		// A plain part some clients leave empty; the HTML one may have it.
		text = StripQuoted(HTMLText(html))
	}
	text = cutRunes(text, maxText)
	if text == "" {
		return "", hdr, ErrNoText
	}
	return text, hdr, nil
}

func readPart(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPartBytes))
	if err != nil {
		return "", err
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func readHeader(h mail.Header) Header {
	var hdr Header
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		hdr.From = strings.ToLower(from[0].Address)
	}
	if s, err := h.Subject(); err == nil {
		hdr.Subject = strings.ToValidUTF8(s, "\uFFFD")
	} else {
		hdr.Subject = strings.ToValidUTF8(h.Get("Subject"), "\uFFFD")
	}
	hdr.MessageID, _ = h.MessageID()
	seen := map[string]bool{}
	for _, key := range []string{"In-Reply-To", "References"} {
		ids, _ := h.MsgIDList(key)
		for _, id := range ids {
			if id != "" && !seen[id] {
				seen[id] = true
				hdr.InReplyTo = append(hdr.InReplyTo, id)
			}
		}
	}
	hdr.Automatic = isAutomatic(h)
	return hdr
}

// isAutomatic follows RFC 3834 (Auto-Submitted) and the headers that
// autoresponders set without it.
func isAutomatic(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	return h.Has("X-Autoreply") || h.Has("X-Autorespond")
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a
// line that ends in a space goes on in the next line of the same quote
// depth. The signature separator "-- " is a hard break.
func unflow(s string, delsp bool) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(s, "\r\n", "\n")))
	sc.Buffer(make([]byte, 0, 64<<10), maxPartBytes)
	open := false // the last line written was flowed
	openDepth := 0
	for sc.Scan() {
		line := sc.Text()
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		body := strings.TrimPrefix(line[depth:], " ") // space-stuffing
		if open && depth != openDepth {
			b.WriteByte('\n') // quote depth changed: the flowed paragraph ends
			open = false
		}
		if !open {
			b.WriteString(strings.Repeat(">", depth))
			if depth > 0 {
				b.WriteByte(' ')
			}
		}
		flowed := strings.HasSuffix(body, " ") && body != "-- "
		if flowed && delsp {
			body = body[:len(body)-1]
		}
		b.WriteString(body)
		if flowed {
			open, openDepth = true, depth
		} else {
			b.WriteByte('\n')
			open = false
		}
	}
	return b.String()
}

func cutRunes(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return strings.TrimSpace(s[:i])
		}
		n++
	}
	return s
}
