package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

const (
	sessionCookie     = "parley_session"
	defaultSessionTTL = 30 * 24 * time.Hour
	csrfHeader        = "X-CSRF-Token"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash of pw in the PHC string format.
func HashPassword(pw string) ([]byte, error) {
	if len(pw) < 8 {
		return nil, parley.Errorf(parley.EInvalid, "The password must be at least 8 characters long.")
	}
	if len(pw) > 1024 {
		return nil, parley.Errorf(parley.EInvalid, "The password is longer than 1,024 bytes.")
	}
	salt := randomBytes(16)
	return phcString(salt, argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)), nil
}

// phcString formats an argon2id hash with our parameters.
func phcString(salt, key []byte) []byte {
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkPassword reports whether pw matches a hash made by HashPassword. The
// hash comes from the store, but a corrupted or tampered one must neither
// crash the server nor make one login allocate gigabytes: every parameter is
// bounded before argon2 runs.
func checkPassword(hash []byte, pw string) bool {
	parts := strings.Split(string(hash), "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return false
	}
	if t < 1 || t > 10 || p < 1 || p > 16 || m < 8*uint32(p) || m > 64<<10 { // at most 64 MiB
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the email is unknown, so a login for a
// missing account takes as long as one for an existing account. It has
// HashPassword's parameters but a random key, which no password needs to
// match: made with argon2 it would cost every start 19 MiB, held until the
// second GC.
var dummyHash = phcString(randomBytes(16), randomBytes(argonKeyLen))

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// NewToken returns 32 random bytes, base64url without padding.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is what the store keeps of a token.
func TokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func (s *Server) sessionFromRequest(r *http.Request) (store.Session, parley.Agent, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return store.Session{}, parley.Agent{}, parley.Errorf(parley.EUnauthorized, "Please log in.")
	}
	sess, err := s.store.Session(TokenHash(c.Value))
	if parley.ErrorCode(err) == parley.ENotFound {
		return store.Session{}, parley.Agent{}, parley.Errorf(parley.EUnauthorized, "Your session has expired. Please log in again.")
	} else if err != nil {
		return store.Session{}, parley.Agent{}, err
	}
	a, err := s.store.Agent(sess.AgentID)
	if parley.ErrorCode(err) == parley.ENotFound {
		return store.Session{}, parley.Agent{}, parley.Errorf(parley.EUnauthorized, "Please log in.")
	}
	return sess, a, err
}

type agentHandler func(w http.ResponseWriter, r *http.Request, sess store.Session, a parley.Agent)

// requireAgent lets through requests with a valid session and, when they
// change state, a same-origin Origin and the session's CSRF token.
func (s *Server) requireAgent(next agentHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, a, err := s.sessionFromRequest(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.checkSameOrigin(r); err != nil {
				s.apiError(w, r, err)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(sess.CSRF)) != 1 {
				s.apiError(w, r, parley.Errorf(parley.EForbidden, "Missing or wrong %s header. Reload the console.", csrfHeader))
				return
			}
		}
		next(w, r, sess, a)
	}
}

// checkSameOrigin refuses cross-site state-changing requests. Browsers send
// Origin on every POST/PUT/DELETE; tools that send none are let through,
// since they cannot carry a victim's cookie.
func (s *Server) checkSameOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			return parley.Errorf(parley.EForbidden, "Cross-site request refused.")
		}
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil {
		return parley.Errorf(parley.EForbidden, "Cross-site request refused.")
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	if pub, err := url.Parse(s.cfg.PublicURL); err == nil && strings.EqualFold(u.Host, pub.Host) && u.Scheme == pub.Scheme {
		return nil
	}
	return parley.Errorf(parley.EForbidden, "Cross-site request refused.")
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type sessionResponse struct {
	Agent parley.Agent `json:"agent"`
	CSRF  string       `json:"csrf"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := s.checkSameOrigin(r); err != nil {
		s.apiError(w, r, err)
		return
	}
	var req loginRequest
	if err := decodeJSON(w, r, &req, 4<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	ip := clientAddr(r, s.cfg.TrustedProxies)
	if wait := s.logins.admit(ip, email); wait > 0 {
		s.throttled(w, r, wait)
		return
	}
	a, hash, err := s.store.AgentByEmail(email)
	if err != nil && parley.ErrorCode(err) != parley.ENotFound {
		s.logins.cancel(ip)
		s.apiError(w, r, err)
		return
	}
	if err != nil {
		hash = dummyHash
	}
	// A disabled agent's password is still checked, so that its refusal
	// takes as long as any other and says the same: the answer tells
	// nobody which accounts exist or are disabled.
	disabled := false
	if err == nil {
		if disabled, err = s.store.AgentDisabled(a.ID); err != nil {
			s.logins.cancel(ip)
			s.apiError(w, r, err)
			return
		}
	}
	if !s.checkPassword(hash, req.Password) || err != nil || disabled {
		s.logins.done(ip, email, false)
		s.apiError(w, r, parley.Errorf(parley.EUnauthorized, "Wrong email or password."))
		return
	}
	s.logins.done(ip, email, true)

	token := NewToken()
	sess := store.Session{TokenHash: TokenHash(token), AgentID: a.ID, CSRF: NewToken(), Expires: time.Now().Add(s.cfg.SessionTTL)}
	if err := s.store.CreateSession(sess); parley.ErrorCode(err) == parley.EUnauthorized {
		// Disabled since the check above.
		s.apiError(w, r, parley.Errorf(parley.EUnauthorized, "Wrong email or password."))
		return
	} else if err != nil {
		s.apiError(w, r, err)
		return
	}
	// Under the base path: behind a shop's reverse proxy, the shop's own
	// pages must not receive the agent's session.
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: s.base() + "/", MaxAge: int(s.cfg.SessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, sessionResponse{Agent: a, CSRF: sess.CSRF})
}

// throttled answers an attempt the login throttle holds back: 429 with
// Retry-After.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	s.apiError(w, r, parley.Errorf(parley.ERateLimited, "Too many failed logins. Try again in %d %s.", secs, unit))
}

// handleLogout ends the session and closes the websockets opened with it.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, sess store.Session, a parley.Agent) {
	if err := s.store.DeleteSession(sess.TokenHash); err != nil {
		s.apiError(w, r, err)
		return
	}
	s.endSessions(sess.TokenHash)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: s.base() + "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, sess store.Session, a parley.Agent) {
	writeJSON(w, http.StatusOK, sessionResponse{Agent: a, CSRF: sess.CSRF})
}
