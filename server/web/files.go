package web

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/files"
	"github.com/parley-chat/parley/server/store"
)

// Attachments. A participant uploads a file to a conversation
// (POST /api/files?conv=), then sends a message naming it by id. Nobody
// fetches a file by its id alone: a participant asks for the
// conversation's file key (GET /api/files/key?conv=), a signature of the
// conversation and an expiry, and reads /files/{id}?c=&exp=&sig=. One key
// covers every file of its conversation, so msg frames stay the same bytes
// for every follower, nothing is signed per message or per recipient, and
// a client asks once per conversation every fileKeyTTL.

// fileKeyTTL is how long a file key lasts.
const fileKeyTTL = 10 * time.Minute

// uploadFilenameHeader carries the file's name, percent-encoded (a header
// holds ASCII only). The body is the file itself: no multipart to parse.
const uploadFilenameHeader = "X-Parley-Filename"

// visitorAuthScheme is the Authorization scheme of a visitor's requests:
// "Visitor <token>". The widget, on Parley's own origin, sends it with
// fetch; a visitor has no cookie.
const visitorAuthScheme = "Visitor "

// imageSlots bounds how many images are decoded at once: a decode can
// take hundreds of MB, and the server runs on a few cores.
var imageSlots = make(chan struct{}, 2)

// participant is who asks for a conversation's files.
type participant struct {
	conv    parley.Conversation
	author  parley.Author
	visitor uint64 // for a visitor
}

// fileParticipant checks that the request comes from a participant of
// conversation conv: its visitor, by the token in Authorization, or an
// agent of its site, by session cookie (and, for a write, the CSRF token).
// Anyone else gets "no such conversation", exactly as for a missing one.
func (s *Server) fileParticipant(r *http.Request, convID uint64, write bool) (participant, error) {
	if s.files == nil {
		return participant{}, parley.Errorf(parley.EUnavailable, "This server does not keep files.")
	}
	if write {
		if err := s.checkSameOrigin(r); err != nil {
			return participant{}, err
		}
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, visitorAuthScheme) {
		if write && r.Header.Get("Origin") == "" {
			// The widget is a browser page on our origin: it always
			// sends one.
			return participant{}, parley.Errorf(parley.EForbidden, "Cross-site request refused.")
		}
		conv, err := s.store.Conversation(convID)
		if err != nil {
			return participant{}, mapNoConversation(err)
		}
		v, err := s.store.VisitorByToken(conv.Site, TokenHash(strings.TrimPrefix(auth, visitorAuthScheme)))
		if parley.ErrorCode(err) == parley.ENotFound || err == nil && v.ID != conv.Visitor {
			return participant{}, errNoConversation
		} else if err != nil {
			return participant{}, err
		}
		if write && s.abuse.blocked(conv.Site, v.ID, addrKey(clientAddr(r, s.cfg.TrustedProxies))) {
			// As for their messages: a blocked visitor uploads nothing.
			return participant{}, parley.Errorf(parley.EForbidden, "You can't send files here.")
		}
		return participant{conv: conv, visitor: v.ID, author: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID, Name: v.Name}}, nil
	}
	sess, a, err := s.sessionFromRequest(r)
	if err != nil {
		return participant{}, err
	}
	if write && !hmac.Equal([]byte(r.Header.Get(csrfHeader)), []byte(sess.CSRF)) {
		return participant{}, parley.Errorf(parley.EForbidden, "Missing or wrong %s header. Reload the console.", csrfHeader)
	}
	conv, err := s.store.Conversation(convID)
	if err == nil {
		_, err = s.siteRole(conv.Site, a)
	}
	if err != nil {
		return participant{}, mapNoConversation(err)
	}
	return participant{conv: conv, author: parley.Author{Kind: parley.AuthorAgent, ID: a.ID, Name: a.Name}}, nil
}

func mapNoConversation(err error) error {
	if parley.ErrorCode(err) == parley.ENotFound {
		return errNoConversation
	}
	return err
}

func convParam(r *http.Request, name string) (uint64, error) {
	id, err := strconv.ParseUint(r.URL.Query().Get(name), 10, 64)
	if err != nil || id == 0 {
		return 0, parley.Errorf(parley.EInvalid, "Name the conversation: %s must be its id.", name)
	}
	return id, nil
}

type fileResponse struct {
	File parley.File `json:"file"`
}

// handleUploadFile stores the request body as a file of a conversation:
// the site's limits checked on its real type, an image's metadata
// stripped.
func (s *Server) handleUploadFile(w http.ResponseWriter, r *http.Request) {
	convID, err := convParam(r, "conv")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	p, err := s.fileParticipant(r, convID, true)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	site, err := s.store.Site(p.conv.Site)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	limits := site.Files
	max := limits.Limit()
	if max == 0 {
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "This chat does not take files."))
		return
	}
	tooLarge := parley.Errorf(parley.ETooLarge, "The file is larger than %s, the largest this chat takes.", parley.FormatBytes(max))
	if r.ContentLength > max {
		s.apiError(w, r, tooLarge)
		return
	}
	name, err := url.PathUnescape(r.Header.Get(uploadFilenameHeader))
	if err != nil {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "The %s header must be percent-encoded.", uploadFilenameHeader))
		return
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(2 * time.Minute))
	_, err = buf.ReadFrom(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			err = tooLarge
		} else {
			err = parley.Errorf(parley.EInvalid, "The upload did not complete.")
		}
		s.apiError(w, r, err)
		return
	}
	data := buf.Bytes()
	// The site's types are checked on what the bytes are, not on the
	// name or the declared type: an .exe named photo.jpg is an .exe.
	if err := limits.Check(int64(len(data)), files.Sniff(data)); err != nil {
		s.apiError(w, r, err)
		return
	}
	imageSlots <- struct{}{}
	clean, err := files.Prepare(data)
	<-imageSlots
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	// Stored and recorded under the sweeper's read lock: a sweep never
	// sees the bytes without their record.
	s.sweeper.mu.RLock()
	defer s.sweeper.mu.RUnlock()
	id, err := s.files.Put(clean.Data)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	f := parley.File{ID: id, Name: parley.CleanFileName(name), Type: clean.Type, Size: int64(len(clean.Data)),
		Width: clean.Width, Height: clean.Height}
	f, err = s.store.AddFile(r.Context(), store.NewFile{Conv: p.conv.ID, Site: p.conv.Site, Visitor: p.visitor, By: p.author, File: f})
	if err != nil {
		s.apiError(w, r, mapNoConversation(err))
		return
	}
	writeJSON(w, http.StatusCreated, fileResponse{File: f})
}

// fileKey is what a participant needs to read a conversation's files: the
// query to add to /files/{id}, and when it stops working.
type fileKey struct {
	Query   string `json:"query"`
	Expires int64  `json:"expires"`
}

func (s *Server) handleFileKey(w http.ResponseWriter, r *http.Request) {
	convID, err := convParam(r, "conv")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	p, err := s.fileParticipant(r, convID, false)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	exp := time.Now().Add(fileKeyTTL).Unix()
	q := url.Values{"c": {strconv.FormatUint(p.conv.ID, 10)}, "exp": {strconv.FormatInt(exp, 10)},
		"sig": {b64.EncodeToString(s.fileSigner.fileMAC(p.conv.ID, exp))}}
	writeJSON(w, http.StatusOK, fileKey{Query: q.Encode(), Expires: exp})
}

// fileMAC signs a file key: conversation and expiry.
func (t tokenSigner) fileMAC(conv uint64, exp int64) []byte {
	body := binary.BigEndian.AppendUint64(nil, conv)
	body = binary.BigEndian.AppendUint64(body, uint64(exp))
	return t.mac("file", body)
}

// handleFile serves a file to whoever holds its conversation's file key.
// It is no page: it may not run script, be sniffed into HTML, or be
// framed, and only images show inline.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	if s.files == nil {
		s.pageError(w, r, parley.Errorf(parley.ENotFound, "File not found."))
		return
	}
	q := r.URL.Query()
	conv, err1 := strconv.ParseUint(q.Get("c"), 10, 64)
	exp, err2 := strconv.ParseInt(q.Get("exp"), 10, 64)
	sig, err3 := b64.DecodeString(q.Get("sig"))
	if err1 != nil || err2 != nil || err3 != nil || !hmac.Equal(sig, s.fileSigner.fileMAC(conv, exp)) {
		s.pageError(w, r, parley.Errorf(parley.EForbidden, "This file link is not valid."))
		return
	}
	if time.Now().Unix() > exp {
		s.pageError(w, r, parley.Errorf(parley.EForbidden, "This file link has expired: open the chat again to see the file."))
		return
	}
	id := r.PathValue("id")
	f, err := s.store.File(conv, id)
	if err != nil {
		// Another conversation's file, with this conversation's key, is
		// not there.
		s.pageError(w, r, err)
		return
	}
	fh, err := s.files.Open(id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer fh.Close()
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "private, max-age=600")
	disposition := "attachment"
	if f.IsImage() {
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition+"; filename*=UTF-8''"+url.PathEscape(f.Name))
	http.ServeContent(w, r, "", time.Time{}, fh)
}
