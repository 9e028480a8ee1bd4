package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// debugStats reads GET /debug/stats?gc=1 from the server's debug handler.
func debugStats(tb testing.TB, env *sockEnv) web.DebugStats {
	tb.Helper()
	rec := httptest.NewRecorder()
	env.srv.DebugHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/stats?gc=1", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("/debug/stats: status %d: %s", rec.Code, rec.Body)
	}
	var st web.DebugStats
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		tb.Fatalf("/debug/stats: %v: %s", err, rec.Body)
	}
	return st
}

// waitStats reads the debug stats until ok accepts them. Sockets end
// after their clients hang up, not at once.
func waitStats(tb testing.TB, env *sockEnv, what string, ok func(web.DebugStats) bool) web.DebugStats {
	tb.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		st := debugStats(tb, env)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waiting for %s: stats %+v", what, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDebugStats(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v1, _ := env.newVisitor(t, "visitor 1")
	env.newVisitor(t, "visitor 2")
	env.newAgent(t, "agent", 0)
	env.dial(t, "before hello", nil)

	st := waitStats(t, env, "four sockets", func(st web.DebugStats) bool { return st.Sockets == 4 })
	if st.VisitorSockets != 2 || st.AgentSockets != 1 {
		t.Errorf("visitorSockets %d, agentSockets %d, want 2 and 1", st.VisitorSockets, st.AgentSockets)
	}
	if st.Goroutines == 0 || st.HeapAlloc == 0 || st.HeapInuse == 0 || st.HeapObjects == 0 || st.StackInuse == 0 || st.Sys == 0 || st.NumGC == 0 {
		t.Errorf("stats %+v: the runtime's figures are missing (gc=1 must have run a collection)", st)
	}

	v1.ws.Close(websocket.StatusNormalClosure, "")
	waitStats(t, env, "one visitor gone", func(st web.DebugStats) bool {
		return st.Sockets == 3 && st.VisitorSockets == 1 && st.AgentSockets == 1
	})

	// The field names are the contract with the load generator.
	rec := httptest.NewRecorder()
	env.srv.DebugHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/stats", nil))
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"goroutines", "heapAlloc", "heapInuse", "heapObjects", "stackInuse", "sys", "numGC", "sockets", "visitorSockets", "agentSockets"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("/debug/stats has no %q: %s", k, rec.Body)
		}
	}

	rec = httptest.NewRecorder()
	env.srv.DebugHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/goroutine?debug=1", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/debug/pprof/goroutine: status %d", rec.Code)
	}
}

// TestDebugNotPublic: the debug routes exist only on the debug handler,
// never on the public listener.
func TestDebugNotPublic(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	for _, path := range []string{"/debug/stats", "/debug/pprof/"} {
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		req, _ := http.NewRequestWithContext(ctx, "GET", env.url+path, nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: status %d, want %d", path, resp.StatusCode, http.StatusNotFound)
		}
	}
}
