package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/widget"
	"github.com/parley-chat/parley/widget/precompress"
)

// asset is one file served under a content-hashed, immutable URL, with its
// compressed twins. go-app compresses nothing and sends no-cache, so we do it.
type asset struct {
	url         string // "/assets/widget.1a2b3c4d5e.wasm"
	contentType string
	raw, gz, br []byte
}

// appShell is what one go-app wasm app needs besides its page: the URLs its
// HTML shell references and the version its service worker carries.
type appShell struct {
	built     bool
	version   string
	wasm      *asset
	appJS     *asset
	style     *asset
	worker    []byte // console only: go-app's service worker for this version
	resources []string
}

// Assets are the built and static files: the widget loader, both wasm apps
// and their glue, icons and styles.
type Assets struct {
	byURL   map[string]*asset
	loader  *widget.Loader
	shop    *template.Template
	icons   map[string]*asset // "icon-192.png" → asset
	goCSS   *asset
	execJS  *asset
	storage *asset
	widget  appShell
	console appShell
}

// storageFallbackJS runs before go-app in the widget page: in a cross-site
// iframe with site data blocked, touching localStorage throws and would kill
// the wasm, so an in-memory Storage takes its place.
const storageFallbackJS = `(function(){function m(){var d={};return{getItem:function(k){return Object.prototype.hasOwnProperty.call(d,k)?d[k]:null},setItem:function(k,v){d[k]=String(v)},removeItem:function(k){delete d[k]},clear:function(){d={}},key:function(i){return Object.keys(d)[i]||null},get length(){return Object.keys(d).length}}}["localStorage","sessionStorage"].forEach(function(n){try{var s=window[n],k="__parley";s.setItem(k,k);s.removeItem(k)}catch(e){try{Object.defineProperty(window,n,{value:m(),configurable:true})}catch(e2){}}})})();`

// LoadAssets reads fsys (laid out like package assets: icons/, style/, shop/,
// dist/) and prepares every file for serving. Missing build output is not an
// error: the pages then say what to build.
func LoadAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{byURL: make(map[string]*asset), icons: make(map[string]*asset)}

	for _, name := range []string{"icon-192.png", "icon-512.png", "icon-maskable-512.png"} {
		b, err := fs.ReadFile(fsys, "icons/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: assets: %w", err)
		}
		a.icons[name] = a.add(name, b, nil, nil)
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
	a.storage = a.add("storage.js", []byte(storageFallbackJS), nil, nil)

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
	wasm, err := fs.ReadFile(fsys, "dist/"+name+".wasm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("web: assets: %w", err)
	}
	// The .br and .gz twins are made at build time: brotli at its best
	// takes seconds for a 7 MB wasm, too slow for start-up.
	br, _ := fs.ReadFile(fsys, "dist/"+name+".wasm.br")
	gz, _ := fs.ReadFile(fsys, "dist/"+name+".wasm.gz")

	shell.wasm = a.add(name+".wasm", wasm, gz, br)
	shell.style = a.add(name+".css", css, nil, nil)

	// The version must be a content hash: go-app takes every new version
	// for a release, and the console's service worker changes with it.
	sum := sha256.New()
	sum.Write(wasm)
	sum.Write(css)
	sum.Write([]byte(storageFallbackJS))
	shell.version = hex.EncodeToString(sum.Sum(nil))[:16]

	gen, err := goAppFiles(shell.version, shell.wasm.url, len(wasm))
	if err != nil {
		return err
	}
	if a.goCSS == nil {
		a.goCSS = a.add("goapp.css", gen["/app.css"], nil, nil)
		a.execJS = a.add("wasm_exec.js", gen["/wasm_exec.js"], nil, nil)
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
	shell.appJS = a.add(name+"-app.js", []byte(appJS), nil, nil)
	shell.built = true

	if name == "console" {
		shell.resources = []string{
			"/console",
			a.goCSS.url, a.execJS.url, shell.appJS.url, shell.wasm.url, shell.style.url,
			"/console/manifest.webmanifest",
			a.icons["icon-192.png"].url, a.icons["icon-512.png"].url, a.icons["icon-maskable-512.png"].url,
		}
		list, _ := json.Marshal(shell.resources)
		w := strings.ReplaceAll(app.DefaultAppWorkerJS, "{{.Version}}", shell.version)
		w = strings.ReplaceAll(w, "{{.ResourcesToCache}}", string(list))
		shell.worker = []byte(w)
	}
	return nil
}

// goAppFiles asks a go-app Handler for the files it generates (app.js,
// wasm_exec.js, app.css), resolved to our URLs. Only the bodies are used:
// go-app's page and paths would collide between two apps on one origin.
func goAppFiles(version, wasmURL string, wasmSize int) (map[string][]byte, error) {
	h := &app.Handler{
		Name:              "Parley",
		Version:           version,
		LoadingLabel:      "Loading {progress}%",
		WasmContentLength: strconv.Itoa(wasmSize),
		Resources: urlResolver{
			"/web/app.wasm":  wasmURL,
			"/app-worker.js": "/console/app-worker.js",
			"/web":           "/assets",
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

// add registers a file under its hashed URL, compressing it when worth it
// and no compressed twin was given.
func (a *Assets) add(name string, raw, gz, br []byte) *asset {
	sum := sha256.Sum256(raw)
	ext := path.Ext(name)
	url := "/assets/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
	ct := mime.TypeByExtension(ext)
	switch ext {
	case ".wasm":
		ct = "application/wasm"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	}
	f := &asset{url: url, contentType: ct, raw: raw, gz: gz, br: br}
	if compressible(ct) && len(raw) > 512 {
		if f.gz == nil {
			f.gz = precompress.Gzip(raw)
		}
		if f.br == nil {
			f.br = precompress.Brotli(raw)
		}
	}
	a.byURL[url] = f
	return f
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
	if f.gz != nil || f.br != nil {
		h.Add("Vary", "Accept-Encoding")
		switch {
		case f.br != nil && precompress.Accepts(r, "br"):
			h.Set("Content-Encoding", "br")
			body = f.br
		case f.gz != nil && precompress.Accepts(r, "gzip"):
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
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
