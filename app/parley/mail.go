package parley

import "strings"

// MailSettings are a site's email settings: where the shop is told of
// offline messages, and when visitors get email.
type MailSettings struct {
	// Notify is the shop's address for offline messages and digests.
	Notify string `json:"notify,omitempty"`
	// UnseenMinutes is how long an agent's reply may stay unseen by a
	// visitor who gave an email before it is emailed; 0 is
	// DefaultUnseenMinutes.
	UnseenMinutes int `json:"unseenMinutes,omitempty"`
	// TranscriptOnResolve emails the visitor the transcript when a
	// conversation is resolved.
	TranscriptOnResolve bool `json:"transcriptOnResolve,omitempty"`
	// ResumeDays is how long a resume link works; 0 is DefaultResumeDays.
	ResumeDays int `json:"resumeDays,omitempty"`
	// DigestMinutes is how long a chat may wait unassigned with nobody of
	// its team online before the team (and Notify) get an email digest;
	// 0 is DefaultDigestMinutes.
	DigestMinutes int `json:"digestMinutes,omitempty"`
}

// Mail defaults and bounds.
const (
	DefaultUnseenMinutes = 5
	MaxUnseenMinutes     = 24 * 60
	DefaultResumeDays    = 7
	MaxResumeDays        = 90
	DefaultDigestMinutes = 10
)

// Digest is DigestMinutes with its default.
func (m MailSettings) Digest() int {
	if m.DigestMinutes == 0 {
		return DefaultDigestMinutes
	}
	return m.DigestMinutes
}

// Unseen is UnseenMinutes with its default.
func (m MailSettings) Unseen() int {
	if m.UnseenMinutes == 0 {
		return DefaultUnseenMinutes
	}
	return m.UnseenMinutes
}

// Resume is ResumeDays with its default.
func (m MailSettings) Resume() int {
	if m.ResumeDays == 0 {
		return DefaultResumeDays
	}
	return m.ResumeDays
}

// Validate checks mail settings from outside.
func (m MailSettings) Validate() (MailSettings, error) {
	m.Notify = strings.TrimSpace(m.Notify)
	if m.Notify != "" && (len(m.Notify) > MaxEmail || !LooksLikeEmail(m.Notify)) {
		return m, Errorf(EInvalid, "%q is not an email address for notifications.", Truncate(m.Notify, 60))
	}
	if m.UnseenMinutes < 0 || m.UnseenMinutes > MaxUnseenMinutes {
		return m, Errorf(EInvalid, "The unseen-reply delay must be from 1 to %d minutes.", MaxUnseenMinutes)
	}
	if m.DigestMinutes < 0 || m.DigestMinutes > MaxUnseenMinutes {
		return m, Errorf(EInvalid, "The digest delay must be from 1 to %d minutes.", MaxUnseenMinutes)
	}
	if m.ResumeDays < 0 || m.ResumeDays > MaxResumeDays {
		return m, Errorf(EInvalid, "Resume links last from 1 to %d days.", MaxResumeDays)
	}
	return m, nil
}
