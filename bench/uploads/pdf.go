package main

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
)

// The PDF the benchmark uploads, generated as it is read so that neither the bench nor anything
// but the server under test holds the file: a header and two objects, comment lines ("% " then
// 125 characters drawn uniformly from the 64 of base64, from a ChaCha8 stream: 6 bits of entropy
// per byte, so the file does not compress much), a trailer and "%%EOF". The same seed gives the
// same bytes. No line holds '<' or ':', so the polyglot check (HTML tags, "javascript:") passes.
const (
	pdfHead = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
	pdfTail = "trailer << /Root 1 0 R /Size 3 >>\n%%EOF\n"
	// lineLen is one comment line with its "% " and its newline.
	lineLen = 128
	// batchLines are generated at a time (64 KiB).
	batchLines = 512
	alphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// pdfGen is an io.Reader of one generated PDF of a given size.
type pdfGen struct {
	rng     *rand.ChaCha8
	lines   int64 // full comment lines still to generate
	last    int   // length of the short last comment line (0: none)
	tail    bool  // whether the trailer is still to come
	pending []byte
	buf     []byte
}

// minPDF is the smallest size newPDF accepts.
const minPDF = len(pdfHead) + len(pdfTail)

func newPDF(size int64, seed uint64) *pdfGen {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	copy(s[8:], "plenary bench/uploads")
	body := size - int64(minPDF)
	g := &pdfGen{rng: rand.NewChaCha8(s), lines: body / lineLen, last: int(body % lineLen), tail: true,
		buf: make([]byte, batchLines*lineLen)}
	g.pending = append(g.buf[:0], pdfHead...)
	return g
}

func (g *pdfGen) Read(p []byte) (int, error) {
	if len(g.pending) == 0 && !g.fill() {
		return 0, io.EOF
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// fill generates the next batch into pending; false at the end.
func (g *pdfGen) fill() bool {
	b := g.buf[:0]
	switch {
	case g.lines > 0:
		n := min(g.lines, batchLines)
		g.lines -= n
		b = b[:n*lineLen]
		_, _ = g.rng.Read(b)
		for i := 0; i < len(b); i += lineLen {
			line := b[i : i+lineLen]
			for j := 2; j < lineLen-1; j++ {
				line[j] = alphabet[line[j]&63]
			}
			line[0], line[1], line[lineLen-1] = '%', ' ', '\n'
		}
	case g.tail:
		g.tail = false
		switch {
		case g.last == 1:
			b = append(b, '\n') // a blank line
		case g.last >= 2:
			b = b[:g.last]
			_, _ = g.rng.Read(b)
			for j := range b {
				b[j] = alphabet[b[j]&63]
			}
			b[0], b[len(b)-1] = '%', '\n'
		}
		b = append(b, pdfTail...)
	default:
		return false
	}
	g.pending = b
	return true
}
