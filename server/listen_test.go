package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func TestSocketLineClassification(t *testing.T) {
	cases := []struct {
		start           string
		decided, socket bool
	}{
		{"G", false, false},
		{"GET /api/w", false, false},
		{"GET /api/ws", false, false},
		{"GET /api/ws?ticket=abc", true, true},
		{"GET /api/ws HTTP/1.1", true, true},
		{"GET /api/wsx", true, false},
		{"GET /api/ws/", true, false},
		{"GET /api/sharedb?ticket=1", true, true},
		{"GET /api/shared", false, false},
		{"GET /api/health HTTP", true, false},
		{"POST /api/ws?ticket=", true, false},
		{"get /api/ws?ticket=", true, false},
		{"\x16\x03\x01", true, false}, // a TLS hello
	}
	for _, c := range cases {
		if got := decided([]byte(c.start)); got != c.decided {
			t.Errorf("decided(%q) = %v, want %v", c.start, got, c.decided)
		}
		if got := isSocketLine([]byte(c.start)); got != c.socket {
			t.Errorf("isSocketLine(%q) = %v, want %v", c.start, got, c.socket)
		}
	}
}

// rawConn sends a request by hand and reads answers, to see what each server does with the
// connection afterwards.
type rawConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, base string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *rawConn) send(parts ...string) {
	c.t.Helper()
	for i, p := range parts {
		if i > 0 {
			time.Sleep(50 * time.Millisecond) // separate segments
		}
		if _, err := io.WriteString(c.conn, p); err != nil {
			c.t.Fatal(err)
		}
	}
}

func (c *rawConn) answer() *http.Response {
	c.t.Helper()
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.t.Fatalf("reading the answer: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestWebsocketConnectionsGetTheirOwnServer(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	host := strings.TrimPrefix(base, "http://")
	upgrade := func(ticket string) string {
		return fmt.Sprintf("GET /api/ws?ticket=%s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nUser-Agent: test\r\nCookie: a=b\r\n\r\n", ticket, host)
	}

	t.Run("a request line sent in pieces is still recognized and upgraded", func(t *testing.T) {
		c := dialRaw(t, base)
		req := upgrade(f.ticket("member"))
		c.send(req[:2], req[2:9], req[9:13], req[13:])
		if resp := c.answer(); resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("status %d, want 101", resp.StatusCode)
		}
	})

	t.Run("a refused websocket ends its connection", func(t *testing.T) {
		c := dialRaw(t, base)
		c.send(upgrade("not-a-ticket"))
		resp := c.answer()
		if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
			t.Fatalf("status %d, close %v: want 401 and Connection: close", resp.StatusCode, resp.Close)
		}
		if _, err := c.r.ReadByte(); err != io.EOF {
			t.Fatalf("the connection stayed open after a refusal: %v", err)
		}
	})

	t.Run("other connections stay with the main server and keep alive", func(t *testing.T) {
		c := dialRaw(t, base)
		for _, path := range []string{"/api/health", "/api/wsx", "/api/ws/x", "/api/health"} {
			c.send(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host))
			resp := c.answer()
			want := http.StatusOK
			if path != "/api/health" {
				want = http.StatusNotFound
			}
			if resp.StatusCode != want || resp.Close {
				t.Fatalf("GET %s: status %d, close %v; want %d on a kept connection", path, resp.StatusCode, resp.Close, want)
			}
		}
	})

	t.Run("a connection that closes before a request is let go", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		// The server still serves.
		c := dialRaw(t, base)
		c.send(fmt.Sprintf("GET /api/health HTTP/1.1\r\nHost: %s\r\n\r\n", host))
		if resp := c.answer(); resp.StatusCode != http.StatusOK {
			t.Fatalf("health after an empty connection: %d", resp.StatusCode)
		}
	})

	t.Run("an open websocket keeps nothing of its handshake", func(t *testing.T) {
		c, _, err := f.dialWS(base, "member", http.Header{"User-Agent": {"test"}, "Cookie": {"a=b"}})
		if err != nil {
			t.Fatal(err)
		}
		c.next("hello", 5*time.Second)
		f.srv.wsMu.Lock()
		defer f.srv.wsMu.Unlock()
		if len(f.srv.wsConns) == 0 {
			t.Fatal("no connection registered")
		}
		for wc := range f.srv.wsConns {
			fctx, ok := wc.ws.Locals(localHandshake).(*fasthttp.RequestCtx)
			if !ok {
				t.Fatal("the handshake context is not in the connection's locals")
			}
			if n := fctx.Request.Header.Len() + len(fctx.Request.Header.RawHeaders()); n != 0 ||
				len(fctx.Response.Header.Peek(fiber.HeaderXRequestID)) != 0 {
				t.Errorf("the handshake's headers are still held (%d request headers)", n)
			}
			if wc.ws.Query("ticket") != "" || wc.ws.Headers("User-Agent") != "" || wc.ws.Cookies("a") != "" {
				t.Errorf("the connection keeps copies of the request: ticket %q, user agent %q, cookie %q",
					wc.ws.Query("ticket"), wc.ws.Headers("User-Agent"), wc.ws.Cookies("a"))
			}
		}
	})
}
