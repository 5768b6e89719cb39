package rooms_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"plenary/rooms"
)

// TestBusyRoomBroadcastsTogether: in a room with many subscribers, events stored while a
// broadcast has just gone out wait for the next one and reach each subscriber together, as one
// frame, in order; every post is acknowledged once broadcast.
func TestBusyRoomBroadcastsTogether(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g := f.newGroup("Busy", "private")
	room := "group:" + g.ID
	d := f.discussion()
	subs := make([]*fakeSub, 40)
	for i := range subs {
		subs[i] = &fakeSub{user: f.observer}
		if err := d.Subscribe(ctx, subs[i], room, -1, func(rooms.Subscribed) {}); err != nil {
			t.Fatal(err)
		}
	}
	const posts = 20
	var pending []rooms.Pending
	for i := range posts {
		p, err := d.SubmitPost(ctx, f.member, room, rooms.PostInput{Topic: "T", Body: fmt.Sprintf("message %d", i), CMID: fmt.Sprintf("m%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, p)
	}
	for i, p := range pending {
		seq, err := p.Wait()
		if err != nil || seq != int64(i+1) {
			t.Fatalf("post %d: seq %d, %v", i, seq, err)
		}
	}
	for n, s := range subs {
		s.mu.Lock()
		var seqs []int64
		for _, env := range s.frames {
			if bytes.HasPrefix(env, []byte(`{"type":"event"`)) {
				var seq int64
				fmt.Sscanf(string(env[bytes.Index(env, []byte(`"seq":`))+6:]), "%d", &seq)
				seqs = append(seqs, seq)
			}
		}
		sends := s.sends
		s.mu.Unlock()
		if len(seqs) != posts {
			t.Fatalf("subscriber %d got %d events, want %d: %v", n, len(seqs), posts, seqs)
		}
		for i, seq := range seqs {
			if seq != int64(i+1) {
				t.Fatalf("subscriber %d: events out of order: %v", n, seqs)
			}
		}
		if sends >= posts {
			t.Fatalf("subscriber %d was sent %d frames for %d events: nothing was broadcast together", n, sends, posts)
		}
	}
}
