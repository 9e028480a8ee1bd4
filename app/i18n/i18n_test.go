package i18n

import "testing"

func TestPluralRules(t *testing.T) {
	// CLDR's examples for each language.
	cases := map[Lang]map[Category][]int{
		EN: {One: {1}, Other: {0, 2, 5, 11, 21, 101}},
		DE: {One: {1}, Other: {0, 2, 5, 11, 21}},
		PL: {One: {1}, Few: {2, 3, 4, 22, 23, 24, 102, 1004}, Many: {0, 5, 11, 12, 13, 14, 21, 25, 112, 1000}},
		RO: {One: {1}, Few: {0, 2, 16, 19, 101, 102, 119, 1001}, Other: {20, 21, 35, 100, 120, 1000}},
		SL: {One: {1, 101, 201, 1001}, Two: {2, 102, 202}, Few: {3, 4, 103, 104, 204}, Other: {0, 5, 11, 12, 19, 100, 111}},
		FR: {One: {0, 1}, Many: {1000000, 2000000}, Other: {2, 5, 11, 100, 1000}},
		ES: {One: {1}, Many: {1000000}, Other: {0, 2, 5, 11, 100}},
	}
	for l, byCat := range cases {
		for want, ns := range byCat {
			for _, n := range ns {
				if got := PluralOf(l, n); got != want {
					t.Errorf("PluralOf(%s, %d) = %d, want %d", l, n, got, want)
				}
			}
		}
	}
}

func TestTAndN(t *testing.T) {
	Add(map[string]map[Lang]string{"Test: hello %s": {PL: "Test: cześć %s"}})
	AddPlural("test %d message", "test %d messages", map[Lang]Forms{
		FR: {One: "test %d message", Many: "test %d de messages", Other: "test %d messages"},
		PL: {One: "test %d wiadomość", Few: "test %d wiadomości", Many: "test %d wiadomości"},
		SL: {One: "test %d sporočilo", Two: "test %d sporočili", Few: "test %d sporočila", Other: "test %d sporočil"},
	})
	if got := PL.T("Test: hello %s", "Ola"); got != "Test: cześć Ola" {
		t.Errorf("PL.T = %q", got)
	}
	if got := DE.T("Test: hello %s", "Ola"); got != "Test: hello Ola" {
		t.Errorf("DE.T without a translation = %q, want English", got)
	}
	for _, c := range []struct {
		l    Lang
		n    int
		want string
	}{
		{EN, 1, "test 1 message"}, {EN, 2, "test 2 messages"},
		{PL, 1, "test 1 wiadomość"}, {PL, 3, "test 3 wiadomości"}, {PL, 5, "test 5 wiadomości"},
		{SL, 2, "test 2 sporočili"}, {SL, 3, "test 3 sporočila"}, {SL, 5, "test 5 sporočil"}, {SL, 101, "test 101 sporočilo"},
		{FR, 0, "test 0 message"}, {FR, 1000000, "test 1000000 de messages"},
		{DE, 0, "test 0 messages"}, // no German forms: English
	} {
		if got := c.l.N(c.n, "test %d message", "test %d messages", c.n); got != c.want {
			t.Errorf("%s.N(%d) = %q, want %q", c.l, c.n, got, c.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a second Polish translation of the same text did not panic")
		}
	}()
	Add(map[string]map[Lang]string{"Test: hello %s": {PL: "again"}})
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		tags []string
		want Lang
	}{
		{[]string{"pl-PL", "en-US"}, PL},
		{[]string{"pt-BR", "ro"}, RO},
		{[]string{"sl"}, SL},
		{[]string{"ja", "zh"}, EN},
		{nil, EN},
		{[]string{"DE_at"}, DE},
	} {
		if got := Match(c.tags...); got != c.want {
			t.Errorf("Match(%v) = %s, want %s", c.tags, got, c.want)
		}
	}
	for h, want := range map[string]Lang{
		"pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7": PL,
		"en;q=0.5, fr;q=0.8":                  FR,
		"ja, es;q=0.1":                        ES,
		"":                                    EN,
		"de;q=0, sl":                          SL,
		"garbage;q=x, ro":                     RO,
	} {
		if got := MatchAcceptLanguage(h); got != want {
			t.Errorf("MatchAcceptLanguage(%q) = %s, want %s", h, got, want)
		}
	}
}

// A table says what Add and AddPlural say; a malformed one panics.
func TestAddTable(t *testing.T) {
	AddTable("Table test\n\tpl Test tabeli\n\tde Tabellentest\n%d table ¦ %d tables\n\tpl %d tabela ¦ %d tabele ¦ %d tabel\n")
	if got := PL.T("Table test"); got != "Test tabeli" {
		t.Errorf("T = %q", got)
	}
	if got := PL.N(5, "%d table", "%d tables", 5); got != "5 tabel" {
		t.Errorf("N(5) = %q", got)
	}
	if Has(FR, "Table test") {
		t.Error("French was not in the table")
	}
	for name, bad := range map[string]string{
		"no language":   "Bad 1\n\tPolish text\n",
		"unknown lang":  "Bad 2\n\txx text\n",
		"forms missing": "%d bad ¦ %d bads\n\tpl %d zły ¦ %d złe\n",
		"twice":         "Bad 3\n\tpl a\n\tpl b\n",
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			AddTable(bad)
		}()
	}
}
