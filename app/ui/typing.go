package ui

import (
	"sort"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
)

// Typing timings from the protocol: a typer repeats "on" at most every
// TypingRepeat, says "off" after TypingIdle without a key, and receivers
// forget a state after TypingExpiry in case the "off" never comes.
const (
	TypingRepeat = 3 * time.Second
	TypingIdle   = 4 * time.Second
	TypingExpiry = 6 * time.Second
)

// Typing is who is typing on the other side, each state expiring by itself.
type Typing struct {
	until map[string]time.Time
}

// Set records name's typing state as of now.
func (t *Typing) Set(name string, on bool, now time.Time) {
	if !on {
		delete(t.until, name)
		return
	}
	if t.until == nil {
		t.until = make(map[string]time.Time)
	}
	for n, until := range t.until {
		if !now.Before(until) {
			delete(t.until, n)
		}
	}
	t.until[name] = now.Add(TypingExpiry)
}

// Names returns who is typing at now, sorted.
func (t *Typing) Names(now time.Time) []string {
	var names []string
	for name, until := range t.until {
		if now.Before(until) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// TypingText says who is typing, in words.
func TypingText(names []string) string { return TypingTextIn(i18n.EN, names) }

// TypingTextIn is TypingText in language l.
func TypingTextIn(l i18n.Lang, names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return l.T("%s is typing…", names[0])
	case 2:
		return l.T("%s and %s are typing…", names[0], names[1])
	default:
		return l.T("Several people are typing…")
	}
}

// TypingSignal decides when to tell the other side that we type: "on" at
// most every TypingRepeat while keys are pressed, "off" once TypingIdle has
// passed without a key, or at once when the message is sent.
type TypingSignal struct {
	on        bool
	lastOn    time.Time
	lastInput time.Time
}

// Input records a key press at now and reports whether to send "on".
func (s *TypingSignal) Input(now time.Time) bool {
	s.lastInput = now
	if s.on && now.Sub(s.lastOn) < TypingRepeat {
		return false
	}
	s.on, s.lastOn = true, now
	return true
}

// Idle reports, when checked at now, whether the typer stopped long enough
// ago that "off" must be sent.
func (s *TypingSignal) Idle(now time.Time) bool {
	if !s.on || now.Sub(s.lastInput) < TypingIdle {
		return false
	}
	s.on = false
	return true
}

// Stop reports whether "off" must be sent because the message went out.
func (s *TypingSignal) Stop() bool {
	was := s.on
	s.on = false
	return was
}

// Active reports whether "on" was sent and "off" not yet.
func (s *TypingSignal) Active() bool { return s.on }

// TypingNotifier drives a TypingSignal from a component's edits: Input on
// every edit, Stop when the message goes out. send delivers the frames.
type TypingNotifier struct {
	sig      TypingSignal
	checking bool
	send     func(on bool)
}

// Input records an edit; send is used for this and the coming "off".
func (n *TypingNotifier) Input(ctx app.Context, send func(on bool)) {
	n.send = send
	if n.sig.Input(time.Now()) {
		send(true)
	}
	n.checkLater(ctx)
}

// Stop sends "off" if "on" was the last thing sent.
func (n *TypingNotifier) Stop() {
	if n.sig.Stop() && n.send != nil {
		n.send(false)
	}
}

func (n *TypingNotifier) checkLater(ctx app.Context) {
	if n.checking {
		return
	}
	n.checking = true
	ctx.After(TypingIdle, func(ctx app.Context) {
		n.checking = false
		if n.sig.Idle(time.Now()) {
			n.send(false)
		} else if n.sig.Active() {
			n.checkLater(ctx)
		}
		ctx.PreventUpdate()
	})
}
