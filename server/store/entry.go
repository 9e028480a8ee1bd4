package store

import (
	"encoding/binary"
	"fmt"

	"github.com/parley-chat/parley/app/parley"
)

// A log entry is stored as a fixed header followed by the msg frame that
// clients receive, so a replay copies bytes without decoding JSON, and a
// visitor's replay skips agents-only entries by the header alone:
//
//	[0]     entryFormat
//	[1]     kind (entryMessage …)
//	[2]     flags (flagInternal)
//	[3:11]  conversation id
//	[11:19] seq in the conversation; 0 for a read mark, which is not part
//	        of the conversation's visible history
//	[19:]   the frame, JSON
const (
	entryFormat     = 1
	entryHeaderSize = 19
	flagInternal    = 1
)

// Entry kinds as stored. Read marks are log entries too, so that the
// conversation record, which is written only at checkpoints, can be rebuilt
// from the log; they have no seq and are never replayed to clients.
const (
	entryMessage byte = iota
	entryNote
	entryEvent
	entryEdit
	entryDelete
	entryRead
)

var entryKinds = map[string]byte{
	parley.KindMessage: entryMessage,
	parley.KindNote:    entryNote,
	parley.KindEvent:   entryEvent,
	parley.KindEdit:    entryEdit,
	parley.KindDelete:  entryDelete,
}

type entryHead struct {
	kind     byte
	internal bool
	conv     uint64
	seq      uint64
}

func encodeEntry(h entryHead, frame []byte) []byte {
	v := make([]byte, entryHeaderSize, entryHeaderSize+len(frame))
	v[0] = entryFormat
	v[1] = h.kind
	if h.internal {
		v[2] = flagInternal
	}
	binary.BigEndian.PutUint64(v[3:], h.conv)
	binary.BigEndian.PutUint64(v[11:], h.seq)
	return append(v, frame...)
}

// decodeEntry splits a stored entry; the frame aliases v.
func decodeEntry(v []byte) (entryHead, []byte, error) {
	if len(v) < entryHeaderSize || v[0] != entryFormat || v[1] > entryRead {
		return entryHead{}, nil, fmt.Errorf("store: log entry of %d bytes has an unknown format", len(v))
	}
	return entryHead{
		kind:     v[1],
		internal: v[2]&flagInternal != 0,
		conv:     binary.BigEndian.Uint64(v[3:]),
		seq:      binary.BigEndian.Uint64(v[11:]),
	}, v[entryHeaderSize:], nil
}

// convRecord is a conversation as stored: the conversation, plus what it
// takes to rebuild it from the log.
type convRecord struct {
	parley.Conversation
	// LogPos is the log position of the newest entry reflected in the
	// record. At Open, entries after it are applied again.
	LogPos uint64 `json:"logPos"`
	// Indexed is the highest seq whose position is in bucketConvIndex.
	Indexed uint64 `json:"indexed"`
	// TextSeq and PublicTextSeq are the entries LastText and PublicText
	// come from, so that an edit or a deletion can update them.
	TextSeq       uint64 `json:"textSeq,omitempty"`
	PublicTextSeq uint64 `json:"publicTextSeq,omitempty"`
}

// apply makes r reflect the entry at log position pos, with head h and frame
// f. It is the one place where the log turns into the conversation's
// counters, for new entries and for those replayed at Open alike.
// countUnread counts the visitor's messages after a seq, for a read mark
// short of the newest entry.
func (r *convRecord) apply(pos uint64, h entryHead, f *parley.Frame, countUnread func(after uint64) (int, error)) error {
	r.LogPos = pos
	if h.kind == entryRead {
		var from parley.Author
		if f.From != nil {
			from = *f.From
		}
		seq := min(f.Seq, r.LastSeq)
		switch from.Kind {
		case parley.AuthorVisitor:
			r.VisitorRead = max(r.VisitorRead, seq)
		case parley.AuthorAgent:
			if seq <= r.AgentRead {
				return nil
			}
			unread, err := countUnread(seq)
			if err != nil {
				return err
			}
			r.AgentRead, r.Unread = seq, unread
		}
		return nil
	}

	m := f.ToMessage()
	m.Seq, m.Internal = h.seq, h.internal
	if !r.Advance(m) {
		return fmt.Errorf("store: entry %d is seq %d of conversation %d, which is at %d", pos, h.seq, h.conv, r.LastSeq)
	}
	public := !h.internal
	switch h.kind {
	case entryMessage, entryNote:
		r.TextSeq = h.seq
		if public {
			r.PublicTextSeq = h.seq
		}
	case entryEdit:
		text := parley.Truncate(f.Text, parley.PreviewRunes)
		if f.Ref == r.TextSeq {
			r.LastText = text
		}
		if public && f.Ref == r.PublicTextSeq {
			r.PublicText = text
		}
	case entryDelete:
		if f.Ref == r.TextSeq {
			r.LastText = ""
		}
		if f.Ref == r.PublicTextSeq {
			r.PublicText = ""
		}
	}
	return nil
}
