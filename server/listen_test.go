package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
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

	t.Run("open discussion websockets are polled, without a goroutine each", func(t *testing.T) {
		// Linux has epoll; elsewhere every connection keeps its reading goroutine.
		want := 20
		if runtime.GOOS != "linux" {
			want = 0
		}
		for range 20 {
			c, _, err := f.dialWS(base, "member", http.Header{"User-Agent": {"test"}, "Cookie": {"a=b"}})
			if err != nil {
				t.Fatal(err)
			}
			c.next("hello", 5*time.Second)
		}
		f.srv.wsMu.Lock()
		polled := 0
		for wc := range f.srv.wsConns {
			wc.mu.Lock()
			if wc.polled {
				polled++
			}
			wc.mu.Unlock()
		}
		f.srv.wsMu.Unlock()
		if (want > 0 && polled < want) || (want == 0 && polled != 0) {
			t.Fatalf("%d connections polled, want %d", polled, want)
		}
		if want == 0 {
			return
		}
		// Their handlers have returned: no goroutine waits in fasthttp's hijack handler.
		deadline := time.Now().Add(5 * time.Second)
		for {
			buf := make([]byte, 8<<20)
			stacks := string(buf[:runtime.Stack(buf, true)])
			n := strings.Count(stacks, "fasthttp.hijackConnHandler")
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d goroutines still in hijacked connections' handlers", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("frames sent right behind the upgrade request are read", func(t *testing.T) {
		c := dialRaw(t, base)
		c.send(upgrade(f.ticket("member")) + string(maskedFrame(0x81, []byte(`{"type":"ping","id":"early"}`))))
		if resp := c.answer(); resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("status %d, want 101", resp.StatusCode)
		}
		// The hello, then the pong (the server may join envelopes into one frame).
		var got string
		for !strings.Contains(got, `"early"`) {
			op, payload := readServerFrame(t, c.r)
			if op != 1 {
				t.Fatalf("frame with opcode %d before the pong", op)
			}
			got += string(payload)
		}
		if !strings.Contains(got, `"type":"pong"`) {
			t.Fatalf("no pong for the early ping: %s", got)
		}
	})

	t.Run("polled connections answer pings, join fragments and refuse broken frames", func(t *testing.T) {
		c := dialRaw(t, base)
		c.send(upgrade(f.ticket("member")))
		if resp := c.answer(); resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("status %d, want 101", resp.StatusCode)
		}
		// A request in three fragments with a ping between them, sent in pieces.
		req := string(maskedFrame(0x01, []byte(`{"type":"pi`))) + string(maskedFrame(0x89, []byte("are you there"))) +
			string(maskedFrame(0x00, []byte(`ng","id":"fr`))) + string(maskedFrame(0x80, []byte(`ag"}`)))
		c.send(req[:5], req[5:17], req[17:])
		var pong, answer bool
		for !pong || !answer {
			op, payload := readServerFrame(t, c.r)
			switch {
			case op == 10 && string(payload) == "are you there":
				pong = true
			case op == 1 && strings.Contains(string(payload), `"id":"frag"`):
				answer = true
			case op != 1:
				t.Fatalf("unexpected frame %d %q", op, payload)
			}
		}
		// An unmasked frame breaks the protocol: close 1002.
		c.send("\x81\x02hi")
		for {
			op, payload := readServerFrame(t, c.r)
			if op == 8 {
				if code := int(payload[0])<<8 | int(payload[1]); code != 1002 {
					t.Fatalf("close code %d (%q), want 1002", code, payload[2:])
				}
				break
			}
		}
		if _, err := c.r.ReadByte(); err != io.EOF {
			t.Fatalf("the connection stayed open after the close: %v", err)
		}
	})
}
