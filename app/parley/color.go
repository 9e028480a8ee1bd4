package parley

import (
	"fmt"
	"math"
	"strconv"
)

// Text colours on a site's colour: light on dark, dark on light.
const (
	LightText = "#ffffff"
	DarkText  = "#1d2129"
)

// Readable is the colour pair to write text on a site's colour c (#rgb or
// #rrggbb) with the 4.5:1 contrast WCAG asks of normal text: c itself with
// white or dark text, whichever passes (white first); when neither does, c
// darkened just enough for white. An unreadable c is returned as it is,
// with white.
func Readable(c string) (bg, fg string) {
	if _, ok := luminance(c); !ok {
		return c, LightText
	}
	if Contrast(LightText, c) >= 4.5 {
		return c, LightText
	}
	if Contrast(DarkText, c) >= 4.5 {
		return c, DarkText
	}
	r, g, b := rgb(c)
	for range 80 {
		r, g, b = r*0.96, g*0.96, b*0.96
		bg = fmt.Sprintf("#%02x%02x%02x", int(r+0.5), int(g+0.5), int(b+0.5))
		if Contrast(LightText, bg) >= 4.5 {
			return bg, LightText
		}
	}
	return "#000000", LightText
}

// Contrast is the WCAG contrast ratio of two colours (#rgb or #rrggbb),
// from 1 to 21; 0 if either is unreadable.
func Contrast(a, b string) float64 {
	la, ok1 := luminance(a)
	lb, ok2 := luminance(b)
	if !ok1 || !ok2 {
		return 0
	}
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// rgb is the channels of #rrggbb (or #rgb), 0–255.
func rgb(c string) (r, g, b float64) {
	if len(c) == 4 {
		c = "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	v, _ := strconv.ParseUint(c[1:], 16, 32)
	return float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff)
}

// luminance is the WCAG relative luminance of #rgb or #rrggbb.
func luminance(c string) (float64, bool) {
	if len(c) == 4 && c[0] == '#' {
		c = "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	if len(c) != 7 || c[0] != '#' {
		return 0, false
	}
	v, err := strconv.ParseUint(c[1:], 16, 32)
	if err != nil {
		return 0, false
	}
	lin := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff), true
}
