package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/widget"
)

// The browser tests drive the loader's behaviour in Chromium. Node checks
// here only what those cannot cover cheaply: that the served script parses,
// and that the JS ports of the origin and page matching agree with the Go
// ones on many cases.

func nodePath(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("node not installed")
	}
	return p
}

func TestServedScriptParses(t *testing.T) {
	node := nodePath(t)
	l := newLoader(t)
	site := shopSite("demo")
	site.Title = "</script>\u2028\u2029"
	path := filepath.Join(t.TempDir(), "widget.js")
	if err := os.WriteFile(path, body(t, get(t, l, widget.ConfigFor(site, "https://chat.example.com"))), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, node, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("node --check: %v\n%s", err, out)
	}
}

// harness runs each served script in a fresh context holding only what the
// loader touches before the DOM is ready, and reports whether it refused the
// origin, whether it touched the page, and whether it armed the greeting.
const harness = `
const vm = require('vm');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(c => {
  const r = {refused: false, touched: false, greets: false, errors: []};
  const touch = () => { r.touched = true; };
  const sb = {
    URL,
    console: {
      warn: m => { if (/origin is not allowed/.test(m)) r.refused = true; else r.errors.push(String(m)); },
      info() {}, error: m => r.errors.push(String(m)),
    },
    location: {origin: c.origin, href: c.origin + c.path, pathname: c.path.split('?')[0], search: c.path.includes('?') ? '?' + c.path.split('?')[1] : ''},
    document: {readyState: 'loading', title: '', addEventListener: touch, createElement: touch},
    history: {pushState: touch},
    addEventListener: touch,
    setTimeout(fn, ms) { if (ms === c.delay * 1000) r.greets = true; return 1; },
    clearTimeout() {},
    localStorage: {getItem: () => null, setItem() {}, removeItem() {}},
  };
  sb.window = sb;
  try {
    vm.runInNewContext(c.script, sb);
  } catch (e) {
    r.errors.push('thrown: ' + e);
  }
  if (sb.Parley !== undefined || sb.history.pushState !== touch) r.touched = true;
  return r;
});
process.stdout.write(JSON.stringify(out));
`

type nodeCase struct {
	Script string `json:"script"`
	Origin string `json:"origin"`
	Path   string `json:"path"`
	Delay  int    `json:"delay"`
}

type nodeResult struct {
	Refused bool     `json:"refused"`
	Touched bool     `json:"touched"`
	Greets  bool     `json:"greets"`
	Errors  []string `json:"errors"`
}

// script is what Serve sends for cfg (TestConfigCannotBreakOut checks the
// shape), built without compressing: brotli is slow under the race detector.
func script(tb testing.TB, cfg widget.Config) string {
	tb.Helper()
	js, err := minified()
	if err != nil {
		tb.Fatalf("minifying loader.js: %v", err)
	}
	arg, err := json.Marshal(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return string(js) + "(" + string(arg) + ");"
}

func runHarness(tb testing.TB, cases []nodeCase) []nodeResult {
	tb.Helper()
	node := nodePath(tb)
	in, err := json.Marshal(cases)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-e", harness)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node harness: %v\n%s", err, stderr.Bytes())
	}
	var res []nodeResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		tb.Fatalf("node harness output %q: %v", out, err)
	}
	return res
}

func TestLoaderOriginMatchingAgreesWithGo(t *testing.T) {
	tests := []struct {
		allowed []string
		origin  string
		want    bool
	}{
		{[]string{"shop.example"}, "https://shop.example", true},
		{[]string{"shop.example"}, "http://shop.example", true},
		{[]string{"shop.example"}, "https://shop.example:8443", false},
		{[]string{"shop.example"}, "https://www.shop.example", false},
		{[]string{"shop.example"}, "https://shop.example.evil.test", false},
		{[]string{"*.shop.example"}, "https://a.shop.example", true},
		{[]string{"*.shop.example"}, "https://a.b.shop.example", true},
		{[]string{"*.shop.example"}, "https://shop.example", false},
		{[]string{"*.shop.example"}, "https://evilshop.example", false},
		{[]string{"https://shop.example"}, "http://shop.example", false},
		{[]string{"http://shop.example"}, "http://shop.example", true},
		{[]string{"https://shop.example:443"}, "https://shop.example", true},
		{[]string{"shop.example:443"}, "http://shop.example", false},
		{[]string{"http://127.0.0.1:8081"}, "http://127.0.0.1:8081", true},
		{[]string{"http://127.0.0.1:8081"}, "http://127.0.0.1:8082", false},
		{[]string{"localhost:*"}, "http://localhost:3000", true},
		{[]string{"localhost:*"}, "https://localhost", true},
		{[]string{"HTTPS://Shop.Example/"}, "https://shop.example", true},
		{[]string{"other.example", "*.shop.example"}, "https://x.shop.example", true},
		{[]string{"shop.example"}, "null", false},
		{[]string{"shop.example"}, "file://", false},
		{nil, "https://shop.example", false},
	}
	var cases []nodeCase
	var cfgs []widget.Config
	for _, tt := range tests {
		site := parley.Site{ID: "s", Title: "T", AllowedOrigins: tt.allowed}
		cfg := widget.ConfigFor(site, "https://chat.example.com")
		cfgs = append(cfgs, cfg)
		cases = append(cases, nodeCase{Script: script(t, cfg), Origin: tt.origin, Path: "/"})
	}
	for i, res := range runHarness(t, cases) {
		tt := tests[i]
		if goGot := parley.OriginAllowed(cfgs[i].Allowed, tt.origin); goGot != tt.want {
			t.Errorf("Go: OriginAllowed(%q, %q) = %v, want %v", cfgs[i].Allowed, tt.origin, goGot, tt.want)
		}
		if got := !res.Refused; got != tt.want {
			t.Errorf("JS: allowed %q, origin %q: got allowed=%v, want %v", tt.allowed, tt.origin, got, tt.want)
		}
		if !tt.want && res.Touched {
			t.Errorf("JS: origin %q refused, but the loader touched the page", tt.origin)
		}
		if tt.want && !res.Touched {
			t.Errorf("JS: origin %q allowed, but the loader installed nothing", tt.origin)
		}
		if len(res.Errors) > 0 {
			t.Errorf("JS: origin %q: loader reported %q", tt.origin, res.Errors)
		}
	}
}

func TestLoaderPageMatchingAgreesWithGo(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything?x=1", true},
		{"/products/*", "/products/shoe", true},
		{"/products/*", "/products/", true},
		{"/products/*", "/products", false},
		{"/products/*", "/cart", false},
		{"/exact", "/exact", true},
		{"/exact", "/exact?x=1", false},
		{"/exact", "/exactly", false},
		{"*checkout*", "/cart?step=checkout", true},
		{"*checkout*", "/cart", false},
		{"/a*b*c", "/abc", true},
		{"/a*b*c", "/axxbyyc", true},
		{"/a*b*c", "/ab", false},
		{"/a*b*b", "/ab", false},
		{"*", "/", true},
		{"/p*?ref=ad", "/p/1?ref=ad", true},
		{"/p*?ref=ad", "/p/1?ref=mail", false},
	}
	const delay = 7
	var cases []nodeCase
	for _, tt := range tests {
		site := parley.Site{ID: "s", Title: "T", AllowedOrigins: []string{"shop.example"},
			Proactive: parley.Proactive{Enabled: true, DelaySeconds: delay, PagePattern: tt.pattern, Message: "Hi"}}
		cfg := widget.ConfigFor(site, "https://chat.example.com")
		cases = append(cases, nodeCase{Script: script(t, cfg), Origin: "https://shop.example", Path: tt.path, Delay: delay})
	}
	for i, res := range runHarness(t, cases) {
		tt := tests[i]
		if goGot := parley.MatchPage(tt.pattern, tt.path); goGot != tt.want {
			t.Errorf("Go: MatchPage(%q, %q) = %v, want %v", tt.pattern, tt.path, goGot, tt.want)
		}
		if res.Greets != tt.want {
			t.Errorf("JS: pattern %q, page %q: greeting armed=%v, want %v", tt.pattern, tt.path, res.Greets, tt.want)
		}
		if len(res.Errors) > 0 || res.Refused {
			t.Errorf("JS: pattern %q: loader reported %q (refused=%v)", tt.pattern, res.Errors, res.Refused)
		}
	}
}

// The server imports widget; esbuild must stay out of its binary.
func TestWidgetDoesNotLinkEsbuild(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		t.Skip("go tool not found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "list", "-deps", "github.com/parley-chat/parley/widget").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "esbuild") || strings.HasSuffix(dep, "widget/internal/minify") {
			t.Errorf("package widget depends on %s", dep)
		}
	}
}
