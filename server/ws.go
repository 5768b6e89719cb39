package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"plenary/accounts"
	"plenary/errs"
	"plenary/rooms"
)

// Websocket limits (docs/protocol.md).
const (
	wsReadLimit        = 64 << 10
	wsQueueLimit       = 512
	wsMaxSubscriptions = 200
	wsWriteTimeout     = 10 * time.Second
	wsRequestTimeout   = 15 * time.Second
	wsCoalesceLimit    = 256 << 10
	pingWorkers        = 8
	pingSlices         = 7
	protocolVersion    = 1
)

// Close codes of our own (4000–4999 are free for applications).
const (
	closeBadFrame     = 4000
	closeUnauthorized = 4001
	closeSlowConsumer = 4008
	closeIdle         = 4009
	closeResync       = 4010
)

func (s *Server) registerWSRoutes(api fiber.Router) {
	api.Get("/ws", s.wsAdmit, websocket.New(s.serveWS, websocket.Config{
		// Origins are checked by wsAdmit (exact match); the library's default accepts any.
		Origins:        []string{"*"},
		ReadBufferSize: 1024,
		// Write buffers come from a pool and return to it after each frame, so an idle
		// connection holds none.
		WriteBufferSize: 4096,
		WriteBufferPool: writeBuffers,
	}))
}

var (
	writeBuffers = &sync.Pool{}
	frameBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// wsAdmit decides before the upgrade: a websocket request, an allowed Origin, a valid ticket.
// Refusals are ordinary HTTP errors with the usual body.
func (s *Server) wsAdmit(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.NewError(fiber.StatusUpgradeRequired, "this endpoint speaks websocket only")
	}
	// Browsers always send Origin with a websocket; a missing one is a non-browser client, which
	// cross-site request forgery cannot involve, and the single-use ticket authenticates it.
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.originAllowed(c, origin) {
		return errs.Errorf(errs.Forbidden, "websocket connections from %s are not allowed", origin)
	}
	u, err := s.accounts.RedeemTicket(c.UserContext(), c.Query("ticket"))
	if err != nil {
		return err
	}
	c.Locals(localUser, u)
	lightenHandshake(c)
	return c.Next()
}

// handshakeHeaders are the request headers the websocket upgrade reads.
var handshakeHeaders = map[string]bool{"Connection": true, "Upgrade": true, "Sec-Websocket-Key": true,
	"Sec-Websocket-Version": true, "Sec-Websocket-Extensions": true, "Sec-Websocket-Protocol": true}

// lightenHandshake runs once the request is admitted. gofiber/contrib/websocket copies the
// request's headers, cookies and query into maps that live as long as the connection, which
// nothing reads: only what the upgrade needs is kept, and the ticket is spent.
func lightenHandshake(c *fiber.Ctx) {
	h := &c.Request().Header
	var drop []string
	h.VisitAll(func(k, _ []byte) {
		if !handshakeHeaders[string(k)] {
			drop = append(drop, string(k))
		}
	})
	for _, k := range drop {
		h.Del(k)
	}
	c.Request().URI().SetQueryString("")
}

// wsConn is one websocket connection: a rooms.Subscriber with a bounded queue. A polled
// connection's queue is written by the flushers (wswrite.go); any other's by one writer goroutine,
// started when frames arrive and gone when the queue is empty. An idle connection holds no
// goroutine but its reader (and a polled one none at all, wsread.go).
type wsConn struct {
	s *Server
	// ws is the websocket library's connection (not gofiber/contrib/websocket's wrapper, which
	// goes back to its pool when the handler returns).
	ws   *fws.Conn
	user accounts.User
	// userLoaded is when user was last read from the store (refreshUser).
	userLoaded time.Time

	mu       sync.Mutex
	queue    [][]byte
	writing  bool // a writer (writeLoop, or a flusher for polled connections) owns the writes
	closed   bool
	gone     bool // the handler returned: ws must not be touched any more
	rooms    map[string]bool
	inFlight chan struct{} // made on the first change: most connections only read
	slice    int           // which of the pinger's slices this connection is in
	// single sends every queued frame as its own websocket message: the ShareDB client parses
	// each message as one JSON value, so its frames cannot be coalesced.
	single   bool
	writerWG sync.WaitGroup

	// Connections read without a goroutine of their own (pollWS).
	polled      bool
	sock        *socketConn
	raw         syscall.RawConn
	fd          int
	frames      frameReader
	readMu      sync.Mutex  // held by the one goroutine reading the connection
	reading     atomic.Bool // a goroutine is reading it
	readPending atomic.Bool // bytes arrived since its reader last looked
	idle        *time.Timer // closes the connection when nothing arrives for WSPongTimeout
	finished    sync.Once

	// Writes of polled connections (wswrite.go), under mu.
	control       []byte    // control frames waiting to be written
	unsent        []byte    // the rest of a write the socket did not take
	awaitWritable bool      // the socket was full: the poller's EPOLLOUT resumes the flush
	stalledSince  time.Time // when the socket last refused bytes without taking any since
}

var _ rooms.Subscriber = (*wsConn)(nil)

// accountRecheck is how long a connection's account, as loaded, is trusted: a deleted account
// stops, and a changed role or name applies, within this time. Reading it for every message was a
// fifth of the CPU of live editing.
const accountRecheck = time.Second

// refreshUser reloads the connection's account when it was loaded more than accountRecheck ago.
// Called by the reader goroutine, the only writer of c.user.
func (s *Server) refreshUser(ctx context.Context, c *wsConn) error {
	if time.Since(c.userLoaded) < accountRecheck {
		return nil
	}
	c.mu.Lock()
	id := c.user.ID
	c.mu.Unlock()
	fresh, err := s.accounts.User(ctx, id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.user = fresh
	c.mu.Unlock()
	c.userLoaded = time.Now()
	return nil
}

// User returns the connection's account as last loaded. The reader goroutine refreshes it on every
// request (and is its only writer); rooms read it from other goroutines, under c.mu.
func (c *wsConn) User() accounts.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// Send queues a frame. A full queue closes the connection as a slow consumer.
func (c *wsConn) Send(frame []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if len(c.queue) >= wsQueueLimit {
		c.closeLocked(closeSlowConsumer, "slow consumer")
		return false
	}
	c.queue = append(c.queue, frame)
	if c.polled {
		c.scheduleLocked()
		return true
	}
	if !c.writing {
		c.writing = true
		c.writerWG.Add(1)
		go c.writeLoop()
	}
	return true
}

// Drop closes the connection because a room let it go.
func (c *wsConn) Drop(reason rooms.DropReason) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch reason {
	case rooms.DropSlowConsumer:
		c.closeLocked(closeSlowConsumer, "slow consumer")
	default:
		c.closeLocked(closeResync, "resync: reconnect and resume")
	}
}

// writeLoop sends what is queued, coalescing queued envelopes into one frame (newline
// separated), until the queue is empty.
func (c *wsConn) writeLoop() {
	defer c.writerWG.Done()
	buf := frameBuffers.Get().(*bytes.Buffer)
	defer frameBuffers.Put(buf)
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.gone {
			c.writing = false
			if c.polled && len(c.control) > 0 && !c.gone {
				c.scheduleLocked() // control frames queued for the flusher meanwhile
			}
			c.mu.Unlock()
			return
		}
		// One queued envelope goes out as it is (it is shared by all subscribers and never
		// modified); several are joined into one frame.
		var frame []byte
		n := 1
		raw := false
		switch {
		case len(c.queue) == 1:
			frame = c.queue[0]
		case c.single:
			// Messages that must stay separate (ShareDB's) are still written together: their
			// websocket frames go out in one write, which under load saves most of the system
			// calls (a write per message was 40% of the CPU of 100 people editing a report).
			buf.Reset()
			for n = 0; n < len(c.queue) && (n == 0 || buf.Len()+len(c.queue[n]) < wsCoalesceLimit); n++ {
				appendTextFrame(buf, c.queue[n])
			}
			frame, raw = buf.Bytes(), true
		default:
			buf.Reset()
			buf.Write(c.queue[0])
			for n < len(c.queue) && buf.Len()+len(c.queue[n]) < wsCoalesceLimit {
				buf.WriteByte('\n')
				buf.Write(c.queue[n])
				n++
			}
			frame = buf.Bytes()
		}
		c.queue = c.queue[n:]
		if len(c.queue) == 0 {
			c.queue = nil // let an idle connection hold no buffer
		}
		c.mu.Unlock()
		var err error
		if raw {
			// One write call: the socket's own lock keeps it whole against the control frames
			// (pings, close) other goroutines write.
			_ = c.ws.NetConn().SetWriteDeadline(time.Now().Add(wsWriteTimeout))
			_, err = c.ws.NetConn().Write(frame)
		} else {
			_ = c.ws.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
			err = c.ws.WriteMessage(websocket.TextMessage, frame)
		}
		if err != nil {
			c.mu.Lock()
			c.closeLocked(websocket.CloseGoingAway, "write failed")
			c.writing = false
			c.mu.Unlock()
			return
		}
	}
}

// appendTextFrame appends a complete, unmasked websocket text frame holding msg.
func appendTextFrame(buf *bytes.Buffer, msg []byte) {
	var h [10]byte
	buf.Write(appendFrameHeader(h[:0], 0x81, len(msg))) // FIN, text
	buf.Write(msg)
}

// pingFrame is an empty ping, as a polled connection's flusher writes it.
var pingFrame = []byte{0x89, 0}

// closeLocked sends a close frame with code and reason and closes the socket, which ends the
// reader; everything else is cleaned up by the handler. The writing happens in a goroutine:
// closeLocked runs under room locks, and a stuck client must not hold them.
func (c *wsConn) closeLocked(code int, reason string) {
	if c.closed || c.gone {
		return
	}
	c.closed = true
	c.queue = nil
	if c.awaitWritable {
		c.releaseLocked() // a flush parked until the socket had room: nothing will resume it
	}
	// A frame the socket took only part of cannot be followed by a close frame.
	partial := len(c.unsent) > 0
	c.unsent, c.control = nil, nil
	c.writerWG.Add(1)
	polled := c.polled
	go func() {
		if !partial {
			msg := websocket.FormatCloseMessage(code, reason)
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		}
		_ = c.ws.NetConn().SetDeadline(time.Now()) // this ends the reader and the writer
		c.writerWG.Done()
		if polled {
			c.finishPolled()
		}
	}()
}

func (c *wsConn) close(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(code, reason)
}

// ping is called by the server's pinger. It holds no lock while writing.
func (c *wsConn) ping(deadline time.Time) {
	c.mu.Lock()
	if c.closed || c.gone {
		c.mu.Unlock()
		return
	}
	if c.polled {
		c.mu.Unlock()
		c.sweepWrite(time.Now())
		c.queueControl(pingFrame)
		return
	}
	c.writerWG.Add(1)
	c.mu.Unlock()
	defer c.writerWG.Done()
	if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
		c.close(websocket.CloseGoingAway, "ping failed")
	}
}

// serveWS runs one connection: hello, then requests until the socket closes.
func (s *Server) serveWS(ws *websocket.Conn) {
	u, _ := ws.Locals(localUser).(accounts.User)
	c := &wsConn{s: s, ws: ws.Conn, user: u, rooms: map[string]bool{}}
	s.wsMu.Lock()
	c.slice = s.wsNextSlice
	s.wsNextSlice = (s.wsNextSlice + 1) % pingSlices
	s.wsConns[c] = true
	s.wsMu.Unlock()

	c.Send(encode(helloEnvelope{Type: "hello", V: protocolVersion, User: rooms.Person{ID: u.ID, Name: u.Name},
		Limits: wsLimits{Body: 16000, Frame: wsReadLimit}}))
	if s.pollWS(c) {
		return // the poller reads it from now on
	}
	defer s.endWS(c)
	s.readMessages(ws.Conn, c, func(data []byte) bool { return s.handleWS(c, data) })
}

// readMessages reads text messages into handle until the connection ends or handle returns
// false, with the read limit, pong deadlines and a clear close code for each way it can end.
func (s *Server) readMessages(ws *fws.Conn, c *wsConn, handle func([]byte) bool) {
	ws.SetReadLimit(wsReadLimit)
	extend := func() { _ = ws.SetReadDeadline(time.Now().Add(s.cfg.WSPongTimeout)) }
	extend()
	ws.SetPongHandler(func(string) error { extend(); return nil })
	for {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, websocket.ErrReadLimit):
				c.close(websocket.CloseMessageTooBig, "message too big")
			case errors.As(err, &ne) && ne.Timeout():
				c.close(closeIdle, "idle")
			default:
				c.close(websocket.CloseNormalClosure, "bye")
			}
			return
		}
		extend()
		if kind != websocket.TextMessage {
			c.close(closeBadFrame, "bad frame: text frames only")
			return
		}
		if !s.onOwnStack(func() bool { return handle(data) }) {
			return
		}
		extend() // a slow request (a resume read from the store) must not make the client look idle
	}
}

// onOwnStack runs a request's handler in a goroutine of its own and waits for it. The reader
// goroutine of a connection then keeps the small stack its read needs (4 KiB) for the
// connection's life, instead of the deepest one a request ever needed: requests reach the store,
// and a goroutine's stack only shrinks while less than a quarter of it is in use. A panic closes
// the connection instead of the process.
func (s *Server) onOwnStack(handle func() bool) bool {
	done := make(chan bool, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("websocket request panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				done <- false
			}
		}()
		done <- handle()
	}()
	return <-done
}

// endWS unsubscribes the connection everywhere and waits for its writer, so that nothing touches
// the socket after the handler returns (the library reuses it).
func (s *Server) endWS(c *wsConn) {
	c.mu.Lock()
	rooms := make([]string, 0, len(c.rooms))
	for r := range c.rooms {
		rooms = append(rooms, r)
	}
	c.closed = true
	c.mu.Unlock()
	for _, r := range rooms {
		s.cfg.Discussion.Unsubscribe(c, r)
	}
	s.wsMu.Lock()
	delete(s.wsConns, c)
	s.wsMu.Unlock()
	c.writerWG.Wait()
	c.mu.Lock()
	c.gone = true
	c.mu.Unlock()
	// Connections of the socket server are kept open by fasthttp after their handler returns
	// (so that polled ones can outlive it): close it here. Elsewhere this does nothing, and
	// fasthttp closes it when the handler returns.
	_ = c.ws.NetConn().Close()
}

// pingLoop pings every connection at the heartbeat interval; a connection that answers nothing
// within WSPongTimeout hits its read deadline and is closed as idle.
func (s *Server) pingLoop() {
	// The interval is cut into pingSlices ticks and each tick pings one slice of the
	// connections, so that pings (and the pongs they cause) are spread out instead of arriving
	// as one burst that delays everything else.
	t := time.NewTicker(s.cfg.WSPingInterval / pingSlices)
	defer t.Stop()
	for tick := 0; ; tick = (tick + 1) % pingSlices {
		select {
		case <-s.stopPing:
			return
		case <-t.C:
		}
		s.wsMu.Lock()
		conns := make([]*wsConn, 0, len(s.wsConns)/pingSlices+1)
		for c := range s.wsConns {
			if c.slice == tick {
				conns = append(conns, c)
			}
		}
		s.wsMu.Unlock()
		// A few workers share the connections, so one stuck connection does not delay the others'
		// pings by more than its write deadline, without a goroutine per connection per tick.
		deadline := time.Now().Add(s.cfg.WSPingInterval / 2)
		next := make(chan *wsConn)
		var wg sync.WaitGroup
		for range min(pingWorkers, len(conns)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range next {
					c.ping(deadline)
				}
			}()
		}
		for _, c := range conns {
			next <- c
		}
		close(next)
		wg.Wait()
	}
}

// closeAllWS tells every connection the server is going away.
func (s *Server) closeAllWS() {
	s.wsMu.Lock()
	conns := make([]*wsConn, 0, len(s.wsConns))
	for c := range s.wsConns {
		conns = append(conns, c)
	}
	s.wsMu.Unlock()
	for _, c := range conns {
		c.close(websocket.CloseGoingAway, "going away")
	}
}

// Envelopes.
type (
	helloEnvelope struct {
		Type   string       `json:"type"`
		V      int          `json:"v"`
		User   rooms.Person `json:"user"`
		Limits wsLimits     `json:"limits"`
	}
	wsLimits struct {
		Body  int `json:"body"`
		Frame int `json:"frame"`
	}
	wsError struct {
		Type       string    `json:"type"`
		ID         string    `json:"id,omitempty"`
		Code       errs.Code `json:"code"`
		Message    string    `json:"message"`
		RetryAfter int       `json:"retry_after,omitempty"`
	}
	ackSeq struct {
		Type string `json:"type"`
		ID   string `json:"id,omitempty"`
		Seq  int64  `json:"seq"`
	}
	ackEmpty struct {
		Type string `json:"type"`
		ID   string `json:"id,omitempty"`
	}
	ackSubscribed struct {
		Type string `json:"type"`
		ID   string `json:"id,omitempty"`
		Room string `json:"room"`
		rooms.Subscribed
	}
	ackHistory struct {
		Type     string           `json:"type"`
		ID       string           `json:"id,omitempty"`
		Room     string           `json:"room"`
		Messages []*rooms.Message `json:"messages"`
	}
	pongEnvelope struct {
		Type string `json:"type"`
		ID   string `json:"id,omitempty"`
	}
)

// clientEnvelope holds every field any request may carry; unknown fields are refused.
type clientEnvelope struct {
	Type     string   `json:"type"`
	ID       string   `json:"id"`
	Room     string   `json:"room"`
	Since    *int64   `json:"since"`
	Topic    string   `json:"topic"`
	Body     string   `json:"body"`
	CMID     string   `json:"cmid"`
	Retry    bool     `json:"retry"`
	Mentions []string `json:"mentions"`
	Seq      int64    `json:"seq"`
	Emoji    string   `json:"emoji"`
	On       bool     `json:"on"`
	RenameTo *string  `json:"rename_to"`
	Resolved *bool    `json:"resolved"`
	Before   int64    `json:"before"`
	Limit    int      `json:"limit"`
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("encode envelope: " + err.Error())
	}
	return b
}

// handleWS answers one request. It returns false when the connection must end.
func (s *Server) handleWS(c *wsConn, data []byte) bool {
	var env clientEnvelope
	if err := decodeEnvelope(data, &env); err != nil {
		if errs.CodeOf(err) == errs.Invalid && strings.Contains(errs.MessageOf(err), "malformed") {
			c.close(closeBadFrame, "bad frame: not a JSON object")
			return false
		}
		c.Send(encode(wsError{Type: "error", ID: env.ID, Code: errs.CodeOf(err), Message: errs.MessageOf(err)}))
		return true
	}
	if len(env.ID) > 64 {
		c.Send(encode(wsError{Type: "error", Code: errs.Invalid, Message: "id: at most 64 characters"}))
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsRequestTimeout)
	defer cancel()
	switch err := s.refreshUser(ctx, c); {
	case errs.CodeOf(err) == errs.NotFound:
		c.close(closeUnauthorized, "unauthorized")
		return false
	case err != nil:
		c.sendError(env.ID, env.Type, err)
		return true
	}
	var err error
	d := s.cfg.Discussion
	switch env.Type {
	case "ping":
		c.Send(encode(pongEnvelope{Type: "pong", ID: env.ID}))
		return true
	case "subscribe":
		c.mu.Lock()
		n, already := len(c.rooms), c.rooms[env.Room]
		c.mu.Unlock()
		if !already && n >= wsMaxSubscriptions {
			err = errs.Errorf(errs.Conflict, "at most %d subscriptions per connection", wsMaxSubscriptions)
			break
		}
		since := int64(-1)
		if env.Since != nil {
			if *env.Since < 0 {
				err = errs.Errorf(errs.Invalid, "since: must not be negative")
				break
			}
			since = *env.Since
		}
		c.mu.Lock()
		c.rooms[env.Room] = true
		c.mu.Unlock()
		err = d.Subscribe(ctx, c, env.Room, since, func(sub rooms.Subscribed) {
			c.Send(encode(ackSubscribed{Type: "ack", ID: env.ID, Room: env.Room, Subscribed: sub}))
		})
		if err != nil && !already {
			c.mu.Lock()
			delete(c.rooms, env.Room)
			c.mu.Unlock()
		}
		if err == nil {
			return true
		}
	case "unsubscribe":
		d.Unsubscribe(c, env.Room)
		c.mu.Lock()
		delete(c.rooms, env.Room)
		c.mu.Unlock()
		c.Send(encode(ackEmpty{Type: "ack", ID: env.ID}))
		return true
	case "post", "edit", "delete", "react", "topic":
		// Changes are submitted here, in the order the client sent them, and answered when they
		// are stored, without holding up the connection's next requests meanwhile.
		var p rooms.Pending
		switch env.Type {
		case "post":
			p, err = d.SubmitPost(ctx, c.user, env.Room, rooms.PostInput{Topic: env.Topic, Body: env.Body, CMID: env.CMID, Mentions: env.Mentions, Retry: env.Retry})
		case "edit":
			p, err = d.SubmitEdit(ctx, c.user, env.Room, env.Seq, env.Body, env.Mentions)
		case "delete":
			p, err = d.SubmitDelete(ctx, c.user, env.Room, env.Seq)
		case "react":
			p, err = d.SubmitReact(ctx, c.user, env.Room, env.Seq, env.Emoji, env.On)
		default:
			p, err = d.SubmitTopic(ctx, c.user, env.Room, rooms.TopicInput{Topic: env.Topic, RenameTo: env.RenameTo, Resolved: env.Resolved})
		}
		if err == nil {
			c.answerWhenStored(env.ID, env.Type, p)
			return true
		}
	case "history":
		var msgs []*rooms.Message
		if msgs, err = d.History(ctx, c.user, env.Room, env.Before, env.Limit); err == nil {
			if msgs == nil {
				msgs = []*rooms.Message{}
			}
			c.Send(encode(ackHistory{Type: "ack", ID: env.ID, Room: env.Room, Messages: msgs}))
			return true
		}
	case "read":
		if err = d.MarkRead(ctx, c, env.Room, env.Topic, env.Seq); err == nil {
			c.Send(encode(ackEmpty{Type: "ack", ID: env.ID}))
			return true
		}
	case "typing":
		if err = d.Typing(ctx, c, env.Room, env.Topic); err == nil {
			return true
		}
	default:
		err = errs.Errorf(errs.Invalid, "type: unknown request type %q", env.Type)
	}
	// Every successful request answered above; what is left is an error.
	c.sendError(env.ID, env.Type, err)
	return true
}

// sendError answers request id with err; internal errors are logged, not shown.
func (c *wsConn) sendError(id, typ string, err error) {
	e := wsError{Type: "error", ID: id, Code: errs.CodeOf(err), Message: errs.MessageOf(err)}
	if x := errs.As(err); x != nil {
		e.RetryAfter = x.RetryAfter
	}
	if e.Code == errs.Internal {
		c.s.log.Error("websocket request failed", "type", typ, "user", c.user.ID, "error", err)
	}
	c.Send(encode(e))
}

// wsMaxInFlight bounds a connection's changes waiting for the store; beyond it the connection's
// reader waits, which pushes back on the client.
const wsMaxInFlight = 64

// answerWhenStored acknowledges a submitted change once it is stored (or reports why not).
func (c *wsConn) answerWhenStored(id, typ string, p rooms.Pending) {
	c.mu.Lock()
	if c.inFlight == nil {
		c.inFlight = make(chan struct{}, wsMaxInFlight)
	}
	slots := c.inFlight
	c.mu.Unlock()
	slots <- struct{}{}
	go func() {
		defer func() { <-slots }()
		seq, err := p.Wait()
		if err != nil {
			c.sendError(id, typ, err)
			return
		}
		c.Send(encode(ackSeq{Type: "ack", ID: id, Seq: seq}))
	}()
}

// decodeEnvelope decodes a client envelope strictly: a JSON object, no '$' keys, no unknown
// fields, the right types.
func decodeEnvelope(data []byte, env *clientEnvelope) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return errs.Errorf(errs.Invalid, "malformed JSON envelope")
	}
	if err := checkKeys(trimmed); err != nil {
		var partial struct {
			ID any `json:"id"`
		}
		_ = json.Unmarshal(trimmed, &partial)
		if id, ok := partial.ID.(string); ok && len(id) <= 64 {
			env.ID = id
		}
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(env); err != nil {
		// Keep the id if the rest is wrong, so the error can answer the request.
		var partial struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(trimmed, &partial)
		if len(partial.ID) <= 64 {
			env.ID = partial.ID
		}
		return jsonError(err)
	}
	return nil
}
