package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// Verified identity (app/parley/identity.go). The shop's server signs its
// customer's id with the site's identity secret; the page hands id and
// signature to Parley('identify', …); the widget sends an identify frame.
//
//	GET  /api/sites/{id}/identity-secret  {secret} ("" before the first)
//	POST /api/sites/{id}/identity-secret  a new secret → {secret}
//
// Both are for the site's owners and admins: a secret lets its holder
// speak as any customer of the shop. A new secret replaces the old one at
// once, with no grace period: rotating is what one does when a secret
// leaked, and a leaked secret that kept working for a while would defeat
// it. Signatures the shop's pages already carry stop verifying: their
// identify is then unverified until the pages are signed again.

// closeIdentified closes a visitor's socket whose device became another
// visitor: the client says hello again with the token it was just given.
const (
	closeIdentified  = websocket.StatusServiceRestart
	reasonIdentified = "identified"
)

// NewIdentitySecret returns a new identity secret: 32 bytes of crypto/rand
// as 64 hex digits, easy to paste into any shop's configuration.
func NewIdentitySecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// IdentitySignature is what the shop's server computes: lowercase hex of
// HMAC-SHA256(secret, externalID).
func IdentitySignature(secret, externalID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(externalID))
	return hex.EncodeToString(m.Sum(nil))
}

// verifyIdentity reports whether signature signs externalID with secret,
// in constant time. No secret verifies nothing.
func verifyIdentity(secret, externalID, signature string) bool {
	if secret == "" {
		return false
	}
	got, err := hex.DecodeString(signature)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(externalID))
	return hmac.Equal(got, m.Sum(nil))
}

// errBadSignature explains an identify whose signature did not verify.
var errBadSignature = parley.Errorf(parley.EForbidden, "The identity signature does not match this id and the site's identity secret: the name and email are shown to agents as unverified, and no history is shared.")

// identify is the shop saying who the visitor is:
// {"type":"identify","id","externalId","name","email","signature"}. The
// answer is identified, with the visitor the device is now; when the
// device became another visitor (the contact with that id), it carries
// the device's new token and the socket closes, so that the client says
// hello again as them. A signature that does not verify makes the
// identify unverified display data, and identified says why (code and
// message).
func (c *conn) identify(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "Only a visitor's widget identifies its visitor."), id)
		return
	}
	who, err := parley.CheckIdentify(f)
	if err != nil {
		c.refuse(err, id)
		return
	}
	verified := false
	if who.Signature != "" {
		secret, err := c.s.store.IdentitySecret(c.site)
		if err != nil {
			c.refuse(err, id)
			return
		}
		verified = verifyIdentity(secret, who.ExternalID, who.Signature)
	}
	token := ""
	req := store.IdentifyRequest{Site: c.site, Visitor: c.visitor.ID, Identify: who, Verified: verified}
	if verified {
		token = NewToken()
		req.TokenHash = TokenHash(token)
	}
	res, err := c.s.store.Identify(c.ctx, req)
	if err != nil {
		if c.ctx.Err() == nil {
			c.refuse(err, id)
		}
		return
	}
	for _, conv := range res.Changed {
		c.s.touchSearch(conv) // its name or email
		c.s.publishConv(conv)
	}
	answer := parley.Frame{Type: parley.TypeIdentified, ID: id, Visitor: &res.Visitor}
	if who.Signature != "" && !verified {
		answer.Code, answer.Message = parley.ErrorCode(errBadSignature), parley.ErrorMessage(errBadSignature)
	}
	if !res.Moved {
		c.visitor = res.Visitor
		c.author.Name = res.Visitor.Name
		c.enqueue(outItem{frame: answer.Encode()})
		return
	}
	// This socket is the old visitor's: subscribed to their conversations
	// only. The client comes back as the contact.
	answer.Token = token
	c.enqueue(outItem{ctl: &control{frame: answer.Encode(), closeCode: closeIdentified, closeReason: reasonIdentified}})
}

type identitySecretResponse struct {
	Secret string `json:"secret"`
}

// identitySecretSite checks that a may see and rotate site's identity
// secret: a non-member gets 404, a plain agent 403.
func (s *Server) identitySecretSite(w http.ResponseWriter, r *http.Request, a parley.Agent) (string, bool) {
	site := r.PathValue("id")
	role, err := s.siteRole(site, a)
	if err == nil && !parley.CanManageSite(role) {
		err = parley.Errorf(parley.EForbidden, "Only the site's owners and admins may see its identity secret.")
	}
	if err != nil {
		s.apiError(w, r, err)
		return "", false
	}
	return site, true
}

// handleIdentitySecret is GET /api/sites/{id}/identity-secret.
func (s *Server) handleIdentitySecret(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	site, ok := s.identitySecretSite(w, r, a)
	if !ok {
		return
	}
	secret, err := s.store.IdentitySecret(site)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, identitySecretResponse{Secret: secret})
}

// handleRotateIdentitySecret is POST /api/sites/{id}/identity-secret: a
// new secret, the old one refused from now on.
func (s *Server) handleRotateIdentitySecret(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	site, ok := s.identitySecretSite(w, r, a)
	if !ok {
		return
	}
	secret := NewIdentitySecret()
	if err := s.store.SetIdentitySecret(site, secret); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, identitySecretResponse{Secret: secret})
}
