package parley

import (
	"strings"
	"unicode/utf8"
)

// Verified identity. The shop's page says who its logged-in customer is
// with Parley('identify', {id, email, name, signature}); the widget sends
// it as an identify frame. The signature is computed by the shop's server:
// lowercase hex of HMAC-SHA256 of the id, keyed with the site's identity
// secret. A signed identify is proof: the device becomes one more device
// of the contact with that id, whose history follows them. Anything else
// (no signature, a wrong one) is display data only, shown to agents as
// unverified, and never joins a device to anyone.

// Visitor.Identity and Conversation.Identity values.
const (
	IdentityVerified   = "verified"
	IdentityUnverified = "unverified"
)

// Bounds of an identify.
const (
	MaxExternalID = 128
	// MaxSignature: 64 hex digits for SHA-256; a little room for the
	// refusal to say "wrong" rather than "too long".
	MaxSignature = 128
)

// Identify is what an identify frame says, checked.
type Identify struct {
	ExternalID string
	Email      string
	Name       string
	Signature  string
}

// CheckIdentify validates an identify frame's fields, trimmed.
func CheckIdentify(f Frame) (Identify, error) {
	id := Identify{
		ExternalID: strings.TrimSpace(f.ExternalID),
		Email:      strings.TrimSpace(f.Email),
		Name:       strings.TrimSpace(f.Name),
		Signature:  strings.TrimSpace(f.Signature),
	}
	switch {
	case id.ExternalID == "":
		return id, Errorf(EInvalid, "identify needs the id of the shop's customer.")
	case len(id.ExternalID) > MaxExternalID:
		return id, Errorf(ETooLarge, "The id is longer than %d bytes.", MaxExternalID)
	case utf8.RuneCountInString(id.Name) > MaxVisitorName:
		return id, Errorf(ETooLarge, "The name is longer than %d characters.", MaxVisitorName)
	case len(id.Email) > MaxEmail:
		return id, Errorf(ETooLarge, "The email address is longer than %d characters.", MaxEmail)
	case id.Email != "" && !LooksLikeEmail(id.Email):
		return id, Errorf(EInvalid, "%q does not look like an email address.", Truncate(id.Email, 60))
	case len(id.Signature) > MaxSignature:
		return id, Errorf(ETooLarge, "The signature is longer than %d characters.", MaxSignature)
	case strings.ContainsFunc(id.ExternalID+id.Name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return id, Errorf(EInvalid, "The id and the name may not hold control characters.")
	}
	return id, nil
}
