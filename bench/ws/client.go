package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"plenary/bench/internal/serverproc"
)

// histogram records latencies in logarithmic buckets 2% wide (lock-free).
type histogram struct {
	buckets [1200]atomic.Int64
	count   atomic.Int64
	maxNS   atomic.Int64
}

var logStep = math.Log(1.02)

func (h *histogram) record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	b := 0
	if us := float64(ns) / 1e3; us >= 1 {
		b = min(len(h.buckets)-1, int(math.Log(us)/logStep)+1)
	}
	h.buckets[b].Add(1)
	h.count.Add(1)
	for {
		m := h.maxNS.Load()
		if ns <= m || h.maxNS.CompareAndSwap(m, ns) {
			break
		}
	}
}

// quantile returns the upper edge of the bucket holding quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(n)))
	var seen int64
	for b := range h.buckets {
		seen += h.buckets[b].Load()
		if seen >= rank {
			if b == 0 {
				return time.Microsecond
			}
			return min(time.Duration(math.Pow(1.02, float64(b))*1e3), time.Duration(h.maxNS.Load()))
		}
	}
	return time.Duration(h.maxNS.Load())
}

// stats are shared by all connections of the load generator.
type stats struct {
	hist         atomic.Pointer[histogram] // delivery latency: receive time − send time in the body
	ackHist      atomic.Pointer[histogram] // post latency: ack received − post sent (commit + fan-out hand-off)
	deliveries   atomic.Int64
	lastDelivery atomic.Int64 // unix ns
	mu           sync.Mutex
	closes       map[string]int
	errors       map[string]int
}

func newStats() *stats {
	s := &stats{closes: map[string]int{}, errors: map[string]int{}}
	s.hist.Store(&histogram{})
	s.ackHist.Store(&histogram{})
	return s
}

func (s *stats) closed(why string) {
	s.mu.Lock()
	s.closes[why]++
	s.mu.Unlock()
}

func (s *stats) errored(line []byte) {
	msg := string(field(line, `"code":"`)) + ": " + string(field(line, `"message":"`))
	s.mu.Lock()
	s.errors[msg]++
	s.mu.Unlock()
}

func (s *stats) snapshot() (closes, errs map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	closes, errs = map[string]int{}, map[string]int{}
	for k, v := range s.closes {
		closes[k] = v
	}
	for k, v := range s.errors {
		errs[k] = v
	}
	return closes, errs
}

// roomState is one room as the load generator sees it.
type roomState struct {
	name      string
	conns     []*clientConn
	pubs      []*clientConn
	lastAcked atomic.Int64 // highest seq acknowledged to a publisher
}

func (r *roomState) ackedMax(seq int64) {
	for {
		m := r.lastAcked.Load()
		if seq <= m || r.lastAcked.CompareAndSwap(m, seq) {
			return
		}
	}
}

// clientConn is one websocket connection of the load generator. Its socket is read by one of
// the generator's epoll readers (wsraw.go), which answers pings and checks that events arrive
// once each, in order.
type clientConn struct {
	conn  *net.TCPConn
	fd    int
	rd    *reader
	room  *roomState
	st    *stats
	subID string

	next     atomic.Int64 // next expected seq (head+1 after the subscribe ack); 0 before
	gaps     atomic.Int64 // seqs skipped (never delivered)
	dups     atomic.Int64 // seqs delivered twice or out of order
	received atomic.Int64
	closed   atomic.Bool
	done     chan struct{}
	subAck   chan error

	// reader side (the reader's lock held)
	rbuf    []byte // the start of a frame not yet complete
	message []byte // a fragmented message being assembled

	// publisher side
	wmu                 sync.Mutex
	wbuf                []byte
	sent, acked, failed atomic.Int64
	frame               []byte
	sentAt              [4096]atomic.Int64 // by post number mod 4096
}

// connect opens a websocket as u (with a fresh ticket) and subscribes to room.
func connect(ctx context.Context, a *api, addr string, u *user, room *roomState, st *stats) (*clientConn, error) {
	ticket, err := u.ticket(a)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, early, err := dialWS(dctx, addr, "/api/ws?ticket="+ticket)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c := &clientConn{conn: conn, room: room, st: st, subID: "s", done: make(chan struct{}), subAck: make(chan error, 1), rbuf: early}
	if err := c.register(); err != nil {
		conn.Close()
		return nil, err
	}
	if err := c.writeFrame(opText, []byte(`{"type":"subscribe","id":"s","room":"`+room.name+`"}`)); err != nil {
		c.close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	select {
	case err := <-c.subAck:
		if err != nil {
			c.close()
			return nil, err
		}
	case <-c.done:
		return nil, errors.New("the connection closed before the subscription was acknowledged")
	case <-time.After(15 * time.Second):
		c.close()
		return nil, errors.New("no subscribe acknowledgement within 15 s")
	}
	return c, nil
}

// onMessage handles one text message: envelopes separated by newlines.
func (c *clientConn) onMessage(data []byte, now int64) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		c.handle(line, now)
	}
}

// ended records why the connection ended (once) and unblocks a subscription waiting for it.
func (c *clientConn) ended(why string) {
	if !c.closed.Swap(true) && why != "" {
		c.st.closed(why)
	}
	select {
	case c.subAck <- fmt.Errorf("closed: %s", why):
	default:
	}
}

var (
	preEvent = []byte(`{"type":"event"`)
	preAck   = []byte(`{"type":"ack"`)
	preError = []byte(`{"type":"error"`)
)

func (c *clientConn) handle(line []byte, now int64) {
	switch {
	case bytes.HasPrefix(line, preEvent):
		seq := serverproc.Number(line, `"seq":`)
		next := c.next.Load()
		switch {
		case seq == next:
			c.next.Store(seq + 1)
		case seq > next:
			c.gaps.Add(seq - next)
			c.next.Store(seq + 1)
		default:
			c.dups.Add(1)
		}
		c.received.Add(1)
		c.st.deliveries.Add(1)
		if ts := serverproc.Number(line, `"body":"TS`); ts > 0 {
			c.st.hist.Load().record(now - ts)
		}
		for {
			m := c.st.lastDelivery.Load()
			if now <= m || c.st.lastDelivery.CompareAndSwap(m, now) {
				break
			}
		}
	case bytes.HasPrefix(line, preAck):
		id := field(line, `"id":"`)
		if len(id) > 0 && id[0] == 'p' {
			c.room.ackedMax(serverproc.Number(line, `"seq":`))
			c.acked.Add(1)
			if n := serverproc.Number(id, "p"); n >= 0 {
				if t := c.sentAt[n%int64(len(c.sentAt))].Load(); t > 0 {
					c.st.ackHist.Load().record(now - t)
				}
			}
			return
		}
		if string(id) == c.subID {
			c.next.Store(serverproc.Number(line, `"head":`) + 1)
			select {
			case c.subAck <- nil:
			default:
			}
		}
	case bytes.HasPrefix(line, preError):
		id := field(line, `"id":"`)
		c.st.errored(line)
		if len(id) > 0 && id[0] == 'p' {
			c.failed.Add(1)
			return
		}
		if string(id) == c.subID {
			select {
			case c.subAck <- fmt.Errorf("subscribe refused: %s", line):
			default:
			}
		}
	}
}

// field returns the string value (without escapes) that follows key in line.
func field(line []byte, key string) []byte {
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return nil
	}
	rest := line[i+len(key):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return rest
}

// post sends one message whose body starts with the send time: "TS<unix ns> …".
func (c *clientConn) post(n int64, cmidPrefix string, bodySize int) error {
	f := c.frame[:0]
	f = append(f, `{"type":"post","id":"p`...)
	f = strconv.AppendInt(f, n, 10)
	f = append(f, `","room":"`...)
	f = append(f, c.room.name...)
	f = append(f, `","topic":"bench","cmid":"`...)
	f = append(f, cmidPrefix...)
	f = strconv.AppendInt(f, n, 10)
	f = append(f, `","body":"TS`...)
	now := time.Now().UnixNano()
	c.sentAt[n%int64(len(c.sentAt))].Store(now)
	f = strconv.AppendInt(f, now, 10)
	f = append(f, ' ')
	for i := 0; i < bodySize-22; i++ {
		f = append(f, filler[i%len(filler)])
	}
	f = append(f, `"}`...)
	c.frame = f
	c.sent.Add(1)
	return c.writeFrame(opText, f)
}

const filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. "
