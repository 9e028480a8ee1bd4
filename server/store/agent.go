package store

import (
	"encoding/binary"
	"fmt"
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
	err := d.update(func(tx *bolt.Tx) error {
		emails := tx.Bucket(bucketAgentEmails)
		if emails.Get([]byte(a.Email)) != nil {
			return parley.Errorf(parley.EConflict, "An agent with email %s already exists.", a.Email)
		}
		agents := tx.Bucket(bucketAgents)
		id, err := agents.NextSequence()
		if err != nil {
			return fmt.Errorf("store: numbering agent: %w", err)
		}
		a.ID = id
		a.Created = now()
		if err := emails.Put([]byte(a.Email), u64(id)); err != nil {
			return fmt.Errorf("store: indexing agent email: %w", err)
		}
		return putAgent(tx, agentRecord{Agent: a, PasswordHash: passwordHash})
	})
	if err != nil {
		return parley.Agent{}, err
	}
	return a, nil
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

// Agents returns every agent, by id.
func (d *DB) Agents() ([]parley.Agent, error) {
	var as []parley.Agent
	err := d.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAgents).ForEach(func(_, v []byte) error {
			var r agentRecord
			if err := decode(v, &r); err != nil {
				return err
			}
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
	return r, decode(v, &r)
}

func putAgent(tx *bolt.Tx, r agentRecord) error {
	v, err := encode(r)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketAgents).Put(u64(r.Agent.ID), v); err != nil {
		return fmt.Errorf("store: writing agent %d: %w", r.Agent.ID, err)
	}
	return nil
}
