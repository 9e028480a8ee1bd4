package store

import (
	"encoding/binary"
	"fmt"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// Memberships: an agent sees and answers the conversations of the sites it
// is a member of, with a role per site. Both directions are indexed, so
// "who works on this site" and "which sites does this agent see" are each
// one prefix scan.

func memberKey(site string, agent uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(site), 0), agent)
}

func agentSiteKey(agent uint64, site string) []byte {
	return append(u64(agent), site...)
}

// SetMember makes agent a member of site with role, or changes its role.
func (d *DB) SetMember(site string, agent uint64, role string) error {
	return d.putMembership(site, agent, role, false)
}

// putMembership writes a membership; only with isNew refuses one that
// exists.
func (d *DB) putMembership(site string, agent uint64, role string, isNew bool) error {
	if !parley.ValidSiteRole(role) {
		return parley.Errorf(parley.EInvalid, "Unknown site role %q: use owner, admin or agent.", role)
	}
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		if tx.Bucket(bucketAgents).Get(u64(agent)) == nil {
			return parley.Errorf(parley.ENotFound, "Agent %d not found.", agent)
		}
		if isNew && tx.Bucket(bucketMembers).Get(memberKey(site, agent)) != nil {
			return parley.Errorf(parley.EConflict, "Already a member of this site.")
		}
		return putMember(tx, parley.Member{Site: site, Agent: agent, Role: role})
	})
}

func putMember(tx *bolt.Tx, m parley.Member) error {
	if err := tx.Bucket(bucketMembers).Put(memberKey(m.Site, m.Agent), []byte(m.Role)); err != nil {
		return fmt.Errorf("store: writing member: %w", err)
	}
	if err := tx.Bucket(bucketAgentSites).Put(agentSiteKey(m.Agent, m.Site), []byte(m.Role)); err != nil {
		return fmt.Errorf("store: indexing member: %w", err)
	}
	return nil
}

// RemoveMember ends agent's membership of site; it is not an error if
// there was none.
func (d *DB) RemoveMember(site string, agent uint64) error {
	return d.update(func(tx *bolt.Tx) error { return deleteMember(tx, site, agent) })
}

func deleteMember(tx *bolt.Tx, site string, agent uint64) error {
	if err := tx.Bucket(bucketMembers).Delete(memberKey(site, agent)); err != nil {
		return fmt.Errorf("store: removing member: %w", err)
	}
	if err := tx.Bucket(bucketAgentSites).Delete(agentSiteKey(agent, site)); err != nil {
		return fmt.Errorf("store: removing member: %w", err)
	}
	return nil
}

// Role returns agent's role on site, or ENotFound if it is no member.
func (d *DB) Role(site string, agent uint64) (string, error) {
	var role string
	err := d.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMembers).Get(memberKey(site, agent))
		if v == nil {
			return parley.Errorf(parley.ENotFound, "Agent %d is no member of site %q.", agent, site)
		}
		role = string(v)
		return nil
	})
	return role, err
}

// AgentSites returns agent's memberships, by site id.
func (d *DB) AgentSites(agent uint64) ([]parley.Member, error) {
	var ms []parley.Member
	err := d.view(func(tx *bolt.Tx) error {
		prefix := u64(agent)
		c := tx.Bucket(bucketAgentSites).Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) > 8 && be64(k) == agent; k, v = c.Next() {
			ms = append(ms, parley.Member{Site: string(k[8:]), Agent: agent, Role: string(v)})
		}
		return nil
	})
	return ms, err
}

// SiteMembers returns site's members, by agent id.
func (d *DB) SiteMembers(site string) ([]parley.Member, error) {
	var ms []parley.Member
	err := d.view(func(tx *bolt.Tx) error {
		prefix := append([]byte(site), 0)
		c := tx.Bucket(bucketMembers).Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			ms = append(ms, parley.Member{Site: site, Agent: be64(k[len(prefix):]), Role: string(v)})
		}
		return nil
	})
	return ms, err
}

// addMemberships takes schema 2 to schema 3: until then every agent saw
// every site, so every agent becomes a member of every site — an admin as
// an owner, an agent as an agent — and nobody loses sight of anything.
func addMemberships(tx *bolt.Tx) error {
	var sites []string
	if err := tx.Bucket(bucketSites).ForEach(func(k, _ []byte) error {
		sites = append(sites, string(k))
		return nil
	}); err != nil {
		return err
	}
	return tx.Bucket(bucketAgents).ForEach(func(_, v []byte) error {
		var r agentRecord
		if err := decode(v, &r); err != nil {
			return err
		}
		role := parley.SiteRoleAgent
		if r.Agent.Role == parley.AgentRoleAdmin {
			role = parley.SiteRoleOwner
		}
		for _, site := range sites {
			if err := putMember(tx, parley.Member{Site: site, Agent: r.Agent.ID, Role: role}); err != nil {
				return err
			}
		}
		return nil
	})
}
