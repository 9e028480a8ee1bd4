// Package assets holds the files Parley's binary serves: icons, the apps'
// stylesheets, the widget page's storage fallback script, the demo shop page
// and, under dist/, the build output — both wasm apps, the minified widget
// loader, and under dist/precompressed the .br and .gz twins of the wasm,
// styles and scripts. dist/ is written by `make build` and ignored by git; a
// binary built without it still runs, and its pages say the apps were not
// built.
//
// It imports only the standard library.
package assets

import "embed"

// FS holds icons/, style/, js/, shop/ and dist/.
//
//go:embed icons style js shop all:dist
var FS embed.FS
