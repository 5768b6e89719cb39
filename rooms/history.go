package rooms

import (
	"context"

	"plenary/accounts"
	"plenary/errs"
)

// maxHistoryScan bounds the keys one history request reads from the store.
const maxHistoryScan = 5000

// History returns up to limit messages (current state, tombstones included) with seq < before,
// oldest first. before <= 0 means from the newest. Returns not_found if actor may not read the room.
func (d *Discussion) History(ctx context.Context, actor accounts.User, roomName string, before int64, limit int) ([]*Message, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 100)
	r, err := d.roomState(ctx, roomName)
	if err != nil {
		return nil, errs.Errorf(errs.NotFound, "room not found")
	}
	r.mu.Lock()
	if !r.canRead(actor) {
		r.mu.Unlock()
		return nil, errs.Errorf(errs.NotFound, "room not found")
	}
	if before <= 0 || before > r.published+1 {
		before = r.published + 1
	}
	var out []*Message
	seq := before - 1
	// Newest first from memory while it has them, then from the store by key.
	for ; seq >= 1 && len(out) < limit; seq-- {
		m, ok := r.bySeq[seq]
		if !ok {
			if len(r.recent) > 0 && seq >= r.recent[0].Seq {
				continue // an event of another kind
			}
			break
		}
		out = append(out, m.clone())
	}
	r.mu.Unlock()
	// Events are read one by one by their natural key; edits, reactions and topic changes are
	// skipped. The scan stops after maxHistoryScan keys, so a page is never empty while older
	// messages exist unless that many other events lie in between.
	for budget := maxHistoryScan; seq >= 1 && len(out) < limit && budget > 0; seq, budget = seq-1, budget-1 {
		ev, err := d.loadEvent(ctx, roomName, seq)
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ev.Kind != KindMessage || ev.Message == nil {
			continue
		}
		m := ev.Message.message(seq)
		r.mu.Lock()
		m.Topic = r.resolveTopic(m.Topic)
		r.mu.Unlock()
		out = append(out, m)
	}
	// Oldest first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
