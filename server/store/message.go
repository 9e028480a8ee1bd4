package store

import (
	"time"

	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// Append asks for one new entry of a conversation's log: a chat message,
// or with Kind set a note, an event, an edit or a deletion.
type Append struct {
	Site string
	// Conv is the conversation. A visitor may leave it 0 for "my open
	// conversation, or a new one".
	Conv uint64
	// Visitor is set for a visitor's send: the conversation must be theirs,
	// and only chat messages are accepted.
	Visitor uint64
	From    parley.Author
	// ID is the client message id, validated by the caller. Empty for
	// entries the server makes itself (events): they are not deduplicated.
	ID string
	// Text is validated and trimmed by the caller.
	Text string
	// Files are the ids of a chat message's attachments, checked by the
	// caller's parley.CheckFileRefs: each must have been uploaded to the
	// conversation (AddFile); the entry carries the stored records.
	Files []string
	// Greeting, when set and the conversation has no entry yet, is stored
	// first, from the site, with ID+"-greeting".
	Greeting string
	// Page is where a new conversation starts; empty means the visitor's
	// remembered page.
	Page parley.Page

	// Kind, Event, Ref and Internal: see parley.Message. A note is always
	// internal; an edit or a deletion has the audience of the entry it
	// refers to.
	Kind     string
	Event    string
	Ref      uint64
	Internal bool
	// Card and Replies make a message rich (parley/rich.go): the caller
	// checked them.
	Card    *parley.Card
	Replies []string

	// Own, on an edit or a deletion, says only the author of the entry
	// may make it, and only Within that long after it (0: any time): the
	// committer checks both, against the entry as stored.
	Own    bool
	Within time.Duration

	// Team, Topic, Name and Email start a new conversation: the team whose
	// queue it enters (the caller resolves it from the site's routing), the
	// topic and the answers of the pre-chat form. They are ignored when
	// the entry goes to an existing conversation.
	Team, Topic, Name, Email string
	// New, with Conv 0, starts a new conversation even when the visitor
	// has an open one. A visitor with parley.MaxOpenPerVisitor open
	// conversations is refused (conflict), nothing stored.
	New bool

	// Fresh says the client never sent this ID before (parley.Frame.Fresh):
	// its original can only be among the entries not yet checkpointed, so
	// the older history is not searched.
	Fresh bool

	// Jobs are queued in the same transaction as the entry: its effects
	// outside the process. A job without Conv gets the entry's
	// conversation.
	Jobs []NewJob
	// StartJobs are queued like Jobs, but only when the entry starts its
	// conversation: the news of a new chat, once.
	StartJobs []NewJob
	// JobsAfter, when set, is called in the transaction with the
	// conversation as the entry leaves it and whether the entry started
	// it; the jobs it returns are queued like Jobs (news for whoever the
	// conversation is with, known only here). It runs in the committer:
	// it must not block, and must not read the store.
	JobsAfter func(conv parley.Conversation, started bool) []NewJob

	// Sender is handed back untouched in Committed, so that the caller can
	// recognise its own entries (a connection needs no echo of its send).
	Sender any
}

// Appended is the result of an Append.
type Appended struct {
	// Message is the sender's entry; for a Dup, the one stored first.
	Message parley.Message
	// Dup says the author had already sent this ID: nothing was written.
	Dup bool
	// DroppedFiles are the files a deletion took out of the conversation
	// (no message of it carries them any more): ids whose bytes may have
	// no other record.
	DroppedFiles []string
	// Prev is the seq of the entry before Message in the visitor's stream.
	Prev uint64
	// Conv is the conversation as committed, as agents see it.
	Conv parley.Conversation
}

// Committed is one newly committed entry, handed to the OnCommit hook.
type Committed struct {
	Message parley.Message
	// Frame is the stored msg frame, the bytes to send as they are to
	// agents, and to the visitor unless Message.Internal. It is shared by
	// every subscriber: read only.
	Frame []byte
	// Conv is the conversation right after this entry, as agents see it.
	Conv parley.Conversation
	// Created says this entry created the conversation: it is its first.
	Created bool
	// Reopened says this entry reopened a resolved conversation.
	Reopened bool
	// Sender is Append.Sender.
	Sender any
	// Pos is the entry's log position (see Entries).
	Pos uint64
}

// OnCommit adds a function that receives every batch of new entries, in
// commit order, after the commit and before the senders are answered, from
// the committer goroutine; hooks run in the order they were added. fn must
// not block: every writer waits for it. It may read the store (the batch is
// visible) but must not write to it: the committer would wait for itself.
// The batch is the hook's to keep, read only: the committer makes a new
// one for every commit. Add hooks before the first Append.
func (d *DB) OnCommit(fn func([]Committed)) {
	for {
		old := d.onCommit.Load()
		var hooks []func([]Committed)
		if old != nil {
			hooks = append(hooks, *old...)
		}
		hooks = append(hooks, fn)
		if d.onCommit.CompareAndSwap(old, &hooks) {
			return
		}
	}
}

// Append stores an entry and returns once it is durable. If ctx ends first
// it returns ctx.Err(), and the entry may or may not be stored: resending
// the same ID is safe.
func (d *DB) Append(ctx context.Context, a Append) (Appended, error) {
	var res Appended
	var st *convState
	err := d.do(ctx, func(b *batch) (err error) {
		res, st, err = b.append(a)
		return err
	}, func() {
		// After the whole batch: later entries of it may have changed st.
		res.Conv = st.rec.Conversation
	})
	if err != nil {
		return Appended{}, err
	}
	return res, nil
}

func (b *batch) append(a Append) (Appended, *convState, error) {
	if err := checkKind(a); err != nil {
		return Appended{}, nil, err
	}
	if err := checkJobs(append(a.Jobs[:len(a.Jobs):len(a.Jobs)], a.StartJobs...)); err != nil {
		return Appended{}, nil, err
	}
	st, seq, err := b.findResend(a)
	if err != nil {
		return Appended{}, nil, err
	}
	if seq != 0 {
		return b.original(st, seq)
	}

	st, created, err := b.resolve(a)
	if err != nil {
		return Appended{}, nil, err
	}
	files, err := b.convFiles(st, a.Files)
	if err != nil {
		return Appended{}, nil, err
	}
	internal := a.Internal || a.Kind == parley.KindNote
	if a.Ref != 0 {
		if internal, err = b.checkRef(st, a); err != nil {
			return Appended{}, nil, err
		}
	}
	// Nothing has been written up to here; from here on nothing refuses.
	if created {
		if err := b.createConversation(st); err != nil {
			return Appended{}, nil, err
		}
	}
	started := created
	reopened := false
	if a.From.Kind == parley.AuthorVisitor && !st.rec.IsOpen() {
		if err := b.setStatus(st, parley.StatusQueued); err != nil {
			return Appended{}, nil, err
		}
		reopened = true
	}

	if a.Greeting != "" && st.rec.LastSeq == 0 {
		g := parley.Message{ID: a.ID + "-greeting", From: parley.Author{Kind: parley.AuthorSite, Name: b.siteName(st.rec.Site)}, Text: a.Greeting}
		if _, _, err := b.add(st, g, false, created, false, nil); err != nil {
			return Appended{}, nil, err
		}
		created = false
	}
	var dropped []string
	if a.Kind == parley.KindDelete {
		if dropped, err = b.eraseText(st, a.Ref); err != nil {
			return Appended{}, nil, err
		}
	}
	m := parley.Message{ID: a.ID, From: a.From, Text: a.Text, Kind: a.Kind, Event: a.Event, Ref: a.Ref, Internal: internal,
		Card: a.Card, Replies: a.Replies, Files: files}

	m, prev, err := b.add(st, m, internal, created, reopened, a.Sender)
	if err != nil {
		return Appended{}, nil, err
	}
	if _, err := b.refFiles(st.rec.ID, files, 1); err != nil {
		return Appended{}, nil, err
	}
	jobs := a.Jobs
	if started {
		jobs = append(jobs[:len(jobs):len(jobs)], a.StartJobs...)
	}
	if a.JobsAfter != nil {
		after := a.JobsAfter(st.rec.Conversation, started)
		if err := checkJobs(after); err != nil {
			return Appended{}, nil, err
		}
		jobs = append(jobs[:len(jobs):len(jobs)], after...)
	}
	if err := b.enqueueFor(st.rec.ID, jobs); err != nil {
		return Appended{}, nil, err
	}
	return Appended{Message: m, Prev: prev, DroppedFiles: dropped}, st, nil
}

// checkKind refuses what no caller may store.
func checkKind(a Append) error {
	if _, ok := entryKinds[a.Kind]; !ok {
		return parley.Errorf(parley.EInvalid, "Unknown entry kind %q.", parley.Truncate(a.Kind, 32))
	}
	own := a.Own && (a.Kind == parley.KindEdit || a.Kind == parley.KindDelete)
	if a.Visitor != 0 && (a.Kind != parley.KindMessage && !own || a.Internal) {
		return parley.Errorf(parley.EForbidden, "Visitors may only send messages.")
	}
	switch a.Kind {
	case parley.KindEvent:
		switch a.Event {
		case "":
			return parley.Errorf(parley.EInvalid, "An event needs its name.")
		case parley.EventAssigned, parley.EventTransferred, parley.EventQueued:
			// They move the conversation: only Claim, Transfer and
			// Requeue (route.go) write them, with their checks.
			return parley.Errorf(parley.EInvalid, "Routing events are written by Claim, Transfer and Requeue.")
		}
	case parley.KindEdit, parley.KindDelete:
		if a.Ref == 0 {
			return parley.Errorf(parley.EInvalid, "An edit or a deletion names the entry it refers to.")
		}
	}
	if len(a.Files) > 0 && a.Kind != parley.KindMessage {
		return parley.Errorf(parley.EInvalid, "Only a chat message carries files.")
	}
	if a.Ref != 0 && a.Kind != parley.KindEdit && a.Kind != parley.KindDelete {
		return parley.Errorf(parley.EInvalid, "Only an edit or a deletion refers to another entry.")
	}
	return nil
}

// checkRef checks that a.Ref is a message or a note of st that a may edit
// or delete, and returns its audience.
func (b *batch) checkRef(st *convState, a Append) (internal bool, err error) {
	notFound := parley.Errorf(parley.ENotFound, "Entry %d of conversation %d not found.", a.Ref, st.rec.ID)
	pos := position(b.tx, st.rec.ID, st.rec.Indexed, st.tail, a.Ref)
	if pos == 0 {
		return false, notFound
	}
	h, frame, err := decodeEntry(b.log.Get(u64(pos)))
	if err != nil {
		return false, err
	}
	if a.Visitor != 0 && h.internal {
		return false, notFound // a visitor knows nothing of agents-only entries
	}
	if h.kind != entryMessage && h.kind != entryNote {
		return false, parley.Errorf(parley.EInvalid, "Only messages and notes can be edited or deleted.")
	}
	if a.Own {
		f, err := parley.DecodeFrame(frame)
		if err != nil {
			return false, fmt.Errorf("store: entry %d: %w", pos, err)
		}
		switch {
		case f.From == nil || f.From.Kind != a.From.Kind || f.From.ID != a.From.ID:
			return false, parley.Errorf(parley.EForbidden, "Only its author can change a message.")
		case f.Deleted:
			return false, parley.Errorf(parley.EConflict, "That message was deleted.")
		case a.Within > 0 && b.now.Sub(time.UnixMilli(f.At)) > a.Within:
			return false, parley.Errorf(parley.EConflict, "A message can be changed for %s after it was sent; this one is older.", a.Within)
		}
	}
	return h.internal, nil
}

// eraseText removes the text of entry ref from the file: its stored frame is
// rewritten without it, marked deleted. bbolt writes the new page elsewhere
// and frees the old one, which keeps the old bytes until it is reused.
func (b *batch) eraseText(st *convState, ref uint64) ([]string, error) {
	pos := position(b.tx, st.rec.ID, st.rec.Indexed, st.tail, ref)
	h, frame, err := decodeEntry(b.log.Get(u64(pos)))
	if err != nil {
		return nil, err
	}
	f, err := parley.DecodeFrame(frame)
	if err != nil {
		return nil, fmt.Errorf("store: entry %d: %w", pos, err)
	}
	// Its attachments go from the transcript too, and from the
	// conversation once no message of it carries them; their bytes leave
	// the disk when no record names them (the web package's sweep).
	var dropped []string
	if !f.Deleted {
		if dropped, err = b.refFiles(st.rec.ID, f.Files, -1); err != nil {
			return nil, err
		}
	}
	f.Text, f.Deleted, f.Files = "", true, nil
	if err := b.log.Put(u64(pos), encodeEntry(h, f.Encode())); err != nil {
		return nil, fmt.Errorf("store: erasing entry %d: %w", pos, err)
	}
	// Its edits held its text too.
	for seq := ref + 1; seq <= st.rec.LastSeq; seq++ {
		pos := position(b.tx, st.rec.ID, st.rec.Indexed, st.tail, seq)
		if pos == 0 {
			continue
		}
		h, frame, err := decodeEntry(b.log.Get(u64(pos)))
		if err != nil {
			return nil, err
		}
		if h.kind != entryEdit {
			continue
		}
		f, err := parley.DecodeFrame(frame)
		if err != nil {
			return nil, fmt.Errorf("store: entry %d: %w", pos, err)
		}
		if f.Ref != ref || f.Deleted {
			continue
		}
		f.Text, f.Deleted = "", true
		if err := b.log.Put(u64(pos), encodeEntry(h, f.Encode())); err != nil {
			return nil, fmt.Errorf("store: erasing entry %d: %w", pos, err)
		}
	}
	return dropped, nil
}

// findResend looks for an entry the author already stored with a.ID. A
// send naming its conversation is looked up there, once it is known to be
// the sender's; a visitor's send without one, in each of their
// conversations, as it went to whichever was open then. It returns the
// conversation and the stored seq, or 0.
func (b *batch) findResend(a Append) (*convState, uint64, error) {
	if a.ID == "" {
		return nil, 0, nil
	}
	convs := []uint64{a.Conv}
	if a.Conv != 0 {
		st, err := b.state(a.Conv)
		if err != nil {
			return nil, 0, err
		}
		if !b.mayWrite(a, st) {
			return nil, 0, errConvNotFound(a.Conv)
		}
	} else if a.Visitor != 0 {
		convs = b.visitorConversations(a.Visitor)
	}
	hash := idHash(a.From, a.ID)
	for i := len(convs) - 1; i >= 0; i-- {
		st, err := b.state(convs[i])
		if err != nil {
			return nil, 0, err
		}
		if st == nil {
			continue
		}
		if seq, ok := st.byHash[hash]; ok && b.isFrom(st, seq, a.From, a.ID) {
			return st, seq, nil
		}
		if a.Fresh {
			continue
		}
		// The checkpointed history, newest first: a resend is of a recent
		// message.
		c := b.index.Cursor()
		k, v := c.Seek(indexKey(st.rec.ID, st.rec.Indexed+1))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && be64(k) == st.rec.ID; k, v = c.Prev() {
			if len(v) == 16 && be64(v[8:]) == hash && b.isFrom(st, be64(k[8:]), a.From, a.ID) {
				return st, be64(k[8:]), nil
			}
		}
	}
	return nil, 0, nil
}

// isFrom says whether entry seq of st has the given author and client id:
// an id hash matched, and this rules out a collision.
func (b *batch) isFrom(st *convState, seq uint64, from parley.Author, id string) bool {
	pos := position(b.tx, st.rec.ID, st.rec.Indexed, st.tail, seq)
	_, frame, err := decodeEntry(b.log.Get(u64(pos)))
	if err != nil {
		return false
	}
	var f struct {
		ID   string        `json:"id"`
		From parley.Author `json:"from"`
	}
	return json.Unmarshal(frame, &f) == nil && f.ID == id && f.From.Kind == from.Kind && f.From.ID == from.ID
}

// mayWrite says whether a's sender may write to st. Someone else's
// conversation is refused exactly like a missing one, so ids cannot be
// probed.
func (b *batch) mayWrite(a Append, st *convState) bool {
	return st != nil && (a.Visitor == 0 || st.rec.Visitor == a.Visitor) && (a.Site == "" || st.rec.Site == a.Site)
}

// original answers a resend with the entry stored first.
func (b *batch) original(st *convState, seq uint64) (Appended, *convState, error) {
	pos := position(b.tx, st.rec.ID, st.rec.Indexed, st.tail, seq)
	_, frame, err := decodeEntry(b.log.Get(u64(pos)))
	if err != nil {
		return Appended{}, nil, fmt.Errorf("store: resend of entry %d/%d: %w", st.rec.ID, seq, err)
	}
	f, err := parley.DecodeFrame(frame)
	if err != nil {
		return Appended{}, nil, fmt.Errorf("store: entry %d/%d: %w", st.rec.ID, seq, err)
	}
	return Appended{Message: f.ToMessage(), Prev: f.PrevSeq(), Dup: true}, st, nil
}

// resolve finds the conversation an entry goes to, or returns a new,
// unsaved one with created set. It writes nothing.
func (b *batch) resolve(a Append) (st *convState, created bool, err error) {
	if a.Conv != 0 {
		st, err := b.state(a.Conv)
		if err != nil {
			return nil, false, err
		}
		if !b.mayWrite(a, st) {
			return nil, false, errConvNotFound(a.Conv)
		}
		return st, false, nil
	}
	if a.Visitor == 0 {
		return nil, false, parley.Errorf(parley.EInvalid, "Name the conversation.")
	}
	r, err := visitor(b.visitors, a.Visitor)
	if err != nil {
		return nil, false, err
	}
	if a.Site != "" && r.Visitor.Site != a.Site {
		return nil, false, parley.Errorf(parley.ENotFound, "Visitor %d not found.", a.Visitor)
	}
	ids := b.visitorConversations(a.Visitor)
	open := 0
	for i := len(ids) - 1; i >= 0; i-- {
		if !b.isOpen(ids[i]) {
			continue
		}
		open++
		if a.New {
			continue
		}
		st, err := b.state(ids[i])
		if err != nil {
			return nil, false, err
		}
		if st != nil {
			return st, false, nil
		}
	}
	if open >= parley.MaxOpenPerVisitor {
		return nil, false, parley.Errorf(parley.EConflict,
			"You have %d open conversations already: go on with one of them, or wait until one is closed.", open)
	}
	page := a.Page
	if page.URL == "" {
		page = r.Page
	}
	// What the shop vouched for wins over what the form says; otherwise
	// the form's answers are the newer word.
	name, email := cmp.Or(a.Name, r.Visitor.Name), cmp.Or(a.Email, r.Visitor.Email)
	if r.Visitor.Identity == parley.IdentityVerified {
		name, email = cmp.Or(r.Visitor.Name, a.Name), cmp.Or(r.Visitor.Email, a.Email)
	}
	return &convState{rec: convRecord{Conversation: parley.Conversation{
		Site:        r.Visitor.Site,
		Visitor:     r.Visitor.ID,
		VisitorName: name,
		Identity:    r.Visitor.Identity,
		Status:      parley.StatusQueued,
		Page:        page,
		Created:     b.now,
		Updated:     b.now,
		Queued:      b.now,
		Team:        a.Team,
		Topic:       a.Topic,
		Email:       email,
	}}}, true, nil
}

// createConversation numbers, indexes and writes a conversation from
// resolve.
func (b *batch) createConversation(st *convState) error {
	id, err := b.convs.NextSequence()
	if err != nil {
		return fmt.Errorf("store: numbering conversation: %w", err)
	}
	st.rec.ID = id
	st.rec.LogPos = b.pos
	if err := b.visitorConvs.Put(key2(st.rec.Visitor, id), []byte{}); err != nil {
		return fmt.Errorf("store: indexing conversation %d: %w", id, err)
	}
	if err := b.openConvs.Put(u64(id), []byte{}); err != nil {
		return fmt.Errorf("store: indexing conversation %d: %w", id, err)
	}
	b.d.states[id] = st
	return b.putRecord(st)
}

// add appends m as the next entry of st: it numbers it, stores it in the
// log, and updates st. It returns the entry as stored and the seq of the
// previous entry the visitor sees.
func (b *batch) add(st *convState, m parley.Message, internal, created, reopened bool, sender any) (parley.Message, uint64, error) {
	c := &st.rec
	m.Conv, m.Seq, m.At, m.Internal = c.ID, c.LastSeq+1, b.now.UnixMilli(), internal
	prev := c.PublicSeq
	f := parley.MessageFrame(m)
	if !internal && prev != m.Seq-1 {
		f.Prev = &prev
	}
	frame := f.Encode()
	h := entryHead{kind: entryKinds[m.Kind], internal: internal, conv: c.ID, seq: m.Seq}
	pos := b.pos + 1
	if err := b.log.Put(u64(pos), encodeEntry(h, frame)); err != nil {
		return m, 0, fmt.Errorf("store: writing entry %d/%d: %w", m.Conv, m.Seq, err)
	}
	b.pos = pos
	if err := c.apply(pos, h, &f, nil); err != nil {
		return m, 0, err
	}
	st.addTail(pos, m.Seq, idHash(m.From, m.ID))
	b.d.tailLen++
	b.d.markDirty(st, pos)
	b.touched[c.ID] = st
	if m.Kind == parley.KindEvent {
		b.d.track(&c.Conversation)
	}
	b.committed = append(b.committed, Committed{Message: m, Frame: frame, Conv: c.Conversation, Created: created, Reopened: reopened, Sender: sender, Pos: pos})
	return m, prev, nil
}

// addRead appends a read mark to the log and applies it to st.
func (b *batch) addRead(st *convState, from parley.Author, seq uint64) error {
	f := parley.Frame{Type: parley.TypeRead, Conv: st.rec.ID, Seq: seq, From: &from}
	h := entryHead{kind: entryRead, conv: st.rec.ID}
	pos := b.pos + 1
	if err := b.log.Put(u64(pos), encodeEntry(h, f.Encode())); err != nil {
		return fmt.Errorf("store: writing read mark of %d: %w", st.rec.ID, err)
	}
	b.pos = pos
	count := func(after uint64) (int, error) {
		return countVisitorMessages(b.tx, st.rec.ID, st.rec.Indexed, st.tail, after)
	}
	if err := st.rec.apply(pos, h, &f, count); err != nil {
		return err
	}
	b.d.markDirty(st, pos)
	b.touched[st.rec.ID] = st
	return nil
}

func (b *batch) siteName(id string) string {
	var s parley.Site
	if v := b.sites.Get([]byte(id)); v != nil && decode(v, &s) == nil && s.Name != "" {
		return s.Name
	}
	return id
}

// Messages calls fn with the stored msg frames of conv whose seq is above
// after, in seq order, at most limit of them (limit <= 0: all): every
// entry, as agents see them. The frames are copied out and the read
// transaction is over before fn runs, so a slow fn (a socket write) never
// holds the database.
func (d *DB) Messages(conv, after uint64, limit int, fn func(frame []byte) error) error {
	return d.messages(conv, after, limit, false, fn)
}

// VisitorMessages is Messages as the conversation's visitor sees it:
// without the agents-only entries.
func (d *DB) VisitorMessages(conv, after uint64, limit int, fn func(frame []byte) error) error {
	return d.messages(conv, after, limit, true, fn)
}

func (d *DB) messages(conv, after uint64, limit int, visitor bool, fn func(frame []byte) error) error {
	var buf []byte
	var ends []int
	err := d.eachEntry(conv, after, limit, visitor, func(tx *bolt.Tx, each func(fn func(frame []byte)) error) error {
		// Measure first, then copy into one exact buffer: growing it frame
		// by frame costs more than walking the entries twice.
		n, size := 0, 0
		if err := each(func(f []byte) { n, size = n+1, size+len(f) }); err != nil || n == 0 {
			return err
		}
		buf = make([]byte, 0, size)
		ends = make([]int, 0, n)
		return each(func(f []byte) {
			buf = append(buf, f...)
			ends = append(ends, len(buf))
		})
	})
	if err != nil {
		return err
	}
	start := 0
	for _, end := range ends {
		if err := fn(buf[start:end:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// AppendTranscript appends the stored msg frames of conv with seq > after,
// at most limit (<= 0: all), as agents see them, separated by commas, to
// dst: the body of a JSON array, copied once, straight from the file. It
// holds the read transaction only while copying, so it suits callers that
// write the result afterwards (the HTTP API), not a socket frame by frame.
func (d *DB) AppendTranscript(dst []byte, conv, after uint64, limit int) ([]byte, error) {
	err := d.eachEntry(conv, after, limit, false, func(_ *bolt.Tx, each func(fn func(frame []byte)) error) error {
		first := true
		return each(func(f []byte) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f...)
		})
	})
	return dst, err
}

// eachEntry runs fn in a read transaction with each, which calls its
// argument with the stored frames of conv after seq after, at most limit
// (<= 0: all), in seq order; for a visitor, only those they may see. each
// may be called more than once and sees the same frames every time. The
// bytes are bbolt's: valid only inside fn.
func (d *DB) eachEntry(conv, after uint64, limit int, visitor bool, fn func(tx *bolt.Tx, each func(func(frame []byte)) error) error) error {
	return d.withConv(conv, func(tx *bolt.Tx, rec *convRecord, tail []uint64) error {
		return fn(tx, func(use func(frame []byte)) error {
			log := logReader{c: tx.Bucket(bucketLog).Cursor()}
			n := 0
			var err error
			eachPosition(tx, conv, rec.Indexed, tail, after, func(seq, pos uint64) bool {
				var h entryHead
				var frame []byte
				if h, frame, err = decodeEntry(log.get(pos)); err != nil {
					err = fmt.Errorf("store: entry %d/%d: %w", conv, seq, err)
					return false
				}
				if visitor && h.internal {
					return true
				}
				use(frame)
				n++
				return limit <= 0 || n < limit
			})
			return err
		})
	})
}

// logReader reads log entries at growing positions. A conversation's
// entries are near each other in the log, often next to each other, so
// stepping forward from the last one read beats a search from the root.
type logReader struct {
	c   *bolt.Cursor
	key []byte
	val []byte
	buf [8]byte
}

// logStep is how far ahead a position may be for get to step to it.
const logStep = 16

// get returns the value at pos, or nil.
func (r *logReader) get(pos uint64) []byte {
	if r.key != nil {
		if at := be64(r.key); at < pos && pos-at <= logStep {
			for r.key != nil && be64(r.key) < pos {
				r.key, r.val = r.c.Next()
			}
			if r.key != nil && be64(r.key) == pos {
				return r.val
			}
		}
	}
	binary.BigEndian.PutUint64(r.buf[:], pos)
	r.key, r.val = r.c.Seek(r.buf[:])
	if r.key == nil || be64(r.key) != pos {
		return nil
	}
	return r.val
}

// countVisitorMessages counts the visitor's chat messages in conv after
// seq. Only a read mark short of the newest entry needs it, so Unread is
// otherwise kept by counting as messages arrive.
func countVisitorMessages(tx *bolt.Tx, conv, indexed uint64, tail []uint64, after uint64) (int, error) {
	log := tx.Bucket(bucketLog)
	n := 0
	var err error
	eachPosition(tx, conv, indexed, tail, after, func(seq, pos uint64) bool {
		var h entryHead
		var frame []byte
		if h, frame, err = decodeEntry(log.Get(u64(pos))); err != nil {
			return false
		}
		if h.kind != entryMessage {
			return true
		}
		var f parley.Frame
		if f, err = parley.DecodeFrame(frame); err != nil {
			err = fmt.Errorf("store: entry %d/%d: %w", conv, seq, err)
			return false
		}
		if f.From != nil && f.From.Kind == parley.AuthorVisitor {
			n++
		}
		return true
	})
	return n, err
}
