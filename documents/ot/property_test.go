package ot

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Properties every pair of concurrent ops must have, checked on random documents and ops here
// and on fuzzer-made ones in FuzzConvergence. The generators take their choices from a chooser:
// a seeded PRNG here, the fuzzer's bytes there.

type chooser interface{ IntN(n int) int }

// entropy turns fuzz input into choices; once the bytes run out every choice is 0.
type entropy struct{ b []byte }

func (e *entropy) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	v := 0
	for range 2 { // two bytes: enough for the lengths used here
		v <<= 8
		if len(e.b) > 0 {
			v |= int(e.b[0])
			e.b = e.b[1:]
		}
	}
	return v % n
}

// Units of text: every script and sequence the conformance vectors have.
var testUnits = []string{
	"a", "b", "x", " ", "the ", "\n", "\t", "<&>", `"\`,
	"مرحبا", "بِسْمِ", "\u064e", "你好", "主席", "😀", "👍🏽", "👩‍👩‍👧", "🧑🏾‍💻", "🏳️‍🌈", "🇫🇷",
	"e\u0301", "\u0301", "𝒳", "𠜎", "\u0000", "\u2028", "\ufeff", "\u200d",
}

func genText(c chooser, maxUnits int) string {
	var b strings.Builder
	for range 1 + c.IntN(maxUnits) {
		b.WriteString(testUnits[c.IntN(len(testUnits))])
	}
	return b.String()
}

func genDoc(c chooser) string {
	if c.IntN(20) == 0 {
		return ""
	}
	return genText(c, 40)
}

// genOp makes an op that is valid for doc and stays inside it. One time in three it is not
// normalized (adjacent inserts and deletes, mixed delete forms), as Check allows.
func genOp(c chooser, doc []rune) Op {
	raw := c.IntN(3) == 0
	var op Op
	pos := 0
	for range 1 + c.IntN(6) {
		switch r := c.IntN(10); {
		case r < 4 && pos < len(doc):
			k := 1 + c.IntN(min(len(doc)-pos, 8))
			if n := len(op); n > 0 && op[n-1].Kind == KindSkip {
				op[n-1].N += k
			} else {
				op = append(op, Skip(k))
			}
			pos += k
		case r < 7:
			op = append(op, Insert(genText(c, 3)))
		case pos < len(doc):
			k := 1 + c.IntN(min(len(doc)-pos, 6))
			if c.IntN(2) == 0 {
				op = append(op, DeleteText(string(doc[pos:pos+k])))
			} else {
				op = append(op, Delete(k))
			}
			pos += k
		}
	}
	if n := len(op); n > 0 && op[n-1].Kind == KindSkip {
		op = op[:n-1]
	}
	if !raw {
		op = Normalize(op)
	}
	return op
}

func mustApply(t testing.TB, what, doc string, op Op) string {
	t.Helper()
	s, err := ApplyString(doc, op)
	if err != nil {
		t.Fatalf("%s: apply(%q, %v): %v", what, doc, op, err)
	}
	return s
}

func mustOp(t testing.TB, what string, op Op, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := Check(op); err != nil {
		t.Fatalf("%s = %v: not valid: %v", what, op, err)
	}
	if !reflect.DeepEqual(Normalize(op), op) {
		t.Fatalf("%s = %v: not normalized", what, op)
	}
}

// checkProperties checks what must hold for a document and two ops made concurrently on it.
//
// Convergence holds for normalized ops only, and is checked on those. The reference's transform
// does not converge when the left op has two adjacent inserts where the other op inserts (it puts
// the other's text between them on one side only; edge case 2 of the vectors pins that), so a
// server must Normalize ops before transforming them, as ShareDB clients do before sending.
func checkProperties(t testing.TB, doc string, rawA, rawB Op) {
	t.Helper()
	d := NewDoc(doc)
	a, b := Normalize(rawA), Normalize(rawB)
	da, db := mustApply(t, "a", doc, rawA), mustApply(t, "b", doc, rawB)
	if mustApply(t, "normalize(a)", doc, a) != da || mustApply(t, "normalize(b)", doc, b) != db {
		t.Fatalf("normalize changes the effect of %v or %v on %q", rawA, rawB, doc)
	}
	// Raw ops transform and compose into valid, normalized ops too.
	for _, side := range []Side{Left, Right} {
		x, err := Transform(rawA, rawB, side)
		mustOp(t, "transform(raw a, raw b)", x, err)
		x, err = Compose(rawA, x)
		mustOp(t, "compose(raw a, raw b')", x, err)
	}

	aL, err := Transform(a, b, Left)
	mustOp(t, "transform(a, b, left)", aL, err)
	aR, err := Transform(a, b, Right)
	mustOp(t, "transform(a, b, right)", aR, err)
	bL, err := Transform(b, a, Left)
	mustOp(t, "transform(b, a, left)", bL, err)
	bR, err := Transform(b, a, Right)
	mustOp(t, "transform(b, a, right)", bR, err)

	// Convergence (TP1), with either op on the left.
	if x, y := mustApply(t, "a;b'", da, bL), mustApply(t, "b;a'", db, aR); x != y {
		t.Fatalf("diverged on %q with a=%v b=%v (b left):\n a then b' = %q\n b then a' = %q", doc, a, b, x, y)
	}
	final := mustApply(t, "a;b'", da, bR)
	if y := mustApply(t, "b;a'", db, aL); final != y {
		t.Fatalf("diverged on %q with a=%v b=%v (a left):\n a then b' = %q\n b then a' = %q", doc, a, b, final, y)
	}

	// Compose: one op with the effect of both.
	ab, err := Compose(a, bR)
	mustOp(t, "compose(a, b')", ab, err)
	if got := mustApply(t, "compose", doc, ab); got != final {
		t.Fatalf("apply(%q, compose(%v, %v)) = %q, want %q", doc, a, bR, got, final)
	}
	// ... and compose is associative in effect.
	if abc, err := Compose(ab, Op{}); err != nil || mustApply(t, "compose with noop", doc, abc) != final {
		t.Fatalf("compose(%v, []) = %v, %v", ab, abc, err)
	}
	ba, err := Compose(b, aL)
	mustOp(t, "compose(b, a')", ba, err)
	if got := mustApply(t, "compose(b, a')", doc, ba); got != final {
		t.Fatalf("apply(compose(b, a')) = %q, want %q", got, final)
	}

	// Transforming by the empty op only normalizes.
	if x, err := Transform(a, Op{}, Left); err != nil || !reflect.DeepEqual(x, Normalize(a)) {
		t.Fatalf("transform(%v, [], left) = %v, %v", a, x, err)
	}

	// Normalize is idempotent.
	if !reflect.DeepEqual(Normalize(a), a) {
		t.Fatalf("normalize(%v) = %v", a, Normalize(a))
	}

	// Undo gives back the document; stripping the undo information keeps the effect.
	a = rawA
	undo, err := InvertWithDoc(a, d)
	if err != nil {
		t.Fatalf("invertWithDoc(%v, %q): %v", a, doc, err)
	}
	if got := mustApply(t, "undo", da, undo); got != doc {
		t.Fatalf("undo of %v on %q gives %q", a, doc, got)
	}
	if got := mustApply(t, "strip", doc, StripInvertible(MakeInvertible(a, d))); got != da {
		t.Fatalf("strip(makeInvertible(%v)) applies as %q, want %q", a, got, da)
	}

	// Cursors stay in the new document and keep their order.
	la, prev := NewDoc(da).Len(), -1
	for p := 0; p <= d.Len(); p++ {
		q := TransformPosition(p, a)
		if q < 0 || q > la || q < prev {
			t.Fatalf("transformPosition(%d, %v) = %d (previous %d, length %d)", p, a, q, prev, la)
		}
		prev = q
	}

	// The wire form round-trips.
	raw, _ := a.MarshalJSON()
	var back Op
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, a) && !(len(a) == 0 && len(back) == 0) {
		t.Fatalf("%s decodes to %v, %v", raw, back, err)
	}
}

func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		doc := genDoc(rng)
		r := []rune(doc)
		checkProperties(t, doc, genOp(rng, r), genOp(rng, r))
	}
}

// TestComposeChain applies long chains of sequential ops composed into one.
func TestComposeChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 500 {
		doc := genDoc(rng)
		cur, all := doc, Op{}
		for range 1 + rng.IntN(10) {
			op := genOp(rng, []rune(cur))
			cur = mustApply(t, "step", cur, op)
			var err error
			if all, err = Compose(all, op); err != nil {
				t.Fatal(err)
			}
		}
		if got := mustApply(t, "composed", doc, all); got != cur {
			t.Fatalf("composed chain gives %q, want %q", got, cur)
		}
	}
}
