package web

import (
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// An agent's websocket lives no longer than the session it was opened
// with: logging out, changing the password (which ends the agent's other
// sessions), the operator's parley agent disable or passwd, and the
// session's expiry close it at once with 4001 "session
// ended". The server indexes agent connections by session for that; a
// visitor connection carries a nil pointer and nothing else.

const (
	closeSessionEnded  websocket.StatusCode = 4001
	reasonSessionEnded                      = "session ended"
)

// errNoSession is the refusal of an agent's hello on a connection whose
// upgrade carried no session cookie.
var errNoSession error = parley.Errorf(parley.EUnauthorized, "Please log in.")

// socketSession is the session an agent connection's upgrade request
// carried, or why it carried none that is valid.
type socketSession struct {
	err     error  // the session could not be used; the rest is unset
	hash    string // SHA-256 of the cookie token: the key of Server.sessionConns
	agent   parley.Agent
	expires time.Time
	// expiry closes the connection when the session expires; set once
	// the connection is registered.
	expiry *time.Timer
}

// socketSession reads the upgrade request's session cookie: nil without
// one, which is every visitor's case.
func (s *Server) socketSession(r *http.Request) *socketSession {
	if c, err := r.Cookie(sessionCookie); err != nil || c.Value == "" {
		return nil
	}
	sess, a, err := s.sessionFromRequest(r)
	if err != nil {
		return &socketSession{err: err}
	}
	return &socketSession{hash: string(sess.TokenHash), agent: a, expires: sess.Expires}
}

// addSessionConn indexes c by its session. s.connsMu is held.
func (s *Server) addSessionConn(c *conn) {
	set := s.sessionConns[c.session.hash]
	if set == nil {
		set = make(map[*conn]struct{}, 1)
		s.sessionConns[c.session.hash] = set
	}
	set[c] = struct{}{}
}

// removeSessionConn undoes addSessionConn. s.connsMu is held.
func (s *Server) removeSessionConn(c *conn) {
	set := s.sessionConns[c.session.hash]
	delete(set, c)
	if len(set) == 0 {
		delete(s.sessionConns, c.session.hash)
	}
}

// watchSession closes c when its session expires or turns out to be gone
// already: it may have been ended between the upgrade's read of it and
// c's registration, when endSessions could not see c yet. c is
// registered, so any later end finds it.
func (s *Server) watchSession(c *conn) {
	ss := c.session
	ss.expiry = time.AfterFunc(time.Until(ss.expires), c.endSession)
	if _, err := s.store.Session([]byte(ss.hash)); parley.ErrorCode(err) == parley.ENotFound {
		go c.endSession()
	}
}

// endSessions closes every connection opened with one of the sessions
// whose token hashes are given. It does not wait for the close handshakes.
func (s *Server) endSessions(hashes ...[]byte) {
	var ended []*conn
	s.connsMu.Lock()
	for _, h := range hashes {
		for c := range s.sessionConns[string(h)] {
			ended = append(ended, c)
		}
	}
	s.connsMu.Unlock()
	for _, c := range ended {
		go c.endSession()
	}
}

// EndSessions closes, at once and with 4001 "session ended", every
// websocket opened with one of the sessions whose token hashes are given:
// the store has removed those sessions (store.DB.SetAgentDisabled,
// ChangeAgentPassword) and the install's operator wants them gone now.
func (s *Server) EndSessions(hashes ...[]byte) { s.endSessions(hashes...) }

// endSession closes the connection because its session has ended.
func (c *conn) endSession() {
	c.closeWith(closeSessionEnded, reasonSessionEnded)
}
