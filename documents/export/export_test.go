package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"plenary/errs"
)

// The tests run the real converters: pandoc, Chromium and pdftotext (poppler-utils) must be
// installed, as .ci/run does; a missing one fails the test with the package to install.

const (
	arabicParagraph = "تؤكد الوثائق الختامية للقمة أن بناء الثقة والأمن في استخدام تكنولوجيا المعلومات والاتصالات ركيزة أساسية لمجتمع المعلومات."
	arabicPara      = 30 // the number of the Arabic paragraph in report60
)

// report60 is a Chairman's Report of 60 numbered paragraphs: sections, footnotes, a list, a quote,
// a table and an Arabic paragraph.
func report60() string {
	var b, notes strings.Builder
	for i := 1; i <= 60; i++ {
		if i%10 == 1 {
			fmt.Fprintf(&b, "## Session %d: building confidence and security in the use of ICTs\n\n", i/10+1)
		}
		if i == arabicPara {
			b.WriteString(arabicParagraph + "\n\n")
		} else {
			fmt.Fprintf(&b, "The meeting heard %d speakers on *watch, warning and incident response*[^n%d], "+
				"as described in the [Tunis Agenda](https://www.itu.int/net/wsis/docs2/tunis/off/6rev1.html) "+
				"and noted that a **global culture of cybersecurity** needs to be promoted "+
				"with all stakeholders.\n\n", i, i)
			fmt.Fprintf(&notes, "[^n%d]: Presentation %d, available on the meeting page.\n", i, i)
		}
		switch i % 20 {
		case 5:
			b.WriteString("- (a) legal measures;\n- (b) technical and procedural measures;\n\n")
		case 10:
			b.WriteString("> strengthening the trust framework is a prerequisite for the Information Society\n\n")
		case 15:
			b.WriteString("| Action Line | Facilitator |\n|---|---|\n| C5 | ITU |\n| C6 | UNDP |\n\n")
		}
	}
	b.WriteString("\n" + notes.String())
	return b.String()
}

// dispositions200 is a disposition log of 200 comments, of every kind, with text that needs
// escaping in every format.
func dispositions200() []Disposition {
	kinds := []string{"accepted", "modified", "rejected", "noted", ""}
	ds := make([]Disposition, 200)
	for i := range ds {
		ds[i] = Disposition{
			Para:      i % 61, // 0: a comment on the report as a whole
			Comment:   fmt.Sprintf("Comment %d: replace \"x\" with <y> | z\nsecond line", i+1),
			Commenter: fmt.Sprintf("Delegate %d", i%7+1),
			Kind:      kinds[i%len(kinds)],
			Note:      fmt.Sprintf("Note %d", i+1),
		}
	}
	return ds
}

func testInput() Input {
	return Input{
		Meta: Meta{
			Title:    "Chairman's Report <script>alert(1)</script> & co",
			Meeting:  "Meeting on WSIS Action Line C5",
			Version:  "v2.0",
			Status:   "Final",
			Language: "English",
			Date:     time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC),
		},
		Markdown:     report60(),
		Dispositions: dispositions200(),
	}
}

func TestHTML(t *testing.T) {
	in := testInput()
	page := string(HTML(in))

	for _, want := range []string{
		"<!DOCTYPE html>",
		`<html lang="en">`,
		"@page { size: A4;",
		"Chairman&#39;s Report &lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
		"Meeting on WSIS Action Line C5",
		"<p dir=\"auto\">v2.0</p>",
		"<p dir=\"auto\">Final</p>",
		"Original: English",
		"10 December 2026",
		arabicParagraph,
		`<div class="footnotes" role="doc-endnotes">`,
		"Presentation 59, available on the meeting page.",
		"<h2>Annex: disposition of comments</h2>",
		"<th>Paragraph</th><th>Comment</th><th>Commenter</th><th>Disposition</th><th>Note</th>",
		"<tr><td dir=\"auto\">1</td><td dir=\"auto\">Comment 2: replace &#34;x&#34; with &lt;y&gt; | z\nsecond line</td>" +
			"<td dir=\"auto\">Delegate 2</td><td dir=\"auto\">Accepted with modification</td><td dir=\"auto\">Note 2</td></tr>",
		"<td dir=\"auto\">—</td><td dir=\"auto\">Comment 1:", // paragraph 0
		"Not yet disposed",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Numbered paragraphs 1. … 60., in order.
	at := 0
	for n := 1; n <= 60; n++ {
		i := strings.Index(page[at:], `<span class="para-num" aria-hidden="false">`+strconv.Itoa(n)+`.</span>`)
		if i < 0 {
			t.Fatalf("paragraph number %d. missing or out of order", n)
		}
		at += i
	}
	if got := strings.Count(page, "<tr>"); got != 9+201 {
		t.Errorf("%d table rows, want 210 (3 tables of 3 in the report, the annex's 201)", got)
	}
	// No scripts and nothing fetched: the page prints the same offline.
	lower := strings.ToLower(page)
	for _, bad := range []string{"<script", "<link", " src=", "@import", "url("} {
		if strings.Contains(lower, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}

	in.Dispositions = nil
	if page := string(HTML(in)); strings.Contains(page, "Annex") || strings.Contains(page, "<h2>Annex") {
		t.Error("HTML without dispositions has an annex")
	}
}

func TestHTMLLanguage(t *testing.T) {
	for _, tc := range []struct{ language, want string }{
		{"Arabic", `<html lang="ar">`},
		{" french ", `<html lang="fr">`},
		{"Esperanto", "<html>"},
		{"", "<html>"},
	} {
		if page := string(HTML(Input{Meta: Meta{Language: tc.language}})); !strings.Contains(page, tc.want) {
			t.Errorf("language %q: HTML lacks %q", tc.language, tc.want)
		}
	}
}

func TestNumberedMarkdown(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"paragraphs", "One.\n\nTwo\nlines.\n", "1\\. One.\n\n2\\. Two\nlines.\n"},
		{"headings and lists are not numbered",
			"# Title\n\nIntro:\n\n- item\n\n> quote\n\nEnd.",
			"# Title\n\n1\\. Intro:\n\n- item\n\n> quote\n\n2\\. End."},
		{"footnote definitions are not numbered", "Text[^1].\n\n[^1]: Note.\n", "1\\. Text[^1].\n\n[^1]: Note.\n"},
		{"indented paragraph", "   Indented.", "   1\\. Indented."},
		{"code points, not bytes", "مرحبا\n\nécole", "1\\. مرحبا\n\n2\\. école"},
		{"control characters", "a\x01b", "1\\. a\uFFFDb"},
		{"invalid UTF-8 keeps the offsets", "\xff\n\nb", "1\\. \uFFFD\n\n2\\. b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(numberedMarkdown(tc.in)); got != tc.want {
				t.Errorf("numberedMarkdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDOCX(t *testing.T) {
	in := testInput()
	docx, err := Converter{}.DOCX(context.Background(), in)
	if err != nil {
		t.Fatalf("DOCX: %v", err)
	}
	files := unzip(t, docx)
	body := docxParagraphs(t, files["word/document.xml"])

	// The header block: Word's title block, then version, status and original language.
	wantHeader := []docxParagraph{
		{Style: "Title", Text: in.Title},
		{Style: "Subtitle", Text: in.Meeting},
		{Style: "Date", Text: "10 December 2026"},
		{Text: "v2.0"},
		{Text: "Final"},
		{Text: "Original: English"},
	}
	for i, want := range wantHeader {
		got := body[i]
		if want.Style == "" {
			got.Style = "" // the lines take whatever body style pandoc gives them
		}
		if got != want {
			t.Errorf("header paragraph %d = %+v, want %+v", i, got, want)
		}
	}

	// Paragraph numbers 1. … 60. start the numbered paragraphs, in order; nothing else is numbered.
	numbered := regexp.MustCompile(`^(\d+)\. `)
	var numbers []int
	for _, p := range body {
		if m := numbered.FindStringSubmatch(p.Text); m != nil {
			n, _ := strconv.Atoi(m[1])
			numbers = append(numbers, n)
			if n == arabicPara && (p.Text != "30. "+arabicParagraph || !p.RTL) {
				t.Errorf("Arabic paragraph = %+v, want it whole and right to left", p)
			}
			if n != arabicPara && p.RTL {
				t.Errorf("paragraph %d is right to left", n)
			}
		}
	}
	if len(numbers) != 60 {
		t.Fatalf("%d numbered paragraphs, want 60: %v", len(numbers), numbers)
	}
	for i, n := range numbers {
		if n != i+1 {
			t.Fatalf("paragraph numbers %v, want 1 … 60 in order", numbers)
		}
	}

	// Real Word footnotes: a reference in the text and the note in footnotes.xml.
	if n := strings.Count(string(files["word/document.xml"]), "<w:footnoteReference "); n != 59 {
		t.Errorf("%d footnote references, want 59", n)
	}
	notes := docxParagraphs(t, files["word/footnotes.xml"])
	if !hasText(notes, "Presentation 7, available on the meeting page.") {
		t.Errorf("footnotes.xml lacks the note of paragraph 7: %+v", notes)
	}

	// The annex: its heading and a table of 200 rows under its header row.
	if !hasText(body, "Annex: disposition of comments") {
		t.Error("no annex heading")
	}
	for _, want := range []string{
		"Paragraph", "Comment", "Disposition", "Accepted with modification", "Not yet disposed",
		`Comment 2: replace "x" with <y> | z` + "\n" + "second line", "Note 200",
	} {
		if !hasText(body, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if n := strings.Count(string(files["word/document.xml"]), "<w:tr>"); n != 3+3+3+201 {
		t.Errorf("%d table rows, want 210 (3 tables of 3 in the report, the annex's 201)", n)
	}

	// Dated by the report, so that the same version exports to the same file.
	if core := string(files["docProps/core.xml"]); !strings.Contains(core, "2026-12-10T17:00:00Z") {
		t.Errorf("docProps/core.xml is not dated by the report: %s", core)
	}
	if again, err := (Converter{}).DOCX(context.Background(), in); err != nil || !bytes.Equal(again, docx) {
		t.Errorf("a second export differs (error %v)", err)
	}

	in.Dispositions = nil
	docx, err = Converter{}.DOCX(context.Background(), in)
	if err != nil {
		t.Fatalf("DOCX without annex: %v", err)
	}
	if hasText(docxParagraphs(t, unzip(t, docx)["word/document.xml"]), "Annex: disposition of comments") {
		t.Error("DOCX without dispositions has an annex")
	}
}

// TestDOCXUnsafe feeds pandoc what must not reach the Word document as it is.
func TestDOCXUnsafe(t *testing.T) {
	in := Input{
		Meta: Meta{Title: "*Not emphasis* <b>nor bold</b> [^1]", Status: "a\x01b\r\nc"},
		Markdown: "---\ntitle: not metadata\n---\n\n" +
			"An image ![the alt text](/etc/passwd) and ![another](https://example.org/pixel.png).\n\n" +
			"A [bad link](javascript:alert(1)) and a [good one](https://example.org/).\n\n" +
			"Raw <span>HTML</span> :smile: and a bell \x07.\n\n" +
			"```\nan unclosed fence\n",
		Dispositions: []Disposition{{Para: 1, Comment: "after the fence", Kind: "noted"}},
	}
	docx, err := Converter{}.DOCX(context.Background(), in)
	if err != nil {
		t.Fatalf("DOCX: %v", err)
	}
	files := unzip(t, docx)
	for name := range files {
		if strings.HasPrefix(name, "word/media/") {
			t.Errorf("the DOCX embeds %s", name)
		}
	}
	doc := string(files["word/document.xml"])
	body := docxParagraphs(t, files["word/document.xml"])
	for _, want := range []string{
		"*Not emphasis* <b>nor bold</b> [^1]",
		"ab\nc",
		"title: not metadata",
		"An image the alt text and another.",
		"A bad link and a good one.",
		"Raw HTML :smile: and a bell \uFFFD.",
		"after the fence",
	} {
		if !hasText(body, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if strings.Contains(doc, "javascript") || !strings.Contains(string(files["word/_rels/document.xml.rels"]), "https://example.org/") {
		t.Error("want the https link kept and the javascript: link dropped")
	}
}

func TestPDF(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not installed (Debian package poppler-utils)")
	}
	pdf, err := Converter{}.PDF(context.Background(), testInput())
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{
		"Chairman's Report <script>alert(1)</script> & co",
		"Meeting on WSIS Action Line C5",
		"Original: English",
		"10 December 2026",
		"Presentation 59, available on the meeting page.",
		"Annex: disposition of comments",
		// The comment's cell may wrap after "with" (how narrow the column comes out depends on
		// the fonts installed); the markup-like "<y>" must be there as text either way.
		`Comment 200: replace "x" with`,
		"<y>",
		"Note 200",
		"Not yet",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	// The left-to-right paragraphs start a line with their number, in order. (The Arabic one
	// has its number on the right, where pdftotext's line order is its own.)
	at := 0
	for n := 1; n <= 60; n++ {
		if n == arabicPara {
			continue
		}
		loc := regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(n) + `\.\s+The meeting heard`).FindStringIndex(text[at:])
		if loc == nil {
			t.Fatalf("paragraph %d. missing or out of order in:\n%s", n, text)
		}
		at += loc[1]
	}
}

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		convert func() ([]byte, error)
		message string
	}{
		{"pandoc", func() ([]byte, error) { return Converter{Pandoc: "/nonexistent/pandoc"}.DOCX(ctx, testInput()) },
			"pandoc is not installed (Debian package pandoc)"},
		{"chromium", func() ([]byte, error) { return Converter{Chromium: "/nonexistent/chromium"}.PDF(ctx, testInput()) },
			"chromium is not installed (Debian package chromium)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.convert()
			if out != nil || !errors.Is(err, ErrUnavailable) {
				t.Fatalf("got %d bytes, error %v; want ErrUnavailable", len(out), err)
			}
			// The message the HTTP layer shows says what to install.
			if errs.CodeOf(err) != errs.Internal || errs.MessageOf(err) != tc.message {
				t.Errorf("code %q, message %q; want internal, %q", errs.CodeOf(err), errs.MessageOf(err), tc.message)
			}
		})
	}
}

// TestTimeout checks that a converter that overruns its timeout is stopped, with an error that
// says so, and leaves neither a process nor a file behind. Chromium's helpers (zygote, renderers)
// outlive a killed browser process; the stand-in here does the same with a child that would
// sleep for a minute.
func TestTimeout(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "chromium")
	script := "#!/bin/sh\nsh -c 'sleep 60; echo \"$0\"' \"$0-child\" &\nwait\n"
	if err := os.WriteFile(bin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the conversion makes its temporary directory

	_, err := Converter{Chromium: bin, Timeout: 500 * time.Millisecond}.PDF(context.Background(), testInput())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want a deadline exceeded", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("%d files left in the temporary directory", len(left))
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if cmdline, _ := os.ReadFile(p); bytes.Contains(cmdline, []byte(bin)) {
			t.Errorf("process %s still runs: %q", filepath.Dir(p), cmdline)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	in := testInput()
	b.ReportAllocs()
	for b.Loop() {
		HTML(in)
	}
}

func BenchmarkDOCX(b *testing.B) {
	in := testInput()
	for b.Loop() {
		if _, err := (Converter{}).DOCX(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPDF(b *testing.B) {
	in := testInput()
	for b.Loop() {
		if _, err := (Converter{}).PDF(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// unzip returns the files of a zip archive by name.
func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// docxParagraph is a paragraph of a WordprocessingML part: its style, whether it is laid out
// right to left, and its text with line breaks as "\n".
type docxParagraph struct {
	Style string
	RTL   bool
	Text  string
}

// docxParagraphs reads the paragraphs of a WordprocessingML part, in document order (table cells
// included). It fails the test if the part is not well-formed XML.
func docxParagraphs(t *testing.T, part []byte) []docxParagraph {
	t.Helper()
	if len(part) == 0 {
		t.Fatal("missing part")
	}
	var (
		out    []docxParagraph
		cur    *docxParagraph
		inText bool
	)
	dec := xml.NewDecoder(bytes.NewReader(part))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("malformed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "p":
				cur = &docxParagraph{}
			case "pStyle":
				if cur != nil {
					cur.Style = attr(tok, "val")
				}
			case "bidi":
				if cur != nil {
					cur.RTL = true
				}
			case "br":
				if cur != nil {
					cur.Text += "\n"
				}
			case "t":
				inText = true
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "p":
				if cur != nil {
					out = append(out, *cur)
				}
				cur = nil
			case "t":
				inText = false
			}
		case xml.CharData:
			if inText && cur != nil {
				cur.Text += string(tok)
			}
		}
	}
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// hasText reports whether a paragraph contains s.
func hasText(ps []docxParagraph, s string) bool {
	for _, p := range ps {
		if strings.Contains(p.Text, s) {
			return true
		}
	}
	return false
}
