package store_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// schema1 writes a database file as schema 1 (Parley before the log) laid
// it out: the bucket names, key formats and JSON values of that code, kept
// here frozen. Checked once against a file written by that code itself
// (120 visitors, 140 conversations, 3,034 messages): the migrated file
// served the same conversations and byte-identical frames.
type schema1 struct {
	tb testing.TB
	tx *bolt.Tx
}

func be(v ...uint64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint64(b, x)
	}
	return b
}

func (s schema1) put(bucket string, k []byte, v any) {
	s.tb.Helper()
	var b []byte
	switch v := v.(type) {
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			s.tb.Fatal(err)
		}
	}
	bk, err := s.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		s.tb.Fatal(err)
	}
	if err := bk.Put(k, b); err != nil {
		s.tb.Fatal(err)
	}
}

// conversation writes one conversation the way schema 1's store did after
// the given messages: frames at id|seq, the record at id|0xff×8, a dedupe
// key per client message at id|0xff×8|kind|0|author id|client id.
func (s schema1) conversation(c parley.Conversation, ms []parley.Message) {
	for _, m := range ms {
		s.put("conversations", be(c.ID, m.Seq), parley.MessageFrame(m).Encode())
		if m.From.Kind != parley.AuthorSite {
			k := append(be(c.ID, math.MaxUint64), m.From.Kind...)
			k = append(k, 0)
			k = append(k, be(m.From.ID)...)
			k = append(k, m.ID...)
			s.put("conversations", k, be(m.Seq))
		}
	}
	s.put("conversations", be(c.ID, math.MaxUint64), c)
	s.put("visitor_conversations", be(c.Visitor, c.ID), []byte{})
	if c.Status == parley.StatusOpen {
		s.put("open_conversations", be(c.ID), []byte{})
	}
}

type v1Conv struct {
	conv parley.Conversation
	msgs []parley.Message
}

// writeSchema1 makes a schema 1 file of nconv conversations of perConv
// messages each, visitor and agent in turn, some resolved and read.
func writeSchema1(tb testing.TB, path string, nconv, perConv int) []v1Conv {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var out []v1Conv
	err = db.Update(func(tx *bolt.Tx) error {
		s := schema1{tb, tx}
		for _, name := range []string{"meta", "sites", "agents", "agent_emails", "sessions", "visitors", "visitor_tokens", "conversations", "visitor_conversations", "open_conversations"} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		s.put("meta", []byte("version"), be(1))
		s.put("sites", []byte("shop"), parley.Site{ID: "shop", Name: "Shop", AllowedOrigins: []string{"https://shop.example"}})
		t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		for i := 1; i <= nconv; i++ {
			v := parley.Visitor{ID: uint64(i), Site: "shop", Name: fmt.Sprintf("Visitor %d", i), Created: t0}
			s.put("visitors", be(v.ID), map[string]any{"visitor": v, "page": parley.Page{URL: "https://shop.example/p", Title: "P"}})
			s.put("visitor_tokens", be(uint64(1000+i)), be(v.ID))
			c := parley.Conversation{ID: uint64(i), Site: "shop", Visitor: v.ID, VisitorName: v.Name, Status: parley.StatusOpen, Page: parley.Page{URL: "https://shop.example/p", Title: "P"}, Created: t0}
			var ms []parley.Message
			for j := 1; j <= perConv; j++ {
				from := parley.Author{Kind: parley.AuthorVisitor, ID: v.ID, Name: v.Name}
				if j%2 == 0 {
					from = parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ola"}
				}
				if j == 1 && i%4 == 0 {
					from = parley.Author{Kind: parley.AuthorSite, Name: "Shop"}
				}
				at := t0.Add(time.Duration(i*perConv+j) * time.Second)
				m := parley.Message{Conv: c.ID, Seq: uint64(j), ID: fmt.Sprintf("m%d-%d", i, j), From: from, Text: fmt.Sprintf("message %d of conversation %d <&>", j, i), At: at.UnixMilli()}
				ms = append(ms, m)
				c.LastSeq, c.LastText, c.Updated = m.Seq, m.Text, at
				switch from.Kind {
				case parley.AuthorVisitor:
					c.Unread++
					c.VisitorRead = m.Seq
				case parley.AuthorAgent:
					c.AgentRead, c.Unread = m.Seq, 0
				}
			}
			if i%3 == 0 {
				c.Status = parley.StatusResolved
			}
			s.conversation(c, ms)
			out = append(out, v1Conv{c, ms})
		}
		if err := tx.Bucket([]byte("visitors")).SetSequence(uint64(nconv)); err != nil {
			return err
		}
		return tx.Bucket([]byte("conversations")).SetSequence(uint64(nconv))
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestMigrateSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	want := writeSchema1(t, path, 120, 25) // 3,000 messages
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()

	for _, w := range want {
		c, err := d.Conversation(w.conv.ID)
		if err != nil {
			t.Fatalf("Conversation(%d): %v", w.conv.ID, err)
		}
		wc := w.conv
		wc.PublicSeq, wc.PublicText = wc.LastSeq, wc.LastText
		if wc.Status == parley.StatusOpen {
			// Schema 5: nobody was assigned, so every open
			// conversation waits in the queue since its last entry.
			wc.Status, wc.Queued = parley.StatusQueued, wc.Updated
		}
		if fmt.Sprint(c) != fmt.Sprint(wc) {
			t.Fatalf("conversation %d:\n got %+v\nwant %+v", wc.ID, c, wc)
		}
		ms := frames(t, d, w.conv.ID, 0, 0)
		if len(ms) != len(w.msgs) {
			t.Fatalf("conversation %d: %d messages, want %d", wc.ID, len(ms), len(w.msgs))
		}
		for i := range ms {
			if !reflect.DeepEqual(ms[i], w.msgs[i]) {
				t.Fatalf("conversation %d message %d:\n got %+v\nwant %+v", wc.ID, i, ms[i], w.msgs[i])
			}
		}
		if vs := visitorFrames(t, d, w.conv.ID, 20); len(vs) != 5 || vs[0].Seq != 21 || vs[0].Prev != nil {
			t.Fatalf("conversation %d: the visitor's resume after 20: %+v", wc.ID, vs)
		}
	}
	open, err := d.OpenConversations("shop")
	if err != nil || len(open) != 80 {
		t.Fatalf("open conversations: %d, %v; want 80", len(open), err)
	}
	// A resend of a message stored by schema 1 is still recognised.
	w := want[6]
	v := parley.Visitor{ID: w.conv.Visitor, Site: "shop", Name: w.conv.VisitorName}
	res := mustAppend(t, d, visitorSend(v, w.conv.ID, w.msgs[2].ID, w.msgs[2].Text))
	if !res.Dup || res.Message.Seq != 3 {
		t.Errorf("resend of a schema 1 message: dup %v seq %d, want dup at 3", res.Dup, res.Message.Seq)
	}
	// New conversations and messages continue the numbering.
	next := mustAppend(t, d, agentSend(1, w.conv.ID, "new", "hello again"))
	if next.Message.Seq != 26 || next.Prev != 25 {
		t.Errorf("next message: seq %d prev %d, want 26 after 25", next.Message.Seq, next.Prev)
	}
	nv := mustCreateVisitor(t, d, "shop")
	if id := mustAppend(t, d, visitorSend(nv, 0, "first", "hi")).Conv.ID; id != 121 {
		t.Errorf("next conversation id: got %d, want 121", id)
	}
	// The new file opens again without migrating.
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d2 := openTestDBAt(t, path, store.Options{})
	if got := len(frames(t, d2, w.conv.ID, 0, 0)); got != 26 {
		t.Errorf("after reopening: %d messages, want 26", got)
	}
}
