package reports

import (
	"testing"
	"time"

	"plenary/documents/ot"
)

func TestReplaceOpTurnsOneTextIntoTheOther(t *testing.T) {
	for _, tc := range []struct{ cur, want string }{
		{"", ""},
		{"", "نص عربي"},
		{"Hello world", ""},
		{"Hello world", "Hello brave world"},
		{"a👩‍👩‍👧b", "a👩‍👩‍👦b"},
		{"same", "same"},
		{"aaaa", "aa"},
		{"1. 中文段落\n2. x", "1. 中文\n2. x"},
	} {
		op := replaceOp(tc.cur, tc.want)
		d := ot.NewDoc(tc.cur)
		if err := d.Apply(op); err != nil {
			t.Fatalf("%q → %q: %v applying %v", tc.cur, tc.want, err, op)
		}
		if got := d.String(); got != tc.want {
			t.Errorf("%q → %q: op %v gives %q", tc.cur, tc.want, op, got)
		}
		if tc.cur == tc.want && !op.IsNoop() {
			t.Errorf("%q unchanged: op %v, want none", tc.cur, op)
		}
	}
}

func TestTimelineFoldsBurstsOfEditing(t *testing.T) {
	t0 := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC).UnixMilli()
	minute := time.Minute.Milliseconds()
	ops := []*storedOp{
		{V: 0, User: "sec", TS: t0, Create: true},
		{V: 1, User: "chair", TS: t0 + minute, Op: ot.Op{ot.Insert("Hello")}},
		{V: 2, User: "drafter", TS: t0 + 2*minute, Op: ot.Op{ot.Skip(5), ot.Insert(" wörld")}},
		{V: 3, User: "chair", TS: t0 + 3*minute, Op: ot.Op{ot.Delete(1)}},
		// Ten minutes of silence: a new entry.
		{V: 4, User: "chair", TS: t0 + 13*minute, Op: ot.Op{ot.Insert("نص")}, Restored: 2},
	}
	var tl timeline
	for _, o := range ops {
		tl.fold(o)
	}
	tl.fold(ops[2]) // folded already: ignored
	if len(tl.entries) != 3 || tl.upto != 5 {
		t.Fatalf("entries %+v upto %d, want 3 entries up to 5", tl.entries, tl.upto)
	}
	created, burst, later := tl.entries[0], tl.entries[1], tl.entries[2]
	if !created.Created || created.From != 0 || created.To != 1 {
		t.Errorf("creation entry %+v", created)
	}
	if burst.From != 1 || burst.To != 4 || burst.Start != t0+minute || burst.End != t0+3*minute || len(burst.Authors) != 2 {
		t.Fatalf("burst %+v", burst)
	}
	if c := burst.Authors[0]; c.User != "chair" || c.Ops != 2 || c.Inserted != 5 || c.Deleted != 1 {
		t.Errorf("chair in burst %+v", c)
	}
	if d := burst.Authors[1]; d.User != "drafter" || d.Ops != 1 || d.Inserted != 6 || d.Deleted != 0 {
		t.Errorf("drafter in burst %+v", d)
	}
	if later.From != 4 || later.To != 5 || later.Restored != 2 || later.Authors[0].Inserted != 2 {
		t.Errorf("later entry %+v", later)
	}
	// The stored copy does not change as the fold goes on.
	stored := tl.copyEntries()
	tl.fold(&storedOp{V: 5, User: "other", TS: t0 + 14*minute, Op: ot.Op{ot.Insert("x")}})
	tl.fold(&storedOp{V: 6, User: "chair", TS: t0 + 14*minute, Op: ot.Op{ot.Insert("y")}})
	if len(stored) != 3 || len(stored[2].Authors) != 1 || stored[2].To != 5 {
		t.Errorf("copy changed with the fold: %+v", stored)
	}
	// A restore is an entry of its own: the edits after it start the next one.
	if len(tl.entries) != 4 || tl.entries[3].From != 5 || tl.entries[3].To != 7 || len(tl.entries[3].Authors) != 2 {
		t.Errorf("after the restore: %+v", tl.entries)
	}
}

func TestTimelineSplitsLongSessions(t *testing.T) {
	var tl timeline
	t0 := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC).UnixMilli()
	for i := range int64(200) { // an op a minute for 200 minutes
		tl.fold(&storedOp{V: i + 1, User: "chair", TS: t0 + i*time.Minute.Milliseconds(), Op: ot.Op{ot.Insert("x")}})
	}
	if len(tl.entries) != 4 { // at most an hour each: 61 + 61 + 61 + 17 minutes
		t.Fatalf("%d entries, want 4: %+v", len(tl.entries), tl.entries)
	}
}
