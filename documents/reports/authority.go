package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/documents/ot"
	"plenary/errs"
	"plenary/store"
)

// Subscriber is one client connection following reports.
type Subscriber interface {
	// Send queues a frame for the connection; false when it is gone. It must not block.
	Send(frame []byte) bool
	// User is the connection's account, as last loaded.
	User() accounts.User
	// Src is the connection's ShareDB client id, the src of the ops it submits.
	Src() string
	// Revoke tells the connection it may no longer read a report; it has already been
	// unsubscribed from it.
	Revoke(reportID string)
}

const (
	// recentOps is how many of the latest ops stay in memory, for transforming ops based on a
	// recent version and for catching up subscribers, without store reads.
	recentOps = 1024
	// maxSeen bounds the per-source dedupe table; beyond it the oldest half is pruned and
	// older resubmissions are recognized by reading the log instead.
	maxSeen = 10_000
	// maxSubmitAttempts bounds retries when another process commits the same version first. Each
	// retry means the other process made progress; with several busy editors in each of two
	// processes on two loaded cores, 8 attempts were sometimes not enough for one submission.
	maxSubmitAttempts = 32
)

type seenEntry struct{ seq, v int64 }

// authority serializes one report: every op is transformed, stored and broadcast under mu, so
// versions are assigned in one order and every subscriber receives ops in that order.
type authority struct {
	s     *Service
	id    string
	group string // never changes

	mu         sync.Mutex
	rep        reportDoc
	doc        *ot.Doc
	head       int64 // the version of doc: ops [0, head) are applied
	lastTS     int64
	recent     []*storedOp // ops [recentFrom, head)
	recentFrom int64
	// seen holds, per "<user>\x00<src>", the seq and version of the latest op that source
	// committed; complete for ops from floor on. A client has one op in flight per document
	// and resubmits it with the same (src, seq) after a lost acknowledgement.
	seen  map[string]seenEntry
	floor int64
	// stale is set when a store write had an unknown outcome: the next use reads the log
	// from head before going on.
	stale         bool
	subs          map[Subscriber]bool
	psubs         map[Subscriber]bool
	presence      map[Subscriber]map[string]int64 // presence id → latest pv, to clear on leave
	milestoneBusy bool
	// pending are ops applied to doc and waiting for their write to the log (commit.go), in
	// version order from head; flushing is set while a write of some is under way, and flushed
	// is signalled after each write.
	pending  []*pendingOp
	flushing bool
	flushed  *sync.Cond
	hist     timeline
	rendered *RenderedReport // the latest version rendered, for the next preview
	// lastUsed and unloaded let an idle authority be dropped from memory (unloadIdle); a request
	// that finds its authority unloaded opens it again from the store.
	lastUsed time.Time
	unloaded bool
}

// authority returns the report's authority, loading it from its latest milestone and the ops
// after it on first use. Authorities stay in memory: a process serves a bounded set of reports.
func (s *Service) authority(ctx context.Context, reportID string) (*authority, error) {
	s.mu.Lock()
	a := s.docs[reportID]
	s.mu.Unlock()
	if a != nil {
		return a, nil
	}
	r, err := s.loadReport(ctx, reportID)
	if err != nil {
		return nil, err
	}
	a = &authority{s: s, id: r.ID, group: r.GroupID, rep: *r, seen: map[string]seenEntry{},
		subs: map[Subscriber]bool{}, psubs: map[Subscriber]bool{}, presence: map[Subscriber]map[string]int64{}}
	a.flushed = sync.NewCond(&a.mu)
	m, err := s.readMilestone(ctx, r.ID, max(r.Milestone, 1))
	if err != nil {
		return nil, err
	}
	a.doc, a.head, a.recentFrom, a.lastTS, a.floor = ot.NewDoc(m.Text), m.V, m.V, m.TS, m.Floor
	for _, e := range m.Seen {
		a.seen[e.K] = seenEntry{e.Seq, e.V}
	}
	if a.hist, err = s.loadTimeline(ctx, r.ID, m.V); err != nil {
		return nil, err
	}
	// Not yet shared, but catching up may start a milestone's goroutine, which locks it.
	a.mu.Lock()
	err = a.catchUp(ctx)
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.docs[reportID]; b != nil {
		return b, nil // another request loaded it meanwhile
	}
	a.lastUsed = time.Now()
	s.docs[reportID] = a
	if !s.unloading {
		s.unloading = true
		go s.unloadLoop()
	}
	return a, nil
}

// unloadLoop drops idle authorities until none is loaded: a process serves many reports over
// its life, and each authority holds a report's text and its recent ops.
func (s *Service) unloadLoop() {
	t := time.NewTicker(max(s.cfg.IdleUnload/4, 10*time.Millisecond))
	defer t.Stop()
	for now := range t.C {
		if !s.unloadIdle(now) {
			return
		}
	}
}

// unloadIdle drops the authorities nobody follows (subscriptions, presence) and nobody has used
// for IdleUnload. It answers whether any is still loaded (else the loop ends).
func (s *Service) unloadIdle(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, a := range s.docs {
		// A report whose lock is held is in use, not idle; waiting for it here would hold up
		// every report behind s.mu.
		if !a.mu.TryLock() {
			continue
		}
		if len(a.subs) == 0 && len(a.psubs) == 0 && len(a.presence) == 0 && !a.milestoneBusy && len(a.pending) == 0 && !a.flushing && now.Sub(a.lastUsed) >= s.cfg.IdleUnload {
			a.unloaded = true
			delete(s.docs, id)
		}
		a.mu.Unlock()
	}
	if len(s.docs) == 0 {
		s.unloading = false
		return false
	}
	return true
}

// Loaded is the number of reports held in memory.
func (s *Service) Loaded() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.docs)
}

func (a *authority) groupID() string { return a.group }

func (a *authority) setDrafters(ds []drafterDoc) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rep.Drafters = ds
}

// open returns the authority of a report u may read, with u's rights. A report u may not read
// is not_found, as if it did not exist.
func (s *Service) open(ctx context.Context, u accounts.User, reportID string) (*authority, rights, error) {
	a, err := s.authority(ctx, reportID)
	if err != nil {
		return nil, rights{}, err
	}
	a.mu.Lock()
	r := a.rep
	a.mu.Unlock()
	rt, err := s.rightsOf(ctx, u, &r)
	if err != nil {
		return nil, rights{}, err
	}
	if !rt.read {
		return nil, rights{}, errNotFound
	}
	return a, rt, nil
}

// lockOpen is open with the authority locked, and never an authority that was unloaded
// meanwhile (unloadIdle): the caller must unlock it.
func (s *Service) lockOpen(ctx context.Context, u accounts.User, reportID string) (*authority, rights, error) {
	for {
		a, rt, err := s.open(ctx, u, reportID)
		if err != nil {
			return nil, rights{}, err
		}
		a.mu.Lock()
		if !a.unloaded {
			a.lastUsed = time.Now()
			return a, rt, nil
		}
		a.mu.Unlock()
	}
}

// catchUp applies ops that are in the log but not in memory: written by another process (the
// duplicate-key arbiter told us), or by a write whose answer we did not get. Called with mu held.
func (a *authority) catchUp(ctx context.Context) error {
	for {
		o, found, err := a.s.readOp(ctx, a.id, a.head)
		if err != nil {
			return err
		}
		if !found {
			a.stale = false
			return nil
		}
		if !o.Create {
			if err := a.doc.Apply(o.Op); err != nil {
				return fmt.Errorf("report %s: stored op %d does not apply: %w", a.id, o.V, err)
			}
		}
		a.commit(o, nil)
	}
}

// fresh makes the text and head those of the log: no op pending, and the log read again after a
// write with an unknown outcome. Every reader of the text calls it. mu held.
func (a *authority) fresh(ctx context.Context) error {
	a.settle(ctx)
	if !a.stale {
		return nil
	}
	return a.catchUp(ctx)
}

// commit records an op already applied to doc: versions, dedupe, the recent window, and the
// broadcast to every subscriber but from (whose acknowledgement the caller sends). mu held.
func (a *authority) commit(o *storedOp, from Subscriber) {
	a.head = o.V + 1
	a.lastTS = max(a.lastTS, o.TS)
	a.hist.fold(o)
	if o.User != "" && !o.Create && o.Restored == 0 {
		a.seen[o.User+"\x00"+o.Src] = seenEntry{o.Seq, o.V}
		if len(a.seen) > maxSeen {
			a.pruneSeen()
		}
	}
	a.recent = append(a.recent, o)
	if len(a.recent) > recentOps {
		drop := len(a.recent) - recentOps/2
		a.recent = slices.Clone(a.recent[drop:])
		a.recentFrom += int64(drop)
	}
	frame := o.encode(a.id)
	for sub := range a.subs {
		if sub != from {
			sub.Send(frame)
		}
	}
	a.maybeMilestone()
}

func (a *authority) pruneSeen() {
	vs := make([]int64, 0, len(a.seen))
	for _, e := range a.seen {
		vs = append(vs, e.v)
	}
	slices.Sort(vs)
	cut := vs[len(vs)/2]
	for k, e := range a.seen {
		if e.v < cut {
			delete(a.seen, k)
		}
	}
	a.floor = max(a.floor, cut)
}

// op returns committed op v (< head), from memory or the log. mu held.
func (a *authority) op(ctx context.Context, v int64) (*storedOp, error) {
	if v >= a.recentFrom && v < a.head {
		return a.recent[v-a.recentFrom], nil
	}
	o, found, err := a.s.readOp(ctx, a.id, v)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("report %s: op %d is missing from the log", a.id, v)
	}
	return o, nil
}

// sendOps sends ops [from, to) to sub. mu held.
func (a *authority) sendOps(ctx context.Context, sub Subscriber, from, to int64) error {
	for v := max(from, 0); v < to; v++ {
		o, err := a.op(ctx, v)
		if err != nil {
			return err
		}
		sub.Send(o.encode(a.id))
	}
	return nil
}

func (a *authority) snapshot() *Snapshot {
	return &Snapshot{V: a.head, Type: ot.URI, Data: a.doc.String()}
}

// Fetch answers a ShareDB fetch: without a version the current snapshot, with one the ops
// since it. The answer is sent to sub. Returns not_found if sub may not read the report.
func (s *Service) Fetch(ctx context.Context, sub Subscriber, reportID string, v *int64) error {
	return s.follow(ctx, sub, reportID, v, "f")
}

// Subscribe answers a ShareDB subscribe as Fetch does, and sends sub every op committed after.
func (s *Service) Subscribe(ctx context.Context, sub Subscriber, reportID string, v *int64) error {
	return s.follow(ctx, sub, reportID, v, "s")
}

func (s *Service) follow(ctx context.Context, sub Subscriber, reportID string, v *int64, action string) error {
	a, _, err := s.lockOpen(ctx, sub.User(), reportID)
	if err != nil {
		return err
	}
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return err
	}
	reply := docReply{A: action, C: Collection, D: a.id}
	if v == nil {
		reply.Data = a.snapshot()
	} else if err := a.sendOps(ctx, sub, *v, a.head); err != nil {
		return err
	}
	if action == "s" {
		a.subs[sub] = true
	}
	sub.Send(mustJSON(reply))
	return nil
}

// Unsubscribe stops sending sub the report's ops.
func (s *Service) Unsubscribe(sub Subscriber, reportID string) {
	s.mu.Lock()
	a := s.docs[reportID]
	s.mu.Unlock()
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.subs, sub)
}

// Submission is an op a client submitted: based on version V, numbered Seq by its source.
type Submission struct {
	V      int64
	Seq    int64
	Op     ot.Op
	Create bool
	Del    bool
}

// Submit transforms an op against the ops committed since its base version, stores it, then
// acknowledges it to sub and broadcasts it to the report's other subscribers. A resubmission
// (same user, src and seq) is acknowledged with its original version and not applied again. The
// acknowledgement is sent only after the store has the op. Refusals are *ShareDBError (nothing
// changed); not_found if sub may not read the report.
func (s *Service) Submit(ctx context.Context, sub Subscriber, reportID string, in Submission) error {
	u := sub.User()
	a, rt, err := s.lockOpen(ctx, u, reportID)
	if err != nil {
		return err
	}
	defer a.mu.Unlock()
	switch {
	case a.rep.Locked:
		return refuse("ERR_OP_SUBMIT_REJECTED", errLocked.Error())
	case !rt.edit:
		return refuse("ERR_OP_SUBMIT_REJECTED", "you may read this report but not edit it")
	case in.Del:
		return refuse("ERR_OP_SUBMIT_REJECTED", "reports cannot be deleted")
	case in.Create:
		return refuse("ERR_DOC_ALREADY_CREATED", "the report already exists")
	}
	if err := ot.Check(in.Op); err != nil {
		return refuse("ERR_OT_OP_BADLY_FORMED", err.Error())
	}
	src := sub.Src()
	// Unlike readers, a submission does not wait for the pending ops: it joins them.
	if a.stale {
		if err := a.fresh(ctx); err != nil {
			return err
		}
	}
	for range maxSubmitAttempts {
		// Waiting for pending ops released the lock: the report may have been locked, or a
		// write failed, meanwhile.
		if a.rep.Locked {
			return refuse("ERR_OP_SUBMIT_REJECTED", errLocked.Error())
		}
		if a.stale {
			if err := a.fresh(ctx); err != nil {
				return err
			}
		}
		if in.V > a.head {
			return refuse("ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT", "the op is based on a version the report has not reached")
		}
		if in.V < 1 {
			return refuse("ERR_OP_SUBMIT_REJECTED", "the op is based on the report before its creation")
		}
		if a.pendingFrom(u.ID, src) {
			// A resubmission racing its original (a reconnect before the acknowledgement):
			// once that is committed, the dedupe table knows it.
			a.settle(ctx)
			continue
		}
		if v, dup, err := a.duplicate(ctx, u.ID, src, in.Seq, in.V); err != nil || dup {
			if err != nil {
				return err
			}
			if err := a.sendMissed(ctx, sub, in.V, v); err != nil {
				return err
			}
			sub.Send(mustJSON(ackMessage{A: "op", C: Collection, D: a.id, V: v, Src: src, Seq: in.Seq}))
			return nil
		}
		// Normalized first: the type's transform does not converge for ops holding adjacent
		// inserts (as the reference behaves), and a client may send such an op.
		op := ot.Normalize(in.Op)
		for v := in.V; v < a.head; v++ {
			c, err := a.op(ctx, v)
			if err != nil {
				return err
			}
			if c.Create {
				continue
			}
			// The incoming op is the later one: it takes the left side, as ShareDB's server does.
			if op, err = ot.Transform(op, c.Op, ot.Left); err != nil {
				return refuse("ERR_OT_OP_BADLY_FORMED", err.Error())
			}
		}
		for _, p := range a.pending {
			var err error
			if op, err = ot.Transform(op, p.o.Op, ot.Left); err != nil {
				return refuse("ERR_OT_OP_BADLY_FORMED", err.Error())
			}
		}
		o := &storedOp{V: a.tip(), Src: src, Seq: in.Seq, User: u.ID, Op: op}
		p, err := a.enqueue(o, sub, in.V)
		if err != nil {
			return err
		}
		// Committing it sends the acknowledgement.
		a.await(ctx, p)
		switch {
		case p.retry:
			continue
		case p.err != nil:
			return p.err
		}
		return nil
	}
	return errs.Errorf(errs.Conflict, "the report is being changed too fast; try again")
}

// append makes o (its op transformed up to head, o.V == head) the report's next version: applies
// it, stores it, then commits it (broadcast to every subscriber but from). retry is true when
// another process stored that version first: its ops have been applied and o must be transformed
// again. Refusals are *ShareDBError; nothing changed then. mu held.
func (a *authority) append(ctx context.Context, o *storedOp, from Subscriber) (retry bool, _ error) {
	if n := a.doc.Len() + inserted(o.Op); n > a.s.cfg.MaxLength {
		return false, refuse("ERR_OT_OP_NOT_APPLIED", fmt.Sprintf("a report holds at most %d characters", a.s.cfg.MaxLength))
	}
	undo, err := ot.InvertWithDoc(o.Op, a.doc)
	if err != nil {
		return false, refuse("ERR_OT_OP_NOT_APPLIED", err.Error())
	}
	if err := a.doc.Apply(o.Op); err != nil {
		return false, refuse("ERR_OT_OP_NOT_APPLIED", err.Error())
	}
	o.TS = max(time.Now().UnixMilli(), a.lastTS)
	if _, err := a.s.ops.InsertOne(ctx, o.doc(a.id)); err != nil {
		if uerr := a.doc.Apply(undo); uerr != nil {
			a.s.log.Error("undo a failed op", "report", a.id, "error", uerr)
		}
		if store.IsDuplicateKey(err) {
			// Another process committed this version first: take its ops and try again.
			return true, a.catchUp(ctx)
		}
		// The write may or may not have happened: read the log before the next op.
		a.stale = true
		return false, fmt.Errorf("store op %s: %w", key(a.id, o.V), err)
	}
	a.commit(o, from)
	return false, nil
}

// sendMissed sends a submitter that is not subscribed the ops [from, to) its op was transformed
// against, as ShareDB does, so that its acknowledgement arrives at the version it names. mu held.
func (a *authority) sendMissed(ctx context.Context, sub Subscriber, from, to int64) error {
	if a.subs[sub] {
		return nil // it has received them as they were committed
	}
	return a.sendOps(ctx, sub, from, to)
}

// duplicate tells whether (user, src, seq) was committed already, and at which version. mu held.
func (a *authority) duplicate(ctx context.Context, user, src string, seq, base int64) (int64, bool, error) {
	e, known := a.seen[user+"\x00"+src]
	switch {
	case known && seq == e.seq:
		return e.v, true, nil
	case known && seq > e.seq, !known && base >= a.floor:
		return 0, false, nil
	}
	// Older than the source's latest op, or the table was pruned: the log since the op's base
	// version holds it if it was committed.
	for v := base; v < a.head; v++ {
		o, err := a.op(ctx, v)
		if err != nil {
			return 0, false, err
		}
		if o.User == user && o.Src == src && o.Seq == seq {
			return v, true, nil
		}
	}
	if known {
		return 0, false, refuse("ERR_OP_SUBMIT_REJECTED", "the op is older than ops its source has already submitted")
	}
	return 0, false, nil
}

func inserted(op ot.Op) int {
	n := 0
	for _, c := range op {
		if c.Kind == ot.KindInsert {
			n += c.Len()
		}
	}
	return n
}

// maybeMilestone stores a snapshot every MilestoneEvery versions, in the background: the op log
// is what is durable; milestones only shorten opening. mu held.
func (a *authority) maybeMilestone() {
	if a.head%a.s.cfg.MilestoneEvery != 0 || a.milestoneBusy {
		return
	}
	// The text is at the pending tip: take the pending ops back out of a copy.
	text := a.doc.String()
	for i := len(a.pending) - 1; i >= 0; i-- {
		var err error
		if text, err = ot.ApplyString(text, a.pending[i].undo); err != nil {
			a.s.log.Error("milestone text", "report", a.id, "error", err)
			return
		}
	}
	a.milestoneBusy = true
	m := milestoneDoc{ID: key(a.id, a.head), Report: a.id, V: a.head, Text: text, TS: a.lastTS, Floor: a.floor,
		Seen: make([]seenDoc, 0, len(a.seen))}
	for k, e := range a.seen {
		m.Seen = append(m.Seen, seenDoc{K: k, Seq: e.seq, V: e.v})
	}
	h := historyDoc{ID: a.id, Upto: a.hist.upto, Entries: a.hist.copyEntries()}
	go func() {
		defer func() {
			a.mu.Lock()
			a.milestoneBusy = false
			a.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := a.s.milestones.InsertOne(ctx, m); err != nil && !store.IsDuplicateKey(err) {
			a.s.log.Warn("store report milestone", "report", a.id, "version", m.V, "error", err)
			return
		}
		if err := a.s.storeTimeline(ctx, h); err != nil {
			a.s.log.Warn("store report history", "report", a.id, "version", m.V, "error", err)
		}
		_, err := a.s.reports.UpdateOne(ctx, bson.D{{Key: "_id", Value: a.id}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "milestone", Value: m.V}}}})
		if err != nil {
			a.s.log.Warn("update report milestone hint", "report", a.id, "version", m.V, "error", err)
		}
	}()
}

// SnapshotAt returns the report at version v (nil: the latest; beyond the latest: the latest).
// Returns not_found if actor may not read it.
func (s *Service) SnapshotAt(ctx context.Context, actor accounts.User, reportID string, v *int64) (Snapshot, error) {
	a, _, err := s.lockOpen(ctx, actor, reportID)
	if err != nil {
		return Snapshot{}, err
	}
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return Snapshot{}, err
	}
	if v == nil {
		return *a.snapshot(), nil
	}
	return a.snapshotAt(ctx, *v)
}

func (a *authority) snapshotAt(ctx context.Context, v int64) (Snapshot, error) {
	switch {
	case v >= a.head:
		return *a.snapshot(), nil
	case v <= 0:
		return Snapshot{V: 0}, nil
	}
	m, err := a.s.readMilestone(ctx, a.id, v)
	if err != nil {
		return Snapshot{}, err
	}
	d := ot.NewDoc(m.Text)
	for i := m.V; i < v; i++ {
		o, err := a.op(ctx, i)
		if err != nil {
			return Snapshot{}, err
		}
		if err := d.Apply(o.Op); err != nil {
			return Snapshot{}, fmt.Errorf("report %s: op %d does not apply: %w", a.id, i, err)
		}
	}
	return Snapshot{V: v, Type: ot.URI, Data: d.String()}, nil
}

// SnapshotAtTime returns the report as it was at ts (milliseconds since the epoch; nil: now):
// the version after the last op committed at or before ts, found by binary search over the log.
func (s *Service) SnapshotAtTime(ctx context.Context, actor accounts.User, reportID string, ts *int64) (Snapshot, error) {
	a, _, err := s.lockOpen(ctx, actor, reportID)
	if err != nil {
		return Snapshot{}, err
	}
	defer a.mu.Unlock()
	if err := a.fresh(ctx); err != nil {
		return Snapshot{}, err
	}
	if ts == nil {
		return *a.snapshot(), nil
	}
	// Timestamps never decrease along the log, so the ops at or before ts are a prefix.
	lo, hi := int64(0), a.head // the answer k (ops [0,k) are at or before ts) is in [lo, hi]
	for lo < hi {
		mid := (lo + hi) / 2
		o, err := a.op(ctx, mid)
		if err != nil {
			return Snapshot{}, err
		}
		if o.TS <= *ts {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return a.snapshotAt(ctx, lo)
}

// PresenceInput is a presence update of one of a connection's presences.
type PresenceInput struct {
	ID string
	P  json.RawMessage
	PV int64
	V  int64
}

// Presence relays a presence update to the report's other presence subscribers and echoes it
// to sub (the client's acknowledgement). A non-null value must be a JSON object; the server sets
// its "user" to {"id","name"} of the sender, and moves its "sel" ([anchor, focus] in code points)
// through the ops committed since the version it names, which the relayed message then carries.
func (s *Service) Presence(ctx context.Context, sub Subscriber, reportID string, in PresenceInput) error {
	u := sub.User()
	a, _, err := s.lockOpen(ctx, u, reportID)
	if err != nil {
		return err
	}
	defer a.mu.Unlock()
	var value map[string]json.RawMessage
	isNull := len(in.P) == 0 || string(in.P) == "null"
	if !isNull {
		if err := json.Unmarshal(in.P, &value); err != nil || value == nil {
			return refuse("ERR_MESSAGE_BADLY_FORMED", "presence must be a JSON object or null")
		}
		value["user"] = mustJSON(Person{ID: u.ID, Name: u.Name})
	}
	v := in.V
	if raw, ok := value["sel"]; ok && v < a.head && a.head-v <= recentOps {
		var sel ot.Selection
		if json.Unmarshal(raw, &sel) == nil {
			for i := v; i < a.head; i++ {
				o, err := a.op(ctx, i)
				if err != nil {
					return err
				}
				if !o.Create {
					sel = ot.TransformSelection(sel, o.Op)
				}
			}
			value["sel"] = mustJSON(sel)
			v = a.head
		}
	}
	p := json.RawMessage("null")
	if !isNull {
		p = mustJSON(value)
	}
	frame := mustJSON(presenceMessage{A: "p", Ch: Channel(a.id), Src: sub.Src(), ID: in.ID, P: p, PV: in.PV, C: Collection, D: a.id, V: v, T: ot.URI})
	mine := a.presence[sub]
	if isNull {
		delete(mine, in.ID)
	} else {
		if mine == nil {
			mine = map[string]int64{}
			a.presence[sub] = mine
		}
		mine[in.ID] = in.PV
	}
	sub.Send(frame)
	for other := range a.psubs {
		if other != sub {
			other.Send(frame)
		}
	}
	return nil
}

// SubscribePresence sends sub the presence updates of the report's other clients, and asks them
// to send their current presence again.
func (s *Service) SubscribePresence(ctx context.Context, sub Subscriber, reportID string) error {
	a, _, err := s.lockOpen(ctx, sub.User(), reportID)
	if err != nil {
		return err
	}
	defer a.mu.Unlock()
	a.psubs[sub] = true
	a.requestPresence(sub)
	return nil
}

// RequestPresence asks the report's other clients to send their presence again.
func (s *Service) RequestPresence(ctx context.Context, sub Subscriber, reportID string) error {
	a, _, err := s.lockOpen(ctx, sub.User(), reportID)
	if err != nil {
		return err
	}
	defer a.mu.Unlock()
	a.requestPresence(sub)
	return nil
}

func (a *authority) requestPresence(from Subscriber) {
	frame := mustJSON(presenceRequest{A: "pr", Ch: Channel(a.id)})
	for other := range a.psubs {
		if other != from {
			other.Send(frame)
		}
	}
}

// UnsubscribePresence stops presence updates to sub and clears the presences sub sent.
func (s *Service) UnsubscribePresence(sub Subscriber, reportID string) {
	s.mu.Lock()
	a := s.docs[reportID]
	s.mu.Unlock()
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.psubs, sub)
	a.clearPresence(sub)
}

// clearPresence tells the others that sub's presences are gone (a null value with the next
// presence version, as ShareDB does when a client leaves). mu held.
func (a *authority) clearPresence(sub Subscriber) {
	for pid, pv := range a.presence[sub] {
		frame := mustJSON(presenceMessage{A: "p", Ch: Channel(a.id), Src: sub.Src(), ID: pid, P: json.RawMessage("null"),
			PV: pv + 1, C: Collection, D: a.id, V: a.head, T: ot.URI})
		for other := range a.psubs {
			if other != sub {
				other.Send(frame)
			}
		}
	}
	delete(a.presence, sub)
}

// Leave forgets a closed connection everywhere: subscriptions, presence subscriptions, and
// the presences it sent.
func (s *Service) Leave(sub Subscriber) {
	s.mu.Lock()
	all := make([]*authority, 0, len(s.docs))
	for _, a := range s.docs {
		all = append(all, a)
	}
	s.mu.Unlock()
	for _, a := range all {
		a.mu.Lock()
		delete(a.subs, sub)
		delete(a.psubs, sub)
		a.clearPresence(sub)
		a.mu.Unlock()
	}
}

// recheck cuts off subscribers who may no longer read the report (removed from its group, or
// no longer a drafter).
func (a *authority) recheck() {
	a.mu.Lock()
	r := a.rep
	subs := map[Subscriber]bool{}
	for _, m := range []map[Subscriber]bool{a.subs, a.psubs} {
		for sub := range m {
			subs[sub] = true
		}
	}
	for sub := range a.presence {
		subs[sub] = true
	}
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for sub := range subs {
		rt, err := a.s.rightsOf(ctx, sub.User(), &r)
		if err != nil {
			a.s.log.Warn("re-check report access", "report", a.id, "error", err)
			continue
		}
		if rt.read {
			continue
		}
		a.mu.Lock()
		delete(a.subs, sub)
		delete(a.psubs, sub)
		a.clearPresence(sub)
		a.mu.Unlock()
		sub.Revoke(a.id)
	}
}

// IsNotFound tells whether err means the report does not exist for the caller.
func IsNotFound(err error) bool {
	return errors.Is(err, errNotFound) || errs.CodeOf(err) == errs.NotFound
}
