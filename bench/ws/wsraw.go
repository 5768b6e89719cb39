package main

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The load generator's websocket client. Thousands of connections each read by a goroutine of
// a websocket library cost the generator, which shares the server's two cores, about as much CPU
// as the server's side of each delivery; so the generator reads its sockets itself: a few epoll
// instances, each drained by one goroutine that reads every ready socket and parses the frames.
// Frames it sends (posts, pongs) are masked, as RFC 6455 requires of clients.

const (
	opContinuation = 0x0
	opText         = 0x1
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// dialWS opens a websocket: the HTTP upgrade, checked, and any bytes that came after the
// response's header (the server's first frames).
func dialWS(ctx context.Context, addr, path string) (*net.TCPConn, []byte, error) {
	nc, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	conn := nc.(*net.TCPConn)
	var k [16]byte
	_, _ = io.ReadFull(cryptoRand, k[:])
	key := base64.StdEncoding.EncodeToString(k[:])
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	br := bufio.NewReaderSize(conn, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		conn.Close()
		return nil, nil, fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		conn.Close()
		return nil, nil, errors.New("bad Sec-WebSocket-Accept")
	}
	early, _ := br.Peek(br.Buffered())
	_ = conn.SetDeadline(time.Time{})
	return conn, bytes.Clone(early), nil
}

var cryptoRand = crand.Reader

// reader is one epoll instance of the generator and the goroutine that drains it.
type reader struct {
	epfd  int
	mu    sync.Mutex // held while ready sockets are read, and to remove one
	conns map[int32]*clientConn
	buf   []byte
}

var (
	readersOnce sync.Once
	readers     []*reader
	nextReader  atomic.Uint32
)

const (
	readerCount = 2
	readPause   = time.Millisecond
)

func startReaders() {
	for range readerCount {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			fail("epoll: %v", err)
		}
		r := &reader{epfd: epfd, conns: map[int32]*clientConn{}, buf: make([]byte, 256<<10)}
		readers = append(readers, r)
		go r.run()
	}
}

// register hands the connection to a reader; the bytes that came with the handshake are read
// first.
func (c *clientConn) register() error {
	readersOnce.Do(startReaders)
	raw, err := c.conn.SyscallConn()
	if err != nil {
		return err
	}
	if err := raw.Control(func(fd uintptr) { c.fd = int(fd) }); err != nil {
		return err
	}
	r := readers[nextReader.Add(1)%readerCount]
	c.rd = r
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | -syscall.EPOLLET, Fd: int32(c.fd)}
	if err := syscall.EpollCtl(r.epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		return err
	}
	r.conns[int32(c.fd)] = c
	early := c.rbuf
	c.rbuf = nil
	if len(early) > 0 && !c.parse(early, time.Now().UnixNano()) {
		c.endLocked("")
		return errors.New("bad frames after the handshake")
	}
	c.readable(r.buf) // what arrived before it was registered
	return nil
}

func (r *reader) run() {
	events := make([]syscall.EpollEvent, 512)
	for {
		n, err := syscall.EpollWait(r.epfd, events, 1000)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			fail("epoll wait: %v", err)
		}
		r.mu.Lock()
		for _, ev := range events[:n] {
			if c := r.conns[ev.Fd]; c != nil {
				c.readable(r.buf)
			}
		}
		r.mu.Unlock()
		// Let more sockets become ready before the next wait: woken for every single frame,
		// the readers would take turns with the server's writers on the two cores, a context
		// switch per delivery. This adds at most readPause to the latencies measured.
		time.Sleep(readPause)
	}
}

// readable reads the socket until it is empty (edge-triggered) and handles the frames.
func (c *clientConn) readable(buf []byte) {
	for {
		n, err := syscall.Read(c.fd, buf)
		if n > 0 {
			if !c.parse(buf[:n], time.Now().UnixNano()) {
				c.endLocked("read error: bad frame")
				return
			}
			if c.rd.conns[int32(c.fd)] != c {
				return // a close frame ended it; its number may be reused already
			}
			if n < len(buf) {
				return // emptied: bytes arriving later bring a new event
			}
		}
		switch {
		case err == syscall.EAGAIN:
			return
		case err == syscall.EINTR:
			continue
		case err != nil:
			c.endLocked("read error: " + err.Error())
			return
		case n == 0:
			c.endLocked("read error: EOF")
			return
		}
	}
}

// parse handles the complete frames in what was read, keeping an incomplete one for later.
// False on a frame the server must not send.
func (c *clientConn) parse(data []byte, now int64) bool {
	if len(c.rbuf) > 0 {
		c.rbuf = append(c.rbuf, data...)
		data = c.rbuf
	}
	for {
		if len(data) < 2 {
			break
		}
		b0, b1 := data[0], data[1]
		if b1&0x80 != 0 {
			return false // servers do not mask
		}
		n, hdr := int(b1&0x7f), 2
		switch n {
		case 126:
			if len(data) < 4 {
				break
			}
			n, hdr = int(binary.BigEndian.Uint16(data[2:4])), 4
		case 127:
			if len(data) < 10 {
				break
			}
			n, hdr = int(binary.BigEndian.Uint64(data[2:10])), 10
		}
		if hdr == 2 && b1&0x7f >= 126 || len(data) < hdr+n {
			break
		}
		payload := data[hdr : hdr+n]
		data = data[hdr+n:]
		if !c.onFrame(b0&0x80 != 0, b0&0x0f, payload, now) {
			return true
		}
	}
	// Keep the incomplete frame (copied: data may be the reader's buffer).
	rest := append([]byte(nil), data...)
	if len(rest) == 0 {
		rest = nil
	}
	c.rbuf = rest
	return true
}

// onFrame handles one frame; false once the connection ended.
func (c *clientConn) onFrame(fin bool, op byte, payload []byte, now int64) bool {
	switch op {
	case opText, opContinuation:
		if !fin || len(c.message) > 0 {
			c.message = append(c.message, payload...)
			if !fin {
				return true
			}
			payload, c.message = c.message, nil
		}
		c.onMessage(payload, now)
	case opPing:
		_ = c.writeFrame(opPong, payload)
	case opClose:
		why := "server closed"
		if len(payload) >= 2 {
			why = fmt.Sprintf("server closed %d %s", binary.BigEndian.Uint16(payload), payload[2:])
		}
		c.endLocked(why)
		return false
	}
	return true
}

// endLocked ends the connection (its reader's lock held): it leaves the reader and is closed.
func (c *clientConn) endLocked(why string) {
	if c.rd.conns[int32(c.fd)] != c {
		return
	}
	c.ended(why)
	_ = syscall.EpollCtl(c.rd.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	delete(c.rd.conns, int32(c.fd))
	_ = c.conn.Close()
	close(c.done)
}

// close ends the connection from outside its reader.
func (c *clientConn) close() {
	c.rd.mu.Lock()
	c.endLocked("")
	c.rd.mu.Unlock()
	<-c.done
}

// writeFrame sends one masked frame.
func (c *clientConn) writeFrame(op byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	f := append(c.wbuf[:0], 0x80|op)
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], rand.Uint32())
	f = append(f, mask[:]...)
	for i, b := range payload {
		f = append(f, b^mask[i&3])
	}
	c.wbuf = f
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.conn.Write(f)
	return err
}
