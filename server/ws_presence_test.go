package server

import (
	"net/http"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// presenceOf matches presence envelopes about userID in room.
func presenceOf(room, userID string) func(envelope) bool {
	return func(e envelope) bool {
		u, _ := e["user"].(map[string]any)
		return e.str("type") == "presence" && e.str("room") == room && u["id"] == userID
	}
}

func countPresence(es []envelope, room, userID string, online bool) int {
	n := 0
	for _, e := range es {
		if presenceOf(room, userID)(e) && e["online"] == online {
			n++
		}
	}
	return n
}

// TestWSPresenceTabs: a person counts once however many tabs they have.
func TestWSPresenceTabs(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	memberID, chairID := f.users["member"].ID, f.users["chair"].ID
	chair := f.mustDial(base, "chair")
	chair.subscribe(room)

	tab1 := f.mustDial(base, "member")
	ack := tab1.subscribe(room)
	if p, _ := ack["presence"].([]any); len(p) != 2 {
		t.Fatalf("presence in the ack: %v", ack["presence"])
	}
	on := chair.nextWhere("member online", 5*time.Second, presenceOf(room, memberID))
	if on["online"] != true || on["user"].(map[string]any)["name"] != "Member" {
		t.Fatalf("presence: %v", on)
	}
	tab2 := f.mustDial(base, "member")
	ack = tab2.subscribe(room)
	ids := map[string]int{}
	for _, p := range ack["presence"].([]any) {
		ids[p.(map[string]any)["id"].(string)]++
	}
	if len(ids) != 2 || ids[memberID] != 1 || ids[chairID] != 1 {
		t.Fatalf("presence in the second tab's ack: %v", ack["presence"])
	}
	// The chair's other tab joining and leaving is nothing to the member.
	chair2 := f.mustDial(base, "chair")
	chair2.subscribe(room)
	chair2.ok(map[string]any{"type": "unsubscribe", "room": room})

	// Closing one tab (cleanly) announces nothing.
	_ = tab1.conn.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(fws.CloseNormalClosure, "tab closed"), time.Now().Add(time.Second))
	tab1.waitClosed(5 * time.Second)
	time.Sleep(500 * time.Millisecond) // let the server finish with the closed tab
	chair.syncPoint()
	got := chair.drain(100 * time.Millisecond)
	if n := countPresence(got, room, memberID, true) + countPresence(got, room, memberID, false); n != 0 {
		t.Fatalf("presence changes for the member after closing one of two tabs and a second tab joining: %v", got)
	}
	for _, c := range []*wsClient{tab2} {
		c.syncPoint()
		if es := c.drain(100 * time.Millisecond); countPresence(es, room, chairID, true)+countPresence(es, room, chairID, false) != 0 {
			t.Fatalf("the chair's second tab was announced: %v", es)
		}
	}
	// Closing the last one does.
	_ = tab2.conn.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(fws.CloseNormalClosure, "tab closed"), time.Now().Add(time.Second))
	off := chair.nextWhere("member offline", 5*time.Second, presenceOf(room, memberID))
	if off["online"] != false {
		t.Fatalf("presence: %v", off)
	}

	// Unsubscribing is leaving too.
	tab3 := f.mustDial(base, "member")
	tab3.subscribe(room)
	if e := chair.nextWhere("member online", 5*time.Second, presenceOf(room, memberID)); e["online"] != true {
		t.Fatalf("presence: %v", e)
	}
	tab3.ok(map[string]any{"type": "unsubscribe", "room": room})
	if e := chair.nextWhere("member offline", 5*time.Second, presenceOf(room, memberID)); e["online"] != false {
		t.Fatalf("presence: %v", e)
	}
	// After unsubscribing, nothing more arrives from the room.
	s := chair.post(room, "T", "after unsubscribe", "c1")
	chair.nextWhere("own message", 5*time.Second, func(e envelope) bool { return e.num("seq") == s })
	tab3.syncPoint()
	for _, e := range tab3.drain(200 * time.Millisecond) {
		if e.str("room") == room {
			t.Errorf("after unsubscribe: %v", e)
		}
	}
}

// TestWSPresenceNetworkDrop: a connection that vanishes without a close frame, or stops
// answering pings, goes offline within the heartbeat timeout.
func TestWSPresenceNetworkDrop(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.public)
	chair := f.mustDial(base, "chair")
	chair.subscribe(room)

	// The TCP connection is closed under the websocket.
	member := f.mustDial(base, "member")
	member.subscribe(room)
	chair.nextWhere("member online", 5*time.Second, presenceOf(room, f.users["member"].ID))
	_ = member.conn.UnderlyingConn().Close()
	if e := chair.nextWhere("member offline after a drop", 5*time.Second, presenceOf(room, f.users["member"].ID)); e["online"] != false {
		t.Fatalf("presence: %v", e)
	}

	// A client that stops reading answers no pings: the server closes it as idle.
	conn, _, err := (&fws.Dialer{HandshakeTimeout: 5 * time.Second}).Dial(wsURL(base, f.ticket("observer")), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.WriteMessage(fws.TextMessage, []byte(`{"type":"subscribe","room":"`+room+`","id":"s"}`)); err != nil {
		t.Fatal(err)
	}
	obs := f.users["observer"].ID
	if e := chair.nextWhere("observer online", 5*time.Second, presenceOf(room, obs)); e["online"] != true {
		t.Fatalf("presence: %v", e)
	}
	if e := chair.nextWhere("observer offline after going silent", 5*time.Second, presenceOf(room, obs)); e["online"] != false {
		t.Fatalf("presence: %v", e)
	}
	// What the silent client reads afterwards ends with close 4009 idle.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		if ce, ok := err.(*fws.CloseError); !ok || ce.Code != 4009 {
			t.Fatalf("silent client: %v, want close 4009", err)
		}
		break
	}
	_ = http.StatusOK
}

// TestWSTyping: typing reaches the others in the room, not the typist's own connections.
func TestWSTyping(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	member := f.mustDial(base, "member")
	memberTab := f.mustDial(base, "member")
	chair := f.mustDial(base, "chair")
	observer := f.mustDial(base, "observer")
	outsider := f.mustDial(base, "outsider")
	for _, c := range []*wsClient{member, memberTab, chair, observer} {
		c.subscribe(room)
	}
	outsider.subscribe(roomOf(f.public))
	if err := member.send(map[string]any{"type": "typing", "room": room, "topic": "Agenda"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wsClient{chair, observer} {
		e := c.next("typing", 5*time.Second)
		u, _ := e["user"].(map[string]any)
		if e.str("room") != room || e.str("topic") != "Agenda" || u["id"] != f.users["member"].ID || u["name"] != "Member" {
			t.Fatalf("typing: %v", e)
		}
	}
	for _, c := range []*wsClient{member, memberTab, outsider} {
		c.syncPoint()
		for _, e := range c.drain(200 * time.Millisecond) {
			if e.str("type") == "typing" {
				t.Errorf("typing reached the typist or an outsider: %v", e)
			}
		}
	}
	observer.wantError(map[string]any{"type": "typing", "room": room, "topic": "Agenda"}, "forbidden")
	outsider.wantError(map[string]any{"type": "typing", "room": roomOf(f.public), "topic": "Agenda"}, "forbidden")
	// Typing needs a subscription.
	f.mustDial(base, "chair").wantError(map[string]any{"type": "typing", "room": room, "topic": "Agenda"}, "forbidden")
}
