package client_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
)

// FuzzRestoredOutbox feeds the client an outbox as the widget restores it
// from the iframe's localStorage: JSON that the page, an extension or an
// older version may have written. Whatever it holds, the client may only
// ever resend well-formed sends, each id once, in the stored order.
func FuzzRestoredOutbox(f *testing.F) {
	f.Add([]byte(`[{"type":"send","id":"a-1","conv":3,"text":"hi"},{"type":"send","id":"a-2","text":"there","greeted":true}]`))
	f.Add([]byte(`[{"type":"hello","role":"agent","id":"x"},{"type":"resolve","id":"y","conv":9}]`))
	f.Add([]byte(`[{"id":"dup","text":"1"},{"id":"dup","text":"2"},{"id":""},{"id":"bad id!"}]`))
	f.Add([]byte(`[{"type":"send","id":"` + strings.Repeat("a", 80) + `"}]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, stored []byte) {
		var restored []parley.Frame
		if json.Unmarshal(stored, &restored) != nil {
			return // the widget drops an outbox it cannot decode
		}
		c := client.New(client.Options{
			URL:    "ws://127.0.0.1:1/ws",
			Hello:  parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: "shop"},
			Outbox: restored,
		})
		got := c.Outbox()
		seen := make(map[string]bool)
		next := 0 // got must be a subsequence of restored
		for _, g := range got {
			if g.Type != parley.TypeSend {
				t.Fatalf("restored a %q frame", g.Type)
			}
			if err := parley.CheckClientID(g.ID); err != nil {
				t.Fatalf("restored id %q: %v", g.ID, err)
			}
			if seen[g.ID] {
				t.Fatalf("id %q restored twice", g.ID)
			}
			seen[g.ID] = true
			for next < len(restored) && restored[next].ID != g.ID {
				next++
			}
			if next == len(restored) {
				t.Fatalf("restored %q out of the stored order", g.ID)
			}
			r := restored[next]
			next++
			want := parley.Frame{Type: parley.TypeSend, ID: r.ID, Conv: r.Conv, Text: r.Text, Greeted: r.Greeted}
			if string(g.Encode()) != string(want.Encode()) {
				t.Fatalf("restored %s from %s", g.Encode(), r.Encode())
			}
		}
	})
}
