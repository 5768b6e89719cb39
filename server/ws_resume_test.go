package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// resumeDisconnects is how many times, in total, the readers of TestWSResumeRandomized drop their
// connection and resume.
const resumeDisconnects = 1000

// resumeReader is a client that remembers the last seq it saw and every message body by seq.
type resumeReader struct {
	f      *fixture
	base   string
	room   string
	actor  string
	rng    *rand.Rand
	last   int64
	bodies map[int64]string
	drops  int
	// modes counts how each connection ended, for the log.
	modes [4]int
}

// session connects, subscribes with since = last, reads for a while and then disconnects in one
// of several ways. When until > 0 it reads until it has seen seq until instead (and closes
// cleanly). It returns an error on any protocol violation.
func (r *resumeReader) session(until int64) error {
	ticket, err := r.f.ticketOver(r.base, r.actor)
	if err != nil {
		return err
	}
	conn, resp, err := (&fws.Dialer{HandshakeTimeout: 10 * time.Second}).Dial(wsURL(r.base, ticket), nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("dial: %v (status %d)", err, resp.StatusCode)
		}
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "id": "s", "room": r.room, "since": r.last})
	if err := conn.WriteMessage(fws.TextMessage, sub); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	mode := r.rng.IntN(4)
	if until > 0 {
		mode = -1
	}
	var frames int
	var deadline time.Time
	switch mode {
	case 0: // gone right after subscribing, maybe before the ack
	case 1: // after a few frames (or a quiet moment, when nothing more is posted)
		frames = r.rng.IntN(6) + 1
		deadline = time.Now().Add(time.Second)
	case 2, 3: // after a short while
		deadline = time.Now().Add(time.Duration(r.rng.IntN(15000)) * time.Microsecond)
	case -1:
		deadline = time.Now().Add(30 * time.Second)
	}
	acked := false
	for read := 0; mode != 0; read++ {
		if mode == 1 && read >= frames {
			break
		}
		if until > 0 && r.last >= until {
			break
		}
		if !deadline.IsZero() {
			_ = conn.SetReadDeadline(deadline)
		} else {
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		}
		_, data, err := conn.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && mode != -1 {
				break // the chosen moment to go
			}
			return fmt.Errorf("read (mode %d, last %d): %w", mode, r.last, err)
		}
		lines, err := splitLines(data)
		if err != nil {
			return err
		}
		for _, e := range lines {
			switch e.str("type") {
			case "ack":
				if e.str("id") != "s" || e.num("head") < r.last {
					return fmt.Errorf("subscribe ack %v with last %d", e, r.last)
				}
				acked = true
			case "error":
				return fmt.Errorf("error envelope: %v", e)
			case "event":
				if !acked {
					return fmt.Errorf("event before the subscribe ack: %v", e)
				}
				seq := e.num("seq")
				if seq != r.last+1 {
					return fmt.Errorf("event seq %d after %d (lost or doubled)", seq, r.last)
				}
				m := messageOf(e)
				if e.str("kind") != "message" || m == nil || numOf(m, "seq") != seq {
					return fmt.Errorf("unexpected event %v", e)
				}
				if _, dup := r.bodies[seq]; dup {
					return fmt.Errorf("seq %d seen twice", seq)
				}
				r.bodies[seq], r.last = m["body"].(string), seq
			}
		}
	}
	// Disconnect: cleanly, or by dropping the TCP connection.
	if mode%2 == 0 {
		_ = conn.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(fws.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
	}
	_ = conn.UnderlyingConn().Close()
	if mode >= 0 {
		r.modes[mode]++
	}
	return nil
}

// TestWSResumeRandomized: readers that drop and resume at random moments while posters post
// still see every event exactly once, in order.
func TestWSResumeRandomized(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.public)

	posters := []*wsClient{f.mustDial(base, "member"), f.mustDial(base, "chair"), f.mustDial(base, "secretariat")}
	var (
		mu     sync.Mutex
		posted = map[int64]string{}
		drops  atomic.Int64
		stop   atomic.Bool
	)
	const minPosts, maxPosts = 1500, 6000
	var total atomic.Int64
	var pw sync.WaitGroup
	postErrs := make(chan error, len(posters))
	for p, c := range posters {
		pw.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 7))
			for i := 0; ; i++ {
				n := total.Add(1)
				if n > maxPosts || (n > minPosts && drops.Load() >= resumeDisconnects) {
					return
				}
				body := fmt.Sprintf("poster %d message %d: %s", p, i, strings.Repeat("*word* ", rng.IntN(40)+1))
				e, err := c.tryRequest(map[string]any{"type": "post", "room": room, "topic": fmt.Sprintf("T%d", rng.IntN(5)),
					"body": body, "cmid": fmt.Sprintf("p%d-%d", p, i)}, 20*time.Second)
				if err == nil && e.str("type") != "ack" {
					err = fmt.Errorf("post answered %v", e)
				}
				if err != nil {
					postErrs <- err
					stop.Store(true)
					return
				}
				mu.Lock()
				posted[e.num("seq")] = strings.TrimSpace(body)
				mu.Unlock()
				if stop.Load() {
					return
				}
			}
		})
	}

	readers := make([]*resumeReader, 4)
	for i, actor := range []string{"observer", "outsider", "observer", "outsider"} {
		readers[i] = &resumeReader{f: f, base: base, room: room, actor: actor, rng: rand.New(rand.NewPCG(uint64(i), 42)), bodies: map[int64]string{}}
	}
	var rw sync.WaitGroup
	readErrs := make(chan error, len(readers))
	for _, r := range readers {
		rw.Go(func() {
			for !stop.Load() && drops.Load() < resumeDisconnects {
				if err := r.session(0); err != nil {
					readErrs <- fmt.Errorf("%s: %w", r.actor, err)
					stop.Store(true)
					return
				}
				r.drops++
				drops.Add(1)
			}
		})
	}
	rw.Wait()
	pw.Wait()
	close(postErrs)
	close(readErrs)
	for err := range postErrs {
		t.Fatal(err)
	}
	for err := range readErrs {
		t.Fatal(err)
	}
	head := int64(len(posted))
	for seq := int64(1); seq <= head; seq++ {
		if _, ok := posted[seq]; !ok {
			t.Fatalf("no post was acknowledged with seq %d (head %d)", seq, head)
		}
	}
	if d := drops.Load(); d < resumeDisconnects {
		t.Fatalf("only %d disconnects", d)
	}
	// Each reader resumes one last time and reads to the end.
	for _, r := range readers {
		if err := r.session(head); err != nil {
			t.Fatalf("%s, final resume: %v", r.actor, err)
		}
		if r.last != head || len(r.bodies) != int(head) {
			t.Fatalf("%s saw up to %d (%d messages), want %d", r.actor, r.last, len(r.bodies), head)
		}
		for seq := int64(1); seq <= head; seq++ {
			if r.bodies[seq] != posted[seq] {
				t.Fatalf("%s: message %d reads %q, posted %q", r.actor, seq, r.bodies[seq], posted[seq])
			}
		}
		t.Logf("%s: %d disconnects (modes %v)", r.actor, r.drops, r.modes)
	}
	t.Logf("%d messages, %d disconnects", head, drops.Load())
}

// TestWSResumeBeyondRing: a reader away for more events than the in-memory ring holds resumes
// from the store, while posting goes on.
func TestWSResumeBeyondRing(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	poster := f.mustDial(base, "member")
	poster2 := f.mustDial(base, "chair")
	bodies := map[int64]string{}
	var mu sync.Mutex
	post := func(c *wsClient, i int) {
		body := fmt.Sprintf("message %d from %p", i, c)
		s := c.post(room, "T", body, fmt.Sprintf("m%d", i))
		mu.Lock()
		bodies[s] = body
		mu.Unlock()
	}
	for i := range 10 {
		post(poster, i)
	}
	r := &resumeReader{f: f, base: base, room: room, actor: "observer", rng: rand.New(rand.NewPCG(1, 2)), bodies: map[int64]string{}}
	if err := r.session(10); err != nil {
		t.Fatal(err)
	}
	// Away for 1100 events, more than the 1,024 the ring holds.
	for i := 10; i < 1110; i++ {
		post(poster, i)
	}
	if r.last != 10 {
		t.Fatalf("reader at %d", r.last)
	}
	// Resume while more is posted: the live events must queue behind the replay.
	done := make(chan struct{})
	var more sync.WaitGroup
	more.Go(func() {
		for i := 2000; i < 2300; i++ {
			select {
			case <-done:
				return
			default:
			}
			e, err := poster2.tryRequest(map[string]any{"type": "post", "room": room, "topic": "T", "body": fmt.Sprintf("live %d", i), "cmid": fmt.Sprintf("l%d", i)}, 20*time.Second)
			if err != nil || e.str("type") != "ack" {
				t.Errorf("live post: %v %v", e, err)
				return
			}
			mu.Lock()
			bodies[e.num("seq")] = fmt.Sprintf("live %d", i)
			mu.Unlock()
		}
	})
	// Read until the first live post of poster2 is in, then stop posting and read to the end.
	if err := r.session(1200); err != nil {
		close(done)
		more.Wait()
		t.Fatal(err)
	}
	close(done)
	more.Wait()
	mu.Lock()
	head := int64(len(bodies))
	mu.Unlock()
	if err := r.session(head); err != nil {
		t.Fatal(err)
	}
	if r.last != head {
		t.Fatalf("reader at %d, head %d", r.last, head)
	}
	for seq := int64(1); seq <= head; seq++ {
		if r.bodies[seq] != bodies[seq] {
			t.Fatalf("message %d reads %q, want %q", seq, r.bodies[seq], bodies[seq])
		}
	}
	// Too far behind to resume: refused with invalid (the client reloads).
	c := f.mustDial(base, "observer")
	c.wantError(map[string]any{"type": "subscribe", "room": room, "since": head + 1}, "invalid")
}
