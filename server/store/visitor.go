package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// visitorRecord is how a visitor is stored, with the page they were last
// seen on: a conversation they start later begins there.
//
// Context is what agents see beside the visitor's conversations (see
// parley.VisitorContext); records from before it decode with an empty one.
type visitorRecord struct {
	Visitor parley.Visitor        `json:"visitor"`
	Page    parley.Page           `json:"page"`
	Context parley.VisitorContext `json:"context,omitzero"`
	// Resolved counts the contact's conversations resolved (each once)
	// since ratings were introduced; NPSAsked is when the Net Promoter
	// question was last asked of them (rating.go).
	Resolved int       `json:"resolved,omitempty"`
	NPSAsked time.Time `json:"npsAsked,omitzero"`
}

// CreateVisitor stores a new visitor of site, known from now on by the hash
// of their token. It assigns the ID, a name and the Created time.
func (d *DB) CreateVisitor(site string, tokenHash []byte) (parley.Visitor, error) {
	if len(tokenHash) == 0 {
		return parley.Visitor{}, parley.Errorf(parley.EInvalid, "A visitor needs a token hash.")
	}
	var v parley.Visitor
	err := d.do(context.Background(), func(b *batch) error {
		if b.sites.Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		tokens := b.tx.Bucket(bucketVisitorTokens)
		if tokens.Get(tokenHash) != nil {
			return parley.Errorf(parley.EConflict, "Visitor token is taken.")
		}
		id, err := b.visitors.NextSequence()
		if err != nil {
			return fmt.Errorf("store: numbering visitor: %w", err)
		}
		v = parley.Visitor{ID: id, Site: site, Name: fmt.Sprintf("Visitor %d", id), Created: b.now}
		if err := tokens.Put(tokenHash, u64(id)); err != nil {
			return fmt.Errorf("store: indexing visitor token: %w", err)
		}
		return putVisitor(b.visitors, visitorRecord{Visitor: v})
	}, nil)
	if err != nil {
		return parley.Visitor{}, err
	}
	return v, nil
}

// VisitorByToken returns the visitor of site whose token has the given hash.
// A token of another site is not found: tokens are bound to their site.
func (d *DB) VisitorByToken(site string, tokenHash []byte) (parley.Visitor, error) {
	var r visitorRecord
	err := d.view(func(tx *bolt.Tx) error {
		notFound := parley.Errorf(parley.ENotFound, "Unknown visitor.")
		id := tx.Bucket(bucketVisitorTokens).Get(tokenHash)
		if len(id) != 8 {
			return notFound
		}
		var err error
		r, err = visitor(tx.Bucket(bucketVisitors), binary.BigEndian.Uint64(id))
		if err != nil {
			return err
		}
		if r.Visitor.Site != site {
			return notFound
		}
		return nil
	})
	if err != nil {
		// Never hand out another site's visitor, even beside an error.
		return parley.Visitor{}, err
	}
	return r.Visitor, nil
}

// Visitor returns the visitor with the given id.
func (d *DB) Visitor(id uint64) (parley.Visitor, error) {
	var r visitorRecord
	err := d.view(func(tx *bolt.Tx) (err error) {
		r, err = visitor(tx.Bucket(bucketVisitors), id)
		return err
	})
	return r.Visitor, err
}

// SetPage remembers the page a visitor is on, for the conversation they
// start next, adds it to the pages of their context, and moves their open
// conversations to it. It returns the conversations that changed, and the
// context when it changed and the visitor has a conversation (nil
// otherwise: agents look at a context only beside a conversation).
func (d *DB) SetPage(visitorID uint64, page parley.Page) ([]parley.Conversation, *parley.VisitorContext, error) {
	var changed []*convState
	var out []parley.Conversation
	var ctxOut *parley.VisitorContext
	err := d.do(context.Background(), func(b *batch) error {
		r, err := visitor(b.visitors, visitorID)
		if err != nil {
			return err
		}
		ids := b.visitorConversations(visitorID)
		var open []*convState
		for _, id := range ids {
			if !b.isOpen(id) {
				continue
			}
			st, err := b.state(id)
			if err != nil {
				return err
			}
			if st != nil && st.rec.Page != page {
				open = append(open, st)
			}
		}
		// The page was checked by the caller; Apply cannot fail for one.
		visited, _ := r.Context.Apply(parley.ContextUpdate{Page: &page}, b.now)
		if r.Page != page || visited {
			r.Page = page
			if err := putVisitor(b.visitors, r); err != nil {
				return err
			}
		}
		if visited && len(ids) > 0 {
			c := r.Context
			ctxOut = &c
		}
		for _, st := range open {
			st.rec.Page = page
			// The log does not hold pages: write the record now.
			if err := b.putRecord(st); err != nil {
				return err
			}
		}
		changed = open
		return nil
	}, func() { out = deref(changed) })
	return out, ctxOut, err
}

// ContextChange is what UpdateContext did.
type ContextChange struct {
	Visitor parley.Visitor
	Context parley.VisitorContext
	// Changed: the update changed the context. Chatted: the visitor has a
	// conversation, so agents may be looking at the context.
	Changed, Chatted bool
}

// UpdateContext applies u to the context of a visitor and returns the
// visitor and the new context. It checks u first: a refused update stores
// nothing. Nothing is written when nothing changes.
func (d *DB) UpdateContext(visitorID uint64, u parley.ContextUpdate) (ContextChange, error) {
	if err := u.Check(); err != nil {
		return ContextChange{}, err
	}
	var r visitorRecord
	var changed, chatted bool
	// Most hellos say again what is stored (the same browser, the same
	// language): a read finds that out without a turn of the committer.
	err := d.view(func(tx *bolt.Tx) error {
		var err error
		if r, err = visitor(tx.Bucket(bucketVisitors), visitorID); err != nil {
			return err
		}
		changed, err = r.Context.Apply(u, time.Time{})
		return err
	})
	if err != nil {
		return ContextChange{}, err
	}
	if !changed {
		return ContextChange{Visitor: r.Visitor, Context: r.Context}, nil
	}
	err = d.do(context.Background(), func(b *batch) error {
		var err error
		if r, err = visitor(b.visitors, visitorID); err != nil {
			return err
		}
		if changed, err = r.Context.Apply(u, b.now); err != nil || !changed {
			return err
		}
		chatted = len(b.visitorConversations(visitorID)) > 0
		return putVisitor(b.visitors, r)
	}, nil)
	if err != nil {
		return ContextChange{}, err
	}
	return ContextChange{Visitor: r.Visitor, Context: r.Context, Changed: changed, Chatted: chatted}, nil
}

// VisitorWithContext returns a visitor and their context.
func (d *DB) VisitorWithContext(id uint64) (parley.Visitor, parley.VisitorContext, error) {
	var r visitorRecord
	err := d.view(func(tx *bolt.Tx) (err error) {
		r, err = visitor(tx.Bucket(bucketVisitors), id)
		return err
	})
	return r.Visitor, r.Context, err
}

func visitor(visitors *bolt.Bucket, id uint64) (visitorRecord, error) {
	var r visitorRecord
	v := visitors.Get(u64(id))
	if v == nil {
		return r, parley.Errorf(parley.ENotFound, "Visitor %d not found.", id)
	}
	return r, decode(v, &r)
}

func putVisitor(visitors *bolt.Bucket, r visitorRecord) error {
	v, err := encode(r)
	if err != nil {
		return err
	}
	if err := visitors.Put(u64(r.Visitor.ID), v); err != nil {
		return fmt.Errorf("store: writing visitor %d: %w", r.Visitor.ID, err)
	}
	return nil
}

// deref copies conversations out of the committer's cache.
func deref(cs []*convState) []parley.Conversation {
	out := make([]parley.Conversation, len(cs))
	for i, st := range cs {
		out[i] = st.rec.Conversation
	}
	return out
}
