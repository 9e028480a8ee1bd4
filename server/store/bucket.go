package store

import (
	"encoding/binary"
	"hash/fnv"

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

	// bucketMembers maps site id | 0 | agent id → the agent's role on the
	// site; bucketAgentSites maps agent id | site id → the same role.
	bucketMembers    = []byte("members")
	bucketAgentSites = []byte("agent_sites")

	// bucketSessions maps SHA-256(cookie token) → session.
	bucketSessions = []byte("sessions")
	// bucketAgentSessions indexes agent id | SHA-256(cookie token) → nil,
	// so an agent's sessions are a prefix scan (revoking them all).
	bucketAgentSessions = []byte("agent_sessions")

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
	// bucketConvIndex maps conversation id | seq → log position | id hash
	// (idHash of the entry's author and client id, 0 for none), for the
	// entries up to the conversation's checkpointed seq (convRecord.Indexed);
	// newer ones are in the committer's memory, rebuilt from the log at
	// Open. The hash finds a resend's original without a key per client id:
	// client ids are random, and inserting random keys would dirty a page
	// of old history for every message.
	bucketConvIndex = []byte("conv_index")

	// bucketVisitorConversations indexes visitor id | conversation id → nil,
	// so a visitor's conversations are a prefix scan, newest last.
	bucketVisitorConversations = []byte("visitor_conversations")
	// bucketOpenConversations indexes the ids of open conversations → nil, so
	// the agents' inbox does not scan resolved history.
	bucketOpenConversations = []byte("open_conversations")

	// bucketOutbox maps job id → Job: every effect outside the process
	// (an email, later a push or a webhook), written in the transaction
	// of the change that causes it; its sequence numbers jobs.
	// bucketOutboxDue indexes not-before (Unix ms) | job id → nil, the
	// order the worker takes them in; bucketOutboxKeys maps a job's
	// idempotency key → job id, kept after the job is done, so that the
	// same effect is never queued twice; bucketOutboxDead holds the jobs
	// given up on, by id.
	bucketOutbox     = []byte("outbox")
	bucketOutboxDue  = []byte("outbox_due")
	bucketOutboxKeys = []byte("outbox_keys")
	bucketOutboxDead = []byte("outbox_dead")

	// bucketBlocks maps site id | 0 | 'v' | visitor id (8 bytes) and
	// site id | 0 | 'a' | address prefix ("203.0.113.7/32",
	// "2001:db8::/64") → Block: the visitors and addresses agents have
	// blocked, until when. A new bucket at open needs no migration.
	bucketBlocks = []byte("blocks")

	// bucketResumeUsed maps expiry (Unix seconds, 8 bytes) | MAC of a
	// resume link → visitor id: the links a device has used to become
	// their visitor (resume.go). The link itself holds both parts, so a
	// lookup is exact, and the expired ones are a range at the start.
	bucketResumeUsed = []byte("resume_used")

	// bucketIdentitySecrets maps site id → the site's identity secret
	// (identity.go), the key of the HMAC the shop signs its customers'
	// ids with. bucketContacts maps site id | 0 | external id → visitor
	// id: the contact a verified identify makes a device one more device
	// of. New buckets at open need no migration.
	bucketIdentitySecrets = []byte("identity_secrets")
	bucketContacts        = []byte("contacts")

	// bucketPush maps agent id → PushAgent: the agent's Web Push
	// subscriptions (one per browser, at most parley.MaxPushSubscriptions)
	// and which news they want pushed. A new bucket at open needs no
	// migration.
	bucketPush = []byte("push")

	// bucketCanned maps site id → the site's canned replies. They are
	// apart from the site, which every widget page and visitor hello
	// reads: 200 replies of 4,000 characters would weigh on both. A new
	// bucket at open needs no migration.
	bucketCanned = []byte("canned")

	// bucketFiles maps conversation id | SHA-256 of a file (32 bytes) →
	// fileRecord: the attachments uploaded to the conversation. The
	// bytes live outside bbolt, under the data directory's files/, by
	// the same hash; the key's conversation is what lets a message of
	// that conversation, and only of it, carry the file. A new bucket at
	// open needs no migration.
	bucketFiles = []byte("files")

	// bucketNotes maps visitor id | note id (8 bytes each) → the
	// parley.ContactNote agents wrote about the contact; its sequence
	// numbers notes, so a contact's notes are a prefix scan, oldest
	// first. A new bucket at open needs no migration.
	bucketNotes = []byte("notes")

	// bucketRatings maps site id | 0 | rated at (Unix ns, 8 bytes) |
	// conversation id (8 bytes) | kind ('c' satisfaction, 'n' NPS) →
	// RatingRecord: the visitors' answers, a site's in time order for
	// reports. A changed answer moves to its new time. A new bucket at
	// open needs no migration.
	bucketRatings = []byte("ratings")
	// bucketFAQ maps site id → the site's FAQ entries, apart from the
	// site for the same reason as its canned replies: 200 answers of
	// 2,000 characters would weigh on every widget page and hello. A new
	// bucket at open needs no migration.
	bucketFAQ = []byte("faq")
	// bucketFAQStats maps site id | 0 | day (YYYYMMDD) | 0 | entry id →
	// what visitors did with the entry that day (three big-endian uint32:
	// shown, helpful, asked). Days older than FAQStatDays are dropped
	// when the site's counters are next written: bounded per entry.
	bucketFAQStats = []byte("faq_stats")
)

// allBuckets lists the top-level buckets Open creates.
var allBuckets = [][]byte{
	bucketMeta,
	bucketCanned,
	bucketSites,
	bucketAgents,
	bucketAgentEmails,
	bucketMembers,
	bucketAgentSites,
	bucketSessions,
	bucketAgentSessions,
	bucketVisitors,
	bucketVisitorTokens,
	bucketLog,
	bucketConvs,
	bucketConvIndex,
	bucketVisitorConversations,
	bucketOpenConversations,
	bucketOutbox,
	bucketOutboxDue,
	bucketOutboxKeys,
	bucketOutboxDead,
	bucketBlocks,
	bucketResumeUsed,
	bucketIdentitySecrets,
	bucketContacts,
	bucketPush,
	bucketFiles,
	bucketNotes,
	bucketRatings,
	bucketFAQ,
	bucketFAQStats,
}

// Keys in bucketMeta.
var (
	// keyVersion holds the schema version as 8 bytes big-endian.
	keyVersion = []byte("version")
	// keyCheckpoint holds the log position up to which every entry is
	// reflected in bucketConvs and bucketConvIndex.
	keyCheckpoint = []byte("checkpoint")
)

func indexKey(conv, seq uint64) []byte { return key2(conv, seq) }

// indexValue is an index entry's value: the log position and the id hash.
func indexValue(pos, hash uint64) []byte { return key2(pos, hash) }

// idHash identifies (author, client id) in 64 bits, never 0: FNV-1a. A
// match is checked against the entry itself, so a collision costs a read,
// never a wrong answer.
func idHash(from parley.Author, clientID string) uint64 {
	if clientID == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(from.Kind))
	h.Write([]byte{0})
	h.Write(binary.BigEndian.AppendUint64(nil, from.ID))
	h.Write([]byte(clientID))
	return max(h.Sum64(), 1)
}
