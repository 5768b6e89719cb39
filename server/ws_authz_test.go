package server

import (
	"net/http"
	"testing"
	"time"
)

// TestWSAuthorization checks every request against the actor's rights in the room.
func TestWSAuthorization(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	pub, priv := roomOf(f.public), roomOf(f.private)

	outsider := f.mustDial(base, "outsider")
	observer := f.mustDial(base, "observer")
	member := f.mustDial(base, "member")
	chair := f.mustDial(base, "chair")
	sec := f.mustDial(base, "secretariat")

	t.Run("outsider and the private room", func(t *testing.T) {
		outsider.wantError(map[string]any{"type": "subscribe", "room": priv}, "not_found")
		outsider.wantError(map[string]any{"type": "subscribe", "room": priv, "since": 0}, "not_found")
		outsider.wantError(map[string]any{"type": "post", "room": priv, "topic": "T", "body": "x", "cmid": "o1"}, "not_found")
		outsider.wantError(map[string]any{"type": "history", "room": priv}, "not_found")
		outsider.wantError(map[string]any{"type": "read", "room": priv, "topic": "T", "seq": 0}, "not_found")
		// Unknown and malformed rooms look the same as forbidden ones.
		outsider.wantError(map[string]any{"type": "subscribe", "room": "group:nope"}, "not_found")
		outsider.wantError(map[string]any{"type": "subscribe", "room": "meeting:" + f.private}, "not_found")
		outsider.wantError(map[string]any{"type": "subscribe", "room": f.private}, "not_found")
	})

	t.Run("outsider reads the public room but does not write", func(t *testing.T) {
		outsider.subscribe(pub)
		outsider.wantError(map[string]any{"type": "post", "room": pub, "topic": "T", "body": "x", "cmid": "o1"}, "forbidden")
		outsider.wantError(map[string]any{"type": "typing", "room": pub, "topic": "T"}, "forbidden")
		outsider.ok(map[string]any{"type": "history", "room": pub})
	})

	// Messages to act on: one by the member, one by the chair, in each room.
	member.subscribe(priv)
	chair.subscribe(priv)
	observer.subscribe(priv)
	sec.subscribe(priv)
	byMember := member.post(priv, "Agenda", "member's message", "m1")
	byChair := chair.post(priv, "Agenda", "chair's message", "c1")
	byMember2 := member.post(priv, "Agenda", "member's second", "m2")
	byMember3 := member.post(priv, "Agenda", "member's third", "m3")
	chair.post(pub, "Agenda", "public message", "p1")

	t.Run("observer reads only", func(t *testing.T) {
		observer.ok(map[string]any{"type": "history", "room": priv})
		observer.ok(map[string]any{"type": "read", "room": priv, "topic": "Agenda", "seq": byChair})
		observer.wantError(map[string]any{"type": "post", "room": priv, "topic": "Agenda", "body": "x", "cmid": "ob1"}, "forbidden")
		observer.wantError(map[string]any{"type": "edit", "room": priv, "seq": byMember, "body": "x"}, "forbidden")
		observer.wantError(map[string]any{"type": "delete", "room": priv, "seq": byMember}, "forbidden")
		observer.wantError(map[string]any{"type": "react", "room": priv, "seq": byMember, "emoji": "👍", "on": true}, "forbidden")
		observer.wantError(map[string]any{"type": "typing", "room": priv, "topic": "Agenda"}, "forbidden")
		observer.wantError(map[string]any{"type": "topic", "room": priv, "topic": "Agenda", "resolved": true}, "forbidden")
	})

	t.Run("member", func(t *testing.T) {
		member.wantError(map[string]any{"type": "delete", "room": priv, "seq": byChair}, "forbidden")
		member.wantError(map[string]any{"type": "edit", "room": priv, "seq": byChair, "body": "hijacked"}, "forbidden")
		member.wantError(map[string]any{"type": "topic", "room": priv, "topic": "Agenda", "rename_to": "Mine"}, "forbidden")
		member.wantError(map[string]any{"type": "topic", "room": priv, "topic": "Agenda", "resolved": true}, "forbidden")
		// Editing and deleting one's own message is allowed; reacting to others' too.
		member.ok(map[string]any{"type": "edit", "room": priv, "seq": byMember, "body": "member's message, edited"})
		member.ok(map[string]any{"type": "react", "room": priv, "seq": byChair, "emoji": "👍", "on": true})
		member.ok(map[string]any{"type": "delete", "room": priv, "seq": byMember})
	})

	t.Run("chair and secretariat moderate", func(t *testing.T) {
		chair.wantError(map[string]any{"type": "edit", "room": priv, "seq": byMember2, "body": "not yours"}, "forbidden")
		sec.wantError(map[string]any{"type": "edit", "room": priv, "seq": byMember2, "body": "not yours"}, "forbidden")
		chair.ok(map[string]any{"type": "delete", "room": priv, "seq": byMember2})
		sec.ok(map[string]any{"type": "delete", "room": priv, "seq": byMember3})
		sec.wantError(map[string]any{"type": "delete", "room": priv, "seq": byMember3}, "conflict")
		chair.ok(map[string]any{"type": "topic", "room": priv, "topic": "Agenda", "resolved": true})
		sec.ok(map[string]any{"type": "topic", "room": priv, "topic": "Agenda", "resolved": false})
	})

	t.Run("nothing changed by the refusals", func(t *testing.T) {
		msgs := chair.historyAll(priv, 100)
		want := map[int64][2]any{
			byMember:  {"", true},
			byChair:   {"chair's message", false},
			byMember2: {"", true},
			byMember3: {"", true},
		}
		if len(msgs) != len(want) {
			t.Fatalf("history has %d messages, want %d: %v", len(msgs), len(want), msgs)
		}
		for _, m := range msgs {
			w := want[numOf(m, "seq")]
			if m["body"] != w[0] || m["deleted"] != w[1] {
				t.Errorf("message %v: body %q deleted %v, want %q %v", m["seq"], m["body"], m["deleted"], w[0], w[1])
			}
		}
	})
}

// TestWSRevocation: removing a member cuts their open connections off at once; demoting them to
// observer stops their writing at once.
func TestWSRevocation(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	priv := roomOf(f.private)
	memberID := f.users["member"].ID

	member := f.mustDial(base, "member")
	member2 := f.mustDial(base, "member") // a second tab
	chair := f.mustDial(base, "chair")
	sec := f.mustDial(base, "secretariat")
	member.subscribe(priv)
	member2.subscribe(priv)
	member.subscribe(roomOf(f.public))
	chair.subscribe(priv)
	sec.subscribe(priv)

	// Demotion: the next post is forbidden, reading goes on.
	var g struct {
		Members []struct {
			UserID string `json:"user_id"`
			Role   string `json:"role"`
		} `json:"members"`
	}
	f.do(http.MethodPatch, "/api/groups/"+f.private+"/members/"+memberID, `{"role":"observer"}`, f.tokens["secretariat"], http.StatusOK, &g)
	member.wantError(map[string]any{"type": "post", "room": priv, "topic": "T", "body": "still here?", "cmid": "x1"}, "forbidden")
	member.wantError(map[string]any{"type": "typing", "room": priv, "topic": "T"}, "forbidden")
	seq := chair.post(priv, "T", "to the observer", "c1")
	if e := member.nextEvent("message", 5*time.Second); e.num("seq") != seq {
		t.Fatalf("demoted member did not keep reading: %v", e)
	}
	f.do(http.MethodPatch, "/api/groups/"+f.private+"/members/"+memberID, `{"role":"member"}`, f.tokens["secretariat"], http.StatusOK, nil)
	member.post(priv, "T", "back as a member", "m1")

	// Removal.
	f.do(http.MethodDelete, "/api/groups/"+f.private+"/members/"+memberID, "", f.tokens["secretariat"], http.StatusOK, nil)
	for _, c := range []*wsClient{member, member2} {
		r := c.next("revoked", 5*time.Second)
		if r.str("room") != priv || r.str("reason") != "removed" {
			t.Fatalf("revoked: %v", r)
		}
	}
	// The others see the member go offline (both tabs left).
	off := chair.nextWhere("presence offline of the member", 5*time.Second, func(e envelope) bool {
		u, _ := e["user"].(map[string]any)
		return e.str("type") == "presence" && u["id"] == memberID
	})
	if off["online"] != false {
		t.Fatalf("presence: %v", off)
	}

	// After the revocation the member hears nothing more from the room: not messages, edits,
	// reactions, deletions, topics, typing or read positions.
	m1 := chair.post(priv, "T", "after the removal", "c2")
	chair.ok(map[string]any{"type": "edit", "room": priv, "seq": m1, "body": "edited after the removal"})
	chair.ok(map[string]any{"type": "react", "room": priv, "seq": m1, "emoji": "👍", "on": true})
	chair.ok(map[string]any{"type": "topic", "room": priv, "topic": "T", "resolved": true})
	if err := sec.send(map[string]any{"type": "typing", "room": priv, "topic": "T"}); err != nil {
		t.Fatal(err)
	}
	chair.ok(map[string]any{"type": "delete", "room": priv, "seq": m1})
	marker := sec.post(priv, "T", "marker", "s1")
	sec.nextWhere("the marker event", 5*time.Second, func(e envelope) bool { return e.str("type") == "event" && e.num("seq") == marker })
	// The member's connections are still open and working: a ping answered after all that was
	// queued before it proves nothing from the room was queued.
	for _, c := range []*wsClient{member, member2} {
		c.syncPoint()
		for _, e := range c.drain(300 * time.Millisecond) {
			if e.str("room") == priv {
				t.Errorf("removed member received %v", e)
			}
		}
	}
	// Requests are refused as for any outsider of a private room.
	member.wantError(map[string]any{"type": "subscribe", "room": priv}, "not_found")
	member.wantError(map[string]any{"type": "subscribe", "room": priv, "since": 0}, "not_found")
	member2.wantError(map[string]any{"type": "subscribe", "room": priv}, "not_found")
	member.wantError(map[string]any{"type": "post", "room": priv, "topic": "T", "body": "let me in", "cmid": "m2"}, "not_found")
	member.wantError(map[string]any{"type": "history", "room": priv}, "not_found")
	member.wantError(map[string]any{"type": "read", "room": priv, "topic": "T", "seq": 1}, "not_found")
	// A fresh connection does not get in either.
	fresh := f.mustDial(base, "member")
	fresh.wantError(map[string]any{"type": "subscribe", "room": priv}, "not_found")
	// The public room is untouched by the change to the private group.
	pubSeq := chair.post(roomOf(f.public), "T", "public still reaches the member", "c3")
	if e := member.nextEvent("message", 5*time.Second); e.num("seq") != pubSeq || e.str("room") != roomOf(f.public) {
		t.Fatalf("public room after the removal: %v", e)
	}

	// Added back, the member subscribes again and resumes.
	f.do(http.MethodPost, "/api/groups/"+f.private+"/members", `{"user_id":"`+memberID+`","role":"member"}`, f.tokens["secretariat"], http.StatusCreated, nil)
	ack := fresh.ok(map[string]any{"type": "subscribe", "room": priv, "since": 0})
	if ack.num("head") < marker {
		t.Fatalf("subscribe ack after re-adding: %v", ack)
	}
}
