package parley

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Contact notes: what agents write about a contact (the visitor record a
// verified identify makes each device of the same person one more device
// of), not about one conversation: "VIP, prefers email". The site's agents
// see them beside every conversation of the contact; the visitor never
// does (no visitor frame, welcome, transcript or mail carries them).

// Bounds on contact notes.
const (
	MaxNoteRunes       = 2000
	MaxNotesPerContact = 100
)

// ContactNote is one note about a contact.
type ContactNote struct {
	ID      uint64 `json:"id"`
	Visitor uint64 `json:"visitor"`
	// Author is the agent who wrote it; AuthorName their name then.
	Author     uint64    `json:"author"`
	AuthorName string    `json:"authorName,omitempty"`
	Text       string    `json:"text"`
	Created    time.Time `json:"created"`
	// Edited is when its author last changed it; zero if never.
	Edited *time.Time `json:"edited,omitempty"`
	// Deleted (contact_note frame only): the note with this ID is gone.
	Deleted bool `json:"deleted,omitempty"`
}

// CheckNoteText validates a note's text and returns it trimmed.
func CheckNoteText(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", Errorf(EInvalid, "The note is not valid UTF-8.")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Errorf(EInvalid, "A note needs a text.")
	}
	if n := utf8.RuneCountInString(text); n > MaxNoteRunes {
		return "", Errorf(ETooLarge, "The note is %d characters long; the limit is %d.", n, MaxNoteRunes)
	}
	return text, nil
}

// CanChangeNote says whether agent, with role on the note's site, may
// change note: its author may edit and delete it; owners and admins may
// delete anyone's (del), never edit them.
func CanChangeNote(note ContactNote, agent uint64, role string, del bool) bool {
	if note.Author == agent {
		return true
	}
	return del && CanManageSite(role)
}
