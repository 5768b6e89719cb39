package render

import (
	"strconv"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// annotate numbers the document's top-level paragraphs and marks every text block dir="auto",
// by setting attributes that goldmark's renderers print. It returns the numbered paragraphs.
func annotate(doc ast.Node, src []byte) []Paragraph {
	paragraphs := []Paragraph{}
	offsets := codePoints{src: src}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindParagraph:
			if n.Parent() == doc && n.Lines().Len() > 0 {
				paragraphs = append(paragraphs, number(n, len(paragraphs)+1, &offsets))
				return ast.WalkSkipChildren, nil
			}
			n.SetAttributeString("dir", dirAuto)
		case ast.KindHeading, ast.KindListItem, ast.KindBlockquote, east.KindTableCell, east.KindFootnote:
			n.SetAttributeString("dir", dirAuto)
		}
		if c := n.FirstChild(); c != nil && c.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil // inline content holds no blocks
		}
		return ast.WalkContinue, nil
	})
	return paragraphs
}

var dirAuto = []byte("auto")

// number makes p paragraph n: the attributes of its <p> and the "n." it starts with.
func number(p ast.Node, n int, offsets *codePoints) Paragraph {
	// goldmark trims the paragraph's leading indentation and its trailing spaces and line ending,
	// so the span from the first line's start to the last line's stop is exactly its text.
	lines := p.Lines()
	para := Paragraph{
		N:    n,
		From: offsets.at(lines.At(0).Start),
		To:   offsets.at(lines.At(lines.Len() - 1).Stop),
	}
	num := strconv.Itoa(n)
	p.SetAttributeString("id", []byte("para-"+num))
	p.SetAttributeString("class", []byte("para"))
	p.SetAttributeString("data-para", []byte(num))
	p.SetAttributeString("data-from", []byte(strconv.Itoa(para.From)))
	p.SetAttributeString("data-to", []byte(strconv.Itoa(para.To)))
	p.SetAttributeString("dir", dirAuto)
	p.InsertBefore(p, p.FirstChild(), &paragraphNumber{N: n})
	return para
}

// codePoints converts byte offsets in src to code point offsets. The offsets it is asked for
// mostly increase, so it counts on from the previous answer: one pass over src for a whole report
// instead of one pass per paragraph.
type codePoints struct {
	src   []byte
	bytes int // a byte offset on a rune boundary…
	runes int // …and the number of code points before it
}

func (c *codePoints) at(offset int) int {
	offset = max(0, min(offset, len(c.src)))
	if offset >= c.bytes {
		c.runes += utf8.RuneCount(c.src[c.bytes:offset])
	} else {
		c.runes -= utf8.RuneCount(c.src[offset:c.bytes])
	}
	c.bytes = offset
	return c.runes
}
