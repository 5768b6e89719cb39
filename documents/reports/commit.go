package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/documents/ot"
	"plenary/store"
)

// Group commit of editors' ops. An op is transformed and applied to the report's text under the
// authority's lock as soon as it arrives, then waits in the pending list; one submitter at a time
// (the flusher) writes every pending op to the log in one ordered insert, without the lock, and
// then commits them — broadcast and acknowledgement — in version order. Ops arriving during the
// write are transformed against the pending ones and go in the next write. A report with many
// editors thus pays one store round trip per batch instead of one per op, and the lock is never
// held across a store write on this path. Nothing is acknowledged or broadcast before its write
// succeeded.

// maxBatch bounds the ops written in one insert.
const maxBatch = 256

// pendingOp is an op applied to the text but not yet in the log.
type pendingOp struct {
	o    *storedOp
	sub  Subscriber // the submitter, acknowledged at commit
	base int64      // the version the submitter based it on
	undo ot.Op      // takes the text back to before it
	// done is set when the op was committed or abandoned: then retry says it must be transformed
	// again (another process committed its version first), or err why it failed.
	done  bool
	retry bool
	err   error
}

// enqueue applies o (transformed up to the pending tip) to the text and adds it to the pending
// ops. Refusals are *ShareDBError; nothing changed then. mu held.
func (a *authority) enqueue(o *storedOp, sub Subscriber, base int64) (*pendingOp, error) {
	if n := a.doc.Len() + inserted(o.Op); n > a.s.cfg.MaxLength {
		return nil, refuse("ERR_OT_OP_NOT_APPLIED", fmt.Sprintf("a report holds at most %d characters", a.s.cfg.MaxLength))
	}
	undo, err := ot.InvertWithDoc(o.Op, a.doc)
	if err != nil {
		return nil, refuse("ERR_OT_OP_NOT_APPLIED", err.Error())
	}
	if err := a.doc.Apply(o.Op); err != nil {
		return nil, refuse("ERR_OT_OP_NOT_APPLIED", err.Error())
	}
	o.TS = max(time.Now().UnixMilli(), a.tipTS())
	p := &pendingOp{o: o, sub: sub, base: base, undo: undo}
	a.pending = append(a.pending, p)
	return p, nil
}

// tip is the version the text is at: the committed head plus the pending ops. mu held.
func (a *authority) tip() int64 { return a.head + int64(len(a.pending)) }

func (a *authority) tipTS() int64 {
	if n := len(a.pending); n > 0 {
		return a.pending[n-1].o.TS
	}
	return a.lastTS
}

// pendingFrom tells whether an op of user's source is pending. mu held.
func (a *authority) pendingFrom(user, src string) bool {
	for _, p := range a.pending {
		if p.o.User == user && p.o.Src == src {
			return true
		}
	}
	return false
}

// await returns once p is committed or abandoned, writing pending ops itself whenever no other
// submitter is. mu held (released while waiting and writing).
func (a *authority) await(ctx context.Context, p *pendingOp) {
	for !p.done {
		if !a.flushing {
			a.flush(ctx)
			continue
		}
		a.flushed.Wait()
	}
}

// settle returns once no op is pending: readers of the text and head need them equal. mu held.
func (a *authority) settle(ctx context.Context) {
	for len(a.pending) > 0 || a.flushing {
		if !a.flushing {
			a.flush(ctx)
			continue
		}
		a.flushed.Wait()
	}
}

// flush writes the first pending ops to the log and commits those written. mu held, released
// during the write.
func (a *authority) flush(ctx context.Context) {
	batch := a.pending[:min(len(a.pending), maxBatch)]
	docs := make([]any, len(batch))
	for i, p := range batch {
		docs[i] = p.o.doc(a.id)
	}
	a.flushing = true
	a.mu.Unlock()
	// The write and what follows it serve every submitter in the batch: one leaving must not
	// cancel them.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	written, err := a.s.insertOps(ctx, docs)
	a.mu.Lock()
	a.flushing = false
	for range written {
		p := a.pending[0]
		a.pending = a.pending[1:]
		a.commitPending(ctx, p)
	}
	if err != nil {
		a.abandonPending(ctx, err, len(batch)-written)
	}
	a.flushed.Broadcast()
}

// commitPending commits a written op: broadcast to the other subscribers, then the submitter's
// acknowledgement, with the ops it had not seen before it if it does not follow the report.
// mu held.
func (a *authority) commitPending(ctx context.Context, p *pendingOp) {
	a.commit(p.o, p.sub)
	p.done = true
	if p.sub == nil {
		return
	}
	if err := a.sendMissed(ctx, p.sub, p.base, p.o.V); err != nil {
		a.s.log.Warn("send missed ops", "report", a.id, "error", err)
	}
	p.sub.Send(mustJSON(ackMessage{A: "op", C: Collection, D: a.id, V: p.o.V, Src: p.o.Src, Seq: p.o.Seq}))
}

// abandonPending takes every op still pending back out of the text after a failed write, whose
// first attempted ops were part of. When another process committed a version first (duplicate
// key), its ops are read and every abandoned op is transformed again by its submitter. Otherwise
// the attempted ops fail, since they may or may not have been written (the log is read again
// before the next use), and the ops queued behind them, never written, are transformed again.
// mu held.
func (a *authority) abandonPending(ctx context.Context, err error, attempted int) {
	for i := len(a.pending) - 1; i >= 0; i-- {
		if uerr := a.doc.Apply(a.pending[i].undo); uerr != nil {
			a.s.log.Error("undo a pending op", "report", a.id, "error", uerr)
		}
	}
	dup := store.IsDuplicateKey(err)
	for i, p := range a.pending {
		p.done = true
		if dup || i >= attempted {
			p.retry = true
		} else {
			p.err = fmt.Errorf("store op %s: %w", key(a.id, p.o.V), err)
		}
	}
	a.pending = nil
	a.stale = true
	if dup {
		if cerr := a.catchUp(ctx); cerr != nil {
			a.s.log.Warn("read ops committed elsewhere", "report", a.id, "error", cerr)
		}
	}
}

// insertOps inserts op documents in order and tells how many were written before an error.
func (s *Service) insertOps(ctx context.Context, docs []any) (int, error) {
	if len(docs) == 1 {
		// The single-op case is most of them: insertOne is the cheaper command.
		if _, err := s.ops.InsertOne(ctx, docs[0]); err != nil {
			return 0, err
		}
		return 1, nil
	}
	_, err := s.ops.InsertMany(ctx, docs)
	if err == nil {
		return len(docs), nil
	}
	// The ops before the first failed one are written, unless the write concern failed too:
	// then none is known to be durable.
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) && len(bulk.WriteErrors) > 0 && bulk.WriteConcernError == nil {
		return bulk.WriteErrors[0].Index, err
	}
	return 0, err
}
