package rooms

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/errs"
)

// Event kinds.
const (
	KindMessage  = "message"
	KindEdit     = "edit"
	KindDelete   = "delete"
	KindReaction = "reaction"
	KindTopic    = "topic"
)

// Message is a discussion message in its current state.
type Message struct {
	Seq       int64               `json:"seq"`
	Topic     string              `json:"topic"`
	Author    Person              `json:"author"`
	Body      string              `json:"body"`
	HTML      string              `json:"html"`
	Mentions  []string            `json:"mentions"`
	CMID      string              `json:"cmid"`
	At        time.Time           `json:"at"`
	EditedAt  *time.Time          `json:"edited_at"`
	Deleted   bool                `json:"deleted"`
	Reactions map[string][]string `json:"reactions"`
}

// TopicChange is the payload of a topic event.
type TopicChange struct {
	Name        string `json:"name"`
	Resolved    bool   `json:"resolved"`
	RenamedFrom string `json:"renamed_from,omitempty"`
}

// Event is the envelope of one room event as sent to clients.
type Event struct {
	Type    string       `json:"type"`
	Room    string       `json:"room"`
	Seq     int64        `json:"seq"`
	At      time.Time    `json:"at"`
	Kind    string       `json:"kind"`
	Message *Message     `json:"message,omitempty"`
	Topic   *TopicChange `json:"topic,omitempty"`
}

// reactionDoc stores one emoji's reactions; emoji are values, not field names, so no key
// restrictions of the store apply to them.
type reactionDoc struct {
	Emoji string   `bson:"emoji"`
	Users []string `bson:"users"`
}

type messageDoc struct {
	Topic     string        `bson:"topic"`
	Author    Person        `bson:"author"`
	Body      string        `bson:"body"`
	HTML      string        `bson:"html"`
	Mentions  []string      `bson:"mentions"`
	CMID      string        `bson:"cmid"`
	At        time.Time     `bson:"at"`
	EditedAt  *time.Time    `bson:"edited_at"`
	Deleted   bool          `bson:"deleted"`
	Reactions []reactionDoc `bson:"reactions"`
}

// eventDoc is a stored event, _id "<room>:<seq>". For a message event, Message is the message's
// current state (edits, deletions and reactions update it in place, after recording their own
// events); for other kinds it is the message as it was after that event.
type eventDoc struct {
	ID      string       `bson:"_id"`
	Room    string       `bson:"room"`
	Seq     int64        `bson:"seq"`
	Kind    string       `bson:"kind"`
	At      time.Time    `bson:"at"`
	Target  int64        `bson:"target,omitempty"`
	Message *messageDoc  `bson:"message,omitempty"`
	Topic   *TopicChange `bson:"topic,omitempty"`
}

func (m *Message) doc() *messageDoc {
	d := &messageDoc{Topic: m.Topic, Author: m.Author, Body: m.Body, HTML: m.HTML, Mentions: m.Mentions, CMID: m.CMID,
		At: m.At, EditedAt: m.EditedAt, Deleted: m.Deleted, Reactions: []reactionDoc{}}
	keys := make([]string, 0, len(m.Reactions))
	for k := range m.Reactions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.Reactions = append(d.Reactions, reactionDoc{Emoji: k, Users: m.Reactions[k]})
	}
	return d
}

func (d *messageDoc) message(seq int64) *Message {
	m := &Message{Seq: seq, Topic: d.Topic, Author: d.Author, Body: d.Body, HTML: d.HTML, Mentions: d.Mentions, CMID: d.CMID,
		At: d.At, EditedAt: d.EditedAt, Deleted: d.Deleted, Reactions: map[string][]string{}}
	if m.Mentions == nil {
		m.Mentions = []string{}
	}
	for _, r := range d.Reactions {
		m.Reactions[r.Emoji] = r.Users
	}
	return m
}

// clone returns a copy that later changes to m do not affect.
func (m *Message) clone() *Message {
	c := *m
	c.Reactions = make(map[string][]string, len(m.Reactions))
	for k, v := range m.Reactions {
		c.Reactions[k] = slices.Clone(v)
	}
	c.Mentions = slices.Clone(m.Mentions)
	return &c
}

type topicDoc struct {
	Name     string `bson:"name"`
	Resolved bool   `bson:"resolved"`
	LastSeq  int64  `bson:"last_seq"`
	Messages int64  `bson:"messages"`
}

type aliasDoc struct {
	From string `bson:"from"`
	To   string `bson:"to"`
}

// roomDoc is the room's own document: where its log ends (a hint; the log itself is the truth),
// its topics and the renames that merged topics.
type roomDoc struct {
	ID      string     `bson:"_id"`
	Head    int64      `bson:"head"`
	Topics  []topicDoc `bson:"topics"`
	Aliases []aliasDoc `bson:"aliases"`
}

// subscription is one subscriber's state in a room. While it catches up on missed events, live
// events are buffered here and flushed after the replay, so the subscriber sees every event once,
// in order.
type subscription struct {
	catchingUp bool
	buffered   [][]byte
}

// room is the in-memory authority of one discussion room.
type room struct {
	name    string
	d       *Discussion
	ready   chan struct{}
	loadErr error

	mu          sync.Mutex
	access      RoomAccess
	head        int64 // last sequence number assigned
	committed   int64 // last sequence number durably stored
	published   int64 // last sequence number broadcast (held events lie between the two)
	held        []heldEvent
	lastSent    time.Time // when held events were last broadcast
	flushTimer  *time.Timer
	epoch       int // bumped when a commit fails; pending work of older epochs is dropped
	reload      bool
	topics      map[string]*topicDoc
	aliases     map[string]string
	recent      []*Message // the latest messages, oldest first
	bySeq       map[int64]*Message
	unstored    map[int64]*Message // messages changed by events not yet stored: their newest state
	ring        [replayRing][]byte // committed events' frames by seq % replayRing
	ringFrom    int64              // the oldest seq the ring has held since the room was loaded
	readMu      sync.Mutex         // serializes read-position changes in this room
	subs        map[Subscriber]*subscription
	online      map[string]int // user id → subscriptions
	names       map[string]string
	cmids       map[string]int64 // user|cmid → seq, for the messages in recent and those on their way to the store
	pending     map[string]chan struct{}
	typing      map[string]time.Time
	topicsDirty bool
}

func (r *room) load(ctx context.Context) error {
	a, err := r.d.loadAccess(ctx, r.name)
	if err != nil {
		return err
	}
	r.access = a
	r.subs = map[Subscriber]*subscription{}
	r.online = map[string]int{}
	r.names = map[string]string{}
	r.cmids = map[string]int64{}
	r.pending = map[string]chan struct{}{}
	r.typing = map[string]time.Time{}
	return r.loadLog(ctx)
}

// loadLog reads the room document, finds the real end of the log (the head hint may lag after a
// crash) and loads the latest messages.
func (r *room) loadLog(ctx context.Context) error {
	var doc roomDoc
	err := r.d.roomsC.FindOne(ctx, bson.D{{Key: "_id", Value: r.name}}).Decode(&doc)
	if err != nil && err != mongo.ErrNoDocuments {
		return fmt.Errorf("load room %s: %w", r.name, err)
	}
	head := doc.Head
	for {
		_, err := r.d.loadEvent(ctx, r.name, head+1)
		if errs.CodeOf(err) == errs.NotFound {
			break
		}
		if err != nil {
			return err
		}
		head++
	}
	r.head, r.committed, r.published = head, head, head
	r.topics = map[string]*topicDoc{}
	for i := range doc.Topics {
		t := doc.Topics[i]
		r.topics[t.Name] = &t
	}
	r.aliases = map[string]string{}
	for _, a := range doc.Aliases {
		r.aliases[a.From] = a.To
	}
	r.recent = nil
	r.bySeq = map[int64]*Message{}
	r.unstored = map[int64]*Message{}
	r.ring = [replayRing][]byte{}
	r.ringFrom = head + 1
	for seq := max(1, head-recentWindow*2); seq <= head && len(r.recent) < recentWindow*2; seq++ {
		ev, err := r.d.loadEvent(ctx, r.name, seq)
		if err != nil {
			return err
		}
		if ev.Kind == KindMessage && ev.Message != nil {
			m := ev.Message.message(seq)
			m.Topic = r.resolveTopic(m.Topic)
			r.remember(m)
			r.countTopic(m, false)
		}
	}
	r.trimRecent()
	r.cmids = map[string]int64{}
	for _, m := range r.recent {
		if m.CMID != "" {
			r.cmids[m.Author.ID+"|"+m.CMID] = m.Seq
		}
	}
	return nil
}

// countTopic keeps the topic list in step when a message is added. The counts of a topic come
// from the room document; when a room is loaded, messages already counted there are not counted
// again (counted=false only updates last_seq).
func (r *room) countTopic(m *Message, counted bool) {
	t := r.topics[m.Topic]
	if t == nil {
		t = &topicDoc{Name: m.Topic}
		r.topics[m.Topic] = t
		counted = true
	}
	if counted {
		t.Messages++
	}
	t.LastSeq = max(t.LastSeq, m.Seq)
}

func (r *room) remember(m *Message) {
	r.recent = append(r.recent, m)
	r.bySeq[m.Seq] = m
}

func (r *room) trimRecent() {
	if extra := len(r.recent) - recentWindow; extra > 0 {
		for _, m := range r.recent[:extra] {
			delete(r.bySeq, m.Seq)
			// Older client ids are looked up in the store when a post says it is a retry; kept
			// here, they would grow with every post for the process's life.
			if key := m.Author.ID + "|" + m.CMID; m.CMID != "" && r.cmids[key] == m.Seq {
				delete(r.cmids, key)
			}
		}
		r.recent = slices.Clone(r.recent[extra:])
	}
}

func (r *room) resolveTopic(name string) string {
	for i := 0; i < 10; i++ {
		to, ok := r.aliases[name]
		if !ok {
			return name
		}
		name = to
	}
	return name
}

// setAccess takes new access rules and cuts off subscribers who may no longer read.
func (r *room) setAccess(a RoomAccess) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.access = a
	revoked := encode(revokedEnvelope{Type: "revoked", Room: r.name, Reason: "removed"})
	for sub := range r.subs {
		if !r.canRead(sub.User()) {
			r.removeLocked(sub)
			sub.Send(revoked)
		}
	}
}

func (r *room) canRead(u accounts.User) bool     { return r.access.CanRead(u) }
func (r *room) canPost(u accounts.User) bool     { return r.access.CanPost(u) }
func (r *room) canModerate(u accounts.User) bool { return r.access.CanModerate(u) }
func (r *room) members() map[string]string       { return r.access.Members() }

// broadcastLocked hands one encoded frame to every subscriber (buffering for those catching up).
// A subscriber whose queue is full closes itself; it is dropped here.
func (r *room) broadcastLocked(frame []byte, except string) {
	for sub, st := range r.subs {
		if except != "" && sub.User().ID == except {
			continue
		}
		if st.catchingUp {
			if len(st.buffered) >= maxCatchUpBuffer {
				r.removeLocked(sub)
				sub.Drop(DropSlowConsumer)
				continue
			}
			st.buffered = append(st.buffered, frame)
			continue
		}
		if !sub.Send(frame) {
			r.removeLocked(sub)
		}
	}
}

// heldEvent is a stored event waiting for its room's next broadcast.
type heldEvent struct {
	frame []byte
	done  chan error // told once the event is broadcast
}

// broadcastLinger spaces the broadcasts of a busy room with many subscribers. An event stored
// while the room is quiet goes out at once; events stored within broadcastLinger of the last
// broadcast wait for the next one and go out together, as one frame per subscriber. On a
// loopback socket a write costs about as much CPU as everything else a delivery takes, so a room
// posted to faster than once every broadcastLinger costs its subscribers one write per broadcast
// instead of one per event. Rooms with fewer than lingerSubscribers subscribers broadcast at
// once: their fan-out is cheap.
const (
	broadcastLinger   = 20 * time.Millisecond
	lingerSubscribers = 32
)

// publishLocked broadcasts the held events now, or arranges for them to go out broadcastLinger
// after the last broadcast. It returns what to call once the room is unlocked.
func (r *room) publishLocked() func() {
	if len(r.held) == 0 || r.flushTimer != nil {
		return func() {}
	}
	if len(r.subs) < lingerSubscribers {
		return r.broadcastHeldLocked()
	}
	if wait := time.Until(r.lastSent.Add(broadcastLinger)); wait > 0 {
		r.flushTimer = time.AfterFunc(wait, func() {
			r.mu.Lock()
			r.flushTimer = nil
			done := r.broadcastHeldLocked()
			r.mu.Unlock()
			done()
		})
		return func() {}
	}
	return r.broadcastHeldLocked()
}

// broadcastHeldLocked sends the held events to the subscribers, joined into frames of up to
// replayFrame bytes, and returns what acknowledges them (to call once the room is unlocked).
func (r *room) broadcastHeldLocked() func() {
	if r.flushTimer != nil {
		r.flushTimer.Stop()
		r.flushTimer = nil
	}
	held := r.held
	if len(held) == 0 {
		return func() {}
	}
	r.held = nil
	r.lastSent = time.Now()
	r.published = r.committed
	var batch replayBatch
	for _, h := range held {
		batch.join(h.frame, func(frame []byte) { r.broadcastLocked(frame, "") })
	}
	batch.join(nil, func(frame []byte) { r.broadcastLocked(frame, "") })
	return func() {
		for _, h := range held {
			h.done <- nil
		}
	}
}

// removeLocked drops a subscription and announces the person offline if it was their last.
func (r *room) removeLocked(sub Subscriber) {
	if _, ok := r.subs[sub]; !ok {
		return
	}
	delete(r.subs, sub)
	u := sub.User()
	r.online[u.ID]--
	if r.online[u.ID] <= 0 {
		delete(r.online, u.ID)
		delete(r.typing, u.ID)
		r.broadcastLocked(encode(presenceEnvelope{Type: "presence", Room: r.name, User: Person{ID: u.ID, Name: u.Name}, Online: false}), "")
	}
}

// Envelopes other than events.
type (
	revokedEnvelope struct {
		Type   string `json:"type"`
		Room   string `json:"room"`
		Reason string `json:"reason"`
	}
	presenceEnvelope struct {
		Type   string `json:"type"`
		Room   string `json:"room"`
		User   Person `json:"user"`
		Online bool   `json:"online"`
	}
	typingEnvelope struct {
		Type  string `json:"type"`
		Room  string `json:"room"`
		Topic string `json:"topic"`
		User  Person `json:"user"`
	}
	readEnvelope struct {
		Type  string `json:"type"`
		Room  string `json:"room"`
		Topic string `json:"topic"`
		Seq   int64  `json:"seq"`
	}
)

// TopicState is a topic as a subscriber sees it, with their unread counts.
type TopicState struct {
	Name     string `json:"name"`
	Resolved bool   `json:"resolved"`
	LastSeq  int64  `json:"last_seq"`
	Messages int64  `json:"messages"`
	Unread   int    `json:"unread"`
	Mentions int    `json:"mentions"`
}

// Subscribed is the answer to a subscription.
type Subscribed struct {
	Head     int64        `json:"head"`
	Read     ReadState    `json:"read"`
	Topics   []TopicState `json:"topics"`
	Presence []Person     `json:"presence"`
}

// ReadState is a person's read positions in a room, by topic.
type ReadState struct {
	Topics map[string]int64 `json:"topics"`
}

type readDoc struct {
	ID     string      `bson:"_id"`
	Topics []readTopic `bson:"topics"`
}

type readTopic struct {
	Topic string `bson:"topic"`
	Seq   int64  `bson:"seq"`
}

// Subscribe adds sub to a room. ack is called (under the room's lock, before any event reaches
// sub) with the subscription's answer; then every event after since is delivered, then live ones.
// since < 0 means live events only. Returns not_found if the actor may not read the room, invalid
// if since is ahead of the room or too far behind to resume.
func (d *Discussion) Subscribe(ctx context.Context, sub Subscriber, roomName string, since int64, ack func(Subscribed)) error {
	actor := sub.User()
	r, err := d.roomState(ctx, roomName)
	if err != nil {
		return errs.Errorf(errs.NotFound, "room not found")
	}
	read, err := d.readState(ctx, roomName, actor.ID)
	if err != nil {
		return err
	}
	r.mu.Lock()
	if !r.canRead(actor) {
		r.mu.Unlock()
		return errs.Errorf(errs.NotFound, "room not found")
	}
	head := r.published
	if since > head {
		r.mu.Unlock()
		return errs.Errorf(errs.Invalid, "since: the room has only %d events", head)
	}
	if since >= 0 && head-since > maxReplay {
		r.mu.Unlock()
		return errs.Errorf(errs.Invalid, "since: more than %d events behind; load the history instead", maxReplay)
	}
	if _, dup := r.subs[sub]; dup {
		r.mu.Unlock()
		return errs.Errorf(errs.Conflict, "already subscribed to %s", roomName)
	}
	st := &subscription{catchingUp: since >= 0 && since < head}
	r.subs[sub] = st
	r.online[actor.ID]++
	r.names[actor.ID] = actor.Name
	if r.online[actor.ID] == 1 {
		r.broadcastLocked(encode(presenceEnvelope{Type: "presence", Room: r.name, User: Person{ID: actor.ID, Name: actor.Name}, Online: true}), actor.ID)
	}
	ack(r.subscribedLocked(actor, head, read))
	// What the ring still holds is replayed now, under the lock; older events are read from the
	// store below, outside it.
	from := since + 1
	if st.catchingUp && from >= r.ringFrom && head-since <= replayRing {
		var batch replayBatch
		for seq := from; seq <= head; seq++ {
			batch.add(sub, r.ring[seq%replayRing])
		}
		batch.flush(sub)
		st.catchingUp = false
	}
	catchingUp := st.catchingUp
	r.mu.Unlock()
	if !catchingUp {
		return nil
	}
	var batch replayBatch
	for seq := from; seq <= head; seq++ {
		// Someone removed from the group during a long replay gets nothing more.
		r.mu.Lock()
		_, still := r.subs[sub]
		r.mu.Unlock()
		if !still {
			return nil
		}
		ev, err := d.loadEvent(ctx, roomName, seq)
		if err != nil {
			// The subscription was already acknowledged, so an error answer would not reach the
			// request; the subscriber is dropped instead and resumes from where it got to.
			d.log.Error("replay room events", "room", roomName, "seq", seq, "error", err)
			d.Unsubscribe(sub, roomName)
			sub.Drop(DropResync)
			return nil
		}
		if !batch.add(sub, encode(r.eventFromDoc(ev))) {
			d.Unsubscribe(sub, roomName)
			return nil
		}
	}
	if !batch.flush(sub) {
		d.Unsubscribe(sub, roomName)
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.subs[sub]; ok {
		for _, f := range st.buffered {
			if !sub.Send(f) {
				r.removeLocked(sub)
				return nil
			}
		}
		st.buffered, st.catchingUp = nil, false
	}
	return nil
}

// replayBatch joins replayed envelopes into frames of up to replayFrame bytes (newline
// separated, as the protocol allows), so that a resume is a few frames, not one per event, and
// does not fill the subscriber's queue.
type replayBatch struct{ buf []byte }

const replayFrame = 64 << 10

func (b *replayBatch) add(sub Subscriber, envelope []byte) bool {
	ok := true
	b.join(envelope, func(frame []byte) { ok = sub.Send(frame) })
	return ok
}

func (b *replayBatch) flush(sub Subscriber) bool {
	ok := true
	b.join(nil, func(frame []byte) { ok = sub.Send(frame) })
	return ok
}

// join adds envelope to the frame being built, first handing the frame to send when the
// envelope would not fit; a nil envelope hands over what is built. A frame of one envelope is
// the envelope itself, not a copy.
func (b *replayBatch) join(envelope []byte, send func([]byte)) {
	if len(b.buf) > 0 && (envelope == nil || len(b.buf)+1+len(envelope) > replayFrame) {
		send(b.buf)
		b.buf = nil
	}
	switch {
	case envelope == nil:
	case b.buf == nil:
		b.buf = envelope[:len(envelope):len(envelope)] // appending copies it
	default:
		b.buf = append(b.buf, '\n')
		b.buf = append(b.buf, envelope...)
	}
}

func (r *room) eventFromDoc(ev *eventDoc) Event {
	out := Event{Type: "event", Room: r.name, Seq: ev.Seq, At: ev.At, Kind: ev.Kind, Topic: ev.Topic}
	if ev.Message != nil {
		seq := ev.Seq
		if ev.Kind != KindMessage {
			seq = ev.Target
		}
		m := ev.Message.message(seq)
		r.mu.Lock()
		m.Topic = r.resolveTopic(m.Topic)
		r.mu.Unlock()
		out.Message = m
	}
	return out
}

// resolveReadLocked maps stored read positions onto the current topic names. Positions stored
// under a topic that was since renamed follow it; when two topics were merged, the lower position
// wins, so nothing unread is hidden.
func (r *room) resolveReadLocked(read ReadState) ReadState {
	out := ReadState{Topics: make(map[string]int64, len(read.Topics))}
	for topic, seq := range read.Topics {
		name := r.resolveTopic(topic)
		if prev, ok := out.Topics[name]; !ok || seq < prev {
			out.Topics[name] = seq
		}
	}
	return out
}

func (r *room) subscribedLocked(actor accounts.User, head int64, read ReadState) Subscribed {
	read = r.resolveReadLocked(read)
	out := Subscribed{Head: head, Read: read, Topics: []TopicState{}, Presence: []Person{}}
	unread := map[string]int{}
	mentions := map[string]int{}
	for _, m := range r.recent {
		if m.Seq > head || m.Deleted || m.Author.ID == actor.ID || m.Seq <= read.Topics[m.Topic] {
			continue
		}
		unread[m.Topic]++
		if slices.Contains(m.Mentions, actor.ID) {
			mentions[m.Topic]++
		}
	}
	for _, t := range r.topics {
		out.Topics = append(out.Topics, TopicState{Name: t.Name, Resolved: t.Resolved, LastSeq: t.LastSeq, Messages: t.Messages,
			Unread: unread[t.Name], Mentions: mentions[t.Name]})
	}
	slices.SortFunc(out.Topics, func(a, b TopicState) int { return int(b.LastSeq - a.LastSeq) })
	for id := range r.online {
		out.Presence = append(out.Presence, Person{ID: id, Name: r.names[id]})
	}
	slices.SortFunc(out.Presence, func(a, b Person) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// Unsubscribe removes sub from a room; unknown rooms and subscriptions are ignored.
func (d *Discussion) Unsubscribe(sub Subscriber, roomName string) {
	d.mu.Lock()
	r := d.rooms[roomName]
	d.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	r.removeLocked(sub)
	r.mu.Unlock()
}

func (d *Discussion) readState(ctx context.Context, roomName, userID string) (ReadState, error) {
	var doc readDoc
	err := d.reads.FindOne(ctx, bson.D{{Key: "_id", Value: roomName + ":" + userID}}).Decode(&doc)
	if err != nil && err != mongo.ErrNoDocuments {
		return ReadState{}, fmt.Errorf("load read positions: %w", err)
	}
	out := ReadState{Topics: map[string]int64{}}
	for _, t := range doc.Topics {
		out.Topics[t.Topic] = t.Seq
	}
	return out, nil
}

// MarkRead records that actor has read topic up to seq, and tells their other connections.
func (d *Discussion) MarkRead(ctx context.Context, sub Subscriber, roomName, topic string, seq int64) error {
	actor := sub.User()
	r, err := d.roomState(ctx, roomName)
	if err != nil {
		return errs.Errorf(errs.NotFound, "room not found")
	}
	r.mu.Lock()
	ok := r.canRead(actor)
	topic = r.resolveTopic(topic)
	head := r.committed
	r.mu.Unlock()
	if !ok {
		return errs.Errorf(errs.NotFound, "room not found")
	}
	if seq < 0 || seq > head {
		return errs.Errorf(errs.Invalid, "seq: must be between 0 and %d", head)
	}
	// Read positions of one person in one room are changed under the room's read lock, so two
	// devices marking at once do not overwrite each other.
	r.readMu.Lock()
	defer r.readMu.Unlock()
	read, err := d.readState(ctx, roomName, actor.ID)
	if err != nil {
		return err
	}
	r.mu.Lock()
	read = r.resolveReadLocked(read)
	r.mu.Unlock()
	if read.Topics[topic] >= seq {
		return nil
	}
	read.Topics[topic] = seq
	doc := readDoc{ID: roomName + ":" + actor.ID}
	for t, s := range read.Topics {
		doc.Topics = append(doc.Topics, readTopic{Topic: t, Seq: s})
	}
	_, err = d.reads.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store read position: %w", err)
	}
	frame := encode(readEnvelope{Type: "read", Room: roomName, Topic: topic, Seq: seq})
	r.mu.Lock()
	for other := range r.subs {
		if other != sub && other.User().ID == actor.ID {
			other.Send(frame)
		}
	}
	r.mu.Unlock()
	return nil
}

// Typing tells the others in the room that actor is typing in topic. Signals closer together than
// a second are dropped.
func (d *Discussion) Typing(ctx context.Context, sub Subscriber, roomName, topic string) error {
	actor := sub.User()
	r, err := d.roomState(ctx, roomName)
	if err != nil {
		return errs.Errorf(errs.NotFound, "room not found")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, subscribed := r.subs[sub]; !subscribed || !r.canPost(actor) {
		return errs.Errorf(errs.Forbidden, "you cannot write in this room")
	}
	now := d.now()
	if now.Sub(r.typing[actor.ID]) < typingMinInterval {
		return nil
	}
	r.typing[actor.ID] = now
	r.broadcastLocked(encode(typingEnvelope{Type: "typing", Room: r.name, Topic: r.resolveTopic(topic), User: Person{ID: actor.ID, Name: actor.Name}}), actor.ID)
	return nil
}
