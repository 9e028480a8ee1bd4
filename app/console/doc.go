// Package console is the agents' app, an installable PWA under /console:
// login, the live inbox of open conversations, a conversation with its
// history, and the site settings with the embed snippet. One root component
// switches between these views by URL path.
//
// It may import app/parley, app/client, app/ui, go-app, net/http and the
// standard library; never server/ or bbolt (it compiles to wasm).
package console
