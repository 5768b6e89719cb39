package ot

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Doc is a text document that ops apply to in place. Applying an op must not copy the whole text
// (a Chairman's Report runs to tens of thousands of characters and gets an op per keystroke), so
// the text lives in a B+ tree: leaves hold up to maxLeaf bytes of UTF-8, and every node knows how
// many code points and bytes are under it. Finding a code point position walks one path from the
// root, adding up counts (O(log n)); editing there copies at most one leaf (O(maxLeaf)). All
// leaves are at the same depth.
//
// A Doc is not safe for concurrent use. The zero Doc is an empty document.
type Doc struct {
	root *node // nil in the zero Doc: see tree
}

const (
	// maxLeaf bounds a leaf: inserting into one moves at most this many bytes. A leaf that would
	// grow past it splits.
	maxLeaf = 1024
	// maxChildren bounds an internal node: locating a position scans at most this many counts
	// per level. A node that would grow past it splits.
	maxChildren = 32
	// Nodes made by splitting or building are filled to about three quarters, leaving room for
	// typing before the next split.
	fillLeaf     = maxLeaf * 3 / 4
	fillChildren = maxChildren * 3 / 4
)

type node struct {
	leaf     bool
	runes    int     // code points under this node
	bytes    int     // UTF-8 bytes under this node
	children []*node // internal node: its children, all of the same height
	text     []byte  // leaf: the text, valid UTF-8
}

// NewDoc returns a document holding s. Invalid UTF-8 in s is replaced by U+FFFD, so that every
// position counts whole code points.
func NewDoc(s string) *Doc {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return &Doc{root: buildTree(leavesOf([]byte(s)))}
}

// tree returns the root, making the empty leaf of a zero Doc.
func (d *Doc) tree() *node {
	if d.root == nil {
		d.root = newLeaf(nil)
	}
	return d.root
}

// Len returns the length of the document in code points.
func (d *Doc) Len() int { return d.tree().runes }

// String returns the text of the document.
func (d *Doc) String() string {
	var b strings.Builder
	b.Grow(d.tree().bytes)
	d.root.writeAll(&b)
	return b.String()
}

// Slice returns the code points [start, end) of the document, clamped to it as the reference's
// slice does: out-of-range positions are moved to the nearest end, and end <= start gives "".
func (d *Doc) Slice(start, end int) string {
	n := d.Len()
	start, end = max(0, min(start, n)), max(0, min(end, n))
	if end <= start {
		return ""
	}
	return string(d.root.appendRange(nil, start, end))
}

// Apply applies op to the document in place. op must pass Check, and may not skip past the end
// of the document (ErrOpTooLong); as in the reference, deletes past the end stop at the end, and
// the text of a {"d": text} delete is not compared with the document. On error the document is
// unchanged.
func (d *Doc) Apply(op Op) error {
	if err := Check(op); err != nil {
		return err
	}
	// A skip past the end is the only failure left. Find it before changing anything, so that a
	// failed Apply leaves the document as it was.
	pos, n := 0, d.Len()
	for i, c := range op {
		switch c.Kind {
		case KindSkip:
			if c.N > n-pos {
				return &ApplyError{Index: i, Pos: pos + c.N, Len: n}
			}
			pos += c.N
		case KindDelete, KindDeleteText:
			pos += min(c.Len(), n-pos)
		}
	}
	pos = 0
	for _, c := range op {
		switch c.Kind {
		case KindSkip:
			pos += c.N
		case KindInsert:
			pos += d.insert(pos, c.Text)
		default:
			d.delete(pos, pos+min(c.Len(), d.Len()-pos))
		}
	}
	return nil
}

// ApplyError is ErrOpTooLong with the details: component Index skips to Pos in a document of Len
// code points.
type ApplyError struct {
	Index, Pos, Len int
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("%v: component %d skips to %d, the document has %d code points", ErrOpTooLong, e.Index, e.Pos, e.Len)
}

func (e *ApplyError) Unwrap() error { return ErrOpTooLong }

// ApplyString applies op to s and returns the result: a convenience for short texts and tests.
func ApplyString(s string, op Op) (string, error) {
	d := NewDoc(s)
	if err := d.Apply(op); err != nil {
		return "", err
	}
	return d.String(), nil
}

// insert puts s at code point pos (0 <= pos <= Len) and returns its length in code points.
func (d *Doc) insert(pos int, s string) int {
	nr := utf8.RuneCountInString(s)
	if nr == 0 {
		return 0
	}
	if extra := d.root.insert(pos, s, nr); extra != nil {
		// The root split: the tree grows a level (or more, for a very long insert).
		d.root = buildTree(append([]*node{d.root}, extra...))
	}
	return nr
}

// delete removes code points [start, end) (0 <= start <= end <= Len).
func (d *Doc) delete(start, end int) {
	if start >= end {
		return
	}
	d.root.delete(start, end)
	// Shrink the tree when the root is left with one child, or none.
	for !d.root.leaf && len(d.root.children) == 1 {
		d.root = d.root.children[0]
	}
	if !d.root.leaf && len(d.root.children) == 0 {
		d.root = newLeaf(nil)
	}
}

func newLeaf(text []byte) *node {
	buf := make([]byte, len(text), max(len(text), fillLeaf))
	copy(buf, text)
	return &node{leaf: true, runes: utf8.RuneCount(text), bytes: len(text), text: buf}
}

func newInternal(children []*node) *node {
	n := &node{children: make([]*node, len(children), maxChildren+1)}
	copy(n.children, children)
	n.recount()
	return n
}

func (n *node) recount() {
	n.runes, n.bytes = 0, 0
	for _, c := range n.children {
		n.runes += c.runes
		n.bytes += c.bytes
	}
}

// leavesOf cuts text into leaves about fillLeaf bytes long, at code point boundaries.
func leavesOf(text []byte) []*node {
	pieces := splitText(text, (len(text)+fillLeaf-1)/fillLeaf)
	leaves := make([]*node, len(pieces))
	for i, p := range pieces {
		leaves[i] = newLeaf(p)
	}
	return leaves
}

// splitText cuts text into k pieces of nearly equal size, at code point boundaries. It always
// returns at least one piece.
func splitText(text []byte, k int) [][]byte {
	if k <= 1 {
		return [][]byte{text}
	}
	pieces := make([][]byte, 0, k)
	start := 0
	for j := 1; j <= k; j++ {
		end := len(text) * j / k
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		if end > start {
			pieces = append(pieces, text[start:end])
		}
		start = end
	}
	return pieces
}

// group puts nodes of one height under parents of about fillChildren children each.
func group(nodes []*node) []*node {
	k := (len(nodes) + fillChildren - 1) / fillChildren
	parents := make([]*node, 0, k)
	start := 0
	for j := 1; j <= k; j++ {
		end := len(nodes) * j / k
		parents = append(parents, newInternal(nodes[start:end]))
		start = end
	}
	return parents
}

// buildTree stacks levels of parents over nodes of one height until one root remains.
func buildTree(nodes []*node) *node {
	for len(nodes) > 1 {
		nodes = group(nodes)
	}
	return nodes[0]
}

// byteOffset returns the byte offset of code point pos in a leaf.
func (n *node) byteOffset(pos int) int {
	if n.runes == len(n.text) {
		return pos // one byte per code point: no need to scan
	}
	for i, b := range n.text {
		if utf8.RuneStart(b) {
			if pos == 0 {
				return i
			}
			pos--
		}
	}
	return len(n.text)
}

// locate returns the child that holds code point pos of an internal node and pos within that
// child. A position between two children goes to the left one, so that typing at the end of a
// leaf appends to it.
func (n *node) locate(pos int) (int, int) {
	for i, c := range n.children {
		if pos <= c.runes {
			return i, pos
		}
		pos -= c.runes
	}
	last := len(n.children) - 1 // pos > n.runes: callers do not do that
	return last, n.children[last].runes
}

// insert puts s (nr code points) at code point pos under n. When n has to split, it keeps the
// first part and returns the new nodes that must follow it in its parent.
func (n *node) insert(pos int, s string, nr int) []*node {
	if n.leaf {
		off := n.byteOffset(pos) // before the counts change: it relies on them
		n.runes += nr
		n.bytes += len(s)
		if len(n.text)+len(s) <= maxLeaf {
			// Make room and copy s in: one memmove of the leaf's tail.
			old := len(n.text)
			n.text = append(n.text, s...)
			copy(n.text[off+len(s):], n.text[off:old])
			copy(n.text[off:], s)
			return nil
		}
		joined := make([]byte, 0, len(n.text)+len(s))
		joined = append(append(append(joined, n.text[:off]...), s...), n.text[off:]...)
		leaves := leavesOf(joined)
		*n = *leaves[0]
		return leaves[1:]
	}
	n.runes += nr
	n.bytes += len(s)
	i, rel := n.locate(pos)
	extra := n.children[i].insert(rel, s, nr)
	if extra == nil {
		return nil
	}
	n.children = slices.Insert(n.children, i+1, extra...)
	if len(n.children) <= maxChildren {
		return nil
	}
	parts := group(n.children)
	*n = *parts[0]
	return parts[1:]
}

// delete removes code points [start, end) under n (0 <= start < end <= n.runes) and returns the
// number of bytes removed. Children wholly inside the range are dropped without being visited.
func (n *node) delete(start, end int) int {
	if n.leaf {
		bs := n.byteOffset(start)
		be := n.byteOffset(end)
		n.text = append(n.text[:bs], n.text[be:]...)
		n.runes -= end - start
		n.bytes -= be - bs
		return be - bs
	}
	removed := 0
	kept := n.children[:0] // filtered in place: writes never overtake reads
	off := 0
	for _, c := range n.children {
		cs, ce := off, off+c.runes
		off = ce
		switch {
		case ce <= start || cs >= end:
			kept = append(kept, c)
		case start <= cs && ce <= end:
			removed += c.bytes
		default:
			removed += c.delete(max(start, cs)-cs, min(end, ce)-cs)
			kept = append(kept, c)
		}
	}
	clear(n.children[len(kept):]) // let dropped subtrees be collected
	n.children = kept
	n.runes -= end - start
	n.bytes -= removed
	n.mergeSmallChildren()
	return removed
}

// mergeSmallChildren joins neighbouring children when one of them has shrunk to under a quarter
// of its capacity and both fit in one node, so that deleting text does not leave a tree of
// near-empty nodes. Requiring a small one avoids merging two halves that an insert would split
// again at once.
func (n *node) mergeSmallChildren() {
	if len(n.children) < 2 {
		return
	}
	out := n.children[:1]
	for _, c := range n.children[1:] {
		prev := out[len(out)-1]
		if prev.leaf {
			if (prev.bytes < maxLeaf/4 || c.bytes < maxLeaf/4) && prev.bytes+c.bytes <= maxLeaf {
				prev.text = append(prev.text, c.text...)
				prev.runes += c.runes
				prev.bytes += c.bytes
				continue
			}
		} else if (len(prev.children) < maxChildren/4 || len(c.children) < maxChildren/4) &&
			len(prev.children)+len(c.children) <= maxChildren {
			prev.children = append(prev.children, c.children...)
			prev.runes += c.runes
			prev.bytes += c.bytes
			continue
		}
		out = append(out, c)
	}
	clear(n.children[len(out):])
	n.children = out
}

func (n *node) writeAll(b *strings.Builder) {
	if n.leaf {
		b.Write(n.text)
		return
	}
	for _, c := range n.children {
		c.writeAll(b)
	}
}

// appendRange appends code points [start, end) under n (0 <= start < end <= n.runes).
func (n *node) appendRange(b []byte, start, end int) []byte {
	if n.leaf {
		return append(b, n.text[n.byteOffset(start):n.byteOffset(end)]...)
	}
	off := 0
	for _, c := range n.children {
		cs, ce := off, off+c.runes
		off = ce
		if ce <= start {
			continue
		}
		if cs >= end {
			break
		}
		b = c.appendRange(b, max(start, cs)-cs, min(end, ce)-cs)
	}
	return b
}
