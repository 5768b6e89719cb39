package server

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWSIdempotentPosts: a post repeated with the same cmid by the same person is stored once.
func TestWSIdempotentPosts(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	a := f.mustDial(base, "member")
	b := f.mustDial(base, "member") // the same person's other tab
	chair := f.mustDial(base, "chair")
	watcher := f.mustDial(base, "secretariat")
	watcher.subscribe(room)

	// Sequentially, on one connection and then on the other.
	first := a.post(room, "Agenda", "once", "same-1")
	if again := a.post(room, "Agenda", "once", "same-1"); again != first {
		t.Fatalf("repeat on the same connection: seq %d, want %d", again, first)
	}
	if again := b.post(room, "Agenda", "once, from the other tab", "same-1"); again != first {
		t.Fatalf("repeat on the other connection: seq %d, want %d", again, first)
	}

	// Concurrently from both connections, many rounds.
	const rounds = 30
	want := map[string]bool{}
	for i := range rounds {
		cmid := fmt.Sprintf("race-%d", i)
		var seqs [2]int64
		var errsSeen [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for j, c := range []*wsClient{a, b} {
			wg.Go(func() {
				<-start
				e, err := c.tryRequest(map[string]any{"type": "post", "room": room, "topic": "Agenda", "body": "raced " + cmid, "cmid": cmid}, 10*time.Second)
				if err == nil && e.str("type") != "ack" {
					err = fmt.Errorf("answer %v", e)
				}
				seqs[j], errsSeen[j] = e.num("seq"), err
			})
		}
		close(start)
		wg.Wait()
		if errsSeen[0] != nil || errsSeen[1] != nil {
			t.Fatalf("round %d: %v / %v", i, errsSeen[0], errsSeen[1])
		}
		if seqs[0] != seqs[1] || seqs[0] == 0 {
			t.Fatalf("round %d: the twins got seq %d and %d", i, seqs[0], seqs[1])
		}
		want[cmid] = true
	}

	// Different people with the same cmid make two messages.
	s1 := a.post(room, "Agenda", "mine", "shared-cmid")
	s2 := chair.post(room, "Agenda", "mine too", "shared-cmid")
	if s1 == s2 {
		t.Fatalf("two people's posts with one cmid share seq %d", s1)
	}

	// Everyone saw each message once, with seqs 1..head without gaps.
	marker := chair.post(room, "Agenda", "marker", "marker")
	seen := map[string]int{}
	var last int64
	for last < marker {
		e := watcher.nextEvent("message", 5*time.Second)
		if e.num("seq") != last+1 {
			t.Fatalf("event seq %d after %d", e.num("seq"), last)
		}
		last = e.num("seq")
		m := messageOf(e)
		seen[fmt.Sprint(m["author"].(map[string]any)["id"], "/", m["cmid"])]++
	}
	for cmid := range want {
		if n := seen[f.users["member"].ID+"/"+cmid]; n != 1 {
			t.Errorf("cmid %s delivered %d times", cmid, n)
		}
	}
	if n := seen[f.users["member"].ID+"/same-1"]; n != 1 {
		t.Errorf("same-1 delivered %d times", n)
	}
	if marker != int64(1+rounds+2+1) {
		t.Errorf("head %d, want %d: duplicates were stored", marker, 1+rounds+2+1)
	}
	if msgs := chair.historyAll(room, 100); len(msgs) != int(marker) {
		t.Errorf("history holds %d messages, want %d", len(msgs), marker)
	}

	// Bad cmids.
	for _, cmid := range []any{"", strings.Repeat("c", 65), "with space", "a|b", "$x", "é"} {
		a.wantError(map[string]any{"type": "post", "room": room, "topic": "Agenda", "body": "x", "cmid": cmid}, "invalid")
	}
}

// TestWSUnreadAndReadPositions covers the unread counts of the subscribe ack, read positions and
// their fan-out to the person's other connections, and mentions.
func TestWSUnreadAndReadPositions(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	memberID := f.users["member"].ID
	chair := f.mustDial(base, "chair")
	chair.subscribe(room)

	a1 := chair.post(room, "A", "one", "a1")
	a2 := chair.post(room, "A", "two", "a2")
	b1 := chair.ok(map[string]any{"type": "post", "room": room, "topic": "B", "body": "Over to you @**Member**", "cmid": "b1",
		"mentions": []string{memberID}})
	member := f.mustDial(base, "member")
	own := member.post(room, "A", "my own message does not count", "m1")
	a3 := chair.post(room, "A", "three", "a3")
	b2 := chair.post(room, "B", "four", "b2")
	deleted := chair.post(room, "B", "deleted ones do not count", "b3")
	chair.ok(map[string]any{"type": "delete", "room": room, "seq": deleted})

	// The mention was rendered and recorded.
	hist := chair.historyAll(room, 100)
	var mention map[string]any
	for _, m := range hist {
		if numOf(m, "seq") == b1.num("seq") {
			mention = m
		}
	}
	wantSpan := `<span class="mention" data-user="` + memberID + `">@Member</span>`
	if mention == nil || !strings.Contains(mention["html"].(string), wantSpan) || fmt.Sprint(mention["mentions"]) != "["+memberID+"]" {
		t.Fatalf("mention: %v", mention)
	}
	// Only members of the group can be mentioned.
	chair.wantError(map[string]any{"type": "post", "room": room, "topic": "B", "body": "@**Outsider**", "cmid": "b4",
		"mentions": []string{f.users["outsider"].ID}}, "invalid")
	chair.wantError(map[string]any{"type": "post", "room": room, "topic": "B", "body": "@**Nobody**", "cmid": "b5",
		"mentions": []string{"no-such-user"}}, "invalid")
	chair.wantError(map[string]any{"type": "edit", "room": room, "seq": a1, "body": "@**Outsider**",
		"mentions": []string{f.users["outsider"].ID}}, "invalid")

	ack := member.subscribe(room)
	topics := topicsByName(ack)
	if len(topics) != 2 {
		t.Fatalf("topics: %v", ack["topics"])
	}
	if ta := topics["A"]; numOf(ta, "unread") != 3 || numOf(ta, "mentions") != 0 || numOf(ta, "messages") != 4 || numOf(ta, "last_seq") != a3 {
		t.Errorf("topic A: %v (want unread 3 of 4 messages, last_seq %d)", ta, a3)
	}
	if tb := topics["B"]; numOf(tb, "unread") != 2 || numOf(tb, "mentions") != 1 || numOf(tb, "last_seq") != deleted {
		t.Errorf("topic B: %v (want unread 2, mentions 1, last_seq %d)", tb, deleted)
	}
	if ack.num("head") != deleted+1 {
		t.Errorf("head %d, want %d", ack.num("head"), deleted+1)
	}
	if read, _ := ack["read"].(map[string]any); len(read["topics"].(map[string]any)) != 0 {
		t.Errorf("read positions of a newcomer: %v", ack["read"])
	}
	// The chair's own messages do not count for the chair.
	if tc := topicsByName(f.mustDial(base, "chair").subscribe(room)); numOf(tc["A"], "unread") != 1 || numOf(tc["B"], "unread") != 0 {
		t.Errorf("chair's unread: %v", tc)
	}

	// Reading A up to a2 on one tab: the other tab hears of it, the first does not.
	other := f.mustDial(base, "member")
	other.subscribe(room)
	member.ok(map[string]any{"type": "read", "room": room, "topic": "A", "seq": a2})
	r := other.next("read", 5*time.Second)
	if r.str("room") != room || r.str("topic") != "A" || r.num("seq") != a2 {
		t.Fatalf("read envelope: %v", r)
	}
	// Going back is ignored; going beyond the head is refused.
	member.ok(map[string]any{"type": "read", "room": room, "topic": "A", "seq": a1})
	member.wantError(map[string]any{"type": "read", "room": room, "topic": "A", "seq": 1000}, "invalid")
	member.wantError(map[string]any{"type": "read", "room": room, "topic": "A", "seq": -1}, "invalid")
	member.syncPoint()
	other.syncPoint()
	for _, e := range append(member.drain(200*time.Millisecond), other.drain(0)...) {
		if e.str("type") == "read" {
			t.Errorf("unexpected read envelope: %v", e)
		}
	}

	fresh := f.mustDial(base, "member")
	ack = fresh.subscribe(room)
	read, _ := ack["read"].(map[string]any)
	if pos, _ := read["topics"].(map[string]any); numOf(pos, "A") != a2 || len(pos) != 1 {
		t.Fatalf("read positions after reload: %v", ack["read"])
	}
	if ta := topicsByName(ack)["A"]; numOf(ta, "unread") != 1 {
		t.Errorf("topic A after reading to %d: %v", a2, ta)
	}
	member.ok(map[string]any{"type": "read", "room": room, "topic": "A", "seq": a3})
	member.ok(map[string]any{"type": "read", "room": room, "topic": "B", "seq": b2})
	for _, c := range []*wsClient{other, fresh} {
		c.next("read", 5*time.Second)
		c.next("read", 5*time.Second)
	}
	ack = f.mustDial(base, "member").subscribe(room)
	topics = topicsByName(ack)
	if numOf(topics["A"], "unread") != 0 || numOf(topics["B"], "unread") != 0 || numOf(topics["B"], "mentions") != 0 {
		t.Errorf("after reading everything: %v", ack["topics"])
	}
	_ = own
}

// TestWSEditsDeletesReactions checks the change events and their effect in the history.
func TestWSEditsDeletesReactions(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	memberID, chairID := f.users["member"].ID, f.users["chair"].ID
	member := f.mustDial(base, "member")
	chair := f.mustDial(base, "chair")
	watcher := f.mustDial(base, "observer")
	watcher.subscribe(room)

	seq := member.post(room, "Agenda", "first *draft*", "m1")
	if e := watcher.nextEvent("message", 5*time.Second); e.num("seq") != seq || messageOf(e)["edited_at"] != nil {
		t.Fatalf("message event: %v", e)
	}

	// Edit.
	ed := member.ok(map[string]any{"type": "edit", "room": room, "seq": seq, "body": "final **text**"})
	e := watcher.nextEvent("edit", 5*time.Second)
	m := messageOf(e)
	if e.num("seq") != ed.num("seq") || e.num("seq") != seq+1 || numOf(m, "seq") != seq || m["body"] != "final **text**" ||
		m["html"] != "<p>final <strong>text</strong></p>\n" || m["edited_at"] == nil || m["topic"] != "Agenda" || m["cmid"] != "m1" {
		t.Fatalf("edit event: %v", e)
	}
	if _, err := time.Parse(time.RFC3339Nano, m["edited_at"].(string)); err != nil {
		t.Errorf("edited_at: %v", err)
	}
	member.wantError(map[string]any{"type": "edit", "room": room, "seq": seq, "body": "   "}, "invalid")
	member.wantError(map[string]any{"type": "edit", "room": room, "seq": 999, "body": "x"}, "not_found")
	member.wantError(map[string]any{"type": "edit", "room": room, "seq": seq + 1, "body": "x"}, "not_found") // an edit event, not a message
	member.wantError(map[string]any{"type": "edit", "room": room, "seq": 0, "body": "x"}, "not_found")

	// Reactions toggle.
	react := func(c *wsClient, emoji string, on bool) map[string]any {
		t.Helper()
		ack := c.ok(map[string]any{"type": "react", "room": room, "seq": seq, "emoji": emoji, "on": on})
		e := watcher.nextEvent("reaction", 5*time.Second)
		if e.num("seq") != ack.num("seq") || numOf(messageOf(e), "seq") != seq {
			t.Fatalf("reaction event %v for ack %v", e, ack)
		}
		r, _ := messageOf(e)["reactions"].(map[string]any)
		return r
	}
	users := func(r map[string]any, emoji string) []string {
		var out []string
		list, _ := r[emoji].([]any)
		for _, u := range list {
			out = append(out, u.(string))
		}
		slices.Sort(out)
		return out
	}
	r := react(member, "👍", true)
	if len(r) != 1 || !slices.Equal(users(r, "👍"), []string{memberID}) {
		t.Fatalf("reactions: %v", r)
	}
	r = react(member, "👍", true) // on again: no duplicate
	if !slices.Equal(users(r, "👍"), []string{memberID}) {
		t.Fatalf("reactions after a repeated on: %v", r)
	}
	r = react(chair, "👍", true)
	wantBoth := []string{memberID, chairID}
	slices.Sort(wantBoth)
	if !slices.Equal(users(r, "👍"), wantBoth) {
		t.Fatalf("reactions: %v", r)
	}
	r = react(chair, "🇫🇷", true)
	r = react(member, "👍", false)
	if !slices.Equal(users(r, "👍"), []string{chairID}) || !slices.Equal(users(r, "🇫🇷"), []string{chairID}) {
		t.Fatalf("reactions: %v", r)
	}
	r = react(chair, "👍", false)
	r = react(chair, "🇫🇷", false)
	if len(r) != 0 {
		t.Fatalf("all reactions off: %v", r)
	}
	r = react(member, "👩🏽‍💻", true)
	for _, bad := range []string{"a", "<b>", "", "👍a", "1", " ", "👍 ", strings.Repeat("👍", 17), "<script>"} {
		member.wantError(map[string]any{"type": "react", "room": room, "seq": seq, "emoji": bad, "on": true}, "invalid")
	}
	member.wantError(map[string]any{"type": "react", "room": room, "seq": 999, "emoji": "👍", "on": true}, "not_found")

	// Delete: a tombstone.
	del := member.ok(map[string]any{"type": "delete", "room": room, "seq": seq})
	e = watcher.nextEvent("delete", 5*time.Second)
	m = messageOf(e)
	if e.num("seq") != del.num("seq") || numOf(m, "seq") != seq || m["deleted"] != true || m["body"] != "" || m["html"] != "" ||
		len(m["reactions"].(map[string]any)) != 0 {
		t.Fatalf("delete event: %v", e)
	}
	member.wantError(map[string]any{"type": "edit", "room": room, "seq": seq, "body": "resurrect"}, "conflict")
	member.wantError(map[string]any{"type": "react", "room": room, "seq": seq, "emoji": "👍", "on": true}, "conflict")
	member.wantError(map[string]any{"type": "delete", "room": room, "seq": seq}, "conflict")
	keep := member.post(room, "Agenda", "kept", "m2")
	hist := watcher.historyAll(room, 50)
	if len(hist) != 2 || numOf(hist[0], "seq") != seq || hist[0]["deleted"] != true || hist[0]["body"] != "" ||
		numOf(hist[1], "seq") != keep || hist[1]["body"] != "kept" {
		t.Fatalf("history: %v", hist)
	}
	// A late subscriber resuming from 0 sees every event once, in order.
	late := f.mustDial(base, "chair")
	ack := late.ok(map[string]any{"type": "subscribe", "room": room, "since": 0})
	for want := int64(1); want <= ack.num("head"); want++ {
		e := late.next("event", 5*time.Second)
		if e.num("seq") != want {
			t.Fatalf("replay: seq %d, want %d", e.num("seq"), want)
		}
	}
}

// TestWSTopicsAndHistory covers renaming (merging) and resolving topics, and history paging.
func TestWSTopicsAndHistory(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	chair := f.mustDial(base, "chair")
	member := f.mustDial(base, "member")
	sec := f.mustDial(base, "secretariat")
	watcher := f.mustDial(base, "observer")
	watcher.subscribe(room)

	bodies := map[int64]string{}
	post := func(c *wsClient, topic string, i int) int64 {
		body := fmt.Sprintf("%s message %d", topic, i)
		s := c.post(room, topic, body, fmt.Sprintf("%s-%d", topic, i))
		bodies[s] = body
		return s
	}
	for i := range 5 {
		post(member, "Old", i)
		post(chair, "New", i)
	}
	chair.wantError(map[string]any{"type": "topic", "room": room, "topic": "Missing", "resolved": true}, "not_found")
	chair.wantError(map[string]any{"type": "topic", "room": room, "topic": "Old"}, "invalid")
	chair.wantError(map[string]any{"type": "topic", "room": room, "topic": "Old", "rename_to": ""}, "invalid")
	chair.wantError(map[string]any{"type": "topic", "room": room, "topic": "Old", "rename_to": strings.Repeat("n", 61)}, "invalid")
	member.wantError(map[string]any{"type": "post", "room": room, "topic": strings.Repeat("n", 61), "body": "x", "cmid": "long"}, "invalid")
	member.wantError(map[string]any{"type": "post", "room": room, "topic": "", "body": "x", "cmid": "empty"}, "invalid")

	// Resolve round trip.
	chair.ok(map[string]any{"type": "topic", "room": room, "topic": "New", "resolved": true})
	ev := watcher.nextEvent("topic", 5*time.Second)
	tp, _ := ev["topic"].(map[string]any)
	if tp["name"] != "New" || tp["resolved"] != true || tp["renamed_from"] != nil {
		t.Fatalf("topic event: %v", ev)
	}
	if tn := topicsByName(f.mustDial(base, "member").subscribe(room))["New"]; tn["resolved"] != true {
		t.Fatalf("resolved not kept: %v", tn)
	}

	// Rename Old into New (a merge).
	ack := sec.ok(map[string]any{"type": "topic", "room": room, "topic": "Old", "rename_to": "New"})
	ev = watcher.nextEvent("topic", 5*time.Second)
	tp, _ = ev["topic"].(map[string]any)
	if ev.num("seq") != ack.num("seq") || tp["name"] != "New" || tp["renamed_from"] != "Old" || tp["resolved"] != true {
		t.Fatalf("rename event: %v", ev)
	}
	topics := topicsByName(f.mustDial(base, "member").subscribe(room))
	if _, ok := topics["Old"]; ok || numOf(topics["New"], "messages") != 10 || len(topics) != 1 {
		t.Fatalf("topics after the merge: %v", topics)
	}
	// Posting under the old name lands in the new topic.
	s := post(member, "Old", 99)
	if e := watcher.nextEvent("message", 5*time.Second); e.num("seq") != s || messageOf(e)["topic"] != "New" {
		t.Fatalf("post to a renamed topic: %v", e)
	}
	// Unresolve under the old name works too (names resolve through renames).
	chair.ok(map[string]any{"type": "topic", "room": room, "topic": "Old", "resolved": false})
	if e := watcher.nextEvent("topic", 5*time.Second); e["topic"].(map[string]any)["resolved"] != false {
		t.Fatalf("unresolve: %v", e)
	}
	// Rename to a fresh name.
	chair.ok(map[string]any{"type": "topic", "room": room, "topic": "New", "rename_to": "Newest"})

	// More messages, with other events in between, for paging.
	for i := range 120 {
		s := post(member, "Newest", i)
		if i%7 == 0 {
			member.ok(map[string]any{"type": "react", "room": room, "seq": s, "emoji": "👍", "on": true})
		}
		if i%11 == 0 {
			member.ok(map[string]any{"type": "edit", "room": room, "seq": s, "body": bodies[s] + " (edited)"})
			bodies[s] += " (edited)"
		}
	}
	wantSeqs := make([]int64, 0, len(bodies))
	for s := range bodies {
		wantSeqs = append(wantSeqs, s)
	}
	slices.Sort(wantSeqs)
	for _, limit := range []int{1, 7, 50, 100} {
		all := watcher.historyAll(room, limit)
		if len(all) != len(wantSeqs) {
			t.Fatalf("limit %d: history holds %d messages, want %d", limit, len(all), len(wantSeqs))
		}
		for i, m := range all {
			if numOf(m, "seq") != wantSeqs[i] || m["body"] != bodies[wantSeqs[i]] || m["topic"] != "Newest" {
				t.Fatalf("limit %d: message %d is %v, want seq %d %q in Newest", limit, i, m, wantSeqs[i], bodies[wantSeqs[i]])
			}
		}
	}
	if n := len(watcher.ok(map[string]any{"type": "history", "room": room})["messages"].([]any)); n != 50 {
		t.Errorf("default page: %d messages", n)
	}
	if n := len(watcher.ok(map[string]any{"type": "history", "room": room, "limit": 1000})["messages"].([]any)); n != 100 {
		t.Errorf("page with limit 1000: %d messages", n)
	}
	first := watcher.ok(map[string]any{"type": "history", "room": room, "before": wantSeqs[0]})
	if n := len(first["messages"].([]any)); n != 0 {
		t.Errorf("history before the first message: %v", first)
	}
}

// TestWSMarkdownSafety: raw HTML and unsafe links never reach the rendered html.
func TestWSMarkdownSafety(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	room := roomOf(f.private)
	member := f.mustDial(base, "member")
	member.subscribe(room)

	render := func(body string) string {
		t.Helper()
		member.post(room, "Markdown", body, fmt.Sprintf("md-%d", time.Now().UnixNano()))
		return messageOf(member.nextEvent("message", 5*time.Second))["html"].(string)
	}
	cases := []struct {
		body       string
		want, deny []string
	}{
		{"<script>alert(1)</script>", nil, []string{"<script"}},
		{"hello <script>alert(1)</script> there", []string{"hello"}, []string{"<script"}},
		{"<img src=x onerror=alert(1)>", nil, []string{"<img"}},
		{`<a href="javascript:alert(1)">x</a>`, nil, []string{"<a ", "javascript:"}},
		{"[click](javascript:alert(1))", []string{"click"}, []string{"<a", "javascript:"}},
		{"[click](JavaScript:alert(1))", []string{"click"}, []string{"<a", "avascript:"}},
		{"[click](  javascript:alert(1)  )", []string{"click"}, []string{"<a", "javascript:"}},
		{"[click](jav&#x61;script:alert(1))", []string{"click"}, []string{"<a"}},
		{"[click](data:text/html;base64,PHNjcmlwdD4=)", []string{"click"}, []string{"<a", "data:"}},
		{"<javascript:alert(1)>", nil, []string{"<a", `href="javascript`}},
		{"![alt text](http://example.org/x.png)", []string{"alt text"}, []string{"<img"}},
		{"[site](http://example.org/a?b=1)", []string{`<a href="http://example.org/a?b=1"`, `rel="noopener noreferrer nofollow"`, `target="_blank"`, ">site</a>"}, nil},
		{"[site](https://example.org)", []string{`href="https://example.org"`, `rel="noopener noreferrer nofollow"`, `target="_blank"`}, nil},
		{"<https://example.org/auto>", []string{`href="https://example.org/auto"`, `rel="noopener noreferrer nofollow"`, `target="_blank"`}, nil},
		{"[mail](mailto:a@example.org)", []string{`href="mailto:a@example.org"`, `rel="noopener noreferrer nofollow"`}, nil},
		{"`<b>code</b>`", []string{"<code>&lt;b&gt;code&lt;/b&gt;</code>"}, []string{"<b>"}},
		{"*em* **strong** `code`\n\n- a\n- b\n\n> quote\n\n```\nblock\n```", []string{"<em>em</em>", "<strong>strong</strong>", "<code>code</code>", "<ul>", "<li>a</li>", "<blockquote>", "<pre><code>block"}, nil},
	}
	for _, c := range cases {
		html := render(c.body)
		for _, w := range c.want {
			if !strings.Contains(html, w) {
				t.Errorf("%q rendered %q: lacks %q", c.body, html, w)
			}
		}
		for _, d := range c.deny {
			if strings.Contains(strings.ToLower(html), strings.ToLower(d)) {
				t.Errorf("%q rendered %q: has %q", c.body, html, d)
			}
		}
	}

	// Body limits: 16,000 characters (not bytes) fit; one more is too large.
	member.post(room, "Markdown", strings.Repeat("é", 16000), "max-body")
	member.nextEvent("message", 5*time.Second)
	member.wantError(map[string]any{"type": "post", "room": room, "topic": "Markdown", "body": strings.Repeat("x", 16001), "cmid": "too-big"}, "too_large")
	member.wantError(map[string]any{"type": "post", "room": room, "topic": "Markdown", "body": "  \n ", "cmid": "blank"}, "invalid")
	s := member.post(room, "Markdown", "short", "short")
	member.wantError(map[string]any{"type": "edit", "room": room, "seq": s, "body": strings.Repeat("x", 16001)}, "too_large")
}
