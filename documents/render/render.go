// Package render turns a report's Markdown into the HTML that readers see, laid out the way
// UN Chairman's Reports are: top-level paragraphs numbered 1., 2., 3. …, headings not numbered,
// footnotes gathered at the end.
//
// Report is the only entry point:
//
//	r := render.Report(markdown)
//	r.HTML        // a safe HTML fragment, ready for innerHTML or an export
//	r.Paragraphs  // N, From, To for each numbered paragraph
//
// The Markdown is CommonMark with GFM tables, strikethrough and bare-URL links, plus footnotes
// ([^1] references and [^1]: definitions). Task lists are left out: a report has no checkboxes.
//
// Numbering. Every paragraph that is a direct child of the document gets the next number; a list,
// block quote, table or code block after it is part of that paragraph ("…include: (a) … (b) …"),
// so nothing else is numbered. A numbered paragraph renders as
//
//	<p id="para-N" class="para" data-para="N" data-from="F" data-to="T" dir="auto"><span class="para-num" aria-hidden="false">N.</span> text</p>
//
// The number is real text, so copying or exporting keeps it. From and To locate the paragraph in
// the Markdown in Unicode code points, the unit the collaborative editor counts in, so that
// []rune(markdown)[From:To] is the paragraph's source without its line ending.
//
// Direction. Every other block that holds text (headings, list items, block quotes, table cells,
// footnotes, unnumbered paragraphs) carries dir="auto", so an Arabic paragraph reads right to left
// inside an English report.
//
// Safety. The output is safe to insert into a page without further sanitizing:
//   - raw HTML, block or inline, is never copied ("<!-- raw HTML omitted -->" stands in for it);
//   - a link is emitted only for http, https and mailto URLs or for relative ones (such as
//     "#para-3"); any other scheme (javascript:, vbscript:, data:, file: …) leaves the link text
//     as plain text; every emitted link has rel="noopener noreferrer";
//   - images are dropped to their alt text (see renderImage for why);
//   - the only ids are para-N and goldmark's footnote ids (fn:N, fnrefK:N); headings get none.
//
// Report is deterministic, safe for concurrent use and never panics.
package render

import (
	"bytes"
	"html"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Paragraph is one numbered paragraph of a rendered report.
type Paragraph struct {
	N    int `json:"n"`    // its number, from 1
	From int `json:"from"` // start offset in the Markdown source, in Unicode code points
	To   int `json:"to"`   // end offset (exclusive), in code points
}

// Rendered is a report rendered for reading.
type Rendered struct {
	HTML       string      `json:"html"`
	Paragraphs []Paragraph `json:"paragraphs"` // in order; never nil, so JSON gets [] not null
}

// markdown is shared by all calls: goldmark keeps per-document state in the parser context, not
// in the parser or renderer, so one instance serves concurrent calls.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		extension.Table,
		extension.Strikethrough,
		extension.Linkify,
		extension.Footnote,
	),
	// Not WithUnsafe, and no auto heading ids or {#id} attributes: the only ids are ours.
	goldmark.WithRendererOptions(
		// Below goldmark's own renderers' priorities (500, 1000), so ours win for the kinds they register.
		renderer.WithNodeRenderers(util.Prioritized(safeHTML{}, 100)),
	),
)

// Report renders a report's Markdown. It never panics: should goldmark fail on some input, the
// report shows as its escaped source rather than taking down the editor that asked.
func Report(markdown string) (out Rendered) {
	src := validUTF8(markdown)
	defer func() {
		if recover() != nil {
			out = Rendered{
				HTML:       `<pre dir="auto">` + html.EscapeString(src) + "</pre>\n",
				Paragraphs: []Paragraph{},
			}
		}
	}()
	return report(src)
}

// report does Report's work without its recover, so that the fuzz test sees goldmark's panics.
func report(markdownSource string) Rendered {
	src := []byte(validUTF8(markdownSource))
	doc := markdown.Parser().Parse(text.NewReader(src))
	paragraphs := annotate(doc, src)
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/2 + 64*len(paragraphs))
	if err := markdown.Renderer().Render(&buf, src, doc); err != nil {
		// Our writers are a bytes.Buffer and node renderers that return no errors; this is unreachable.
		panic(err)
	}
	return Rendered{HTML: buf.String(), Paragraphs: paragraphs}
}

// validUTF8 replaces each invalid byte with U+FFFD. That is what []rune(s) does, one rune per
// byte, so code point offsets in the result are the same as in the caller's string, and the HTML
// we produce is valid UTF-8 (goldmark copies text bytes as they are).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}
