// Package export turns a Chairman's Report into the files that leave Plenary: a print-ready HTML
// page, a Word document and a PDF, each with the document header (title, meeting, version,
// status, "Original: <language>", date), the numbered paragraphs and footnotes of
// documents/render, and optionally the disposition log as an annex.
//
// HTML is produced here. DOCX and PDF are produced by well-kept converters rather than written
// by hand: pandoc for DOCX, headless Chromium printing the HTML for PDF. Converter finds and runs
// them; where one is missing, its methods return an error wrapping ErrUnavailable that names the
// program and the Debian package that provides it.
package export

import (
	"strconv"
	"strings"
	"time"
)

// Meta is the document header.
type Meta struct {
	Title    string    // report title
	Meeting  string    // meeting or group name, may be ""
	Version  string    // e.g. "v2.0" or "version 57"
	Status   string    // e.g. "Final", "Draft circulated for comments until 10 December 2026 17:00 (Europe/Geneva)"
	Language string    // original language name, e.g. "English" -> header line "Original: English"
	Date     time.Time // shown as "10 December 2026" in its own location; zero: no date
}

// Disposition is one row of the disposition log annex.
type Disposition struct {
	Para      int    // paragraph number (0 = not tied to a paragraph)
	Comment   string // the comment text (plain text)
	Commenter string // name
	Kind      string // accepted | modified | rejected | noted | "" (not yet disposed)
	Note      string // chair's note
}

// Input is what an export is made from.
type Input struct {
	Meta
	Markdown     string        // the report's Markdown source
	Dispositions []Disposition // nil or empty: no annex
}

// The labels of the exports. They stay English for now; every format takes them from here.
const (
	annexTitle  = "Annex: disposition of comments"
	dateLayout  = "2 January 2006"
	noParagraph = "—" // the annex's paragraph cell for a comment on the report as a whole
)

var annexColumns = []string{"Paragraph", "Comment", "Commenter", "Disposition", "Note"}

// kindLabels spells out the disposition kinds the way the disposition log reads them.
var kindLabels = map[string]string{
	"accepted": "Accepted",
	"modified": "Accepted with modification",
	"rejected": "Rejected",
	"noted":    "Noted",
	"":         "Not yet disposed",
}

// header is the document header shared by all formats, with empty fields left out.
type header struct {
	Title   string
	Meeting string
	Date    string
	Lines   []string // version, status, "Original: …", in that order
}

func headerOf(m Meta) header {
	h := header{Title: m.Title, Meeting: m.Meeting}
	if !m.Date.IsZero() {
		h.Date = m.Date.Format(dateLayout)
	}
	for _, s := range []string{m.Version, m.Status} {
		if s != "" {
			h.Lines = append(h.Lines, s)
		}
	}
	if m.Language != "" {
		h.Lines = append(h.Lines, "Original: "+m.Language)
	}
	return h
}

// annexRow is a disposition as the annex shows it: the five cells, in annexColumns' order.
func annexRow(d Disposition) []string {
	para := noParagraph
	if d.Para > 0 {
		para = strconv.Itoa(d.Para)
	}
	kind, ok := kindLabels[d.Kind]
	if !ok {
		kind = d.Kind // a kind added later still shows, under its own name
	}
	return []string{para, d.Comment, d.Commenter, kind, d.Note}
}

// langCodes gives the HTML lang of the six UN languages, so that the browser picks fitting fonts
// (Chinese glyph forms in particular) and hyphenation. Other languages get no lang attribute.
var langCodes = map[string]string{
	"arabic":  "ar",
	"chinese": "zh",
	"english": "en",
	"french":  "fr",
	"russian": "ru",
	"spanish": "es",
}

func langCode(language string) string {
	return langCodes[strings.ToLower(strings.TrimSpace(language))]
}
