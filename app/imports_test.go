// Package apptree_test checks the dependency direction of everything under
// app/: it compiles to WebAssembly, so it must never depend on the server or
// on bbolt, even indirectly.
//
// Only the code that ships is checked: app/client's tests start the real
// server (behind //go:build !js), as tests of a client should.
package apptree_test

import (
	"os/exec"
	"strings"
	"testing"
)

func TestAppDoesNotImportServer(t *testing.T) {
	for _, goos := range []string{"js", ""} {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./...")
		cmd.Dir = "." // app/
		if goos == "js" {
			cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list (GOOS=%q): %v\n%s", goos, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list (GOOS=%q) listed only %d packages; the check would prove nothing", goos, len(deps))
		}
		for _, dep := range deps {
			if strings.HasPrefix(dep, "github.com/parley-chat/parley/server") || strings.HasPrefix(dep, "go.etcd.io/bbolt") {
				t.Errorf("GOOS=%q: app/ depends on %s", goos, dep)
			}
		}
	}
}
