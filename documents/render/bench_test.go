package render

import (
	"fmt"
	"strings"
	"testing"
)

// report60 is a Chairman's Report of 60 numbered paragraphs: sections, footnotes, a list, a quote,
// a table, an Arabic paragraph.
func report60(tb testing.TB) string {
	tb.Helper()
	var b, notes strings.Builder
	for i := 1; i <= 60; i++ {
		if i%10 == 1 {
			fmt.Fprintf(&b, "## Session %d: building confidence and security in the use of ICTs\n\n", i/10+1)
		}
		switch {
		case i%15 == 0:
			b.WriteString("تؤكد الوثائق الختامية للقمة أن بناء الثقة والأمن في استخدام تكنولوجيا المعلومات والاتصالات ركيزة أساسية لمجتمع المعلومات.\n\n")
		default:
			fmt.Fprintf(&b, "The meeting heard %d speakers on *watch, warning and incident response*[^n%d], "+
				"as described in the [Tunis Agenda](https://www.itu.int/net/wsis/docs2/tunis/off/6rev1.html) "+
				"(paragraphs 39-47), and noted that a **global culture of cybersecurity** needs to be promoted "+
				"with all stakeholders; see www.itu.int/cybersecurity for details.\n\n", i, i)
			fmt.Fprintf(&notes, "[^n%d]: Presentation %d, available on the meeting page.\n", i, i)
		}
		switch i % 20 {
		case 5:
			b.WriteString("- (a) legal measures;\n- (b) technical and procedural measures;\n- (c) organizational structures.\n\n")
		case 10:
			b.WriteString("> strengthening the trust framework … is a prerequisite for the development of the Information Society\n\n")
		case 15:
			b.WriteString("| Action Line | Facilitator |\n|---|---|\n| C5 | ITU |\n| C6 | UNDP |\n\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(notes.String())
	return b.String()
}

func BenchmarkReport60Paragraphs(b *testing.B) {
	src := report60(b)
	if n := len(Report(src).Paragraphs); n != 60 {
		b.Fatalf("%d paragraphs, want 60", n)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Report(src)
	}
}
