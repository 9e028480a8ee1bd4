package parley

import (
	"strings"
	"testing"
)

// shopFAQ is a shop's FAQ as an owner would write it, in English, in
// Polish, and one entry for every language.
var shopFAQ = []FAQEntry{
	{ID: "shipping", Question: "How long does shipping take?", Answer: "Orders ship within 1–2 working days; delivery takes 2–4 days.", Keywords: []string{"shipping", "delivery", "dispatch"}, Lang: "en"},
	{ID: "returns", Question: "How do I return an item?", Answer: "You have 30 days to return anything: open your order and choose Return.", Keywords: []string{"return", "refund", "exchange"}, Lang: "en"},
	{ID: "status", Question: "Where is my order?", Answer: "Track your order at /account/orders.", Keywords: []string{"order status", "tracking", "parcel"}, Lang: "en"},
	{ID: "payment", Question: "Which payment methods do you accept?", Answer: "Cards, PayPal and bank transfer.", Keywords: []string{"payment", "pay", "card", "paypal"}, Lang: "en"},
	{ID: "wysylka", Question: "Ile trwa wysyłka?", Answer: "Wysyłamy w 1–2 dni robocze.", Keywords: []string{"wysyłka", "dostawa", "kurier"}, Lang: "pl"},
	{ID: "zwrot", Question: "Jak zwrócić towar?", Answer: "Masz 30 dni na zwrot.", Keywords: []string{"zwrot", "reklamacja", "wymiana"}, Lang: "pl"},
	{ID: "platnosc", Question: "Jakie są formy płatności?", Answer: "Karta, BLIK, przelew.", Keywords: []string{"płatność", "blik", "przelew"}, Lang: "pl"},
	{ID: "hours", Question: "Opening hours of the shop", Answer: "Mon–Fri 9–17.", Keywords: []string{"hours", "godziny"}},
}

func ids(rs []FAQResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Entry)
	}
	return out
}

func TestMatchFAQ(t *testing.T) {
	en, pl := FAQFor(shopFAQ, "en-GB"), FAQFor(shopFAQ, "pl")
	for _, c := range []struct {
		name  string
		list  []FAQEntry
		text  string
		first string // "" for no match at all
	}{
		{"question words", en, "how long does shipping take", "shipping"},
		{"keyword", en, "I want a refund", "returns"},
		{"prefix of the word being typed", en, "can I retur", "returns"},
		{"inflected form", en, "returning my shoes", "returns"},
		{"multi-word keyword", en, "what's my order status?", "status"},
		{"payment", en, "can I pay with PayPal", "payment"},
		{"case and punctuation", en, "SHIPPING??!", "shipping"},
		{"unrelated", en, "do you sell blue socks in size 44", ""},
		{"only stopwords", en, "how can you do that", ""},
		{"too short", en, "hi", ""},
		{"polish with diacritics", pl, "ile trwa wysyłka do Krakowa", "wysylka"},
		{"polish without diacritics", pl, "ile trwa wysylka", "wysylka"},
		{"polish inflection by prefix", pl, "chcę zrobić zwrotu", "zwrot"},
		{"polish payment", pl, "czy mogę zapłacić blikiem", "platnosc"},
		{"all-language entry", pl, "godziny otwarcia", "hours"},
		{"language filter: english entry not offered in polish", pl, "how long does shipping take", ""},
	} {
		got := MatchFAQ(c.list, c.text)
		if c.first == "" {
			if len(got) != 0 {
				t.Errorf("%s: %q matched %v (scores %v), want nothing", c.name, c.text, ids(got), got)
			}
			continue
		}
		if len(got) == 0 || got[0].Entry != c.first {
			t.Errorf("%s: %q matched %v, want %s first", c.name, c.text, ids(got), c.first)
			continue
		}
		if got[0].Score < FAQThreshold || got[0].Answer == "" || got[0].Question == "" {
			t.Errorf("%s: result %+v", c.name, got[0])
		}
	}
}

func TestMatchFAQRankingAndTop3(t *testing.T) {
	// A keyword hit outranks a question word; at most three results.
	list := []FAQEntry{
		{ID: "a", Question: "Delivery of large items", Answer: "x"},
		{ID: "b", Question: "Other question", Answer: "x", Keywords: []string{"delivery"}},
		{ID: "c", Question: "Delivery abroad", Answer: "x", Keywords: []string{"delivery"}},
		{ID: "d", Question: "Delivery to lockers", Answer: "x", Keywords: []string{"delivery", "lockers"}},
		{ID: "e", Question: "Delivery costs", Answer: "x", Keywords: []string{"delivery"}},
	}
	got := MatchFAQ(list, "delivery to the lockers")
	if len(got) != 3 || got[0].Entry != "d" {
		t.Fatalf("got %v, want d first and three results", ids(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Score > got[i-1].Score {
			t.Errorf("not sorted: %v", got)
		}
	}
	for _, r := range got {
		if r.Entry == "a" {
			t.Errorf("a question word outranked keyword hits: %v", ids(got))
		}
	}
}

func TestFoldText(t *testing.T) {
	for in, want := range map[string]string{
		"Zażółć gęślą jaźń": "zazolc gesla jazn",
		"Łódź":              "lodz",
		"Șoșea Ţară țânţar": "sosea tara tantar",
		"Čevapčiči Šđž":     "cevapcici sdz",
		"Straße Größe":      "strasse grosse",
		"Crème brûlée":      "creme brulee",
	} {
		if got := FoldText(in); got != want {
			t.Errorf("FoldText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := strings.Join(FAQTokens("Ile trwa wysyłka? 2 dni, ok."), " "); got != "ile trwa wysylka dni" {
		t.Errorf("FAQTokens = %q", got)
	}
}

func TestCheckFAQ(t *testing.T) {
	ok, err := CheckFAQ([]FAQEntry{{Question: "  Q? ", Answer: " A ", Keywords: []string{" ship ", "", "SHIP", "send"}, Lang: "PL"}})
	if err != nil {
		t.Fatal(err)
	}
	if e := ok[0]; e.ID == "" || e.Question != "Q?" || e.Answer != "A" || e.Lang != "pl" || strings.Join(e.Keywords, ",") != "ship,send" {
		t.Errorf("normalised %+v", e)
	}
	long := strings.Repeat("x", MaxFAQAnswer+1)
	many := make([]FAQEntry, MaxFAQEntries+1)
	kws := make([]string, MaxFAQKeywords+1)
	for i := range kws {
		kws[i] = "k" + strings.Repeat("x", i)
	}
	for name, c := range map[string]struct {
		list []FAQEntry
		code string
	}{
		"too many":      {many, ETooLarge},
		"no question":   {[]FAQEntry{{Answer: "a"}}, EInvalid},
		"no answer":     {[]FAQEntry{{Question: "q"}}, EInvalid},
		"long question": {[]FAQEntry{{Question: strings.Repeat("q", MaxFAQQuestion+1), Answer: "a"}}, ETooLarge},
		"long answer":   {[]FAQEntry{{Question: "q", Answer: long}}, ETooLarge},
		"many keywords": {[]FAQEntry{{Question: "q", Answer: "a", Keywords: kws}}, ETooLarge},
		"long keyword":  {[]FAQEntry{{Question: "q", Answer: "a", Keywords: []string{strings.Repeat("k", MaxFAQKeyword+1)}}}, ETooLarge},
		"bad lang":      {[]FAQEntry{{Question: "q", Answer: "a", Lang: "xx"}}, EInvalid},
		"bad id":        {[]FAQEntry{{ID: "A B", Question: "q", Answer: "a"}}, EInvalid},
		"duplicate id":  {[]FAQEntry{{ID: "a", Question: "q", Answer: "a"}, {ID: "a", Question: "q2", Answer: "a"}}, EInvalid},
		"invalid utf-8": {[]FAQEntry{{Question: "q\xff", Answer: "a"}}, EInvalid},
	} {
		if _, err := CheckFAQ(c.list); ErrorCode(err) != c.code {
			t.Errorf("%s: err %v, want %s", name, err, c.code)
		}
	}
}
