// Command console is the agent console's wasm binary, the installable app
// under /console. It registers only the console's route, so it never shares
// go-app's process-global routes with the widget.
//
// It may import app/console and go-app; never server/ or bbolt.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
)

func main() {
	app.RouteWithRegexp("^(/.+)?/console(/|$)", func() app.Composer { return &console.Console{} })
	app.RunWhenOnBrowser()
}
