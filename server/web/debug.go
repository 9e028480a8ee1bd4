package web

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"runtime"

	"github.com/parley-chat/parley/app/parley"
)

// DebugStats is what GET /debug/stats reports: the process's memory and
// goroutines next to the websockets they serve, so a load test can read
// the cost of a connection from outside.
type DebugStats struct {
	Goroutines  int    `json:"goroutines"`
	HeapAlloc   uint64 `json:"heapAlloc"`
	HeapInuse   uint64 `json:"heapInuse"`
	HeapObjects uint64 `json:"heapObjects"`
	StackInuse  uint64 `json:"stackInuse"`
	Sys         uint64 `json:"sys"`
	NumGC       uint32 `json:"numGC"`
	// Sockets counts open websockets, hello or not; VisitorSockets and
	// AgentSockets those that said hello as each role.
	Sockets        int   `json:"sockets"`
	VisitorSockets int64 `json:"visitorSockets"`
	AgentSockets   int64 `json:"agentSockets"`
}

// DebugHandler serves /debug/stats and net/http/pprof's /debug/pprof/.
// It exposes the process's internals and is never part of the public
// routes: serve it on a listener of its own, reachable by operators only.
func (s *Server) DebugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/stats", s.handleDebugStats)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// handleDebugStats is GET /debug/stats; ?gc=1 collects garbage first, so
// that the heap figures are what is live.
func (s *Server) handleDebugStats(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("gc") == "1" {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.connsMu.Lock()
	sockets := len(s.conns)
	s.connsMu.Unlock()
	st := DebugStats{
		Goroutines:     runtime.NumGoroutine(),
		HeapAlloc:      m.HeapAlloc,
		HeapInuse:      m.HeapInuse,
		HeapObjects:    m.HeapObjects,
		StackInuse:     m.StackInuse,
		Sys:            m.Sys,
		NumGC:          m.NumGC,
		Sockets:        sockets,
		VisitorSockets: s.visitorSockets.Load(),
		AgentSockets:   s.agentSockets.Load(),
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(st)
}

// countSocket adds delta to the count of greeted sockets of role.
func (s *Server) countSocket(role parley.Role, delta int64) {
	switch role {
	case parley.RoleVisitor:
		s.visitorSockets.Add(delta)
	case parley.RoleAgent:
		s.agentSockets.Add(delta)
	}
}
