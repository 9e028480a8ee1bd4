// Package store keeps Parley's data in one bbolt file: sites, agents and
// their sessions, visitors, and every conversation's log.
//
// It may import app/parley, bbolt and the standard library; only the
// server's main and the web package know it exists.
//
// # Writes
//
// Conversations are the hot path. Every write that can come at chat speed
// (Append, MarkRead, SetStatus, SetPage, CreateVisitor) goes through one
// committer goroutine: it takes everything queued, applies it in one bbolt
// write transaction, commits, hands the new entries to the OnCommit hook and
// only then answers the callers. One fsync thus covers a whole batch, with no
// timer adding latency: a lone write commits at once, and writes arriving
// during a commit share the next one. Rare administrative writes (sites,
// agents, sessions) use their own transaction; they never touch
// conversations.
//
// Each queued write is checked before it changes anything, so a refused
// request (not found, conflict) does not disturb the others of its batch; a
// failing transaction fails every request of its batch.
//
// # Layout: one log, checkpointed
//
// Bucket names and key formats are in bucket.go, the entry format in
// entry.go. Every entry of every conversation — messages, notes, events,
// edits, deletions, read marks — is appended to one log under a global,
// ever-growing position. bbolt copies every page a commit changes, so what
// a commit costs is the pages it dirties: appends at the right edge of one
// tree dirty a few pages per batch, however many conversations the batch
// touches. The entry is stored as the exact msg frame clients receive,
// behind a small header with its conversation, seq and audience, so a
// replay copies bytes and a visitor's replay skips agents-only entries
// without decoding anything.
//
// What the log implies — each conversation's counters (newest seq, preview,
// unread, read marks) and the index from (conversation, seq) to log
// position and the entry's id hash, which finds a resend's original — is
// kept by the committer in memory and written at checkpoints: every 30 s,
// or after 65,536 entries, or at Close, in steps of 64 conversations. A
// checkpoint costs about a page per conversation touched since the last
// one, not one per message. After a crash, Open applies the log entries
// after the checkpoint again; each record says up to which log position
// and seq it is current, so replaying is exact.
//
// There is no key per client message id: ids are random, and a random key
// dirties a page of old history at every insert. A resend is recognised in
// the committer's memory when its original is not checkpointed yet, and
// otherwise by scanning the conversation's index for the id hash, newest
// first — only for sends not marked fresh (a first attempt cannot have
// been stored before).
// Readers see the newest committed state through views the committer
// publishes after each commit (view.go). Changes the log does not hold
// (a new conversation, its status, its page) write the record at once.
//
// BenchmarkAppend (40,000 messages to 1,000 random conversations, fsync on,
// a checkpoint included) counts the pages each layout writes per message,
// and the group commit's throughput on this 2-core machine:
//
//	                                          pages/msg, 16 writers   256 writers   msgs/s at 256
//	record, messages, dedupe keys in 3 buckets    4.8                     2.4           14,700
//	one key range per conversation (schema 1)     2.6                     1.5           22,400
//	one log, checkpointed (schema 2)              0.70                    0.12          99,400
//
// # Audiences
//
// An entry is for everyone or for agents only (a note, an internal event).
// Agents receive every entry, in seq order. A visitor's stream skips
// agents-only entries, and every entry the visitor sees carries the seq of
// the previous one they saw (parley.Frame.Prev, stored in the frame when
// it is not seq-1), so the visitor's gap detection never fires because of
// an entry they may not see.
package store

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout this code reads and writes. Raise it with a
// migration in migrations whenever the layout changes.
const schemaVersion = 5

// migrations[v] upgrades a database from schema version v to v+1, in the
// same transaction as Open's bucket creation. Version 0 is a new file.
var migrations = map[uint64]func(tx *bolt.Tx) error{
	0: func(tx *bolt.Tx) error { return nil },
	1: migrateToLog,
	2: addMemberships,
	3: indexAgentSessions,
	4: queueOpenConversations,
}

// DB is Parley's database.
type DB struct {
	db   *bolt.DB
	path string

	mu      sync.Mutex
	queue   []*write
	closing bool

	wake      chan struct{} // tells the committer there is work; capacity 1
	stopped   chan struct{} // closed when the committer has returned
	closeOnce sync.Once
	closeErr  error

	onCommit atomic.Pointer[[]func([]Committed)]
	// writing is held shared by every write transaction and exclusively
	// by Check: bbolt's consistency check reads the freelist, which a
	// concurrent writer changes.
	writing sync.RWMutex
	onJobs  atomic.Pointer[func()]

	checkpointEvery   time.Duration
	checkpointEntries int

	// Committer-owned: the newest log position; its copies of conversations
	// (every dirty one, and a bounded cache of clean ones); how many log
	// entries wait for a checkpoint, and when the last one ran.
	pos            uint64
	states         map[uint64]*convState
	dirty          map[uint64]*convState
	tailLen        int
	lastCheckpoint time.Time
	// checkpointTo is the log position a checkpoint under way covers, step
	// by step; 0 when none is.
	checkpointTo uint64

	// loads counts the open conversations assigned to each agent: see
	// route.go.
	loads loads

	// views are the committed state of the dirty conversations, for
	// readers: see view.go.
	viewMu sync.RWMutex
	views  map[uint64]*convView
}

// Options tune Open.
type Options struct {
	// NoSync skips fsync on commit. Only for tests and benchmarks: a crash
	// loses committed data.
	NoSync bool
	// CheckpointEvery and CheckpointEntries override how often the
	// committer checkpoints (defaults: 30 s, 65,536 log entries).
	CheckpointEvery   time.Duration
	CheckpointEntries int
}

// Open opens or creates the database file at path. The directory must exist.
// It creates missing buckets, migrates an older schema and starts the
// committer.
func Open(path string, opts Options) (*DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		// Another process holding the file must not hang us forever.
		Timeout: time.Second,
		NoSync:  opts.NoSync,
		// The freelist is rebuilt by scanning at open instead of being
		// written on every commit: commits are what we do most.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	if err := db.Update(initSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	d := &DB{
		db:                db,
		path:              path,
		wake:              make(chan struct{}, 1),
		stopped:           make(chan struct{}),
		checkpointEvery:   cmp.Or(opts.CheckpointEvery, defaultCheckpointEvery),
		checkpointEntries: cmp.Or(opts.CheckpointEntries, defaultCheckpointEntries),
		lastCheckpoint:    time.Now(),
	}
	if err := d.reload(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	go d.commitLoop()
	if _, err := d.purgeSessions(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func initSchema(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	var version uint64
	if v := meta.Get(keyVersion); v != nil {
		if len(v) != 8 {
			return fmt.Errorf("schema version is %d bytes long", len(v))
		}
		version = binary.BigEndian.Uint64(v)
	}
	if version > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this Parley's %d", version, schemaVersion)
	}
	for ; version < schemaVersion; version++ {
		migrate, ok := migrations[version]
		if !ok {
			return fmt.Errorf("no migration from schema version %d", version)
		}
		if err := migrate(tx); err != nil {
			return fmt.Errorf("migrating from schema version %d: %w", version, err)
		}
	}
	return meta.Put(keyVersion, u64(schemaVersion))
}

// Close answers every write already queued (committing it), refuses new ones
// with EUnavailable, stops the committer and closes the file. It is safe to
// call more than once.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		d.mu.Lock()
		d.closing = true
		d.mu.Unlock()
		d.signal()
		<-d.stopped
		if err := d.db.Close(); err != nil {
			d.closeErr = fmt.Errorf("store: closing: %w", err)
		}
	})
	return d.closeErr
}

// Check verifies the file's page structure and returns the first problem.
func (d *DB) Check() error {
	d.writing.Lock()
	defer d.writing.Unlock()
	return d.db.View(func(tx *bolt.Tx) error {
		var first error
		// Drain the channel: the checking goroutine stops only when it is.
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return fmt.Errorf("store: check: %w", first)
		}
		return nil
	})
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Stats are bbolt's counters, for diagnostics.
func (d *DB) Stats() bolt.Stats { return d.db.Stats() }

// view runs fn in a read transaction, mapping a closed database to
// EUnavailable.
func (d *DB) view(fn func(tx *bolt.Tx) error) error {
	return mapClosed(d.db.View(fn))
}

// update runs fn in its own write transaction, for rare writes that need not
// share the committer's.
func (d *DB) update(fn func(tx *bolt.Tx) error) error {
	d.writing.RLock()
	defer d.writing.RUnlock()
	return mapClosed(d.db.Update(fn))
}

func mapClosed(err error) error {
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return errClosed()
	}
	return err
}

func errClosed() error {
	return parley.Errorf(parley.EUnavailable, "The server is shutting down; try again.")
}

// now is the time the store records: UTC, whole milliseconds, so that a
// message's At and its conversation's Updated agree and survive JSON.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Millisecond)
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func key2(a, b uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, a)
	binary.BigEndian.PutUint64(k[8:], b)
	return k
}

// encode and decode are the store's private value encoding.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encoding %T: %w", v, err)
	}
	return b, nil
}

func decode(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("store: decoding %T: %w", v, err)
	}
	return nil
}

// isRefusal tells a request refused on its own merits (nothing written) from
// a failure of the transaction.
func isRefusal(err error) bool {
	var e *parley.Error
	return errors.As(err, &e)
}
