package console

import (
	"strconv"
	"strings"

	"github.com/parley-chat/parley/app/ui"
)

// View is a screen of the console.
type View int

const (
	ViewInbox View = iota
	ViewConversation
	ViewSettings
	ViewPeople
)

// Route is where the console is: a view, and the conversation it shows.
type Route struct {
	View View
	Conv uint64
}

// ParseRoute maps a URL path to a route; unknown paths show the inbox.
func ParseRoute(path string) Route {
	rest, ok := strings.CutPrefix(path, ui.Path("/console"))
	if !ok {
		return Route{}
	}
	rest = strings.Trim(rest, "/")
	switch {
	case rest == "settings":
		return Route{View: ViewSettings}
	case rest == "people":
		return Route{View: ViewPeople}
	case strings.HasPrefix(rest, "c/"):
		id, err := strconv.ParseUint(strings.TrimPrefix(rest, "c/"), 10, 64)
		if err != nil || id == 0 {
			return Route{}
		}
		return Route{View: ViewConversation, Conv: id}
	}
	return Route{}
}

// Path is the URL path of the route.
func (r Route) Path() string {
	switch r.View {
	case ViewConversation:
		return ConversationPath(r.Conv)
	case ViewSettings:
		return ui.Path("/console/settings")
	case ViewPeople:
		return ui.Path("/console/people")
	}
	return ui.Path("/console")
}

// ConversationPath is the URL path of a conversation.
func ConversationPath(id uint64) string {
	return ui.Path("/console/c/" + strconv.FormatUint(id, 10))
}
