//go:build !js

package client

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
)

// dial connects natively, sending h with the upgrade (an agent's cookie).
func dial(ctx context.Context, url string, h http.Header) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	return conn, err
}

// closeConn closes at once, without waiting for a close handshake.
func closeConn(conn *websocket.Conn) {
	conn.CloseNow()
}

// solvePause is nil natively: a proof of work runs on a thread of its own.
var solvePause func()
