package web

import (
	"net/http"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// What POST /api/password accepts as a new password.
const (
	minNewPasswordChars = 10
	maxPasswordBytes    = 1024
)

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// handlePassword is POST /api/password: the agent changes its own
// password. The current password is checked like a login's, through the
// same throttle, so a stolen session cannot be used to guess it faster
// than the login form allows. On success every other session of the
// agent ends, with its websockets; this one stays.
//
// A wrong current password is 403, not 401: the session is fine, and a
// 401 would tell the console to log in again.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request, sess store.Session, a parley.Agent) {
	var req passwordRequest
	if err := decodeJSON(w, r, &req, 8<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	// The new password is checked first: refusing it costs no argon2 and
	// no throttle strike.
	if err := checkNewPassword(req.New); err != nil {
		s.apiError(w, r, err)
		return
	}
	ip := clientAddr(r, s.cfg.TrustedProxies)
	if wait := s.logins.admit(ip, a.Email); wait > 0 {
		s.throttled(w, r, wait)
		return
	}
	_, hash, err := s.store.AgentByEmail(a.Email)
	if err != nil {
		s.logins.cancel(ip)
		s.apiError(w, r, err)
		return
	}
	if len(req.Current) > maxPasswordBytes || !s.checkPassword(hash, req.Current) {
		s.logins.done(ip, a.Email, false)
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "The current password is wrong."))
		return
	}
	s.logins.done(ip, a.Email, true)

	newHash, err := HashPassword(req.New)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ended, err := s.store.ChangeAgentPassword(a.ID, newHash, sess.TokenHash)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.endSessions(ended...)
	w.WriteHeader(http.StatusNoContent)
}

// checkNewPassword says what is wrong with a new password, if anything.
func checkNewPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return parley.Errorf(parley.EInvalid, "The new password is not valid text.")
	case utf8.RuneCountInString(pw) < minNewPasswordChars:
		return parley.Errorf(parley.EInvalid, "The new password must be at least %d characters long.", minNewPasswordChars)
	case len(pw) > maxPasswordBytes:
		return parley.Errorf(parley.EInvalid, "The new password is longer than 1,024 bytes.")
	}
	return nil
}
