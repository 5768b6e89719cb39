package rooms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
)

// PostInput is a new message.
type PostInput struct {
	Topic, Body, CMID string
	Mentions          []string
	// Retry says the client may have sent this post before (it resends what was not
	// acknowledged). Only then is its client id looked up in the store, where an earlier process
	// may have stored it; a first send is checked against this process's memory alone, which
	// saves a store read on every post.
	Retry bool
}

// Pending is a change that was accepted and given its sequence number, on its way to the store.
type Pending struct {
	wait func() (int64, error)
}

// Wait blocks until the change is stored and returns its sequence number, or the error that kept
// it from being stored.
func (p Pending) Wait() (int64, error) { return p.wait() }

// wait finishes a submission: it returns its error, or waits for the store.
func wait(p Pending, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return p.Wait()
}

func done(seq int64) Pending { return Pending{wait: func() (int64, error) { return seq, nil }} }

// Post adds a message to a topic and returns its sequence number once it is stored. See
// SubmitPost.
func (d *Discussion) Post(ctx context.Context, actor accounts.User, roomName string, in PostInput) (int64, error) {
	return wait(d.SubmitPost(ctx, actor, roomName, in))
}

// SubmitPost accepts a message for a topic: it is checked, given the room's next sequence number
// and queued for storing; Wait tells when it is stored (only then is it broadcast). Submitting in
// order gives sequence numbers in that order. A post with a client message id the same person used
// before in this room is stored once: the repeat gets the first one's sequence number (a repeat
// of a post stored by an earlier process is recognized when it says it is a retry). Returns
// not_found (cannot read the room), forbidden (cannot write: observers), invalid, too_large,
// rate_limited.
func (d *Discussion) SubmitPost(ctx context.Context, actor accounts.User, roomName string, in PostInput) (Pending, error) {
	topic, err := check.Text("topic", in.Topic, 1, maxTopicName, false)
	if err != nil {
		return Pending{}, err
	}
	if err := checkCMID(in.CMID); err != nil {
		return Pending{}, err
	}
	body, err := checkBody(in.Body)
	if err != nil {
		return Pending{}, err
	}
	r, err := d.writableRoom(ctx, actor, roomName)
	if err != nil {
		return Pending{}, err
	}
	key := actor.ID + "|" + in.CMID
	if seq, ok, err := r.knownCMID(ctx, key, in.Retry); ok || err != nil {
		if err != nil {
			return Pending{}, err
		}
		return done(seq), nil
	}
	if err := d.limiter.Allow(actor.ID, d.now()); err != nil {
		return Pending{}, err
	}
	r.mu.Lock()
	mentioned, err := r.mentionedLocked(in.Mentions)
	r.mu.Unlock()
	if err != nil {
		return Pending{}, err
	}
	html, err := renderMessage(body, mentioned)
	if err != nil {
		return Pending{}, fmt.Errorf("render message: %w", err)
	}

	r.mu.Lock()
	if seq, ok := r.cmids[key]; ok { // a twin of this post got in meanwhile
		r.mu.Unlock()
		return Pending{wait: func() (int64, error) { return r.awaitCMID(context.Background(), key, seq) }}, nil
	}
	topic = r.resolveTopic(topic)
	if r.topics[topic] == nil && len(r.topics) >= maxTopics {
		r.mu.Unlock()
		return Pending{}, errs.Errorf(errs.Conflict, "topic: the room has %d topics; post in an existing one", maxTopics)
	}
	now := d.now()
	seq := r.head + 1
	msg := &Message{Seq: seq, Topic: topic, Author: Person{ID: actor.ID, Name: actor.Name}, Body: body, HTML: html,
		Mentions: personIDs(mentioned), CMID: in.CMID, At: now, Reactions: map[string][]string{}}
	ev := Event{Type: "event", Room: r.name, Seq: seq, At: now, Kind: KindMessage, Message: msg.clone()}
	w := &work{
		room: r, epoch: r.epoch, seq: seq, frame: encode(ev), done: make(chan error, 1),
		docs: []any{
			&eventDoc{ID: roomKey(r.name, seq), Room: r.name, Seq: seq, Kind: KindMessage, At: now, Message: msg.doc()},
			&cmidDoc{ID: cmidKey(r.name, actor.ID, in.CMID), Seq: seq},
		},
		apply: func() {
			r.remember(msg)
			r.countTopic(msg, true)
			r.trimRecent()
		},
	}
	if err := d.commit.submit(w); err != nil {
		r.mu.Unlock()
		return Pending{}, err
	}
	r.head = seq
	r.cmids[key] = seq
	ready := make(chan struct{})
	r.pending[key] = ready
	r.mu.Unlock()

	return Pending{wait: func() (int64, error) {
		err := <-w.done
		r.mu.Lock()
		delete(r.pending, key)
		if err != nil {
			delete(r.cmids, key)
		}
		r.mu.Unlock()
		close(ready)
		if err != nil {
			return 0, err
		}
		return seq, nil
	}}, nil
}

// knownCMID tells whether a post with this client id was stored before: in this process's memory
// (waiting for it if it is still on its way to the store), or, for a retry, in the store.
func (r *room) knownCMID(ctx context.Context, key string, retry bool) (int64, bool, error) {
	r.mu.Lock()
	seq, ok := r.cmids[key]
	r.mu.Unlock()
	if ok {
		seq, err := r.awaitCMID(ctx, key, seq)
		return seq, err == nil, err
	}
	if !retry {
		return 0, false, nil
	}
	userID, cmid, _ := strings.Cut(key, "|")
	var doc cmidDoc
	err := r.d.events.FindOne(ctx, bson.D{{Key: "_id", Value: cmidKey(r.name, userID, cmid)}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up client message id: %w", err)
	}
	return doc.Seq, true, nil
}

// awaitCMID waits until the post with this client id is stored. If storing it failed, the
// caller's repeat is told to try again.
func (r *room) awaitCMID(ctx context.Context, key string, seq int64) (int64, error) {
	r.mu.Lock()
	ready := r.pending[key]
	r.mu.Unlock()
	if ready != nil {
		select {
		case <-ready:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		r.mu.Lock()
		_, ok := r.cmids[key]
		r.mu.Unlock()
		if !ok {
			return 0, errs.Errorf(errs.Internal, "the message could not be stored; send it again")
		}
	}
	return seq, nil
}

// writableRoom returns the room if actor may write in it.
func (d *Discussion) writableRoom(ctx context.Context, actor accounts.User, roomName string) (*room, error) {
	r, err := d.roomState(ctx, roomName)
	if err != nil {
		return nil, errs.Errorf(errs.NotFound, "room not found")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.canRead(actor) {
		return nil, errs.Errorf(errs.NotFound, "room not found")
	}
	if !r.canPost(actor) {
		return nil, errs.Errorf(errs.Forbidden, "observers can read this room but not write in it")
	}
	return r, nil
}

func (r *room) mentionedLocked(ids []string) ([]Person, error) {
	if len(ids) > 50 {
		return nil, errs.Errorf(errs.Invalid, "mentions: at most 50 people")
	}
	members := r.members()
	var out []Person
	for _, id := range ids {
		name, ok := members[id]
		if !ok {
			return nil, errs.Errorf(errs.Invalid, "mentions: %q is not a member of this group", id)
		}
		if !slices.ContainsFunc(out, func(p Person) bool { return p.ID == id }) {
			out = append(out, Person{ID: id, Name: name})
		}
	}
	return out, nil
}

func personIDs(ps []Person) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func checkBody(body string) (string, error) {
	if !utf8.ValidString(body) {
		return "", errs.Errorf(errs.Invalid, "body: must be valid UTF-8 text")
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return "", errs.Errorf(errs.Invalid, "body: is empty")
	}
	if n := utf8.RuneCountInString(body); n > maxBody {
		return "", errs.Errorf(errs.TooLarge, "body: %d characters; a message holds at most %d", n, maxBody)
	}
	return body, nil
}

func checkCMID(cmid string) error {
	if len(cmid) == 0 || len(cmid) > 64 {
		return errs.Errorf(errs.Invalid, "cmid: must be 1 to 64 characters")
	}
	for _, c := range cmid {
		if c > unicode.MaxASCII || c <= ' ' || c == '|' || c == '$' {
			return errs.Errorf(errs.Invalid, "cmid: use letters, digits and punctuation only")
		}
	}
	return nil
}

// messageChange is an edit, deletion or reaction: it changes message target and records an event.
type messageChange struct {
	kind   string
	target int64
	// authorize checks the actor against the message (room locked).
	authorize func(r *room, m *Message) error
	// change returns the message's new state (room locked; it must not modify m).
	change func(m *Message) (*Message, error)
}

// changeMessage loads the target message and submits the change as a new event.
func (d *Discussion) changeMessage(ctx context.Context, actor accounts.User, roomName string, mc messageChange) (Pending, error) {
	r, err := d.writableRoom(ctx, actor, roomName)
	if err != nil {
		return Pending{}, err
	}
	if err := d.limiter.Allow(actor.ID, d.now()); err != nil {
		return Pending{}, err
	}
	// Messages older than the in-memory window are read from the store first.
	r.mu.Lock()
	_, inMemory := r.bySeq[mc.target]
	committed := r.committed
	r.mu.Unlock()
	var older *Message
	if !inMemory {
		if mc.target < 1 || mc.target > committed {
			return Pending{}, errs.Errorf(errs.NotFound, "message %d not found", mc.target)
		}
		ev, err := d.loadEvent(ctx, roomName, mc.target)
		if err != nil {
			return Pending{}, err
		}
		if ev.Kind != KindMessage || ev.Message == nil {
			return Pending{}, errs.Errorf(errs.NotFound, "message %d not found", mc.target)
		}
		older = ev.Message.message(mc.target)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	// Changes build on the newest state, including changes still on their way to the store, so
	// that two quick reactions do not lose one another.
	current := r.unstored[mc.target]
	if current == nil {
		current = r.bySeq[mc.target]
	}
	if current == nil {
		current = older
	}
	if current == nil {
		return Pending{}, errs.Errorf(errs.NotFound, "message %d not found", mc.target)
	}
	current.Topic = r.resolveTopic(current.Topic)
	if err := mc.authorize(r, current); err != nil {
		return Pending{}, err
	}
	next, err := mc.change(current)
	if err != nil {
		return Pending{}, err
	}
	now := d.now()
	seq := r.head + 1
	ev := Event{Type: "event", Room: r.name, Seq: seq, At: now, Kind: mc.kind, Message: next.clone()}
	w := &work{
		room: r, epoch: r.epoch, seq: seq, frame: encode(ev), done: make(chan error, 1),
		docs:   []any{&eventDoc{ID: roomKey(r.name, seq), Room: r.name, Seq: seq, Kind: mc.kind, At: now, Target: mc.target, Message: next.doc()}},
		update: &messageUpdate{key: roomKey(r.name, mc.target), doc: next.doc()},
		apply: func() {
			if m := r.bySeq[mc.target]; m != nil {
				*m = *next
			}
			if r.unstored[mc.target] == next {
				delete(r.unstored, mc.target)
			}
		},
	}
	if err := d.commit.submit(w); err != nil {
		return Pending{}, err
	}
	r.unstored[mc.target] = next
	r.head = seq
	return Pending{wait: func() (int64, error) {
		if err := <-w.done; err != nil {
			return 0, err
		}
		return seq, nil
	}}, nil
}

// Edit replaces the body of actor's own message. Returns not_found, forbidden, invalid, too_large.
func (d *Discussion) Edit(ctx context.Context, actor accounts.User, roomName string, target int64, body string, mentions []string) (int64, error) {
	return wait(d.SubmitEdit(ctx, actor, roomName, target, body, mentions))
}

// SubmitEdit is Edit without waiting for the store (see SubmitPost).
func (d *Discussion) SubmitEdit(ctx context.Context, actor accounts.User, roomName string, target int64, body string, mentions []string) (Pending, error) {
	body, err := checkBody(body)
	if err != nil {
		return Pending{}, err
	}
	var r *room
	if r, err = d.writableRoom(ctx, actor, roomName); err != nil {
		return Pending{}, err
	}
	r.mu.Lock()
	mentioned, err := r.mentionedLocked(mentions)
	r.mu.Unlock()
	if err != nil {
		return Pending{}, err
	}
	html, err := renderMessage(body, mentioned)
	if err != nil {
		return Pending{}, fmt.Errorf("render message: %w", err)
	}
	return d.changeMessage(ctx, actor, roomName, messageChange{
		kind: KindEdit, target: target,
		authorize: func(_ *room, m *Message) error {
			if m.Author.ID != actor.ID {
				return errs.Errorf(errs.Forbidden, "you can edit only your own messages")
			}
			if m.Deleted {
				return errs.Errorf(errs.Conflict, "the message was deleted")
			}
			return nil
		},
		change: func(m *Message) (*Message, error) {
			next := m.clone()
			now := d.now()
			next.Body, next.HTML, next.Mentions, next.EditedAt = body, html, personIDs(mentioned), &now
			return next, nil
		},
	})
}

// Delete turns a message into a tombstone. Authors delete their own; chairs and the secretariat
// any. Returns not_found, forbidden, conflict (already deleted).
func (d *Discussion) Delete(ctx context.Context, actor accounts.User, roomName string, target int64) (int64, error) {
	return wait(d.SubmitDelete(ctx, actor, roomName, target))
}

// SubmitDelete is Delete without waiting for the store (see SubmitPost).
func (d *Discussion) SubmitDelete(ctx context.Context, actor accounts.User, roomName string, target int64) (Pending, error) {
	return d.changeMessage(ctx, actor, roomName, messageChange{
		kind: KindDelete, target: target,
		authorize: func(r *room, m *Message) error {
			if m.Deleted {
				return errs.Errorf(errs.Conflict, "the message is already deleted")
			}
			if m.Author.ID != actor.ID {
				if !r.canModerate(actor) {
					return errs.Errorf(errs.Forbidden, "only the author, the group's chairs and the secretariat can delete a message")
				}
			}
			return nil
		},
		change: func(m *Message) (*Message, error) {
			next := m.clone()
			next.Deleted, next.Body, next.HTML, next.Mentions, next.Reactions = true, "", "", []string{}, map[string][]string{}
			return next, nil
		},
	})
}

// React adds (on) or removes actor's reaction emoji to a message. Returns not_found, forbidden,
// invalid.
func (d *Discussion) React(ctx context.Context, actor accounts.User, roomName string, target int64, emoji string, on bool) (int64, error) {
	return wait(d.SubmitReact(ctx, actor, roomName, target, emoji, on))
}

// SubmitReact is React without waiting for the store (see SubmitPost).
func (d *Discussion) SubmitReact(ctx context.Context, actor accounts.User, roomName string, target int64, emoji string, on bool) (Pending, error) {
	if err := checkEmoji(emoji); err != nil {
		return Pending{}, err
	}
	return d.changeMessage(ctx, actor, roomName, messageChange{
		kind: KindReaction, target: target,
		authorize: func(_ *room, m *Message) error {
			if m.Deleted {
				return errs.Errorf(errs.Conflict, "the message was deleted")
			}
			if on && m.Reactions[emoji] == nil && len(m.Reactions) >= 20 {
				return errs.Errorf(errs.Conflict, "a message holds at most 20 different reactions")
			}
			return nil
		},
		change: func(m *Message) (*Message, error) {
			next := m.clone()
			users := next.Reactions[emoji]
			has := slices.Contains(users, actor.ID)
			switch {
			case on && !has:
				next.Reactions[emoji] = append(users, actor.ID)
			case !on && has:
				users = slices.DeleteFunc(users, func(u string) bool { return u == actor.ID })
				if len(users) == 0 {
					delete(next.Reactions, emoji)
				} else {
					next.Reactions[emoji] = users
				}
			}
			return next, nil
		},
	})
}

// checkEmoji accepts one emoji: up to 16 bytes with no ASCII characters (so no words, markup or
// operators), which admits skin tones, flags and ZWJ sequences.
func checkEmoji(e string) error {
	if e == "" || len(e) > 32 || utf8.RuneCountInString(e) > 16 || !utf8.ValidString(e) {
		return errs.Errorf(errs.Invalid, "emoji: must be one emoji")
	}
	for _, c := range e {
		if c <= unicode.MaxASCII || unicode.IsControl(c) || unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.IsSpace(c) {
			return errs.Errorf(errs.Invalid, "emoji: must be one emoji")
		}
	}
	return nil
}
