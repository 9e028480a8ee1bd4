package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// maxBlockReason bounds a block's reason, in runes.
const maxBlockReason = 500

// blockRequest is the body of POST /api/conversations/{id}/block.
type blockRequest struct {
	Visitor bool `json:"visitor"`
	Address bool `json:"address"`
	// Hours is how long: 1, 24, 168 (a week), up to maxBlockHours (a year,
	// "permanent").
	Hours  json.Number `json:"hours"`
	Reason string      `json:"reason"`
}

// blockedConversation reads conversation {id} for agent a: any member of
// its site may block its visitor; others are answered as for a missing one.
func (s *Server) blockedConversation(r *http.Request, a parley.Agent) (parley.Conversation, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return parley.Conversation{}, parley.Errorf(parley.EInvalid, "Conversation id must be a number.")
	}
	conv, err := s.store.Conversation(id)
	if err == nil {
		_, err = s.siteRole(conv.Site, a)
	}
	if parley.ErrorCode(err) == parley.ENotFound {
		err = errNoConversation
	}
	return conv, err
}

// handleBlock is POST /api/conversations/{id}/block: the conversation's
// visitor, their address, or both, may no longer write to the site until
// the block ends. Their open sockets are closed at once.
func (s *Server) handleBlock(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	conv, err := s.blockedConversation(r, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req blockRequest
	if err := decodeJSON(w, r, &req, 4<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	hours, err := strconv.Atoi(req.Hours.String())
	if err != nil || hours < 1 || hours > maxBlockHours {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "hours must be a whole number from 1 to %d (a year).", maxBlockHours))
		return
	}
	if !req.Visitor && !req.Address {
		s.apiError(w, r, errBlockNeedsTarget)
		return
	}
	reason := strings.TrimSpace(req.Reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxBlockReason {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "The reason is at most %d characters of text.", maxBlockReason))
		return
	}
	now := s.abuse.now()
	b := store.Block{Site: conv.Site, Visitor: conv.Visitor, Until: now.Add(time.Duration(hours) * time.Hour), Reason: reason, By: a.ID, At: now}
	var blocks []store.Block
	if req.Visitor {
		blocks = append(blocks, b)
	}
	if req.Address {
		addr, ok := s.abuse.addressOf(conv.Visitor)
		if !ok {
			s.apiError(w, r, errAddressNotKnown)
			return
		}
		b.Address = addr.String()
		blocks = append(blocks, b)
	}
	if err := s.store.PutBlocks(now, blocks...); err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, c := range s.abuse.block(blocks) {
		c.kick()
	}
	what := "the visitor"
	switch {
	case req.Visitor && req.Address:
		what = "the visitor and their address"
	case req.Address:
		what = "the visitor's address"
	}
	text := fmt.Sprintf("%s blocked %s for %s", a.Name, what, blockSpan(hours))
	if reason != "" {
		text += ": " + reason
	}
	s.noteBlock(r.Context(), conv, a, parley.EventBlocked, text)
	writeJSON(w, http.StatusOK, map[string]any{"blocks": blocks})
}

// handleUnblock is DELETE /api/conversations/{id}/block: lifts the blocks
// made from this conversation's visitor, of them and of their address.
func (s *Server) handleUnblock(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	conv, err := s.blockedConversation(r, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	gone, err := s.store.DeleteVisitorBlocks(conv.Site, conv.Visitor)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.abuse.unblock(gone)
	if len(gone) > 0 {
		s.noteBlock(r.Context(), conv, a, parley.EventUnblocked, a.Name+" lifted the block")
	}
	writeJSON(w, http.StatusOK, map[string]any{"lifted": len(gone)})
}

// handleSiteBlocks is GET /api/sites/{id}/blocks: the site's current
// blocks, for its owners and admins.
func (s *Server) handleSiteBlocks(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	site := r.PathValue("id")
	role, err := s.siteRole(site, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !parley.CanManageSite(role) {
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "Only the site's owners and admins may list its blocks."))
		return
	}
	all, err := s.store.Blocks(site)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	now := s.abuse.now()
	current := make([]store.Block, 0, len(all))
	for _, b := range all {
		if now.Before(b.Until) {
			current = append(current, b)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"blocks": current})
}

// noteBlock writes the block, or its end, into the conversation's log for
// the agents. The block holds without it: a failure is only logged.
func (s *Server) noteBlock(ctx context.Context, conv parley.Conversation, a parley.Agent, event, text string) {
	_, err := s.store.Append(ctx, store.Append{Conv: conv.ID, From: parley.Author{Kind: parley.AuthorAgent, ID: a.ID, Name: a.Name},
		Kind: parley.KindEvent, Event: event, Internal: true, Text: text})
	if err != nil {
		s.log.Warn("web: noting a block", "conv", conv.ID, "err", err)
	}
}

// blockSpan says how long a block lasts, in words.
func blockSpan(hours int) string {
	switch {
	case hours == maxBlockHours:
		return "a year"
	case hours%(7*24) == 0:
		return plural(hours/(7*24), "week")
	case hours%24 == 0:
		return plural(hours/24, "day")
	}
	return plural(hours, "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
