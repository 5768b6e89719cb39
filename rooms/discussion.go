package rooms

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/errs"
	"plenary/ratelimit"
	"plenary/store"
)

// Discussion collections. Room events have natural keys "<room>:<seq>"; client message ids have
// "<room>:<user>:<cmid>"; read positions "<room>:<user>"; the room document holds the head hint and
// the topics.
const (
	colRoomEvents = "room_events"
	colRoomCMIDs  = "room_cmids"
	colRoomReads  = "room_reads"
	colRooms      = "rooms"
)

// Limits of the discussion. They are documented in docs/protocol.md.
const (
	maxBody           = 16000
	maxTopicName      = 60
	maxTopics         = 500
	recentWindow      = 500  // messages kept in memory per room, for unread counts and edits
	replayRing        = 1024 // encoded events kept in memory per room, for resuming subscribers
	maxReplay         = 5000 // beyond this gap a subscriber must reload instead of resuming
	maxCatchUpBuffer  = 2048 // live events buffered for one subscriber while it catches up
	typingMinInterval = time.Second
)

// Person is an author, a mentioned member or someone present, as clients see them.
type Person struct {
	ID   string `json:"id" bson:"id"`
	Name string `json:"name" bson:"name"`
}

// Subscriber is one subscription's receiving end: a websocket connection in practice. Send must
// not block: it queues the frame, and when its queue is full it closes itself (a slow consumer)
// and returns false. Drop closes it for the given reason.
type Subscriber interface {
	Send(frame []byte) bool
	Drop(reason DropReason)
	User() accounts.User
}

// DropReason tells a subscriber why the room let it go.
type DropReason int

// Reasons to drop a subscriber.
const (
	// DropSlowConsumer: it fell too far behind.
	DropSlowConsumer DropReason = iota + 1
	// DropResync: the room had to reload from the store; the subscriber should resume with since.
	DropResync
)

// DiscussionConfig tunes the discussion. Zero values are sensible defaults.
type DiscussionConfig struct {
	// PostRate is how many posts, edits, deletions and reactions one person may make per 10
	// seconds. Zero means 20; negative means unlimited (loopback benchmarks).
	PostRate int
	Logger   *slog.Logger
	// Now returns the current time. Zero means time.Now.
	Now func() time.Time
}

// Discussion runs the rooms: one in-memory authority per active room assigns sequence numbers,
// persists events through the committer (acknowledging only durable events) and fans them out to
// subscribers, each event encoded once.
//
// One process is the authority for its rooms: the embedded store is single-process, and running
// several processes against one MongoDB needs a broker between them, which does not exist yet.
type Discussion struct {
	svc     *Service
	cfg     DiscussionConfig
	log     *slog.Logger
	events  *mongo.Collection
	cmids   *mongo.Collection
	reads   *mongo.Collection
	roomsC  *mongo.Collection
	commit  *committer
	limiter *ratelimit.Limiter

	mu    sync.Mutex
	rooms map[string]*room
	kinds map[string]RoomLoader
}

// DiscussionCollections returns the collections the discussion uses, for store.Open.
func DiscussionCollections() []store.Collection {
	return []store.Collection{{Name: colRoomEvents}, {Name: colRoomCMIDs}, {Name: colRoomReads}, {Name: colRooms}}
}

// NewDiscussion starts the discussion over svc's store. Close stops its committer.
func NewDiscussion(st *store.Store, svc *Service, cfg DiscussionConfig) *Discussion {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PostRate == 0 {
		cfg.PostRate = 20
	}
	d := &Discussion{
		svc: svc, cfg: cfg, log: cfg.Logger,
		events: st.Collection(colRoomEvents), cmids: st.Collection(colRoomCMIDs),
		reads: st.Collection(colRoomReads), roomsC: st.Collection(colRooms),
		limiter: ratelimit.New(cfg.PostRate, 10*time.Second, "you are posting too fast; wait a moment"),
		rooms:   map[string]*room{},
		kinds:   map[string]RoomLoader{},
	}
	d.commit = newCommitter(d)
	svc.setGroupObserver(d.groupChanged)
	return d
}

// Close stops accepting writes and waits for the committer to finish what it holds.
func (d *Discussion) Close() { d.commit.close() }

func (d *Discussion) now() time.Time { return d.cfg.Now().UTC() }

// roomState loads (activating if needed) the room named name. Returns not_found for a malformed
// name or an unknown group.
func (d *Discussion) roomState(ctx context.Context, name string) (*room, error) {
	d.mu.Lock()
	r := d.rooms[name]
	if r == nil {
		r = &room{name: name, d: d, ready: make(chan struct{})}
		d.rooms[name] = r
		d.mu.Unlock()
		r.loadErr = r.load(ctx)
		close(r.ready)
		if r.loadErr != nil {
			d.mu.Lock()
			delete(d.rooms, name)
			d.mu.Unlock()
		}
		return r, r.loadErr
	}
	d.mu.Unlock()
	select {
	case <-r.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if r.loadErr != nil {
		return nil, r.loadErr
	}
	return r, nil
}

// groupChanged is called by Service after every change of a group: the room (if active) takes the
// new membership, and subscribers who may no longer read are cut off at once.
func (d *Discussion) groupChanged(g *groupDoc) { d.AccessChanged("group:"+g.ID, groupAccess{g}) }

// encode marshals a server envelope. Every envelope type is a struct; encoding cannot fail.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}

func roomKey(room string, seq int64) string { return fmt.Sprintf("%s:%d", room, seq) }

func (d *Discussion) loadEvent(ctx context.Context, room string, seq int64) (*eventDoc, error) {
	var doc eventDoc
	err := d.events.FindOne(ctx, bson.D{{Key: "_id", Value: roomKey(room, seq)}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return nil, errs.Errorf(errs.NotFound, "message %d not found", seq)
	}
	if err != nil {
		return nil, fmt.Errorf("load event %s:%d: %w", room, seq, err)
	}
	return &doc, nil
}
