package visitor

import (
	"encoding/json"
	"github.com/parley-chat/parley/app/i18n"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// The bridge speaks with the loader on the shop's page through postMessage.
// Every message is an object with parley: 1 and a type.
//
//	parent → widget  {type:"open", page:{url,title}, greeting?}  {type:"close"}  {type:"page", page:{url,title}}
//	                 {type:"identify", identify:{id, email?, name?, signature?}}
//	                 {type:"context", context:{attributes?, cart?, track?:[{name, props}]}}
//	                 the first page message also has referrer: document.referrer
//	                 {type:"lang", lang}  Parley('set', {lang}): the widget's language
//	                 (a BCP 47 tag; "" or an unsupported one: the browser's)
//	widget → parent  {type:"ready"}  {type:"app"}  {type:"close"}  {type:"unread", count}
//	                 {type:"words", words}  the launcher's words in the chat's language
//	                 {type:"message", message:{from:{kind,name}, text, at}}  {type:"conversation", open}
//
// The widget's page arrives drawn (server/web/widgetpage.go) and its own
// script (assets/js/preapp.js) posts "ready" as soon as its composer takes
// input, before the wasm runs: the loader then sends page, identify,
// context and open as always, and the script keeps them. When the app is
// up it takes them over, in order, with the visitor's draft (preapp.go);
// the messages sent meanwhile are in the outbox. The app posts "app", and
// "ready" only when the page's script did not (a page that shows a form
// first, or that the site is closed): "ready" comes once per page load,
// and a second would make the loader send everything again. "app" only
// times the app's start (Parley.timing.app).
//
// identify is Parley('identify', …) on the shop's page: the loader keeps
// the latest and hands it over once the widget is ready; it never loads
// the widget for it (app/parley/identity.go says what the server makes
// of it).
//
// context is Parley('set'|'cart'|'track', …), kept by the loader the same
// way (the latest attributes merged, the latest cart, the last 20 events)
// and sent as one context frame (app/parley/context.go); the server
// checks it.
//
// A resume link from an email (server/web/resume.go) does not travel by
// message: it opens the shop page with #parley-resume=TOKEN, and the loader
// takes it out of the address bar, opens the chat and creates the iframe
// with the same fragment in its URL, /chat/{site}?origin=…#parley-resume=TOKEN.
// The widget reads it at mount, before its first hello, which carries it
// (hello.resumeLink); an "open" message would come only after that hello.
// A fragment is never sent to a server, the shop's or Parley's. On
// Parley's hosted chat page, /chat/{site}#parley-resume=TOKEN, the widget
// reads it the same way.
const bridgeVersion = 1

// Message types of the bridge.
const (
	MsgOpen         = "open"
	MsgClose        = "close"
	MsgPage         = "page"
	MsgReady        = "ready"
	MsgApp          = "app"
	MsgUnread       = "unread"
	MsgMessage      = "message"
	MsgConversation = "conversation"
	MsgIdentify     = "identify"
	MsgContext      = "context"
	MsgLang         = "lang"
)

// Bounds on what the shop's page may hand us; the page is not ours.
const (
	maxPageURL   = 2048
	maxPageTitle = 300
)

// ParentMessage is a message from the loader.
type ParentMessage struct {
	Parley   int          `json:"parley"`
	Type     string       `json:"type"`
	Page     *parley.Page `json:"page,omitempty"`
	Greeting string       `json:"greeting,omitempty"`
	// Identify (identify) is what the page said, as the page said it:
	// the server checks it.
	Identify *IdentifyFields `json:"identify,omitempty"`
	// Referrer (page) is the shop page's document.referrer.
	Referrer string `json:"referrer,omitempty"`
	// Context (context) is what the page said, as it said it.
	Context *ContextFields `json:"context,omitempty"`
	// Lang (lang) is the language the page asked for.
	Lang string `json:"lang,omitempty"`
}

// ContextFields are Parley('set'), Parley('cart') and Parley('track') as
// the loader kept them. Values may be any JSON: attributes and props are
// made text (ContextFrame), since a page writes {qty: 2} as readily as
// {qty: "2"}.
type ContextFields struct {
	Attributes map[string]any `json:"attributes,omitempty"`
	Cart       *parley.Cart   `json:"cart,omitempty"`
	Track      []struct {
		Name  string         `json:"name"`
		Props map[string]any `json:"props,omitempty"`
	} `json:"track,omitempty"`
}

// Frame is the context frame that carries c (its type and id are the
// client's to set), and whether there is anything to send.
func (c ContextFields) Frame() (parley.Frame, bool) {
	var f parley.Frame
	if c.Attributes != nil {
		f.Attributes = textValues(c.Attributes)
	}
	f.Cart = c.Cart
	if f.Cart != nil && f.Cart.Items == nil {
		f.Cart.Items = []parley.CartItem{} // an empty cart clears
	}
	for _, e := range c.Track {
		f.Track = append(f.Track, parley.TrackedEvent{Name: e.Name, Props: textValues(e.Props)})
	}
	return f, f.Attributes != nil || f.Cart != nil || f.Track != nil
}

// textValues makes JSON values text: strings stay, null deletes (""),
// numbers and booleans are written as JSON writes them.
func textValues(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case nil:
			out[k] = ""
		default:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}

// IdentifyFields are the fields of Parley('identify', {…}).
type IdentifyFields struct {
	ID        string `json:"id"`
	Email     string `json:"email,omitempty"`
	Name      string `json:"name,omitempty"`
	Signature string `json:"signature,omitempty"`
}

// DecodeParentMessage decodes a loader message (the JSON of event.data) and
// reports whether it is one the widget understands. Pages must be http(s)
// URLs; over-long fields are cut.
func DecodeParentMessage(data []byte) (ParentMessage, bool) {
	var m ParentMessage
	if err := json.Unmarshal(data, &m); err != nil || m.Parley != bridgeVersion {
		return ParentMessage{}, false
	}
	if m.Page != nil {
		p, ok := cleanPage(*m.Page)
		if ok {
			m.Page = &p
		} else {
			m.Page = nil
		}
	}
	switch m.Type {
	case MsgOpen:
		m.Greeting = strings.TrimSpace(m.Greeting)
		if utf8.RuneCountInString(m.Greeting) > parley.DefaultLimits.MaxTextRunes {
			m.Greeting = ""
		}
		return m, true
	case MsgClose:
		return ParentMessage{Parley: m.Parley, Type: m.Type}, true
	case MsgPage:
		if m.Page != nil {
			ref := m.Referrer
			if u, err := url.Parse(ref); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(ref) > parley.MaxContextURL {
				ref = "" // none, or one the server would refuse
			}
			return ParentMessage{Parley: m.Parley, Type: m.Type, Page: m.Page, Referrer: ref}, true
		}
	case MsgContext:
		if m.Context != nil {
			return ParentMessage{Parley: m.Parley, Type: m.Type, Context: m.Context}, true
		}
	case MsgLang:
		if len(m.Lang) <= parley.MaxLanguage {
			return ParentMessage{Parley: m.Parley, Type: m.Type, Lang: m.Lang}, true
		}
	case MsgIdentify:
		if m.Identify != nil && m.Identify.ID != "" {
			return ParentMessage{Parley: m.Parley, Type: m.Type, Identify: m.Identify}, true
		}
	}
	return ParentMessage{}, false
}

func cleanPage(p parley.Page) (parley.Page, bool) {
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(p.URL) > maxPageURL {
		return parley.Page{}, false
	}
	p.Title = strings.TrimSpace(p.Title)
	if utf8.RuneCountInString(p.Title) > maxPageTitle {
		p.Title = string([]rune(p.Title)[:maxPageTitle])
	}
	return p, true
}

// ReadyMessage tells the loader the widget is rendered and usable.
func ReadyMessage() map[string]any { return bridgeMessage(MsgReady) }

// WordsMessage gives the loader the launcher's words in language l: its
// name and the word before the unread count (i18n.LauncherWords).
func WordsMessage(l i18n.Lang) map[string]any {
	m := bridgeMessage("words")
	m["words"] = i18n.LauncherWords(l)
	return m
}

// AppMessage tells the loader the app runs (after "ready", from the
// page's own script, or with it).
func AppMessage() map[string]any { return bridgeMessage(MsgApp) }

// CloseMessage asks the loader to close the panel.
func CloseMessage() map[string]any { return bridgeMessage(MsgClose) }

// UnreadMessage tells the loader how many agent messages wait unseen.
func UnreadMessage(n int) map[string]any {
	m := bridgeMessage(MsgUnread)
	m["count"] = n
	return m
}

// AgentMessage hands the loader a new agent message, for a preview.
func AgentMessage(msg parley.Message) map[string]any {
	m := bridgeMessage(MsgMessage)
	m["message"] = map[string]any{
		"from": map[string]any{"kind": msg.From.Kind, "name": msg.From.Name},
		"text": msg.Text,
		"at":   msg.At,
	}
	return m
}

// ConversationMessage tells the loader whether the visitor has an open
// conversation (the loader then loads the widget early on the next page).
func ConversationMessage(open bool) map[string]any {
	m := bridgeMessage(MsgConversation)
	m["open"] = open
	return m
}

func bridgeMessage(typ string) map[string]any {
	return map[string]any{"parley": bridgeVersion, "type": typ}
}

// ParseOrigin validates the shop origin the loader put in ?origin= and
// returns it as browsers serialise event.origin: lower case, no default
// port, no path.
func ParseOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, true
}

// SiteFromPath returns the site id of a widget page path, /chat/{site}
// under ui.BasePath.
func SiteFromPath(path string) string {
	rest, ok := strings.CutPrefix(path, ui.Path("/chat/"))
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "/")
	site, err := url.PathUnescape(rest)
	if err != nil {
		return ""
	}
	return site
}

// resumeFragment starts the fragment that carries a resume link's token.
const resumeFragment = "parley-resume="

// ResumeLinkFromFragment returns the resume link token a page's URL
// fragment carries ("parley-resume=TOKEN"), or "" when it carries none or
// not one of a token's shape.
func ResumeLinkFromFragment(fragment string) string {
	token, ok := strings.CutPrefix(fragment, resumeFragment)
	if !ok || len(token) == 0 || len(token) > 64 {
		return ""
	}
	for _, r := range token {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return ""
		}
	}
	return token
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// ValidColor reports whether s is a "#rrggbb" colour, the only form put
// into the widget's style.
func ValidColor(s string) bool { return hexColor.MatchString(s) }
