package parley_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

func TestParseUserAgent(t *testing.T) {
	for _, tc := range []struct{ ua, browser, os string }{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome 131", "Windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", "Edge 131", "Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15", "Safari 17", "macOS"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1", "Safari 17", "iOS"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1", "Chrome 130", "iOS"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133", "Linux"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome 131", "Android"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0", "Opera 115", "Windows"},
		{"curl/8.5.0", "", ""},
		{"", "", ""},
	} {
		b, os := parley.ParseUserAgent(tc.ua)
		if b != tc.browser || os != tc.os {
			t.Errorf("ParseUserAgent(%q) = %q, %q; want %q, %q", tc.ua, b, os, tc.browser, tc.os)
		}
	}
}

func TestParseLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"de-CH,de;q=0.9,en;q=0.8", "de-CH"},
		{"en", "en"},
		{"zh-Hant-TW;q=0.9", "zh-Hant-TW"},
		{"*", ""},
		{"", ""},
		{"<script>", ""},
		{"1en", ""},
		{strings.Repeat("a", 36), ""},
	} {
		if got := parley.ParseLanguage(tc.header); got != tc.want {
			t.Errorf("ParseLanguage(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestContextUpdateCheck(t *testing.T) {
	many := map[string]string{}
	for i := range parley.MaxAttributes + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	manyItems := make([]parley.CartItem, parley.MaxCartItems+1)
	for i := range manyItems {
		manyItems[i] = parley.CartItem{Name: "x", Qty: 1}
	}
	item := func(it parley.CartItem) *parley.Cart { return &parley.Cart{Items: []parley.CartItem{it}} }
	for _, tc := range []struct {
		name string
		u    parley.ContextUpdate
		code string
	}{
		{"fine", parley.ContextUpdate{
			Attributes: map[string]string{"plan": "gold", "user.id": "42", "old": ""},
			Cart:       &parley.Cart{Items: []parley.CartItem{{Name: "Mug", Qty: 2, Price: "9.50", URL: "https://shop.example/mug"}}, Total: "19", Currency: "EUR"},
			Track:      []parley.TrackedEvent{{Name: "Viewed product", Props: map[string]string{"sku": "M-1"}}},
			Device:     &parley.Device{TimeZone: "America/Argentina/Buenos_Aires", UTCOffset: -180},
			Referrer:   "https://www.google.com/",
		}, ""},
		{"empty cart clears", parley.ContextUpdate{Cart: &parley.Cart{}}, ""},
		{"too many attributes", parley.ContextUpdate{Attributes: many}, parley.ETooLarge},
		{"long key", parley.ContextUpdate{Attributes: map[string]string{strings.Repeat("k", 41): "v"}}, parley.ETooLarge},
		{"bad key", parley.ContextUpdate{Attributes: map[string]string{"a b": "v"}}, parley.EInvalid},
		{"empty key", parley.ContextUpdate{Attributes: map[string]string{"": "v"}}, parley.EInvalid},
		{"long value", parley.ContextUpdate{Attributes: map[string]string{"k": strings.Repeat("é", 201)}}, parley.ETooLarge},
		{"control char", parley.ContextUpdate{Attributes: map[string]string{"k": "a\x1bb"}}, parley.EInvalid},
		{"newline", parley.ContextUpdate{Attributes: map[string]string{"k": "a\nb"}}, parley.EInvalid},
		{"C1 control", parley.ContextUpdate{Attributes: map[string]string{"k": "a\u0085b"}}, parley.EInvalid},
		{"bad utf8", parley.ContextUpdate{Attributes: map[string]string{"k": "\xff"}}, parley.EInvalid},
		{"too many items", parley.ContextUpdate{Cart: &parley.Cart{Items: manyItems}}, parley.ETooLarge},
		{"no name", parley.ContextUpdate{Cart: item(parley.CartItem{Qty: 1})}, parley.EInvalid},
		{"negative qty", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: -1})}, parley.EInvalid},
		{"zero qty", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x"})}, parley.EInvalid},
		{"huge qty", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: 10000})}, parley.EInvalid},
		{"negative price", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: 1, Price: "-1"})}, parley.EInvalid},
		{"price 1e3", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: 1, Price: "1e3"})}, parley.EInvalid},
		{"price dot", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: 1, Price: "1."})}, parley.EInvalid},
		{"javascript url", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: 1, URL: "javascript:alert(1)"})}, parley.EInvalid},
		{"long url", parley.ContextUpdate{Cart: item(parley.CartItem{Name: "x", Qty: 1, URL: "https://a.example/" + strings.Repeat("a", 2048)})}, parley.ETooLarge},
		{"bad currency", parley.ContextUpdate{Cart: &parley.Cart{Items: []parley.CartItem{{Name: "x", Qty: 1}}, Currency: "eur"}}, parley.EInvalid},
		{"bad total", parley.ContextUpdate{Cart: &parley.Cart{Items: []parley.CartItem{{Name: "x", Qty: 1}}, Total: "12,50"}}, parley.EInvalid},
		{"nameless event", parley.ContextUpdate{Track: []parley.TrackedEvent{{Name: " "}}}, parley.EInvalid},
		{"long event", parley.ContextUpdate{Track: []parley.TrackedEvent{{Name: strings.Repeat("e", 61)}}}, parley.ETooLarge},
		{"too many events", parley.ContextUpdate{Track: make([]parley.TrackedEvent, 21)}, parley.ETooLarge},
		{"bad zone", parley.ContextUpdate{Device: &parley.Device{TimeZone: "Europe/<b>"}}, parley.EInvalid},
		{"offset", parley.ContextUpdate{Device: &parley.Device{UTCOffset: 841}}, parley.EInvalid},
		{"referrer scheme", parley.ContextUpdate{Referrer: "data:text/html,hi"}, parley.EInvalid},
	} {
		err := tc.u.Check()
		if got := parley.ErrorCode(err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
		}
		if err != nil && parley.ErrorMessage(err) == "Internal error." {
			t.Errorf("%s: no clear message", tc.name)
		}
	}
}

func TestContextApply(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var c parley.VisitorContext
	apply := func(u parley.ContextUpdate) bool {
		t.Helper()
		changed, err := c.Apply(u, now)
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	if !apply(parley.ContextUpdate{Attributes: map[string]string{"plan": "gold", "n": "1"}}) {
		t.Error("new attributes: not changed")
	}
	if apply(parley.ContextUpdate{Attributes: map[string]string{"plan": "gold"}}) {
		t.Error("same attribute: changed")
	}
	apply(parley.ContextUpdate{Attributes: map[string]string{"n": "", "x": "y"}})
	if got, want := fmt.Sprint(c.Attributes), "map[plan:gold x:y]"; got != want {
		t.Errorf("merged attributes %s, want %s", got, want)
	}

	apply(parley.ContextUpdate{Cart: &parley.Cart{Items: []parley.CartItem{{Name: "Mug", Qty: 1}}, Currency: "EUR"}})
	if c.Cart == nil || len(c.Cart.Items) != 1 {
		t.Fatalf("cart %+v", c.Cart)
	}
	apply(parley.ContextUpdate{Cart: &parley.Cart{}})
	if c.Cart != nil {
		t.Errorf("an empty cart left %+v", c.Cart)
	}

	for i := range parley.MaxContextEvents + 5 {
		apply(parley.ContextUpdate{Track: []parley.TrackedEvent{{Name: fmt.Sprint("e", i)}}})
	}
	if len(c.Events) != parley.MaxContextEvents || c.Events[0].Name != "e5" || !c.Events[0].At.Equal(now) {
		t.Errorf("events: %d, first %+v", len(c.Events), c.Events[0])
	}

	for i := range parley.MaxContextPages + 3 {
		p := parley.Page{URL: fmt.Sprint("https://shop.example/", i)}
		apply(parley.ContextUpdate{Page: &p})
		if apply(parley.ContextUpdate{Page: &p}) {
			t.Error("the same page twice: changed")
		}
	}
	if len(c.Pages) != parley.MaxContextPages || c.Pages[len(c.Pages)-1].URL != "https://shop.example/22" {
		t.Errorf("pages: %d, last %+v", len(c.Pages), c.Pages[len(c.Pages)-1])
	}

	apply(parley.ContextUpdate{UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"})
	if c.Browser != "Firefox 133" || c.OS != "Linux" {
		t.Errorf("browser %q os %q", c.Browser, c.OS)
	}

	// Over the cap after the merge: refused, nothing changed.
	full := map[string]string{}
	for i := range parley.MaxAttributes - 1 {
		full[fmt.Sprint("f", i)] = "v"
	}
	before := fmt.Sprint(c.Attributes)
	if _, err := c.Apply(parley.ContextUpdate{Attributes: full}, now); parley.ErrorCode(err) != parley.ETooLarge {
		t.Errorf("over the cap: %v", err)
	}
	if got := fmt.Sprint(c.Attributes); got != before {
		t.Errorf("a refused update changed attributes to %s", got)
	}
}

func TestAmountJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{{`"19.99"`, "19.99"}, {`19.99`, "19.99"}, {`1500`, "1500"}, {`null`, ""}} {
		var a parley.Amount
		if err := a.UnmarshalJSON([]byte(tc.in)); err != nil || string(a) != tc.want {
			t.Errorf("Amount(%s) = %q, %v; want %q", tc.in, a, err, tc.want)
		}
	}
}
