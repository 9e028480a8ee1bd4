package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// Verified identity: a visitor is a contact, a token one of their devices
// (as with resume links, resume.go). A verified identify makes the device
// one more device of the visitor with that external id, through the
// contacts index; the signature is checked by the caller, with the site's
// identity secret kept here.

// IdentitySecret returns the identity secret of site, "" if none was made
// yet. A missing site is ENotFound.
func (d *DB) IdentitySecret(site string) (string, error) {
	var secret string
	err := d.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		secret = string(tx.Bucket(bucketIdentitySecrets).Get([]byte(site)))
		return nil
	})
	return secret, err
}

// SetIdentitySecret makes secret the identity secret of site: the one
// before it stops verifying at once. Rotation is rare and an owner's act,
// off the hot path: its own transaction, like PutSite.
func (d *DB) SetIdentitySecret(site, secret string) error {
	if secret == "" {
		return parley.Errorf(parley.EInvalid, "An identity secret may not be empty.")
	}
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		if err := tx.Bucket(bucketIdentitySecrets).Put([]byte(site), []byte(secret)); err != nil {
			return fmt.Errorf("store: writing identity secret: %w", err)
		}
		return nil
	})
}

// IdentifyRequest is one identify of the device of Visitor, on Site.
type IdentifyRequest struct {
	Site    string
	Visitor uint64
	parley.Identify
	// Verified: the caller checked the signature. Only then is ExternalID
	// kept, and may the device become another visitor.
	Verified bool
	// TokenHash is the hash of a new token for the device, used only if
	// it becomes another visitor.
	TokenHash []byte
}

// IdentifyResult is what an identify did.
type IdentifyResult struct {
	// Visitor is whom the device is now.
	Visitor parley.Visitor
	// Moved: Visitor is another visitor than the request's, and
	// TokenHash is now one of their tokens. The device's old token stays
	// its old visitor's, with that visitor's conversations.
	Moved bool
	// Changed are Visitor's open conversations whose name, email or
	// identity changed.
	Changed []parley.Conversation
}

func contactKey(site, externalID string) []byte {
	k := make([]byte, 0, len(site)+1+len(externalID))
	return append(append(append(k, site...), 0), externalID...)
}

// ContactByExternalID returns the visitor of site with the verified
// external id, ENotFound if none.
func (d *DB) ContactByExternalID(site, externalID string) (parley.Visitor, error) {
	var r visitorRecord
	err := d.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketContacts).Get(contactKey(site, externalID))
		if len(id) != 8 {
			return parley.Errorf(parley.ENotFound, "Unknown contact.")
		}
		var err error
		r, err = visitor(tx.Bucket(bucketVisitors), binary.BigEndian.Uint64(id))
		return err
	})
	return r.Visitor, err
}

// Identify applies an identify, in one transaction:
//
//   - unverified: the name and email become the visitor's display data,
//     marked unverified; nothing else. A verified visitor is not changed
//     by an unsigned identify: EForbidden.
//   - verified, the external id unknown: the visitor becomes that contact
//     (a visitor verified as someone else: a new visitor does, with the
//     device's new token — a shared computer must not join two people).
//   - verified, the external id another visitor's: the device becomes one
//     more device of that visitor (TokenHash is added to its tokens).
//
// The same identify twice changes nothing the second time.
func (d *DB) Identify(ctx context.Context, req IdentifyRequest) (IdentifyResult, error) {
	if req.Verified && len(req.TokenHash) == 0 {
		return IdentifyResult{}, parley.Errorf(parley.EInvalid, "A verified identify needs a token hash.")
	}
	var res IdentifyResult
	var changed []*convState
	err := d.do(ctx, func(b *batch) error {
		r, err := visitor(b.visitors, req.Visitor)
		if parley.ErrorCode(err) == parley.ENotFound || err == nil && r.Visitor.Site != req.Site {
			return parley.Errorf(parley.ENotFound, "Unknown visitor.")
		} else if err != nil {
			return err
		}
		if !req.Verified {
			if r.Visitor.Identity == parley.IdentityVerified {
				return parley.Errorf(parley.EForbidden, "This visitor's identity is verified: an unsigned identify cannot change it.")
			}
			r.Visitor.Name = cmp.Or(req.Name, r.Visitor.Name)
			r.Visitor.Email = cmp.Or(req.Email, r.Visitor.Email)
			r.Visitor.Identity = parley.IdentityUnverified
		} else if r, res.Moved, err = b.contactFor(r, req); err != nil {
			return err
		}
		if err := putVisitor(b.visitors, r); err != nil {
			return err
		}
		res.Visitor = r.Visitor
		changed, err = b.restyleConversations(r.Visitor)
		return err
	}, func() { res.Changed = deref(changed) })
	if err != nil {
		return IdentifyResult{}, err
	}
	return res, nil
}

// contactFor returns the contact record a verified identify of the device
// of r makes it, with the identify's name and email, and whether the
// device moved to it (its new token indexed).
func (b *batch) contactFor(r visitorRecord, req IdentifyRequest) (visitorRecord, bool, error) {
	contacts := b.tx.Bucket(bucketContacts)
	key := contactKey(req.Site, req.ExternalID)
	var target visitorRecord
	switch id := contacts.Get(key); {
	case len(id) == 8 && binary.BigEndian.Uint64(id) == r.Visitor.ID:
		target = r
	case len(id) == 8:
		var err error
		if target, err = visitor(b.visitors, binary.BigEndian.Uint64(id)); err != nil {
			return r, false, err
		}
	case r.Visitor.ExternalID == "":
		// This visitor becomes the contact, with their conversations.
		r.Visitor.ExternalID = req.ExternalID
		target = r
		if err := contacts.Put(key, u64(r.Visitor.ID)); err != nil {
			return r, false, fmt.Errorf("store: indexing contact: %w", err)
		}
	default:
		// Verified as someone else: a new contact, on a new visitor.
		id, err := b.visitors.NextSequence()
		if err != nil {
			return r, false, fmt.Errorf("store: numbering visitor: %w", err)
		}
		target = visitorRecord{Visitor: parley.Visitor{ID: id, Site: req.Site, Name: fmt.Sprintf("Visitor %d", id),
			Created: b.now, ExternalID: req.ExternalID}, Page: r.Page}
		if err := contacts.Put(key, u64(id)); err != nil {
			return r, false, fmt.Errorf("store: indexing contact: %w", err)
		}
	}
	target.Visitor.Identity = parley.IdentityVerified
	target.Visitor.Name = cmp.Or(req.Name, target.Visitor.Name)
	target.Visitor.Email = cmp.Or(req.Email, target.Visitor.Email)
	if target.Visitor.ID == r.Visitor.ID {
		return target, false, nil
	}
	tokens := b.tx.Bucket(bucketVisitorTokens)
	if tokens.Get(req.TokenHash) != nil {
		return r, false, parley.Errorf(parley.EConflict, "Visitor token is taken.")
	}
	if err := tokens.Put(req.TokenHash, u64(target.Visitor.ID)); err != nil {
		return r, false, fmt.Errorf("store: indexing visitor token: %w", err)
	}
	return target, true, nil
}

// restyleConversations gives v's open conversations v's name, email and
// identity, and returns those that changed.
func (b *batch) restyleConversations(v parley.Visitor) ([]*convState, error) {
	var changed []*convState
	for _, id := range b.visitorConversations(v.ID) {
		if !b.isOpen(id) {
			continue
		}
		st, err := b.state(id)
		if err != nil {
			return nil, err
		}
		if st == nil {
			continue
		}
		c := &st.rec.Conversation
		name, email := cmp.Or(v.Name, c.VisitorName), cmp.Or(v.Email, c.Email)
		if c.VisitorName == name && c.Email == email && c.Identity == v.Identity {
			continue
		}
		c.VisitorName, c.Email, c.Identity = name, email, v.Identity
		if err := b.putRecord(st); err != nil {
			return nil, err
		}
		changed = append(changed, st)
	}
	return changed, nil
}
