package ot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
)

// The conformance vectors come from the reference implementation, npm ot-text-unicode, through
// testdata/gen/gen.mjs (see testdata/README.md). Every outcome recorded there must come out of
// this package exactly: the same op bytes, the same strings, an error where the reference threw
// (of the same class) and none where it did not.

const vectorsFile = "testdata/vectors.jsonl"

// outcome is a recorded result: {"v": value} or {"err": class, "msg": the reference's message}.
type outcome struct {
	V   json.RawMessage `json:"v"`
	Err string          `json:"err"`
	Msg string          `json:"msg"`
}

type vector struct {
	Kind string `json:"kind"`

	// meta
	Version string `json:"version"`
	Name    string `json:"name"`
	URI     string `json:"uri"`
	Cases   int    `json:"cases"`

	// case and edge
	ID        int             `json:"id"`
	Doc       string          `json:"doc"`
	A         json.RawMessage `json:"a"`
	B         json.RawMessage `json:"b"`
	C         json.RawMessage `json:"c"` // null when a does not apply
	ApplyA    outcome         `json:"applyA"`
	ApplyB    outcome         `json:"applyB"`
	ApplyC    *outcome        `json:"applyC"`
	Transform struct {
		ALeft, ARight, BLeft, BRight outcome
	} `json:"transform"`
	Final struct {
		AB, BA *outcome
	} `json:"final"`
	Compose struct {
		AB, BA, AC *outcome
	} `json:"compose"`
	ApplyCompose struct {
		AB, BA, AC *outcome
	} `json:"applyCompose"`
	Normalize struct {
		Input, Output json.RawMessage
	} `json:"normalize"`
	Positions  [][2]int             `json:"positions"`
	Selections [][2]json.RawMessage `json:"selections"`
	Invert     struct {
		IsInvertible bool            `json:"isInvertible"`
		Invert       outcome         `json:"invert"`
		Made         json.RawMessage `json:"made"`
		Inverted     outcome         `json:"inverted"`
		Undo         *outcome        `json:"undo"`
		Strip        json.RawMessage `json:"strip"`
		WithDoc      outcome         `json:"withDoc"`
	} `json:"invert"`

	// error
	Fn   string            `json:"fn"`
	Args []json.RawMessage `json:"args"`
	Err  string            `json:"err"`
	Msg  string            `json:"msg"`

	// wire
	JSON string `json:"json"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for line := 1; sc.Scan(); line++ {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", vectorsFile, line, err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// class maps an error to the reference's error classes (see classify in gen.mjs).
func class(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{ErrBadSkip, "bad-skip"},
		{ErrAdjacentSkips, "adjacent-skips"},
		{ErrTrailingSkip, "trailing-skip"},
		{ErrEmptyInsert, "empty-insert"},
		{ErrEmptyDelete, "empty-delete"},
		{ErrOpTooLong, "too-long"},
		{ErrNotInvertible, "not-invertible"},
		{ErrBadSide, "bad-side"},
		{ErrMalformed, "malformed"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "unclassified: " + err.Error()
}

// decodeOp decodes an op from the vectors and checks that encoding it gives back the very bytes
// JSON.stringify wrote.
func decodeOp(t *testing.T, where string, raw json.RawMessage) Op {
	t.Helper()
	var op Op
	if err := json.Unmarshal(raw, &op); err != nil {
		t.Fatalf("%s: decoding %s: %v", where, raw, err)
	}
	got, _ := op.MarshalJSON()
	if !bytes.Equal(got, raw) {
		t.Errorf("%s: op does not round-trip:\n got %s\nwant %s", where, got, raw)
	}
	return op
}

func wantOp(t *testing.T, where string, got Op, err error, want outcome) {
	t.Helper()
	if want.Err != "" {
		if err == nil {
			t.Errorf("%s: got %v, want error %s (%s)", where, got, want.Err, want.Msg)
		} else if class(err) != want.Err {
			t.Errorf("%s: got error %v (%s), want %s (%s)", where, err, class(err), want.Err, want.Msg)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: unexpected error %v, want %s", where, err, want.V)
		return
	}
	b, _ := got.MarshalJSON()
	if !bytes.Equal(b, want.V) {
		t.Errorf("%s:\n got %s\nwant %s", where, b, want.V)
	}
}

func wantText(t *testing.T, where, got string, err error, want outcome) {
	t.Helper()
	if want.Err != "" {
		if err == nil {
			t.Errorf("%s: got %q, want error %s (%s)", where, got, want.Err, want.Msg)
		} else if class(err) != want.Err {
			t.Errorf("%s: got error %v, want %s (%s)", where, err, want.Err, want.Msg)
		}
		return
	}
	var s string
	if err := json.Unmarshal(want.V, &s); err != nil {
		t.Fatalf("%s: bad vector %s: %v", where, want.V, err)
	}
	if err != nil {
		t.Errorf("%s: unexpected error %v, want %q", where, err, s)
	} else if got != s {
		t.Errorf("%s:\n got %q\nwant %q", where, got, s)
	}
}

// applyOutcome applies op to a Doc holding doc; a failed Apply must leave the Doc unchanged.
func applyOutcome(t *testing.T, where, doc string, op Op) (string, error) {
	t.Helper()
	d := NewDoc(doc)
	err := d.Apply(op)
	if err != nil && d.String() != doc {
		t.Errorf("%s: failed Apply changed the document to %q", where, d.String())
	}
	checkTree(t, where, d)
	return d.String(), err
}

// textOf returns the text of a successful outcome.
func textOf(t *testing.T, o outcome) string {
	var s string
	if err := json.Unmarshal(o.V, &s); err != nil {
		t.Fatalf("bad text %s", o.V)
	}
	return s
}

func TestConformance(t *testing.T) {
	vs := loadVectors(t)
	counts := map[string]int{}
	var meta vector
	for _, v := range vs {
		counts[v.Kind]++
		switch v.Kind {
		case "meta":
			meta = v
		case "case", "edge":
			checkCase(t, fmt.Sprintf("%s %d %s", v.Kind, v.ID, v.Name), v)
		case "error":
			checkErrorVector(t, v)
		case "wire":
			checkWire(t, v)
		default:
			t.Errorf("unknown vector kind %q", v.Kind)
		}
	}
	if meta.Name != Name || meta.URI != URI {
		t.Errorf("the reference is %q %q, we say %q %q", meta.Name, meta.URI, Name, URI)
	}
	if counts["case"] != meta.Cases || meta.Cases == 0 {
		t.Errorf("%d random cases, the generator wrote %d", counts["case"], meta.Cases)
	}
	t.Logf("ot-text-unicode %s: %d random cases, %d edge cases, %d error vectors, %d wire vectors",
		meta.Version, counts["case"], counts["edge"], counts["error"], counts["wire"])
}

func checkCase(t *testing.T, id string, v vector) {
	a := decodeOp(t, id+" a", v.A)
	b := decodeOp(t, id+" b", v.B)
	doc := NewDoc(v.Doc)

	gotA, err := applyOutcome(t, id+" apply(doc, a)", v.Doc, a)
	wantText(t, id+" apply(doc, a)", gotA, err, v.ApplyA)
	gotB, err := applyOutcome(t, id+" apply(doc, b)", v.Doc, b)
	wantText(t, id+" apply(doc, b)", gotB, err, v.ApplyB)

	aLeft, err := Transform(a, b, Left)
	wantOp(t, id+" transform(a, b, left)", aLeft, err, v.Transform.ALeft)
	aRight, err := Transform(a, b, Right)
	wantOp(t, id+" transform(a, b, right)", aRight, err, v.Transform.ARight)
	bLeft, err := Transform(b, a, Left)
	wantOp(t, id+" transform(b, a, left)", bLeft, err, v.Transform.BLeft)
	bRight, err := Transform(b, a, Right)
	wantOp(t, id+" transform(b, a, right)", bRight, err, v.Transform.BRight)

	// Convergence, and compose of an op with the other one transformed: only where the reference
	// got that far (the vector holds null otherwise).
	if v.Final.AB != nil {
		got, err := applyOutcome(t, id+" final ab", textOf(t, v.ApplyA), bLeft)
		wantText(t, id+" apply(apply(doc, a), transform(b, a, left))", got, err, *v.Final.AB)
	}
	if v.Final.BA != nil {
		got, err := applyOutcome(t, id+" final ba", textOf(t, v.ApplyB), aRight)
		wantText(t, id+" apply(apply(doc, b), transform(a, b, right))", got, err, *v.Final.BA)
	}
	composeCase := func(name string, x, y Op, want, wantApplied *outcome) {
		if want == nil {
			return
		}
		got, err := Compose(x, y)
		wantOp(t, id+" "+name, got, err, *want)
		if wantApplied != nil {
			text, err := applyOutcome(t, id+" apply "+name, v.Doc, got)
			wantText(t, id+" apply(doc, "+name+")", text, err, *wantApplied)
		}
	}
	composeCase("compose(a, transform(b, a, left))", a, bLeft, v.Compose.AB, v.ApplyCompose.AB)
	composeCase("compose(b, transform(a, b, right))", b, aRight, v.Compose.BA, v.ApplyCompose.BA)
	if string(v.C) != "null" && len(v.C) > 0 {
		c := decodeOp(t, id+" c", v.C)
		composeCase("compose(a, c)", a, c, v.Compose.AC, v.ApplyCompose.AC)
		if v.ApplyC != nil {
			// Apply c to the same Doc that a was applied to: a Doc takes op after op.
			d := NewDoc(v.Doc)
			if err := d.Apply(a); err != nil {
				t.Fatalf("%s: apply a: %v", id, err)
			}
			err := d.Apply(c)
			wantText(t, id+" apply(apply(doc, a), c)", d.String(), err, *v.ApplyC)
			checkTree(t, id, d)
		}
	}

	messy := decodeOp(t, id+" normalize input", v.Normalize.Input)
	wantOp(t, id+" normalize", Normalize(messy), nil, outcome{V: v.Normalize.Output})

	for _, p := range v.Positions {
		if got := TransformPosition(p[0], a); got != p[1] {
			t.Errorf("%s: transformPosition(%d, a) = %d, want %d", id, p[0], got, p[1])
		}
	}
	for _, s := range v.Selections {
		if s[0][0] == '[' {
			var sel, want Selection
			mustUnmarshal(t, s[0], &sel)
			mustUnmarshal(t, s[1], &want)
			if got := TransformSelection(sel, a); got != want {
				t.Errorf("%s: transformSelection(%v, a) = %v, want %v", id, sel, got, want)
			}
		} else {
			var pos, want int
			mustUnmarshal(t, s[0], &pos)
			mustUnmarshal(t, s[1], &want)
			if got := TransformPosition(pos, a); got != want {
				t.Errorf("%s: transformSelection(%d, a) = %d, want %d", id, pos, got, want)
			}
		}
	}

	inv := v.Invert
	if IsInvertible(a) != inv.IsInvertible {
		t.Errorf("%s: IsInvertible(a) = %v, want %v", id, IsInvertible(a), inv.IsInvertible)
	}
	got, err := Invert(a)
	wantOp(t, id+" invert(a)", got, err, inv.Invert)
	made := MakeInvertible(a, doc)
	wantOp(t, id+" makeInvertible(a, doc)", made, nil, outcome{V: inv.Made})
	inverted, err := Invert(made)
	wantOp(t, id+" invert(makeInvertible(a, doc))", inverted, err, inv.Inverted)
	if inv.Undo != nil {
		text, err := applyOutcome(t, id+" undo", textOf(t, v.ApplyA), inverted)
		wantText(t, id+" apply(apply(doc, a), invert(makeInvertible(a, doc)))", text, err, *inv.Undo)
	}
	wantOp(t, id+" stripInvertible(makeInvertible(a, doc))", StripInvertible(made), nil, outcome{V: inv.Strip})
	got, err = InvertWithDoc(a, doc)
	wantOp(t, id+" invertWithDoc(a, doc)", got, err, inv.WithDoc)
	if doc.String() != v.Doc {
		t.Errorf("%s: MakeInvertible changed the document", id)
	}
}

func mustUnmarshal(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("bad vector %s: %v", raw, err)
	}
}

func checkErrorVector(t *testing.T, v vector) {
	id := fmt.Sprintf("error %s(%s)", v.Fn, bytes.Join(rawsOf(v.Args), []byte(", ")))
	want := outcome{Err: v.Err, Msg: v.Msg}
	switch v.Fn {
	case "apply":
		var doc string
		mustUnmarshal(t, v.Args[0], &doc)
		got, err := applyOutcome(t, id, doc, decodeOp(t, id, v.Args[1]))
		wantText(t, id, got, err, want)
	case "checkOp":
		err := Check(decodeOp(t, id, v.Args[0]))
		wantOp(t, id, nil, err, want)
	case "transform":
		var side string
		mustUnmarshal(t, v.Args[2], &side)
		s := map[string]Side{"left": Left, "right": Right}[side]
		got, err := Transform(decodeOp(t, id, v.Args[0]), decodeOp(t, id, v.Args[1]), s)
		wantOp(t, id, got, err, want)
	case "compose":
		got, err := Compose(decodeOp(t, id, v.Args[0]), decodeOp(t, id, v.Args[1]))
		wantOp(t, id, got, err, want)
	case "invert":
		got, err := Invert(decodeOp(t, id, v.Args[0]))
		wantOp(t, id, got, err, want)
	default:
		t.Errorf("%s: unknown function", id)
	}
}

func rawsOf(rs []json.RawMessage) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

// checkWire: JSON the reference rejects as malformed (it throws "Op must be an array", "Delete
// must be number or string" or a TypeError) must not decode here.
func checkWire(t *testing.T, v vector) {
	var op Op
	err := json.Unmarshal([]byte(v.JSON), &op)
	if err == nil {
		t.Errorf("wire %s: decoded to %v, the reference rejects it (%s)", v.JSON, op, v.Msg)
		return
	}
	if !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrInvalidOp) {
		t.Errorf("wire %s: error %v does not match ErrMalformed and ErrInvalidOp", v.JSON, err)
	}
}
