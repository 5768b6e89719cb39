package rooms_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"plenary/errs"
	"plenary/rooms"
)

// TestPostRateLimit: with a limit of 3 per 10 s, a person's fourth change in the window is refused
// with rate_limited and a retry hint, stores nothing, and another person is not affected; the
// window passes with the clock.
func TestPostRateLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	d := rooms.NewDiscussion(f.st, f.svc, rooms.DiscussionConfig{PostRate: 3, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	t.Cleanup(d.Close)
	g := f.newGroup("Limited", "private")
	room := "group:" + g.ID
	for i := range 3 {
		if _, err := d.Post(ctx, f.chair, room, rooms.PostInput{Topic: "T", Body: fmt.Sprint("m", i), CMID: fmt.Sprint("c", i)}); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	_, err := d.Post(ctx, f.chair, room, rooms.PostInput{Topic: "T", Body: "too many", CMID: "c3"})
	e := errs.As(err)
	if e == nil || e.Code != errs.RateLimited || e.RetryAfter < 1 || e.RetryAfter > 10 {
		t.Fatalf("fourth post: %v", err)
	}
	if _, err := d.React(ctx, f.chair, room, 1, "👍", true); errs.CodeOf(err) != errs.RateLimited {
		t.Fatalf("a reaction in the same window: %v", err)
	}
	if _, err := d.Post(ctx, f.member, room, rooms.PostInput{Topic: "T", Body: "mine", CMID: "m1"}); err != nil {
		t.Fatalf("another person: %v", err)
	}
	if h := allHistory(t, d, f.chair, room); len(h) != 4 {
		t.Fatalf("history holds %d messages, want 4 (the refused post is not stored)", len(h))
	}
	// A repeat of an already stored post is not a new change and is answered even when limited.
	if seq, err := d.Post(ctx, f.chair, room, rooms.PostInput{Topic: "T", Body: "m0", CMID: "c0"}); err != nil || seq != 1 {
		t.Fatalf("repeat of a stored post: %d %v", seq, err)
	}
	now = now.Add(11 * time.Second)
	if _, err := d.Post(ctx, f.chair, room, rooms.PostInput{Topic: "T", Body: "later", CMID: "c4"}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// TestCatchUpBufferOverflowDropsSlowSubscriber: a subscriber resuming from the store while many
// live events arrive is dropped as a slow consumer once its catch-up buffer is full, and posting
// is never blocked by it.
func TestCatchUpBufferOverflowDropsSlowSubscriber(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.discussion()
	g := f.newGroup("Busy", "private")
	room := "group:" + g.ID
	// More than the ring holds, so the resume below reads from the store.
	for i := range 1100 {
		mustPost(t, d, f.chair, room, "T", fmt.Sprint("old ", i), fmt.Sprint("o", i))
	}
	slow := &blockingSub{fakeSub: fakeSub{user: f.member}, started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- d.Subscribe(ctx, slow, room, 0, func(rooms.Subscribed) {}) }()
	<-slow.started // the replay is under way and stuck in the subscriber
	for i := range 2100 {
		mustPost(t, d, f.chair, room, "T", fmt.Sprint("live ", i), fmt.Sprint("l", i))
	}
	close(slow.release)
	if err := <-done; err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	slow.mu.Lock()
	defer slow.mu.Unlock()
	if len(slow.drops) != 1 || slow.drops[0] != rooms.DropSlowConsumer {
		t.Fatalf("drops %v, want one slow-consumer drop", slow.drops)
	}
}

// blockingSub blocks its first Send until released, like a client that stopped reading.
type blockingSub struct {
	fakeSub
	started chan struct{}
	release chan struct{}
	once    bool
}

func (s *blockingSub) Send(frame []byte) bool {
	if !s.once {
		s.once = true
		close(s.started)
		<-s.release
	}
	return s.fakeSub.Send(frame)
}
