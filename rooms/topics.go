package rooms

import (
	"context"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
)

// TopicInput renames (RenameTo) or resolves (Resolved) a topic.
type TopicInput struct {
	Topic    string
	RenameTo *string
	Resolved *bool
}

// UpdateTopic renames a topic (merging it into an existing one of the new name) or marks it
// resolved or open again. Chairs and the secretariat only. Returns not_found, forbidden, invalid.
func (d *Discussion) UpdateTopic(ctx context.Context, actor accounts.User, roomName string, in TopicInput) (int64, error) {
	return wait(d.SubmitTopic(ctx, actor, roomName, in))
}

// SubmitTopic is UpdateTopic without waiting for the store (see SubmitPost).
func (d *Discussion) SubmitTopic(ctx context.Context, actor accounts.User, roomName string, in TopicInput) (Pending, error) {
	if in.RenameTo == nil && in.Resolved == nil {
		return Pending{}, errs.Errorf(errs.Invalid, "give rename_to or resolved")
	}
	var newName string
	if in.RenameTo != nil {
		var err error
		if newName, err = check.Text("rename_to", *in.RenameTo, 1, maxTopicName, false); err != nil {
			return Pending{}, err
		}
	}
	r, err := d.writableRoom(ctx, actor, roomName)
	if err != nil {
		return Pending{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.canModerate(actor) {
		return Pending{}, errs.Errorf(errs.Forbidden, "only the group's chairs and the secretariat can rename or resolve topics")
	}
	name := r.resolveTopic(in.Topic)
	t := r.topics[name]
	if t == nil {
		return Pending{}, errs.Errorf(errs.NotFound, "topic %q not found", in.Topic)
	}
	change := &TopicChange{Name: name, Resolved: t.Resolved}
	if in.Resolved != nil {
		change.Resolved = *in.Resolved
	}
	if newName != "" && newName != name {
		change.Name, change.RenamedFrom = newName, name
		if into := r.topics[newName]; into != nil && in.Resolved == nil {
			change.Resolved = into.Resolved
		}
	}
	now := d.now()
	seq := r.head + 1
	ev := Event{Type: "event", Room: r.name, Seq: seq, At: now, Kind: KindTopic, Topic: change}
	w := &work{
		room: r, epoch: r.epoch, seq: seq, frame: encode(ev), done: make(chan error, 1),
		docs:  []any{&eventDoc{ID: roomKey(r.name, seq), Room: r.name, Seq: seq, Kind: KindTopic, At: now, Topic: change}},
		apply: func() { r.applyTopicLocked(change) },
	}
	if err := d.commit.submit(w); err != nil {
		return Pending{}, err
	}
	r.head = seq
	return Pending{wait: func() (int64, error) {
		if err := <-w.done; err != nil {
			return 0, err
		}
		return seq, nil
	}}, nil
}

// applyTopicLocked changes the room's topics after a topic event is stored. A rename becomes an
// alias, so stored messages keep their original topic and are read under the new name.
func (r *room) applyTopicLocked(c *TopicChange) {
	if c.RenamedFrom == "" {
		if t := r.topics[c.Name]; t != nil {
			t.Resolved = c.Resolved
		}
		return
	}
	from := r.topics[c.RenamedFrom]
	into := r.topics[c.Name]
	if into == nil {
		into = &topicDoc{Name: c.Name}
		r.topics[c.Name] = into
	}
	if from != nil {
		into.Messages += from.Messages
		into.LastSeq = max(into.LastSeq, from.LastSeq)
		delete(r.topics, c.RenamedFrom)
	}
	into.Resolved = c.Resolved
	r.aliases[c.RenamedFrom] = c.Name
	delete(r.aliases, c.Name) // renaming back undoes an earlier rename
	for _, m := range r.recent {
		if m.Topic == c.RenamedFrom {
			m.Topic = c.Name
		}
	}
}
