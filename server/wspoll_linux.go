package server

import (
	"errors"
	"sync"
	"syscall"
)

// poller tells which idle websocket connections have something to read, through an epoll instance
// of its own, so that an idle connection needs no goroutine blocked in a read. Connections are
// registered edge-triggered: an event means new bytes, and the connection's reader reads until
// the socket is empty (wsConn.wake).
type poller struct {
	epfd  int
	mu    sync.Mutex
	fds   map[int32]*wsConn
	stop  chan struct{}
	once  sync.Once
	flush *flushers // write the polled connections (wswrite.go)
}

func newPoller() (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	p := &poller{epfd: epfd, fds: map[int32]*wsConn{}, stop: make(chan struct{}), flush: newFlushers()}
	go p.run()
	return p, nil
}

// EPOLLOUT reports room in a socket whose buffer was full (wswrite.go); the other events wake
// the connection's reader.
const (
	pollEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLOUT | -syscall.EPOLLET
	readEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLHUP | syscall.EPOLLERR
)

// add starts watching fd for c.
func (p *poller) add(fd int, c *wsConn) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.epfd < 0 {
		return errors.New("the poller is closed")
	}
	ev := syscall.EpollEvent{Events: pollEvents, Fd: int32(fd)}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return err
	}
	p.fds[int32(fd)] = c
	return nil
}

// remove stops watching fd; it must run before the socket is closed (the number is reused).
func (p *poller) remove(fd int, c *wsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Once closed, the instance's number may belong to another file: leave it alone.
	if p.epfd >= 0 && p.fds[int32(fd)] == c {
		_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
		delete(p.fds, int32(fd))
	}
}

func (p *poller) run() {
	events := make([]syscall.EpollEvent, 256)
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			_ = syscall.Close(p.epfd)
			p.epfd = -1
			p.mu.Unlock()
			return
		default:
		}
		n, err := syscall.EpollWait(p.epfd, events, 500) // only run touches epfd outside mu
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			if c := p.fds[ev.Fd]; c != nil {
				// A connection that was closed and whose number was reused meanwhile gets a
				// read that finds nothing: harmless.
				if ev.Events&readEvents != 0 {
					c.wake()
				}
				if ev.Events&syscall.EPOLLOUT != 0 {
					c.onWritable()
				}
			}
		}
		p.mu.Unlock()
	}
}

func (p *poller) close() {
	p.once.Do(func() {
		close(p.stop)
		p.flush.close()
	})
}
