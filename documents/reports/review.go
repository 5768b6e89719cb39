package reports

import (
	"context"
	"fmt"

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
// (e.g. "suggestion:12"). Returns the version it produced. forbidden unless actor may edit,
// conflict while the report is locked, invalid for a bad op or base.
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
	for range maxSubmitAttempts {
		for v := base; v < a.head; v++ {
			c, err := a.op(ctx, v)
			if err != nil {
				return 0, err
			}
			if c.Create {
				continue
			}
			if op, err = ot.Transform(op, c.Op, ot.Left); err != nil {
				return 0, errs.Errorf(errs.Invalid, "op: %v", err)
			}
		}
		base = a.head
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
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return 0, err
	}
	from := a.head
	for _, r := range rs {
		from = min(from, r.V)
	}
	for v := max(from, 0); v < a.head; v++ {
		o, err := a.op(ctx, v)
		if err != nil {
			return 0, err
		}
		if o.Create {
			continue
		}
		for _, r := range rs {
			if r.V <= v {
				r.Through(o.Op)
				r.V = v + 1
			}
		}
	}
	return a.head, nil
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
