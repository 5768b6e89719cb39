package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Helpers shared by the ws_*_test.go files. They build on wsclient_test.go without changing it.

// mustDial connects actor to base and waits for the hello envelope.
func (f *fixture) mustDial(base, actor string) *wsClient {
	f.t.Helper()
	c, resp, err := f.dialWS(base, actor, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		f.t.Fatalf("dial as %s: %v (status %d)", actor, err, status)
	}
	if h := c.next("hello", 5*time.Second); h.num("v") != 1 {
		f.t.Fatalf("hello: %v", h)
	}
	return c
}

// roomOf names the discussion room of a group.
func roomOf(groupID string) string { return "group:" + groupID }

// subscribe subscribes c to room and returns the ack.
func (c *wsClient) subscribe(room string) envelope {
	c.t.Helper()
	return c.ok(map[string]any{"type": "subscribe", "room": room})
}

// post posts body to topic and returns the message's seq.
func (c *wsClient) post(room, topic, body, cmid string) int64 {
	c.t.Helper()
	return c.ok(map[string]any{"type": "post", "room": room, "topic": topic, "body": body, "cmid": cmid}).num("seq")
}

// wantError sends a request and fails unless it is answered with an error of the given code.
func (c *wsClient) wantError(fields map[string]any, code string) envelope {
	c.t.Helper()
	typ := fields["type"]
	e := c.request(fields)
	if e.str("type") != "error" || e.str("code") != code {
		c.t.Fatalf("%v: got %v, want error %q", typ, e, code)
	}
	return e
}

// nextEvent returns the next room event of the given kind, skipping other envelopes.
func (c *wsClient) nextEvent(kind string, timeout time.Duration) envelope {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-c.events:
			if e.str("type") == "event" && e.str("kind") == kind {
				return e
			}
		case <-deadline:
			c.t.Fatalf("no %q event within %s", kind, timeout)
			return nil
		}
	}
}

// nextWhere returns the next envelope that satisfies match, skipping others.
func (c *wsClient) nextWhere(what string, timeout time.Duration, match func(envelope) bool) envelope {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-c.events:
			if match(e) {
				return e
			}
		case <-deadline:
			c.t.Fatalf("no %s within %s", what, timeout)
			return nil
		}
	}
}

// drain returns every envelope that arrives within wait (a quiet period, not a timing assertion).
func (c *wsClient) drain(wait time.Duration) []envelope {
	var out []envelope
	deadline := time.After(wait)
	for {
		select {
		case e := <-c.events:
			out = append(out, e)
		case <-deadline:
			return out
		}
	}
}

// syncPoint makes sure that everything the server queued for c before now has been read: a ping
// is answered after the frames queued before it, on the same connection.
func (c *wsClient) syncPoint() {
	c.t.Helper()
	if e := c.request(map[string]any{"type": "ping"}); e.str("type") != "pong" {
		c.t.Fatalf("ping: %v", e)
	}
}

// message returns the message object of an event or the entry of a list.
func messageOf(e envelope) map[string]any {
	m, _ := e["message"].(map[string]any)
	return m
}

// topicsByName indexes a subscribe ack's topics.
func topicsByName(ack envelope) map[string]map[string]any {
	out := map[string]map[string]any{}
	list, _ := ack["topics"].([]any)
	for _, x := range list {
		t, _ := x.(map[string]any)
		name, _ := t["name"].(string)
		out[name] = t
	}
	return out
}

func numOf(m map[string]any, k string) int64 { f, _ := m[k].(float64); return int64(f) }

// historyAll pages through a room's history with pages of limit, oldest first.
func (c *wsClient) historyAll(room string, limit int) []map[string]any {
	c.t.Helper()
	var all []map[string]any
	before := int64(0)
	for range 10000 {
		req := map[string]any{"type": "history", "room": room, "limit": limit}
		if before > 0 {
			req["before"] = before
		}
		page := c.ok(req)
		msgs, _ := page["messages"].([]any)
		if len(msgs) == 0 {
			break
		}
		if len(msgs) > limit {
			c.t.Fatalf("history page of %d messages, limit %d", len(msgs), limit)
		}
		var ms []map[string]any
		for _, x := range msgs {
			m, _ := x.(map[string]any)
			ms = append(ms, m)
		}
		for i := 1; i < len(ms); i++ {
			if numOf(ms[i-1], "seq") >= numOf(ms[i], "seq") {
				c.t.Fatalf("history page not oldest first: %v then %v", ms[i-1]["seq"], ms[i]["seq"])
			}
		}
		if before > 0 && numOf(ms[len(ms)-1], "seq") >= before {
			c.t.Fatalf("history page has seq %v, not below before=%d", ms[len(ms)-1]["seq"], before)
		}
		all = append(ms, all...)
		before = numOf(ms[0], "seq")
	}
	return all
}

// ticketOver gets a websocket ticket for actor over the real listener; it is safe to call from
// any goroutine (it does not fail the test itself).
func (f *fixture) ticketOver(base, actor string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/api/ws-ticket", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[actor])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("ws-ticket: status %d: %s", resp.StatusCode, data)
	}
	var out struct{ Ticket string }
	if err := json.Unmarshal(data, &out); err != nil || out.Ticket == "" {
		return "", fmt.Errorf("ws-ticket: %s", data)
	}
	return out.Ticket, nil
}

// wsURL turns the listener's base URL into the websocket endpoint with a ticket.
func wsURL(base, ticket string) string {
	return strings.Replace(base, "http://", "ws://", 1) + "/api/ws?ticket=" + ticket
}

// splitLines parses a server frame: one JSON envelope per line.
func splitLines(data []byte) ([]envelope, error) {
	var out []envelope
	for _, line := range bytes.Split(data, []byte("\n")) {
		var e envelope
		if err := json.Unmarshal(line, &e); err != nil {
			return out, fmt.Errorf("line %q: %w", line, err)
		}
		out = append(out, e)
	}
	return out, nil
}
