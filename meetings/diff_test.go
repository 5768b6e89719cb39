package meetings

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Builders for small agendas.

func dSess(id, title string, items ...Item) Session {
	return Session{ID: id, Title: title, Start: "2006-05-15T09:30", End: "2006-05-15T12:30", Items: items}
}

func dItem(id, title string) Item {
	return Item{ID: id, Kind: KindItem, Title: title, Duration: 10}
}

func dAgenda(sessions ...Session) Agenda { return Agenda{Sessions: sessions} }

// diffThreeSessions is a base agenda: A(a1, a2), B(b1), C(c1, c2, c3). Every call returns fresh slices.
func diffThreeSessions() Agenda {
	return dAgenda(
		dSess("A", "Opening", dItem("a1", "Welcome"), dItem("a2", "Keynote")),
		dSess("B", "Plenary", dItem("b1", "Reports")),
		dSess("C", "Closing", dItem("c1", "Summary"), dItem("c2", "Next steps"), dItem("c3", "Close")),
	)
}

// diffSessionLabels lists the diff's sessions as "id:change", with "+moved" when moved.
func diffSessionLabels(d AgendaDiff) []string {
	var out []string
	for _, s := range d.Sessions {
		out = append(out, diffLabel(s.ID, s.Change, s.Moved))
	}
	return out
}

// diffItemLabels lists a diff session's items the same way.
func diffItemLabels(s SessionDiff) []string {
	var out []string
	for _, it := range s.Items {
		out = append(out, diffLabel(it.ID, it.Change, it.Moved))
	}
	return out
}

func diffLabel(id, change string, moved bool) string {
	if moved && change != DiffMoved {
		return id + ":" + change + "+moved"
	}
	return id + ":" + change
}

func diffFindSession(t *testing.T, d AgendaDiff, id string) SessionDiff {
	t.Helper()
	for _, s := range d.Sessions {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("session %q not in diff %v", id, diffSessionLabels(d))
	return SessionDiff{}
}

func diffFindItem(t *testing.T, s SessionDiff, id string) ItemDiff {
	t.Helper()
	for _, it := range s.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("item %q not in session %q: %v", id, s.ID, diffItemLabels(s))
	return ItemDiff{}
}

func diffWantStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func diffWantCounts(t *testing.T, got, want DiffCounts) {
	t.Helper()
	if got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

func TestDiffAgendas(t *testing.T) {
	tests := []struct {
		name  string
		old   Agenda
		new   func() Agenda
		check func(t *testing.T, d AgendaDiff)
	}{
		{
			name: "identical agendas, revisions differ",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions[1].Revision = 7 // revision is not a visible change
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:unchanged", "B:unchanged", "C:unchanged"})
				for i, s := range d.Sessions {
					if s.Number != i+1 || s.OldNumber != i+1 || len(s.Fields) != 0 {
						t.Errorf("session %s: number %d old %d fields %v", s.ID, s.Number, s.OldNumber, s.Fields)
					}
					for j, it := range s.Items {
						if it.Change != DiffUnchanged || it.Moved || it.Position != j+1 || it.OldPosition != j+1 {
							t.Errorf("item %s: %+v", it.ID, it)
						}
					}
				}
				diffWantStrings(t, "C items", diffItemLabels(diffFindSession(t, d, "C")), []string{"c1:unchanged", "c2:unchanged", "c3:unchanged"})
				diffWantCounts(t, d.Counts, DiffCounts{})
			},
		},
		{
			name: "session added at top",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions = slices.Insert(a.Sessions, 0, dSess("X", "Early", dItem("x1", "Coffee")))
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"X:added", "A:unchanged", "B:unchanged", "C:unchanged"})
				x := diffFindSession(t, d, "X")
				if x.Number != 1 || x.OldNumber != 0 || x.Title != "Early" {
					t.Errorf("X = %+v", x)
				}
				diffWantStrings(t, "X items", diffItemLabels(x), []string{"x1:added"})
				if c := diffFindSession(t, d, "C"); c.Number != 4 || c.OldNumber != 3 {
					t.Errorf("C number %d old %d, want 4 and 3", c.Number, c.OldNumber)
				}
				// The session and its item are added; nothing moved.
				diffWantCounts(t, d.Counts, DiffCounts{Added: 2})
			},
		},
		{
			name: "two sessions swapped",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions[0], a.Sessions[1] = a.Sessions[1], a.Sessions[0]
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				moved := 0
				for _, s := range d.Sessions {
					if s.Moved {
						moved++
						if s.Change != DiffMoved {
							t.Errorf("moved session %s has change %q", s.ID, s.Change)
						}
					} else if s.Change != DiffUnchanged {
						t.Errorf("session %s has change %q", s.ID, s.Change)
					}
				}
				if moved != 1 {
					t.Errorf("%d sessions moved, want exactly 1: %v", moved, diffSessionLabels(d))
				}
				ids := []string{d.Sessions[0].ID, d.Sessions[1].ID, d.Sessions[2].ID}
				diffWantStrings(t, "order", ids, []string{"B", "A", "C"})
				diffWantCounts(t, d.Counts, DiffCounts{Moved: 1})
			},
		},
		{
			name: "session removed stays in place",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions = slices.Delete(a.Sessions, 1, 2)
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:unchanged", "B:removed", "C:unchanged"})
				b := diffFindSession(t, d, "B")
				if b.Number != 0 || b.OldNumber != 2 || b.Title != "Plenary" {
					t.Errorf("B = %+v", b)
				}
				diffWantStrings(t, "B items", diffItemLabels(b), []string{"b1:removed"})
				if it := b.Items[0]; it.Position != 0 || it.OldPosition != 1 || it.Title != "Reports" {
					t.Errorf("b1 = %+v", it)
				}
				if c := diffFindSession(t, d, "C"); c.Number != 2 || c.OldNumber != 3 {
					t.Errorf("C number %d old %d, want 2 and 3", c.Number, c.OldNumber)
				}
				diffWantCounts(t, d.Counts, DiffCounts{Removed: 2})
			},
		},
		{
			name: "first session removed",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions = a.Sessions[1:]
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:removed", "B:unchanged", "C:unchanged"})
			},
		},
		{
			name: "session title and chairs changed",
			old: func() Agenda {
				a := diffThreeSessions()
				a.Sessions[0].Chairs = []Person{{UserID: "u1", Name: "Ann Lee", Title: "Chair", Organization: "ITU"}}
				return a
			}(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions[0].Title = "Opening plenary"
				a.Sessions[0].Chairs = []Person{
					{UserID: "u1", Name: "Ann Lee", Title: "Chair", Organization: "ITU"},
					{Name: "Bo Chen", Title: "Vice-chair"},
					{Name: "Cy Dee"},
				}
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:changed", "B:unchanged", "C:unchanged"})
				a := diffFindSession(t, d, "A")
				want := []FieldChange{
					{Field: "title", Old: "Opening", New: "Opening plenary"},
					{Field: "chairs", Old: "Ann Lee (Chair, ITU)", New: "Ann Lee (Chair, ITU); Bo Chen (Vice-chair); Cy Dee"},
				}
				if !reflect.DeepEqual(a.Fields, want) {
					t.Errorf("fields = %+v, want %+v", a.Fields, want)
				}
				if a.Title != "Opening plenary" || a.Moved {
					t.Errorf("A = %+v", a)
				}
				diffWantStrings(t, "A items", diffItemLabels(a), []string{"a1:unchanged", "a2:unchanged"})
				diffWantCounts(t, d.Counts, DiffCounts{Changed: 1})
			},
		},
		{
			name: "other session fields changed",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				s := &a.Sessions[2]
				s.Start, s.End = "2006-05-16T14:00", "2006-05-16T17:30"
				s.Description = "Wrap-up"
				s.ArchiveURL = "https://example.org/rec/c"
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				want := []FieldChange{
					{Field: "start", Old: "2006-05-15T09:30", New: "2006-05-16T14:00"},
					{Field: "end", Old: "2006-05-15T12:30", New: "2006-05-16T17:30"},
					{Field: "description", Old: "", New: "Wrap-up"},
					{Field: "archive_url", Old: "", New: "https://example.org/rec/c"},
				}
				if got := diffFindSession(t, d, "C").Fields; !reflect.DeepEqual(got, want) {
					t.Errorf("fields = %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "chair account link alone is not a visible change",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions[0].Chairs = []Person{{UserID: "u9"}}
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:unchanged", "B:unchanged", "C:unchanged"})
			},
		},
		{
			name: "item moved between sessions",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a2 := a.Sessions[0].Items[1]
				a.Sessions[0].Items = a.Sessions[0].Items[:1]
				a.Sessions[1].Items = append(a.Sessions[1].Items, a2)
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:unchanged", "B:unchanged", "C:unchanged"})
				a, b := diffFindSession(t, d, "A"), diffFindSession(t, d, "B")
				diffWantStrings(t, "A items", diffItemLabels(a), []string{"a1:unchanged", "a2:moved"})
				diffWantStrings(t, "B items", diffItemLabels(b), []string{"b1:unchanged", "a2:moved"})
				left := diffFindItem(t, a, "a2")
				if left.ToSession != "B" || left.FromSession != "" || left.Position != 0 || left.OldPosition != 2 || !left.Moved {
					t.Errorf("placeholder in A = %+v", left)
				}
				arrived := diffFindItem(t, b, "a2")
				if arrived.FromSession != "A" || arrived.ToSession != "" || arrived.Position != 2 || arrived.OldPosition != 2 ||
					!arrived.Moved || len(arrived.Fields) != 0 || arrived.Title != "Keynote" {
					t.Errorf("a2 in B = %+v", arrived)
				}
				// Counted once although shown twice.
				diffWantCounts(t, d.Counts, DiffCounts{Moved: 1})
			},
		},
		{
			name: "item moved between sessions and changed",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				c1 := a.Sessions[2].Items[0]
				c1.Duration = 15
				a.Sessions[2].Items = a.Sessions[2].Items[1:]
				a.Sessions[0].Items = slices.Insert(a.Sessions[0].Items, 0, c1)
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				a, c := diffFindSession(t, d, "A"), diffFindSession(t, d, "C")
				diffWantStrings(t, "A items", diffItemLabels(a), []string{"c1:changed+moved", "a1:unchanged", "a2:unchanged"})
				diffWantStrings(t, "C items", diffItemLabels(c), []string{"c1:moved", "c2:unchanged", "c3:unchanged"})
				got := diffFindItem(t, a, "c1")
				want := []FieldChange{{Field: "duration", Old: "10", New: "15"}}
				if got.FromSession != "C" || got.Position != 1 || got.OldPosition != 1 || !reflect.DeepEqual(got.Fields, want) {
					t.Errorf("c1 in A = %+v", got)
				}
				if c.Items[1].Position != 1 || c.Items[1].OldPosition != 2 {
					t.Errorf("c2 = %+v", c.Items[1])
				}
				diffWantCounts(t, d.Counts, DiffCounts{Moved: 1, Changed: 1})
			},
		},
		{
			name: "item moved out of a removed session",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				a.Sessions[2].Items = append(a.Sessions[2].Items, a.Sessions[1].Items[0])
				a.Sessions = slices.Delete(a.Sessions, 1, 2)
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:unchanged", "B:removed", "C:unchanged"})
				diffWantStrings(t, "B items", diffItemLabels(diffFindSession(t, d, "B")), []string{"b1:moved"})
				if it := diffFindItem(t, diffFindSession(t, d, "C"), "b1"); it.FromSession != "B" || it.Position != 4 {
					t.Errorf("b1 in C = %+v", it)
				}
				diffWantCounts(t, d.Counts, DiffCounts{Removed: 1, Moved: 1})
			},
		},
		{
			name: "item reordered within its session",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				it := a.Sessions[2].Items
				a.Sessions[2].Items = []Item{it[2], it[0], it[1]} // c3 to the top
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				c := diffFindSession(t, d, "C")
				if c.Change != DiffUnchanged {
					t.Errorf("C change %q, want unchanged (item order is reported on items)", c.Change)
				}
				diffWantStrings(t, "C items", diffItemLabels(c), []string{"c3:moved", "c1:unchanged", "c2:unchanged"})
				if it := c.Items[0]; it.Position != 1 || it.OldPosition != 3 || it.FromSession != "" || it.ToSession != "" {
					t.Errorf("c3 = %+v", it)
				}
				diffWantCounts(t, d.Counts, DiffCounts{Moved: 1})
			},
		},
		{
			name: "item added and removed",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				it := a.Sessions[2].Items
				brk := Item{ID: "c4", Kind: KindBreak, Title: "Lunch", Duration: 60}
				a.Sessions[2].Items = []Item{it[0], it[2], brk}
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				c := diffFindSession(t, d, "C")
				diffWantStrings(t, "C items", diffItemLabels(c), []string{"c1:unchanged", "c2:removed", "c3:unchanged", "c4:added"})
				if it := c.Items[1]; it.Position != 0 || it.OldPosition != 2 || it.Title != "Next steps" || it.Kind != KindItem {
					t.Errorf("removed c2 = %+v", it)
				}
				if it := c.Items[3]; it.Position != 3 || it.OldPosition != 0 || it.Kind != KindBreak || it.Title != "Lunch" {
					t.Errorf("added c4 = %+v", it)
				}
				diffWantCounts(t, d.Counts, DiffCounts{Added: 1, Removed: 1})
			},
		},
		{
			name: "item fields rendered",
			old: func() Agenda {
				a := diffThreeSessions()
				it := &a.Sessions[1].Items[0]
				it.Speakers = []Person{{Name: "Dan Roe", Organization: "ETSI"}}
				it.Contributions = []string{"C5/2006/C/007"}
				return a
			}(),
			new: func() Agenda {
				a := diffThreeSessions()
				it := &a.Sessions[1].Items[0]
				it.Kind = KindBreak
				it.Title = "Reports and break"
				it.Speakers = []Person{{Name: "Dan Roe", Title: "Rapporteur", Organization: "ETSI"}, {Name: "Eve Fox"}}
				it.Duration = 45
				it.Contributions = []string{"C5/2006/C/007", "C5/2006/C/008"}
				it.Notes = "Bring copies"
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				b := diffFindSession(t, d, "B")
				want := []FieldChange{
					{Field: "kind", Old: "item", New: "break"},
					{Field: "title", Old: "Reports", New: "Reports and break"},
					{Field: "speakers", Old: "Dan Roe (ETSI)", New: "Dan Roe (Rapporteur, ETSI); Eve Fox"},
					{Field: "duration", Old: "10", New: "45"},
					{Field: "contributions", Old: "C5/2006/C/007", New: "C5/2006/C/007, C5/2006/C/008"},
					{Field: "notes", Old: "", New: "Bring copies"},
				}
				it := diffFindItem(t, b, "b1")
				if !reflect.DeepEqual(it.Fields, want) {
					t.Errorf("fields = %+v\nwant %+v", it.Fields, want)
				}
				if it.Change != DiffChanged || it.Moved || it.Kind != KindBreak || it.Title != "Reports and break" {
					t.Errorf("b1 = %+v", it)
				}
				if b.Change != DiffUnchanged {
					t.Errorf("B change %q, want unchanged", b.Change)
				}
				diffWantCounts(t, d.Counts, DiffCounts{Changed: 1})
			},
		},
		{
			name: "session moved and changed",
			old:  diffThreeSessions(),
			new: func() Agenda {
				a := diffThreeSessions()
				c := a.Sessions[2]
				c.Title = "Closing plenary"
				a.Sessions = []Session{c, a.Sessions[0], a.Sessions[1]}
				return a
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"C:changed+moved", "A:unchanged", "B:unchanged"})
				c := diffFindSession(t, d, "C")
				if c.Number != 1 || c.OldNumber != 3 || c.Title != "Closing plenary" {
					t.Errorf("C = %+v", c)
				}
				want := []FieldChange{{Field: "title", Old: "Closing", New: "Closing plenary"}}
				if !reflect.DeepEqual(c.Fields, want) {
					t.Errorf("fields = %+v, want %+v", c.Fields, want)
				}
				diffWantCounts(t, d.Counts, DiffCounts{Moved: 1, Changed: 1})
			},
		},
		{
			name: "removed session placed after its unmoved neighbour",
			old:  dAgenda(dSess("A", "A"), dSess("B", "B"), dSess("C", "C"), dSess("D", "D")),
			new: func() Agenda {
				// Remove B and move D to the top: B still shows between A and C.
				return dAgenda(dSess("D", "D"), dSess("A", "A"), dSess("C", "C"))
			},
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"D:moved", "A:unchanged", "B:removed", "C:unchanged"})
				diffWantCounts(t, d.Counts, DiffCounts{Removed: 1, Moved: 1})
			},
		},
		{
			name: "both empty",
			old:  Agenda{},
			new:  func() Agenda { return Agenda{Sessions: []Session{}} },
			check: func(t *testing.T, d AgendaDiff) {
				if d.Sessions == nil || len(d.Sessions) != 0 {
					t.Errorf("sessions = %#v, want an empty non-nil list", d.Sessions)
				}
				diffWantCounts(t, d.Counts, DiffCounts{})
			},
		},
		{
			name: "from empty",
			old:  Agenda{},
			new:  diffThreeSessions,
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:added", "B:added", "C:added"})
				diffWantStrings(t, "C items", diffItemLabels(diffFindSession(t, d, "C")), []string{"c1:added", "c2:added", "c3:added"})
				diffWantCounts(t, d.Counts, DiffCounts{Added: 3 + 6})
			},
		},
		{
			name: "to empty",
			old:  diffThreeSessions(),
			new:  func() Agenda { return Agenda{} },
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "sessions", diffSessionLabels(d), []string{"A:removed", "B:removed", "C:removed"})
				for i, s := range d.Sessions {
					if s.Number != 0 || s.OldNumber != i+1 {
						t.Errorf("session %s number %d old %d", s.ID, s.Number, s.OldNumber)
					}
				}
				diffWantStrings(t, "A items", diffItemLabels(diffFindSession(t, d, "A")), []string{"a1:removed", "a2:removed"})
				diffWantCounts(t, d.Counts, DiffCounts{Removed: 3 + 6})
			},
		},
		{
			name: "repeated ids still list every entry",
			old:  dAgenda(dSess("A", "One", dItem("x", "X1"), dItem("x", "X2"))),
			new:  func() Agenda { return dAgenda(dSess("A", "One", dItem("x", "X1"))) },
			check: func(t *testing.T, d AgendaDiff) {
				diffWantStrings(t, "A items", diffItemLabels(diffFindSession(t, d, "A")), []string{"x:unchanged", "x:removed"})
				diffWantCounts(t, d.Counts, DiffCounts{Removed: 1})
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, DiffAgendas(tc.old, tc.new()))
		})
	}
}

// TestDiffJSON pins the wire names the UI reads, and that lists are [] rather than null.
func TestDiffJSON(t *testing.T) {
	old := diffThreeSessions()
	nw := diffThreeSessions()
	nw.Sessions[1].Items = append(nw.Sessions[1].Items, old.Sessions[0].Items[1])
	nw.Sessions[0].Items = nw.Sessions[0].Items[:1]
	b, err := json.Marshal(DiffAgendas(old, nw))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, key := range []string{`"sessions":`, `"counts":{"added":0,"removed":0,"moved":1,"changed":0}`,
		`"old_number":`, `"number":`, `"fields":[]`, `"items":[`, `"position":`, `"old_position":`,
		`"from_session":"A"`, `"to_session":"B"`, `"kind":"item"`, `"change":"moved"`, `"moved":true`} {
		if !strings.Contains(s, key) {
			t.Errorf("JSON lacks %s: %s", key, s)
		}
	}
	if strings.Contains(s, "null") {
		t.Errorf("JSON has null: %s", s)
	}
}

// TestDiffRandomAgendas checks, on many random edits of random agendas, that the diff lists every
// session and item where it belongs and that the counts agree both with the lists and with an
// independent count taken from the agendas themselves.
func TestDiffRandomAgendas(t *testing.T) {
	rng := rand.New(rand.NewPCG(2006, 5))
	for round := range 2000 {
		old := diffRandomAgenda(rng)
		nw := diffRandomEdit(rng, old)
		diffCheck(t, old, nw, DiffAgendas(old, nw))
		if t.Failed() { // one failing round, shown in detail, is enough
			t.Fatalf("round %d:\nold %+v\nnew %+v", round, old, nw)
		}
	}
}

var (
	diffRandTitles = []string{"Opening", "Reports", "Break", "Closing"}
	diffRandPeople = []Person{{Name: "Ann Lee", Title: "Chair"}, {Name: "Bo Chen", Organization: "ITU"}, {Name: "Cy Dee"}}
	diffRandDocs   = []string{"C1", "C2", "C3"}
)

func diffRandomItem(rng *rand.Rand, id string) Item {
	it := Item{ID: id, Kind: KindItem, Title: diffRandTitles[rng.IntN(len(diffRandTitles))], Duration: 5 * rng.IntN(3)}
	if rng.IntN(4) == 0 {
		it.Kind = KindBreak
	}
	if rng.IntN(2) == 0 {
		it.Speakers = []Person{diffRandPeople[rng.IntN(len(diffRandPeople))]}
	}
	if rng.IntN(2) == 0 {
		it.Contributions = []string{diffRandDocs[rng.IntN(len(diffRandDocs))]}
	}
	return it
}

func diffRandomSession(rng *rand.Rand, id string) Session {
	s := Session{ID: id, Title: diffRandTitles[rng.IntN(len(diffRandTitles))], Start: "2006-05-15T09:30"}
	if rng.IntN(2) == 0 {
		s.Chairs = []Person{diffRandPeople[rng.IntN(len(diffRandPeople))]}
	}
	return s
}

// diffRandomAgenda has up to 7 sessions and up to 4 items in each, with unique ids.
func diffRandomAgenda(rng *rand.Rand) Agenda {
	var a Agenda
	next := 0
	for si := range rng.IntN(8) {
		s := diffRandomSession(rng, fmt.Sprint("s", si))
		for range rng.IntN(5) {
			s.Items = append(s.Items, diffRandomItem(rng, fmt.Sprint("i", next)))
			next++
		}
		a.Sessions = append(a.Sessions, s)
	}
	return a
}

// diffRandomEdit applies a few random edits of every kind to a deep copy of a.
func diffRandomEdit(rng *rand.Rand, a Agenda) Agenda {
	n := Agenda{}
	for _, s := range a.Sessions {
		s.Chairs = slices.Clone(s.Chairs)
		s.Items = slices.Clone(s.Items)
		n.Sessions = append(n.Sessions, s)
	}
	fresh := 0
	anySession := func() *Session {
		if len(n.Sessions) == 0 {
			return nil
		}
		return &n.Sessions[rng.IntN(len(n.Sessions))]
	}
	for range rng.IntN(6) {
		switch rng.IntN(9) {
		case 0: // remove a session
			if len(n.Sessions) > 0 {
				i := rng.IntN(len(n.Sessions))
				n.Sessions = slices.Delete(n.Sessions, i, i+1)
			}
		case 1: // add a session
			s := diffRandomSession(rng, fmt.Sprint("new-s", fresh))
			if rng.IntN(2) == 0 {
				s.Items = []Item{diffRandomItem(rng, fmt.Sprint("new-i", fresh))}
			}
			fresh++
			n.Sessions = slices.Insert(n.Sessions, rng.IntN(len(n.Sessions)+1), s)
		case 2: // move a session
			if len(n.Sessions) > 0 {
				i := rng.IntN(len(n.Sessions))
				s := n.Sessions[i]
				n.Sessions = slices.Delete(n.Sessions, i, i+1)
				n.Sessions = slices.Insert(n.Sessions, rng.IntN(len(n.Sessions)+1), s)
			}
		case 3: // change a session field (or only its revision)
			if s := anySession(); s != nil {
				switch rng.IntN(3) {
				case 0:
					s.Title = diffRandTitles[rng.IntN(len(diffRandTitles))]
				case 1:
					s.Chairs = append(s.Chairs, diffRandPeople[rng.IntN(len(diffRandPeople))])
				case 2:
					s.Revision++
				}
			}
		case 4: // remove an item
			if s := anySession(); s != nil && len(s.Items) > 0 {
				i := rng.IntN(len(s.Items))
				s.Items = slices.Delete(s.Items, i, i+1)
			}
		case 5: // add an item
			if s := anySession(); s != nil {
				s.Items = slices.Insert(s.Items, rng.IntN(len(s.Items)+1), diffRandomItem(rng, fmt.Sprint("new-i", fresh)))
				fresh++
			}
		case 6, 7: // move an item, within its session or to another
			from, to := anySession(), anySession()
			if from != nil && len(from.Items) > 0 {
				i := rng.IntN(len(from.Items))
				it := from.Items[i]
				from.Items = slices.Delete(from.Items, i, i+1)
				to.Items = slices.Insert(to.Items, rng.IntN(len(to.Items)+1), it)
			}
		case 8: // change an item field
			if s := anySession(); s != nil && len(s.Items) > 0 {
				it := &s.Items[rng.IntN(len(s.Items))]
				switch rng.IntN(3) {
				case 0:
					it.Duration += 5
				case 1:
					it.Notes += "!"
				case 2:
					it.Contributions = append(slices.Clone(it.Contributions), "C9")
				}
			}
		}
	}
	return n
}

// diffTestLoc is where an item is: its session's id and its position from 1.
type diffTestLoc struct {
	sess string
	pos  int
}

// diffOneTo is 1, 2, ..., n.
func diffOneTo(n int) []int {
	s := []int{}
	for i := 1; i <= n; i++ {
		s = append(s, i)
	}
	return s
}

// diffCheck verifies d against the agendas it was computed from.
func diffCheck(t *testing.T, old, nw Agenda, d AgendaDiff) {
	type loc = diffTestLoc
	oldSess, newSess := map[string]Session{}, map[string]Session{}
	oldItem, newItem := map[string]loc{}, map[string]loc{}
	oldItemVal, newItemVal := map[string]Item{}, map[string]Item{}
	for _, s := range old.Sessions {
		oldSess[s.ID] = s
		for p, it := range s.Items {
			oldItem[it.ID], oldItemVal[it.ID] = loc{s.ID, p + 1}, it
		}
	}
	for _, s := range nw.Sessions {
		newSess[s.ID] = s
		for p, it := range s.Items {
			newItem[it.ID], newItemVal[it.ID] = loc{s.ID, p + 1}, it
		}
	}

	// Independent expected counts, straight from the agendas.
	var want DiffCounts
	var commonNewIdx []int // new numbers of common sessions, in old order
	for _, s := range old.Sessions {
		if _, ok := newSess[s.ID]; !ok {
			want.Removed++
		}
	}
	for _, s := range old.Sessions {
		for ni, ns := range nw.Sessions {
			if ns.ID == s.ID {
				commonNewIdx = append(commonNewIdx, ni)
				if !diffSameSession(s, ns) {
					want.Changed++
				}
			}
		}
	}
	want.Moved += len(commonNewIdx) - diffBruteLIS(commonNewIdx)
	for _, s := range nw.Sessions {
		if _, ok := oldSess[s.ID]; !ok {
			want.Added++
		}
		var stayed []int // old positions of items that stayed in this session, in new order
		for _, it := range s.Items {
			ol, ok := oldItem[it.ID]
			switch {
			case !ok:
				want.Added++
				continue
			case ol.sess != s.ID:
				want.Moved++
			default:
				stayed = append(stayed, ol.pos)
			}
			if !diffSameItem(oldItemVal[it.ID], it) {
				want.Changed++
			}
		}
		want.Moved += len(stayed) - diffBruteLIS(stayed)
	}
	for id := range oldItem {
		if _, ok := newItem[id]; !ok {
			want.Removed++
		}
	}
	if d.Counts != want {
		t.Errorf("counts = %+v, want %+v", d.Counts, want)
	}

	// Counts agree with the lists (placeholders left out).
	var tally DiffCounts
	for _, s := range d.Sessions {
		tally.add(s.Change, s.Moved)
		for _, it := range s.Items {
			if it.ToSession == "" {
				tally.add(it.Change, it.Moved)
			}
		}
	}
	if tally != d.Counts {
		t.Errorf("counts %+v disagree with lists %+v", d.Counts, tally)
	}

	// Every session once, newer ones numbered in order, older unmoved and removed ones in old order.
	var numbers, oldNumbers, unmovedOld []int
	for _, s := range d.Sessions {
		if s.Number > 0 {
			numbers = append(numbers, s.Number)
		}
		if s.OldNumber > 0 {
			oldNumbers = append(oldNumbers, s.OldNumber)
			if !s.Moved {
				unmovedOld = append(unmovedOld, s.OldNumber)
			}
		}
		diffCheckSession(t, s, oldSess, newSess)
		for _, it := range s.Items {
			diffCheckItem(t, s.ID, it, oldItem, newItem, oldItemVal, newItemVal)
		}
	}
	if !slices.Equal(numbers, diffOneTo(len(nw.Sessions))) {
		t.Errorf("new numbers %v for %d sessions", numbers, len(nw.Sessions))
	}
	slices.Sort(oldNumbers)
	if !slices.Equal(oldNumbers, diffOneTo(len(old.Sessions))) {
		t.Errorf("old numbers %v for %d sessions", oldNumbers, len(old.Sessions))
	}
	if !slices.IsSorted(unmovedOld) {
		t.Errorf("unmoved and removed sessions out of old order: %v", unmovedOld)
	}

	// Every item once in its new session at its position, once in its old session at its old one.
	seenNew, seenOld := map[string]int{}, map[string]int{}
	for _, s := range d.Sessions {
		var positions []int
		for _, it := range s.Items {
			if it.Position > 0 {
				positions = append(positions, it.Position)
				if newItem[it.ID] != (loc{s.ID, it.Position}) {
					t.Errorf("item %s shown at %s/%d, is at %v", it.ID, s.ID, it.Position, newItem[it.ID])
				}
				seenNew[it.ID]++
			}
			if it.OldPosition > 0 && it.FromSession == "" {
				if oldItem[it.ID] != (loc{s.ID, it.OldPosition}) {
					t.Errorf("item %s shown at old %s/%d, was at %v", it.ID, s.ID, it.OldPosition, oldItem[it.ID])
				}
				seenOld[it.ID]++
			}
		}
		if !slices.IsSorted(positions) {
			t.Errorf("session %s item positions out of order: %v", s.ID, positions)
		}
	}
	for id := range newItem {
		if seenNew[id] != 1 {
			t.Errorf("new item %s shown %d times", id, seenNew[id])
		}
	}
	for id := range oldItem {
		if seenOld[id] != 1 {
			t.Errorf("old item %s shown %d times in its old session", id, seenOld[id])
		}
	}
}

func diffCheckSession(t *testing.T, s SessionDiff, oldSess, newSess map[string]Session) {
	o, inOld := oldSess[s.ID]
	n, inNew := newSess[s.ID]
	switch {
	case !inOld && !inNew:
		t.Errorf("session %s is in neither agenda", s.ID)
	case !inOld:
		if s.Change != DiffAdded || s.OldNumber != 0 || s.Number == 0 {
			t.Errorf("added session %s: %+v", s.ID, s)
		}
	case !inNew:
		if s.Change != DiffRemoved || s.Number != 0 || s.OldNumber == 0 || s.Title != o.Title {
			t.Errorf("removed session %s: %+v", s.ID, s)
		}
	default:
		same := diffSameSession(o, n)
		if same != (len(s.Fields) == 0) || same == (s.Change == DiffChanged) {
			t.Errorf("session %s same=%v but %+v", s.ID, same, s)
		}
		if same && (s.Change == DiffMoved) != s.Moved {
			t.Errorf("session %s change %q moved %v", s.ID, s.Change, s.Moved)
		}
	}
}

func diffCheckItem(t *testing.T, sessID string, it ItemDiff, oldItem, newItem map[string]diffTestLoc, oldVal, newVal map[string]Item) {
	ol, inOld := oldItem[it.ID]
	nl, inNew := newItem[it.ID]
	switch {
	case it.ToSession != "": // placeholder where the item was
		if !inOld || !inNew || ol.sess != sessID || nl.sess != it.ToSession || nl.sess == sessID ||
			it.Change != DiffMoved || !it.Moved || it.Position != 0 || it.FromSession != "" {
			t.Errorf("placeholder %s in %s: %+v (was %v, is %v)", it.ID, sessID, it, ol, nl)
		}
	case it.FromSession != "": // arrived from another session
		if !inOld || !inNew || ol.sess != it.FromSession || nl.sess != sessID || ol.sess == sessID ||
			!it.Moved || it.OldPosition != ol.pos || (it.Change == DiffChanged) == diffSameItem(oldVal[it.ID], newVal[it.ID]) {
			t.Errorf("moved-in item %s in %s: %+v (was %v, is %v)", it.ID, sessID, it, ol, nl)
		}
	case it.Change == DiffAdded:
		if inOld || !inNew || it.Moved || it.OldPosition != 0 {
			t.Errorf("added item %s in %s: %+v", it.ID, sessID, it)
		}
	case it.Change == DiffRemoved:
		if !inOld || inNew || it.Moved || it.Position != 0 || it.Title != oldVal[it.ID].Title {
			t.Errorf("removed item %s in %s: %+v", it.ID, sessID, it)
		}
	default: // stayed in this session
		same := inOld && inNew && diffSameItem(oldVal[it.ID], newVal[it.ID])
		if !inOld || !inNew || ol.sess != sessID || nl.sess != sessID || same != (len(it.Fields) == 0) ||
			same == (it.Change == DiffChanged) || (same && (it.Change == DiffMoved) != it.Moved) {
			t.Errorf("item %s in %s: %+v (was %v, is %v)", it.ID, sessID, it, ol, nl)
		}
	}
}

// diffSameSession compares what a session diff reports, directly on the structs.
func diffSameSession(a, b Session) bool {
	return a.Title == b.Title && slices.Equal(a.Chairs, b.Chairs) && a.Start == b.Start && a.End == b.End &&
		a.Description == b.Description && a.ArchiveURL == b.ArchiveURL
}

func diffSameItem(a, b Item) bool {
	return a.Kind == b.Kind && a.Title == b.Title && slices.Equal(a.Speakers, b.Speakers) &&
		a.Duration == b.Duration && slices.Equal(a.Contributions, b.Contributions) && a.Notes == b.Notes
}

// diffBruteLIS is the length of a longest strictly increasing subsequence, by the quadratic method.
func diffBruteLIS(s []int) int {
	best := 0
	length := make([]int, len(s))
	for i := range s {
		length[i] = 1
		for j := range i {
			if s[j] < s[i] && length[j]+1 > length[i] {
				length[i] = length[j] + 1
			}
		}
		best = max(best, length[i])
	}
	return best
}
