package server

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// Websocket connections are served by an HTTP server of their own (see socketApp). A connection
// is handed to it when its first request line, read without consuming it (MSG_PEEK), asks for one
// of these paths; every other connection goes to the main application. Browsers open a fresh
// connection for each websocket, so a socket's connection is always recognized.
var socketPaths = [][]byte{[]byte("GET /api/ws"), []byte("GET /api/sharedb")}

// requestLineWait bounds how long a new connection may take to send the start of its first
// request line (the main server's ReadTimeout).
const requestLineWait = 30 * time.Second

// splitListener accepts connections on one listener and deals them to two: sockets and the rest.
type splitListener struct {
	ln      net.Listener
	main    *chanListener
	sockets *chanListener
}

func newSplitListener(ln net.Listener) *splitListener {
	done := make(chan struct{})
	var once sync.Once
	closeAll := func() error {
		var err error
		once.Do(func() {
			close(done)
			err = ln.Close()
		})
		return err
	}
	return &splitListener{
		ln:      ln,
		main:    &chanListener{addr: ln.Addr(), conns: make(chan net.Conn), done: done, close: closeAll},
		sockets: &chanListener{addr: ln.Addr(), conns: make(chan net.Conn), done: done, close: closeAll},
	}
}

// run accepts until the listener is closed, then makes both sides' Accept return err.
func (l *splitListener) run() {
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			l.main.fail(err)
			l.sockets.fail(err)
			return
		}
		go l.deal(conn)
	}
}

// deal waits for the start of the connection's first request line and hands the connection on.
func (l *splitListener) deal(conn net.Conn) {
	to := l.main
	if isSocket, err := peekIsSocket(conn); err != nil {
		_ = conn.Close()
		return
	} else if isSocket {
		to = l.sockets
		if tc, ok := conn.(*net.TCPConn); ok {
			conn = &socketConn{TCPConn: tc}
		}
	}
	select {
	case to.conns <- conn:
	case <-to.done:
		_ = conn.Close()
	}
}

// peekIsSocket tells whether conn's first request asks for a websocket path, without taking any
// bytes from it. Connections that cannot be peeked at go to the main application.
func peekIsSocket(conn net.Conn) (bool, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false, nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false, nil
	}
	if err := conn.SetReadDeadline(time.Now().Add(requestLineWait)); err != nil {
		return false, err
	}
	var buf [24]byte
	var n int
	var peekErr error
	err = raw.Read(func(fd uintptr) bool {
		n, _, peekErr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK)
		if peekErr == syscall.EAGAIN || peekErr == syscall.EINTR {
			return false // wait until readable
		}
		if peekErr != nil || n == 0 {
			return true
		}
		// Only a prefix of a socket path so far: wait for more of the line.
		return decided(buf[:n])
	})
	if err == nil {
		err = peekErr
	}
	if err == nil && n == 0 {
		err = errors.New("connection closed before a request")
	}
	if err != nil {
		return false, err
	}
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		return false, err
	}
	return isSocketLine(buf[:n]), nil
}

// decided tells whether the first bytes of a request are enough to choose a side.
func decided(b []byte) bool {
	for _, p := range socketPaths {
		if len(b) <= len(p) && bytes.HasPrefix(p, b) {
			return false
		}
	}
	return true
}

// isSocketLine: the request line starts with a socket path followed by its query or its end.
func isSocketLine(b []byte) bool {
	for _, p := range socketPaths {
		if len(b) > len(p) && bytes.HasPrefix(b, p) && (b[len(p)] == '?' || b[len(p)] == ' ') {
			return true
		}
	}
	return false
}

// chanListener is one side of a splitListener.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	close func() error

	mu  sync.Mutex
	err error
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// fail makes Accept return err (the underlying listener's) once done is closed.
func (l *chanListener) fail(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
	_ = l.close()
}

func (l *chanListener) Close() error   { return l.close() }
func (l *chanListener) Addr() net.Addr { return l.addr }

// socketConn is a connection of the socket server. Until the end of the request's header it hands
// out no byte beyond it: frames a client sends right behind its upgrade request are held here
// instead of in fasthttp's reader, which fasthttp can then release before the upgrade (and which
// it would release again when the handler returns, while a polled connection still lives).
type socketConn struct {
	*net.TCPConn

	mu      sync.Mutex
	matched int  // bytes of "\r\n\r\n" seen at the end of what was read so far
	done    bool // the header's end was seen
	held    []byte
}

func (c *socketConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.held) > 0 {
		n := copy(p, c.held)
		c.held = c.held[n:]
		if len(c.held) == 0 {
			c.held = nil
		}
		c.mu.Unlock()
		return n, nil
	}
	done := c.done
	c.mu.Unlock()
	n, err := c.TCPConn.Read(p)
	if done {
		return n, err
	}
	const end = "\r\n\r\n"
	for i := 0; i < n; i++ {
		switch {
		case p[i] == end[c.matched]:
			c.matched++
		case p[i] == '\r':
			c.matched = 1
		default:
			c.matched = 0
		}
		if c.matched == len(end) {
			c.mu.Lock()
			c.done = true
			if i+1 < n {
				c.held = append([]byte(nil), p[i+1:n]...)
			}
			c.mu.Unlock()
			return i + 1, err
		}
	}
	return n, err
}

// headerRead tells whether the request's header has been read to its end.
func (c *socketConn) headerRead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// takeHeld returns the bytes that arrived behind the request's header and were not read yet.
func (c *socketConn) takeHeld() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.held
	c.held = nil
	return b
}
