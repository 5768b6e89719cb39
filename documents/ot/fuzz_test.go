package ot

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzConvergence makes a document and two concurrent ops from the fuzzer's bytes and checks
// convergence,
//
//	apply(apply(d, a), transform(b, a, left)) == apply(apply(d, b), transform(a, b, right)),
//
// and the other properties of checkProperties (compose, undo, cursors, wire form). Run it with
//
//	go test ./documents/ot -run '^$' -fuzz FuzzConvergence -fuzztime 60s
//
// Inputs it once failed on are kept in testdata/fuzz/FuzzConvergence.
func FuzzConvergence(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("the chair's report, paragraph 3 / مرحبا / 你好 / 👩‍👩‍👧"))
	f.Add(bytes.Repeat([]byte{0x00, 0x05, 0x00, 0x03, 0x00, 0x07}, 30))
	f.Add(bytes.Repeat([]byte{0xff, 0x13, 0x80}, 60))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := &entropy{b: data}
		doc := genDoc(e)
		r := []rune(doc)
		a := genOp(e, r)
		b := genOp(e, r)
		checkProperties(t, doc, a, b)
	})
}

// FuzzOpJSON checks the decoder on arbitrary input: it agrees with an obvious decoder built on
// encoding/json, accepts only valid JSON, and whatever it accepts encodes to JSON that decodes to
// the same op and encodes to the same bytes again.
func FuzzOpJSON(f *testing.F) {
	for _, s := range []string{
		`[]`, `[3,"hi",5,{"d":8}]`, `[{"d":"👩‍👩‍👧"},"\u0000\b\f\n\r\t\u001f\u2028<>&"]`,
		`[1e2,{"d":2.0}]`, `[-0]`, `[1.5]`, `[true]`, `[{"d":1,"x":2}]`, `{"d":1}`, `[9007199254740992]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		op, err := decodeFast(data)
		slow, errSlow := slowDecode(data)
		if (err == nil) != (errSlow == nil) || err == nil && !reflect.DeepEqual(op, slow) {
			t.Fatalf("%q: decoder %v, %v; encoding/json %v, %v", data, op, err, slow, errSlow)
		}
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("%q is not JSON, and decodes to %v", data, op)
		}
		enc, err := op.MarshalJSON()
		if err != nil || !json.Valid(enc) {
			t.Fatalf("%q decodes to %v, which encodes to invalid %q (%v)", data, op, enc, err)
		}
		var back Op
		if err := json.Unmarshal(enc, &back); err != nil || !reflect.DeepEqual(back, op) {
			t.Fatalf("%s decodes to %v, %v; want %v", enc, back, err, op)
		}
		if again, _ := back.MarshalJSON(); !bytes.Equal(again, enc) {
			t.Fatalf("%s encodes again as %s", enc, again)
		}
	})
}
