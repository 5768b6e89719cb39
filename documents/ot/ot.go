// Package ot is the text OT type that ShareDB clients know as "text-unicode": a Go
// implementation of the npm package ot-text-unicode@4 (uri http://sharejs.org/types/text-unicode)
// that produces exactly what the reference produces, so that a Go server and browser clients
// running the npm package converge on the same text. It uses the standard library only.
//
// An op walks the document from the start. Its components are
//
//	N          skip N code points (JSON number)
//	"text"     insert text at the current position (JSON string)
//	{"d": N}   delete N code points (JSON object)
//	{"d": "t"} delete the code points of "t"; same effect, but the op can be inverted (undo)
//
// for example [3, "hi", 5, {"d": 8}]. Positions and lengths count Unicode code points, not
// bytes and not UTF-16 units: 👩‍👩‍👧 is five code points, é written as e+U+0301 two. An op need not
// skip to the end of the document. Check accepts what the reference's checkOp accepts; Normalize
// gives the canonical form (no empty components, neighbours of one kind merged, no trailing skip)
// that clients send.
//
// The conformance vectors in testdata/vectors.jsonl come from the reference implementation
// (testdata/gen) and the tests reproduce every one of them. Where the reference is lenient, this
// package is lenient in the same way, because a server that is stricter than its clients rejects
// ops those clients have already applied:
//
//   - Apply does not compare the text of {"d": "t"} with the document; only its length counts.
//   - A delete that runs past the end of the document deletes to the end; only a skip past the
//     end is an error (ErrOpTooLong).
//   - Normalize, TransformPosition, TransformSelection and MakeInvertible do not validate the op.
//
// Normalize ops received from the network before transforming them. The reference's transform
// converges only for ops without adjacent inserts: given ["a", "b"] where the other op inserts at
// the same position, the left side puts the other text between "a" and "b" and the right side
// does not (edge case 2 of the vectors pins this; ShareDB clients normalize before sending, so
// only a misbehaving client sends such an op).
//
// It is stricter in what cannot be a text-unicode op at all (see UnmarshalJSON): booleans, nulls,
// fractional or unsafe (beyond 2^53) numbers and objects with keys other than "d" are rejected,
// where the reference ignores booleans and counts fractional skips in a way no client relies on.
// Go strings hold no lone UTF-16 surrogates: JSON decoding turns them into U+FFFD, and Check
// rejects invalid UTF-8 in ops built in Go.
package ot

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Name and URI identify the type in the ShareDB protocol.
const (
	Name = "text-unicode"
	URI  = "http://sharejs.org/types/text-unicode"
)

// Kind says which of the four forms a Component has.
type Kind uint8

const (
	KindSkip       Kind = iota + 1 // N: skip N code points
	KindInsert                     // "text": insert Text
	KindDelete                     // {"d": N}: delete N code points
	KindDeleteText                 // {"d": "text"}: delete the len(Text) code points of Text
)

func (k Kind) String() string {
	switch k {
	case KindSkip:
		return "skip"
	case KindInsert:
		return "insert"
	case KindDelete:
		return "delete"
	case KindDeleteText:
		return "delete-text"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Component is one element of an op. N is used by skips and numeric deletes, Text by inserts and
// text deletes. Build them with Skip, Insert, Delete and DeleteText.
type Component struct {
	Kind Kind
	N    int
	Text string
}

// Skip returns a component that skips n code points.
func Skip(n int) Component { return Component{Kind: KindSkip, N: n} }

// Insert returns a component that inserts s.
func Insert(s string) Component { return Component{Kind: KindInsert, Text: s} }

// Delete returns a component that deletes n code points.
func Delete(n int) Component { return Component{Kind: KindDelete, N: n} }

// DeleteText returns a component that deletes the code points of s and remembers them, so that
// the op can be inverted.
func DeleteText(s string) Component { return Component{Kind: KindDeleteText, Text: s} }

// Len is the number of code points the component skips, inserts or deletes.
func (c Component) Len() int {
	switch c.Kind {
	case KindInsert, KindDeleteText:
		return utf8.RuneCountInString(c.Text)
	}
	return c.N
}

// IsDelete reports whether c is a delete of either form.
func (c Component) IsDelete() bool { return c.Kind == KindDelete || c.Kind == KindDeleteText }

// empty reports whether c does nothing: the reference drops such components when it builds ops.
// Negative lengths are not empty; Check rejects them.
func (c Component) empty() bool {
	switch c.Kind {
	case KindInsert, KindDeleteText:
		return c.Text == ""
	}
	return c.N == 0
}

// Op is a text-unicode operation: the list of its components, in document order. Its JSON form is
// the reference's (see MarshalJSON).
type Op []Component

// IsNoop reports whether op changes nothing. As in the reference, only the empty op counts: a
// normalized op that changes nothing is empty.
func (op Op) IsNoop() bool { return len(op) == 0 }

// String returns op's JSON form, for messages and logs.
func (op Op) String() string {
	b, _ := op.MarshalJSON()
	return string(b)
}

// ErrInvalidOp matches every error about an op's shape: malformed JSON and everything Check
// rejects. The more specific errors below match as well (errors.Is). A server answers them as a
// client error.
var ErrInvalidOp = errors.New("invalid text-unicode op")

// What Check rejects, one error per rule of the reference's checkOp, and what the decoder rejects.
var (
	ErrBadSkip       = errors.New("skips must be > 0")
	ErrAdjacentSkips = errors.New("adjacent skips must be combined")
	ErrTrailingSkip  = errors.New("op ends with a skip")
	ErrEmptyInsert   = errors.New("inserts cannot be empty")
	ErrEmptyDelete   = errors.New("deletes must delete > 0 code points")
	ErrInvalidUTF8   = errors.New("text is not valid UTF-8")
	ErrMalformed     = errors.New("malformed component")
)

// Errors of the operations themselves.
var (
	// ErrOpTooLong: the op skips past the end of the document it is applied to.
	ErrOpTooLong = errors.New("op is too long for the document")
	// ErrNotInvertible: the op has a {"d": N} delete, whose text it does not know; call
	// MakeInvertible (or InvertWithDoc) with the document the op applies to.
	ErrNotInvertible = errors.New("op cannot be inverted: a delete does not hold the deleted text (use MakeInvertible first)")
	// ErrBadSide: Transform needs Left or Right.
	ErrBadSide = errors.New("side must be Left or Right")
)

// OpError says which component of an op is wrong and why. It matches both ErrInvalidOp and its
// reason (one of the errors above) with errors.Is.
type OpError struct {
	Index  int   // the component, or -1 for the op as a whole
	Reason error // ErrBadSkip, ErrMalformed, ...
}

func (e *OpError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("%v: %v", ErrInvalidOp, e.Reason)
	}
	return fmt.Sprintf("%v: component %d: %v", ErrInvalidOp, e.Index, e.Reason)
}

func (e *OpError) Unwrap() []error { return []error{ErrInvalidOp, e.Reason} }

func opError(i int, reason error) error { return &OpError{Index: i, Reason: reason} }

// Check reports whether op is valid, with the reference's rules, in the reference's order (the
// first bad component decides the error): skips are > 0 and never adjacent, inserts and deletes
// are not empty, and the op does not end with a skip. Adjacent inserts or deletes are valid, and
// so is the empty op. Text must be valid UTF-8 (a JSON-decoded op always is).
func Check(op Op) error {
	for i, c := range op {
		switch c.Kind {
		case KindSkip:
			if c.N <= 0 {
				return opError(i, ErrBadSkip)
			}
			if i > 0 && op[i-1].Kind == KindSkip {
				return opError(i, ErrAdjacentSkips)
			}
		case KindInsert:
			if c.Text == "" {
				return opError(i, ErrEmptyInsert)
			}
			if !utf8.ValidString(c.Text) {
				return opError(i, ErrInvalidUTF8)
			}
		case KindDelete:
			if c.N <= 0 {
				return opError(i, ErrEmptyDelete)
			}
		case KindDeleteText:
			if c.Text == "" {
				return opError(i, ErrEmptyDelete)
			}
			if !utf8.ValidString(c.Text) {
				return opError(i, ErrInvalidUTF8)
			}
		default:
			return opError(i, fmt.Errorf("%w: unknown kind %v", ErrMalformed, c.Kind))
		}
	}
	if n := len(op); n > 0 && op[n-1].Kind == KindSkip {
		return opError(n-1, ErrTrailingSkip)
	}
	return nil
}

// builder accumulates an op the way the reference's append does, which is what makes results
// normalized: empty components are dropped and a component of the same kind as the last one is
// merged into it. Two text deletes merge into a text delete; a delete merged with a numeric
// delete becomes numeric (the text of one part is unknown, so the whole is not invertible).
type builder struct{ op Op }

func (b *builder) push(c Component) {
	if c.empty() {
		return
	}
	if n := len(b.op); n > 0 {
		last := &b.op[n-1]
		switch {
		case c.Kind == KindSkip && last.Kind == KindSkip:
			last.N += c.N
			return
		case c.Kind == KindInsert && last.Kind == KindInsert:
			last.Text += c.Text
			return
		case c.IsDelete() && last.IsDelete():
			if c.Kind == KindDeleteText && last.Kind == KindDeleteText {
				last.Text += c.Text
			} else {
				*last = Delete(last.Len() + c.Len())
			}
			return
		}
	}
	b.op = append(b.op, c)
}

// done drops the trailing skip (there is at most one: skips merge) and returns the op, never nil,
// so that it encodes as [] like the reference's.
func (b *builder) done() Op {
	if n := len(b.op); n > 0 && b.op[n-1].Kind == KindSkip {
		b.op = b.op[:n-1]
	}
	if b.op == nil {
		return Op{}
	}
	return b.op
}

// Normalize returns op in canonical form: empty components dropped, adjacent components of one
// kind merged, the trailing skip removed. Like the reference it does not validate op: an op that
// Check rejects for negative lengths may still be rejected after Normalize.
func Normalize(op Op) Op {
	var b builder
	for _, c := range op {
		b.push(c)
	}
	return b.done()
}

// runeOffset returns the byte offset in s after n code points, or len(s) if s has fewer. It
// counts like utf8.RuneCountInString, also on invalid UTF-8, so lengths and cuts agree.
func runeOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// runeSlice returns the code points [from, to) of s, clamped to s like the reference's uniSlice.
func runeSlice(s string, from, to int) string {
	if to <= from {
		return ""
	}
	start := runeOffset(s, from)
	s = s[start:]
	return s[:runeOffset(s, to-from)]
}
