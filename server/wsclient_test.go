package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// envelope is a server envelope as the tests read it.
type envelope map[string]any

func (e envelope) str(k string) string { s, _ := e[k].(string); return s }
func (e envelope) num(k string) int64  { f, _ := e[k].(float64); return int64(f) }

// wsClient is a real websocket client speaking docs/protocol.md.
type wsClient struct {
	t      testing.TB
	conn   *fws.Conn
	mu     sync.Mutex
	acks   map[string]chan envelope
	events chan envelope // everything that is not an answer
	closed chan struct{}
	// CloseCode and CloseText are set when the server closed the connection.
	closeCode int
	closeText string
	nextID    atomic.Int64
}

// ticket gets a websocket ticket for actor.
func (f *fixture) ticket(actor string) string {
	f.t.Helper()
	var out struct{ Ticket string }
	f.do("POST", "/api/ws-ticket", "", f.tokens[actor], 200, &out)
	return out.Ticket
}

// dialWS connects to base (an http:// URL from f.listen) as actor.
func (f *fixture) dialWS(base, actor string, header http.Header) (*wsClient, *http.Response, error) {
	url := strings.Replace(base, "http://", "ws://", 1) + "/api/ws?ticket=" + f.ticket(actor)
	return dialURL(f.t, url, header)
}

func dialURL(t testing.TB, url string, header http.Header) (*wsClient, *http.Response, error) {
	d := fws.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial(url, header)
	if err != nil {
		return nil, resp, err
	}
	c := &wsClient{t: t, conn: conn, acks: map[string]chan envelope{}, events: make(chan envelope, 100000), closed: make(chan struct{})}
	go c.readLoop()
	t.Cleanup(func() { c.conn.Close() })
	return c, resp, nil
}

func (c *wsClient) readLoop() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			var ce *fws.CloseError
			if ok := asCloseError(err, &ce); ok {
				c.mu.Lock()
				c.closeCode, c.closeText = ce.Code, ce.Text
				c.mu.Unlock()
			}
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			var e envelope
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				c.t.Errorf("server sent a line that is not JSON: %q", line)
				continue
			}
			id := e.str("id")
			t := e.str("type")
			c.mu.Lock()
			ch := c.acks[id]
			c.mu.Unlock()
			if id != "" && (t == "ack" || t == "error" || t == "pong") && ch != nil {
				ch <- e
				continue
			}
			c.events <- e
		}
	}
}

func asCloseError(err error, target **fws.CloseError) bool {
	ce, ok := err.(*fws.CloseError)
	if ok {
		*target = ce
	}
	return ok
}

// request sends a request and waits for its answer.
func (c *wsClient) request(fields map[string]any) envelope {
	c.t.Helper()
	e, err := c.tryRequest(fields, 10*time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	return e
}

func (c *wsClient) tryRequest(fields map[string]any, timeout time.Duration) (envelope, error) {
	id := fmt.Sprintf("r%d", c.nextID.Add(1))
	ch := make(chan envelope, 1)
	c.mu.Lock()
	c.acks[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.acks, id)
		c.mu.Unlock()
	}()
	fields["id"] = id
	if err := c.send(fields); err != nil {
		return nil, err
	}
	select {
	case e := <-ch:
		return e, nil
	case <-c.closed:
		return nil, fmt.Errorf("connection closed (%d %s) before the answer to %v", c.closeCode, c.closeText, fields["type"])
	case <-time.After(timeout):
		return nil, fmt.Errorf("no answer to %v within %s", fields, timeout)
	}
}

func (c *wsClient) send(fields map[string]any) error {
	data, _ := json.Marshal(fields)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn.WriteMessage(fws.TextMessage, data)
}

// ok sends a request and fails the test unless it is acknowledged.
func (c *wsClient) ok(fields map[string]any) envelope {
	c.t.Helper()
	e := c.request(fields)
	if e.str("type") != "ack" {
		c.t.Fatalf("%v: %v", fields["type"], e)
	}
	return e
}

// next returns the next non-answer envelope of the given type, skipping others; it fails after
// timeout.
func (c *wsClient) next(typ string, timeout time.Duration) envelope {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-c.events:
			if e.str("type") == typ {
				return e
			}
		case <-deadline:
			c.t.Fatalf("no %q envelope within %s", typ, timeout)
			return nil
		}
	}
}

// waitClosed waits for the server to close the connection and returns the close code and text.
func (c *wsClient) waitClosed(timeout time.Duration) (int, string) {
	c.t.Helper()
	select {
	case <-c.closed:
	case <-time.After(timeout):
		c.t.Fatalf("the connection was not closed within %s", timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode, c.closeText
}
