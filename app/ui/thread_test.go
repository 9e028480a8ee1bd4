package ui_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

var (
	visitor = parley.Author{Kind: parley.AuthorVisitor, ID: 3, Name: "Vera"}
	agent   = parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	site    = parley.Author{Kind: parley.AuthorSite}
)

func msg(seq uint64, id string, from parley.Author, text string) parley.Message {
	return parley.Message{Conv: 7, Seq: seq, ID: id, From: from, Text: text, At: int64(seq) * 1000}
}

func send(id string, conv uint64, text string) parley.Frame {
	return parley.Frame{Type: parley.TypeSend, ID: id, Conv: conv, Text: text}
}

func seqs(t *ui.Thread) []uint64 {
	var s []uint64
	for _, m := range t.Messages() {
		s = append(s, m.Seq)
	}
	return s
}

func TestThreadAdd(t *testing.T) {
	tests := []struct {
		name           string
		add            []uint64
		wantSeqs       []uint64
		wantNew        int
		wantContiguous uint64
	}{
		{"in order", []uint64{1, 2, 3}, []uint64{1, 2, 3}, 3, 3},
		{"out of order", []uint64{3, 1, 2}, []uint64{1, 2, 3}, 3, 3},
		{"duplicates dropped", []uint64{1, 2, 2, 1, 3, 3}, []uint64{1, 2, 3}, 3, 3},
		{"gap", []uint64{1, 2, 5, 6}, []uint64{1, 2, 5, 6}, 4, 2},
		{"gap filled by replay", []uint64{1, 4, 2, 3, 4}, []uint64{1, 2, 3, 4}, 4, 4},
		{"nothing from the start", []uint64{3, 4}, []uint64{3, 4}, 2, 0},
		{"empty", nil, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var th ui.Thread
			added := 0
			for _, s := range tt.add {
				if th.Add(msg(s, "id", agent, "x")) {
					added++
				}
			}
			if got := seqs(&th); !reflect.DeepEqual(got, tt.wantSeqs) {
				t.Errorf("seqs = %v, want %v", got, tt.wantSeqs)
			}
			if added != tt.wantNew {
				t.Errorf("Add reported %d new, want %d", added, tt.wantNew)
			}
			if got := th.Contiguous(); got != tt.wantContiguous {
				t.Errorf("Contiguous = %d, want %d", got, tt.wantContiguous)
			}
			var wantLast uint64
			if n := len(tt.wantSeqs); n > 0 {
				wantLast = tt.wantSeqs[n-1]
			}
			if got := th.LastSeq(); got != wantLast {
				t.Errorf("LastSeq = %d, want %d", got, wantLast)
			}
		})
	}
}

// row is the part of an Item the tests compare.
type row struct {
	Key    string
	Kind   string
	Text   string
	Status ui.Status
}

func rows(items []ui.Item) []row {
	var r []row
	for _, it := range items {
		r = append(r, row{it.Key, it.From.Kind, it.Text, it.Status})
	}
	return r
}

func TestItems(t *testing.T) {
	tests := []struct {
		name    string
		msgs    []parley.Message
		pending ui.Pending
		want    []row
	}{
		{
			name: "durable in seq order then outbox",
			msgs: []parley.Message{msg(2, "b", agent, "hello"), msg(1, "a", visitor, "hi")},
			pending: ui.Pending{Self: visitor, Conv: 7, Outbox: []parley.Frame{
				send("c", 7, "still there?"), send("d", 0, "and?"),
			}},
			want: []row{
				{"seq-1", "visitor", "hi", ui.Delivered},
				{"seq-2", "agent", "hello", ui.Delivered},
				{"out-c", "visitor", "still there?", ui.Sending},
				{"out-d", "visitor", "and?", ui.Sending},
			},
		},
		{
			name: "acked outbox entry shown once",
			msgs: []parley.Message{msg(1, "a", visitor, "hi")},
			pending: ui.Pending{Self: visitor, Conv: 7, Outbox: []parley.Frame{
				send("a", 7, "hi"), send("a", 7, "hi"),
			}},
			want: []row{{"seq-1", "visitor", "hi", ui.Delivered}},
		},
		{
			name: "same id by another author kind is not an ack",
			msgs: []parley.Message{msg(1, "a", agent, "hello")},
			pending: ui.Pending{Self: visitor, Conv: 7, Outbox: []parley.Frame{
				send("a", 7, "hi"),
			}},
			want: []row{
				{"seq-1", "agent", "hello", ui.Delivered},
				{"out-a", "visitor", "hi", ui.Sending},
			},
		},
		{
			name: "other conversations' outbox hidden",
			pending: ui.Pending{Self: agent, Conv: 7, Outbox: []parley.Frame{
				send("a", 8, "elsewhere"), send("b", 7, "here"),
			}},
			want: []row{{"out-b", "agent", "here", ui.Sending}},
		},
		{
			name: "failed in outbox and failed dropped from outbox",
			pending: ui.Pending{Self: visitor, Conv: 7,
				Outbox: []parley.Frame{send("a", 7, "one"), send("b", 7, "two")},
				Failed: []ui.Failure{
					{Frame: send("b", 7, "two"), Reason: "slow down"},
					{Frame: send("z", 7, "too long"), Reason: "too long"},
				},
			},
			want: []row{
				{"out-a", "visitor", "one", ui.Sending},
				{"out-b", "visitor", "two", ui.Failed},
				{"out-z", "visitor", "too long", ui.Failed},
			},
		},
		{
			name:    "greeting before the first message",
			pending: ui.Pending{Self: visitor, Greeting: "Need help?", Outbox: []parley.Frame{send("a", 0, "yes")}},
			want: []row{
				{"greeting", "site", "Need help?", ui.Delivered},
				{"out-a", "visitor", "yes", ui.Sending},
			},
		},
		{
			name: "greeting replaced once the server stored it",
			msgs: []parley.Message{msg(1, "", site, "Need help?"), msg(2, "a", visitor, "yes")},
			pending: ui.Pending{Self: visitor, Conv: 7, Greeting: "Need help?",
				Outbox: []parley.Frame{send("a", 0, "yes")}},
			want: []row{
				{"seq-1", "site", "Need help?", ui.Delivered},
				{"seq-2", "visitor", "yes", ui.Delivered},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var th ui.Thread
			for _, m := range tt.msgs {
				th.Add(m)
			}
			got := rows(ui.Items(&th, tt.pending))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Items =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestItemsShowEntriesAsTheyAreNow(t *testing.T) {
	var th ui.Thread
	ann := parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	for _, m := range []parley.Message{
		{Seq: 1, ID: "a", From: ann, Text: "Ships Monday."},
		{Seq: 2, From: parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent, Event: parley.EventAssigned},
		{Seq: 3, ID: "b", From: ann, Kind: parley.KindEdit, Ref: 1, Text: "Ships Tuesday."},
		{Seq: 4, ID: "c", From: ann, Text: "card 4111…"},
		{Seq: 5, ID: "d", From: ann, Kind: parley.KindDelete, Ref: 4},
	} {
		th.Add(m)
	}
	var got []string
	for _, it := range ui.Items(&th, ui.Pending{Self: ann}) {
		got = append(got, fmt.Sprintf("%d:%s", it.Seq, it.Text))
	}
	if want := []string{"1:Ships Tuesday.", "4:"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestItemsEvents: a list that asks for events gets a row for each one with
// a text, in sequence order among the messages; others get none.
func TestItemsEvents(t *testing.T) {
	var th ui.Thread
	ola := parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Ola"}
	for _, m := range []parley.Message{
		{Seq: 1, ID: "a", From: visitor, Text: "Hello?"},
		{Seq: 2, From: site, Kind: parley.KindEvent, Event: parley.EventAssigned, To: &ola, Text: "Ola joined"},
		{Seq: 3, ID: "b", From: ola, Text: "Hi!"},
		{Seq: 4, From: site, Kind: parley.KindEvent, Event: parley.EventRated}, // no text: no row
		{Seq: 5, From: site, Kind: parley.KindEvent, Event: parley.EventTransferred, Team: "returns", TeamName: "Returns", Text: "Moved to Returns"},
	} {
		th.Add(m)
	}
	rows := func(p ui.Pending) []string {
		var got []string
		for _, it := range ui.Items(&th, p) {
			got = append(got, fmt.Sprintf("%s:%s:%s", it.Key, it.Event, it.Text))
		}
		return got
	}
	if got, want := rows(ui.Pending{Self: visitor, Events: true}), []string{
		"seq-1::Hello?", "seq-2:assigned:Ola joined", "seq-3::Hi!", "seq-5:transferred:Moved to Returns",
	}; !slices.Equal(got, want) {
		t.Errorf("rows with events %q, want %q", got, want)
	}
	if got, want := rows(ui.Pending{Self: visitor}), []string{"seq-1::Hello?", "seq-3::Hi!"}; !slices.Equal(got, want) {
		t.Errorf("rows without events %q, want %q", got, want)
	}
}
