package ot

// Side breaks the tie when two concurrent ops insert at the same position: the Left op's text
// comes first. The two ends of a transformation must use opposite sides, so that they agree on
// the order; which op is Left is the caller's (the server protocol's) convention.
type Side uint8

const (
	Left  Side = iota + 1 // op's inserts go before other's at the same position
	Right                 // op's inserts go after other's at the same position
)

func (s Side) String() string {
	switch s {
	case Left:
		return "left"
	case Right:
		return "right"
	}
	return "invalid side"
}

// unsplit names the component kind that reader.take hands out whole, whatever length is asked:
// transform never splits inserts (inserted text is not in the other op's document) and compose
// never splits the first op's deletes (deleted text is not in the second op's document).
type unsplit uint8

const (
	unsplitInserts unsplit = iota + 1
	unsplitDeletes
)

// reader walks an op component by component, handing out pieces of the component under it as
// transform and compose consume the op being rewritten. Past the end the op skips forever.
type reader struct {
	op  Op
	i   int // the current component
	off int // how much of op[i] was handed out: code points for N, bytes for Text
}

// peek returns the kind of the current component, 0 past the end.
func (r *reader) peek() Kind {
	if r.i >= len(r.op) {
		return 0
	}
	return r.op[r.i].Kind
}

// rest returns what is left of the current component and moves to the next one; ok is false
// past the end.
func (r *reader) rest() (c Component, ok bool) {
	if r.i >= len(r.op) {
		return Component{}, false
	}
	c = r.op[r.i]
	switch c.Kind {
	case KindSkip, KindDelete:
		c.N -= r.off
	default:
		c.Text = c.Text[r.off:]
	}
	r.i, r.off = r.i+1, 0
	return c, true
}

// take returns at most n code points from the current component, except that components of the
// unsplit kind come whole (and may be longer). Past the end it returns Skip(n).
func (r *reader) take(n int, keep unsplit) Component {
	if r.i >= len(r.op) {
		return Skip(n)
	}
	c := r.op[r.i]
	whole := (keep == unsplitInserts && c.Kind == KindInsert) || (keep == unsplitDeletes && c.IsDelete())
	if whole {
		c, _ = r.rest()
		return c
	}
	switch c.Kind {
	case KindSkip, KindDelete:
		if c.N-r.off <= n {
			c, _ = r.rest()
			return c
		}
		r.off += n
		return Component{Kind: c.Kind, N: n}
	default: // text: cut after n code points
		left := c.Text[r.off:]
		cut := runeOffset(left, n)
		if cut == len(left) {
			c, _ = r.rest()
			return c
		}
		r.off += cut
		return Component{Kind: c.Kind, Text: left[:cut]}
	}
}

// Transform rewrites op, made concurrently with other on the same document, so that it applies
// after other and keeps its intent: apply(apply(d, other), Transform(op, other, s)) equals
// apply(apply(d, op), Transform(other, op, opposite s)). side says whose insert goes first when
// both insert at the same position. Text that other deleted is not deleted again; text op inserts
// inside a range other deleted survives. Both ops must pass Check; the result is normalized.
func Transform(op, other Op, side Side) (Op, error) {
	if side != Left && side != Right {
		return nil, ErrBadSide
	}
	if err := Check(op); err != nil {
		return nil, err
	}
	if err := Check(other); err != nil {
		return nil, err
	}
	r := reader{op: op}
	var out builder
	for _, c := range other {
		switch c.Kind {
		case KindSkip:
			// Copy op over the text other skips. op's inserts take no room in other's document.
			for n := c.N; n > 0; {
				piece := r.take(n, unsplitInserts)
				out.push(piece)
				if piece.Kind != KindInsert {
					n -= piece.Len()
				}
			}
		case KindInsert:
			// On the left, op's insert at this very position goes first; either way op must skip
			// the text other inserted.
			if side == Left && r.peek() == KindInsert {
				piece, _ := r.rest()
				out.push(piece)
			}
			out.push(Skip(c.Len()))
		default:
			// other deleted this text: op's skips and deletes of it vanish, its inserts stay.
			for n := c.Len(); n > 0; {
				piece := r.take(n, unsplitInserts)
				if piece.Kind == KindInsert {
					out.push(piece)
				} else {
					n -= piece.Len()
				}
			}
		}
	}
	for {
		piece, ok := r.rest()
		if !ok {
			break
		}
		out.push(piece)
	}
	return out.done(), nil
}

// Compose returns one op with the effect of a followed by b (b applies to the result of a):
// apply(d, Compose(a, b)) equals apply(apply(d, a), b). Both must pass Check; the result is
// normalized, and keeps deleted text wherever both inputs had it.
func Compose(a, b Op) (Op, error) {
	if err := Check(a); err != nil {
		return nil, err
	}
	if err := Check(b); err != nil {
		return nil, err
	}
	r := reader{op: a}
	var out builder
	for _, c := range b {
		switch c.Kind {
		case KindSkip:
			// Keep a's changes over the text b skips. a's deletes take no room in b's document.
			for n := c.N; n > 0; {
				piece := r.take(n, unsplitDeletes)
				out.push(piece)
				if !piece.IsDelete() {
					n -= piece.Len()
				}
			}
		case KindInsert:
			out.push(c)
		default:
			// b deletes n code points of a's result: text a inserted just disappears, text a
			// skipped is deleted (with b's deleted text, if b has it), a's own deletes stay.
			n := c.Len()
			for done := 0; done < n; {
				piece := r.take(n-done, unsplitDeletes)
				switch piece.Kind {
				case KindSkip:
					out.push(deletePart(c, done, done+piece.N))
					done += piece.N
				case KindInsert:
					done += piece.Len()
				default:
					out.push(piece)
				}
			}
		}
	}
	for {
		piece, ok := r.rest()
		if !ok {
			break
		}
		out.push(piece)
	}
	return out.done(), nil
}

// deletePart returns the code points [from, to) of delete c, in c's form.
func deletePart(c Component, from, to int) Component {
	if c.Kind == KindDelete {
		return Delete(min(c.N, to) - from)
	}
	return DeleteText(runeSlice(c.Text, from, to))
}

// Selection is a range in a document, as [anchor, focus] code point positions; focus may come
// before anchor. A cursor is a selection with anchor == focus, or just a position (see
// TransformPosition).
type Selection [2]int

// TransformPosition moves a cursor at code point pos through op. A cursor inside deleted text
// moves to where the deletion happened; text inserted at the cursor's own position goes after it
// (the reference has no side argument: the cursor stays before the insert). Like the reference it
// does not validate op.
func TransformPosition(pos int, op Op) int {
	at := 0 // how far op has been walked, in the transformed document
	for i := 0; i < len(op) && pos > at; i++ {
		c := op[i]
		switch c.Kind {
		case KindSkip:
			at += c.N
		case KindInsert:
			n := c.Len()
			at += n
			pos += n
		default:
			pos -= min(c.Len(), pos-at)
		}
	}
	return pos
}

// TransformSelection moves both ends of s through op, as TransformPosition.
func TransformSelection(s Selection, op Op) Selection {
	return Selection{TransformPosition(s[0], op), TransformPosition(s[1], op)}
}
