package ot

import "fmt"

// Undo. An op with {"d": N} deletes does not say what it deleted, so it cannot be inverted on its
// own: MakeInvertible fills in the deleted text from the document the op applies to, and Invert
// then swaps inserts and deletes.

// MakeInvertible returns op with every {"d": N} replaced by {"d": text}, the text taken from doc,
// the document op applies to; the result is normalized. As in the reference, a delete past the end
// of doc keeps only the text that is there, and op is not validated.
func MakeInvertible(op Op, doc *Doc) Op {
	var b builder
	pos := 0 // position in doc
	for _, c := range op {
		switch c.Kind {
		case KindDelete:
			b.push(DeleteText(doc.Slice(pos, pos+c.N)))
			pos += c.N
		case KindInsert:
			b.push(c)
		default:
			b.push(c)
			pos += c.Len()
		}
	}
	return b.done()
}

// IsInvertible reports whether op holds the text of all its deletes, so that Invert can undo it.
func IsInvertible(op Op) bool {
	for _, c := range op {
		if c.Kind == KindDelete {
			return false
		}
	}
	return true
}

// Invert returns the op that undoes op: applied to the result of op, it gives back the document
// op was applied to. Inserts become deletes (with their text) and text deletes become inserts; a
// {"d": N} delete is ErrNotInvertible. The result is normalized.
func Invert(op Op) (Op, error) {
	var b builder
	for i, c := range op {
		switch c.Kind {
		case KindDelete:
			return nil, fmt.Errorf("component %d: %w", i, ErrNotInvertible)
		case KindDeleteText:
			b.push(Insert(c.Text))
		case KindInsert:
			b.push(DeleteText(c.Text))
		default:
			b.push(c)
		}
	}
	return b.done(), nil
}

// InvertWithDoc is Invert(MakeInvertible(op, doc)): the undo of op, which applies to doc.
func InvertWithDoc(op Op, doc *Doc) (Op, error) { return Invert(MakeInvertible(op, doc)) }

// StripInvertible returns op with the deleted text dropped ({"d": text} becomes {"d": N}), for
// storage or sending when undo information is not wanted. The result is normalized.
func StripInvertible(op Op) Op {
	var b builder
	for _, c := range op {
		if c.Kind == KindDeleteText {
			c = Delete(c.Len())
		}
		b.push(c)
	}
	return b.done()
}
