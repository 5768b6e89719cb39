package inspect

import (
	"archive/zip"
	"bytes"
	"testing"
)

// FuzzCheck feeds arbitrary bytes, names and declared types to Check and Sniff: neither may
// panic, every answer is a format or a refusal, and Sniff never disagrees with Check.
func FuzzCheck(f *testing.F) {
	var zipped bytes.Buffer
	w := zip.NewWriter(&zipped)
	fw, _ := w.Create("word/document.xml")
	fw.Write([]byte("<w:document/>"))
	w.Close()
	for _, seed := range []struct{ data, name, declared string }{
		{"%PDF-1.4\n%%EOF\n", "a.pdf", "application/pdf"},
		{"%PDF-1.4\n<script>", "a.pdf", ""},
		{"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "a.png", "image/png"},
		{"\xff\xd8\xff\xe0", "a.jpg", ""},
		{"hello, 世界\n", "a.txt", "text/plain"},
		{" <html>", "a.md", ""},
		{"#!/bin/sh", "a.txt", ""},
		{"MZ\x90\x00", "a.pdf", ""},
		{"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00", "a.odt", ""},
		{zipped.String(), "a.docx", "application/zip"},
	} {
		f.Add([]byte(seed.data), seed.name, seed.declared)
	}
	// Small expansion limits keep each run fast; the checks are the same.
	lim := Limits{MaxUncompressed: 4 << 20, MaxEntries: 100}
	f.Fuzz(func(t *testing.T, data []byte, name, declared string) {
		got, err := Check(bytes.NewReader(data), int64(len(data)), name, declared, lim)
		if err != nil && ReasonOf(err) == "" {
			t.Fatalf("an error that is not a refusal: %v", err)
		}
		if err == nil && (got.Name == "" || got.ContentType == "") {
			t.Fatalf("accepted without a format: %+v", got)
		}
		sniffed, serr := Sniff(data[:min(len(data), SniffSize)], name, declared)
		switch {
		case serr != nil && ReasonOf(serr) != ReasonOf(err):
			t.Fatalf("Sniff refused with %v, Check with %v", serr, err)
		case err == nil && sniffed != got:
			t.Fatalf("Sniff says %+v, Check %+v", sniffed, got)
		}
	})
}
