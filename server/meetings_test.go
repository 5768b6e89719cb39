package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"plenary/meetings"
)

// testMeeting names a meeting made by fixture.meeting and the ids of its agenda.
type testMeeting struct {
	id       string
	version  int64
	a, b     string // sessions
	a1, a2   string // items of a
	b1       string // item of b
	title    string
	sessions []meetings.Session
}

// meeting creates a meeting of 11–13 May 2026 in Zurich with sessions a ("Opening": a1, a2) and b
// ("Plenary": b1), and as participants chair (role chair), member (participant) and observer
// (observer); publish publishes its agenda once.
func (f *fixture) meeting(visibility string, publish bool) testMeeting {
	f.t.Helper()
	ctx := context.Background()
	sec := f.users["secretariat"]
	title := "Meeting " + visibility
	agenda := meetings.Agenda{Sessions: []meetings.Session{
		{Title: "Opening", Start: "2026-05-11T09:30", End: "2026-05-11T12:30",
			Items: []meetings.Item{{Kind: meetings.KindItem, Title: "Welcome", Duration: 15}, {Kind: meetings.KindItem, Title: "Keynote", Duration: 45}}},
		{Title: "Plenary", Start: "2026-05-12T09:30", End: "2026-05-12T12:30",
			Items: []meetings.Item{{Kind: meetings.KindItem, Title: "Reports", Duration: 60}}},
	}}
	start, end, zone := "2026-05-11", "2026-05-13", "Europe/Zurich"
	v, err := f.meet.CreateWithAgenda(ctx, sec, meetings.MeetingInput{Title: &title, StartDate: &start, EndDate: &end, TimeZone: &zone, Visibility: &visibility}, agenda)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range [][2]string{{"chair", meetings.RoleChair}, {"member", meetings.RoleParticipant}, {"observer", meetings.RoleObserver}} {
		if v, err = f.meet.AddParticipant(ctx, sec, v.ID, meetings.ParticipantInput{UserID: f.users[p[0]].ID, Role: p[1]}); err != nil {
			f.t.Fatal(err)
		}
	}
	if publish {
		if v, err = f.meet.Publish(ctx, sec, v.ID, v.Version, "First"); err != nil {
			f.t.Fatal(err)
		}
	}
	s := v.Agenda.Sessions
	return testMeeting{id: v.ID, version: v.Version, a: s[0].ID, b: s[1].ID, a1: s[0].Items[0].ID, a2: s[0].Items[1].ID, b1: s[1].Items[0].ID,
		title: title, sessions: s}
}

// meetingVersion reads a meeting's current version as the secretariat.
func (f *fixture) meetingVersion(id string) int64 {
	f.t.Helper()
	v, err := f.meet.Get(context.Background(), f.users["secretariat"], id)
	if err != nil {
		f.t.Fatal(err)
	}
	return v.Version
}

func vbody(version int64, rest string) string {
	if rest == "" {
		return `{"version":` + strconv.FormatInt(version, 10) + `}`
	}
	return `{"version":` + strconv.FormatInt(version, 10) + `,` + rest + `}`
}

// TestMeetingReadHTTP: who reads what over HTTP, with and without a token.
func TestMeetingReadHTTP(t *testing.T) {
	f := mustServe(t)
	pub, priv := f.meeting(meetings.Public, true), f.meeting(meetings.Participants, true)
	bad := "not-a-token"
	var table []scenario
	table = append(table,
		scenario{name: "anonymous reads a public meeting", method: "GET", url: "/api/meetings/" + pub.id, status: 200,
			want:    []string{`"title":"Meeting public"`, `"participants":[]`, `"attendance":[]`, `"agenda_shown":"published"`, `"my_role":""`, `"room":"meeting:` + pub.id + `"`},
			notWant: []string{"Member", "Observer"}},
		scenario{name: "anonymous and a participants-only meeting", method: "GET", url: "/api/meetings/" + priv.id, status: 404, notWant: []string{priv.title}},
		scenario{name: "outsider and a participants-only meeting", method: "GET", url: "/api/meetings/" + priv.id, actor: "outsider", status: 404, notWant: []string{priv.title}},
		scenario{name: "participant reads the participants-only meeting", method: "GET", url: "/api/meetings/" + priv.id, actor: "member", status: 200,
			want: []string{`"my_role":"participant"`, `"agenda_shown":"published"`, `"name":"Observer"`, `"post":true`}},
		scenario{name: "observer may not post", method: "GET", url: "/api/meetings/" + priv.id, actor: "observer", status: 200, want: []string{`"post":false`}},
		scenario{name: "meeting chair sees the draft", method: "GET", url: "/api/meetings/" + priv.id, actor: "chair", status: 200,
			want: []string{`"agenda_shown":"draft"`, `"my_role":"chair"`, `"live_sessions":["` + priv.a + `","` + priv.b + `"]`}},
		scenario{name: "unknown meeting", method: "GET", url: "/api/meetings/nosuchmeeting", actor: "secretariat", status: 404},
		scenario{name: "anonymous list", method: "GET", url: "/api/meetings", status: 200, want: []string{pub.id}, notWant: []string{priv.id}},
		scenario{name: "participant's list", method: "GET", url: "/api/meetings", actor: "member", status: 200, want: []string{pub.id, priv.id, `"my_role":"participant"`}},
		scenario{name: "outsider's list", method: "GET", url: "/api/meetings", actor: "outsider", status: 200, want: []string{pub.id}, notWant: []string{priv.id}},
		scenario{name: "anonymous versions of a public meeting", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/versions", status: 200,
			want: []string{`"items":[{"number":1,"note":"First"`}},
		scenario{name: "anonymous version 1", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/versions/1", status: 200,
			want: []string{`"number":1`, `"time_zone":"Europe/Zurich"`, `"title":"Opening"`}},
		scenario{name: "version 2 does not exist", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/versions/2", status: 404},
		scenario{name: "version 0", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/versions/0", status: 404},
		scenario{name: "version x", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/versions/x", status: 404},
		scenario{name: "anonymous versions of a participants-only meeting", method: "GET", url: "/api/meetings/" + priv.id + "/agenda/versions", status: 404},
		scenario{name: "anonymous diff of versions", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/diff?from=1&to=1", status: 200,
			want: []string{`"from":"1"`, `"counts":{"added":0,"removed":0,"moved":0,"changed":0}`}},
		// docs/api.md: draft is for editors only. A reader who is no editor is refused (403); for
		// someone who may not read the meeting at all it does not exist (404).
		scenario{name: "anonymous diff with the draft of a public meeting", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/diff?from=draft&to=1", status: 403},
		scenario{name: "anonymous diff with the draft of a participants-only meeting", method: "GET", url: "/api/meetings/" + priv.id + "/agenda/diff?from=draft&to=1", status: 404},
		scenario{name: "participant diff with the draft", method: "GET", url: "/api/meetings/" + priv.id + "/agenda/diff?from=1&to=draft", actor: "member", status: 403},
		scenario{name: "meeting chair diff with the draft", method: "GET", url: "/api/meetings/" + priv.id + "/agenda/diff?from=1&to=draft", actor: "chair", status: 200,
			want: []string{`"to":"draft"`}},
		scenario{name: "diff without to", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/diff?from=1", status: 400},
		scenario{name: "diff with an operator", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/diff?from=$ne&to=1", status: 400},
		scenario{name: "diff with a bad version", method: "GET", url: "/api/meetings/" + pub.id + "/agenda/diff?from=one&to=1", status: 400},
	)
	// A token, when sent, must be valid: also on the routes that work without one.
	for _, u := range []string{"/api/meetings", "/api/meetings/" + pub.id, "/api/meetings/" + pub.id + "/agenda/versions",
		"/api/meetings/" + pub.id + "/agenda/versions/1", "/api/meetings/" + pub.id + "/agenda/diff?from=1&to=1", "/api/meetings/" + pub.id + "/calendar.ics"} {
		table = append(table,
			scenario{name: "invalid token on " + u, method: "GET", url: u, token: bad, status: 401, notWant: []string{pub.title}},
			scenario{name: "not a bearer token on " + u, method: "GET", url: u, headers: map[string]string{"Authorization": "Basic c2VjOnNlYw=="}, status: 401})
	}
	f.run(t, table)
}

// TestMeetingWriteHTTP: who may change what, versions and strict bodies.
func TestMeetingWriteHTTP(t *testing.T) {
	f := mustServe(t)
	m := f.meeting(meetings.Participants, true)
	base := "/api/meetings/" + m.id
	newMeeting := `{"title":"Bureau","start_date":"2026-06-01","end_date":"2026-06-02","time_zone":"Europe/Vienna","visibility":"public"}`
	f.run(t, []scenario{
		{name: "create as participant", method: "POST", url: "/api/meetings", body: newMeeting, actor: "member", status: 403},
		{name: "create as meeting chair", method: "POST", url: "/api/meetings", body: newMeeting, actor: "chair", status: 403},
		{name: "create anonymously", method: "POST", url: "/api/meetings", body: newMeeting, status: 401},
		{name: "create with a version", method: "POST", url: "/api/meetings", body: `{"version":1,"title":"Bureau","start_date":"2026-06-01","end_date":"2026-06-02","time_zone":"UTC","visibility":"public"}`,
			actor: "secretariat", status: 400, want: []string{"version"}},
		{name: "create without a time zone", method: "POST", url: "/api/meetings", body: `{"title":"Bureau","start_date":"2026-06-01","end_date":"2026-06-02","visibility":"public"}`,
			actor: "secretariat", status: 400, want: []string{"time_zone"}},
		{name: "create", method: "POST", url: "/api/meetings", body: newMeeting, actor: "secretariat", status: 201,
			want: []string{`"status":"planned"`, `"version":1`, `"agenda_shown":"draft"`, `"edit_meeting":true`}},
		{name: "patch without version", method: "PATCH", url: base, body: `{"venue":"Geneva"}`, actor: "secretariat", status: 400,
			want: []string{`"code":"invalid"`, "version: is required"}},
		{name: "patch with version 0", method: "PATCH", url: base, body: `{"version":0,"venue":"Geneva"}`, actor: "secretariat", status: 400},
		{name: "patch with a string version", method: "PATCH", url: base, body: `{"version":"3","venue":"Geneva"}`, actor: "secretariat", status: 400},
		{name: "patch by a participant", method: "PATCH", url: base, body: vbody(m.version, `"venue":"Geneva"`), actor: "member", status: 403},
		{name: "patch by an outsider", method: "PATCH", url: base, body: vbody(m.version, `"venue":"Geneva"`), actor: "outsider", status: 404},
		{name: "patch with an unknown field", method: "PATCH", url: base, body: vbody(m.version, `"venue":"Geneva","owner":"me"`), actor: "secretariat", status: 400,
			want: []string{"unknown field"}},
		{name: "patch with a $ key", method: "PATCH", url: base, body: vbody(m.version, `"$set":{"status":"closed"}`), actor: "secretariat", status: 400,
			want: []string{"must not start with '$'"}},
		{name: "session with a nested $ key", method: "PATCH", url: base + "/sessions/" + m.a, body: vbody(m.version, `"chairs":[{"name":"X","$where":"1"}]`),
			actor: "secretariat", status: 400, want: []string{"must not start with '$'"}},
		{name: "session with an unknown person field", method: "PATCH", url: base + "/sessions/" + m.a, body: vbody(m.version, `"chairs":[{"name":"X","email":"x@example.org"}]`),
			actor: "secretariat", status: 400, want: []string{"unknown field"}},
		{name: "session with an index", method: "PATCH", url: base + "/sessions/" + m.a, body: vbody(m.version, `"index":1`), actor: "secretariat", status: 400},
		{name: "delete session without version", method: "DELETE", url: base + "/sessions/" + m.b, actor: "secretariat", status: 400, want: []string{"?version=N"}},
		{name: "delete session with a bad version", method: "DELETE", url: base + "/sessions/" + m.b + "?version=x", actor: "secretariat", status: 400},
		{name: "delete item without version", method: "DELETE", url: base + "/sessions/" + m.a + "/items/" + m.a1, actor: "secretariat", status: 400},
		{name: "move without to_index", method: "POST", url: base + "/agenda/move", body: vbody(m.version, `"session_id":"`+m.b+`"`), actor: "secretariat", status: 400},
		{name: "publish without note", method: "POST", url: base + "/agenda/publish", body: vbody(m.version, ""), actor: "secretariat", status: 400},
		{name: "publish by the meeting chair", method: "POST", url: base + "/agenda/publish", body: vbody(m.version, `"note":"x"`), actor: "chair", status: 403},
		{name: "live by a participant", method: "PUT", url: base + "/live", body: `{"session_id":"` + m.a + `","item_id":"` + m.a1 + `"}`, actor: "member", status: 403},
		{name: "live with an unknown field", method: "PUT", url: base + "/live", body: `{"session_id":"` + m.a + `","item_id":"` + m.a1 + `","version":1}`, actor: "secretariat", status: 400},
		{name: "live anonymously", method: "DELETE", url: base + "/live", status: 401},
		{name: "attendance without present", method: "PUT", url: base + "/attendance/2026-05-11", body: `{}`, actor: "secretariat", status: 400},
		{name: "attendance on another day", method: "PUT", url: base + "/attendance/2026-05-14", body: `{"present":[]}`, actor: "secretariat", status: 400},
		{name: "participant by a participant", method: "POST", url: base + "/participants", body: `{"email":"outsider@example.org","role":"observer"}`, actor: "member", status: 403},
		{name: "participant e-mail starting with $", method: "POST", url: base + "/participants", body: `{"email":"$ne@example.org","role":"observer"}`, actor: "secretariat", status: 400},
		{name: "participant as text in a JSON string", method: "POST", url: base + "/participants", body: `"outsider@example.org"`, actor: "secretariat", status: 400},
		// The successes, in an order that keeps the version known.
		{name: "patch", method: "PATCH", url: base, body: vbody(m.version, `"venue":"Geneva","title":"$set"`), actor: "secretariat", status: 200,
			want: []string{`"venue":"Geneva"`, `"title":"$set"`, `"version":` + strconv.FormatInt(m.version+1, 10)}},
		{name: "delete session", method: "DELETE", url: base + "/sessions/" + m.b + "?version=" + strconv.FormatInt(m.version+1, 10), actor: "secretariat", status: 200,
			notWant: []string{`"id":"` + m.b + `"`}},
		{name: "attendance", method: "PUT", url: base + "/attendance/2026-05-11", body: `{"present":["` + f.users["member"].ID + `"]}`, actor: "secretariat", status: 200,
			want: []string{`"attendance":[{"date":"2026-05-11","present":["` + f.users["member"].ID + `"]}]`}},
	})
	if got := f.meetingVersion(m.id); got != m.version+3 {
		t.Fatalf("version %d after three changes from %d", got, m.version)
	}
}

// TestMeetingConflictHTTP: a stale version is refused with 409 and the documented body, and
// nothing is written.
func TestMeetingConflictHTTP(t *testing.T) {
	f := mustServe(t)
	m := f.meeting(meetings.Public, true)
	base := "/api/meetings/" + m.id
	f.do("PATCH", base+"/sessions/"+m.a, vbody(m.version, `"title":"First edit"`), f.tokens["secretariat"], 200, nil)
	want := map[string]any{"error": map[string]any{"code": "conflict",
		"message": "Someone else changed this meeting since you loaded it. Reload to see their changes, then make yours again."}}
	for _, req := range []struct{ method, url, body string }{
		{"PATCH", base + "/sessions/" + m.a, vbody(m.version, `"title":"Second edit"`)},
		{"PATCH", base, vbody(m.version, `"title":"Second edit"`)},
		{"POST", base + "/sessions/" + m.a + "/items", vbody(m.version, `"title":"Second edit"`)},
		{"PATCH", base + "/sessions/" + m.a + "/items/" + m.a1, vbody(m.version, `"title":"Second edit"`)},
		{"DELETE", base + "/sessions/" + m.a + "/items/" + m.a1 + "?version=" + strconv.FormatInt(m.version, 10), ""},
		{"DELETE", base + "/sessions/" + m.b + "?version=" + strconv.FormatInt(m.version, 10), ""},
		{"POST", base + "/agenda/move", vbody(m.version, `"session_id":"`+m.b+`","to_index":0`)},
		{"POST", base + "/agenda/publish", vbody(m.version, `"note":"Second edit"`)},
	} {
		var got map[string]any
		f.do(req.method, req.url, req.body, f.tokens["secretariat"], http.StatusConflict, &got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: %v", req.method, req.url, got)
		}
	}
	var v meetings.View
	f.do("GET", base, "", f.tokens["secretariat"], 200, &v)
	if v.Version != m.version+1 || v.Title != m.title || len(v.Agenda.Sessions) != 2 || v.Agenda.Sessions[0].Title != "First edit" ||
		v.Agenda.Sessions[0].Items[0].Title != "Welcome" || len(v.Published) != 1 {
		t.Fatalf("after the refused edits: %+v", v)
	}
}

// TestMeetingCalendarHTTP: the meeting's feed and the personal feed.
func TestMeetingCalendarHTTP(t *testing.T) {
	f := mustServe(t)
	pub, priv := f.meeting(meetings.Public, true), f.meeting(meetings.Participants, true)

	// The personal feed's address.
	var cal struct{ URL string }
	f.do("GET", "/api/me/calendar", "", f.tokens["member"], 200, &cal)
	u, err := url.Parse(cal.URL)
	if err != nil || u.Host == "" || !strings.HasPrefix(u.Path, "/api/calendar/") || !strings.HasSuffix(u.Path, ".ics") {
		t.Fatalf("calendar url %q", cal.URL)
	}
	var again struct{ URL string }
	f.do("GET", "/api/me/calendar", "", f.tokens["member"], 200, &again)
	if again.URL != cal.URL {
		t.Fatalf("the address changed: %q then %q", cal.URL, again.URL)
	}
	key := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/api/calendar/"), ".ics")

	calendar := func(name, path, token string, status int, want ...string) {
		t.Helper()
		resp := f.request("GET", path, "", token, nil)
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != status {
			t.Fatalf("%s: status %d, want %d: %s", name, resp.StatusCode, status, data)
		}
		if status != 200 {
			if !strings.Contains(string(data), `"error":{"code":"`) {
				t.Errorf("%s: %s", name, data)
			}
			return
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Errorf("%s: content type %q", name, ct)
		}
		body := strings.ReplaceAll(string(data), "\r\n ", "")
		if !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") {
			t.Errorf("%s: not a calendar: %.100q", name, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: lacks %q", name, w)
			}
		}
	}
	sessionUID := func(m testMeeting, sid string) string { return "UID:session-" + m.id + "-" + sid + "@plenary" }

	calendar("personal feed", u.Path, "", 200, "UID:meeting-"+priv.id+"@plenary", sessionUID(priv, priv.a), sessionUID(priv, priv.b))
	calendar("public meeting, anonymous", "/api/meetings/"+pub.id+"/calendar.ics", "", 200, "UID:meeting-"+pub.id+"@plenary", sessionUID(pub, pub.a))
	calendar("participants-only meeting, anonymous", "/api/meetings/"+priv.id+"/calendar.ics", "", 404)
	calendar("participants-only meeting, outsider", "/api/meetings/"+priv.id+"/calendar.ics", f.tokens["outsider"], 404)
	calendar("participants-only meeting, participant", "/api/meetings/"+priv.id+"/calendar.ics", f.tokens["member"], 200, sessionUID(priv, priv.b))
	calendar("participants-only meeting with a key", "/api/meetings/"+priv.id+"/calendar.ics?key="+key, "", 200, sessionUID(priv, priv.a))
	calendar("unknown meeting key", "/api/meetings/"+priv.id+"/calendar.ics?key=nosuchkey", "", 404)
	calendar("unknown key", "/api/calendar/nosuchkey.ics", "", 404)
	calendar("key without .ics", "/api/calendar/"+key, "", 404)
	calendar("key as an operator", "/api/calendar/$ne.ics", "", 404)

	// The outsider's key does not open the participants-only meeting.
	var outsiderCal struct{ URL string }
	f.do("GET", "/api/me/calendar", "", f.tokens["outsider"], 200, &outsiderCal)
	ou, _ := url.Parse(outsiderCal.URL)
	okey := strings.TrimSuffix(strings.TrimPrefix(ou.Path, "/api/calendar/"), ".ics")
	calendar("participants-only meeting with an outsider's key", "/api/meetings/"+priv.id+"/calendar.ics?key="+okey, "", 404)
	calendar("the outsider's own feed", ou.Path, "", 200)

	// Reset: the old address stops working, the new one works.
	var reset struct{ URL string }
	f.do("POST", "/api/me/calendar/reset", "", f.tokens["member"], 200, &reset)
	ru, _ := url.Parse(reset.URL)
	if ru == nil || ru.Path == u.Path {
		t.Fatalf("reset gave %q (was %q)", reset.URL, cal.URL)
	}
	calendar("old address after reset", u.Path, "", 404)
	calendar("new address after reset", ru.Path, "", 200, sessionUID(priv, priv.a))
	calendar("old key on the meeting feed", "/api/meetings/"+priv.id+"/calendar.ics?key="+key, "", 404)

	f.run(t, []scenario{
		{name: "my calendar anonymously", method: "GET", url: "/api/me/calendar", status: 401},
		{name: "reset anonymously", method: "POST", url: "/api/me/calendar/reset", status: 401},
	})
}

// TestMeetingLiveHTTP: live changes over HTTP take no version and leave it alone once the meeting
// is in session.
func TestMeetingLiveHTTP(t *testing.T) {
	f := mustServe(t)
	m := f.meeting(meetings.Participants, true)
	base := "/api/meetings/" + m.id
	var v meetings.View
	f.do("PUT", base+"/live", `{"session_id":"`+m.a+`","item_id":"`+m.a1+`","timer_seconds":300}`, f.tokens["chair"], 200, &v)
	if v.Live == nil || v.Live.ItemID != m.a1 || v.Live.TimerSeconds != 300 || v.Status != meetings.StatusInSession || v.LiveSeq != 1 {
		t.Fatalf("live: %+v", v)
	}
	started := v.Version
	f.do("PUT", base+"/live", `{"session_id":"`+m.b+`","item_id":"`+m.b1+`"}`, f.tokens["secretariat"], 200, &v)
	f.do("DELETE", base+"/live", "", f.tokens["chair"], 200, &v)
	if v.Live != nil || v.LiveSeq != 3 || v.Version != started {
		t.Fatalf("after clearing: live %+v seq %d version %d (was %d)", v.Live, v.LiveSeq, v.Version, started)
	}
	f.run(t, []scenario{
		{name: "timer too long", method: "PUT", url: base + "/live", body: `{"session_id":"` + m.a + `","item_id":"` + m.a1 + `","timer_seconds":14401}`, actor: "secretariat", status: 400},
		{name: "unknown item", method: "PUT", url: base + "/live", body: `{"session_id":"` + m.a + `","item_id":"` + m.b1 + `"}`, actor: "secretariat", status: 404},
		{name: "edit based on the version before the live changes", method: "PATCH", url: base + "/sessions/" + m.a + "/items/" + m.a1,
			body: vbody(started, `"notes":"while live"`), actor: "secretariat", status: 200, want: []string{`"notes":"while live"`}},
	})
	if b, _ := json.Marshal(v); strings.Contains(string(b), `"live":{`) {
		t.Fatalf("cleared live still present: %s", b)
	}
}
