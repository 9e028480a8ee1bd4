package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/widget"
	"github.com/parley-chat/parley/widget/precompress"
)

// asset is one file served under a content-hashed, immutable URL, with its
// compressed twins. go-app compresses nothing and sends no-cache, so we do it.
type asset struct {
	url         string // "/assets/widget.1a2b3c4d5e.wasm"
	contentType string
	raw         *blob
	// twins returns the gzip and brotli forms, nil for one not to send;
	// twins itself is nil for a file always sent as it is.
	twins func() (gz, br *blob)
}

// blob is a file's bytes in one encoding: in memory, or a file of the
// assets FS, read at each request. The wasm and its twins, 23 MB, stay in
// the FS: the binary embeds them already, and a copy on the heap would
// hold them in memory twice.
type blob struct {
	data []byte // when fsys is nil
	fsys fs.FS
	name string
	size int
}

func memBlob(b []byte) *blob { return &blob{data: b, size: len(b)} }

// fileBlob is the file name of fsys, which it does not read.
func fileBlob(fsys fs.FS, name string) (*blob, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	return &blob{fsys: fsys, name: name, size: int(info.Size())}, nil
}

func (b *blob) writeTo(w io.Writer) {
	if b.fsys == nil {
		w.Write(b.data)
		return
	}
	f, err := b.fsys.Open(b.name)
	if err != nil {
		return // it was there at start, and the FS does not change
	}
	defer f.Close()
	io.Copy(w, f)
}

// appShell is what one go-app wasm app needs besides its page: the URLs its
// HTML shell references and the version its service worker carries.
type appShell struct {
	built     bool
	version   string
	wasm      *asset
	appJS     *asset
	style     *asset
	css       []byte // the stylesheet's text, for the widget page to inline
	worker    []byte // console only: go-app's service worker for this version
	resources []string
}

// Assets are the built and static files: the widget loader, both wasm apps
// and their glue, icons and styles.
type Assets struct {
	// base is the path Parley is served under ("" or "/chat", BasePath):
	// URLs written into pages, app.js and the service worker start with
	// it; byURL keys and requests do not (the proxy strips it).
	base    string
	byURL   map[string]*asset
	loader  *widget.Loader
	shop    *template.Template
	icons   map[string]*asset // "icon-192.png" → asset
	goCSS   *asset
	execJS  *asset
	storage *asset
	// preapp is the script that makes the widget page's prerendered
	// composer work before the wasm (js/preapp.js). The widget page inlines
	// it and storage.js, under the CSP hashes in inlineHashes: on a slow
	// network every request the first paint waits for costs a round trip.
	preapp       []byte
	inlineHashes []string
	widget       appShell
	console      appShell
}

// LoadAssets reads fsys (laid out like package assets: icons/, style/, js/,
// shop/, dist/) and prepares every file for serving. It compresses nothing
// (see add), and the large files it serves from fsys at each request, so
// fsys must not change: package assets' FS is embedded. Missing build
// output is not an error: the pages then say what to build.
func LoadAssets(fsys fs.FS) (*Assets, error) {
	return LoadAssetsAt(fsys, "")
}

// LoadAssetsAt is LoadAssets for Parley served under base, the path of
// its public URL (BasePath): "/chat" for https://shop.example/chat.
func LoadAssetsAt(fsys fs.FS, base string) (*Assets, error) {
	a := &Assets{base: strings.TrimRight(base, "/"), byURL: make(map[string]*asset), icons: make(map[string]*asset)}

	for _, name := range []string{"icon-192.png", "icon-512.png", "icon-maskable-512.png"} {
		b, err := fs.ReadFile(fsys, "icons/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: assets: %w", err)
		}
		a.icons[name] = a.addBytes(fsys, name, b)
	}
	shop, err := fs.ReadFile(fsys, "shop/index.html")
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	if a.shop, err = template.New("shop").Parse(string(shop)); err != nil {
		return nil, fmt.Errorf("web: assets: shop page: %w", err)
	}

	if js, err := fs.ReadFile(fsys, "dist/loader.min.js"); err == nil {
		a.loader = widget.NewLoader(js)
	}
	// The widget page runs js/storage.js before go-app: in a cross-site
	// iframe with site data blocked, touching localStorage throws and would
	// kill the wasm, so an in-memory Storage takes its place.
	storage, err := fs.ReadFile(fsys, "js/storage.js")
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	a.storage = a.addBytes(fsys, "storage.js", storage)
	if a.preapp, err = fs.ReadFile(fsys, "js/preapp.js"); err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	for _, js := range [][]byte{storage, a.preapp} {
		sum := sha256.Sum256(js)
		a.inlineHashes = append(a.inlineHashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}

	if err := a.loadApp(fsys, &a.widget, "widget"); err != nil {
		return nil, err
	}
	if err := a.loadApp(fsys, &a.console, "console"); err != nil {
		return nil, err
	}
	return a, nil
}

// loadApp prepares one wasm app: its precompressed wasm, its stylesheet, and
// go-app's app.js patched for our URLs.
func (a *Assets) loadApp(fsys fs.FS, shell *appShell, name string) error {
	css, err := fs.ReadFile(fsys, "style/"+name+".css")
	if err != nil {
		return fmt.Errorf("web: assets: %w", err)
	}
	wasm, err := fileBlob(fsys, "dist/"+name+".wasm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("web: assets: %w", err)
	}
	wasmSum, err := fileSum(fsys, wasm.name)
	if err != nil {
		return fmt.Errorf("web: assets: %w", err)
	}
	shell.wasm = a.add(fsys, name+".wasm", wasm, wasmSum)
	shell.style = a.addBytes(fsys, name+".css", css)
	shell.css = css

	// The version must be a content hash: go-app takes every new version
	// for a release, and the console's service worker changes with it.
	sum := sha256.New()
	sum.Write(wasmSum[:])
	sum.Write(css)
	sum.Write(a.storage.raw.data)
	sum.Write(a.preapp)
	shell.version = hex.EncodeToString(sum.Sum(nil))[:16]

	gen, err := goAppFiles(shell.version, a.url(shell.wasm), a.base, wasm.size)
	if err != nil {
		return err
	}
	if a.goCSS == nil {
		a.goCSS = a.addBytes(fsys, "goapp.css", gen["/app.css"])
		a.execJS = a.addBytes(fsys, "wasm_exec.js", gen["/wasm_exec.js"])
	}

	appJS := string(gen["/app.js"])
	if name == "widget" {
		// The widget page must not register go-app's service worker: it
		// would live in every shop's partition and cache a 7 MB wasm there.
		const call = "\ngoappInitServiceWorker();\n"
		if !strings.Contains(appJS, call) {
			return errors.New("web: assets: go-app's app.js changed: cannot remove its service worker registration")
		}
		appJS = strings.Replace(appJS, call, "\n", 1)
	}
	if name == "console" {
		// The worker lives at /console/app-worker.js, whose default scope,
		// /console/, leaves out the console's start URL /console: an
		// installed console could not start offline. It is registered for
		// /console, which its response allows (Service-Worker-Allowed).
		reg := `navigator.serviceWorker.register(
        "` + a.base + `/console/app-worker.js"
      )`
		if !strings.Contains(appJS, reg) {
			return errors.New("web: assets: go-app's app.js changed: cannot set its service worker's scope")
		}
		appJS = strings.Replace(appJS, reg, `navigator.serviceWorker.register("`+a.base+`/console/app-worker.js", { scope: "`+a.base+`/console" })`, 1)
	}
	shell.appJS = a.addBytes(fsys, name+"-app.js", []byte(appJS))
	shell.built = true

	if name == "console" {
		shell.resources = []string{
			a.base + "/console",
			a.url(a.goCSS), a.url(a.execJS), a.url(shell.appJS), a.url(shell.wasm), a.url(shell.style),
			a.base + "/console/manifest.webmanifest",
			a.url(a.icons["icon-192.png"]), a.url(a.icons["icon-512.png"]), a.url(a.icons["icon-maskable-512.png"]),
		}
		list, _ := json.Marshal(shell.resources)
		w := strings.ReplaceAll(app.DefaultAppWorkerJS, "{{.Version}}", shell.version)
		w = strings.ReplaceAll(w, "{{.ResourcesToCache}}", string(list))
		w, err := pushWorker(w)
		if err != nil {
			return err
		}
		shell.worker = []byte(w)
	}
	return nil
}

// fileSum is the SHA-256 of the file name of fsys, read a piece at a time.
func fileSum(fsys fs.FS, name string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := fsys.Open(name)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

// goAppFiles asks a go-app Handler for the files it generates (app.js,
// wasm_exec.js, app.css), resolved to our URLs. Only the bodies are used:
// go-app's page and paths would collide between two apps on one origin.
func goAppFiles(version, wasmURL, base string, wasmSize int) (map[string][]byte, error) {
	h := &app.Handler{
		Name:              "Parley",
		Version:           version,
		LoadingLabel:      "Loading {progress}%",
		WasmContentLength: strconv.Itoa(wasmSize),
		Resources: urlResolver{
			"/web/app.wasm":  wasmURL,
			"/app-worker.js": base + "/console/app-worker.js",
			"/web":           base + "/assets",
			"/":              "",
		},
	}
	files := make(map[string][]byte)
	for _, p := range []string{"/app.js", "/wasm_exec.js", "/app.css"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK {
			return nil, fmt.Errorf("web: assets: go-app %s: status %d", p, rec.Code)
		}
		files[p] = rec.Body.Bytes()
	}
	return files, nil
}

// urlResolver maps go-app's resource locations to ours; anything else is
// left as it is.
type urlResolver map[string]string

func (r urlResolver) Resolve(location string) string {
	if v, ok := r[location]; ok {
		return v
	}
	return location
}

// add registers a file, whose SHA-256 is sum, under its hashed URL. It
// compresses nothing: brotli at its best level over every file once cost a
// fresh server 0.9 GB of allocations, and 300 MB of memory until its
// second GC. A compressible file gets the .br and .gz twins the build wrote for these
// very bytes (see precompress.HashedName): the wasm, the styles, storage.js.
// The other files are only known here — go-app generates app.js,
// wasm_exec.js and app.css, and app.js names the wasm's hash — and are
// small (under 20 KB), so they are compressed on their first request, once;
// at the best level that costs about 20 ms and 3 MB a file. A wasm without
// twins is sent as it is: brotli would take tens of seconds over it.
func (a *Assets) add(fsys fs.FS, name string, raw *blob, sum [sha256.Size]byte) *asset {
	hashed := precompress.HashedName(name, sum)
	ext := path.Ext(name)
	ct := mime.TypeByExtension(ext)
	switch ext {
	case ".wasm":
		ct = "application/wasm"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	}
	f := &asset{url: "/assets/" + hashed, contentType: ct, raw: raw}
	if compressible(ct) && raw.size > 512 {
		f.twins = twins(fsys, hashed, raw)
	}
	a.byURL[f.url] = f
	return f
}

// url is where browsers fetch f: its URL under the base path.
func (a *Assets) url(f *asset) string { return a.base + f.url }

// addBytes is add for a file in memory.
func (a *Assets) addBytes(fsys fs.FS, name string, b []byte) *asset {
	return a.add(fsys, name, memBlob(b), sha256.Sum256(b))
}

// twins returns the compressed forms of raw: the build's when it made both,
// else, for a file in memory, both made on first request.
func twins(fsys fs.FS, hashed string, raw *blob) func() (gz, br *blob) {
	base := "dist/" + precompress.TwinDir + "/" + hashed
	gz, gzErr := fileBlob(fsys, base+".gz")
	br, brErr := fileBlob(fsys, base+".br")
	if gzErr == nil && brErr == nil {
		return func() (*blob, *blob) { return gz, br }
	}
	if raw.fsys == nil {
		return sync.OnceValues(func() (*blob, *blob) {
			return memBlob(precompress.Gzip(raw.data)), memBlob(precompress.Brotli(raw.data))
		})
	}
	return func() (*blob, *blob) { return gz, br } // what the build left, if anything
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "javascript") ||
		strings.Contains(contentType, "json") || contentType == "application/wasm"
}

// serve writes f, choosing brotli, gzip or the raw bytes by Accept-Encoding.
func (f *asset) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	body := f.raw
	var gz, br *blob
	if f.twins != nil {
		gz, br = f.twins()
	}
	if gz != nil || br != nil {
		h.Add("Vary", "Accept-Encoding")
		switch {
		case br != nil && precompress.Accepts(r, "br"):
			h.Set("Content-Encoding", "br")
			body = br
		case gz != nil && precompress.Accepts(r, "gzip"):
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(body.size))
	if r.Method != http.MethodHead {
		body.writeTo(w)
	}
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Assets == nil {
		http.NotFound(w, r)
		return
	}
	f, ok := s.cfg.Assets.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.serve(w, r, "public, max-age=31536000, immutable")
}
