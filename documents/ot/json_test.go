package ot

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestJSONForms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Op
		out  string // "" when the same as in
	}{
		{`[]`, Op{}, ""},
		{`[3,"hi",5,{"d":8}]`, Op{Skip(3), Insert("hi"), Skip(5), Delete(8)}, ""},
		{`[{"d":"👩‍👩‍👧"},"é"]`, Op{DeleteText("👩‍👩‍👧"), Insert("é")}, ""},
		// What Normalize is for: these decode, and Check rejects them.
		{`[0,"",{"d":0},{"d":""},-2]`, Op{Skip(0), Insert(""), Delete(0), DeleteText(""), Skip(-2)}, ""},
		// Numbers JSON.parse reads as integers; JSON.stringify writes them plainly.
		{`[1e2, {"d": 2.0}, -0, "x"]`, Op{Skip(100), Delete(2), Skip(0), Insert("x")}, `[100,{"d":2},0,"x"]`},
		// Escapes: JSON.stringify's, not encoding/json's (no \u003c for <, U+2028 as is).
		{`["\u0000\b\f\n\r\t\u001f\u007f\u2028<>&\"\\\/\u00e9"]`, Op{Insert("\x00\b\f\n\r\t\x1f\x7f\u2028<>&\"\\/é")},
			"[\"\\u0000\\b\\f\\n\\r\\t\\u001f\x7f\u2028<>&\\\"\\\\/é\"]"},
		{` [ 1 , "a" ] `, Op{Skip(1), Insert("a")}, `[1,"a"]`},
	} {
		var op Op
		if err := json.Unmarshal([]byte(tc.in), &op); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(op, tc.want) {
			t.Errorf("%s decodes to %#v, want %#v", tc.in, op, tc.want)
		}
		want := tc.out
		if want == "" {
			want = tc.in
		}
		if got, _ := op.MarshalJSON(); string(got) != want {
			t.Errorf("%s encodes as %s, want %s", tc.in, got, want)
		}
	}
	if got, _ := Op(nil).MarshalJSON(); string(got) != "[]" {
		t.Errorf("nil op encodes as %s", got)
	}
	if got := Op(nil).String(); got != "[]" {
		t.Errorf("nil op String() = %s", got)
	}
}

// TestJSONStricterThanReference pins the inputs where this decoder deliberately differs from the
// reference: it rejects what is no text-unicode op, where the reference lets it through (booleans
// are skipped over by its apply, 1.5 skips two characters, extra keys are ignored).
func TestJSONStricterThanReference(t *testing.T) {
	for _, in := range []string{
		`[true]`, `[false,"x"]`, `[1.5,"x"]`, `[{"d":1.5}]`, `[{"d":1,"x":2}]`, `[9007199254740992]`,
		`[1e400]`, `[[1]]`, `[null]`, `null`, `{}`, `"x"`, `[{"d":null}]`, `[{"d":{}}]`, `[{}]`,
	} {
		var op Op
		err := json.Unmarshal([]byte(in), &op)
		if err == nil {
			t.Errorf("%s decoded to %v", in, op)
			continue
		}
		if !errors.Is(err, ErrInvalidOp) || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: error %v is not ErrInvalidOp/ErrMalformed", in, err)
		}
	}
	var op Op
	err := json.Unmarshal([]byte(`[1,"a",{"d":true}]`), &op)
	var oe *OpError
	if !errors.As(err, &oe) || oe.Index != 2 || !strings.Contains(err.Error(), "component 2") {
		t.Errorf("error %v does not name component 2", err)
	}
}

// TestJSONInsideMessages: an op inside a larger message, the way the ShareDB server will carry
// it. An Encoder without HTML escaping keeps the client's bytes.
func TestJSONInsideMessages(t *testing.T) {
	type message struct {
		A  string `json:"a"`
		V  int    `json:"v"`
		Op Op     `json:"op"`
	}
	in := "{\"a\":\"op\",\"v\":7,\"op\":[2,\"<b>&é\u2028\",{\"d\":\"x\"}]}"
	var m message
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSuffix(buf.String(), "\n"); got != in {
		t.Errorf("re-encoded as %s, want %s", got, in)
	}
	// json.Marshal escapes HTML characters: still the same op, other bytes.
	b, _ := json.Marshal(m)
	var back message
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("json.Marshal form %s decodes to %v, %v", b, back, err)
	}
}

func TestCheckRejectsInvalidUTF8(t *testing.T) {
	for _, op := range []Op{{Insert("a\xffb")}, {DeleteText("\xc3")}, {Component{Kind: 9}}, {Component{}}} {
		if err := Check(op); !errors.Is(err, ErrInvalidOp) {
			t.Errorf("Check(%#v) = %v", op, err)
		}
	}
}

func TestErrorsNameTheProblem(t *testing.T) {
	_, err := ApplyString("abc", Op{Skip(2), Insert("x"), Skip(2), Insert("y")})
	var ae *ApplyError
	if !errors.Is(err, ErrOpTooLong) || !errors.As(err, &ae) || ae.Index != 2 || ae.Pos != 4 || ae.Len != 3 {
		t.Errorf("too long: %v", err)
	}
	if _, err := Transform(Op{Insert("x")}, Op{}, 0); !errors.Is(err, ErrBadSide) {
		t.Errorf("side 0: %v", err)
	}
	if _, err := Invert(Op{Skip(1), Delete(2)}); !errors.Is(err, ErrNotInvertible) || errors.Is(err, ErrInvalidOp) {
		t.Errorf("invert: %v", err)
	}
	err = Check(Op{Insert("a"), Skip(1), Skip(2), Insert("b")})
	if !errors.Is(err, ErrAdjacentSkips) || err.Error() != "invalid text-unicode op: component 2: adjacent skips must be combined" {
		t.Errorf("adjacent skips: %v", err)
	}
}

// slowDecode is the obvious decoder, built on encoding/json: FuzzOpJSON checks that the
// hand-written one in json.go agrees with it on every input.
func slowDecode(data []byte) (Op, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return nil, errors.New("not an array")
	}
	out := Op{}
	for _, r := range raw {
		if isNull(r) { // encoding/json decodes null into anything, as a no-op
			return nil, errors.New("null")
		}
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, Insert(s))
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(r, &obj) == nil && obj != nil {
			d, ok := obj["d"]
			if !ok || len(obj) != 1 || isNull(d) {
				return nil, errors.New("bad object")
			}
			if json.Unmarshal(d, &s) == nil {
				out = append(out, DeleteText(s))
				continue
			}
			n, err := slowInt(d)
			if err != nil {
				return nil, err
			}
			out = append(out, Delete(n))
			continue
		}
		n, err := slowInt(r)
		if err != nil {
			return nil, err
		}
		out = append(out, Skip(n))
	}
	return out, nil
}

func isNull(r json.RawMessage) bool { return string(bytes.TrimSpace(r)) == "null" }

func slowInt(r json.RawMessage) (int, error) {
	var f float64
	if err := json.Unmarshal(r, &f); err != nil || f != float64(int64(f)) || f > maxSafe || f < -maxSafe {
		return 0, errors.New("not a safe integer")
	}
	return int(f), nil
}

func TestDecodeAgreesWithSlowDecode(t *testing.T) {
	for _, in := range []string{
		`[]`, ` [ ] `, `[3,"hi",5,{"d":8}]`, `[{"d":1,"d":"x"}]`, `[{"\u0064":2}]`, `["a\u0000\"\\\/\ud83d\ude00\ud800"]`,
		"[\"\xff\xfe\"]", `[1e2,2.0E0,-0,0.0]`, `[1.5]`, `[01]`, `[1,]`, `[,1]`, `[1 2]`, `[{"d":1,}]`, `[{"d"1}]`,
		`[{"d":-1}]`, `[9007199254740991]`, `[9007199254740992]`, `[-9007199254740991]`, `[1e400]`, `["x"] x`,
		`[true]`, `[null]`, `[[]]`, `[{}]`, `["\x"]`, `["unterminated]`, `[{"d":"x"`, "[\"tab\tinside\"]",
	} {
		fast, errFast := decodeFast([]byte(in))
		slow, errSlow := slowDecode([]byte(in))
		if (errFast == nil) != (errSlow == nil) || errFast == nil && !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: decoder %v, %v; encoding/json %v, %v", in, fast, errFast, slow, errSlow)
		}
	}
}

func decodeFast(data []byte) (Op, error) {
	var op Op
	err := op.UnmarshalJSON(data)
	return op, err
}
