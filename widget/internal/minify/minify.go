// Package minify turns widget/loader.js into the function expression the
// widget package serves. It links esbuild, so only the build tool
// (widget/cmd/parley-build) and tests may import it — never the server.
//
// It may import the standard library and esbuild.
package minify

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// placeholder is the argument loader.js passes to itself. Without a call,
// esbuild drops the function expression as an unused statement.
const placeholder = "(PARLEY_CONFIG)"

// Loader minifies loader.js for ES2017 browsers and returns the bare function
// expression, "(function(c){…})", ready for widget.NewLoader to append the
// call with a site's config.
func Loader(src []byte) ([]byte, error) {
	res := api.Transform(string(src), api.TransformOptions{
		Loader:            api.LoaderJS,
		Target:            api.ES2017,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Charset:           api.CharsetASCII,
		LegalComments:     api.LegalCommentsNone,
		Sourcefile:        "loader.js",
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, fmt.Errorf("minify: loader.js: %s", strings.Join(msgs, "\n"))
	}
	if len(res.Warnings) > 0 {
		msgs := api.FormatMessages(res.Warnings, api.FormatMessagesOptions{Kind: api.WarningMessage})
		return nil, fmt.Errorf("minify: loader.js has warnings: %s", strings.Join(msgs, "\n"))
	}
	js := bytes.TrimRight(res.Code, "; \n")
	if !bytes.HasPrefix(js, []byte("(function(")) || !bytes.HasSuffix(js, []byte("})"+placeholder)) {
		return nil, fmt.Errorf("minify: loader.js must be one function expression called with PARLEY_CONFIG; esbuild made %.40q…%q",
			js, js[max(0, len(js)-40):])
	}
	return js[:len(js)-len(placeholder)], nil
}
