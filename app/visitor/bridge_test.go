package visitor_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

func TestDecodeParentMessage(t *testing.T) {
	page := &parley.Page{URL: "https://shop.example/p/1", Title: "Red shoes"}
	tests := []struct {
		name   string
		in     string
		want   visitor.ParentMessage
		wantOK bool
	}{
		{"open", `{"parley":1,"type":"open","page":{"url":"https://shop.example/p/1","title":" Red shoes "}}`,
			visitor.ParentMessage{Parley: 1, Type: "open", Page: page}, true},
		{"open with greeting", `{"parley":1,"type":"open","greeting":"  Need help? "}`,
			visitor.ParentMessage{Parley: 1, Type: "open", Greeting: "Need help?"}, true},
		{"close drops extras", `{"parley":1,"type":"close","greeting":"x"}`,
			visitor.ParentMessage{Parley: 1, Type: "close"}, true},
		{"page", `{"parley":1,"type":"page","page":{"url":"https://shop.example/p/1","title":"Red shoes"}}`,
			visitor.ParentMessage{Parley: 1, Type: "page", Page: page}, true},
		{"page without page", `{"parley":1,"type":"page"}`, visitor.ParentMessage{}, false},
		{"page with javascript url", `{"parley":1,"type":"page","page":{"url":"javascript:alert(1)"}}`, visitor.ParentMessage{}, false},
		{"open with bad page keeps opening", `{"parley":1,"type":"open","page":{"url":"ftp://x"}}`,
			visitor.ParentMessage{Parley: 1, Type: "open"}, true},
		{"identify", `{"parley":1,"type":"identify","identify":{"id":"c1","email":"a@b.example","name":"Ada","signature":"ab"},"page":{"url":"https://shop.example/p/1"}}`,
			visitor.ParentMessage{Parley: 1, Type: "identify", Identify: &visitor.IdentifyFields{ID: "c1", Email: "a@b.example", Name: "Ada", Signature: "ab"}}, true},
		{"identify without id", `{"parley":1,"type":"identify","identify":{"name":"Ada"}}`, visitor.ParentMessage{}, false},
		{"identify without fields", `{"parley":1,"type":"identify"}`, visitor.ParentMessage{}, false},
		{"identify of the wrong shape", `{"parley":1,"type":"identify","identify":{"id":7}}`, visitor.ParentMessage{}, false},
		{"wrong version", `{"parley":2,"type":"open"}`, visitor.ParentMessage{}, false},
		{"no version", `{"type":"open"}`, visitor.ParentMessage{}, false},
		{"unknown type", `{"parley":1,"type":"eval"}`, visitor.ParentMessage{}, false},
		{"not an object", `"open"`, visitor.ParentMessage{}, false},
		{"not json", `undefined`, visitor.ParentMessage{}, false},
		{"greeting too long", `{"parley":1,"type":"open","greeting":"` + strings.Repeat("a", 4001) + `"}`,
			visitor.ParentMessage{Parley: 1, Type: "open"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := visitor.DecodeParentMessage([]byte(tt.in))
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeParentMessage = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDecodeParentMessageCutsLongTitle(t *testing.T) {
	in := `{"parley":1,"type":"page","page":{"url":"https://shop.example/","title":"` + strings.Repeat("é", 500) + `"}}`
	got, ok := visitor.DecodeParentMessage([]byte(in))
	if !ok {
		t.Fatal("message refused")
	}
	if n := len([]rune(got.Page.Title)); n != 300 {
		t.Errorf("title has %d runes, want 300", n)
	}
}

func TestOutgoingMessages(t *testing.T) {
	tests := []struct {
		name string
		got  map[string]any
		want map[string]any
	}{
		{"ready", visitor.ReadyMessage(), map[string]any{"parley": 1, "type": "ready"}},
		{"close", visitor.CloseMessage(), map[string]any{"parley": 1, "type": "close"}},
		{"unread", visitor.UnreadMessage(3), map[string]any{"parley": 1, "type": "unread", "count": 3}},
		{"conversation", visitor.ConversationMessage(true), map[string]any{"parley": 1, "type": "conversation", "open": true}},
		{"message", visitor.AgentMessage(parley.Message{Conv: 7, Seq: 2, ID: "x",
			From: parley.Author{Kind: "agent", ID: 1, Name: "Ann"}, Text: "Hello", At: 1700000000000}),
			map[string]any{"parley": 1, "type": "message", "message": map[string]any{
				"from": map[string]any{"kind": "agent", "name": "Ann"}, "text": "Hello", "at": int64(1700000000000),
			}}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseOrigin(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"https://shop.example", "https://shop.example", true},
		{"https://shop.example/", "https://shop.example", true},
		{"HTTPS://Shop.Example", "https://shop.example", true},
		{"https://shop.example:443", "https://shop.example", true},
		{"http://shop.example:80", "http://shop.example", true},
		{"http://127.0.0.1:8081", "http://127.0.0.1:8081", true},
		{"https://shop.example:80", "https://shop.example:80", true},
		{"http://[::1]:8081", "http://[::1]:8081", true},
		{"https://shop.example/path", "", false},
		{"https://shop.example?x=1", "", false},
		{"https://user@shop.example", "", false},
		{"null", "", false},
		{"", "", false},
		{"javascript:alert(1)", "", false},
		{"file:///etc/passwd", "", false},
		{"shop.example", "", false},
	}
	for _, tt := range tests {
		got, ok := visitor.ParseOrigin(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSiteFromPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/chat/demo", "demo"},
		{"/chat/demo/", "demo"},
		{"/chat/my%20site", "my site"},
		{"/chat/", ""},
		{"/console", ""},
		{"/chat/%zz", ""},
	}
	for _, tt := range tests {
		if got := visitor.SiteFromPath(tt.in); got != tt.want {
			t.Errorf("SiteFromPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidColor(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"#1a2b3c", true}, {"#ABCDEF", true}, {"#abc", false}, {"red", false},
		{"#1a2b3c;background:url(x)", false}, {"", false},
	}
	for _, tt := range tests {
		if got := visitor.ValidColor(tt.in); got != tt.want {
			t.Errorf("ValidColor(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestResumeLinkFromFragment(t *testing.T) {
	token := "AAAAAAAAAAEAAAAAAAAAAgAAAABrDBbAq1ZwJ-6Y_4UfeBaaMRn0Mw"
	tests := []struct{ fragment, want string }{
		{"parley-resume=" + token, token},
		{"", ""},
		{"reviews", ""},
		{"parley-resume=", ""},
		{"parley-resume=" + token + "&x=1", ""},
		{"parley-resume=<script>", ""},
		{"parley-resume=" + strings.Repeat("A", 65), ""},
		{"x&parley-resume=" + token, ""},
	}
	for _, tt := range tests {
		if got := visitor.ResumeLinkFromFragment(tt.fragment); got != tt.want {
			t.Errorf("ResumeLinkFromFragment(%q) = %q, want %q", tt.fragment, got, tt.want)
		}
	}
}

// TestContextMessage: the loader's set/cart/track become one context
// frame; any JSON value of an attribute becomes text, null a deletion.
func TestContextMessage(t *testing.T) {
	m, ok := visitor.DecodeParentMessage([]byte(`{"parley":1,"type":"context","context":{
		"attributes":{"plan":"gold","seats":3,"trial":false,"old":null},
		"cart":{"items":[{"name":"Mug","qty":2,"price":9.5}],"total":"19.00","currency":"EUR"},
		"track":[{"name":"Viewed","props":{"sku":"M-1","n":1}}]}}`))
	if !ok || m.Context == nil {
		t.Fatalf("got %+v, %v", m, ok)
	}
	f, ok := m.Context.Frame()
	if !ok {
		t.Fatal("nothing to send")
	}
	if want := map[string]string{"plan": "gold", "seats": "3", "trial": "false", "old": ""}; !reflect.DeepEqual(f.Attributes, want) {
		t.Errorf("attributes %q, want %q", f.Attributes, want)
	}
	if f.Cart == nil || f.Cart.Items[0].Price != "9.5" || f.Cart.Total != "19.00" {
		t.Errorf("cart %+v", f.Cart)
	}
	if len(f.Track) != 1 || f.Track[0].Props["n"] != "1" {
		t.Errorf("track %+v", f.Track)
	}
	if _, ok := (visitor.ContextFields{}).Frame(); ok {
		t.Error("an empty context has something to send")
	}
	// The referrer rides on the page message; one that is no web page is dropped.
	for in, want := range map[string]string{"https://www.google.com/": "https://www.google.com/", "javascript:alert(1)": "", "": ""} {
		m, _ := visitor.DecodeParentMessage([]byte(`{"parley":1,"type":"page","page":{"url":"https://shop.example/"},"referrer":"` + in + `"}`))
		if m.Referrer != want {
			t.Errorf("referrer %q: got %q, want %q", in, m.Referrer, want)
		}
	}
}
