package server

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"
)

// resumeAfter posts n messages while a reader is away, then resumes it in one session.
func resumeAfter(t *testing.T, f *fixture, base string, n int) {
	t.Helper()
	room := roomOf(f.private)
	poster := f.mustDial(base, "member")
	poster.post(room, "T", "before", "before")
	r := &resumeReader{f: f, base: base, room: room, actor: "observer", rng: rand.New(rand.NewPCG(3, 4)), bodies: map[int64]string{}}
	if err := r.session(1); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		poster.post(room, "T", fmt.Sprintf("while away %d", i), fmt.Sprintf("w%d", i))
	}
	if err := r.session(int64(n + 1)); err != nil {
		t.Fatalf("resuming %d events in one session: %v", n, err)
	}
}

// TestWSResumeWithinRingInOneGo: a gap the ring holds (here 900 events, more than the 512-frame
// queue) is replayed without cutting the resuming client off as a slow consumer.
func TestWSResumeWithinRingInOneGo(t *testing.T) {
	f := mustServe(t)
	resumeAfter(t, f, f.listen(), 900)
}

// TestWSLongRequestIsNotIdle: a request that takes longer than the heartbeat timeout (a resume
// read from the store) does not get a client that answered every ping closed as idle.
func TestWSLongRequestIsNotIdle(t *testing.T) {
	f := mustServe(t)
	_ = f.srv.Shutdown(time.Second)
	f.srv = New(Config{Logger: slog.New(slog.DiscardHandler), Store: f.st, Accounts: f.acc, Rooms: f.rooms, Discussion: f.disc,
		WSPingInterval: 50 * time.Millisecond, WSPongTimeout: 200 * time.Millisecond})
	resumeAfter(t, f, f.listen(), 2500) // beyond the ring: read from the store, event by event
}
