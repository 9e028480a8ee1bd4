package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// The admin socket lets the CLI work while the server runs, when bbolt's
// lock keeps it from opening the data file: the server listens on a Unix
// socket in the data directory, DATA/admin.sock, mode 0600, so only the
// user the server runs as (and root) can connect. A connection carries one
// JSON opRequest and gets back one JSON opResponse, then closes.

const adminSocketName = "admin.sock"

// adminTimeout bounds one connection to the admin socket, both ends.
const adminTimeout = 30 * time.Second

// opResponse is the admin socket's answer: what the command prints, and
// its error's text if it failed.
type opResponse struct {
	Output string `json:"output"`
	Error  string `json:"error,omitempty"`
}

// adminSocket is the server's end.
type adminSocket struct {
	ln     *net.UnixListener
	path   string
	db     *store.DB
	end    sessionEnder
	logger *slog.Logger
	wg     sync.WaitGroup
}

// listenAdmin starts the admin socket of dataDir. The caller holds the
// store's lock, so no other parley serves this directory: a socket file
// found there is a killed server's, and is replaced.
func listenAdmin(dataDir string, db *store.DB, end sessionEnder, logger *slog.Logger) (*adminSocket, error) {
	path := filepath.Join(dataDir, adminSocketName)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("removing a stale %s: %w", path, err)
	}
	// Bound in a private directory, made 0600 there and only then moved
	// into place: whatever the umask or the data directory's mode, the
	// socket is never reachable by others, not even for a moment.
	tmp, err := os.MkdirTemp(dataDir, ".admin-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	tmpPath := filepath.Join(tmp, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmpPath, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false) // Close removes path itself
	if err := os.Chmod(tmpPath, 0o600); err != nil {
		ln.Close()
		os.Remove(tmpPath)
		return nil, err
	}
	if err := os.Rename(tmpPath, path); err != nil {
		ln.Close()
		os.Remove(tmpPath)
		return nil, err
	}
	a := &adminSocket{ln: ln, path: path, db: db, end: end, logger: logger}
	a.wg.Add(1)
	go a.serve()
	return a, nil
}

func (a *adminSocket) serve() {
	defer a.wg.Done()
	for {
		c, err := a.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				a.logger.Error("parley: admin socket", "err", err)
			}
			return
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.handle(c)
		}()
	}
}

// handle answers one request.
func (a *adminSocket) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(adminTimeout))
	var req opRequest
	var resp opResponse
	if err := json.NewDecoder(io.LimitReader(c, 1<<20)).Decode(&req); err != nil {
		resp.Error = fmt.Sprintf("admin socket: reading the request: %v", err)
	} else {
		var out bytes.Buffer
		err := runOp(a.db, a.end, req, &out)
		resp.Output = out.String()
		if err != nil {
			resp.Error = err.Error()
			if parley.ErrorCode(err) == parley.EInternal {
				a.logger.Error("parley: admin", "op", req.Op, "err", err)
			}
		} else {
			a.logger.Info("parley: admin", "op", req.Op, "email", req.Email, "site", req.SiteID)
		}
	}
	if err := json.NewEncoder(c).Encode(resp); err != nil {
		a.logger.Warn("parley: admin socket: writing the answer", "err", err)
	}
}

// Close stops listening, removes the socket file and waits for the
// requests under way.
func (a *adminSocket) Close() error {
	err := a.ln.Close()
	if rerr := os.Remove(a.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	a.wg.Wait()
	return err
}

// errNoServer means nobody answers on the admin socket: no server runs.
var errNoServer = errors.New("no server answers on the admin socket")

// callAdmin sends req to the server running on dataDir. It returns
// errNoServer if none answers; any other error means a server is there
// and the request may or may not have been carried out.
func callAdmin(dataDir string, req opRequest) (opResponse, error) {
	var resp opResponse
	c, err := net.DialTimeout("unix", filepath.Join(dataDir, adminSocketName), 2*time.Second)
	if err != nil {
		return resp, errNoServer
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(adminTimeout))
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return resp, fmt.Errorf("admin socket: %w", err)
	}
	if err := json.NewDecoder(c).Decode(&resp); err != nil {
		return resp, fmt.Errorf("admin socket: reading the answer: %w", err)
	}
	return resp, nil
}

// operate carries out req: through the running server's admin socket if
// one answers, otherwise on the data file itself.
func operate(dataDir string, req opRequest, stdout io.Writer) error {
	resp, err := callAdmin(dataDir, req)
	switch {
	case err == nil:
		io.WriteString(stdout, resp.Output)
		if resp.Error != "" {
			return errors.New(resp.Error)
		}
		return nil
	case !errors.Is(err, errNoServer):
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	db, err := openStore(dataDir)
	if err != nil {
		return err
	}
	err = runOp(db, nil, req, stdout)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
