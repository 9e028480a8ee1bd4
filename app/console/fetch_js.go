//go:build js && wasm

package console

import (
	"context"
	"errors"
	"net/http"
	"syscall/js"
)

// newTransport calls the browser's fetch. net/http's Client would do the
// same, but linking it brings its native fallback (TLS, x509, HTTP/2) into
// the wasm: megabytes for nothing.
func newTransport(*http.Client) transport { return fetch }

func fetch(ctx context.Context, req request) (response, error) {
	headers := map[string]any{}
	for k, v := range req.header {
		headers[k] = v
	}
	opts := map[string]any{
		"method":      req.method,
		"headers":     headers,
		"credentials": "same-origin",
		"cache":       "no-store",
	}
	if req.body != nil {
		opts["body"] = string(req.body)
	}
	if ac := js.Global().Get("AbortController"); ac.Truthy() {
		controller := ac.New()
		opts["signal"] = controller.Get("signal")
		stop := context.AfterFunc(ctx, func() { controller.Call("abort") })
		defer stop()
	}

	resp, err := await(ctx, js.Global().Call("fetch", req.url, opts))
	if err != nil {
		return response{}, err
	}
	text, err := await(ctx, resp.Call("text"))
	if err != nil {
		return response{}, err
	}
	h := http.Header{}
	iter := resp.Get("headers").Call("entries")
	for {
		next := iter.Call("next")
		if next.Get("done").Truthy() {
			break
		}
		pair := next.Get("value")
		h.Add(pair.Index(0).String(), pair.Index(1).String())
	}
	return response{status: resp.Get("status").Int(), header: h, body: []byte(text.String())}, nil
}

// await waits for a promise. It blocks, so it must run on a goroutine of its
// own (ctx.Async), never on the UI goroutine or inside a JS callback.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	onOK := js.FuncOf(func(this js.Value, args []js.Value) any {
		done <- result{v: args[0]}
		return nil
	})
	onErr := js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := "fetch failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	promise.Call("then", onOK, onErr)
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return js.Value{}, ctx.Err()
	}
}
