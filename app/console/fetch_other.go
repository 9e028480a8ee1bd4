//go:build !(js && wasm)

package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// newTransport sends requests with hc (http.DefaultClient when nil), for
// tests and tools outside the browser.
func newTransport(hc *http.Client) transport {
	if hc == nil {
		hc = http.DefaultClient
	}
	return func(ctx context.Context, r request) (response, error) {
		var body io.Reader
		if r.body != nil {
			body = bytes.NewReader(r.body)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
		if err != nil {
			return response{}, fmt.Errorf("console: %s %s: %w", r.method, r.url, err)
		}
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return response{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		if err != nil {
			return response{}, fmt.Errorf("console: reading %s %s: %w", r.method, r.url, err)
		}
		return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
	}
}
