package store

import (
	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// People: the operations of an owner managing a site's people, each one
// transaction, shared by the CLI (parley agent add, site add) and the
// console's API. Who may do what is the caller's business; the store
// keeps what must hold whoever asks: a site always has an owner.

// CreateAgentIn stores a new agent, as CreateAgent does, and makes it a
// member with role of each of sites, in the same transaction: an agent
// is never stored without the memberships it was created for. Every site
// must exist.
func (d *DB) CreateAgentIn(a parley.Agent, passwordHash []byte, sites []string, role string) (parley.Agent, error) {
	a, err := checkNewAgent(a)
	if err != nil {
		return parley.Agent{}, err
	}
	if len(sites) > 0 && !parley.ValidSiteRole(role) {
		return parley.Agent{}, parley.Errorf(parley.EInvalid, "Unknown site role %q: use owner, admin or agent.", role)
	}
	err = d.update(func(tx *bolt.Tx) error {
		for _, s := range sites {
			if tx.Bucket(bucketSites).Get([]byte(s)) == nil {
				return parley.Errorf(parley.ENotFound, "Site %q not found.", s)
			}
		}
		if a, err = createAgent(tx, a, passwordHash); err != nil {
			return err
		}
		for _, s := range sites {
			if err := putMember(tx, parley.Member{Site: s, Agent: a.ID, Role: role}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return parley.Agent{}, err
	}
	return a, nil
}

// CreateSiteOwned stores a new site, as CreateSite does, with owners as
// its owners, in the same transaction. Every owner must exist.
func (d *DB) CreateSiteOwned(s parley.Site, owners []uint64) error {
	if s.ID == "" {
		return parley.Errorf(parley.EInvalid, "A site needs an id.")
	}
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(s.ID)) != nil {
			return parley.Errorf(parley.EConflict, "Site %q already exists.", s.ID)
		}
		for _, id := range owners {
			if tx.Bucket(bucketAgents).Get(u64(id)) == nil {
				return parley.Errorf(parley.ENotFound, "Agent %d not found.", id)
			}
		}
		if err := putSite(tx, s); err != nil {
			return err
		}
		for _, id := range owners {
			if err := putMember(tx, parley.Member{Site: s.ID, Agent: id, Role: parley.SiteRoleOwner}); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddMember makes agent a member of site with role. Unlike SetMember it
// changes no existing membership: a member already is EConflict.
func (d *DB) AddMember(site string, agent uint64, role string) error {
	return d.putMembership(site, agent, role, true)
}

// MemberGuard is asked, inside the transaction, whether a change to a
// membership whose current role is given may go ahead: the caller's
// permission check, made on the role as it is when the change is made.
// nil allows every change.
type MemberGuard func(current string) error

// ChangeMemberRole gives agent, a member of site, a new role. A
// non-member is ENotFound; demoting the site's last owner is EConflict.
func (d *DB) ChangeMemberRole(site string, agent uint64, role string, guard MemberGuard) error {
	if !parley.ValidSiteRole(role) {
		return parley.Errorf(parley.EInvalid, "Unknown site role %q: use owner, admin or agent.", role)
	}
	return d.update(func(tx *bolt.Tx) error {
		current, err := memberRoleFor(tx, site, agent, guard)
		if err != nil {
			return err
		}
		if current == parley.SiteRoleOwner && role != parley.SiteRoleOwner && countOwners(tx, site) == 1 {
			return parley.Errorf(parley.EConflict, "The site's last owner cannot step down: make someone else an owner first.")
		}
		return putMember(tx, parley.Member{Site: site, Agent: agent, Role: role})
	})
}

// DropMember ends agent's membership of site. A non-member is ENotFound;
// removing the site's last owner is EConflict.
func (d *DB) DropMember(site string, agent uint64, guard MemberGuard) error {
	return d.update(func(tx *bolt.Tx) error {
		current, err := memberRoleFor(tx, site, agent, guard)
		if err != nil {
			return err
		}
		if current == parley.SiteRoleOwner && countOwners(tx, site) == 1 {
			return parley.Errorf(parley.EConflict, "The site's last owner cannot be removed: make someone else an owner first.")
		}
		return deleteMember(tx, site, agent)
	})
}

// memberRoleFor is agent's role on site, once guard allows the change.
func memberRoleFor(tx *bolt.Tx, site string, agent uint64, guard MemberGuard) (string, error) {
	v := tx.Bucket(bucketMembers).Get(memberKey(site, agent))
	if v == nil {
		return "", parley.Errorf(parley.ENotFound, "Agent %d is no member of site %q.", agent, site)
	}
	current := string(v)
	if guard != nil {
		if err := guard(current); err != nil {
			return "", err
		}
	}
	return current, nil
}

// countOwners is how many owners site has.
func countOwners(tx *bolt.Tx, site string) int {
	n := 0
	prefix := append([]byte(site), 0)
	c := tx.Bucket(bucketMembers).Cursor()
	for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
		if string(v) == parley.SiteRoleOwner {
			n++
		}
	}
	return n
}

// SiteTeam returns site's members with their names, emails, roles and
// whether they are disabled, by agent id, read in one transaction.
func (d *DB) SiteTeam(site string) ([]parley.SiteMember, error) {
	var team []parley.SiteMember
	err := d.view(func(tx *bolt.Tx) error {
		prefix := append([]byte(site), 0)
		c := tx.Bucket(bucketMembers).Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			r, err := agent(tx, be64(k[len(prefix):]))
			if parley.ErrorCode(err) == parley.ENotFound {
				continue
			} else if err != nil {
				return err
			}
			team = append(team, parley.SiteMember{ID: r.Agent.ID, Name: r.Agent.Name, Email: r.Agent.Email, Role: string(v), Disabled: r.Disabled})
		}
		return nil
	})
	return team, err
}
