package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// agentRecord is how an agent is stored: the hash stays out of parley.Agent
// so it cannot leak into a frame or a response by accident.
type agentRecord struct {
	Agent        parley.Agent `json:"agent"`
	PasswordHash []byte       `json:"passwordHash"`
	// Disabled agents cannot log in; the install's operator sets it with
	// parley agent disable. Absent in records from before it: false.
	Disabled bool `json:"disabled,omitempty"`
}

// normalizeEmail is the form emails are compared and stored in.
func normalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// CreateAgent stores a new agent, assigning its ID and Created time. The
// email, stored lowercased, must not belong to another agent. An empty role
// means parley.AgentRoleAgent.
func (d *DB) CreateAgent(a parley.Agent, passwordHash []byte) (parley.Agent, error) {
	return d.CreateAgentIn(a, passwordHash, nil, "")
}

// checkNewAgent normalizes and checks a new agent's fields.
func checkNewAgent(a parley.Agent) (parley.Agent, error) {
	a.Email = normalizeEmail(a.Email)
	if a.Email == "" {
		return parley.Agent{}, parley.Errorf(parley.EInvalid, "An agent needs an email address.")
	}
	switch a.Role {
	case "":
		a.Role = parley.AgentRoleAgent
	case parley.AgentRoleAgent, parley.AgentRoleAdmin:
	default:
		return parley.Agent{}, parley.Errorf(parley.EInvalid, "Unknown agent role %q.", a.Role)
	}
	if a.Capacity == 0 {
		a.Capacity = parley.DefaultCapacity
	}
	if err := parley.CheckCapacity(a.Capacity); err != nil {
		return parley.Agent{}, err
	}
	return a, nil
}

// createAgent stores a, checked by checkNewAgent, numbering it.
func createAgent(tx *bolt.Tx, a parley.Agent, passwordHash []byte) (parley.Agent, error) {
	emails := tx.Bucket(bucketAgentEmails)
	if emails.Get([]byte(a.Email)) != nil {
		return parley.Agent{}, parley.Errorf(parley.EConflict, "An agent with email %s already exists.", a.Email)
	}
	agents := tx.Bucket(bucketAgents)
	id, err := agents.NextSequence()
	if err != nil {
		return parley.Agent{}, fmt.Errorf("store: numbering agent: %w", err)
	}
	a.ID = id
	a.Created = now()
	if err := emails.Put([]byte(a.Email), u64(id)); err != nil {
		return parley.Agent{}, fmt.Errorf("store: indexing agent email: %w", err)
	}
	return a, putAgent(tx, agentRecord{Agent: a, PasswordHash: passwordHash})
}

// Agent returns the agent with the given id.
func (d *DB) Agent(id uint64) (parley.Agent, error) {
	var r agentRecord
	err := d.view(func(tx *bolt.Tx) (err error) {
		r, err = agent(tx, id)
		return err
	})
	return r.Agent, err
}

// AgentByEmail returns the agent with the given email, in any case, and its
// password hash.
func (d *DB) AgentByEmail(email string) (parley.Agent, []byte, error) {
	var r agentRecord
	err := d.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketAgentEmails).Get([]byte(normalizeEmail(email)))
		if len(v) != 8 {
			return parley.Errorf(parley.ENotFound, "No agent has this email address.")
		}
		var err error
		r, err = agent(tx, binary.BigEndian.Uint64(v))
		return err
	})
	return r.Agent, r.PasswordHash, err
}

// SetAgentPassword replaces an agent's password hash.
func (d *DB) SetAgentPassword(id uint64, hash []byte) error {
	return d.update(func(tx *bolt.Tx) error {
		r, err := agent(tx, id)
		if err != nil {
			return err
		}
		r.PasswordHash = hash
		return putAgent(tx, r)
	})
}

// AgentDisabled reports whether the agent with the given id is disabled.
func (d *DB) AgentDisabled(id uint64) (bool, error) {
	var r agentRecord
	err := d.view(func(tx *bolt.Tx) (err error) {
		r, err = agent(tx, id)
		return err
	})
	return r.Disabled, err
}

// SetAgentDisabled disables or enables an agent. Disabling removes, in the
// same transaction, every session of the agent, and returns their token
// hashes so that the sockets opened with them can be closed; a session
// cannot be created for a disabled agent (see CreateSession), so none
// survives the change.
func (d *DB) SetAgentDisabled(id uint64, disabled bool) ([][]byte, error) {
	var deleted [][]byte
	err := d.update(func(tx *bolt.Tx) error {
		r, err := agent(tx, id)
		if err != nil {
			return err
		}
		r.Disabled = disabled
		if err := putAgent(tx, r); err != nil {
			return err
		}
		if disabled {
			deleted, err = deleteAgentSessions(tx, id, nil)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// SetAgentCapacity sets how many chats an agent takes at once
// (parley.MinCapacity–parley.MaxCapacity) and returns the agent as stored.
func (d *DB) SetAgentCapacity(id uint64, capacity int) (parley.Agent, error) {
	if err := parley.CheckCapacity(capacity); err != nil {
		return parley.Agent{}, err
	}
	var r agentRecord
	err := d.update(func(tx *bolt.Tx) (err error) {
		if r, err = agent(tx, id); err != nil {
			return err
		}
		r.Agent.Capacity = capacity
		return putAgent(tx, r)
	})
	return r.Agent, err
}

// Colleagues returns the agents who are members of at least one of sites,
// by id, each once: who an agent of those sites works with.
func (d *DB) Colleagues(sites []string) ([]parley.Agent, error) {
	var as []parley.Agent
	err := d.view(func(tx *bolt.Tx) error {
		seen := make(map[uint64]bool)
		c := tx.Bucket(bucketMembers).Cursor()
		for _, site := range sites {
			prefix := append([]byte(site), 0)
			for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
				id := be64(k[len(prefix):])
				if seen[id] {
					continue
				}
				seen[id] = true
				r, err := agent(tx, id)
				if parley.ErrorCode(err) == parley.ENotFound {
					continue
				} else if err != nil {
					return err
				}
				as = append(as, r.Agent)
			}
		}
		return nil
	})
	slices.SortFunc(as, func(a, b parley.Agent) int { return cmp.Compare(a.ID, b.ID) })
	return as, err
}

// Agents returns every agent, by id.
func (d *DB) Agents() ([]parley.Agent, error) {
	var as []parley.Agent
	err := d.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAgents).ForEach(func(_, v []byte) error {
			var r agentRecord
			if err := decode(v, &r); err != nil {
				return err
			}
			r.Agent.Capacity = capacityOrDefault(r.Agent.Capacity)
			as = append(as, r.Agent)
			return nil
		})
	})
	return as, err
}

// CountAgents returns how many agents exist.
func (d *DB) CountAgents() (int, error) {
	var n int
	err := d.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketAgents).Stats().KeyN
		return nil
	})
	return n, err
}

func agent(tx *bolt.Tx, id uint64) (agentRecord, error) {
	var r agentRecord
	v := tx.Bucket(bucketAgents).Get(u64(id))
	if v == nil {
		return r, parley.Errorf(parley.ENotFound, "Agent %d not found.", id)
	}
	err := decode(v, &r)
	r.Agent.Capacity = capacityOrDefault(r.Agent.Capacity)
	return r, err
}

// capacityOrDefault reads a record from before capacities (0) as the default.
func capacityOrDefault(n int) int {
	if n == 0 {
		return parley.DefaultCapacity
	}
	return n
}

func putAgent(tx *bolt.Tx, r agentRecord) error {
	r.Agent.Status = "" // presence lives in memory, never on disk
	v, err := encode(r)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketAgents).Put(u64(r.Agent.ID), v); err != nil {
		return fmt.Errorf("store: writing agent %d: %w", r.Agent.ID, err)
	}
	return nil
}
