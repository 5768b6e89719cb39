package server

import (
	"net/http"
	"testing"
	"time"
)

func TestWSPostAndReceive(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := "group:" + f.private
	a, _, err := f.dialWS(base, "member", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := f.dialWS(base, "chair", nil)
	if err != nil {
		t.Fatal(err)
	}
	hello := a.next("hello", 5*time.Second)
	if hello.num("v") != 1 {
		t.Fatalf("hello: %v", hello)
	}
	a.ok(map[string]any{"type": "subscribe", "room": room})
	ack := b.ok(map[string]any{"type": "subscribe", "room": room})
	if ack.num("head") != 0 {
		t.Fatalf("subscribe ack: %v", ack)
	}
	post := a.ok(map[string]any{"type": "post", "room": room, "topic": "Agenda", "body": "Hello **all**", "cmid": "c1"})
	if post.num("seq") != 1 {
		t.Fatalf("post ack: %v", post)
	}
	ev := b.next("event", 5*time.Second)
	msg, _ := ev["message"].(map[string]any)
	if ev.num("seq") != 1 || msg["html"] != "<p>Hello <strong>all</strong></p>\n" {
		t.Fatalf("event: %v", ev)
	}
	again := a.ok(map[string]any{"type": "post", "room": room, "topic": "Agenda", "body": "Hello **all**", "cmid": "c1"})
	if again.num("seq") != 1 {
		t.Fatalf("a repeated post was stored again: %v", again)
	}
	_ = http.StatusOK
}
