package inspect

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"strings"
	"testing"

	"plenary/errs"
)

func check(data []byte, name, declared string, lim Limits) (Format, error) {
	return Check(bytes.NewReader(data), int64(len(data)), name, declared, lim)
}

func TestDeclaredType(t *testing.T) {
	pdf := readCorpus(t, "good/good.pdf")
	docx := readCorpus(t, "good/good.docx")
	md := readCorpus(t, "good/good.md")
	jpg := readCorpus(t, "good/good.jpg")
	tests := []struct {
		name     string
		data     []byte
		file     string
		declared string
		refused  Reason
	}{
		{"empty claims nothing", pdf, "a.pdf", "", ""},
		{"octet-stream claims nothing", pdf, "a.pdf", "application/octet-stream", ""},
		{"case and parameters ignored", pdf, "A.PDF", "Application/PDF; name=a.pdf", ""},
		{"zip is true of office files", docx, "a.docx", "application/x-zip-compressed", ""},
		{"text/plain for Markdown", md, "notes.md", "text/plain", ""},
		{"image/jpg alias", jpg, "photo.jpeg", "image/jpg", ""},
		{"full client path", pdf, `C:\Users\me\a.pdf`, "application/pdf", ""},
		{"another format", pdf, "a.pdf", "image/png", TypeMismatch},
		{"html declared", pdf, "a.pdf", "text/html", TypeMismatch},
		{"zip is not true of a PDF", pdf, "a.pdf", "application/zip", TypeMismatch},
		{"not a media type", pdf, "a.pdf", "pdf please", TypeMismatch},
		{"macro-enabled declared", docx, "a.docx", "application/vnd.ms-word.document.macroEnabled.12", Macros},
		{"trailing dot hides .html", pdf, "a.html. ", "application/pdf", ForbiddenType},
		{"double extension ends in exe", pdf, "a.pdf.exe", "", ForbiddenType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := check(tt.data, tt.file, tt.declared, Limits{})
			if ReasonOf(err) != tt.refused {
				t.Fatalf("got %v, want reason %q", err, tt.refused)
			}
		})
	}
}

func TestSizeLimit(t *testing.T) {
	pdf := readCorpus(t, "good/good.pdf")
	_, err := check(pdf, "a.pdf", "", Limits{MaxSize: 100})
	if ReasonOf(err) != TooLarge || errs.CodeOf(err) != errs.TooLarge {
		t.Fatalf("got %v (%s)", err, errs.CodeOf(err))
	}
	if err := (Limits{MaxSize: 1 << 20}).CheckSize(2 << 20); ReasonOf(err) != TooLarge ||
		!strings.Contains(errs.MessageOf(err), "2 MiB") || !strings.Contains(errs.MessageOf(err), "1 MiB") {
		t.Fatalf("CheckSize: %v", err)
	}
	if err := (Limits{}).CheckSize(0); ReasonOf(err) != Empty {
		t.Fatalf("CheckSize(0): %v", err)
	}
	if _, err := check(pdf, "a.pdf", "", Limits{MaxSize: int64(len(pdf))}); err != nil {
		t.Fatalf("a file exactly at the limit: %v", err)
	}
}

func TestMessagesNameTheReason(t *testing.T) {
	html := readCorpus(t, "hostile/html-renamed.pdf")
	_, err := check(html, "minutes.pdf", "application/pdf", Limits{})
	want := "The file is called .pdf but its content is HTML; HTML files are not accepted."
	if errs.MessageOf(err) != want {
		t.Fatalf("message %q, want %q", errs.MessageOf(err), want)
	}
	_, err = check(readCorpus(t, "hostile/jpeg-named.png"), "photo.png", "", Limits{})
	if !strings.Contains(errs.MessageOf(err), "called .png but its content is a JPEG image") {
		t.Fatalf("message %q", errs.MessageOf(err))
	}
	// A hostile name is not echoed.
	_, err = check(html, "x.<script>alert(1)</script>", "", Limits{})
	if strings.Contains(errs.MessageOf(err), "<script") {
		t.Fatalf("message repeats the name: %q", errs.MessageOf(err))
	}
}

// zipWith builds a DOCX with the given extra entries; level is the deflate level.
func zipWith(tb testing.TB, level int, extra map[string][]byte, order ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, level) })
	add := func(name string, data []byte) {
		fw, err := w.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	add("[Content_Types].xml", []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`))
	add("word/document.xml", []byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`))
	for _, name := range order {
		add(name, extra[name])
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestArchiveLimits(t *testing.T) {
	noisy := make([]byte, 3<<20) // compresses poorly: stays under every ratio
	for i := range noisy {
		noisy[i] = byte(i*7919>>3) ^ byte(i>>11)
	}
	zeros := make([]byte, 900<<10) // small enough to be exempt from the per-entry ratio
	many := map[string][]byte{}
	var names []string
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		many["word/media/"+n+".bin"] = zeros
		names = append(names, "word/media/"+n+".bin")
	}
	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		refused Reason
	}{
		{"within limits", zipWith(t, flate.BestSpeed, map[string][]byte{"word/media/n.bin": noisy}, "word/media/n.bin"), Limits{}, ""},
		{"total uncompressed", zipWith(t, flate.BestSpeed, map[string][]byte{"word/media/n.bin": noisy}, "word/media/n.bin"),
			Limits{MaxUncompressed: 2 << 20}, ZipBomb},
		{"overall ratio of small entries", zipWith(t, flate.BestCompression, many, names...), Limits{}, ZipBomb},
		{"entry count", zipWith(t, flate.BestSpeed, map[string][]byte{"x": nil}, "x"), Limits{MaxEntries: 2}, TooManyEntries},
		{"duplicate ignoring case", zipWith(t, flate.BestSpeed, map[string][]byte{"Word/Document.xml": nil}, "Word/Document.xml"), Limits{}, DuplicateEntry},
		{"parent folder in the middle", zipWith(t, flate.BestSpeed, map[string][]byte{"word/../../x": nil}, "word/../../x"), Limits{}, PathTraversal},
		{"NUL in a name", zipWith(t, flate.BestSpeed, map[string][]byte{"word/a\x00.xml": nil}, "word/a\x00.xml"), Limits{}, PathTraversal},
		{"empty ODF script index is fine", zipWith(t, flate.BestSpeed, map[string][]byte{"Basic/script-lc.xml": []byte("<x/>")}, "Basic/script-lc.xml"), Limits{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := check(tt.data, "a.docx", "", tt.lim)
			if ReasonOf(err) != tt.refused {
				t.Fatalf("got %v, want reason %q", err, tt.refused)
			}
		})
	}
}

func TestTextAcrossReads(t *testing.T) {
	// A three-byte character straddles the 64 KiB read boundary.
	text := append(bytes.Repeat([]byte("a"), 64<<10-1), "网络安全\n"...)
	if f, err := check(text, "a.txt", "", Limits{}); err != nil || f.Name != "txt" {
		t.Fatalf("valid text across reads: %v", err)
	}
	if _, err := check(append(text, 0xe7, 0xbd), "a.txt", "", Limits{}); ReasonOf(err) != NotUTF8 {
		t.Fatalf("character cut short at the end: %v", err)
	}
	if _, err := check(append(text, 0), "a.txt", "", Limits{}); ReasonOf(err) != NotUTF8 {
		t.Fatalf("NUL after the start: %v", err)
	}
	// Sniff allows a character cut by the end of the window, since the file goes on.
	if _, err := Sniff([]byte("abc网")[:5], "a.txt", ""); err != nil {
		t.Fatalf("Sniff: %v", err)
	}
}

type failingReader struct{ data []byte }

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off > 0 {
		return 0, errors.New("storage unavailable")
	}
	return copy(p, r.data), nil
}

func TestReadErrorIsNotARefusal(t *testing.T) {
	data := readCorpus(t, "good/good.docx")
	_, err := Check(failingReader{data}, int64(len(data)), "a.docx", "", Limits{})
	if err == nil || ReasonOf(err) != "" || errs.CodeOf(err) != errs.Internal {
		t.Fatalf("got %v (%s)", err, errs.CodeOf(err))
	}
}

func TestFormats(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if seen[f.Name] || f.ContentType == "" || formatByExtension(f.Extension) == nil {
			t.Errorf("bad format %+v", f)
		}
		seen[f.Name] = true
	}
	if len(seen) != 11 {
		t.Fatalf("%d formats, want 11", len(seen))
	}
}

// Some writers put the stored mimetype's size in a data descriptor after it; the start of the
// file still names the format.
func TestODFMimetypeWithDataDescriptor(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range []struct {
		name   string
		method uint16
		data   string
	}{
		{"mimetype", zip.Store, "application/vnd.oasis.opendocument.spreadsheet"},
		{"content.xml", zip.Deflate, "<office:document-content/>"},
	} {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: p.name, Method: p.method})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(p.data))
	}
	w.Close()
	if f, err := check(buf.Bytes(), "budget.ods", "", Limits{}); err != nil || f.Name != "ods" {
		t.Fatalf("got %+v, %v", f, err)
	}
	if _, err := check(buf.Bytes(), "budget.odt", "", Limits{}); ReasonOf(err) != TypeMismatch {
		t.Fatalf("ods called .odt: %v", err)
	}
}

func TestPDFPolyglot(t *testing.T) {
	pdf := readCorpus(t, "good/good.pdf")
	with := func(s string) []byte {
		return append(append([]byte("%PDF-1.7\n%"), s...), pdf[len("%PDF-1.4\n"):]...)
	}
	for _, tt := range []struct {
		inside  string
		refused Reason
	}{
		{"<img src=x onerror=alert(1)>", ForbiddenType},
		{"<IFRAME/src=//evil>", ForbiddenType},
		{"<!DOCTYPE html>", ForbiddenType},
		{"<x:xmpmeta><dc:title>Report</dc:title></x:xmpmeta>", ""}, // XMP metadata is not HTML
		{"<imgx <scripted", ""},
	} {
		if _, err := check(with(tt.inside), "a.pdf", "", Limits{}); ReasonOf(err) != tt.refused {
			t.Errorf("%q: got %v, want %q", tt.inside, err, tt.refused)
		}
	}
}
