// Package ui holds what the visitor widget and the agent console share: the
// conversation model that merges durable messages, the outbox and a local
// greeting into one ordered list; typing state in both directions; the safe
// linkifier; time formatting; and the go-app components that render them
// (message list, composer, typing indicator) plus a few browser helpers.
//
// It may import app/parley, go-app and the standard library. It never talks
// to the network: the apps feed it frames and render what it returns.
package ui
