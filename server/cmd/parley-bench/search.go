package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/internal/corpus"
	"github.com/parley-chat/parley/server/store"
)

// searchMessages is how many messages the search scenario stores, in
// conversations of searchPerConv; -quick stores a tenth.
const (
	searchMessages = 1_000_000
	searchPerConv  = 20
	searchMarker   = "zqfinalmarker"
)

// seedSearch writes n messages straight into the store file, before the
// server starts: through the network it would take most of the run. The
// committer batches the 64 writers' appends as it does the server's.
func seedSearch(ctx context.Context, dir string, n int) (time.Duration, error) {
	start := time.Now()
	db, err := store.Open(filepath.Join(dir, "parley.db"), store.Options{NoSync: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	vocab := corpus.Vocab()
	convs := n / searchPerConv
	next := atomic.Int64{}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			texts := corpus.NewTexts(mrand.New(mrand.NewPCG(uint64(w), 42)), vocab)
			for {
				i := int(next.Add(1)) - 1
				if i >= convs || ctx.Err() != nil {
					return
				}
				v, err := db.CreateVisitor(benchSite, []byte(rand.Text()))
				if err != nil {
					errs <- err
					return
				}
				name := fmt.Sprintf("%s %s", corpus.Names[i%len(corpus.Names)], vocab[i%len(vocab)])
				visitor := parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}
				agent := parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Bench"}
				var conv uint64
				for j := range searchPerConv {
					a := store.Append{Site: benchSite, Conv: conv, ID: rand.Text(), Text: texts.Next(), From: visitor, Visitor: v.ID}
					if j == 0 {
						a.Name, a.Email = name, fmt.Sprintf("customer%d@example.com", i)
					}
					if j%2 == 1 {
						a.From, a.Visitor = agent, 0
					}
					res, err := db.Append(ctx, a)
					if err != nil {
						errs <- fmt.Errorf("conversation %d, message %d: %w", i, j, err)
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
		return 0, err
	}
	// The last entry of the log: once it is found, everything is indexed.
	v, err := db.CreateVisitor(benchSite, []byte(rand.Text()))
	if err != nil {
		return 0, err
	}
	_, err = db.Append(ctx, store.Append{Site: benchSite, Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, ID: rand.Text(), Text: "the last one " + searchMarker})
	if err != nil {
		return 0, err
	}
	return time.Since(start), db.Close()
}

// runSearch stores searchMessages messages, starts the server on them
// with no index, measures what building the index costs, then times
// searches through the HTTP API.
func runSearch(ctx context.Context, cfg config, sec *section) error {
	n, reps := searchMessages, 40
	if cfg.quick {
		n, reps = searchMessages/10, 10
	}
	sec.title = "Search"
	var seedTook time.Duration
	srv, err := startServer(ctx, cfg, serverOptions{seed: func(ctx context.Context, dir string) (err error) {
		seedTook, err = seedSearch(ctx, dir, n)
		return err
	}})
	if err != nil {
		return err
	}
	defer srv.stop()

	get := func(q url.Values) (parley.SearchPage, time.Duration, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url+"/api/search?"+q.Encode(), nil)
		req.Header.Set("Cookie", srv.cookie)
		start := time.Now()
		resp, err := httpClient.Do(req)
		if err != nil {
			return parley.SearchPage{}, 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil {
			return parley.SearchPage{}, 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return parley.SearchPage{}, 0, fmt.Errorf("GET /api/search?%s: %d %s", q.Encode(), resp.StatusCode, body)
		}
		var p parley.SearchPage
		return p, took, json.Unmarshal(body, &p)
	}

	// The index is built from the log in the background from the start;
	// the marker is the log's last entry.
	p0 := mustProc(srv)
	deadline := time.Now().Add(30 * time.Minute)
	for {
		p, _, err := get(url.Values{"q": {searchMarker}})
		if err != nil {
			return err
		}
		if len(p.Hits) > 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the index did not reach the last message in 30 minutes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	p1 := mustProc(srv)
	// The whole process's CPU since it started: the catch-up is nearly all
	// of it (the start and one login are a fraction of a second).
	indexTook := p1.at.Sub(p0.at)
	cpuPerMsg := p1.cpu / time.Duration(n)
	// Let scorch finish merging its segments before the size is read.
	time.Sleep(10 * time.Second)
	indexSize := corpus.DirBytes(filepath.Join(srv.dir, "search"))
	dbSize := int64(0)
	if fi, err := os.Stat(filepath.Join(srv.dir, "parley.db")); err == nil {
		dbSize = fi.Size()
	}

	queries := []struct {
		name string
		q    url.Values
	}{
		{"one very common word (`order`, in 85 % of messages)", url.Values{"q": {"order"}}},
		{"common word (`parcel`)", url.Values{"q": {"parcel"}}},
		{"two words (`refund voucher`)", url.Values{"q": {"refund voucher"}}},
		{"three words (`parcel delivery refund`)", url.Values{"q": {"parcel delivery refund"}}},
		{"rare word (`espresso`)", url.Values{"q": {"espresso"}}},
		{"a visitor's name (`zofia`)", url.Values{"q": {"zofia"}}},
		{"`parcel` in site=bench, since yesterday", url.Values{"q": {"parcel"}, "site": {benchSite}, "from": {time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}}},
		{"`burgundy`, status=resolved (no match: the filter scans 2,000 hits)", url.Values{"q": {"burgundy"}, "status": {parley.StatusResolved}}},
	}
	var all []time.Duration
	var rows [][]string
	for _, qu := range queries {
		var lat []time.Duration
		var total uint64
		for i := range reps + 5 {
			p, took, err := get(qu.q)
			if err != nil {
				return err
			}
			total = p.Total
			if i >= 5 {
				lat = append(lat, took)
			}
		}
		all = append(all, lat...)
		s := summarize(lat)
		rows = append(rows, []string{qu.name, thousands(int64(total)), ms(s.P50), ms(s.P99)})
	}
	s := summarize(all)
	sec.add(fmt.Sprintf("search p50 / p99 over %s messages", thousands(int64(n))), fmt.Sprintf("%s / %s", ms(s.P50), ms(s.P99)), "—", judge(true))
	sec.add("index size on disk", fmt.Sprintf("%s (%.0f B/message; the store: %s)", kb(float64(indexSize)), float64(indexSize)/float64(n), kb(float64(dbSize))), "—", judge(true))
	sec.add("indexing, from the log", fmt.Sprintf("%s for %s messages: %s messages/s, %s CPU per message", secs(indexTook), thousands(int64(n)), thousands(int64(float64(n)/indexTook.Seconds())), us(cpuPerMsg)), "—", judge(true))
	sec.setup = append(sec.setup, fmt.Sprintf(
		"%s messages in %s conversations of %d (visitor and agent alternating, 6–20 words each drawn from 8,000 with a Zipf distribution, s = 1.1) are written "+
			"straight into the store file before the server starts (%s); the server then builds its index from the log in the background, and the time and the server's CPU "+
			"until the last message is found are the indexing cost. Then each query below runs %d times one after the other (after 5 unmeasured), "+
			"`GET /api/search` with the agent's cookie, limit 20, timed to the last byte. Server: `%s`.",
		thousands(int64(n)), thousands(int64(n/searchPerConv)), searchPerConv, secs(seedTook), reps, srv.command()))
	sec.details = append(sec.details, mdTable([]string{"query", "matches", "p50", "p99"}, rows))
	return nil
}
