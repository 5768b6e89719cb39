package export

import (
	"bytes"
	"html/template"

	"plenary/documents/render"
)

// HTML returns a standalone, print-ready HTML document: the header block, the body as
// documents/render renders it (numbered paragraphs, footnotes) and, when there are dispositions,
// the disposition log as an annex table. The page has inline CSS only (A4 margins for print), no
// scripts and no external resources, so it prints the same anywhere and is what PDF prints.
func HTML(in Input) []byte {
	page := htmlPage{
		Lang:    langCode(in.Language),
		Header:  headerOf(in.Meta),
		Columns: annexColumns,
		// render.Report's output is safe to insert as it is: it never copies raw HTML and emits
		// only safe links (see its package documentation).
		Body: template.HTML(render.Report(in.Markdown).HTML),
	}
	if len(in.Dispositions) > 0 {
		page.AnnexTitle = annexTitle
		for _, d := range in.Dispositions {
			page.Annex = append(page.Annex, annexRow(d))
		}
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, page); err != nil {
		// A bytes.Buffer does not fail and the fields are plain strings: only a broken template
		// gets here, and the tests would have caught it.
		panic(err)
	}
	return buf.Bytes()
}

type htmlPage struct {
	Lang       string
	Header     header
	Body       template.HTML
	AnnexTitle string
	Columns    []string
	Annex      [][]string
}

// pageTemplate escapes every field (html/template); only Body is inserted as it is.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html{{with .Lang}} lang="{{.}}"{{end}}>
<head>
<meta charset="utf-8">
<title>{{.Header.Title}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<header class="doc-header">
<h1 class="doc-title" dir="auto">{{.Header.Title}}</h1>
{{- with .Header.Meeting}}
<p class="doc-meeting" dir="auto">{{.}}</p>
{{- end}}
<div class="doc-meta">
{{- range .Header.Lines}}
<p dir="auto">{{.}}</p>
{{- end}}
{{- with .Header.Date}}
<p>{{.}}</p>
{{- end}}
</div>
</header>
<main class="report">
{{.Body}}</main>
{{- if .Annex}}
<section class="annex">
<h2>{{.AnnexTitle}}</h2>
<table>
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Annex}}
<tr>{{range .}}<td dir="auto">{{.}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}
</body>
</html>
`))

// pageCSS lays the page out like a UN document: A4, serif text, a rule under the header, the
// annex on a new page with its table header repeated on each page.
const pageCSS = `
@page { size: A4; margin: 20mm 20mm 22mm 20mm; }
html { font-family: "Times New Roman", "Liberation Serif", "Noto Serif", serif; font-size: 11.5pt;
  line-height: 1.35; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 170mm; }
@media screen { body { padding: 2em 1em; } }
.doc-header { border-bottom: 1px solid #000; margin-bottom: 1.5em; padding-bottom: .75em; }
.doc-title { font-size: 16pt; margin: 0 0 .3em; }
.doc-meeting { font-weight: bold; margin: 0 0 .3em; }
.doc-meta p { margin: 0; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; }
h2 { font-size: 13pt; } h3 { font-size: 12pt; }
p, li { orphans: 2; widows: 2; }
.para-num { display: inline-block; min-width: 2.2em; }
blockquote { margin: .6em 2em; }
pre, code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9.5pt; }
pre { white-space: pre-wrap; }
a { color: inherit; }
.image-alt { font-style: italic; }
sup { line-height: 0; }
.footnotes { font-size: 9.5pt; margin-top: 2em; }
.footnotes hr { width: 30%; margin: 0 auto 0 0; border: 0; border-top: 1px solid #000; }
.footnote-backref { display: none; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #555; padding: 2pt 5pt; vertical-align: top; text-align: start; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.annex { break-before: page; }
.annex table { width: 100%; font-size: 10pt; }
.annex td { white-space: pre-wrap; overflow-wrap: anywhere; }
.annex th:nth-child(1) { width: 10%; } .annex th:nth-child(2) { width: 34%; }
.annex th:nth-child(3) { width: 14%; } .annex th:nth-child(4) { width: 17%; }
`
