package store

import (
	"encoding/binary"

	"github.com/parley-chat/parley/app/parley"
)

// Every bucket Parley keeps, in one place, so the whole layout reads at a
// glance. All are created by Open. Integer keys are 8-byte big-endian, so
// bbolt's byte order is numeric order and prefix scans work.
var (
	// bucketMeta holds keyVersion, the schema version, and keyCheckpoint.
	bucketMeta = []byte("meta")

	// bucketSites maps site id → site.
	bucketSites = []byte("sites")

	// bucketAgents maps agent id → agent and password hash; its sequence
	// numbers agents.
	bucketAgents = []byte("agents")
	// bucketAgentEmails maps lowercased email → agent id.
	bucketAgentEmails = []byte("agent_emails")

	// bucketSessions maps SHA-256(cookie token) → session.
	bucketSessions = []byte("sessions")

	// bucketVisitors maps visitor id → visitor and remembered page; its
	// sequence numbers visitors.
	bucketVisitors = []byte("visitors")
	// bucketVisitorTokens maps SHA-256(visitor token) → visitor id.
	bucketVisitorTokens = []byte("visitor_tokens")

	// bucketLog is the log of every conversation, one entry per key:
	// log position (8 bytes, 1, 2, … across all conversations) → entry
	// (see entry.go: a small header, then the msg frame sent on the wire).
	// Keys only ever grow, so a commit writes at the right edge of the
	// tree, however many conversations it touches.
	bucketLog = []byte("log")

	// bucketConvs maps conversation id → convRecord. Its sequence numbers
	// conversations. A record is written when something that the log
	// does not say changes (creation, status, page), and at checkpoints.
	bucketConvs = []byte("convs")
	// bucketConvIndex maps conversation id | seq → log position, for the
	// entries up to the conversation's checkpointed seq (convRecord.Indexed);
	// newer ones are in the committer's memory, rebuilt from the log at Open.
	bucketConvIndex = []byte("conv_index")
	// bucketDedupe maps conversation id | author kind | 0 | author id |
	// client id → seq, to answer a resend with the original ack. Written at
	// checkpoints, like the index.
	bucketDedupe = []byte("dedupe")

	// bucketVisitorConversations indexes visitor id | conversation id → nil,
	// so a visitor's conversations are a prefix scan, newest last.
	bucketVisitorConversations = []byte("visitor_conversations")
	// bucketOpenConversations indexes the ids of open conversations → nil, so
	// the agents' inbox does not scan resolved history.
	bucketOpenConversations = []byte("open_conversations")
)

// allBuckets lists the top-level buckets Open creates.
var allBuckets = [][]byte{
	bucketMeta,
	bucketSites,
	bucketAgents,
	bucketAgentEmails,
	bucketSessions,
	bucketVisitors,
	bucketVisitorTokens,
	bucketLog,
	bucketConvs,
	bucketConvIndex,
	bucketDedupe,
	bucketVisitorConversations,
	bucketOpenConversations,
}

// Keys in bucketMeta.
var (
	// keyVersion holds the schema version as 8 bytes big-endian.
	keyVersion = []byte("version")
	// keyCheckpoint holds the log position up to which every entry is
	// reflected in bucketConvs, bucketConvIndex and bucketDedupe.
	keyCheckpoint = []byte("checkpoint")
)

func indexKey(conv, seq uint64) []byte { return key2(conv, seq) }

// dedupeKey identifies (author, client id) within conv.
func dedupeKey(conv uint64, from parley.Author, clientID string) []byte {
	k := make([]byte, 0, 8+len(from.Kind)+1+8+len(clientID))
	k = binary.BigEndian.AppendUint64(k, conv)
	k = append(k, from.Kind...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, from.ID)
	return append(k, clientID...)
}
