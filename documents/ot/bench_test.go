package ot

import (
	"strings"
	"testing"
)

// BenchmarkApplyTyping: one keystroke per op in the middle of a 50,000 character document, the
// shape of the S4 trace (bench/ot replays the real one).
func BenchmarkApplyTyping(b *testing.B) {
	d := NewDoc(strings.Repeat("Chair's report, item 3. مرحبا 你好 👩‍👩‍👧\n", 1200))
	ops := []Op{{Skip(25000), Insert("x")}, {Skip(25001), Insert("é")}, {Skip(25001), Delete(1)}, {Skip(25000), DeleteText("x")}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := d.Apply(ops[i%len(ops)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransform(b *testing.B) {
	x := Op{Skip(100), Insert("hello"), Skip(20), Delete(5), Insert("👩‍👩‍👧")}
	y := Op{Skip(90), DeleteText("abcdefghijklmnop"), Insert("x"), Skip(40), Insert("y")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Transform(x, y, Left); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(`[1234,{"d":3},"Chair's report, item 3",{"d":"مرحبا"}]`)
	b.ReportAllocs()
	for b.Loop() {
		var op Op
		if err := op.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
