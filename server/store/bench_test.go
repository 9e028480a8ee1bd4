package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// seedConversations creates n visitors of site "shop", each with an open
// conversation of one message, writing concurrently so that setup batches.
func seedConversations(tb testing.TB, d *store.DB, n int) ([]parley.Visitor, []uint64) {
	tb.Helper()
	mustCreateSite(tb, d, "shop")
	vs := make([]parley.Visitor, n)
	convs := make([]uint64, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			vs[i] = mustCreateVisitor(tb, d, "shop")
			convs[i] = mustAppend(tb, d, visitorSend(vs[i], 0, "seed", "hello")).Conv.ID
		})
	}
	wg.Wait()
	return vs, convs
}

// BenchmarkAppend sends visitor messages to 1,000 conversations from many
// goroutines, with fsync, as the relay does, each message to a random
// conversation. msgs/s is the throughput of the group commit; p50 and p99
// are the waits of single Appends.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			d := openTestDB(b)
			vs, convs := seedConversations(b, d, 1000)
			var next atomic.Uint64
			var mu sync.Mutex
			var waits []time.Duration
			ctx := context.Background()

			before := d.Stats()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			var sent atomic.Int64
			for range writers {
				wg.Go(func() {
					local := make([]time.Duration, 0, b.N/writers+1)
					for sent.Add(1) <= int64(b.N) {
						i := next.Add(1)
						k := rand.IntN(len(convs))
						t0 := time.Now()
						_, err := d.Append(ctx, visitorSend(vs[k], convs[k], fmt.Sprintf("b%d", i), "Is this available in blue?"))
						local = append(local, time.Since(t0))
						if err != nil {
							b.Errorf("Append: %v", err)
							return
						}
					}
					mu.Lock()
					waits = append(waits, local...)
					mu.Unlock()
				})
			}
			wg.Wait()
			// What the log implies is written at checkpoints: count that
			// too, as if one came right now.
			if err := d.Checkpoint(ctx); err != nil {
				b.Fatalf("Checkpoint: %v", err)
			}
			elapsed := time.Since(start)
			b.StopTimer()

			after := d.Stats()
			diff := after.Sub(&before)

			slices.Sort(waits)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
			// Pages written per message: bbolt copies each page it changes,
			// so this is the store's write amplification, and unlike time it
			// does not depend on what else the machine does.
			b.ReportMetric(float64(diff.TxStats.GetWrite())/float64(b.N), "pages/msg")
			if len(waits) > 0 {
				b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

// BenchmarkMessages1000 replays a conversation of 1,000 stored messages.
func BenchmarkMessages1000(b *testing.B) {
	d := openTestDB(b)
	mustCreateSite(b, d, "shop")
	v := mustCreateVisitor(b, d, "shop")
	conv := mustAppend(b, d, visitorSend(v, 0, "m0", "hello")).Conv.ID
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for i := range 100 {
				if w == 0 && i == 0 {
					continue
				}
				a := agentSend(1, conv, fmt.Sprintf("m%d-%d", w, i), "Yes, it ships in blue, sizes S to XL, within two days.")
				if _, err := d.Append(testContext(b), a); err != nil {
					b.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if last, _ := d.LastSeq(conv); last != 1000 {
		b.Fatalf("LastSeq: got %d, want 1000", last)
	}

	var size int64
	for b.Loop() {
		n, bytes := 0, 0
		err := d.Messages(conv, 0, 0, func(f []byte) error {
			n++
			bytes += len(f)
			return nil
		})
		if err != nil || n != 1000 {
			b.Fatalf("Messages: got %d frames, %v", n, err)
		}
		size = int64(bytes)
	}
	b.SetBytes(size)
}
