package export

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"plenary/documents/render"
)

// docxFilter adds the header block and the annex and keeps pandoc to what documents/render does
// (see the file's comments).
//
//go:embed docx.lua
var docxFilter []byte

// pandocFrom is the Markdown dialect pandoc reads: GitHub's (CommonMark with pipe tables,
// strikethrough, bare URLs and footnotes), which is what documents/render reads, without the
// extensions render does not have: emoji shortcodes, task lists, a YAML block at the start
// (which render shows as text) and heading ids.
const pandocFrom = "gfm-emoji-task_lists-yaml_metadata_block-gfm_auto_identifiers"

// Field and record separators of header.txt and annex.txt, the plain text files docx.lua reads.
const (
	fieldSep  = "\x1f"
	recordSep = "\x1e"
)

// DOCX converts the report to a Word document with pandoc: the header block (title, meeting and
// date as Word's title block, then version, status and "Original: …"), the paragraphs numbered
// as documents/render numbers them, Markdown footnotes as Word footnotes, and the annex table
// when there are dispositions. It returns an error wrapping ErrUnavailable when pandoc is not
// installed.
func (c Converter) DOCX(ctx context.Context, in Input) ([]byte, error) {
	exe, err := c.pandoc().path()
	if err != nil {
		return nil, fmt.Errorf("docx: %w", err)
	}
	dir, err := os.MkdirTemp("", "plenary-docx-")
	if err != nil {
		return nil, fmt.Errorf("docx: %w", err)
	}
	defer os.RemoveAll(dir)

	// User text reaches pandoc only on stdin and in files, never as arguments.
	files := map[string][]byte{
		"filter.lua": docxFilter,
		"header.txt": headerText(in.Meta),
		"annex.txt":  annexText(in.Dispositions),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, fmt.Errorf("docx: %w", err)
		}
	}
	// Pandoc dates the file SOURCE_DATE_EPOCH rather than now when it is set: the report's date
	// is the meaningful one, and the same version then exports to the same bytes.
	var env []string
	if in.Date.Unix() > 0 { // not the zero time, which is before 1970
		env = append(env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(in.Date.Unix(), 10))
	}
	out := filepath.Join(dir, "report.docx")
	err = c.run(ctx, exe, dir, env, numberedMarkdown(in.Markdown),
		"--from="+pandocFrom, "--to=docx",
		"--lua-filter="+filepath.Join(dir, "filter.lua"),
		"--output="+out)
	if err != nil {
		return nil, fmt.Errorf("docx: %w", err)
	}
	docx, err := readOutput(out)
	if err != nil {
		return nil, fmt.Errorf("docx: %w", err)
	}
	if !bytes.HasPrefix(docx, []byte("PK\x03\x04")) {
		return nil, fmt.Errorf("docx: pandoc wrote %d bytes that are not a zip archive", len(docx))
	}
	return docx, nil
}

// numberedMarkdown returns the report's Markdown with "N\. " at the start of each paragraph that
// documents/render numbers. The numbers come from render's own code point ranges, so the Word
// document numbers exactly the paragraphs the readers and commenters saw, whatever pandoc's
// parser thinks; the backslash keeps "N." from starting a list.
func numberedMarkdown(markdown string) []byte {
	// []rune turns each invalid byte into one U+FFFD, as render does, so render's offsets hold.
	src := []rune(markdown)
	for i, r := range src {
		if !xmlChar(r) {
			src[i] = '\uFFFD' // one for one, so the offsets still hold
		}
	}
	paragraphs := render.Report(markdown).Paragraphs
	var b strings.Builder
	b.Grow(len(markdown) + 8*len(paragraphs))
	at := 0
	for _, p := range paragraphs {
		if p.From < at || p.From > len(src) {
			continue // render's paragraphs are in order and inside the source; never skipped
		}
		b.WriteString(string(src[at:p.From]))
		b.WriteString(strconv.Itoa(p.N))
		b.WriteString(`\. `)
		at = p.From
	}
	b.WriteString(string(src[at:]))
	return []byte(b.String())
}

// xmlChar reports whether r may appear in an XML document. Pandoc copies other control
// characters into document.xml, and Word refuses to open such a file.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return true
}

// plainField makes s a field of header.txt or annex.txt: valid UTF-8, "\n" line ends, no
// control characters (the separators among them).
func plainField(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case !xmlChar(r):
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// headerText is header.txt: title, meeting and date, then the other header lines.
func headerText(m Meta) []byte {
	h := headerOf(m)
	fields := append([]string{h.Title, h.Meeting, h.Date}, h.Lines...)
	for i, f := range fields {
		fields[i] = plainField(f)
	}
	return []byte(strings.Join(fields, recordSep))
}

// annexText is annex.txt: the annex title, the column labels, then a record per disposition;
// empty when there are none.
func annexText(ds []Disposition) []byte {
	if len(ds) == 0 {
		return nil
	}
	records := []string{annexTitle, strings.Join(annexColumns, fieldSep)}
	for _, d := range ds {
		cells := annexRow(d)
		for i, c := range cells {
			cells[i] = plainField(c)
		}
		records = append(records, strings.Join(cells, fieldSep))
	}
	return []byte(strings.Join(records, recordSep))
}
