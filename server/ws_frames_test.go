package server

import (
	"strings"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// TestWSBadFrames: frames that are not JSON envelopes close the connection with the documented
// codes.
func TestWSBadFrames(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	cases := []struct {
		name string
		kind int
		data []byte
		code int
	}{
		{"oversize", fws.TextMessage, []byte(`{"type":"ping","id":"` + strings.Repeat("x", 70000) + `"}`), fws.CloseMessageTooBig},
		{"oversize binary", fws.BinaryMessage, make([]byte, 65537), fws.CloseMessageTooBig},
		{"binary", fws.BinaryMessage, []byte(`{"type":"ping","id":"b"}`), 4000},
		{"not JSON", fws.TextMessage, []byte("hello there"), 4000},
		{"broken JSON", fws.TextMessage, []byte(`{"type":"ping"`), 4000},
		{"JSON array", fws.TextMessage, []byte(`[{"type":"ping"}]`), 4000},
		{"JSON string", fws.TextMessage, []byte(`"ping"`), 4000},
		{"two objects", fws.TextMessage, []byte(`{"type":"ping","id":"a"}` + "\n" + `{"type":"ping","id":"b"}`), 4000},
		{"empty", fws.TextMessage, nil, 4000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := f.mustDial(base, "member")
			c.mu.Lock()
			err := c.conn.WriteMessage(tc.kind, tc.data)
			c.mu.Unlock()
			// The server may refuse an oversize frame while it is still being written; the
			// client then has answered the server's close already.
			if err != nil && err != fws.ErrCloseSent {
				t.Fatal(err)
			}
			code, text := c.waitClosed(5 * time.Second)
			if code != tc.code {
				t.Fatalf("close code %d (%q), want %d", code, text, tc.code)
			}
			if tc.code == 4000 && !strings.HasPrefix(text, "bad frame") {
				t.Errorf("close reason %q", text)
			}
		})
	}

	// A frame just under the limit is fine.
	t.Run("just under the limit", func(t *testing.T) {
		c := f.mustDial(base, "member")
		pad := strings.Repeat(" ", 65536-len(`{"type":"ping","id":"p"}`))
		c.mu.Lock()
		err := c.conn.WriteMessage(fws.TextMessage, []byte(`{"type":"ping","id":"p"}`+pad))
		c.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		if e := c.next("pong", 5*time.Second); e.str("id") != "p" {
			t.Fatalf("pong: %v", e)
		}
	})
}

// TestWSInvalidEnvelopes: well-formed JSON that is not a valid request is answered with an error
// and the connection stays open.
func TestWSInvalidEnvelopes(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	c := f.mustDial(base, "member")
	c.subscribe(room)

	raw := func(frame string) envelope {
		t.Helper()
		c.mu.Lock()
		err := c.conn.WriteMessage(fws.TextMessage, []byte(frame))
		c.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		return c.nextWhere("error for "+frame, 5*time.Second, func(e envelope) bool { return e.str("type") == "error" })
	}
	for _, frame := range []string{
		`{"type":"ping","$where":"1"}`,
		`{"type":"post","room":"` + room + `","topic":"T","body":"x","cmid":"c1","mentions":[{"$gt":""}]}`,
		`{"type":"ping","extra":1}`,
		`{"type":"post","room":"` + room + `","topic":"T","body":"x","cmid":"c1","author":"someone else"}`,
		`{"type":"edit","room":"` + room + `","seq":"1","body":"x"}`,
		`{"type":"post","room":"` + room + `","topic":"T","body":["x"],"cmid":"c1"}`,
		`{"type":"ping","id":"` + strings.Repeat("i", 65) + `"}`,
		`{"type":"frobnicate"}`,
		`{}`,
	} {
		e := raw(frame)
		if e.str("code") != "invalid" {
			t.Errorf("%s: %v, want invalid", frame, e)
		}
	}
	// Nothing was posted by the refused envelopes, and the connection still works.
	if e := c.request(map[string]any{"type": "ping"}); e.str("type") != "pong" {
		t.Fatalf("ping after errors: %v", e)
	}
	if h := c.ok(map[string]any{"type": "history", "room": room}); len(h["messages"].([]any)) != 0 {
		t.Fatalf("refused envelopes posted: %v", h)
	}
	// The body limit answers too_large, and the connection stays open.
	c.wantError(map[string]any{"type": "post", "room": room, "topic": "T", "body": strings.Repeat("b", 16001), "cmid": "big"}, "too_large")
	c.wantError(map[string]any{"type": "subscribe", "room": room, "since": -1}, "invalid")
	c.wantError(map[string]any{"type": "subscribe", "room": room, "since": 5}, "invalid") // ahead of the room
	c.wantError(map[string]any{"type": "subscribe", "room": room}, "conflict")            // already subscribed
	c.post(room, "T", "still open", "ok")
}

// TestWSErrorAnswersCarryRequestID: protocol.md says an error answers one request and carries
// its id; that must hold for every invalid envelope that has an id.
func TestWSErrorAnswersCarryRequestID(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	c := f.mustDial(base, "member")
	for _, fields := range []map[string]any{
		{"type": "ping", "extra": 1},
		{"type": "edit", "seq": "x"},
		{"type": "frobnicate"},
		{"type": "ping", "$where": "1"},
		{"type": "post", "mentions": []any{map[string]any{"$gt": ""}}},
	} {
		e, err := c.tryRequest(fields, 3*time.Second)
		if err != nil {
			t.Errorf("%v: the error did not answer the request: %v", fields, err)
			continue
		}
		if e.str("type") != "error" || e.str("code") != "invalid" {
			t.Errorf("%v: %v", fields, e)
		}
	}
}
