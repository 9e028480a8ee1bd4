// Package assets holds the files Parley's binary serves: icons, the apps'
// stylesheets, the demo shop page and, under dist/, the build output — both
// wasm apps with their .br and .gz twins and the minified widget loader.
// dist/ is written by `make build` and ignored by git; a binary built without
// it still runs, and its pages say the apps were not built.
//
// It imports only the standard library.
package assets

import "embed"

// FS holds icons/, style/, shop/ and dist/.
//
//go:embed icons style shop all:dist
var FS embed.FS
