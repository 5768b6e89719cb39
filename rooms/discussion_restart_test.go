package rooms_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"plenary/accounts"
	"plenary/rooms"
)

func (f *fixture) discussion() *rooms.Discussion {
	d := rooms.NewDiscussion(f.st, f.svc, rooms.DiscussionConfig{PostRate: -1, Logger: slog.New(slog.DiscardHandler)})
	f.t.Cleanup(d.Close)
	return d
}

// fakeSub is a Subscriber that records what it is sent.
type fakeSub struct {
	user   accounts.User
	mu     sync.Mutex
	frames [][]byte
	sends  int
	drops  []rooms.DropReason
}

// Send keeps each envelope of a frame (a frame may join several with newlines).
func (s *fakeSub) Send(frame []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends++
	s.frames = append(s.frames, bytes.Split(frame, []byte("\n"))...)
	return true
}
func (s *fakeSub) Drop(r rooms.DropReason) { s.mu.Lock(); s.drops = append(s.drops, r); s.mu.Unlock() }
func (s *fakeSub) User() accounts.User     { return s.user }

func mustPost(t testing.TB, d *rooms.Discussion, actor accounts.User, room, topic, body, cmid string) int64 {
	t.Helper()
	seq, err := d.Post(context.Background(), actor, room, rooms.PostInput{Topic: topic, Body: body, CMID: cmid})
	if err != nil {
		t.Fatalf("Post(%s): %v", cmid, err)
	}
	return seq
}

// allHistory pages through a room's history, oldest first, in pages of 100.
func allHistory(t testing.TB, d *rooms.Discussion, actor accounts.User, room string) []*rooms.Message {
	t.Helper()
	return pagedHistory(t, d, actor, room, 100)
}

// pagedHistory pages through a room's history with pages of limit, oldest first.
func pagedHistory(t testing.TB, d *rooms.Discussion, actor accounts.User, room string, limit int) []*rooms.Message {
	t.Helper()
	var all []*rooms.Message
	before := int64(0)
	for {
		page, err := d.History(context.Background(), actor, room, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(slices.Clone(page), all...)
		before = page[0].Seq
	}
}

// TestDiscussionRestart: a new Discussion on the same store continues the log where the old one
// stopped, recognizes client message ids posted before, and serves the whole history.
func TestDiscussionRestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g := f.newGroup("Restart", "private")
	room := "group:" + g.ID
	bodies := map[int64]string{}

	d1 := f.discussion()
	early := mustPost(t, d1, f.member, room, "Early", "the first message", "early")
	bodies[early] = "the first message"
	// More than the in-memory window, so that "early" is only in the store after the restart.
	for i := range 620 {
		b := fmt.Sprintf("before the restart %d", i)
		bodies[mustPost(t, d1, f.chair, room, "Agenda", b, fmt.Sprintf("b%d", i))] = b
	}
	edited := mustPost(t, d1, f.member, room, "Agenda", "to be edited", "edit-me")
	if _, err := d1.Edit(ctx, f.member, room, edited, "edited before the restart", nil); err != nil {
		t.Fatal(err)
	}
	bodies[edited] = "edited before the restart"
	resolved := true
	topicSeq, err := d1.UpdateTopic(ctx, f.chair, room, rooms.TopicInput{Topic: "Early", Resolved: &resolved})
	if err != nil {
		t.Fatal(err)
	}
	d1.Close()
	if _, err := d1.Post(ctx, f.member, room, rooms.PostInput{Topic: "T", Body: "after close", CMID: "closed"}); err == nil {
		t.Fatal("a closed discussion accepted a post")
	}

	d2 := f.discussion()
	// The repeat of a post made before the restart is recognized when it says it is a retry.
	for cmid, want := range map[string]int64{"early": early, "edit-me": edited} {
		again, err := d2.Post(ctx, f.member, room, rooms.PostInput{Topic: "T", Body: "resent", CMID: cmid, Retry: true})
		if err != nil || again != want {
			t.Fatalf("retry of the pre-restart post %s: seq %d, %v; want %d", cmid, again, err, want)
		}
	}
	// New posts continue the sequence without a gap.
	next := topicSeq + 1
	for i := range 20 {
		b := fmt.Sprintf("after the restart %d", i)
		seq := mustPost(t, d2, f.member, room, "Agenda", b, fmt.Sprintf("a%d", i))
		if seq != next {
			t.Fatalf("post %d after the restart: seq %d, want %d", i, seq, next)
		}
		next++
		bodies[seq] = b
	}

	hist := allHistory(t, d2, f.chair, room)
	if len(hist) != len(bodies) {
		t.Fatalf("history holds %d messages, want %d", len(hist), len(bodies))
	}
	for i, m := range hist {
		if i > 0 && m.Seq <= hist[i-1].Seq {
			t.Fatalf("history out of order at %d", m.Seq)
		}
		if m.Body != bodies[m.Seq] {
			t.Fatalf("message %d reads %q, want %q", m.Seq, m.Body, bodies[m.Seq])
		}
	}

	// A subscriber resuming from 0 gets every event once, in order, from the store.
	sub := &fakeSub{user: f.observer}
	var ack rooms.Subscribed
	if err := d2.Subscribe(ctx, sub, room, 0, func(s rooms.Subscribed) { ack = s }); err != nil {
		t.Fatal(err)
	}
	if ack.Head != next-1 {
		t.Fatalf("head %d, want %d", ack.Head, next-1)
	}
	// A frame may hold several envelopes, one per line.
	var envelopes [][]byte
	for _, fr := range sub.frames {
		envelopes = append(envelopes, bytes.Split(fr, []byte("\n"))...)
	}
	if len(envelopes) != int(ack.Head) {
		t.Fatalf("replayed %d events, want %d", len(envelopes), ack.Head)
	}
	for i, fr := range envelopes {
		if want := fmt.Sprintf(`"seq":%d,`, i+1); !strings.Contains(string(fr), want) {
			t.Fatalf("event %d: %s", i+1, fr)
		}
	}
	// The topics survived: "Early" is resolved, message counts add up.
	byName := map[string]rooms.TopicState{}
	for _, ts := range ack.Topics {
		byName[ts.Name] = ts
	}
	if !byName["Early"].Resolved || byName["Early"].Messages != 1 || byName["Agenda"].Messages != 620+1+20 {
		t.Fatalf("topics after the restart: %+v", ack.Topics)
	}
}

// TestDiscussionConcurrentCMIDAcrossRooms: the same cmid in two rooms makes two messages.
func TestDiscussionSameCMIDInTwoRooms(t *testing.T) {
	f := newFixture(t)
	d := f.discussion()
	a, b := f.newGroup("A", "private"), f.newGroup("B", "public")
	s1 := mustPost(t, d, f.member, "group:"+a.ID, "T", "in A", "same")
	s2 := mustPost(t, d, f.member, "group:"+b.ID, "T", "in B", "same")
	if s1 != 1 || s2 != 1 {
		t.Fatalf("seqs %d %d, want 1 1", s1, s2)
	}
	if h := allHistory(t, d, f.member, "group:"+b.ID); len(h) != 1 || h[0].Body != "in B" {
		t.Fatalf("history of B: %+v", h)
	}
}

// TestDiscussionClientIDsBounded: a room keeps the client ids of its latest messages only, however
// many are posted; a retry of an older post is still recognized, through the store.
func TestDiscussionClientIDsBounded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	room := "group:" + f.newGroup("Bounded", "private").ID
	d := f.discussion()
	first := mustPost(t, d, f.member, room, "T", "the first message", "first")
	const posts = 1200
	for i := range posts {
		mustPost(t, d, f.chair, room, "T", fmt.Sprintf("message %d", i), fmt.Sprintf("m%d", i))
	}
	if n := d.ClientIDsInMemory(room); n == 0 || n > 600 {
		t.Fatalf("%d client ids in memory after %d posts, want at most the latest messages' (≤ 600)", n, posts+1)
	}
	seq, err := d.Post(ctx, f.member, room, rooms.PostInput{Topic: "T", Body: "the first message", CMID: "first", Retry: true})
	if err != nil || seq != first {
		t.Fatalf("retry of the first post: seq %d, %v; want %d", seq, err, first)
	}
	if h := allHistory(t, d, f.member, room); len(h) != posts+1 {
		t.Fatalf("history holds %d messages, want %d", len(h), posts+1)
	}
}
