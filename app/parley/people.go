package parley

import (
	"strings"
	"unicode/utf8"
)

// SiteMember is a member of a site as its People page lists it: the
// agent, its role there, and whether it may log in at all.
type SiteMember struct {
	ID       uint64 `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled,omitempty"`
}

// NewMember is the answer to adding an agent to a site. Password is set
// only when the agent was created: a one-time password, shown once, that
// the new agent changes after logging in.
type NewMember struct {
	Member   SiteMember `json:"member"`
	Password string     `json:"password,omitempty"`
}

// NewPassword is the answer to a password reset: shown once.
type NewPassword struct {
	Password string `json:"password"`
}

// Bounds of an agent's fields.
const (
	maxAgentName  = 100
	maxAgentEmail = 254
	maxSiteID     = 64
)

// CheckNewAgent trims and checks the email and name of an agent being
// added, and says what is wrong, if anything.
func CheckNewAgent(email, name string) (string, string, error) {
	email, name = strings.TrimSpace(email), strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(email) || !utf8.ValidString(name):
		return "", "", Errorf(EInvalid, "The email and name must be valid text.")
	case email == "":
		return "", "", Errorf(EInvalid, "Enter the agent's email address.")
	case len(email) > maxAgentEmail:
		return "", "", Errorf(ETooLarge, "The email address is longer than %d bytes.", maxAgentEmail)
	case strings.Count(email, "@") != 1 || strings.HasPrefix(email, "@") || strings.HasSuffix(email, "@") ||
		strings.ContainsAny(email, " \t\r\n<>,;\""):
		return "", "", Errorf(EInvalid, "%q is not an email address.", email)
	case name == "":
		return "", "", Errorf(EInvalid, "Enter the agent's name.")
	case utf8.RuneCountInString(name) > maxAgentName:
		return "", "", Errorf(ETooLarge, "The name is longer than %d characters.", maxAgentName)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", "", Errorf(EInvalid, "The name may not hold control characters.")
	}
	return strings.ToLower(email), name, nil
}

// CheckSiteID says what is wrong with a site id, if anything: it names
// the site in the snippet and in URLs, so it is 1–64 letters, digits, '-'
// and '_'.
func CheckSiteID(id string) error {
	if id == "" || len(id) > maxSiteID {
		return Errorf(EInvalid, "The site id must be 1 to %d letters, digits, '-' or '_'.", maxSiteID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Errorf(EInvalid, "The site id may hold only letters, digits, '-' and '_'.")
		}
	}
	return nil
}

// SiteIDFromName makes a site id from its name: lowercase ASCII letters
// and digits, other runs of characters turned into one '-'. It is "" for
// a name with neither (then the owner picks an id).
func SiteIDFromName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= maxSiteID-1 {
				break
			}
			continue
		}
		dash = true
	}
	return b.String()
}
