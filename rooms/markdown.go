package rooms

import (
	"bytes"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders the message subset: CommonMark without raw HTML (goldmark omits it unless
// told otherwise) and without images, plus bare URLs made links and ~~strikethrough~~, with links
// restricted to http, https and mailto and opened safely.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkPolicy{}, 100))),
)

type linkPolicy struct{}

// Transform drops links with other schemes (keeping their text), turns images into their alt
// text, and marks every kept link rel="noopener noreferrer nofollow" target="_blank".
func (linkPolicy) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	var drop []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			if !allowedURL(string(l.Destination)) {
				drop = append(drop, l)
				return ast.WalkSkipChildren, nil
			}
			l.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
			l.SetAttributeString("target", []byte("_blank"))
		case *ast.AutoLink:
			if !allowedURL(string(l.URL(reader.Source()))) {
				drop = append(drop, l)
			}
			l.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
			l.SetAttributeString("target", []byte("_blank"))
		case *ast.Image:
			drop = append(drop, l)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, n := range drop {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		// Keep the visible text of a dropped link or image as plain text.
		var label bytes.Buffer
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				label.Write(t.Segment.Value(reader.Source()))
			}
		}
		if al, ok := n.(*ast.AutoLink); ok {
			label.Write(al.Label(reader.Source()))
		}
		parent.ReplaceChild(parent, n, ast.NewString(label.Bytes()))
	}
}

func allowedURL(u string) bool {
	lower := strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "mailto:")
}

// renderMessage renders body to HTML and turns @**Name** of mentioned people into mention spans.
func renderMessage(body string, mentioned []Person) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		return "", err
	}
	out := buf.String()
	for _, p := range mentioned {
		strong := "@<strong>" + string(util.EscapeHTML([]byte(p.Name))) + "</strong>" // escaped as goldmark escapes text
		span := `<span class="mention" data-user="` + html.EscapeString(p.ID) + `">@` + html.EscapeString(p.Name) + `</span>`
		out = strings.ReplaceAll(out, strong, span)
	}
	return out, nil
}
