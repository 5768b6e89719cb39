package server

import (
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"plenary/documents/reports"
)

// sdbClient speaks the ShareDB wire protocol over a real websocket, as the npm client does.
type sdbClient struct {
	*wsClient
	src string
}

func (f *fixture) dialShareDB(base, actor string) *sdbClient {
	f.t.Helper()
	ticket, err := f.ticketOver(base, actor)
	if err != nil {
		f.t.Fatal(err)
	}
	url := strings.Replace(base, "http://", "ws://", 1) + "/api/sharedb?ticket=" + ticket
	c, _, err := dialURL(f.t, url, nil)
	if err != nil {
		f.t.Fatalf("dial sharedb as %s: %v", actor, err)
	}
	sc := &sdbClient{wsClient: c}
	sc.sendMsg(map[string]any{"a": "hs", "id": nil, "protocol": 1, "protocolMinor": 2})
	hs := sc.want("handshake", func(e envelope) bool { return e.str("a") == "hs" })
	if hs.num("protocol") != 1 || hs.str("type") != "http://sharejs.org/types/JSONv0" || hs.str("id") == "" {
		f.t.Fatalf("handshake: %v", hs)
	}
	sc.src = hs.str("id")
	return sc
}

func (c *sdbClient) sendMsg(m map[string]any) {
	c.t.Helper()
	if err := c.send(m); err != nil {
		c.t.Fatal(err)
	}
}

// want returns the next message matching, skipping others.
func (c *sdbClient) want(what string, match func(envelope) bool) envelope {
	c.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-c.events:
			if match(e) {
				return e
			}
		case <-deadline:
			c.t.Fatalf("no %s within 5 s", what)
			return nil
		}
	}
}

// quiet fails if a message matching arrives within d.
func (c *sdbClient) quiet(what string, d time.Duration, match func(envelope) bool) {
	c.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case e := <-c.events:
			if match(e) {
				c.t.Fatalf("unexpected %s: %v", what, e)
			}
		case <-deadline:
			return
		}
	}
}

func isA(a, d string) func(envelope) bool {
	return func(e envelope) bool { return e.str("a") == a && (d == "" || e.str("d") == d) }
}

func errCode(e envelope) string {
	m, _ := e["error"].(map[string]any)
	s, _ := m["code"].(string)
	return s
}

func (c *sdbClient) fetch(id string) map[string]any {
	c.t.Helper()
	c.sendMsg(map[string]any{"a": "f", "c": "reports", "d": id, "v": nil})
	e := c.want("fetch answer", isA("f", id))
	if errCode(e) != "" {
		c.t.Fatalf("fetch: %v", e)
	}
	data, _ := e["data"].(map[string]any)
	return data
}

func (c *sdbClient) submit(id string, v, seq int64, op any) {
	c.t.Helper()
	c.sendMsg(map[string]any{"a": "op", "c": "reports", "d": id, "v": v, "seq": seq, "op": op, "x": map[string]any{}})
}

func (c *sdbClient) wantAck(id string, seq int64) envelope {
	c.t.Helper()
	e := c.want("ack", func(e envelope) bool {
		return e.str("a") == "op" && e.str("d") == id && e.num("seq") == seq && (e.str("src") == c.src || errCode(e) != "")
	})
	if errCode(e) != "" {
		c.t.Fatalf("op %d refused: %v", seq, e)
	}
	return e
}

func (c *sdbClient) wantOpError(id string) string {
	c.t.Helper()
	return errCode(c.want("op error", func(e envelope) bool { return e.str("a") == "op" && e.str("d") == id && errCode(e) != "" }))
}

func (f *fixture) createReport(actor, group string) string {
	f.t.Helper()
	var r struct{ ID string }
	f.do(http.MethodPost, "/api/reports", `{"title":"Chairman's Report","group_id":"`+group+`"}`, f.tokens[actor], http.StatusCreated, &r)
	return r.ID
}

func TestReportsHTTP(t *testing.T) {
	f := mustServe(t)
	id := f.createReport("chair", f.private)
	f.run(t, []scenario{
		{name: "member may not create", method: "POST", url: "/api/reports", body: `{"title":"R","group_id":"` + f.private + `"}`, actor: "member", status: 403},
		{name: "outsider does not see the group", method: "POST", url: "/api/reports", body: `{"title":"R","group_id":"` + f.private + `"}`, actor: "outsider", status: 404},
		{name: "empty title", method: "POST", url: "/api/reports", body: `{"title":"","group_id":"` + f.private + `"}`, actor: "secretariat", status: 400},
		{name: "member reads", method: "GET", url: "/api/reports/" + id, actor: "member", status: 200, want: []string{`"can_edit":false`, `"type":"http://sharejs.org/types/text-unicode"`}},
		{name: "chair edits", method: "GET", url: "/api/reports/" + id, actor: "chair", status: 200, want: []string{`"can_edit":true`, `"can_manage":true`}},
		{name: "outsider does not see", method: "GET", url: "/api/reports/" + id, actor: "outsider", status: 404},
		{name: "group list", method: "GET", url: "/api/groups/" + f.private + "/reports", actor: "observer", status: 200, want: []string{id}},
		{name: "member may not name drafters", method: "PUT", url: "/api/reports/" + id + "/drafters", body: `{"user_ids":["` + f.users["member"].ID + `"]}`, actor: "member", status: 403},
		{name: "chair names a drafter", method: "PUT", url: "/api/reports/" + id + "/drafters", body: `{"user_ids":["` + f.users["member"].ID + `"]}`, actor: "chair", status: 200, want: []string{`"name":"Member"`}},
		{name: "drafter edits", method: "GET", url: "/api/reports/" + id, actor: "member", status: 200, want: []string{`"can_edit":true`}},
	})
}

func TestShareDBEditing(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	id := f.createReport("chair", f.private)

	a := f.dialShareDB(base, "chair")
	b := f.dialShareDB(base, "secretariat")
	// The document exists, typed text-unicode, as soon as POST returned.
	if d := a.fetch(id); d["v"].(float64) != 1 || d["data"] != "" || d["type"] != "http://sharejs.org/types/text-unicode" {
		t.Fatalf("fetch after create: %v", d)
	}
	for _, c := range []*sdbClient{a, b} {
		c.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
		if s := c.want("subscribe answer", isA("s", id)); errCode(s) != "" {
			t.Fatalf("subscribe: %v", s)
		}
	}

	a.submit(id, 1, 1, []any{"Hello"})
	if ack := a.wantAck(id, 1); ack.num("v") != 1 || ack["op"] != nil {
		t.Fatalf("ack: %v", ack)
	}
	if op := b.want("broadcast", isA("op", id)); op.num("v") != 1 || op.str("src") != a.src {
		t.Fatalf("broadcast: %v", op)
	}

	t.Run("concurrent ops converge", func(t *testing.T) {
		a.submit(id, 2, 2, []any{5, " wörld 👩‍👩‍👧"})
		b.submit(id, 2, 1, []any{"¡"})
		ackA, ackB := a.wantAck(id, 2), b.wantAck(id, 1)
		if ackA.num("v") == ackB.num("v") {
			t.Fatalf("both acknowledged at %d", ackA.num("v"))
		}
		want := "¡Hello wörld 👩‍👩‍👧"
		if d := b.fetch(id); d["data"] != want || d["v"].(float64) != 4 {
			t.Fatalf("text %v, want %q at 4", d, want)
		}
	})

	t.Run("a resubmitted op is acknowledged once and not applied again", func(t *testing.T) {
		before := a.fetch(id)
		a.submit(id, 2, 2, []any{5, " wörld 👩‍👩‍👧"})
		ack := a.wantAck(id, 2)
		if d := a.fetch(id); d["data"] != before["data"] || d["v"] != before["v"] {
			t.Fatalf("after resubmission %v, before %v (ack %v)", d, before, ack)
		}
		b.quiet("broadcast of a resubmission", 200*time.Millisecond, isA("op", id))
	})

	t.Run("invalid ops are refused and change nothing", func(t *testing.T) {
		before := a.fetch(id)
		for i, tc := range []struct {
			v    int64
			op   any
			code string
		}{
			{4, []any{map[string]any{"d": 0}}, "ERR_OT_OP_BADLY_FORMED"},
			{4, []any{true}, "ERR_OT_OP_BADLY_FORMED"},
			{4, "not an op", "ERR_OT_OP_BADLY_FORMED"},
			{4, []any{1000, "x"}, "ERR_OT_OP_NOT_APPLIED"},
			{99, []any{"x"}, "ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT"},
		} {
			a.submit(id, tc.v, int64(10+i), tc.op)
			if code := a.wantOpError(id); code != tc.code {
				t.Errorf("op %v: %s, want %s", tc.op, code, tc.code)
			}
		}
		if d := a.fetch(id); d["data"] != before["data"] || d["v"] != before["v"] {
			t.Fatalf("after refusals %v, before %v", d, before)
		}
	})

	t.Run("snapshot at a version", func(t *testing.T) {
		a.sendMsg(map[string]any{"a": "nf", "id": 7, "c": "reports", "d": id, "v": 2})
		e := a.want("nf answer", func(e envelope) bool { return e.str("a") == "nf" })
		if e.num("id") != 7 || e.num("v") != 2 || e.str("data") != "Hello" || e.str("type") != "http://sharejs.org/types/text-unicode" {
			t.Fatalf("nf: %v", e)
		}
		a.sendMsg(map[string]any{"a": "nf", "id": 8, "c": "reports", "d": id, "v": 0})
		if e := a.want("nf answer", func(e envelope) bool { return e.str("a") == "nf" }); e["type"] != nil || e.num("v") != 0 {
			t.Fatalf("nf at 0: %v", e)
		}
		a.sendMsg(map[string]any{"a": "nt", "id": 9, "c": "reports", "d": id, "ts": time.Now().Add(time.Hour).UnixMilli()})
		if e := a.want("nt answer", func(e envelope) bool { return e.str("a") == "nt" }); e.num("v") != 4 {
			t.Fatalf("nt: %v", e)
		}
	})

	t.Run("readers may not edit", func(t *testing.T) {
		m := f.dialShareDB(base, "observer")
		m.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
		if s := m.want("subscribe answer", isA("s", id)); errCode(s) != "" {
			t.Fatalf("observer subscribe: %v", s)
		}
		m.submit(id, 4, 1, []any{"x"})
		if code := m.wantOpError(id); code != "ERR_OP_SUBMIT_REJECTED" {
			t.Fatalf("observer op: %s", code)
		}
	})

	t.Run("outsiders do not see the report", func(t *testing.T) {
		o := f.dialShareDB(base, "outsider")
		o.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
		if s := o.want("subscribe answer", isA("s", id)); errCode(s) != "ERR_DOC_DOES_NOT_EXIST" || s["data"] != nil {
			t.Fatalf("outsider subscribe: %v", s)
		}
		o.sendMsg(map[string]any{"a": "ps", "ch": "reports." + id, "seq": 1})
		if e := o.want("ps answer", isA("ps", "")); errCode(e) != "ERR_DOC_DOES_NOT_EXIST" {
			t.Fatalf("outsider presence subscribe: %v", e)
		}
	})

	t.Run("presence carries the name and is cleared on leave", func(t *testing.T) {
		b.sendMsg(map[string]any{"a": "ps", "ch": "reports." + id, "seq": 1})
		b.want("ps answer", isA("ps", ""))
		c := f.dialShareDB(base, "chair")
		c.sendMsg(map[string]any{"a": "p", "ch": "reports." + id, "id": "cursor-1", "p": map[string]any{"sel": []int{1, 1}, "user": "spoof"}, "pv": 0, "c": "reports", "d": id, "v": 1, "t": "http://sharejs.org/types/text-unicode"})
		c.want("presence echo", isA("p", ""))
		p := b.want("presence", isA("p", ""))
		val, _ := p["p"].(map[string]any)
		user, _ := val["user"].(map[string]any)
		sel, _ := val["sel"].([]any)
		// Moved from version 1 through "Hello", " wörld…" and "¡" (all inserted before it) to the head.
		if user["name"] != "Chair" || p.num("v") != 4 || len(sel) != 2 || sel[0].(float64) != 1+5+13 && sel[0].(float64) != 1+5+13+1 {
			t.Fatalf("presence: %v", p)
		}
		c.conn.Close()
		gone := b.want("presence cleared", isA("p", ""))
		if gone["p"] != nil || gone.num("pv") != 1 || gone.str("id") != "cursor-1" {
			t.Fatalf("leave: %v", gone)
		}
	})

	t.Run("a removed member is cut off", func(t *testing.T) {
		m := f.dialShareDB(base, "member")
		m.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
		m.want("subscribe answer", isA("s", id))
		f.do(http.MethodDelete, "/api/groups/"+f.private+"/members/"+f.users["member"].ID, "", f.tokens["secretariat"], http.StatusOK, nil)
		if code, _ := m.waitClosed(5 * time.Second); code != closeRevoked {
			t.Fatalf("close code %d, want %d", code, closeRevoked)
		}
	})
}

func TestShareDBRestartServesTheSameText(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	id := f.createReport("chair", f.public)
	a := f.dialShareDB(base, "chair")
	a.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
	a.want("subscribe answer", isA("s", id))
	want := ""
	for i := range int64(12) { // milestones every 5 ops: 5, 10, then two ops after
		a.submit(id, 1+i, 1+i, []any{"ب"})
		a.wantAck(id, 1+i)
		want += "ب"
	}
	time.Sleep(300 * time.Millisecond) // milestones are written in the background

	// A new service on the same store knows nothing in memory: it opens from milestone + ops.
	reps := reports.New(f.st, f.acc, f.rooms, reports.Config{MilestoneEvery: 5, Logger: slog.New(slog.DiscardHandler)})
	f2 := *f
	f2.srv = New(Config{Logger: slog.New(slog.DiscardHandler), Store: f.st, Accounts: f.acc, Rooms: f.rooms, Discussion: f.disc, Meetings: f.meet, Reports: reps})
	f2.reps = reps
	base2 := f2.listen()
	b := f2.dialShareDB(base2, "member")
	if d := b.fetch(id); d["data"] != want || d["v"].(float64) != 13 {
		t.Fatalf("after restart %v, want %q at 13", d, want)
	}
	snap, err := reps.SnapshotAt(t.Context(), f.users["member"], id, ptr(int64(7)))
	if err != nil || snap.Data != strings.Repeat("ب", 6) {
		t.Fatalf("snapshot at 7: %+v %v", snap, err)
	}
	// The timeline, stored with the milestones and folded on from them, is the same.
	before, err := f.reps.History(t.Context(), f.users["member"], id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	after, err := reps.History(t.Context(), f.users["member"], id, 0, 0)
	if err != nil || !reflect.DeepEqual(before, after) || len(after) != 2 || after[0].Authors[0].Ops != 12 {
		t.Fatalf("history after restart %+v (%v), before %+v", after, err, before)
	}
}

func ptr[T any](v T) *T { return &v }

// A report nobody uses is dropped from memory and opened again from the store on the next use,
// with its text and its timeline.
func TestIdleReportsAreUnloaded(t *testing.T) {
	f := mustServe(t)
	reps := reports.New(f.st, f.acc, f.rooms, reports.Config{MilestoneEvery: 5, IdleUnload: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	f.srv = New(Config{Logger: slog.New(slog.DiscardHandler), Store: f.st, Accounts: f.acc, Rooms: f.rooms, Discussion: f.disc, Meetings: f.meet, Reports: reps})
	f.reps = reps
	base := f.listen()
	id := f.createReport("chair", f.public)
	a := f.dialShareDB(base, "chair")
	a.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
	a.want("subscribe answer", isA("s", id))
	for i := range int64(7) {
		a.submit(id, 1+i, 1+i, []any{"ج"})
		a.wantAck(id, 1+i)
	}
	time.Sleep(300 * time.Millisecond)
	if n := reps.Loaded(); n != 1 {
		t.Fatalf("%d reports loaded while one is followed, want 1", n)
	}
	before, err := reps.History(t.Context(), f.users["chair"], id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	a.conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for reps.Loaded() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d reports still loaded after everyone left", reps.Loaded())
		}
		time.Sleep(20 * time.Millisecond)
	}
	b := f.dialShareDB(base, "member")
	if d := b.fetch(id); d["data"] != strings.Repeat("ج", 7) || d["v"].(float64) != 8 {
		t.Fatalf("after unloading %v", d)
	}
	after, err := reps.History(t.Context(), f.users["chair"], id, 0, 0)
	if err != nil || !reflect.DeepEqual(before, after) {
		t.Fatalf("history after unloading %+v (%v), before %+v", after, err, before)
	}
	c := f.dialShareDB(base, "chair")
	c.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
	c.want("subscribe answer", isA("s", id))
	c.submit(id, 8, 1, []any{"!"})
	if ack := c.wantAck(id, 1); ack.num("v") != 8 {
		t.Fatalf("ack after reload %v", ack)
	}
}
