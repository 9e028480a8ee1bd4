package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/i18n"
	_ "github.com/parley-chat/parley/app/i18n/mailtext"
	"github.com/parley-chat/parley/app/parley"
)

// translated are the packages whose texts reach visitors: every string
// given to T or N there (a literal, or a constant of these packages) must
// have every language. Add a package here when it starts speaking to
// visitors.
var translated = []string{
	"app/visitor",
	"app/ui",
	"app/parley",
	"server/mail/outbound",
	"server/web",
}

// TestCatalogComplete fails, listing them, for texts of the widget and the
// mail without a translation into every language: new texts cannot ship
// untranslated.
func TestCatalogComplete(t *testing.T) {
	root := filepath.Join("..", "..")
	consts := map[string]string{}
	var files []*ast.File
	// Texts may name the string constants of these packages too.
	for _, dir := range translated {
		fset := token.NewFileSet()
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			collectConsts(f, consts)
			files = append(files, f)
		}
	}
	var missing []string
	seen := map[string]bool{}
	report := func(s string) {
		if !seen[s] {
			seen[s] = true
			missing = append(missing, s)
		}
	}
	calls := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "T":
				if len(call.Args) < 1 {
					return true
				}
				en, ok := text(call.Args[0], consts)
				if !ok {
					return true
				}
				calls++
				for _, l := range i18n.Supported {
					if !i18n.Has(l, en) {
						report(string(l) + ": T " + strconv.Quote(en))
					}
				}
			case "N":
				if len(call.Args) < 3 {
					return true
				}
				one, ok1 := text(call.Args[1], consts)
				other, ok2 := text(call.Args[2], consts)
				if !ok1 || !ok2 {
					return true
				}
				calls++
				for _, l := range i18n.Supported {
					if !i18n.HasPlural(l, one, other) {
						report(string(l) + ": N " + strconv.Quote(one) + ", " + strconv.Quote(other))
					}
				}
			}
			return true
		})
	}
	if calls < 50 {
		t.Errorf("found only %d texts: is the parsing still right?", calls)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("untranslated: %s", m)
	}
}

// collectConsts records the package's string constants by name.
func collectConsts(f *ast.File, consts map[string]string) {
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							consts[name.Name] = v
						}
					}
				}
			}
		}
	}
}

// text is the string an argument is: a literal, or a known constant by
// name (X or pkg.X).
func text(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.SelectorExpr:
		s, ok := consts[e.Sel.Name]
		return s, ok
	}
	return "", false
}

// The languages a site's texts may be translated into are the widget's.
func TestSiteLanguagesAreSupported(t *testing.T) {
	if len(parley.SiteLanguages) != len(i18n.Supported) {
		t.Fatalf("parley.SiteLanguages %v, i18n.Supported %v", parley.SiteLanguages, i18n.Supported)
	}
	for i, l := range i18n.Supported {
		if parley.SiteLanguages[i] != string(l) {
			t.Errorf("parley.SiteLanguages %v, i18n.Supported %v", parley.SiteLanguages, i18n.Supported)
		}
	}
}
