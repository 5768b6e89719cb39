package render

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// paragraphNumber is the "N." that starts a numbered paragraph: a node of its own so that the
// number is text in the page, copied and exported with the paragraph.
type paragraphNumber struct {
	ast.BaseInline
	N int
}

var kindParagraphNumber = ast.NewNodeKind("ParagraphNumber")

func (n *paragraphNumber) Kind() ast.NodeKind { return kindParagraphNumber }

func (n *paragraphNumber) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"N": strconv.Itoa(n.N)}, nil)
}

// safeHTML renders the nodes whose default rendering is not safe enough for a report: links,
// images and raw HTML. It also renders paragraph numbers.
type safeHTML struct{}

func (safeHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindParagraphNumber, renderParagraphNumber)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindImage, renderImage)
	// goldmark already omits raw HTML unless WithUnsafe is set; omitting it here as well keeps
	// that true whatever options someone adds later.
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindHTMLBlock, renderRawHTML)
}

func renderParagraphNumber(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := strconv.Itoa(node.(*paragraphNumber).N)
		_, _ = w.WriteString(`<span class="para-num" aria-hidden="false">` + n + `.</span> `)
	}
	return ast.WalkContinue, nil
}

// renderLink writes an <a> only for a safe destination; otherwise the link's text stays, as text.
func renderLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	dest := util.URLEscape(n.Destination, true)
	if !safeURL(dest) {
		return ast.WalkContinue, nil
	}
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	writeLinkStart(w, dest)
	if n.Title != nil {
		_, _ = w.WriteString(`" title="`)
		html.DefaultWriter.Write(w, n.Title)
	}
	_, _ = w.WriteString(`">`)
	return ast.WalkContinue, nil
}

// renderAutoLink renders <https://…>, <name@example.org> and bare URLs found by linkify.
func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	url := util.URLEscape(n.URL(source), false)
	if n.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(url, "mailto:") {
		url = append([]byte("mailto:"), url...)
	}
	label := util.EscapeHTML(n.Label(source))
	if !safeURL(url) {
		_, _ = w.Write(label)
		return ast.WalkContinue, nil
	}
	writeLinkStart(w, url)
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(label)
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// writeLinkStart writes `<a rel="noopener noreferrer" href="dest`, leaving the quote open for
// more attributes. rel keeps the target page from reaching back into the report
// (window.opener) and from learning, through the Referer, the address of an unpublished draft.
func writeLinkStart(w util.BufWriter, dest []byte) {
	_, _ = w.WriteString(`<a rel="noopener noreferrer" href="`)
	_, _ = w.Write(util.EscapeHTML(dest))
}

// safeURL allows relative URLs and the http, https and mailto schemes. An allow list rather than
// goldmark's deny list (javascript:, vbscript:, file:, data:): a scheme nobody thought of is
// refused too. dest is already percent-escaped, so spaces or control characters hidden inside a
// scheme ("java\tscript:") show up as "%09" and make it an unknown scheme.
func safeURL(dest []byte) bool {
	for i, c := range dest {
		switch c {
		case ':':
			scheme := dest[:i+1]
			return hasPrefixFold(scheme, "http:") || hasPrefixFold(scheme, "https:") ||
				hasPrefixFold(scheme, "mailto:")
		case '/', '?', '#':
			return true // a path, query or fragment before any colon: relative
		}
	}
	return true
}

func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// renderImage drops an image to its alt text, in a span the page can style. Showing images would
// need only http(s) sources, but even those are unsafe for a report: the browser fetches them as
// soon as a draft is opened, so whoever hosts one learns which delegations read a restricted draft,
// and when (a tracking pixel); the picture can change after the report is final; and exports would
// depend on someone else's server. Pictures belong in contributions, as uploaded documents.
func renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<span class="image-alt">`)
	writePlainText(w, source, node)
	_, _ = w.WriteString("</span>")
	return ast.WalkSkipChildren, nil
}

// writePlainText writes the text inside node without its markup, as goldmark writes alt text.
func writePlainText(w util.BufWriter, source []byte, node ast.Node) {
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			html.DefaultWriter.Write(w, c.Segment.Value(source))
			if c.SoftLineBreak() || c.HardLineBreak() {
				_ = w.WriteByte(' ')
			}
		case *ast.String:
			html.DefaultWriter.Write(w, c.Value)
		default:
			writePlainText(w, source, c)
		}
	}
}

func renderRawHTML(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<!-- raw HTML omitted -->")
		if node.Type() == ast.TypeBlock {
			_ = w.WriteByte('\n')
		}
	}
	return ast.WalkSkipChildren, nil
}
