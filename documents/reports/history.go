package reports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/documents/ot"
	"plenary/errs"
	"plenary/store"
)

// The report's timeline (docs/api.md "Report history"): the op log folded into entries, one per
// burst of editing, each saying who changed how much, when, and between which versions. Reading
// thousands of ops to draw it would be thousands of point reads, so the authority keeps the
// folded entries in memory and stores them with every milestone; opening a report reads them
// back and folds only the ops after them.

const (
	colHistory = "report_history"
	// historyGap: an op this long after the previous one starts a new entry.
	historyGap = 5 * time.Minute
	// historySpan: an entry covers at most this long, so that a day of continuous editing
	// still shows where it went.
	historySpan = time.Hour
)

// historyAuthor is what one person did within an entry.
type historyAuthor struct {
	User     string `bson:"user"`
	Ops      int64  `bson:"ops"`
	Inserted int64  `bson:"ins"` // code points
	Deleted  int64  `bson:"del"` // code points
}

// historyEntry covers ops [From, To): the report went from version From to version To.
type historyEntry struct {
	From    int64           `bson:"from"`
	To      int64           `bson:"to"`
	Start   int64           `bson:"start"` // ms since the epoch, of the first op
	End     int64           `bson:"end"`   // of the last op
	Created bool            `bson:"created,omitempty"`
	Authors []historyAuthor `bson:"authors"`
	// Restored is the version whose text the entry brought back (a restore is an entry of its
	// own), or 0.
	Restored int64 `bson:"restored,omitempty"`
}

// historyDoc is a report's timeline up to version Upto (ops [0, Upto) folded).
type historyDoc struct {
	ID      string         `bson:"_id"`
	Upto    int64          `bson:"upto"`
	Entries []historyEntry `bson:"entries"`
}

// timeline is the in-memory fold; guarded by the authority's mu.
type timeline struct {
	upto    int64 // ops [0, upto) are folded
	entries []historyEntry
}

// fold adds committed op o; ops must come in version order, and ops already folded are ignored.
func (t *timeline) fold(o *storedOp) {
	if o.V < t.upto {
		return
	}
	t.upto = o.V + 1
	var last *historyEntry
	if n := len(t.entries); n > 0 {
		last = &t.entries[n-1]
	}
	if last == nil || o.Create || last.Created || last.To != o.V || o.Restored > 0 || last.Restored > 0 ||
		time.Duration(o.TS-last.End)*time.Millisecond > historyGap ||
		time.Duration(o.TS-last.Start)*time.Millisecond > historySpan {
		t.entries = append(t.entries, historyEntry{From: o.V, Start: o.TS, Created: o.Create})
		last = &t.entries[len(t.entries)-1]
	}
	last.To, last.End = o.V+1, o.TS
	last.Restored = o.Restored
	i := slices.IndexFunc(last.Authors, func(a historyAuthor) bool { return a.User == o.User })
	if i < 0 {
		last.Authors = append(last.Authors, historyAuthor{User: o.User})
		i = len(last.Authors) - 1
	}
	a := &last.Authors[i]
	a.Ops++
	for _, c := range o.Op {
		switch {
		case c.Kind == ot.KindInsert:
			a.Inserted += int64(utf8.RuneCountInString(c.Text))
		case c.IsDelete():
			a.Deleted += int64(c.Len())
		}
	}
}

// copyEntries returns a deep copy, to store while the fold goes on.
func (t *timeline) copyEntries() []historyEntry {
	out := make([]historyEntry, len(t.entries))
	for i, e := range t.entries {
		e.Authors = slices.Clone(e.Authors)
		out[i] = e
	}
	return out
}

// loadTimeline reads the stored timeline and folds the ops between it and version to (the
// milestone the authority starts from; the authority folds the ops after it as it catches up).
func (s *Service) loadTimeline(ctx context.Context, reportID string, to int64) (timeline, error) {
	var d historyDoc
	err := s.history.FindOne(ctx, bson.D{{Key: "_id", Value: reportID}}).Decode(&d)
	if err != nil && err != mongo.ErrNoDocuments {
		return timeline{}, fmt.Errorf("read history of %s: %w", reportID, err)
	}
	t := timeline{upto: d.Upto, entries: d.Entries}
	// Usually nothing: the timeline is stored right after each milestone.
	for v := t.upto; v < to; v++ {
		o, found, err := s.readOp(ctx, reportID, v)
		if err != nil {
			return timeline{}, err
		}
		if !found {
			return timeline{}, fmt.Errorf("report %s: op %d is missing from the log", reportID, v)
		}
		t.fold(o)
	}
	return t, nil
}

// storeTimeline replaces the stored timeline unless a newer one is there (another process may
// have stored one): the filter then matches nothing and the upsert's insert hits the same _id.
func (s *Service) storeTimeline(ctx context.Context, d historyDoc) error {
	_, err := s.history.ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: d.ID}, {Key: "upto", Value: bson.D{{Key: "$lt", Value: d.Upto}}}},
		d, options.Replace().SetUpsert(true))
	if err != nil && !store.IsDuplicateKey(err) {
		return fmt.Errorf("store history of %s: %w", d.ID, err)
	}
	return nil
}

// HistoryAuthor is what one person did within a history entry.
type HistoryAuthor struct {
	Person
	Ops      int64 `json:"ops"`
	Inserted int64 `json:"inserted"`
	Deleted  int64 `json:"deleted"`
}

// HistoryEntry is one burst of editing: the report went from version From to version To.
type HistoryEntry struct {
	From     int64           `json:"from"`
	To       int64           `json:"to"`
	Start    time.Time       `json:"start"`
	End      time.Time       `json:"end"`
	Created  bool            `json:"created"`
	Authors  []HistoryAuthor `json:"authors"`
	Restored int64           `json:"restored,omitempty"` // the version brought back, if a restore
}

// History returns the report's timeline, newest entry first, with at most limit entries
// (limit ≤ 0: all) ending before version `before` (≤ 0: the latest). Returns not_found if actor
// may not read the report.
func (s *Service) History(ctx context.Context, actor accounts.User, reportID string, before int64, limit int) ([]HistoryEntry, error) {
	a, _, err := s.lockOpen(ctx, actor, reportID)
	if err != nil {
		return nil, err
	}
	if err := a.fresh(ctx); err != nil {
		a.mu.Unlock()
		return nil, err
	}
	var picked []historyEntry
	for i := len(a.hist.entries) - 1; i >= 0 && (limit <= 0 || len(picked) < limit); i-- {
		if e := a.hist.entries[i]; before <= 0 || e.To <= before {
			e.Authors = slices.Clone(e.Authors)
			picked = append(picked, e)
		}
	}
	a.mu.Unlock()

	names := map[string]string{}
	out := make([]HistoryEntry, 0, len(picked))
	for _, e := range picked {
		h := HistoryEntry{From: e.From, To: e.To, Start: time.UnixMilli(e.Start).UTC(), End: time.UnixMilli(e.End).UTC(),
			Created: e.Created, Authors: make([]HistoryAuthor, 0, len(e.Authors)), Restored: e.Restored}
		for _, au := range e.Authors {
			name, ok := names[au.User]
			if !ok {
				name = s.nameOf(ctx, au.User)
				names[au.User] = name
			}
			h.Authors = append(h.Authors, HistoryAuthor{Person: Person{ID: au.User, Name: name}, Ops: au.Ops, Inserted: au.Inserted, Deleted: au.Deleted})
		}
		out = append(out, h)
	}
	return out, nil
}

// nameOf names an account for the timeline; a deleted account or a system edit keeps its id.
func (s *Service) nameOf(ctx context.Context, userID string) string {
	if userID == "" || userID == system.ID {
		return "Plenary"
	}
	u, err := s.acc.User(ctx, userID)
	if err != nil {
		return userID
	}
	return u.Name
}

// Restore makes the report's text what it was at version v again, as one new op by actor on top
// of the latest version: history is never rewritten, and everyone's open editor receives the
// change like any other. Returns the version the restore produced (the current one when the text
// is already that of v), not_found if actor may not read the report, forbidden if they may not
// edit it, invalid for a version the report has not reached.
func (s *Service) Restore(ctx context.Context, actor accounts.User, reportID string, v int64) (int64, error) {
	a, err := s.lockEdit(ctx, actor, reportID)
	if err != nil {
		return 0, err
	}
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return 0, err
	}
	if v < 1 || v > a.head {
		return 0, errs.Errorf(errs.Invalid, "version: the report has versions 1 to %d", a.head)
	}
	old, err := a.snapshotAt(ctx, v)
	if err != nil {
		return 0, err
	}
	for range maxSubmitAttempts {
		op := replaceOp(a.doc.String(), old.Data)
		if op.IsNoop() {
			return a.head, nil
		}
		o := &storedOp{V: a.head, Src: "restore:" + strconv.FormatInt(v, 10), Seq: a.head, User: actor.ID, Op: op, Restored: v}
		retry, err := a.append(ctx, o, nil)
		if err != nil {
			return 0, err
		}
		if !retry {
			return o.V + 1, nil
		}
	}
	return 0, errs.Errorf(errs.Conflict, "the report is being changed too fast; try again")
}

// replaceOp returns an op turning cur into want: the differing middle, between the longest
// common prefix and suffix, deleted and inserted. Cursors before and after it stay where they
// are.
func replaceOp(cur, want string) ot.Op {
	c, w := []rune(cur), []rune(want)
	p := 0
	for p < len(c) && p < len(w) && c[p] == w[p] {
		p++
	}
	q := 0
	for q < len(c)-p && q < len(w)-p && c[len(c)-1-q] == w[len(w)-1-q] {
		q++
	}
	var op ot.Op
	if p > 0 {
		op = append(op, ot.Skip(p))
	}
	if del := len(c) - p - q; del > 0 {
		op = append(op, ot.Delete(del))
	}
	if ins := string(w[p : len(w)-q]); ins != "" {
		op = append(op, ot.Insert(ins))
	}
	return ot.Normalize(op)
}
