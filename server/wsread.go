package server

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/contrib/websocket"
)

// Discussion websockets of the socket server are read without a goroutine each: once the
// upgrade is done, the connection's descriptor is handed to the poller (wspoll_linux.go) and the
// handler returns, which also lets fasthttp release the request context it keeps for a running
// handler. When the poller reports bytes, a short-lived goroutine reads what is there, parses the
// frames (wsframes.go) and handles the messages in order; an idle connection then holds its
// websocket (for writes), its state and a timer. Writes, pings and closes are unchanged.
// Connections that cannot be polled (ShareDB's, other systems', websockets sent on a
// connection of the main server) keep a goroutine that reads through the websocket library.

var readBuffers = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// errWouldBlock: nothing more to read now.
var errWouldBlock = errors.New("would block")

// pollWS hands c to the poller if it can be polled; false means the caller reads it.
func (s *Server) pollWS(c *wsConn) bool {
	s.pollerOnce.Do(func() {
		p, err := newPoller()
		if err != nil {
			s.log.Info("websockets are read with a goroutine each", slog.Any("reason", err))
			return
		}
		s.poller = p
	})
	if s.poller == nil {
		return false
	}
	uc, ok := c.ws.NetConn().(interface{ UnsafeConn() net.Conn })
	if !ok {
		return false
	}
	sock, ok := uc.UnsafeConn().(*socketConn)
	if !ok || !sock.headerRead() {
		// Without the whole header seen, fasthttp may still hold bytes of the connection in its
		// reader, which it would release when the handler returns.
		return false
	}
	raw, err := sock.SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	if err := raw.Control(func(f uintptr) { fd = int(f) }); err != nil || fd < 0 {
		return false
	}
	c.sock, c.raw, c.fd = sock, raw, fd
	c.frames.limit = wsReadLimit
	c.idle = time.AfterFunc(s.cfg.WSPongTimeout, func() { c.close(closeIdle, "idle") })
	c.mu.Lock()
	if c.closed {
		// Closed already (its close did not know it would be polled): the caller's reader
		// ends at once and cleans up.
		c.mu.Unlock()
		c.idle.Stop()
		return false
	}
	c.polled = true
	c.mu.Unlock()
	// From here on, a close ends the connection through finishPolled.
	if err := s.poller.add(fd, c); err != nil {
		s.log.Warn("websocket not polled", slog.Any("error", err))
		c.close(websocket.CloseGoingAway, "going away")
		return true
	}
	c.wake() // frames that came with the handshake
	return true
}

// wake is the poller's news that c has new bytes. At most one goroutine reads a connection: if
// one is reading, it sees readPending and reads again before it stops.
func (c *wsConn) wake() {
	c.readPending.Store(true)
	if c.reading.CompareAndSwap(false, true) {
		go c.onReadable()
	}
}

// onReadable reads until the socket is empty and handles the complete messages, in order.
func (c *wsConn) onReadable() {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for {
		for c.readPending.Swap(false) {
			if !c.readAvailable() {
				c.reading.Store(false)
				return
			}
		}
		c.reading.Store(false)
		// News that came after the last read and before reading was marked over.
		if !c.readPending.Load() || !c.reading.CompareAndSwap(false, true) {
			return
		}
	}
}

// readAvailable reads what has arrived (in turns of a few reads, so that a busy connection
// cannot starve its own handling) and handles it; false once the connection is to end.
func (c *wsConn) readAvailable() bool {
	if c.isClosed() {
		return false
	}
	bp := readBuffers.Get().(*[]byte)
	var events []frameEvent
	var err error
	if held := c.sock.takeHeld(); len(held) > 0 {
		events, err = c.frames.feed(held, events)
	}
	empty := false
	for round := 0; err == nil && round < 4; round++ {
		n, rerr := c.readNow(*bp)
		if n > 0 {
			c.idle.Reset(c.s.cfg.WSPongTimeout)
			events, err = c.frames.feed((*bp)[:n], events)
			if n < len(*bp) {
				// A short read emptied the socket; bytes arriving later bring a new event, so
				// the read that would only say "nothing more" is saved.
				empty = true
				break
			}
		}
		if rerr == errWouldBlock {
			empty = true
			break
		}
		if rerr != nil || n == 0 {
			if err == nil {
				err = net.ErrClosed
			}
			break
		}
	}
	readBuffers.Put(bp)
	if !empty {
		c.readPending.Store(true) // more to read after handling these
	}
	// Handling may wait for the store; the client's pongs wait unread meanwhile, which must not
	// make it look idle.
	c.idle.Stop()
	for _, ev := range events {
		if !c.s.handleFrame(c, ev) {
			return false
		}
	}
	switch {
	case errors.Is(err, errFrameTooBig):
		c.close(websocket.CloseMessageTooBig, "message too big")
	case errors.Is(err, errFrameBad):
		c.close(websocket.CloseProtocolError, "protocol error")
	case err != nil:
		c.close(websocket.CloseNormalClosure, "bye")
	default:
		c.idle.Reset(c.s.cfg.WSPongTimeout)
		return !c.isClosed()
	}
	return false
}

// readNow reads what the socket holds without waiting.
func (c *wsConn) readNow(buf []byte) (int, error) {
	var n int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), buf)
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case rerr == syscall.EAGAIN || rerr == syscall.EINTR:
		return 0, errWouldBlock
	case rerr != nil:
		return 0, rerr
	}
	return n, nil
}

// handleFrame acts on one frame; false when the connection is to end.
func (s *Server) handleFrame(c *wsConn, ev frameEvent) bool {
	switch ev.kind {
	case wsText:
		return s.handleWS(c, ev.payload)
	case wsPing:
		c.queueControl(append(appendFrameHeader(nil, 0x8a, len(ev.payload)), ev.payload...)) // FIN, pong
		return true
	case wsPong:
		return true
	case wsClose:
		c.close(websocket.CloseNormalClosure, "bye")
		return false
	default:
		c.close(closeBadFrame, "bad frame: text frames only")
		return false
	}
}

func (c *wsConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed || c.gone
}

// finishPolled ends a polled connection once it is closed: after any reading in progress, it
// leaves the poller, leaves its rooms and closes the socket.
func (c *wsConn) finishPolled() {
	c.finished.Do(func() {
		c.readMu.Lock()
		c.idle.Stop()
		c.s.poller.remove(c.fd, c)
		c.readMu.Unlock()
		c.s.endWS(c)
	})
}
