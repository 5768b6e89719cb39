package server

import (
	"errors"
	"runtime"
	"syscall"
	"time"

	"github.com/gofiber/contrib/websocket"
)

// Polled discussion websockets (wsread.go) are also written without a goroutine each. A
// connection with something to send is put on the flushers' queue once; one of a few flusher
// goroutines takes it, joins everything it has queued into one frame and writes it with one
// non-blocking system call. While a connection waits its turn, later envelopes join its queue,
// so under load each write carries more of them: on this machine a write to a loopback socket
// costs about as much CPU as all the rest of a delivery, so fewer writes is what raises the
// fan-out rate. A socket whose buffer is full keeps the rest of its frame and is taken up again
// when the poller reports room (EPOLLOUT); one that makes no progress for wsWriteTimeout is
// closed by the pinger's sweep. Pings and pongs go the same way, so nothing else writes to a
// polled socket but the close frame.
//
// Connections that are not polled keep the writer goroutine of ws.go (writeLoop).

// flushQueue is long enough for every connection a process can hold (each is queued once at a
// time); a full queue falls back to a goroutine for that connection.
const flushQueue = 1 << 16

// maxControlBytes bounds the control frames (pongs to a client's pings, our pings) a connection
// may have waiting: a client that pings without reading is a slow consumer.
const maxControlBytes = 4 << 10

type flushers struct {
	ready chan *wsConn
	stop  chan struct{}
}

func newFlushers() *flushers {
	f := &flushers{ready: make(chan *wsConn, flushQueue), stop: make(chan struct{})}
	for range max(2, runtime.GOMAXPROCS(0)) {
		go f.run()
	}
	return f
}

func (f *flushers) run() {
	var buf []byte
	for {
		select {
		case c := <-f.ready:
			buf = c.flush(buf[:0])
			if cap(buf) > 1<<20 {
				buf = nil // one huge frame must not be held for ever
			}
		case <-f.stop:
			// Connections still queued are closed by now: finishing them releases their
			// writer wait groups, which endWS waits for.
			for {
				select {
				case c := <-f.ready:
					buf = c.flush(buf[:0])
				default:
					return
				}
			}
		}
	}
}

func (f *flushers) close() { close(f.stop) }

// scheduleLocked hands c to a flusher unless one owns it already (c.mu held). The writer wait
// group counts the ownership, so that endWS waits for a flush in progress.
func (c *wsConn) scheduleLocked() {
	if c.writing {
		return
	}
	c.writing = true
	c.writerWG.Add(1)
	c.enqueueLocked()
}

// enqueueLocked puts an owned connection on the flushers' queue (c.mu held).
func (c *wsConn) enqueueLocked() {
	select {
	case c.s.poller.flush.ready <- c:
	default:
		go func() { c.s.poller.flush.ready <- c }()
	}
}

// releaseLocked ends a flusher's ownership (c.mu held).
func (c *wsConn) releaseLocked() {
	c.writing = false
	c.awaitWritable = false
	c.writerWG.Done()
}

// queueControl queues a control frame (ping or pong) on a polled connection.
func (c *wsConn) queueControl(frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.gone {
		return
	}
	if len(c.control)+len(frame) > maxControlBytes {
		c.closeLocked(closeSlowConsumer, "slow consumer")
		return
	}
	c.control = append(c.control, frame...)
	c.scheduleLocked()
}

// flush writes what c has queued, into buf (returned for reuse). Called by a flusher that owns c.
func (c *wsConn) flush(buf []byte) []byte {
	c.mu.Lock()
	if c.closed || c.gone {
		c.unsent = nil
		c.releaseLocked()
		c.mu.Unlock()
		return buf
	}
	// The rest of a frame the socket did not take comes first, then control frames, then one
	// text frame of queued envelopes joined by newlines.
	buf = append(buf, c.unsent...)
	c.unsent = nil
	buf = append(buf, c.control...)
	c.control = c.control[:0]
	n, size := 0, 0
	for n < len(c.queue) && (n == 0 || size+1+len(c.queue[n]) < wsCoalesceLimit) {
		if n > 0 {
			size++
		}
		size += len(c.queue[n])
		n++
	}
	if n > 0 {
		buf = appendFrameHeader(buf, 0x81, size) // FIN, text
		for i, env := range c.queue[:n] {
			if i > 0 {
				buf = append(buf, '\n')
			}
			buf = append(buf, env...)
		}
		clear(c.queue[:n])
		c.queue = c.queue[n:]
		if len(c.queue) == 0 {
			c.queue = nil // an idle connection holds no buffer
		}
	}
	c.mu.Unlock()

	written, err := c.writeNow(buf)

	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed || c.gone:
		c.releaseLocked()
	case err != nil:
		c.closeLocked(websocket.CloseGoingAway, "write failed")
		c.releaseLocked()
	case written < len(buf):
		// The socket is full: keep the rest and wait for the poller to report room.
		c.s.wsStalls.Add(1)
		c.unsent = append([]byte(nil), buf[written:]...)
		if written > 0 || c.stalledSince.IsZero() {
			c.stalledSince = time.Now()
		}
		c.awaitWritable = true
	default:
		c.stalledSince = time.Time{}
		if len(c.queue) > 0 || len(c.control) > 0 {
			c.enqueueLocked() // behind the others, so that a busy connection takes turns
		} else {
			c.releaseLocked()
		}
	}
	return buf
}

// writeNow writes as much of b as the socket takes without waiting.
func (c *wsConn) writeNow(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		// The descriptor stays open meanwhile: the socket is closed only after endWS has waited
		// for the flusher's ownership (writerWG). It is written directly rather than through
		// the net.Conn, whose write deadline (set by the library's writes before the connection
		// was polled) would fail these writes once it passed.
		n, werr := syscall.Write(c.fd, b[done:])
		switch {
		case werr == syscall.EINTR:
			continue
		case werr == syscall.EAGAIN:
			return done, nil
		case werr != nil:
			return done, werr
		case n <= 0:
			return done, errors.New("write wrote nothing")
		}
		done += n
	}
	return done, nil
}

// onWritable is the poller's news that c's socket has room again.
func (c *wsConn) onWritable() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.awaitWritable {
		c.awaitWritable = false
		c.enqueueLocked()
	}
}

// sweepWrite is the pinger's look at a polled connection's writes: one stalled longer than
// wsWriteTimeout is closed; one that waits for room is tried again, in case the poller's news
// came between the failed write and the wait (an edge-triggered event is not repeated).
func (c *wsConn) sweepWrite(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.awaitWritable {
		return
	}
	if now.Sub(c.stalledSince) > wsWriteTimeout {
		c.closeLocked(closeSlowConsumer, "slow consumer")
		return
	}
	c.awaitWritable = false
	c.enqueueLocked()
}

// appendFrameHeader appends the header of an unmasked frame (RFC 6455 5.2: servers do not mask)
// whose first byte is b0 and whose payload is n bytes.
func appendFrameHeader(buf []byte, b0 byte, n int) []byte {
	switch {
	case n < 126:
		return append(buf, b0, byte(n))
	case n <= 0xffff:
		return append(buf, b0, 126, byte(n>>8), byte(n))
	default:
		return append(buf, b0, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}
