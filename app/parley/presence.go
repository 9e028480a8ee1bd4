package parley

import "time"

// Presence: each agent is online, away or offline, and takes up to its
// capacity of chats at once. The defaults live here, the one place both
// the server (the grace) and the console (the idle time) read them.

// Agent presence statuses.
const (
	StatusOnline  = "online"
	StatusAway    = "away"
	StatusOffline = "offline"
)

// TypePresence goes both ways: an agent sets its own status with
// {"type":"presence","status":"online"|"away"}; the server tells agents
// about a colleague's status or capacity with {"type":"presence","agent":{…}}.
const TypePresence = "presence"

const (
	// PresenceGrace is how long an agent whose last console socket closed
	// stays as it was before it turns offline: a reload or a short network
	// drop does not make it flap.
	PresenceGrace = 30 * time.Second
	// IdleAway is how long the console waits without input before it
	// sets its agent away, and back online at the next input. The server
	// trusts the console for this.
	IdleAway = 5 * time.Minute
)

// Capacity: how many chats an agent takes at once.
const (
	DefaultCapacity = 3
	MinCapacity     = 1
	MaxCapacity     = 20
)

// CheckCapacity refuses a capacity outside MinCapacity–MaxCapacity.
func CheckCapacity(n int) error {
	if n < MinCapacity || n > MaxCapacity {
		return Errorf(EInvalid, "The capacity must be a whole number of chats from %d to %d.", MinCapacity, MaxCapacity)
	}
	return nil
}

// SettableStatus says whether an agent may set status itself: online or
// away (offline follows from its sockets).
func SettableStatus(status string) bool {
	return status == StatusOnline || status == StatusAway
}
