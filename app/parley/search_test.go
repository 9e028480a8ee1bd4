package parley_test

import (
	"html"
	"reflect"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestSplitMarks(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []parley.Marked
	}{
		{"", nil},
		{"plain", []parley.Marked{{Text: "plain"}}},
		{"a <mark>b</mark> c", []parley.Marked{{Text: "a "}, {Text: "b", Mark: true}, {Text: " c"}}},
		{"<mark>x</mark><mark>y</mark>", []parley.Marked{{Text: "x", Mark: true}, {Text: "y", Mark: true}}},
		{html.EscapeString(`<script>&"'`) + "<mark>" + html.EscapeString("<b>") + "</mark>", []parley.Marked{{Text: `<script>&"'`}, {Text: "<b>", Mark: true}}},
		{"<mark>open", []parley.Marked{{Text: "open", Mark: true}}},
	} {
		if got := parley.SplitMarks(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitMarks(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
