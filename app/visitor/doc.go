// Package visitor is the chat widget a shop visitor sees, inside the iframe
// the loader (widget/loader.js) puts on the shop's page: the home listing
// the visitor's conversations (home.go; navigate.go moves between it and a
// thread), the pre-chat form, a conversation with its queue line and who is
// answering, the composer, and the postMessage bridge to the loader.
//
// It may import app/parley, app/client, app/ui, go-app and the standard
// library; never server/ or bbolt (it compiles to wasm).
package visitor
