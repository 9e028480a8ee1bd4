//go:build js

package client

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// dial connects through the browser's WebSocket, which cannot send headers:
// the browser adds the cookies and the Origin itself.
func dial(ctx context.Context, url string, _ http.Header) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, url, nil)
	return conn, err
}

// closeConn closes without waiting: the browser's close handshake on a dead
// network may take a minute, and the client must reconnect now.
func closeConn(conn *websocket.Conn) {
	go conn.CloseNow()
}

// solvePause lets the browser run between rounds of a proof of work: the
// page has one thread, and a sleeping goroutine hands it back to the event
// loop. A round is some tens of milliseconds.
var solvePause = func() { time.Sleep(time.Millisecond) }
