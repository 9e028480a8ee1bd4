package web

import (
	"sync"
	"time"
)

// typingGate coalesces the typing states fanned out to a conversation's
// followers: one author's repeated "still typing" within typingEvery is
// dropped, a change of state always passes. However many tabs or
// connections an author types from, agents get at most one typing frame
// per author and conversation every typingEvery.
type typingGate struct {
	mu   sync.Mutex
	last map[typingKey]typingSeen
}

type typingKey struct {
	conv   uint64
	kind   string
	author uint64
}

type typingSeen struct {
	on    bool
	draft string
	at    time.Time
}

const (
	// typingEvery is below the clients' 3 s between "still typing"
	// frames and well below the 6 s after which receivers expire one.
	typingEvery = 2 * time.Second
	// previewEvery paces a typing preview's drafts: agents read along
	// about as fast as the widget sends (widget: PreviewEvery).
	previewEvery = time.Second
	// typingMax bounds the gate's memory; past it, entries older than
	// typingEvery are forgotten (they would pass anyway).
	typingMax = 10000
)

// pass says whether a typing state of author in conv, with the draft of
// a typing preview ("" without), goes out now. A changed draft goes out at
// most every previewEvery.
func (g *typingGate) pass(k typingKey, on bool, draft string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == nil {
		g.last = make(map[typingKey]typingSeen)
	}
	if s, ok := g.last[k]; ok && s.on == on {
		switch since := now.Sub(s.at); {
		case draft != s.draft && since < previewEvery, draft == s.draft && since < typingEvery:
			return false
		}
	}
	if len(g.last) >= typingMax {
		for key, s := range g.last {
			if now.Sub(s.at) >= typingEvery {
				delete(g.last, key)
			}
		}
	}
	g.last[k] = typingSeen{on: on, draft: draft, at: now}
	return true
}
