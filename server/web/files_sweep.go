package web

import (
	"context"
	"sync"
	"time"
)

// Files leave the disk by a sweep: the store keeps one record per
// conversation and file, removed when a deletion leaves no message of the
// conversation carrying the file, or when an upload was never sent within
// orphanAge; the sweep then deletes the bytes no record names. It runs at
// once after a deletion that dropped a file, and every fileSweepEvery.
const (
	orphanAge      = 24 * time.Hour
	fileSweepEvery = time.Hour
)

// fileSweeper runs the sweeps of one server.
type fileSweeper struct {
	// mu: uploads (bytes stored, then recorded) hold it for reading, a
	// sweep for writing, so that a sweep never takes bytes whose record
	// is on its way.
	mu sync.RWMutex

	dropMu  sync.Mutex
	dropped []string
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// startSweeper starts the sweeps when the server keeps files.
func (s *Server) startSweeper() {
	if s.files == nil {
		return
	}
	sw := &s.sweeper
	sw.kick, sw.stop, sw.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sw.done)
		t := time.NewTicker(fileSweepEvery)
		defer t.Stop()
		for {
			select {
			case <-sw.stop:
				return
			case <-sw.kick:
			case <-t.C:
			}
			s.sweepFiles()
		}
	}()
}

// stopSweeper stops the sweeps and waits for one under way.
func (s *Server) stopSweeper() {
	if sw := &s.sweeper; sw.stop != nil {
		close(sw.stop)
		<-sw.done
		sw.stop = nil
	}
}

// filesDropped asks for a sweep of ids, files a deletion took out of
// their conversation.
func (s *Server) filesDropped(ids []string) {
	sw := &s.sweeper
	if len(ids) == 0 || sw.kick == nil {
		return
	}
	sw.dropMu.Lock()
	sw.dropped = append(sw.dropped, ids...)
	sw.dropMu.Unlock()
	select {
	case sw.kick <- struct{}{}:
	default:
	}
}

// sweepFiles removes orphaned records, then the bytes no record names.
func (s *Server) sweepFiles() {
	sw := &s.sweeper
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.dropMu.Lock()
	drop := sw.dropped
	sw.dropped = nil
	sw.dropMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now()
	keep, err := s.store.SweepFiles(ctx, now.Add(-orphanAge))
	if err != nil {
		s.log.Error("web: sweeping file records", "err", err)
		return
	}
	n, err := s.files.Sweep(keep, drop, now.Add(-orphanAge))
	if err != nil {
		s.log.Error("web: sweeping files", "err", err)
	}
	if n > 0 {
		s.log.Info("web: files removed", "files", n)
	}
}
