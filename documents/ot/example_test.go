package ot_test

import (
	"encoding/json"
	"fmt"

	"plenary/documents/ot"
)

// Two chairs edit the same sentence at once; each side transforms the other's op and both end
// with the same text.
func Example() {
	doc := "Agenda: item 3"
	var a, b ot.Op
	_ = json.Unmarshal([]byte(`[8,"👩‍👩‍👧 "]`), &a)        // chair A inserts before "item"
	_ = json.Unmarshal([]byte(`[8,{"d":4},"point"]`), &b) // chair B replaces "item"

	d1 := ot.NewDoc(doc)
	_ = d1.Apply(a)
	b2, _ := ot.Transform(b, a, ot.Left)
	_ = d1.Apply(b2)

	d2 := ot.NewDoc(doc)
	_ = d2.Apply(b)
	a2, _ := ot.Transform(a, b, ot.Right)
	_ = d2.Apply(a2)

	fmt.Println(d1.String())
	fmt.Println(d2.String())
	fmt.Println(b2, a2)
	// Output:
	// Agenda: 👩‍👩‍👧 point 3
	// Agenda: 👩‍👩‍👧 point 3
	// [14,{"d":4},"point"] [8,"👩‍👩‍👧 "]
}

// Undo: make the op invertible against the document it applies to, then invert it.
func ExampleInvert() {
	d := ot.NewDoc("Report draft")
	op := ot.Op{ot.Skip(7), ot.Delete(5), ot.Insert("final")}
	undo, _ := ot.Invert(ot.MakeInvertible(op, d))
	_ = d.Apply(op)
	fmt.Println(d.String(), undo)
	_ = d.Apply(undo)
	fmt.Println(d.String())
	// Output:
	// Report final [7,"draft",{"d":"final"}]
	// Report draft
}
