package render

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// sourceTexts returns the source text of each numbered paragraph, cut out by its code point range.
func sourceTexts(t *testing.T, src string, r Rendered) []string {
	t.Helper()
	runes := []rune(src)
	texts := []string{}
	for i, p := range r.Paragraphs {
		if p.N != i+1 {
			t.Errorf("paragraph %d has N=%d", i+1, p.N)
		}
		if p.From < 0 || p.From > p.To || p.To > len(runes) {
			t.Fatalf("paragraph %d: range [%d,%d) outside the source's %d code points", p.N, p.From, p.To, len(runes))
		}
		texts = append(texts, string(runes[p.From:p.To]))
	}
	return texts
}

func checkFragments(t *testing.T, html string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(html, w) {
			t.Errorf("HTML lacks %q\nHTML:\n%s", w, html)
		}
	}
	for _, w := range notWant {
		if strings.Contains(strings.ToLower(html), strings.ToLower(w)) {
			t.Errorf("HTML contains %q\nHTML:\n%s", w, html)
		}
	}
}

func TestReportNumbering(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []string // source text of each numbered paragraph
		html    []string
		notHTML []string
	}{
		{
			name: "headings are not numbered",
			src:  "# Purpose of this Report\n\nFirst.\n\n## Background\n\nSecond.\n\nThird.\n",
			want: []string{"First.", "Second.", "Third."},
			html: []string{
				`<h1 dir="auto">Purpose of this Report</h1>`,
				`<p id="para-1" class="para" data-para="1" data-from="26" data-to="32" dir="auto"><span class="para-num" aria-hidden="false">1.</span> First.</p>`,
				`<h2 dir="auto">Background</h2>`,
				`<p id="para-3" class="para" data-para="3" data-from="58" data-to="64" dir="auto"><span class="para-num" aria-hidden="false">3.</span> Third.</p>`,
			},
		},
		{
			name: "a list belongs to the paragraph before it",
			src:  "The measures include:\n\n- (a) legal measures;\n- (b) technical measures.\n\nNext paragraph.",
			want: []string{"The measures include:", "Next paragraph."},
			html: []string{`<li dir="auto">(a) legal measures;</li>`},
		},
		{
			name: "a list may interrupt a paragraph without a blank line",
			src:  "The measures include:\n1. legal;\n2. technical.\n\nNext.",
			want: []string{"The measures include:", "Next."},
			html: []string{"<ol>\n"},
		},
		{
			name: "paragraphs inside a loose list are not numbered",
			src:  "- one\n\n  more about one\n- two\n\nAfter.",
			want: []string{"After."},
			html: []string{`<li dir="auto">` + "\n" + `<p dir="auto">one</p>`, `<p dir="auto">more about one</p>`},
		},
		{
			name: "block quotes are not numbered",
			src:  "> As the Declaration states, trust is a pillar.\n>\n> Second quoted.\n\nAfter.",
			want: []string{"After."},
			html: []string{`<blockquote dir="auto"><p dir="auto">As the Declaration states, trust is a pillar.</p>`},
		},
		{
			name:    "code blocks and thematic breaks are not numbered",
			src:     "    indented code\n\n```\nfenced\n```\n\n---\n\nAfter.",
			want:    []string{"After."},
			html:    []string{"<pre><code>indented code\n</code></pre>", "<hr>"},
			notHTML: []string{`<pre dir`, `<code dir`},
		},
		{
			name: "tables are not numbered; their cells get dir",
			src:  "Action lines:\n\n| line | facilitator |\n|------|-------------|\n| C5 | ITU |\n\nAfter.",
			want: []string{"Action lines:", "After."},
			html: []string{`<th dir="auto">line</th>`, `<td dir="auto">ITU</td>`},
		},
		{
			name: "setext headings are not numbered",
			src:  "Background\n==========\n\nFirst.",
			want: []string{"First."},
			html: []string{`<h1 dir="auto">Background</h1>`},
		},
		{
			name: "link reference definitions are not paragraphs",
			src:  "[wsis]: https://www.itu.int/net/wsis/\n\nSee the [Summit][wsis].",
			want: []string{"See the [Summit][wsis]."},
			html: []string{`<a rel="noopener noreferrer" href="https://www.itu.int/net/wsis/">Summit</a>`},
		},
		{
			name: "indentation and trailing spaces are outside the range",
			src:  "   Indented, with a hard break  \nand a second line.   \n",
			want: []string{"Indented, with a hard break  \nand a second line."},
			html: []string{"Indented, with a hard break<br>\nand a second line.</p>"},
		},
		{
			name:    "headings get no ids",
			src:     "# para-1\n\nText.\n\n## fn:1",
			want:    []string{"Text."},
			html:    []string{`<h1 dir="auto">para-1</h1>`, `<h2 dir="auto">fn:1</h2>`},
			notHTML: []string{`<h1 id`, `<h2 id`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report(tt.src)
			if got := sourceTexts(t, tt.src, r); !slices.Equal(got, tt.want) {
				t.Errorf("numbered paragraphs = %q, want %q", got, tt.want)
			}
			if got := strings.Count(r.HTML, `<span class="para-num"`); got != len(tt.want) {
				t.Errorf("%d number spans in the HTML, want %d", got, len(tt.want))
			}
			checkFragments(t, r.HTML, tt.html, tt.notHTML)
		})
	}
}

func TestReportFootnotes(t *testing.T) {
	src := "The Summit[^wsis] took place in two phases[^phases]; see the Summit[^wsis] again.\n\n" +
		"[^wsis]: World Summit on the Information Society.\n" +
		"[^phases]: Geneva, 2003, and Tunis, 2005.\n\n" +
		"    A second paragraph of the note.\n\n" +
		"Second.\n"
	r := Report(src)
	if got, want := sourceTexts(t, src, r), []string{
		"The Summit[^wsis] took place in two phases[^phases]; see the Summit[^wsis] again.",
		"Second.",
	}; !slices.Equal(got, want) {
		t.Errorf("numbered paragraphs = %q, want %q", got, want)
	}
	checkFragments(t, r.HTML, []string{
		`<a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a>`,
		`<a href="#fn:2" class="footnote-ref" role="doc-noteref">2</a>`,
		`<div class="footnotes" role="doc-endnotes">`,
		`<li id="fn:1" dir="auto">`,
		`<p dir="auto">World Summit on the Information Society.&#160;<a href="#fnref:1"`,
		`<p dir="auto">A second paragraph of the note.`,
	}, nil)
	// The notes come after the last numbered paragraph.
	if strings.Index(r.HTML, `class="footnotes"`) < strings.Index(r.HTML, `id="para-2"`) {
		t.Error("footnotes come before paragraph 2")
	}

	ids := regexp.MustCompile(` id="([^"]*)"`).FindAllStringSubmatch(r.HTML, -1)
	seen := map[string]bool{}
	for _, m := range ids {
		if seen[m[1]] {
			t.Errorf("id %q appears twice", m[1])
		}
		seen[m[1]] = true
	}
	// Every in-page link, footnote reference and back-reference alike, lands on an element.
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(r.HTML, -1) {
		if !seen[m[1]] {
			t.Errorf("link to #%s, but no element has that id", m[1])
		}
	}
	if backrefs := strings.Count(r.HTML, `class="footnote-backref"`); backrefs != 3 {
		t.Errorf("%d back-references, want 3 (one per reference)", backrefs)
	}
}

func TestReportDirection(t *testing.T) {
	src := "تؤكد الوثائق الختامية للقمة أن بناء الثقة والأمن في استخدام تكنولوجيا المعلومات والاتصالات ركيزة أساسية.\n\n" +
		"## الخلفية\n\n- بند\n\n> اقتباس\n"
	r := Report(src)
	checkFragments(t, r.HTML, []string{
		`dir="auto"><span class="para-num" aria-hidden="false">1.</span> تؤكد الوثائق الختامية`,
		`<h2 dir="auto">الخلفية</h2>`,
		`<li dir="auto">بند</li>`,
		`<p dir="auto">اقتباس</p>`,
	}, nil)
	if got := sourceTexts(t, src, r); len(got) != 1 || !strings.HasPrefix(got[0], "تؤكد") || !strings.HasSuffix(got[0], "أساسية.") {
		t.Errorf("numbered paragraphs = %q", got)
	}
}

func TestReportOmitsRawHTML(t *testing.T) {
	tests := []struct{ name, src string }{
		{"script block", "<script>alert(1)</script>\n\nText."},
		{"html block", "<div onclick=\"alert(1)\">\nhidden\n</div>\n\nText."},
		{"inline tags", "Text <b onmouseover=alert(1)>bold</b> and <img src=x onerror=alert(1)>."},
		{"inline script", "Text <script>alert(1)</script> more."},
		{"iframe", "<iframe src=\"https://evil.example\"></iframe>"},
		{"comment", "<!-- --><script>alert(1)</script> -->"},
		{"svg", "<svg><script>alert(1)</script></svg>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report(tt.src)
			checkFragments(t, r.HTML, []string{"<!-- raw HTML omitted -->"},
				[]string{"<script", "<div o", "<b ", "<img", "<iframe", "<svg", "onerror", "onclick", "onmouseover"})
			checkSafeHTML(t, r.HTML)
		})
	}
}

func TestReportUnsafeLinks(t *testing.T) {
	for _, src := range []string{
		"[click](javascript:alert(1))",
		"[click](JavaScript:alert(1))",
		"[click](<javascript:alert(1)>)",
		"[click](&#106;avascript:alert(1))",
		"[click](java&#9;script:alert(1))",
		"[click](vbscript:msgbox(1))",
		"[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"[click](file:///etc/passwd)",
		"[click][x]\n\n[x]: javascript:alert(1)",
		"<javascript:alert(1)>",
		"<vbscript:msgbox(1)>",
		"[click](data:image/png;base64,iVBORw0KGgo=)",
	} {
		t.Run(src, func(t *testing.T) {
			r := Report(src)
			checkFragments(t, r.HTML, nil, []string{"<a ", "href", "<img"})
			checkSafeHTML(t, r.HTML)
			if len(r.Paragraphs) != 1 {
				t.Errorf("%d paragraphs, want the link's text kept as one", len(r.Paragraphs))
			}
		})
	}
}

func TestReportLinksGetRel(t *testing.T) {
	tests := []struct{ src, link string }{
		{"[ITU](https://www.itu.int \"The ITU\")", `<a rel="noopener noreferrer" href="https://www.itu.int" title="The ITU">ITU</a>`},
		{"<https://www.itu.int/wsis>", `<a rel="noopener noreferrer" href="https://www.itu.int/wsis">https://www.itu.int/wsis</a>`},
		{"See www.itu.int today.", `<a rel="noopener noreferrer" href="http://www.itu.int">www.itu.int</a>`},
		{"Write to <cybmail@itu.int>.", `<a rel="noopener noreferrer" href="mailto:cybmail@itu.int">cybmail@itu.int</a>`},
		{"As in [paragraph 3](#para-3).", `<a rel="noopener noreferrer" href="#para-3">paragraph 3</a>`},
		{"[agenda](/meetings/c5/agenda?day=2&x=\"y\")", `<a rel="noopener noreferrer" href="/meetings/c5/agenda?day=2&amp;x=%22y%22">agenda</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Report(tt.src)
			checkFragments(t, r.HTML, []string{tt.link}, []string{"target="})
		})
	}
}

func TestReportImagesBecomeAltText(t *testing.T) {
	for _, src := range []string{
		"![Figure 1: the *mechanism*](https://www.itu.int/fig1.png)",
		"![Figure 1: the *mechanism*](https://www.itu.int/fig1.png \"title\")",
		"![Figure 1: the *mechanism*](data:image/png;base64,iVBORw0KGgo=)",
	} {
		t.Run(src, func(t *testing.T) {
			r := Report(src)
			checkFragments(t, r.HTML, []string{`<span class="image-alt">Figure 1: the mechanism</span>`},
				[]string{"<img", "src=", "https://", "data:"})
		})
	}
}

func TestReportCodePointOffsets(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "emoji and Arabic before and inside paragraphs",
			src:  "# 🎉 الاجتماع الأول 👩🏽‍💻\n\nمرحبا 😀 بالعالم\n\n- 🇨🇭 Genève\n\nFirst 👍🏽 paragraph,\nwith two lines – «ok».\n\n   Indented 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.  \n",
			want: []string{"مرحبا 😀 بالعالم", "First 👍🏽 paragraph,\nwith two lines – «ok».", "Indented 𝔘𝔫𝔦𝔠𝔬𝔡𝔢."},
		},
		{
			name: "CRLF line endings",
			src:  "Première ligne\r\n\r\nالثانية 🙂\r\n",
			want: []string{"Première ligne", "الثانية 🙂"},
		},
		{
			name: "invalid UTF-8 counts one code point per byte, as []rune does",
			src:  "\xff\xfe\xfd caf\xc3\n\nAfter \xe2\x82 it.",
			want: []string{"\uFFFD\uFFFD\uFFFD caf\uFFFD", "After \uFFFD\uFFFD it."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report(tt.src)
			if got := sourceTexts(t, tt.src, r); !slices.Equal(got, tt.want) {
				t.Errorf("numbered paragraphs = %q, want %q", got, tt.want)
			}
			for _, p := range r.Paragraphs {
				attrs := `data-para="` + itoa(p.N) + `" data-from="` + itoa(p.From) + `" data-to="` + itoa(p.To) + `"`
				checkFragments(t, r.HTML, []string{attrs}, nil)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestReportEmpty(t *testing.T) {
	for _, src := range []string{"", "\n\n", "   \n\t\n", "[x]: /only-a-definition"} {
		r := Report(src)
		if len(r.Paragraphs) != 0 || r.Paragraphs == nil {
			t.Errorf("Report(%q).Paragraphs = %#v, want empty and not nil", src, r.Paragraphs)
		}
		if strings.TrimSpace(r.HTML) != "" {
			t.Errorf("Report(%q).HTML = %q, want nothing", src, r.HTML)
		}
		if b, _ := json.Marshal(r); !strings.Contains(string(b), `"paragraphs":[]`) {
			t.Errorf("JSON %s: paragraphs should be []", b)
		}
	}
}

// TestReportConcurrent shares one goldmark instance between goroutines; run with -race.
func TestReportConcurrent(t *testing.T) {
	src := report60(t)
	want := Report(src)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := Report(src); got.HTML != want.HTML || !slices.Equal(got.Paragraphs, want.Paragraphs) {
				t.Error("concurrent Report gave a different result")
			}
		})
	}
	wg.Wait()
}
