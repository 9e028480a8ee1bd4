package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// statusFor maps an error code to its HTTP status: the one place that does.
func statusFor(err error) int {
	switch parley.ErrorCode(err) {
	case parley.EInvalid:
		return http.StatusBadRequest
	case parley.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case parley.EUnsupported:
		return http.StatusUnsupportedMediaType
	case parley.ERateLimited, parley.EChallenge: // a challenge is the socket's only, today
		return http.StatusTooManyRequests
	case parley.EUnauthorized:
		return http.StatusUnauthorized
	case parley.EForbidden:
		return http.StatusForbidden
	case parley.ENotFound:
		return http.StatusNotFound
	case parley.EConflict:
		return http.StatusConflict
	case parley.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// apiError writes err as {"code","message"}. Internal errors are logged and
// answered with a generic message.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	if parley.ErrorCode(err) == parley.EInternal {
		s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, statusFor(err), map[string]string{"code": parley.ErrorCode(err), "message": parley.ErrorMessage(err)})
}

// pageError answers a page request with a plain-text explanation.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if parley.ErrorCode(err) == parley.EInternal {
		s.log.Error("web: page failed", "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(statusFor(err))
	w.Write([]byte(parley.ErrorMessage(err) + "\n"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a JSON body of at most max bytes into v.
// bodyReadTimeout bounds the time to read a JSON request body, in
// nanoseconds (atomic: a test shortens it while other servers run).
var bodyReadTimeout atomic.Int64

func init() { bodyReadTimeout.Store(int64(10 * time.Second)) }

func decodeJSON(w http.ResponseWriter, r *http.Request, v any, max int64) error {
	// A body dripped a byte at a time must not hold the connection: the
	// bodies are small, and the whole of one gets bodyReadTimeout.
	// (The server has no ReadTimeout: it would also cut websockets.)
	limit := time.Duration(bodyReadTimeout.Load())
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(limit))
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return parley.Errorf(parley.ETooLarge, "The request body is larger than %d bytes.", max)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return parley.Errorf(parley.EInvalid, "The request body did not arrive within %v.", limit)
		}
		return parley.Errorf(parley.EInvalid, "The request body is not valid JSON: %v.", err)
	}
	return nil
}

// siteWithSnippet is a site as the console sees it, with the agent's role.
type siteWithSnippet struct {
	parley.Site
	Snippet string `json:"snippet"`
	Role    string `json:"role"`
	// Open is whether the site is within its business hours now, and
	// until when; absent for a site without hours.
	Open *parley.OpenState `json:"open,omitempty"`
}

// siteView is a site as the console gets it.
func (s *Server) siteView(site parley.Site, role string) siteWithSnippet {
	return siteWithSnippet{Site: site, Snippet: Snippet(s.cfg.PublicURL, site.ID), Role: role, Open: openState(site.Routing.Hours, time.Now())}
}

// openState is whether hours are open at now, nil when they are off or
// their zone is unknown here.
func openState(h parley.Hours, now time.Time) *parley.OpenState {
	if !h.Enabled {
		return nil
	}
	loc, err := time.LoadLocation(h.Zone)
	if err != nil {
		return nil
	}
	st := h.State(now, loc)
	return &st
}

// handleSites lists the sites the agent is a member of.
func (s *Server) handleSites(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	members, err := s.store.AgentSites(a.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]siteWithSnippet, 0, len(members))
	for _, m := range members {
		site, err := s.store.Site(m.Site)
		if parley.ErrorCode(err) == parley.ENotFound {
			continue
		} else if err != nil {
			s.apiError(w, r, err)
			return
		}
		out = append(out, s.siteView(site, m.Role))
	}
	writeJSON(w, http.StatusOK, out)
}

// errNoSite answers a missing site and another tenant's alike.
var errNoSite = parley.Errorf(parley.ENotFound, "No such site.")

// siteRole is agent a's role on site: a site it is no member of is
// answered exactly like a missing one.
func (s *Server) siteRole(site string, a parley.Agent) (string, error) {
	role, err := s.store.Role(site, a.ID)
	if parley.ErrorCode(err) == parley.ENotFound {
		return "", errNoSite
	}
	return role, err
}

func (s *Server) handleUpdateSite(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	role, err := s.siteRole(r.PathValue("id"), a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !parley.CanManageSite(role) {
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "Only the site's owners and admins may change its settings."))
		return
	}
	var site parley.Site
	if err := decodeJSON(w, r, &site, 64<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	site.ID = r.PathValue("id")
	site, err = site.Validate()
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	members, err := s.store.SiteMembers(site.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	isMember := make(map[uint64]bool, len(members))
	for _, m := range members {
		isMember[m.Agent] = true
	}
	if site.Routing, err = site.Routing.Validate(func(id uint64) bool { return isMember[id] }, time.LoadLocation); err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.store.PutSite(site); err != nil {
		s.apiError(w, r, err)
		return
	}
	// Teams and their members may have changed: queues, estimates and
	// counts with them.
	s.router.changed()
	writeJSON(w, http.StatusOK, s.siteView(site, role))
}

// maxTranscriptPage bounds one page of the messages API.
const maxTranscriptPage = 5000

// transcriptBufs holds response buffers for the messages API: a page of
// 1,000 messages is ~150 KB, and a fresh buffer of that size per request
// costs zeroing and page faults.
var transcriptBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledTranscript keeps rare huge pages from staying in the pool.
const maxPooledTranscript = 1 << 20

// handleMessages serves a transcript page from the stored bytes: no
// decoding and re-encoding of each message.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	conv, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "Conversation id must be a number."))
		return
	}
	// Another site's conversation is answered exactly like a missing one.
	c, err := s.store.Conversation(conv)
	if err == nil {
		_, err = s.siteRole(c.Site, a)
	}
	if err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoConversation
		}
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	after, limit := uint64(0), maxTranscriptPage
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "after must be a number."))
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxTranscriptPage {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "limit must be from 1 to %d.", maxTranscriptPage))
			return
		}
	}
	bp := transcriptBufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledTranscript {
			transcriptBufs.Put(bp)
		}
	}()
	body, err := s.store.AppendTranscript(append((*bp)[:0], `{"messages":[`...), conv, after, limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	body = append(body, "]}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	// With its length known, net/http writes the body as it is instead of
	// in chunks.
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
	*bp = body
}
