package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

type notesAnswer struct {
	Notes []parley.ContactNote `json:"notes"`
}

// rawAPI sends body as is, as l, from Parley's own origin.
func (env *sockEnv) rawAPI(tb testing.TB, l agentLogin, method, path, body string) (int, parley.Frame) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, env.url+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Origin", env.url)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", l.csrf)
	for _, c := range l.cookie.Values("Cookie") {
		req.Header.Add("Cookie", c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var e parley.Frame
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e
}

// TestContactNotesAPI: the site's agents write notes about a contact,
// read them newest first (also in GET /api/visitors/{id}), and hear of
// each change in a contact_note frame; an agent of another site gets 404
// for all of it; the visitor never gets a note, in any frame. Bad input
// is refused with a clear error, nothing stored; only the author edits a
// note, the author or an owner deletes it.
func TestContactNotesAPI(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword) // owner
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword) // agent
	cy := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)  // other site
	bobSock := env.agentSocket(t, "bob socket", bob)
	cySock := env.agentSocket(t, "cy socket", cy)

	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "Hello").Conv
	bobSock.untilType(parley.TypeMsg)
	path := fmt.Sprintf("/api/visitors/%d/notes", w.Visitor.ID)

	secret := "VIP, prefers email"
	var first parley.ContactNote
	if status, _ := env.api(t, ann, "POST", path, map[string]string{"text": "  " + secret + " "}, &first); status != 201 ||
		first.Text != secret || first.Author != env.agents[0].ID || first.AuthorName != "Ann" || first.ID == 0 {
		t.Fatalf("POST: %d %+v", status, first)
	}
	live := bobSock.untilType(parley.TypeContactNote)
	if live.ContactNote == nil || live.ContactNote.ID != first.ID || live.ContactNote.Text != secret {
		t.Errorf("Bob's frame: %+v", live)
	}
	var second parley.ContactNote
	if status, _ := env.api(t, bob, "POST", path, map[string]string{"text": "Returned order #123 twice"}, &second); status != 201 {
		t.Fatalf("Bob's POST: %d", status)
	}
	var got notesAnswer
	if status, _ := env.api(t, bob, "GET", path, nil, &got); status != 200 || len(got.Notes) != 2 || got.Notes[0].ID != second.ID || got.Notes[1].ID != first.ID {
		t.Errorf("GET: %d %+v, want newest first", status, got)
	}
	var details struct{ Notes []parley.ContactNote }
	env.api(t, bob, "GET", fmt.Sprintf("/api/visitors/%d", w.Visitor.ID), nil, &details)
	if len(details.Notes) != 2 {
		t.Errorf("GET /api/visitors/{id} has %d notes, want 2", len(details.Notes))
	}

	// Another site's agent: 404 for every call, like a missing visitor.
	for _, c := range []struct{ method, path, body string }{
		{"GET", path, ""},
		{"POST", path, `{"text":"mine now"}`},
		{"PATCH", fmt.Sprintf("%s/%d", path, first.ID), `{"text":"mine now"}`},
		{"DELETE", fmt.Sprintf("%s/%d", path, first.ID), ""},
		{"GET", "/api/visitors/99999/notes", ""},
	} {
		if status, e := env.rawAPI(t, cy, c.method, c.path, c.body); status != 404 || e.Code != parley.ENotFound || e.Message != "No such visitor." {
			t.Errorf("Cy's %s %s: %d %+v, want 404", c.method, c.path, status, e)
		}
	}

	// Bad input: a clear error, nothing stored.
	for _, tt := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"empty", `{"text":"   "}`, 400, "needs a text"},
		{"no text", `{}`, 400, "needs a text"},
		{"malformed", `{"text":`, 400, "not valid JSON"},
		{"too long", fmt.Sprintf(`{"text":%q}`, strings.Repeat("é", parley.MaxNoteRunes+1)), 413, "the limit is 2000"},
		{"too big", fmt.Sprintf(`{"text":%q}`, strings.Repeat("a", 40<<10)), 413, "larger than"},
	} {
		if status, e := env.rawAPI(t, ann, "POST", path, tt.body); status != tt.status || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: %d %q, want %d and %q", tt.name, status, e.Message, tt.status, tt.msg)
		}
	}
	if notes, _ := env.db.ContactNotes(w.Visitor.ID); len(notes) != 2 {
		t.Errorf("after bad input: %d notes stored, want 2", len(notes))
	}
	// Without the CSRF token: refused.
	if status, _ := env.api(t, agentLogin{cookie: ann.cookie}, "POST", path, map[string]string{"text": "x"}, nil); status != 403 {
		t.Errorf("POST without CSRF: %d, want 403", status)
	}

	// Edit: the author only. Delete: the author, or an owner.
	one := func(n parley.ContactNote) string { return fmt.Sprintf("%s/%d", path, n.ID) }
	if status, e := env.rawAPI(t, bob, "PATCH", one(first), `{"text":"not VIP"}`); status != 403 || e.Code != parley.EForbidden {
		t.Errorf("Bob edits Ann's note: %d %+v, want 403", status, e)
	}
	if status, _ := env.rawAPI(t, ann, "PATCH", one(second), `{"text":"Ann's words"}`); status != 403 {
		t.Errorf("Ann edits Bob's note: %d, want 403", status)
	}
	if status, _ := env.rawAPI(t, bob, "DELETE", one(first), ""); status != 403 {
		t.Errorf("Bob deletes Ann's note: %d, want 403", status)
	}
	var edited parley.ContactNote
	if status, _ := env.api(t, ann, "PATCH", one(first), map[string]string{"text": "VIP, prefers phone"}, &edited); status != 200 || edited.Text != "VIP, prefers phone" || edited.Edited == nil {
		t.Errorf("Ann edits hers: %d %+v", status, edited)
	}
	bobSock.until("the edit", func(f parley.Frame) bool {
		return f.Type == parley.TypeContactNote && f.ContactNote.Edited != nil
	})
	if status, _ := env.rawAPI(t, ann, "PATCH", path+"/999", `{"text":"x"}`); status != 404 {
		t.Errorf("edit of a missing note: %d, want 404", status)
	}
	if status, _ := env.rawAPI(t, ann, "DELETE", one(second), ""); status != 204 {
		t.Errorf("the owner deletes Bob's note: %d, want 204", status)
	}
	bobSock.until("the deletion", func(f parley.Frame) bool {
		return f.Type == parley.TypeContactNote && f.ContactNote.Deleted && f.ContactNote.ID == second.ID
	})
	if status, _ := env.rawAPI(t, ann, "DELETE", one(first), ""); status != 204 {
		t.Errorf("Ann deletes hers: %d", status)
	}

	// Too many: MaxNotesPerContact, then a refusal.
	for i := 0; i < parley.MaxNotesPerContact; i++ {
		if status, e := env.rawAPI(t, bob, "POST", path, `{"text":"n"}`); status != 201 {
			t.Fatalf("note %d: %d %+v", i, status, e)
		}
	}
	if status, e := env.rawAPI(t, bob, "POST", path, `{"text":"one more"}`); status != 413 || !strings.Contains(e.Message, "at most 100 notes") {
		t.Errorf("note 101: %d %+v, want 413", status, e)
	}

	// The visitor's socket never carried a note: everything published
	// before their next ack has reached them by then.
	v.say(conv, "v-2", "Still there?")
	tab2 := env.dial(t, "second tab", nil)
	tab2.visitorHello(env.site.ID, w.Token)
	for _, c := range []*sockClient{v, tab2, cySock} {
		for _, f := range c.seen {
			b, _ := json.Marshal(f)
			if f.Type == parley.TypeContactNote || f.ContactNote != nil || bytes.Contains(b, []byte("VIP")) {
				t.Errorf("%s got %s", c.name, b)
			}
		}
	}
}
