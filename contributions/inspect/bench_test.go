package inspect

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// docxLike builds a DOCX-like zip of about 10 MiB: XML parts that compress about tenfold and
// stored images that do not compress, as in a contribution with photographs.
func docxLike(tb testing.TB) []byte {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name string, method uint16, data []byte) {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(data)
	}
	add("[Content_Types].xml", zip.Deflate, []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	var doc bytes.Buffer
	doc.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for doc.Len() < 20<<20 {
		fmt.Fprintf(&doc, `<w:p><w:r><w:t>Paragraph %d of the contribution, item %x.</w:t></w:r></w:p>`, rng.IntN(1e6), rng.Uint32())
	}
	doc.WriteString(`</w:body></w:document>`)
	add("word/document.xml", zip.Deflate, doc.Bytes())
	for i := range 8 {
		img := make([]byte, 1<<20)
		for j := range img {
			img[j] = byte(rng.Uint32())
		}
		add(fmt.Sprintf("word/media/image%d.jpeg", i+1), zip.Store, img)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkCheckDOCX(b *testing.B) {
	data := docxLike(b)
	b.SetBytes(int64(len(data)))
	r := bytes.NewReader(data)
	for b.Loop() {
		if _, err := Check(r, int64(len(data)), "big.docx", "", Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/(1<<20), "MiB/file")
}
