package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// The install operator's operations. The CLI parses its flags into an
// opRequest; runOp carries it out, either in the CLI itself on the data
// file when no server runs, or in the running server, which receives the
// request on its admin socket (admin_socket.go). Both paths share this
// code, so a command does and prints the same either way.
//
// Passwords are hashed by the CLI: only the hash reaches runOp.

// The operations, as opRequest.Op names them.
const (
	opAgentAdd     = "agent add"
	opAgentList    = "agent list"
	opAgentDisable = "agent disable"
	opAgentEnable  = "agent enable"
	opAgentPasswd  = "agent passwd"
	opSiteAdd      = "site add"
)

// opRequest is one operation and its arguments; the JSON form is what the
// admin socket reads.
type opRequest struct {
	Op string `json:"op"`

	// agent *: the agent.
	Email        string   `json:"email,omitempty"`
	Name         string   `json:"name,omitempty"`
	Role         string   `json:"role,omitempty"`  // agent add: admin or agent
	Sites        []string `json:"sites,omitempty"` // agent add: empty is every site
	PasswordHash []byte   `json:"passwordHash,omitempty"`

	// site add.
	SiteID    string   `json:"siteId,omitempty"`
	SiteName  string   `json:"siteName,omitempty"`
	Origins   []string `json:"origins,omitempty"`
	Owners    []string `json:"owners,omitempty"` // emails; empty is every admin
	PublicURL string   `json:"publicUrl,omitempty"`
}

// sessionEnder closes the websockets opened with the sessions whose token
// hashes it is given: web.Server.EndSessions when the server runs, nil
// when the CLI works on the file itself and no socket can be open.
type sessionEnder func(hashes ...[]byte)

// runOp carries out req on db and writes what the operator is told to out.
// Every argument is checked before anything changes.
func runOp(db *store.DB, end sessionEnder, req opRequest, out io.Writer) error {
	switch req.Op {
	case opAgentAdd:
		return opAddAgent(db, req, out)
	case opAgentList:
		return opListAgents(db, out)
	case opAgentDisable, opAgentEnable:
		return opSetDisabled(db, end, req.Email, req.Op == opAgentDisable, out)
	case opAgentPasswd:
		return opSetPassword(db, end, req, out)
	case opSiteAdd:
		return opAddSite(db, req, out)
	}
	return parley.Errorf(parley.EInvalid, "Unknown operation %q.", req.Op)
}

func opAddAgent(db *store.DB, req opRequest, out io.Writer) error {
	if strings.TrimSpace(req.Email) == "" || strings.TrimSpace(req.Name) == "" {
		return parley.Errorf(parley.EInvalid, "-email and -name are required")
	}
	if req.Role != parley.AgentRoleAdmin && req.Role != parley.AgentRoleAgent {
		return parley.Errorf(parley.EInvalid, "-role must be admin or agent")
	}
	if len(req.PasswordHash) == 0 {
		return parley.Errorf(parley.EInvalid, "A new agent needs a password.")
	}
	sites := req.Sites
	if len(sites) == 0 {
		all, err := db.Sites()
		if err != nil {
			return err
		}
		for _, s := range all {
			sites = append(sites, s.ID)
		}
	} else {
		for _, id := range sites {
			if _, err := db.Site(id); err != nil {
				return err
			}
		}
	}
	siteRole := parley.SiteRoleAgent
	if req.Role == parley.AgentRoleAdmin {
		siteRole = parley.SiteRoleOwner
	}
	a, err := db.CreateAgentIn(parley.Agent{Email: strings.ToLower(strings.TrimSpace(req.Email)), Name: req.Name, Role: req.Role}, req.PasswordHash, sites, siteRole)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Created %s %s (id %d), %s of: %s.\n", a.Role, a.Email, a.ID, siteRole, orNone(sites))
	return nil
}

func opListAgents(db *store.DB, out io.Writer) error {
	agents, err := db.Agents()
	if err != nil {
		return err
	}
	if len(agents) == 0 {
		fmt.Fprintln(out, "No agents yet.")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS\tSITES")
	for _, a := range agents {
		disabled, err := db.AgentDisabled(a.ID)
		if err != nil {
			return err
		}
		status := "active"
		if disabled {
			status = "disabled"
		}
		ms, err := db.AgentSites(a.ID)
		if err != nil {
			return err
		}
		var sites []string
		for _, m := range ms {
			sites = append(sites, m.Site+" ("+m.Role+")")
		}
		siteList := "-"
		if len(sites) > 0 {
			siteList = strings.Join(sites, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Name, a.Role, status, siteList)
	}
	return tw.Flush()
}

// agentByEmail finds the agent an -email flag names.
func agentByEmail(db *store.DB, email string) (parley.Agent, error) {
	if strings.TrimSpace(email) == "" {
		return parley.Agent{}, parley.Errorf(parley.EInvalid, "-email is required")
	}
	a, _, err := db.AgentByEmail(email)
	if parley.ErrorCode(err) == parley.ENotFound {
		return a, parley.Errorf(parley.ENotFound, "No agent has the email %s.", strings.TrimSpace(email))
	}
	return a, err
}

func opSetDisabled(db *store.DB, end sessionEnder, email string, disabled bool, out io.Writer) error {
	a, err := agentByEmail(db, email)
	if err != nil {
		return err
	}
	ended, err := db.SetAgentDisabled(a.ID, disabled)
	if err != nil {
		return err
	}
	if end != nil {
		end(ended...)
	}
	if disabled {
		fmt.Fprintf(out, "Disabled %s: it cannot log in; %s ended.\n", a.Email, sessions(len(ended)))
	} else {
		fmt.Fprintf(out, "Enabled %s: it can log in again.\n", a.Email)
	}
	return nil
}

func opSetPassword(db *store.DB, end sessionEnder, req opRequest, out io.Writer) error {
	a, err := agentByEmail(db, req.Email)
	if err != nil {
		return err
	}
	if len(req.PasswordHash) == 0 {
		return parley.Errorf(parley.EInvalid, "No new password.")
	}
	ended, err := db.ChangeAgentPassword(a.ID, req.PasswordHash, nil)
	if err != nil {
		return err
	}
	if end != nil {
		end(ended...)
	}
	fmt.Fprintf(out, "Changed the password of %s; %s ended.\n", a.Email, sessions(len(ended)))
	return nil
}

func sessions(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

func opAddSite(db *store.DB, req opRequest, out io.Writer) error {
	if err := parley.CheckSiteID(req.SiteID); err != nil {
		return parley.Errorf(parley.EInvalid, "-id is required: 1 to 64 letters, digits, - and _")
	}
	site, err := parley.Site{ID: req.SiteID, Name: req.SiteName, Title: req.SiteName, AllowedOrigins: req.Origins}.Validate()
	if err != nil {
		return err
	}
	// The owners: those named, or every admin of the install.
	var owners []parley.Agent
	if len(req.Owners) > 0 {
		for _, e := range req.Owners {
			a, _, err := db.AgentByEmail(e)
			if err != nil {
				return fmt.Errorf("-owner %s: %w", e, err)
			}
			owners = append(owners, a)
		}
	} else {
		all, err := db.Agents()
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.Role == parley.AgentRoleAdmin {
				owners = append(owners, a)
			}
		}
	}
	var ids []uint64
	var names []string
	for _, a := range owners {
		ids = append(ids, a.ID)
		names = append(names, a.Email)
	}
	if err := db.CreateSiteOwned(site, ids); err != nil {
		return err
	}
	fmt.Fprintf(out, "Created site %s, owned by %s. Paste this into every page of the shop:\n\n  %s\n\n", site.ID, orNone(names), web.Snippet(strings.TrimRight(req.PublicURL, "/"), site.ID))
	return nil
}
