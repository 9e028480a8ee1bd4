package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/search"
	"github.com/parley-chat/parley/server/store"
)

// -rebuild-search drops the index and builds it again from the store: what
// the store holds is found again, and nothing the old index had survives.
func TestRebuildSearchFromTheStore(t *testing.T) {
	dir := t.TempDir()
	start := func(rebuild bool) *Main {
		m := NewMain()
		m.Stdout = io.Discard
		m.Logger = slog.New(slog.DiscardHandler)
		m.Config = Config{Addr: "127.0.0.1:0", DataDir: dir, RebuildSearch: rebuild}
		if err := m.Run(context.Background()); err != nil {
			m.Close()
			t.Fatalf("starting Parley: %v", err)
		}
		return m
	}
	find := func(m *Main, word string) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Search.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := m.Search.Search(ctx, search.Query{Text: word, Sites: []string{"s1"}})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Hits)
	}

	m := start(false)
	if err := m.DB.CreateSite(parley.Site{ID: "s1", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	v, err := m.DB.CreateVisitor("s1", []byte("token-hash-0123456789abcdef012345"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.Append(context.Background(), store.Append{Site: "s1", Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, ID: "m1", Text: "where is my espresso grinder"}); err != nil {
		t.Fatal(err)
	}
	if n := find(m, "grinder"); n != 1 {
		t.Fatalf("before the rebuild, %d hits for a stored word, want 1", n)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// A file the index never wrote stands for anything stale in it.
	stale := filepath.Join(dir, "search", "stale-marker")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	m = start(true)
	defer m.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("after -rebuild-search the old index directory survived (%v)", err)
	}
	if n := find(m, "grinder"); n != 1 {
		t.Errorf("after the rebuild, %d hits for a stored word, want 1", n)
	}
}
