package reports

import (
	"math/rand/v2"
	"strings"
	"testing"

	"plenary/documents/ot"
)

func TestRangeThrough(t *testing.T) {
	// "The chair opened the meeting." with the range on "opened".
	cases := []struct {
		name     string
		op       ot.Op
		from, to int
		gone     bool
	}{
		{"insert before", ot.Op{ot.Insert("Today, ")}, 17, 23, false},
		{"insert at the start stays outside", ot.Op{ot.Skip(10), ot.Insert("re")}, 12, 18, false},
		{"insert at the end stays outside", ot.Op{ot.Skip(16), ot.Insert(" formally")}, 10, 16, false},
		{"insert inside grows it", ot.Op{ot.Skip(12), ot.Insert("xx")}, 10, 18, false},
		{"insert after", ot.Op{ot.Skip(20), ot.Insert("x")}, 10, 16, false},
		{"delete before", ot.Op{ot.Skip(4), ot.Delete(6)}, 4, 10, false},
		{"delete over the start", ot.Op{ot.Skip(8), ot.Delete(4)}, 8, 12, false},
		{"delete over the end", ot.Op{ot.Skip(14), ot.Delete(4)}, 10, 14, false},
		{"delete inside", ot.Op{ot.Skip(11), ot.Delete(2)}, 10, 14, false},
		{"delete all of it", ot.Op{ot.Skip(10), ot.Delete(6)}, 10, 10, true},
		{"delete around it", ot.Op{ot.Skip(9), ot.Delete(9)}, 9, 9, true},
		{"replace it", ot.Op{ot.Skip(10), ot.Delete(6), ot.Insert("closed")}, 10, 10, true},
		{"delete after", ot.Op{ot.Skip(17), ot.Delete(3)}, 10, 16, false},
	}
	for _, c := range cases {
		r := Range{From: 10, To: 16}
		r.Through(c.op)
		if r.From != c.from || r.To != c.to || r.Gone != c.gone {
			t.Errorf("%s: got [%d,%d) gone=%v, want [%d,%d) gone=%v", c.name, r.From, r.To, r.Gone, c.from, c.to, c.gone)
		}
	}
}

// A range follows its text: whatever random edits happen outside it, the text it covers is the
// text it covered.
func TestRangeFollowsItsText(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const marked = "«marked»"
	for trial := range 300 {
		doc := strings.Repeat("abcdé", 10) + marked + strings.Repeat("xyz", 10)
		from := len([]rune(strings.Split(doc, marked)[0]))
		r := Range{From: from, To: from + len([]rune(marked))}
		for range 20 {
			n := len([]rune(doc))
			// An edit at a random place outside the range (edges included).
			var pos int
			if rng.IntN(2) == 0 {
				pos = rng.IntN(r.From + 1)
			} else {
				pos = r.To + rng.IntN(n-r.To+1)
			}
			var op ot.Op
			if pos > 0 {
				op = append(op, ot.Skip(pos))
			}
			switch {
			case rng.IntN(2) == 0:
				op = append(op, ot.Insert("ع😀"))
			case pos < r.From:
				op = append(op, ot.Delete(min(r.From-pos, 1+rng.IntN(3))))
			case pos >= r.To && pos < n:
				op = append(op, ot.Delete(min(n-pos, 1+rng.IntN(3))))
			default:
				op = append(op, ot.Insert("!"))
			}
			var err error
			if doc, err = ot.ApplyString(doc, ot.Normalize(op)); err != nil {
				t.Fatal(err)
			}
			r.Through(ot.Normalize(op))
			if got := string([]rune(doc)[r.From:r.To]); got != marked || r.Gone {
				t.Fatalf("trial %d: range [%d,%d) covers %q after %v", trial, r.From, r.To, got, op)
			}
		}
	}
}

// BenchmarkAnchors200 is the cost of following 200 open comments' anchors through one op.
func BenchmarkAnchors200(b *testing.B) {
	rs := make([]Range, 200)
	for i := range rs {
		rs[i] = Range{From: i * 50, To: i*50 + 20}
	}
	op := ot.Op{ot.Skip(4321), ot.Insert("an edit"), ot.Delete(3)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range rs {
			rs[i].Through(op)
		}
	}
}
