package reports

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/documents/ot"
	"plenary/errs"
)

// What the review of a report (documents/review) needs of its text: locking it when final,
// applying an accepted suggestion as an edit, and following comment anchors through edits.

var errLocked = errs.Errorf(errs.Conflict, "the report is final: it is locked against edits until a new review round opens")

// SetLocked locks the report against every edit (ops, restores, suggestions) or unlocks it. The
// caller has authorized the change. Open editors see their next op refused.
func (s *Service) SetLocked(ctx context.Context, reportID string, locked bool) error {
	a, err := s.authority(ctx, reportID)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// $set of one field by _id: it cannot clobber the milestone hint the authority maintains.
	_, err = s.reports.UpdateOne(ctx, bson.D{{Key: "_id", Value: reportID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "locked", Value: locked}}}})
	if err != nil {
		return fmt.Errorf("lock report %s: %w", reportID, err)
	}
	a.rep.Locked = locked
	return nil
}

// Access tells what actor may do with a report: read, edit (false while it is locked) and manage
// (the secretariat and the group's chairs). Returns not_found if actor may not read it.
func (s *Service) Access(ctx context.Context, actor accounts.User, reportID string) (Report, error) {
	a, err := s.authority(ctx, reportID)
	if err != nil {
		return Report{}, err
	}
	a.mu.Lock()
	r := a.rep
	a.mu.Unlock()
	rt, err := s.rightsOf(ctx, actor, &r)
	if err != nil {
		return Report{}, err
	}
	if !rt.read {
		return Report{}, errNotFound
	}
	return r.view(actor, rt), nil
}

// Head returns the report's latest version.
func (s *Service) Head(ctx context.Context, reportID string) (int64, error) {
	a, err := s.authority(ctx, reportID)
	if err != nil {
		return 0, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return 0, err
	}
	return a.head, nil
}

// Text returns the report's text at version v (beyond the latest: the latest). The caller has
// authorized the read.
func (s *Service) Text(ctx context.Context, reportID string, v int64) (Snapshot, error) {
	a, err := s.authority(ctx, reportID)
	if err != nil {
		return Snapshot{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return Snapshot{}, err
	}
	return a.snapshotAt(ctx, v)
}

// lockEdit is lockOpen for a change of the text by actor: conflict while the report is locked,
// forbidden unless actor may edit it.
func (s *Service) lockEdit(ctx context.Context, actor accounts.User, reportID string) (*authority, error) {
	a, rt, err := s.lockOpen(ctx, actor, reportID)
	if err != nil {
		return nil, err
	}
	switch {
	case a.rep.Locked:
		a.mu.Unlock()
		return nil, errLocked
	case !rt.edit:
		a.mu.Unlock()
		return nil, errs.Errorf(errs.Forbidden, "you may read this report but not edit it")
	}
	return a, nil
}

// ApplyAt applies op, written against version base, as an edit by actor: it is transformed
// through the ops committed since base, stored and broadcast like any editor's op, under src
// (e.g. "suggestion:12"), which must name this edit alone: when an op of that src is already in
// the log since base, the edit was made before (a retry) and is not made again. Returns the
// version it produced. forbidden unless actor may edit, conflict while the report is locked,
// invalid for a bad op or base.
func (s *Service) ApplyAt(ctx context.Context, actor accounts.User, reportID string, base int64, op ot.Op, src string) (int64, error) {
	a, err := s.lockEdit(ctx, actor, reportID)
	if err != nil {
		return 0, err
	}
	defer a.mu.Unlock()
	if err := ot.Check(op); err != nil {
		return 0, errs.Errorf(errs.Invalid, "op: %v", err)
	}
	if err := a.fresh(ctx); err != nil {
		return 0, err
	}
	if base < 1 || base > a.head {
		return 0, errs.Errorf(errs.Invalid, "version: the report has versions 1 to %d", a.head)
	}
	op = ot.Normalize(op)
	through := func(ops []*storedOp) (done int64, err error) {
		for _, c := range ops {
			if c.Src == src {
				return c.V + 1, nil
			}
			if c.Create {
				continue
			}
			if op, err = ot.Transform(op, c.Op, ot.Left); err != nil {
				return 0, errs.Errorf(errs.Invalid, "op: %v", err)
			}
		}
		return 0, nil
	}
	// The ops since base may be many and partly in the log only: read without holding up editing.
	ops, upto, err := a.opsSince(ctx, base)
	if err != nil {
		return 0, err
	}
	if done, err := through(ops); done > 0 || err != nil {
		return done, err
	}
	for range maxSubmitAttempts {
		switch {
		case a.unloaded:
			return 0, errs.Errorf(errs.Conflict, "the report was reloaded meanwhile; try again")
		case a.rep.Locked:
			return 0, errLocked
		}
		if err := a.fresh(ctx); err != nil {
			return 0, err
		}
		if ops, upto, err = a.opsSince(ctx, upto); err != nil {
			return 0, err
		}
		if done, err := through(ops); done > 0 || err != nil {
			return done, err
		}
		if upto != a.head || len(a.pending) > 0 {
			continue // more came while the log was read
		}
		if op.IsNoop() {
			return a.head, nil
		}
		o := &storedOp{V: a.head, Src: src, Seq: a.head, User: actor.ID, Op: op}
		retry, err := a.append(ctx, o, nil)
		if err != nil {
			if e, ok := err.(*ShareDBError); ok {
				return 0, errs.Errorf(errs.Invalid, "%s", e.Message)
			}
			return 0, err
		}
		if !retry {
			return o.V + 1, nil
		}
	}
	return 0, errs.Errorf(errs.Conflict, "the report is being changed too fast; try again")
}

// opsSince returns the committed ops from version from to the version it returns (head when
// called). mu is held on entry and return, but released while ops older than those kept in
// memory are read from the log: committed ops never change, and a long read must not stop
// everyone's editing.
func (a *authority) opsSince(ctx context.Context, from int64) ([]*storedOp, int64, error) {
	head := a.head
	from = max(from, 0)
	if from >= head {
		return nil, head, nil
	}
	if from >= a.recentFrom {
		return slices.Clone(a.recent[from-a.recentFrom : head-a.recentFrom]), head, nil
	}
	memFrom, inMemory := a.recentFrom, slices.Clone(a.recent[:head-a.recentFrom])
	a.mu.Unlock()
	defer a.mu.Lock()
	ops := make([]*storedOp, 0, head-from)
	for v := from; v < memFrom; v++ {
		o, found, err := a.s.readOp(ctx, a.id, v)
		if err != nil {
			return nil, 0, err
		}
		if !found {
			return nil, 0, fmt.Errorf("report %s: op %d is missing from the log", a.id, v)
		}
		ops = append(ops, o)
	}
	return append(ops, inMemory...), head, nil
}

// Range is a span of a report's text in code points, [From, To) at version V. Gone is set when
// the text it covered has been deleted entirely.
type Range struct {
	From, To int
	V        int64
	Gone     bool
}

// Follow moves every range through the ops committed after its version, up to the latest
// version, which it returns. Text inserted at a range's edges stays outside it.
func (s *Service) Follow(ctx context.Context, reportID string, rs []*Range) (int64, error) {
	a, err := s.authority(ctx, reportID)
	if err != nil {
		return 0, err
	}
	a.mu.Lock()
	if err := a.fresh(ctx); err != nil {
		a.mu.Unlock()
		return 0, err
	}
	from := a.head
	for _, r := range rs {
		from = min(from, r.V)
	}
	ops, head, err := a.opsSince(ctx, from)
	a.mu.Unlock()
	if err != nil {
		return 0, err
	}
	for _, o := range ops {
		if o.Create {
			continue
		}
		for _, r := range rs {
			if r.V <= o.V {
				r.Through(o.Op)
				r.V = o.V + 1
			}
		}
	}
	return head, nil
}

// Through moves the range through one op.
func (r *Range) Through(op ot.Op) {
	if r.Gone {
		return
	}
	wasEmpty := r.From == r.To
	r.From = movePosition(r.From, op, true)
	r.To = max(r.From, movePosition(r.To, op, false))
	if !wasEmpty && r.From == r.To {
		r.Gone = true
	}
}

// movePosition moves a position through op. An insert exactly at the position goes after it
// when after is true (a range's start: the insert stays outside) and before it otherwise.
func movePosition(pos int, op ot.Op, after bool) int {
	at := 0 // position in the old text
	out := pos
	for _, c := range op {
		if at > pos || (at == pos && !after) {
			break
		}
		switch c.Kind {
		case ot.KindSkip:
			at += c.N
		case ot.KindInsert:
			out += c.Len()
		default:
			n := c.Len()
			out -= min(n, pos-at)
			at += n
		}
	}
	return out
}
