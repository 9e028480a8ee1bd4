package inbound

import (
	"strings"

	"golang.org/x/net/html"
)

// HTMLText turns an HTML mail body into plain text: block elements become
// line breaks, head, style and script are dropped, and so are the parts
// mail clients mark as quoted history or signature: blockquote (Apple
// Mail's type=cite, Gmail's gmail_quote), div.gmail_quote and everything
// after it, Outlook's divRplyFwdMsg/appendonsend and everything after it,
// Thunderbird's moz-cite-prefix, Yahoo's yahoo_quoted, div.gmail_signature.
// The result still goes through StripQuoted for what is only marked by text.
func HTMLText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skipTag := ""  // the element whose subtree is being skipped
	skipDepth := 0 // nesting of skipTag inside itself
	pre := 0       // inside <pre>: keep whitespace
	space := false // a space is pending between two words
	// newline ends the line at a block's edge; <br> alone makes blank
	// lines, as in Gmail's <div><br></div>.
	newline := func() {
		space = false
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyLines(b.String())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			var class, id string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "class":
					class = " " + string(v) + " "
				case "id":
					id = string(v)
				}
			}
			if skipTag != "" {
				if tag == skipTag && tt == html.StartTagToken {
					skipDepth++
				} else if tag == skipTag && tt == html.EndTagToken {
					skipDepth--
					if skipDepth == 0 {
						skipTag = ""
					}
				}
				continue
			}
			if tt == html.StartTagToken {
				switch {
				case strings.Contains(class, " gmail_quote "), strings.Contains(class, " moz-cite-prefix "),
					strings.Contains(class, " yahoo_quoted "), id == "divRplyFwdMsg", id == "appendonsend",
					strings.Contains(class, " gmail_attr "):
					return tidyLines(b.String()) // history starts here and runs to the end
				case tag == "blockquote", // Apple's type=cite, and an unmarked one in a reply is a quote too
					strings.Contains(class, " gmail_signature "),
					tag == "head", tag == "style", tag == "script", tag == "title", tag == "template":
					skipTag, skipDepth = tag, 1
					continue
				}
			}
			switch tag {
			case "pre":
				if tt == html.StartTagToken {
					pre++
				} else if tt == html.EndTagToken && pre > 0 {
					pre--
				}
				newline()
			case "br":
				b.WriteByte('\n')
				space = false
			case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "ul", "ol", "section", "article", "header", "footer":
				newline()
			case "td", "th":
				space = true
			}
		case html.TextToken:
			if skipTag != "" {
				continue
			}
			t := string(z.Text()) // entities are unescaped by the tokenizer
			if pre > 0 {
				b.WriteString(t)
				continue
			}
			t = strings.ReplaceAll(t, "\u00a0", " ")
			words := strings.Fields(t)
			if len(words) == 0 {
				if t != "" {
					space = true
				}
				continue
			}
			if (space || startsWithSpace(t)) && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteByte(' ')
			}
			b.WriteString(strings.Join(words, " "))
			space = endsWithSpace(t)
		}
	}
}

func startsWithSpace(s string) bool { return s != strings.TrimLeft(s, " \t\r\n\u00a0") }
func endsWithSpace(s string) bool   { return s != strings.TrimRight(s, " \t\r\n\u00a0") }

// tidyLines trims each line's trailing space and leaves at most one blank
// line in a row.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
