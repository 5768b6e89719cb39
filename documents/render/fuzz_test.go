package render

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReport renders arbitrary input with report, which has no recover, so that a panic in
// goldmark or in our code fails the fuzz run instead of hiding behind Report's fallback.
func FuzzReport(f *testing.F) {
	for _, seed := range []string{
		"",
		// Seeds stay short: the fuzzer minimizes every new interesting input, for up to a minute
		// each, and a long seed keeps it minimizing instead of fuzzing.
		"## Session 1\n\nThe meeting heard *speakers*[^n1], see [Tunis](https://www.itu.int/a?b=1&c) (39-47).\n\n" +
			"- (a) legal;\n- (b) technical.\n\n> quote\n\nتؤكد الوثائق\n\n[^n1]: Presentation 1.\n",
		"# H\n\nPara[^1] with [link](https://x.org) and <b>tag</b>.\n\n[^1]: Note.\n",
		"<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![a](x) <javascript:alert(1)>",
		"- a\n\n  b\n> c\n\n| a |\n|---|\n| b |\n\n```\ncode\n```",
		"😀 مرحبا\r\n\r\n   indented  \n\xff\xfe",
		"[^a]: x\n[^a]\n[^a]",
		"<img src=x onerror=alert(1)>[x](java&#9;script:alert(1))",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := report(src)
		if !utf8.ValidString(r.HTML) {
			t.Fatalf("HTML is not valid UTF-8: %q", r.HTML)
		}
		if again := report(src); again.HTML != r.HTML || len(again.Paragraphs) != len(r.Paragraphs) {
			t.Fatal("two renderings of the same source differ")
		}
		runes := utf8.RuneCountInString(src)
		prevTo := 0
		for i, p := range r.Paragraphs {
			if p.N != i+1 || p.From < prevTo || p.From > p.To || p.To > runes {
				t.Fatalf("paragraph %d = %+v after To=%d, source has %d code points", i+1, p, prevTo, runes)
			}
			prevTo = p.To
		}
		if got := strings.Count(r.HTML, `<p id="para-`); got != len(r.Paragraphs) {
			t.Fatalf("%d numbered <p> in the HTML, %d paragraphs", got, len(r.Paragraphs))
		}
		checkSafeHTML(t, r.HTML)
	})
}

// A tag as our renderer writes it: text never contains a bare '<', and attribute values are
// escaped, so every '<' opens one of these, up to the next '>'.
var (
	tagPattern  = regexp.MustCompile(`^<(/?)([a-z][a-z0-9]*)((?: [a-z-]+="[^"<>]*")*)>`)
	attrPattern = regexp.MustCompile(` ([a-z-]+)="([^"]*)"`)
)

var allowedTags = map[string]bool{
	"p": true, "span": true, "sup": true, "a": true, "em": true, "strong": true, "del": true,
	"code": true, "pre": true, "br": true, "hr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "ul": true, "ol": true, "li": true, "blockquote": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "div": true,
}

var allowedAttrs = map[string]bool{
	"id": true, "class": true, "dir": true, "data-para": true, "data-from": true, "data-to": true,
	"aria-hidden": true, "rel": true, "href": true, "title": true, "role": true, "style": true,
	"start": true,
}

// checkSafeHTML fails unless html holds only known tags and attributes, links to safe URLs only,
// and no comment but the raw HTML placeholder.
func checkSafeHTML(t *testing.T, out string) {
	t.Helper()
	const placeholder = "<!-- raw HTML omitted -->"
	for rest := out; ; {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		rest = rest[i:]
		if strings.HasPrefix(rest, placeholder) {
			rest = rest[len(placeholder):]
			continue
		}
		m := tagPattern.FindStringSubmatch(rest)
		if m == nil {
			t.Fatalf("not a tag we write: %.80q", rest)
		}
		if !allowedTags[m[2]] {
			t.Fatalf("tag <%s> in %.80q", m[2], rest)
		}
		for _, a := range attrPattern.FindAllStringSubmatch(m[3], -1) {
			name, value := a[1], html.UnescapeString(a[2])
			if !allowedAttrs[name] {
				t.Fatalf("attribute %s in %.80q", name, rest)
			}
			switch name {
			case "href":
				if !linkable(value) {
					t.Fatalf("href %q", value)
				}
			case "style":
				if !regexp.MustCompile(`^text-align:(left|right|center)$`).MatchString(value) {
					t.Fatalf("style %q", value)
				}
			}
		}
		rest = rest[len(m[0]):]
	}
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatal("HTML contains <script")
	}
}

// linkable reports whether a browser would follow href to an http(s) or mailto address or within
// the site. It strips what browsers strip (leading controls and spaces, tabs and newlines anywhere)
// before it looks at the scheme, independently of the renderer's own check.
func linkable(href string) bool {
	href = strings.TrimLeft(href, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	href = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(href)
	lower := strings.ToLower(href)
	for _, bad := range []string{"javascript:", "vbscript:", "data:", "file:"} {
		if strings.HasPrefix(lower, bad) {
			return false
		}
	}
	scheme, _, found := strings.Cut(lower, ":")
	if !found || strings.ContainsAny(scheme, "/?#") {
		return true
	}
	return scheme == "http" || scheme == "https" || scheme == "mailto"
}
