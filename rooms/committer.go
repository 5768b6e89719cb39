package rooms

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/errs"
)

// Group commit: room events from all rooms queue here and are written in batches, one ordered
// insertMany per batch, so that under load many posts share one write. A batch's works are
// acknowledged and broadcast only after the write returns, in sequence order.
const (
	commitQueue    = 8192
	commitMaxBatch = 512
	commitTimeout  = 30 * time.Second
	commitGather   = 3 * time.Millisecond
)

// work is one event on its way to the store.
type work struct {
	room  *room
	epoch int
	seq   int64
	docs  []any // inserted in this order: the event, then the client-id record if any
	// update, when set, rewrites the stored message an edit, deletion or reaction changed.
	update *messageUpdate
	// apply changes the room's memory once the event is durable (under the room's lock).
	apply func()
	frame []byte
	done  chan error
}

type messageUpdate struct {
	key string
	doc *messageDoc
}

// cmidDoc records a client message id, _id "<room>:c:<user>:<cmid>". It is inserted after its
// event in the same ordered batch, so a stored record always has its message.
type cmidDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

func cmidKey(room, userID, cmid string) string { return room + ":c:" + userID + ":" + cmid }

type committer struct {
	d      *Discussion
	in     chan *work
	wg     sync.WaitGroup
	closed chan struct{}
	once   sync.Once

	stateMu  sync.RWMutex
	stopping bool

	// Room documents (head hint, topics) are saved apart from the events, at most once every
	// roomSaveInterval, so the event path never waits for them.
	dirtyMu   sync.Mutex
	dirty     map[*room]bool
	saverWake chan struct{}
	saverDone chan struct{}
}

// roomSaveInterval spaces the saves of room documents: they are hints and counts, not the log,
// and every save is a store write competing with the events.
const (
	roomSaveInterval = 2 * time.Second
	roomSaveSpacing  = 5 * time.Millisecond
)

func newCommitter(d *Discussion) *committer {
	c := &committer{d: d, in: make(chan *work, commitQueue), closed: make(chan struct{}),
		dirty: map[*room]bool{}, saverWake: make(chan struct{}, 1), saverDone: make(chan struct{})}
	c.wg.Add(1)
	go c.run()
	go c.saveLoop()
	return c
}

// close stops the committer after writing what is queued, then saves the room documents.
func (c *committer) close() {
	c.once.Do(func() {
		c.stateMu.Lock()
		c.stopping = true
		c.stateMu.Unlock()
		close(c.closed)
	})
	c.wg.Wait()
	<-c.saverDone
}

func (c *committer) markDirty(works []*work) {
	if len(works) == 0 {
		return
	}
	c.dirtyMu.Lock()
	for _, w := range works {
		c.dirty[w.room] = true
	}
	c.dirtyMu.Unlock()
	select {
	case c.saverWake <- struct{}{}:
	default:
	}
}

// saveLoop writes dirty room documents, coalescing changes over roomSaveInterval.
func (c *committer) saveLoop() {
	defer close(c.saverDone)
	for {
		select {
		case <-c.saverWake:
		case <-c.closed:
			c.wg.Wait() // the committer's last batch may dirty rooms
			c.saveDirty(false)
			return
		}
		c.saveDirty(true)
		select {
		case <-time.After(roomSaveInterval):
		case <-c.closed:
		}
	}
}

// saveDirty writes the dirty rooms' documents. Spaced, it pauses between two rooms: each save is
// a store write, and a hundred of them at once held up the events' commits behind them (a
// delivery latency spike every 2 s in the fan-out benchmark).
func (c *committer) saveDirty(spaced bool) {
	c.dirtyMu.Lock()
	rooms := c.dirty
	c.dirty = map[*room]bool{}
	c.dirtyMu.Unlock()
	if len(rooms) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	first := true
	for r := range rooms {
		if spaced && !first {
			select {
			case <-time.After(roomSaveSpacing):
			case <-c.closed:
				spaced = false
			}
		}
		first = false
		c.saveRoom(ctx, r)
	}
}

// submit queues w. It must be called with w.room locked, so that queue order is sequence order.
// Returns rate_limited when the queue is full: the store is not keeping up.
func (c *committer) submit(w *work) error {
	// The read lock keeps close from finishing between the check and the send: work is either
	// refused or queued before the committer drains the queue for the last time.
	c.stateMu.RLock()
	defer c.stateMu.RUnlock()
	if c.stopping {
		return errs.Errorf(errs.Internal, "the server is shutting down")
	}
	select {
	case c.in <- w:
		return nil
	default:
		return errs.RateLimitedFor(1, "the server is busy; try again in a moment")
	}
}

func (c *committer) run() {
	defer c.wg.Done()
	busy := false
	for {
		var first *work
		select {
		case first = <-c.in:
		case <-c.closed:
			// Finish what was queued before closing.
			for {
				select {
				case w := <-c.in:
					c.write([]*work{w})
				default:
					return
				}
			}
		}
		batch := []*work{first}
		// Under load (the last batch held more than one event), wait up to commitGather for
		// more: every insertMany has a fixed cost in the store (a transaction, its WAL pages)
		// that a larger batch shares. A lone event is written at once.
		var gather <-chan time.Time
		if busy {
			gather = time.After(commitGather)
		}
	drain:
		for len(batch) < commitMaxBatch {
			select {
			case w := <-c.in:
				batch = append(batch, w)
			case <-gather:
				break drain
			default:
				if gather == nil {
					break drain
				}
				select {
				case w := <-c.in:
					batch = append(batch, w)
				case <-gather:
					break drain
				}
			}
		}
		busy = len(batch) > 1
		c.write(batch)
	}
}

// write stores a batch and finishes each work: the durable prefix is applied, broadcast and
// acknowledged in order; the rest fails, and their rooms resynchronize their subscribers.
func (c *committer) write(batch []*work) {
	// Works of a room whose earlier commit failed belong to a dead epoch: drop them.
	live := batch[:0:0]
	for _, w := range batch {
		w.room.mu.Lock()
		stale := w.epoch != w.room.epoch
		w.room.mu.Unlock()
		if stale {
			w.done <- errs.Errorf(errs.Internal, "the message could not be stored; send it again")
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	var docs []any
	for _, w := range live {
		docs = append(docs, w.docs...)
	}
	stored := len(docs)
	_, err := c.d.events.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	if err != nil {
		stored = insertedPrefix(err)
		c.d.log.Error("commit room events", slog.Any("error", err), slog.Int("stored", stored), slog.Int("batch", len(docs)))
	}
	ok := 0
	for _, w := range live {
		if stored < len(w.docs) {
			break
		}
		stored -= len(w.docs)
		if w.update != nil {
			if _, uerr := c.d.events.UpdateOne(ctx, bson.D{{Key: "_id", Value: w.update.key}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "message", Value: w.update.doc}}}}); uerr != nil {
				c.d.log.Error("update message", slog.String("key", w.update.key), slog.Any("error", uerr))
				err = errors.Join(err, uerr)
				break
			}
		}
		ok++
	}
	publish(live[:ok])
	c.markDirty(live[:ok])
	failed := live[ok:]
	if len(failed) == 0 {
		return
	}
	rooms := map[*room]bool{}
	for _, w := range failed {
		rooms[w.room] = true
		w.done <- errs.Errorf(errs.Internal, "the message could not be stored; send it again")
	}
	for r := range rooms {
		r.resync()
	}
}

// publish applies stored works to their rooms, then broadcasts and acknowledges them (room.go:
// publishLocked).
func publish(works []*work) {
	var order []*room
	byRoom := map[*room][]*work{}
	for _, w := range works {
		if byRoom[w.room] == nil {
			order = append(order, w.room)
		}
		byRoom[w.room] = append(byRoom[w.room], w)
	}
	for _, r := range order {
		r.mu.Lock()
		for _, w := range byRoom[r] {
			w.apply()
			r.committed = w.seq
			r.ring[w.seq%replayRing] = w.frame
			r.held = append(r.held, heldEvent{frame: w.frame, done: w.done})
		}
		done := r.publishLocked()
		r.mu.Unlock()
		done()
	}
}

// insertedPrefix tells how many documents of an ordered insertMany were stored before it failed.
func insertedPrefix(err error) int {
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		return bwe.WriteErrors[0].Index
	}
	return 0
}

// saveRoom writes a room's document: the head hint and the topics.
func (c *committer) saveRoom(ctx context.Context, r *room) {
	r.mu.Lock()
	doc := roomDoc{ID: r.name, Head: r.committed, Topics: []topicDoc{}, Aliases: []aliasDoc{}}
	for _, t := range r.topics {
		doc.Topics = append(doc.Topics, *t)
	}
	slices.SortFunc(doc.Topics, func(a, b topicDoc) int { return int(a.LastSeq - b.LastSeq) })
	for from, to := range r.aliases {
		doc.Aliases = append(doc.Aliases, aliasDoc{From: from, To: to})
	}
	r.mu.Unlock()
	_, err := c.d.roomsC.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		// The head is only a hint (loading probes past it) and the topics are written again
		// with the room's next change; the events themselves are stored.
		c.d.log.Warn("save room document", slog.String("room", r.name), slog.Any("error", err))
	}
}

// resync recovers a room after a failed commit: its memory is reloaded from the store (the log is
// the truth), and its subscribers are disconnected so that they resume from the store with since,
// seeing exactly what was stored.
func (r *room) resync() {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.broadcastHeldLocked()() // what was stored before the failure is announced first
	r.epoch++
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if err := r.loadLog(ctx); err != nil {
		r.d.log.Error("reload room after failed commit", slog.String("room", r.name), slog.Any("error", err))
		r.head = r.committed
	}
	for sub := range r.subs {
		r.removeLocked(sub)
		sub.Drop(DropResync)
	}
}
