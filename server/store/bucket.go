package store

import (
	"encoding/binary"
	"math"

	"github.com/parley-chat/parley/app/parley"
)

// Every bucket Parley keeps, in one place, so the whole layout reads at a
// glance. All are created by Open. Integer keys are 8-byte big-endian, so
// bbolt's byte order is numeric order and prefix scans work.
var (
	// bucketMeta holds keyVersion, the schema version.
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

	// bucketConversations holds everything of a conversation in one key
	// range, conversation id (8 bytes) | ...:
	//
	//	id | seq (1, 2, …)                              → msg frame, the exact bytes sent on the wire
	//	id | 0xff×8                                     → the conversation
	//	id | 0xff×8 | kind | 0 | author id | client id  → seq, to find a resend
	//
	// The conversation's record follows its newest message, so an append
	// changes one neighbourhood of the tree. Its sequence numbers
	// conversations. See the package doc for why one range instead of a
	// bucket per kind.
	bucketConversations = []byte("conversations")
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
	bucketConversations,
	bucketVisitorConversations,
	bucketOpenConversations,
}

// keyVersion in bucketMeta holds the schema version as 8 bytes big-endian.
var keyVersion = []byte("version")

// Keys inside bucketConversations.
func convKey(conv uint64) []byte         { return key2(conv, math.MaxUint64) }
func messageKey(conv, seq uint64) []byte { return key2(conv, seq) }

// isMessageKey tells a message key from the keys that follow the messages
// in a conversation's range: the record and the dedupe keys.
func isMessageKey(k []byte) bool {
	return len(k) == 16 && binary.BigEndian.Uint64(k[8:]) != math.MaxUint64
}

// dedupeKey places (author, client id) after every message of conv.
func dedupeKey(conv uint64, from parley.Author, clientID string) []byte {
	k := make([]byte, 0, 16+len(from.Kind)+1+8+len(clientID))
	k = binary.BigEndian.AppendUint64(k, conv)
	k = binary.BigEndian.AppendUint64(k, math.MaxUint64)
	k = append(k, from.Kind...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, from.ID)
	return append(k, clientID...)
}
