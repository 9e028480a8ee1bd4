package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// cli runs a parley subcommand as the binary would and returns its output.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &out)
	return out.String(), err
}

// TestCLIMemberships: an admin owns the sites made after it and the sites
// it is added to; an agent works on the sites it is given.
func TestCLIMemberships(t *testing.T) {
	dir := t.TempDir()
	must := func(args ...string) string {
		t.Helper()
		out, err := cli(t, append(args, "-data", dir)...)
		if err != nil {
			t.Fatalf("parley %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must("admin", "add", "-email", "boss@shop.example", "-name", "Boss")
	if out := must("site", "add", "-id", "north", "-name", "North", "-origin", "https://north.example"); !strings.Contains(out, "owned by boss@shop.example") {
		t.Errorf("site add: %s", out)
	}
	must("admin", "add", "-email", "ann@shop.example", "-name", "Ann", "-role", "agent", "-site", "north")
	must("admin", "add", "-email", "eve@shop.example", "-name", "Eve")
	if out := must("site", "add", "-id", "south", "-name", "South", "-origin", "https://south.example", "-owner", "eve@shop.example"); !strings.Contains(out, "owned by eve@shop.example") {
		t.Errorf("site add -owner: %s", out)
	}
	// A bad -site or -owner changes nothing.
	if out, err := cli(t, "admin", "add", "-email", "x@shop.example", "-name", "X", "-site", "nowhere", "-data", dir); err == nil {
		t.Errorf("admin add -site nowhere succeeded: %s", out)
	}
	if out, err := cli(t, "site", "add", "-id", "west", "-name", "W", "-origin", "https://w.example", "-owner", "nobody@x", "-data", dir); err == nil {
		t.Errorf("site add -owner nobody succeeded: %s", out)
	}

	db, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]string{
		"boss@shop.example": "[{north owner}]",
		"ann@shop.example":  "[{north agent}]",
		"eve@shop.example":  "[{north owner} {south owner}]",
	}
	for email, w := range want {
		a, _, err := db.AgentByEmail(email)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		ms, _ := db.AgentSites(a.ID)
		var got []string
		for _, m := range ms {
			got = append(got, fmt.Sprintf("{%s %s}", m.Site, m.Role))
		}
		if g := "[" + strings.Join(got, " ") + "]"; g != w {
			t.Errorf("%s: member of %s, want %s", email, g, w)
		}
	}
	if _, _, err := db.AgentByEmail("x@shop.example"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("the refused admin add created the agent: %v", err)
	}
	if _, err := db.Site("west"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("the refused site add created the site: %v", err)
	}
}
