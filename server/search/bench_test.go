package search

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/internal/corpus"
	"github.com/parley-chat/parley/server/store"
)

// benchEntries makes n log entries from position from+1: conversations of
// 20 messages, visitor and agent alternating, 6–20 words each, with the
// visitor's name and email, as parley-bench writes them.
func benchEntries(r *mrand.Rand, vocab []string, from uint64, n int) []entry {
	texts := corpus.NewTexts(r, vocab)
	out := make([]entry, 0, n)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli() + int64(from)*1000
	for i := range n {
		pos := from + uint64(i) + 1
		convID := pos/20 + 1
		m := parley.Message{Conv: convID, Seq: pos%20 + 1, Text: texts.Next(), At: at + int64(i)*1000,
			From: parley.Author{Kind: parley.AuthorVisitor, ID: convID}}
		if pos%2 == 1 {
			m.From = parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Bench"}
		}
		c := parley.Conversation{ID: convID, Site: "bench", Status: parley.StatusOpen,
			VisitorName: fmt.Sprintf("Zofia %s", vocab[convID%uint64(len(vocab))]), Email: fmt.Sprintf("customer%d@example.com", convID)}
		if convID%5 == 0 {
			c.Tags = []string{"refund", "vip"}
		}
		out = append(out, entry{pos: pos, m: m, conv: c})
	}
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIndexBatch indexes batches of new messages as the indexer does
// under load, and reports per document the CPU of the whole process
// (scorch merges and persists in the background), the allocations (of the
// whole process too) and the bytes of the index on disk. Run it with
// -benchtime 40x: the figures are per document whatever the count.
// The numbers, before and after the layout 3, are in search.go.
func BenchmarkIndexBatch(b *testing.B) {
	for _, size := range []int{500, 4000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			dir := b.TempDir()
			db, err := store.Open(filepath.Join(dir, "parley.db"), store.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ix, err := Open(filepath.Join(dir, "search"), db, nil)
			if err != nil {
				b.Fatal(err)
			}
			r := mrand.New(mrand.NewPCG(1, 2))
			vocab := corpus.Vocab()
			// Batches made ahead: the benchmark measures the indexing.
			var batches [][]entry
			var pos uint64
			for range 64 {
				e := benchEntries(r, vocab, pos, size)
				pos += uint64(size)
				batches = append(batches, e)
			}
			docs := 0
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu := cpuTime()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if i == len(batches) {
					b.StopTimer()
					for range 64 {
						batches = append(batches, benchEntries(r, vocab, pos, size))
						pos += uint64(size)
					}
					b.StartTimer()
				}
				if err := ix.apply(batches[i]); err != nil {
					b.Fatal(err)
				}
				docs += size
			}
			b.StopTimer()
			if err := ix.Close(); err != nil {
				b.Fatal(err)
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(docs), "allocs/doc")
			// Close waits for scorch to persist: its CPU counts too.
			b.ReportMetric(float64(cpuTime()-cpu)/float64(docs), "cpu-ns/doc")
			b.ReportMetric(float64(b.Elapsed())/float64(docs), "ns/doc")
			b.ReportMetric(float64(corpus.DirBytes(filepath.Join(dir, "search")))/float64(docs), "B-index/doc")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkCatchUp builds the index from a store's log, as at the first
// start or after the directory was deleted: the log read, the
// conversations looked up and the batches, per message.
func BenchmarkCatchUp(b *testing.B) {
	const convs, perConv = 1000, 20
	dir := b.TempDir()
	db, err := store.Open(filepath.Join(dir, "parley.db"), store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateSite(parley.Site{ID: "bench", Name: "bench", AllowedOrigins: []string{"https://bench.example"}}); err != nil {
		b.Fatal(err)
	}
	vocab := corpus.Vocab()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := mrand.New(mrand.NewPCG(uint64(w), 9))
			for i := w; i < convs; i += 16 {
				v, err := db.CreateVisitor("bench", []byte(fmt.Sprint("visitor", i)))
				if err != nil {
					errs <- err
					return
				}
				var conv uint64
				for j, e := range benchEntries(r, vocab, uint64(i*perConv), perConv) {
					a := store.Append{Site: "bench", Conv: conv, ID: fmt.Sprint(i, "-", j), Text: e.m.Text,
						From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, Visitor: v.ID}
					if j == 0 {
						a.Name, a.Email = e.conv.VisitorName, e.conv.Email
					}
					if j%2 == 1 {
						a.From, a.Visitor = parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Bench"}, 0
					}
					res, err := db.Append(ctx, a)
					if err != nil {
						errs <- err
						return
					}
					conv = res.Conv.ID
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	n := 0
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix, err := Open(filepath.Join(dir, fmt.Sprint("search", i)), db, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := ix.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		n += convs * perConv
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(n), "cpu-ns/msg")
	b.ReportMetric(float64(b.Elapsed())/float64(n), "ns/msg")
	b.ReportMetric(0, "ns/op")
}
