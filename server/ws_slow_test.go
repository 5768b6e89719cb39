package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// smallBufferDialer dials with a receive buffer of n bytes, so that a client that stops reading
// fills its socket soon.
func smallBufferDialer(n int) *fws.Dialer {
	return &fws.Dialer{HandshakeTimeout: 5 * time.Second, NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(n)
		}
		return c, err
	}}
}

// withoutHeartbeat replaces the fixture's server (before f.listen) by one that pings rarely, so
// that a client that does not read is closed for its full queue, not for missing pongs.
func (f *fixture) withoutHeartbeat() {
	f.t.Helper()
	_ = f.srv.Shutdown(time.Second) // stops the old server's pinger; it never listened
	f.srv = New(Config{Logger: slog.New(slog.DiscardHandler), Store: f.st, Accounts: f.acc, Rooms: f.rooms, Discussion: f.disc,
		WSPingInterval: time.Hour, WSPongTimeout: time.Hour})
}

// TestWSSlowConsumer: a subscriber that stops reading is cut off when its queue fills, without
// slowing posting or the other subscribers.
func TestWSSlowConsumer(t *testing.T) {
	f := mustServe(t)
	f.withoutHeartbeat()
	base := f.listen()
	room := roomOf(f.private)
	observerID := f.users["observer"].ID

	chair := f.mustDial(base, "chair")
	chair.subscribe(room)

	// The slow client: a small receive buffer, and it stops reading after the subscribe ack.
	slow := f.smallBufferClient(base, "observer", room, 128<<10)
	var slowSeen []envelope
	for acked := false; !acked; {
		_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, data, err := slow.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		es, err := splitLines(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.str("type") == "ack" && e.str("id") == "s" {
				acked = true
			} else if e.str("type") == "error" {
				t.Fatalf("subscribe: %v", e)
			}
		}
	}
	chair.nextWhere("observer online", 5*time.Second, presenceOf(room, observerID))

	// Posters post 15 KB messages until the chair sees the slow client go, and a while after.
	const maxPosts = 4000
	var (
		posted  atomic.Int64
		gone    atomic.Bool
		after   atomic.Int64
		postErr = make(chan error, 2)
		wg      sync.WaitGroup
	)
	body := strings.Repeat("lorem ipsum ", 1250) // 15,000 characters
	startPosting := time.Now()
	for p, actor := range []string{"member", "secretariat"} {
		c := f.mustDial(base, actor)
		wg.Go(func() {
			for i := 0; ; i++ {
				if posted.Load() >= maxPosts || (gone.Load() && after.Add(1) > 50) {
					return
				}
				e, err := c.tryRequest(map[string]any{"type": "post", "room": room, "topic": "Big", "body": fmt.Sprintf("%d %d %s", p, i, body),
					"cmid": fmt.Sprintf("%d-%d", p, i)}, 20*time.Second)
				if err == nil && e.str("type") != "ack" {
					err = fmt.Errorf("post: %v", e)
				}
				if err != nil {
					postErr <- err
					return
				}
				posted.Add(1)
			}
		})
	}
	// The chair reads everything, in order, and notices the slow client leave.
	var last int64
	chairDone := make(chan struct{})
	go func() {
		wg.Wait()
		close(chairDone)
	}()
	for finished := false; ; {
		select {
		case e := <-chair.events:
			switch {
			case e.str("type") == "event":
				if e.num("seq") != last+1 {
					t.Fatalf("chair: seq %d after %d", e.num("seq"), last)
				}
				last = e.num("seq")
			case presenceOf(room, observerID)(e) && e["online"] == false:
				t.Logf("slow client gone after %d posts (%s)", posted.Load(), time.Since(startPosting))
				gone.Store(true)
			}
			if !finished {
				continue
			}
		case err := <-postErr:
			t.Fatal(err)
		case <-chairDone:
			finished = true
		case <-time.After(60 * time.Second):
			t.Fatalf("stuck: %d posted, chair at %d", posted.Load(), last)
		}
		if finished && last >= posted.Load() {
			break
		}
		if chairDone != nil && finished {
			chairDone = nil
		}
	}
	if !gone.Load() {
		t.Fatalf("the slow client was not cut off after %d posts of 15 KB", posted.Load())
	}
	t.Logf("%d messages posted; the chair saw all of them (%s)", last, time.Since(startPosting))

	// The slow client finds what was queued before it was cut off, then the end: close 4008
	// "slow consumer", or (when even the close frame did not fit) the connection just ends.
	var endErr error
	for {
		_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := slow.ReadMessage()
		if err != nil {
			endErr = err
			break
		}
		es, err := splitLines(data)
		if err != nil {
			t.Fatal(err)
		}
		slowSeen = append(slowSeen, es...)
	}
	var ce *fws.CloseError
	var ne net.Error
	switch {
	case errors.As(endErr, &ce) && ce.Code == fws.CloseAbnormalClosure:
		t.Logf("the slow client's connection ended without a close frame: %v", endErr)
	case errors.As(endErr, &ce):
		if ce.Code != closeSlowConsumer || ce.Text != "slow consumer" {
			t.Fatalf("slow client closed with %d %q, want 4008 slow consumer", ce.Code, ce.Text)
		}
	case errors.As(endErr, &ne) && ne.Timeout():
		t.Fatalf("the slow client's connection is still open: %v", endErr)
	default:
		t.Logf("the slow client's connection ended without a close frame: %v", endErr)
	}
	var prev int64
	for _, e := range slowSeen {
		if e.str("type") != "event" {
			continue
		}
		if e.num("seq") != prev+1 {
			t.Fatalf("slow client: seq %d after %d", e.num("seq"), prev)
		}
		prev = e.num("seq")
	}
	if prev >= last {
		t.Fatalf("the slow client received everything (%d of %d): it was not cut off", prev, last)
	}
	t.Logf("the slow client got %d events before the cut", prev)
}

// TestWSCutOffConnectionIsClosed: once the server has cut a slow consumer off, its connection
// is really closed: requests it sends afterwards are not served.
func TestWSCutOffConnectionIsClosed(t *testing.T) {
	f := mustServe(t) // the default heartbeat: ping every second, 1.8 s timeout
	base := f.listen()
	room := roomOf(f.private)
	memberID := f.users["member"].ID
	watcher := f.mustDial(base, "secretariat")
	watcher.subscribe(room)

	d := smallBufferDialer(128 << 10)
	slow, _, err := d.Dial(wsURL(base, f.ticket("member")), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	var wmu sync.Mutex
	write := func(mt int, data []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		if mt == fws.PongMessage {
			return slow.WriteControl(mt, data, time.Now().Add(time.Second))
		}
		_ = slow.SetWriteDeadline(time.Now().Add(5 * time.Second))
		return slow.WriteMessage(mt, data)
	}
	if err := write(fws.TextMessage, []byte(`{"type":"subscribe","id":"s","room":"`+room+`"}`)); err != nil {
		t.Fatal(err)
	}
	watcher.nextWhere("member online", 5*time.Second, presenceOf(room, memberID))
	// The slow client never reads, but its network stack keeps answering (as a browser's does
	// while its page is busy): it sends a pong every 200 ms.
	stopPong := make(chan struct{})
	var pongs sync.WaitGroup
	pongs.Go(func() {
		for {
			select {
			case <-stopPong:
				return
			case <-time.After(200 * time.Millisecond):
				if write(fws.PongMessage, nil) != nil {
					return
				}
			}
		}
	})
	defer func() { close(stopPong); pongs.Wait() }()

	chair := f.mustDial(base, "chair")
	body := strings.Repeat("lorem ipsum ", 1250)
	for i := 0; ; i++ {
		if i >= 3000 {
			t.Fatal("the slow client was not cut off")
		}
		chair.post(room, "Big", fmt.Sprintf("%d %s", i, body), fmt.Sprintf("big-%d", i))
		select {
		case e := <-watcher.events:
			if presenceOf(room, memberID)(e) && e["online"] == false {
				i = 1 << 30
			}
		default:
		}
		if i == 1<<30 {
			break
		}
	}
	// Well after the cut (the close frame is given a second), the slow client posts.
	time.Sleep(3 * time.Second)
	_ = write(fws.TextMessage, []byte(`{"type":"post","id":"p","room":"`+room+`","topic":"T","body":"posted after the cut","cmid":"after-cut"}`))
	time.Sleep(time.Second)
	marker := chair.post(room, "T", "marker", "marker")
	for {
		e := watcher.nextWhere("marker", 10*time.Second, func(e envelope) bool { return e.str("type") == "event" })
		if m := messageOf(e); m["cmid"] == "after-cut" {
			t.Fatalf("a connection closed as a slow consumer still had its post served: %v", m["body"])
		}
		if e.num("seq") == marker {
			break
		}
	}
}

// smallBufferClient connects actor with a receive buffer of rcvbuf bytes and subscribes to room;
// what it reads, if anything, is up to the test.
func (f *fixture) smallBufferClient(base, actor, room string, rcvbuf int) *fws.Conn {
	f.t.Helper()
	conn, _, err := smallBufferDialer(rcvbuf).Dial(wsURL(base, f.ticket(actor)), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { conn.Close() })
	if err := conn.WriteMessage(fws.TextMessage, []byte(`{"type":"subscribe","id":"s","room":"`+room+`"}`)); err != nil {
		f.t.Fatal(err)
	}
	return conn
}

// TestWSStuckClientSparesOthers: a client whose socket is full (its writer is blocked) must not
// make the heartbeat fail for the other, healthy connections.
func TestWSStuckClientSparesOthers(t *testing.T) {
	f := mustServe(t) // the default heartbeat
	base := f.listen()
	room := roomOf(f.private)
	var healthy []*wsClient
	for i := range 12 {
		healthy = append(healthy, f.mustDial(base, []string{"chair", "member", "outsider"}[i%3]))
	}
	poster := f.mustDial(base, "secretariat")
	body := strings.Repeat("lorem ipsum ", 1250)
	for round := range 3 {
		// A client that never reads again, nor answers pings.
		f.smallBufferClient(base, "observer", room, 128<<10)
		time.Sleep(200 * time.Millisecond) // let the subscription in
		// Enough 15 KB messages to fill the stuck client's socket, not its 512-frame queue.
		for i := range 250 {
			poster.post(room, "Big", fmt.Sprintf("%d %s", i, body), fmt.Sprintf("r%d-%d", round, i))
		}
		time.Sleep(2 * time.Second) // a few heartbeats
		for i, c := range healthy {
			select {
			case <-c.closed:
				code, text := c.waitClosed(time.Second)
				t.Fatalf("round %d: healthy connection %d was closed (%d %s) because another client was stuck", round, i, code, text)
			default:
			}
			c.syncPoint()
		}
	}
}

// TestWSFullSocketResumes: a client that stops reading for a while fills its socket (6 MB are
// sent; the kernel buffers at most 4 MB); the server keeps the rest of what it was writing,
// resumes when the socket has room, and the client gets every event once, in order, without
// being cut off.
func TestWSFullSocketResumes(t *testing.T) {
	f := mustServe(t)
	f.withoutHeartbeat() // the client answers no pings while it does not read
	base := f.listen()
	room := roomOf(f.private)
	slow := f.smallBufferClient(base, "observer", room, 16<<10)
	const posts = 400
	got := make(chan []int64, 1)
	posted := make(chan struct{})
	go func() {
		<-posted
		var seqs []int64
		for len(seqs) < posts {
			_ = slow.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, data, err := slow.ReadMessage()
			if err != nil {
				t.Errorf("slow reader: %v after %d events", err, len(seqs))
				break
			}
			es, err := splitLines(data)
			if err != nil {
				t.Error(err)
				break
			}
			for _, e := range es {
				if e.str("type") == "event" {
					seqs = append(seqs, e.num("seq"))
				}
			}
		}
		got <- seqs
	}()
	time.Sleep(200 * time.Millisecond) // let the subscription in
	chair := f.mustDial(base, "chair")
	body := strings.Repeat("lorem ipsum ", 1250)
	var first int64
	for i := range posts {
		seq := chair.post(room, "Big", fmt.Sprintf("%d %s", i, body), fmt.Sprintf("full-%d", i))
		if i == 0 {
			first = seq
		}
	}
	close(posted)
	seqs := <-got
	if len(seqs) != posts {
		t.Fatalf("the slow reader got %d of %d events", len(seqs), posts)
	}
	for i, seq := range seqs {
		if seq != first+int64(i) {
			t.Fatalf("event %d has seq %d, want %d", i, seq, first+int64(i))
		}
	}
	if f.srv.wsStalls.Load() == 0 {
		t.Fatal("the socket never filled: the test did not exercise resuming")
	}
	t.Logf("%d events of 15 KB; the server's writes stalled %d times and resumed", posts, f.srv.wsStalls.Load())
}
