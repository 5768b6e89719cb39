package server

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"plenary/meetings"
)

// meetingRoom names the discussion room of a meeting.
func meetingRoom(id string) string { return "meeting:" + id }

// nextMeeting returns the next "meeting" envelope of room.
func (c *wsClient) nextMeeting(room string) envelope {
	c.t.Helper()
	return c.nextWhere("a meeting envelope of "+room, 5*time.Second, func(e envelope) bool {
		return e.str("type") == "meeting" && e.str("room") == room
	})
}

// TestWSMeetingAnnouncements: changes made over HTTP reach the meeting's room as meeting
// envelopes; live changes carry the live state.
func TestWSMeetingAnnouncements(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	m := f.meeting(meetings.Participants, true)
	room := meetingRoom(m.id)
	member := f.mustDial(base, "member")
	member.subscribe(room)

	f.do(http.MethodPut, "/api/meetings/"+m.id+"/live", `{"session_id":"`+m.a+`","item_id":"`+m.a2+`","timer_seconds":120}`,
		f.tokens["secretariat"], http.StatusOK, nil)
	e := member.nextMeeting(room)
	live, _ := e["live"].(map[string]any)
	if live == nil || live["session_id"] != m.a || live["item_id"] != m.a2 || numOf(live, "timer_seconds") != 120 || e.num("live_seq") != 1 {
		t.Fatalf("live envelope: %v", e)
	}
	if _, ok := e["agenda"]; ok {
		t.Fatalf("the envelope carries the agenda: %v", e)
	}
	started := e.num("version")
	if started != f.meetingVersion(m.id) {
		t.Fatalf("envelope version %d, meeting version %d", started, f.meetingVersion(m.id))
	}

	// An agenda edit: a higher version, the live state unchanged.
	f.do(http.MethodPost, "/api/meetings/"+m.id+"/sessions/"+m.b+"/items", `{"version":`+strconv.FormatInt(started, 10)+`,"title":"Any other business"}`,
		f.tokens["secretariat"], http.StatusCreated, nil)
	e = member.nextMeeting(room)
	if e.num("version") <= started || e.num("live_seq") != 1 {
		t.Fatalf("edit envelope: %v (version before %d)", e, started)
	}
	if live, _ := e["live"].(map[string]any); live == nil || live["item_id"] != m.a2 {
		t.Fatalf("edit envelope lost the live state: %v", e)
	}
	edited := e.num("version")

	// Another live change: the same version, a higher live_seq.
	f.do(http.MethodPut, "/api/meetings/"+m.id+"/live", `{"session_id":"`+m.b+`","item_id":"`+m.b1+`"}`, f.tokens["chair"], http.StatusOK, nil)
	e = member.nextMeeting(room)
	if e.num("version") != edited || e.num("live_seq") != 2 {
		t.Fatalf("second live envelope: %v", e)
	}
	f.do(http.MethodDelete, "/api/meetings/"+m.id+"/live", "", f.tokens["chair"], http.StatusOK, nil)
	e = member.nextMeeting(room)
	if e["live"] != nil || e.num("live_seq") != 3 {
		t.Fatalf("cleared live envelope: %v", e)
	}
}

// TestWSMeetingRoomAccess: who subscribes to and posts in a meeting's room.
func TestWSMeetingRoomAccess(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	pub, priv := f.meeting(meetings.Public, true), f.meeting(meetings.Participants, true)

	outsider := f.mustDial(base, "outsider")
	outsider.wantError(map[string]any{"type": "subscribe", "room": meetingRoom(priv.id)}, "not_found")
	outsider.wantError(map[string]any{"type": "history", "room": meetingRoom(priv.id)}, "not_found")
	outsider.wantError(map[string]any{"type": "post", "room": meetingRoom(priv.id), "topic": "T", "body": "x", "cmid": "o1"}, "not_found")
	outsider.wantError(map[string]any{"type": "subscribe", "room": "meeting:nosuchmeeting"}, "not_found")
	outsider.subscribe(meetingRoom(pub.id))
	outsider.wantError(map[string]any{"type": "post", "room": meetingRoom(pub.id), "topic": "T", "body": "x", "cmid": "o2"}, "forbidden")

	observer := f.mustDial(base, "observer")
	observer.subscribe(meetingRoom(priv.id))
	observer.wantError(map[string]any{"type": "post", "room": meetingRoom(priv.id), "topic": "Agenda", "body": "may I?", "cmid": "ob1"}, "forbidden")
	observer.wantError(map[string]any{"type": "typing", "room": meetingRoom(priv.id), "topic": "Agenda"}, "forbidden")

	// member and chair both take part; one posts, the other (and the observer) receive it.
	member := f.mustDial(base, "member")
	chair := f.mustDial(base, "chair")
	member.subscribe(meetingRoom(priv.id))
	chair.subscribe(meetingRoom(priv.id))
	seq := member.post(meetingRoom(priv.id), "Agenda", "Item 3 needs more time", "m1")
	for _, c := range []*wsClient{chair, observer} {
		e := c.nextEvent("message", 5*time.Second)
		if e.num("seq") != seq || e.str("room") != meetingRoom(priv.id) || messageOf(e)["body"] != "Item 3 needs more time" {
			t.Fatalf("message event: %v", e)
		}
	}
	// The meeting's chair moderates.
	chair.ok(map[string]any{"type": "delete", "room": meetingRoom(priv.id), "seq": seq})
	observer.wantError(map[string]any{"type": "topic", "room": meetingRoom(priv.id), "topic": "Agenda", "resolved": true}, "forbidden")
}

// TestWSMeetingRevocation: taking a participant off a participants-only meeting cuts their
// subscription off at once.
func TestWSMeetingRevocation(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	m := f.meeting(meetings.Participants, true)
	room := meetingRoom(m.id)
	memberID := f.users["member"].ID

	member := f.mustDial(base, "member")
	chair := f.mustDial(base, "chair")
	member.subscribe(room)
	chair.subscribe(room)

	// Made an observer: posting stops at once, reading goes on.
	f.do(http.MethodPatch, "/api/meetings/"+m.id+"/participants/"+memberID, `{"role":"observer"}`, f.tokens["secretariat"], http.StatusOK, nil)
	member.wantError(map[string]any{"type": "post", "room": room, "topic": "T", "body": "still?", "cmid": "m1"}, "forbidden")
	seq := chair.post(room, "T", "to the observer", "c1")
	if e := member.nextEvent("message", 5*time.Second); e.num("seq") != seq {
		t.Fatalf("the demoted participant stopped reading: %v", e)
	}

	f.do(http.MethodDelete, "/api/meetings/"+m.id+"/participants/"+memberID, "", f.tokens["secretariat"], http.StatusOK, nil)
	r := member.next("revoked", 5*time.Second)
	if r.str("room") != room || r.str("reason") != "removed" {
		t.Fatalf("revoked: %v", r)
	}
	// Nothing more from the room reaches them: neither messages nor meeting envelopes.
	after := chair.post(room, "T", "after the removal", "c2")
	f.do(http.MethodPut, "/api/meetings/"+m.id+"/live", `{"session_id":"`+m.a+`","item_id":"`+m.a1+`"}`, f.tokens["secretariat"], http.StatusOK, nil)
	chair.nextWhere("the message after the removal", 5*time.Second, func(e envelope) bool { return e.str("type") == "event" && e.num("seq") == after })
	chair.nextMeeting(room)
	member.syncPoint()
	for _, e := range member.drain(300 * time.Millisecond) {
		if e.str("room") == room {
			t.Errorf("removed participant received %v", e)
		}
	}
	member.wantError(map[string]any{"type": "subscribe", "room": room}, "not_found")
	member.wantError(map[string]any{"type": "history", "room": room}, "not_found")

	// Added back, they subscribe again.
	f.do(http.MethodPost, "/api/meetings/"+m.id+"/participants", `{"user_id":"`+memberID+`","role":"participant"}`, f.tokens["secretariat"], http.StatusCreated, nil)
	member.subscribe(room)
	member.post(room, "T", "back", "m2")
}
