package parley

import (
	"fmt"
	"testing"
)

func TestReadableMeetsContrast(t *testing.T) {
	for _, c := range []struct{ in, bg, fg string }{
		{"#3b5bdb", "#3b5bdb", LightText}, // the default blue: white passes
		{"#000000", "#000000", LightText},
		{"#b45309", "#b45309", LightText}, // the demo's amber: 5.0:1
		{"#ffd43b", "#ffd43b", DarkText},
		{"#fff", "#fff", DarkText},
		{"nope", "nope", LightText},
	} {
		if bg, fg := Readable(c.in); bg != c.bg || fg != c.fg {
			t.Errorf("Readable(%s) = %s on %s, want %s on %s", c.in, fg, bg, c.fg, c.bg)
		}
	}
	// Colours that pass with neither text are darkened just enough.
	for _, in := range []string{"#b5651d", "#c5793f", "#2f9e44", "#e03131", "#868e96", "#7f7f7f", "#4dabf7", "#12b886"} {
		bg, fg := Readable(in)
		if got := Contrast(fg, bg); got < 4.5 {
			t.Errorf("Readable(%s) = %s on %s: %.2f:1, want at least 4.5:1", in, fg, bg, got)
		}
		if bg != in {
			if Contrast(LightText, in) >= 4.5 || Contrast(DarkText, in) >= 4.5 {
				t.Errorf("Readable(%s) changed a colour that passes already, to %s", in, bg)
			}
			// Just enough: one step lighter would not pass.
			r, g, b := rgb(bg)
			lighter := fmt.Sprintf("#%02x%02x%02x", min(255, int(r/0.96+0.5)), min(255, int(g/0.96+0.5)), min(255, int(b/0.96+0.5)))
			if lighter != in && Contrast(LightText, lighter) >= 4.5 {
				t.Errorf("Readable(%s) = %s, but %s passes already", in, bg, lighter)
			}
		}
	}
}

func TestContrast(t *testing.T) {
	if got := Contrast("#fff", "#000"); got < 20.99 || got > 21.01 {
		t.Errorf("Contrast(white, black) = %.3f, want 21", got)
	}
	if got := Contrast("#667085", "#ffffff"); got < 4.95 || got > 5.0 {
		t.Errorf("Contrast(#667085, white) = %.3f, want about 4.97", got)
	}
	if got := Contrast("nope", "#fff"); got != 0 {
		t.Errorf("Contrast of an unreadable colour = %v, want 0", got)
	}
}
