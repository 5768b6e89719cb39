package ot

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkTree verifies the B+ tree's invariants: counts add up, leaves hold valid UTF-8 within
// maxLeaf bytes, internal nodes have 1..maxChildren children, and all leaves are at one depth.
func checkTree(t testing.TB, where string, d *Doc) {
	t.Helper()
	leafDepth := -1
	var walk func(n *node, depth int, root bool)
	walk = func(n *node, depth int, root bool) {
		if n.leaf {
			if leafDepth < 0 {
				leafDepth = depth
			} else if depth != leafDepth {
				t.Fatalf("%s: leaves at depths %d and %d", where, leafDepth, depth)
			}
			if !utf8.Valid(n.text) || utf8.RuneCount(n.text) != n.runes || len(n.text) != n.bytes {
				t.Fatalf("%s: leaf counts %d runes %d bytes, holds %q", where, n.runes, n.bytes, n.text)
			}
			if len(n.text) > maxLeaf {
				t.Fatalf("%s: leaf of %d bytes", where, len(n.text))
			}
			if !root && n.runes == 0 {
				t.Fatalf("%s: empty leaf below the root", where)
			}
			return
		}
		if len(n.children) == 0 || len(n.children) > maxChildren || (root && len(n.children) < 2) {
			t.Fatalf("%s: internal node with %d children (root %v)", where, len(n.children), root)
		}
		runes, size := 0, 0
		for _, c := range n.children {
			walk(c, depth+1, false)
			runes += c.runes
			size += c.bytes
		}
		if runes != n.runes || size != n.bytes {
			t.Fatalf("%s: node counts %d/%d, children add up to %d/%d", where, n.runes, n.bytes, runes, size)
		}
	}
	walk(d.root, 0, true)
}

func depth(d *Doc) int {
	h := 0
	for n := d.root; !n.leaf; n = n.children[0] {
		h++
	}
	return h
}

// model is the obvious implementation the rope must agree with.
type model []rune

func (m model) apply(op Op) model {
	out := make(model, 0, len(m))
	pos := 0
	for _, c := range op {
		switch c.Kind {
		case KindSkip:
			out = append(out, m[pos:pos+c.N]...)
			pos += c.N
		case KindInsert:
			out = append(out, []rune(c.Text)...)
		default:
			pos = min(len(m), pos+c.Len())
		}
	}
	return append(out, m[pos:]...)
}

func TestDocBasics(t *testing.T) {
	for _, s := range []string{"", "a", "héllo 👩‍👩‍👧 مرحبا 你好", strings.Repeat("x", 5000), strings.Repeat("é🇫🇷", 3000)} {
		d := NewDoc(s)
		checkTree(t, "NewDoc", d)
		if d.String() != s || d.Len() != utf8.RuneCountInString(s) {
			t.Errorf("NewDoc(%.20q): String %.20q Len %d", s, d.String(), d.Len())
		}
		r := []rune(s)
		for _, rg := range [][2]int{{0, 0}, {0, 1}, {1, 3}, {-5, 2}, {len(r) - 2, len(r) + 5}, {3, 1}, {0, len(r)}, {len(r) / 3, len(r) * 2 / 3}} {
			lo, hi := max(0, min(rg[0], len(r))), max(0, min(rg[1], len(r)))
			want := ""
			if lo < hi {
				want = string(r[lo:hi])
			}
			if got := d.Slice(rg[0], rg[1]); got != want {
				t.Errorf("Slice(%d, %d) of %.20q = %.20q, want %.20q", rg[0], rg[1], s, got, want)
			}
		}
	}
	var zero Doc
	if zero.Len() != 0 || zero.String() != "" || zero.Apply(Op{Insert("x")}) != nil || zero.String() != "x" {
		t.Errorf("the zero Doc is not an empty document")
	}
	if got := NewDoc("a\xffb").String(); got != "a\uFFFDb" {
		t.Errorf("invalid UTF-8 became %q", got)
	}
}

// TestDocAgainstModel drives documents large enough for leaves and internal nodes to split and
// merge with random ops, long pastes and mass deletions, comparing with the model each time.
func TestDocAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	units := []string{"a", "bc", "é", "e\u0301", "👩‍👩‍👧", "🇫🇷", "你好", "مرحبا", "\n", " ", "𝒳"}
	text := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(units[rng.IntN(len(units))])
		}
		return b.String()
	}
	maxDepth := 0
	for round := range 12 {
		start := text(rng.IntN(20000))
		d, m := NewDoc(start), model([]rune(start))
		for step := range 200 {
			var op Op
			pos := 0
			switch r := rng.IntN(100); {
			case r < 3: // a paste of up to 100k units
				op = Op{Skip(rng.IntN(len(m) + 1)), Insert(text(rng.IntN(100000)))}
			case r < 6 || len(m) > 250000: // delete most of the document
				from := rng.IntN(len(m)/10 + 1)
				op = Op{Skip(from), Delete(len(m) - from - rng.IntN(10) + 5)}
			default: // a few edits, typing-sized
				for range 1 + rng.IntN(4) {
					if pos < len(m) && rng.IntN(2) == 0 {
						k := 1 + rng.IntN(min(len(m)-pos, 2000))
						op = append(op, Skip(k))
						pos += k
					}
					if rng.IntN(2) == 0 {
						op = append(op, Insert(text(1+rng.IntN(30))))
					} else if pos < len(m) {
						k := 1 + rng.IntN(min(len(m)-pos, 50))
						op = append(op, Delete(k))
						pos += k
					}
				}
				op = Normalize(op)
			}
			op = Normalize(op)
			if err := d.Apply(op); err != nil {
				t.Fatalf("round %d step %d: %v", round, step, err)
			}
			m = m.apply(op)
			if d.Len() != len(m) {
				t.Fatalf("round %d step %d: Len %d, model %d", round, step, d.Len(), len(m))
			}
			if step%10 == 0 || len(op) < 3 { // each paste and mass deletion, some of the others
				checkTree(t, "model", d)
			}
			if step%25 == 0 && d.String() != string(m) {
				t.Fatalf("round %d step %d: text differs from the model", round, step)
			}
			maxDepth = max(maxDepth, depth(d))
		}
		if d.String() != string(m) {
			t.Fatalf("round %d: text differs from the model", round)
		}
	}
	if maxDepth < 3 {
		t.Errorf("the tree never grew past depth %d: the test does not reach internal splits", maxDepth)
	}
}

func TestApplyErrorsLeaveDocUnchanged(t *testing.T) {
	start := strings.Repeat("abc👩‍👩‍👧", 2000)
	d := NewDoc(start)
	n := d.Len()
	for _, op := range []Op{
		{Skip(n + 1), Insert("x")},
		{Insert("x"), Skip(3), Delete(n), Skip(1), Insert("y")}, // the delete runs to the end
		{Delete(2), Skip(n)},
		{Skip(5), Skip(5), Insert("x")},
		{Insert("")},
	} {
		if err := d.Apply(op); err == nil {
			t.Errorf("Apply(%v) succeeded", op)
		}
		if d.String() != start {
			t.Fatalf("failed Apply(%v) changed the document", op)
		}
	}
	// A delete past the end deletes to the end: the reference does so.
	if err := d.Apply(Op{Skip(n - 1), Delete(100)}); err != nil || d.Len() != n-1 {
		t.Errorf("delete past the end: %v, Len %d", err, d.Len())
	}
}
