package visitor_test

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

func TestTranscriptOffered(t *testing.T) {
	for _, tc := range []struct {
		mail bool
		conv uint64
		want bool
	}{{false, 0, false}, {true, 0, false}, {false, 7, false}, {true, 7, true}} {
		if got := visitor.Offered(tc.mail, tc.conv); got != tc.want {
			t.Errorf("Offered(%v, %d) = %v, want %v", tc.mail, tc.conv, got, tc.want)
		}
	}
}

// TestTranscriptKnownAddress: with the conversation's address the request
// goes at once; without a refusal it counts as sent to it.
func TestTranscriptKnownAddress(t *testing.T) {
	var tr visitor.Transcript
	to, send := tr.Start("eve@example.com")
	if !send || to != "eve@example.com" || tr.Asking {
		t.Fatalf("Start = %q, %v (asking %v); want eve@example.com at once", to, send, tr.Asking)
	}
	tr.Sent("t1", to, true)
	if got, want := tr.Status, visitor.TranscriptSending; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	tr.Quiet("t0") // an older request's timer: not this one
	if got, want := tr.Status, visitor.TranscriptSending; got != want {
		t.Errorf("after another request's quiet: status = %q, want %q", got, want)
	}
	if tr.Apply(parley.Frame{Type: parley.TypeError, ID: "x", Message: "no"}) {
		t.Error("Apply took another request's error")
	}
	tr.Quiet("t1")
	if got, want := tr.Status, "Sent to eve@example.com."; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	// A late refusal of a request taken as sent is not this one's.
	if tr.Apply(parley.Frame{Type: parley.TypeError, ID: "t1", Message: "late"}) {
		t.Error("Apply took an error after the request counted as sent")
	}
}

// TestTranscriptAsksForAddress: without an address the input opens; a bad
// one is refused in place, a good one goes; a refusal shows the server's
// words and asks again.
func TestTranscriptAsksForAddress(t *testing.T) {
	var tr visitor.Transcript
	if _, send := tr.Start(""); send || !tr.Asking {
		t.Fatalf("Start without an address: send %v, asking %v; want the input", send, tr.Asking)
	}
	for _, bad := range []string{"", "eve", "eve@example", "eve @example.com"} {
		tr.Email = bad
		if _, send := tr.Submit(); send || tr.Problem == "" {
			t.Errorf("Submit(%q): send %v, problem %q; want refused", bad, send, tr.Problem)
		}
	}
	tr.Email = " eve@example.com "
	to, send := tr.Submit()
	if !send || to != "eve@example.com" || tr.Problem != "" {
		t.Fatalf("Submit = %q, %v, problem %q", to, send, tr.Problem)
	}
	tr.Sent("t2", to, true)
	if tr.Asking {
		t.Error("still asking once sent")
	}
	refusal := parley.Frame{Type: parley.TypeError, ID: "t2", Code: parley.EInvalid, Message: "That address bounced before."}
	if !tr.Apply(refusal) {
		t.Fatal("Apply ignored the refusal of the request")
	}
	if tr.Status != refusal.Message || !tr.Asking || tr.Email != "eve@example.com" {
		t.Errorf("after refusal: status %q, asking %v, email %q; want the server's words, the input again, the address kept", tr.Status, tr.Asking, tr.Email)
	}
	tr.Quiet("t2")
	if tr.Status != refusal.Message {
		t.Errorf("the quiet timer after a refusal changed the status to %q", tr.Status)
	}

	tr.Cancel()
	if tr.Asking {
		t.Error("Cancel left the input open")
	}
}

func TestTranscriptOffline(t *testing.T) {
	var tr visitor.Transcript
	tr.Start("eve@example.com")
	tr.Sent("", "eve@example.com", false)
	if got, want := tr.Status, visitor.TranscriptOffline; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
}

func TestTranscriptUnavailable(t *testing.T) {
	var tr visitor.Transcript
	tr.Start("eve@example.com")
	tr.Sent("t3", "eve@example.com", true)
	tr.Apply(parley.Frame{Type: parley.TypeError, ID: "t3", Code: parley.EUnavailable, Message: "Email is off on this site."})
	if tr.Asking || tr.Status != "Email is off on this site." {
		t.Errorf("unavailable: asking %v, status %q; want the message, no input", tr.Asking, tr.Status)
	}
}

// TestChatKnowsTheEmail: the address comes from the conversation, or from
// the form the visitor just sent.
func TestChatKnowsTheEmail(t *testing.T) {
	c := visitor.NewChat()
	cv := conv(7, 1, 0, parley.StatusOpen)
	cv.Email = "eve@example.com"
	c.Apply(welcome(cv), t0)
	if c.Email != "eve@example.com" {
		t.Errorf("from the welcome: Email = %q", c.Email)
	}

	c = visitor.NewChat()
	c.Apply(welcome(), t0)
	c.Sent(parley.Frame{Type: parley.TypeSend, ID: "a", Text: "hi", Email: "ola@example.com"})
	if c.Email != "ola@example.com" {
		t.Errorf("from the form: Email = %q", c.Email)
	}
}

// Paths into a loaded TranscriptMenu: the component, its div, then the
// button or form, and the status.
func TestTranscriptMenuRender(t *testing.T) {
	m := &visitor.TranscriptMenu{OnStart: func(app.Context) {}}
	load(t, m)
	match(t, app.Button().ID(visitor.TranscriptButtonID).Class("transcript-button").Type("button").Disabled(false).
		OnClick(func(app.Context, app.Event) {}), m, 0, 0)
	match(t, app.Text(visitor.TranscriptButtonText), m, 0, 0, 0)
	match(t, app.Div().ID(visitor.TranscriptStatusID).Class("transcript-status").Role("status").Aria("live", "polite"), m, 0, 1)

	m = &visitor.TranscriptMenu{Request: visitor.Transcript{Asking: true, Problem: "Please check your email address.", Status: "x"}}
	load(t, m)
	match(t, app.Form().ID(visitor.TranscriptFormID).Class("transcript-form").Aria("label", "Email the transcript").NoValidate(true).
		OnSubmit(func(app.Context, app.Event) {}), m, 0, 0)
	match(t, app.Input().ID(visitor.TranscriptEmailID).Class("prechat-input").Type("email").Name("email").
		Attr("autocomplete", "email").Attr("inputmode", "email").MaxLength(parley.MaxEmail).
		Aria("required", true).Aria("invalid", true).Aria("describedby", visitor.TranscriptEmailID+"-error").
		OnInput(func(app.Context, app.Event) {}), m, 0, 0, 0, 1)
	match(t, app.Text("Please check your email address."), m, 0, 0, 0, 2, 0)
	match(t, app.Text("x"), m, 0, 1, 0)
}
