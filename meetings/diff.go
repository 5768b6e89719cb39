package meetings

import (
	"sort"
	"strconv"
	"strings"
)

// Change values of a SessionDiff or ItemDiff.
const (
	DiffAdded     = "added"
	DiffRemoved   = "removed"
	DiffMoved     = "moved"
	DiffChanged   = "changed"
	DiffUnchanged = "unchanged"
)

// AgendaDiff is what changed from one agenda to another.
//
// Representation, in short:
//   - Sessions and items are identified by id. A session's Change is about its own fields only
//     (title, chairs, start, end, description, archive_url); what happened to its items is in
//     Items, so a session whose items changed but whose own fields did not is "unchanged" (or
//     "moved"). Revision is ignored.
//   - "moved" means the relative order changed: only entries outside one longest increasing
//     subsequence of the common entries are moved, so inserting one session at the top moves
//     nothing else. An entry that moved and whose fields changed too has Change "changed" and
//     Moved true.
//   - An item that went to another session is shown twice: in its new session as the real entry
//     (Change "moved" or "changed", Moved true, FromSession = old session id), and in its old
//     session as a placeholder where it used to be (Change "moved", Moved true, ToSession = new
//     session id, Position 0, no Fields). Placeholders are recognised by ToSession != "" and are
//     not counted.
//   - Removed sessions and items stay in the list where they were: right after their nearest
//     preceding neighbour that did not move (at the top if there is none).
type AgendaDiff struct {
	// Sessions are in the order of the newer agenda, removed sessions placed where they were.
	Sessions []SessionDiff `json:"sessions"`
	// Counts are added/removed/moved/changed totals over sessions and items.
	Counts DiffCounts `json:"counts"`
}

// DiffCounts totals the changes over sessions and items together. Items of an added or removed
// session count as added or removed too. An entry that both moved and changed counts in Moved and
// in Changed; Moved counts every entry with Moved set, Changed every entry with Change "changed".
type DiffCounts struct {
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Moved   int `json:"moved"`
	Changed int `json:"changed"`
}

// SessionDiff is one session of the diff.
type SessionDiff struct {
	ID string `json:"id"`
	// Change is "added", "removed", "moved", "changed" or "unchanged".
	Change string `json:"change"`
	// Moved is also true when Change is "changed" and the session moved too.
	Moved bool `json:"moved"`
	// Number is the position from 1 in the newer agenda (0 if removed).
	Number int `json:"number"`
	// OldNumber is the position from 1 in the older agenda (0 if added).
	OldNumber int `json:"old_number"`
	// Title is the newer title (the older one if removed).
	Title string `json:"title"`
	// Fields are the changed session fields: title, chairs, start, end, description, archive_url.
	Fields []FieldChange `json:"fields"`
	// Items are all of the session's items, unchanged ones included so the UI can render the whole
	// session, plus removed items and placeholders of items that went to another session.
	Items []ItemDiff `json:"items"`
}

// ItemDiff is one item of a session of the diff.
type ItemDiff struct {
	ID string `json:"id"`
	// Change is "added", "removed", "moved", "changed" or "unchanged".
	Change string `json:"change"`
	// Moved is true when the item's order in its session changed or it came from (or went to)
	// another session, also when Change is "changed" and it moved too.
	Moved bool `json:"moved"`
	// Position is from 1 in the session of the newer agenda (0 if removed or gone elsewhere).
	Position int `json:"position"`
	// OldPosition is from 1 in the item's session of the older agenda (0 if added).
	OldPosition int `json:"old_position"`
	// FromSession is the old session's id when the item moved here from another session.
	FromSession string `json:"from_session"`
	// ToSession is the new session's id on the placeholder left where an item used to be before
	// it moved to another session.
	ToSession string `json:"to_session"`
	// Title and Kind are the newer ones (the older ones if removed).
	Title string `json:"title"`
	// Fields are the changed item fields: kind, title, speakers, duration, contributions, notes.
	Fields []FieldChange `json:"fields"`
	Kind   string        `json:"kind"`
}

// FieldChange is one changed field, its values rendered as readable text for the UI.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// DiffAgendas compares an older agenda with a newer one. Ids are expected to be unique within an
// agenda (items across all its sessions); if one is repeated, only its first occurrence is matched
// and the others count as added or removed, so the diff still lists every entry.
func DiffAgendas(old, new Agenda) AgendaDiff {
	d := diffState{
		old:     old,
		new:     new,
		oldSess: map[string]int{},
		newSess: map[string]int{},
		oldItem: map[string]diffItemLoc{},
		newItem: map[string]diffItemLoc{},
	}
	diffIndex(old, d.oldSess, d.oldItem)
	diffIndex(new, d.newSess, d.newItem)

	oldToNew := make([]int, len(old.Sessions))
	for oi := range old.Sessions {
		oldToNew[oi] = d.sessionInNew(oi)
	}
	newToOld := make([]int, len(new.Sessions))
	for ni := range new.Sessions {
		newToOld[ni] = d.sessionInOld(ni)
	}

	out := AgendaDiff{Sessions: []SessionDiff{}}
	for _, r := range diffAlign(oldToNew, newToOld) {
		out.Sessions = append(out.Sessions, d.sessionDiff(r))
	}
	for _, s := range out.Sessions {
		out.Counts.add(s.Change, s.Moved)
		for _, it := range s.Items {
			if it.ToSession == "" { // placeholders are counted in the item's new session
				out.Counts.add(it.Change, it.Moved)
			}
		}
	}
	return out
}

func (c *DiffCounts) add(change string, moved bool) {
	switch change {
	case DiffAdded:
		c.Added++
	case DiffRemoved:
		c.Removed++
	case DiffChanged:
		c.Changed++
	}
	if moved {
		c.Moved++
	}
}

// diffItemLoc is where an item sits: its session's index and its index in that session.
type diffItemLoc struct{ sess, pos int }

// diffState holds both agendas and where each id first occurs in them.
type diffState struct {
	old, new         Agenda
	oldSess, newSess map[string]int
	oldItem, newItem map[string]diffItemLoc
}

// diffIndex records the first occurrence of every session and item id.
func diffIndex(a Agenda, sess map[string]int, items map[string]diffItemLoc) {
	for si, s := range a.Sessions {
		if _, dup := sess[s.ID]; !dup {
			sess[s.ID] = si
		}
		for p, it := range s.Items {
			if _, dup := items[it.ID]; !dup {
				items[it.ID] = diffItemLoc{si, p}
			}
		}
	}
}

// sessionInNew is the newer agenda's index of old session oi, or -1.
func (d *diffState) sessionInNew(oi int) int {
	id := d.old.Sessions[oi].ID
	if d.oldSess[id] != oi { // a repeated id: only the first occurrence matches
		return -1
	}
	if ni, ok := d.newSess[id]; ok {
		return ni
	}
	return -1
}

// sessionInOld is the older agenda's index of new session ni, or -1.
func (d *diffState) sessionInOld(ni int) int {
	id := d.new.Sessions[ni].ID
	if d.newSess[id] != ni {
		return -1
	}
	if oi, ok := d.oldSess[id]; ok {
		return oi
	}
	return -1
}

// itemInNew is where item p of old session oi is in the newer agenda.
func (d *diffState) itemInNew(oi, p int) (diffItemLoc, bool) {
	id := d.old.Sessions[oi].Items[p].ID
	if d.oldItem[id] != (diffItemLoc{oi, p}) {
		return diffItemLoc{}, false
	}
	loc, ok := d.newItem[id]
	return loc, ok
}

// itemInOld is where item q of new session ni is in the older agenda.
func (d *diffState) itemInOld(ni, q int) (diffItemLoc, bool) {
	id := d.new.Sessions[ni].Items[q].ID
	if d.newItem[id] != (diffItemLoc{ni, q}) {
		return diffItemLoc{}, false
	}
	loc, ok := d.oldItem[id]
	return loc, ok
}

// sessionDiff describes one row of the merged session list.
func (d *diffState) sessionDiff(r diffRow) SessionDiff {
	switch {
	case r.newIdx < 0:
		s := d.old.Sessions[r.oldIdx]
		return SessionDiff{ID: s.ID, Change: DiffRemoved, OldNumber: r.oldIdx + 1, Title: s.Title,
			Fields: []FieldChange{}, Items: d.itemDiffs(r.oldIdx, -1)}
	case r.oldIdx < 0:
		s := d.new.Sessions[r.newIdx]
		return SessionDiff{ID: s.ID, Change: DiffAdded, Number: r.newIdx + 1, Title: s.Title,
			Fields: []FieldChange{}, Items: d.itemDiffs(-1, r.newIdx)}
	}
	o, n := d.old.Sessions[r.oldIdx], d.new.Sessions[r.newIdx]
	fields := diffSessionFields(o, n)
	return SessionDiff{ID: n.ID, Change: diffChangeOf(fields, r.moved), Moved: r.moved,
		Number: r.newIdx + 1, OldNumber: r.oldIdx + 1, Title: n.Title,
		Fields: fields, Items: d.itemDiffs(r.oldIdx, r.newIdx)}
}

// itemDiffs lists the items of one session: old session oi and new session ni, either -1 when the
// session was added or removed.
func (d *diffState) itemDiffs(oi, ni int) []ItemDiff {
	var oldItems, newItems []Item
	if oi >= 0 {
		oldItems = d.old.Sessions[oi].Items
	}
	if ni >= 0 {
		newItems = d.new.Sessions[ni].Items
	}
	// Only items that stayed in this very session take part in the order comparison; items from
	// or to other sessions are moved anyway.
	oldToNew := make([]int, len(oldItems))
	for p := range oldItems {
		oldToNew[p] = -1
		if loc, ok := d.itemInNew(oi, p); ok && ni >= 0 && loc.sess == ni {
			oldToNew[p] = loc.pos
		}
	}
	newToOld := make([]int, len(newItems))
	for q := range newItems {
		newToOld[q] = -1
		if loc, ok := d.itemInOld(ni, q); ok && oi >= 0 && loc.sess == oi {
			newToOld[q] = loc.pos
		}
	}

	out := []ItemDiff{}
	for _, r := range diffAlign(oldToNew, newToOld) {
		switch {
		case r.newIdx < 0: // gone from this session: removed, or a placeholder if it went elsewhere
			o := oldItems[r.oldIdx]
			if loc, ok := d.itemInNew(oi, r.oldIdx); ok {
				n := d.new.Sessions[loc.sess].Items[loc.pos]
				out = append(out, ItemDiff{ID: o.ID, Change: DiffMoved, Moved: true,
					OldPosition: r.oldIdx + 1, ToSession: d.new.Sessions[loc.sess].ID,
					Title: n.Title, Kind: n.Kind, Fields: []FieldChange{}})
			} else {
				out = append(out, ItemDiff{ID: o.ID, Change: DiffRemoved, OldPosition: r.oldIdx + 1,
					Title: o.Title, Kind: o.Kind, Fields: []FieldChange{}})
			}
		case r.oldIdx < 0: // new in this session: added, or moved here from another session
			n := newItems[r.newIdx]
			if loc, ok := d.itemInOld(ni, r.newIdx); ok {
				fields := diffItemFields(d.old.Sessions[loc.sess].Items[loc.pos], n)
				out = append(out, ItemDiff{ID: n.ID, Change: diffChangeOf(fields, true), Moved: true,
					Position: r.newIdx + 1, OldPosition: loc.pos + 1,
					FromSession: d.old.Sessions[loc.sess].ID, Title: n.Title, Kind: n.Kind, Fields: fields})
			} else {
				out = append(out, ItemDiff{ID: n.ID, Change: DiffAdded, Position: r.newIdx + 1,
					Title: n.Title, Kind: n.Kind, Fields: []FieldChange{}})
			}
		default:
			o, n := oldItems[r.oldIdx], newItems[r.newIdx]
			fields := diffItemFields(o, n)
			out = append(out, ItemDiff{ID: n.ID, Change: diffChangeOf(fields, r.moved), Moved: r.moved,
				Position: r.newIdx + 1, OldPosition: r.oldIdx + 1, Title: n.Title, Kind: n.Kind,
				Fields: fields})
		}
	}
	return out
}

// diffChangeOf names the change of an entry present in both agendas.
func diffChangeOf(fields []FieldChange, moved bool) string {
	switch {
	case len(fields) > 0:
		return DiffChanged
	case moved:
		return DiffMoved
	}
	return DiffUnchanged
}

// diffRow is one row of a merged old/new list: indexes into the older and newer list, -1 where
// the entry is absent from that list.
type diffRow struct {
	oldIdx, newIdx int
	moved          bool
}

// diffAlign merges an older and a newer list for display. oldToNew[i] is the newer index of older
// entry i (-1 if it is not in the newer list), newToOld the reverse. The rows follow the newer
// list; an entry only in the older list comes right after its nearest preceding older entry that
// did not move, so it shows where it was. Common entries outside one longest increasing
// subsequence of their newer indexes (taken in older order) are the moved ones: the fewest moves
// that explain the new order.
func diffAlign(oldToNew, newToOld []int) []diffRow {
	var seq []int // newer indexes of the common entries, in older order
	for _, ni := range oldToNew {
		if ni >= 0 {
			seq = append(seq, ni)
		}
	}
	stayed := make([]bool, len(newToOld)) // by newer index: common and not moved
	for k, keep := range diffIncreasingKeep(seq) {
		if keep {
			stayed[seq[k]] = true
		}
	}

	// Entries only in the older list, keyed by the newer index of their anchor (-1: the top).
	after := map[int][]int{}
	anchor := -1
	for oi, ni := range oldToNew {
		switch {
		case ni < 0:
			after[anchor] = append(after[anchor], oi)
		case stayed[ni]:
			anchor = ni
		}
	}

	var rows []diffRow
	emitAfter := func(anchor int) {
		for _, oi := range after[anchor] {
			rows = append(rows, diffRow{oldIdx: oi, newIdx: -1})
		}
	}
	emitAfter(-1)
	for ni, oi := range newToOld {
		rows = append(rows, diffRow{oldIdx: oi, newIdx: ni, moved: oi >= 0 && !stayed[ni]})
		if stayed[ni] {
			emitAfter(ni)
		}
	}
	return rows
}

// diffIncreasingKeep marks the elements of one longest strictly increasing subsequence of s
// (patience sorting, O(n log n)).
func diffIncreasingKeep(s []int) []bool {
	var tails []int // tails[k]: index in s of the smallest last element of an increasing run of length k+1
	prev := make([]int, len(s))
	for i, v := range s {
		k := sort.Search(len(tails), func(k int) bool { return s[tails[k]] >= v })
		prev[i] = -1
		if k > 0 {
			prev[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	keep := make([]bool, len(s))
	if len(tails) > 0 {
		for i := tails[len(tails)-1]; i >= 0; i = prev[i] {
			keep[i] = true
		}
	}
	return keep
}

// diffFields collects the fields whose rendered values differ. Comparing rendered text means a
// difference the UI cannot show (a person's account link alone) is not reported either.
type diffFields []FieldChange

func (f *diffFields) add(field, old, new string) {
	if old != new {
		*f = append(*f, FieldChange{Field: field, Old: old, New: new})
	}
}

func diffSessionFields(o, n Session) []FieldChange {
	f := diffFields{}
	f.add("title", o.Title, n.Title)
	f.add("chairs", diffPeopleText(o.Chairs), diffPeopleText(n.Chairs))
	f.add("start", o.Start, n.Start)
	f.add("end", o.End, n.End)
	f.add("description", o.Description, n.Description)
	f.add("archive_url", o.ArchiveURL, n.ArchiveURL)
	return f
}

func diffItemFields(o, n Item) []FieldChange {
	f := diffFields{}
	f.add("kind", o.Kind, n.Kind)
	f.add("title", o.Title, n.Title)
	f.add("speakers", diffPeopleText(o.Speakers), diffPeopleText(n.Speakers))
	f.add("duration", strconv.Itoa(o.Duration), strconv.Itoa(n.Duration))
	f.add("contributions", strings.Join(o.Contributions, ", "), strings.Join(n.Contributions, ", "))
	f.add("notes", o.Notes, n.Notes)
	return f
}

// diffPeopleText renders chairs or speakers as "Name (Title, Organization)" joined by "; ", leaving
// out whatever is empty.
func diffPeopleText(people []Person) string {
	parts := make([]string, len(people))
	for i, p := range people {
		var about []string
		if p.Title != "" {
			about = append(about, p.Title)
		}
		if p.Organization != "" {
			about = append(about, p.Organization)
		}
		parts[i] = p.Name
		if len(about) > 0 {
			parts[i] += " (" + strings.Join(about, ", ") + ")"
		}
	}
	return strings.Join(parts, "; ")
}
