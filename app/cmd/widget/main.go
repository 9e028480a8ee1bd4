// Command widget is the visitor widget's wasm binary, the app inside the
// iframe the loader puts on a shop's page (/chat/{site}). It registers only
// the widget's route, so it never shares go-app's process-global routes with
// the console.
//
// It may import app/visitor and go-app; never server/ or bbolt.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/visitor"
)

func main() {
	app.RouteWithRegexp("^(/.+)?/chat/", func() app.Composer { return &visitor.Widget{} })
	app.RunWhenOnBrowser()
}
