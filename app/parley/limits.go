package parley

import (
	"strings"
	"unicode/utf8"
)

// Limits are announced to clients in the welcome frame.
type Limits struct {
	MaxFrameBytes int `json:"maxFrameBytes"`
	MaxTextRunes  int `json:"maxTextRunes"`
	// SendPerSecond and SendBurst bound the send rate of one connection.
	SendPerSecond float64 `json:"sendPerSecond"`
	SendBurst     int     `json:"sendBurst"`
	// IdleAwaySeconds (agents' welcome) is how long a console waits
	// without input before it sets its agent away; 0 is IdleAway.
	IdleAwaySeconds int `json:"idleAwaySeconds,omitempty"`
}

// DefaultLimits are the limits the server enforces unless configured otherwise.
//
// MaxFrameBytes leaves room for the longest valid message: encoding/json
// writes '<', '>' and '&' as six bytes each, so 4,000 of them take 24 KB.
var DefaultLimits = Limits{
	MaxFrameBytes: 32 << 10,
	MaxTextRunes:  4000,
	SendPerSecond: 5,
	SendBurst:     20,
}

// ClientIDMaxLen bounds the client-generated message id.
const ClientIDMaxLen = 64

// CheckText validates a message text against the limits and returns it with
// surrounding white space trimmed, line ends made "\n" and card numbers
// masked (cards.go). Control
// characters other than newline and tab are refused: they render as nothing
// or garble an agent's screen.
func (l Limits) CheckText(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", Errorf(EInvalid, "Message text is not valid UTF-8.")
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for i := 0; i < len(text); i++ {
		if c := text[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			return "", Errorf(EInvalid, "Message text holds a control character (0x%02x).", c)
		}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Errorf(EInvalid, "Message text is empty.")
	}
	if n := utf8.RuneCountInString(text); n > l.MaxTextRunes {
		return "", Errorf(ETooLarge, "Message is %d characters long; the limit is %d.", n, l.MaxTextRunes)
	}
	// Masking keeps the length in characters: the limit above holds.
	return MaskCards(text), nil
}

// CheckClientID validates a client-generated message id.
func CheckClientID(id string) error {
	if id == "" {
		return Errorf(EInvalid, "Message id is missing.")
	}
	if len(id) > ClientIDMaxLen {
		return Errorf(EInvalid, "Message id is longer than %d bytes.", ClientIDMaxLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Errorf(EInvalid, "Message id may hold only letters, digits, '-' and '_'.")
		}
	}
	return nil
}

// Truncate cuts s to at most n runes.
func Truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
