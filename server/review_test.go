package server

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/documents/review"
)

// testClock is the review's clock in tests: the real time, moved on by Advance.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// noteLog records the notifications the review sends.
type noteLog struct {
	mu    sync.Mutex
	notes []sentNote
}

type sentNote struct {
	to []string
	n  review.Notice
}

func (l *noteLog) record(_ context.Context, to []string, n review.Notice) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes = append(l.notes, sentNote{slices.Clone(to), n})
}

// of returns the notifications of a kind sent so far, and forgets every notification.
func (l *noteLog) take(kind string) []sentNote {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []sentNote
	for _, n := range l.notes {
		if n.n.Kind == kind {
			out = append(out, n)
		}
	}
	l.notes = nil
	return out
}

type reviewView struct {
	State string
	Round *struct {
		N            int
		Name         string
		V            int64
		Deadline     time.Time
		Zone         string
		ClosedBy     *struct{ ID, Name string } `json:"closed_by"`
		FinalName    string                     `json:"final_name"`
		PublishedDoc string                     `json:"published_doc"`
	}
	Versions []struct {
		Name, Kind string
		V          int64
	}
	Transitions []struct {
		Action string
		By     struct{ ID, Name string }
		Note   string
	}
	CanComment bool `json:"can_comment"`
	CanManage  bool `json:"can_manage"`
	CanEdit    bool `json:"can_edit"`
	Counts     struct{ Open, Disposed, Total int }
}

type commentView struct {
	N           int
	Kind        string
	Para        int
	Quote       string
	VersionName string `json:"version_name"`
	Anchor      struct {
		From, To int
		V        int64
		Gone     bool
	}
	Suggestion  string
	AppliedV    int64 `json:"applied_v"`
	Replies     []struct{ Text string }
	Disposition *struct{ Kind, Note string }
}

const reviewText = "# Report of the meeting\n\nThe meeting was opened by the Chairman.\n\nParticipants discussed watch, warning and incident response.\n\nThe meeting closed at noon."

// startReview makes a report with three numbered paragraphs in the private group (chair,
// member, observer) and circulates it as v1.0 until a day and a half from now.
func (f *fixture) startReview(t *testing.T) (id string, chair *sdbClient) {
	t.Helper()
	id = f.createReport("chair", f.private)
	chair = f.dialShareDB(f.listen(), "chair")
	chair.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
	chair.want("subscribe answer", isA("s", id))
	chair.submit(id, 1, 1, []any{reviewText})
	chair.wantAck(id, 1)
	deadline := f.clock.Now().Add(36 * time.Hour).UTC().Format("2006-01-02T15:04")
	var r reviewView
	f.do(http.MethodPost, "/api/reports/"+id+"/review/circulate", `{"name":"v1.0","deadline":"`+deadline+`","zone":"UTC","message":"Comments by Friday please."}`,
		f.tokens["chair"], http.StatusOK, &r)
	if r.State != "circulated" || r.Round == nil || r.Round.Name != "v1.0" || r.Round.V != 2 {
		t.Fatalf("circulated: %+v", r)
	}
	return id, chair
}

// offsetOf returns the code point offset of s in reviewText.
func offsetOf(t *testing.T, s string) (int, int) {
	t.Helper()
	i := strings.Index(reviewText, s)
	if i < 0 {
		t.Fatalf("%q not in the report", s)
	}
	from := len([]rune(reviewText[:i]))
	return from, from + len([]rune(s))
}

func TestReviewLifecycleAndPermissions(t *testing.T) {
	f := mustServe(t)
	id, chair := f.startReview(t)
	base := "/api/reports/" + id

	opened := f.notes.take("round_opened")
	if len(opened) != 1 || !slices.Contains(opened[0].to, f.users["member"].ID) || !slices.Contains(opened[0].to, f.users["observer"].ID) ||
		slices.Contains(opened[0].to, f.users["chair"].ID) || slices.Contains(opened[0].to, f.users["outsider"].ID) {
		t.Fatalf("round_opened notifications %+v", opened)
	}

	from, to := offsetOf(t, "watch, warning and incident response")
	f.run(t, []scenario{
		{name: "a member may not circulate", method: "POST", url: base + "/review/circulate", body: `{"name":"x","deadline":"2030-01-01T10:00","zone":"UTC"}`, actor: "member", status: 403},
		{name: "an outsider sees nothing", method: "GET", url: base + "/review", actor: "outsider", status: 404},
		{name: "an outsider may not comment", method: "POST", url: base + "/comments", body: `{"from":0,"to":1,"text":"x"}`, actor: "outsider", status: 404},
		{name: "an observer reads but may not comment", method: "POST", url: base + "/comments", body: fmt.Sprintf(`{"from":%d,"to":%d,"text":"x"}`, from, to), actor: "observer", status: 403},
		{name: "a second round while one is open", method: "POST", url: base + "/review/circulate", body: `{"name":"v1.1","deadline":"2030-01-01T10:00","zone":"UTC"}`, actor: "chair", status: 409},
		{name: "an empty comment", method: "POST", url: base + "/comments", body: fmt.Sprintf(`{"from":%d,"to":%d,"text":" "}`, from, to), actor: "member", status: 400},
		{name: "a range beyond the text", method: "POST", url: base + "/comments", body: `{"from":0,"to":100000,"text":"x"}`, actor: "member", status: 400},
		{name: "an operator as the range", method: "POST", url: base + "/comments", body: `{"from":{"$gt":0},"to":1,"text":"x"}`, actor: "member", status: 400},
		{name: "finalizing while comments are open", method: "POST", url: base + "/review/finalize", body: `{"name":"v2.0"}`, actor: "chair", status: 409},
		{name: "a member may not close the round", method: "POST", url: base + "/review/close", actor: "member", status: 403},
	})

	var c1, c2 commentView
	f.do(http.MethodPost, base+"/comments", fmt.Sprintf(`{"from":%d,"to":%d,"text":"Name the CERTs that presented."}`, from, to), f.tokens["member"], http.StatusCreated, &c1)
	if c1.N != 1 || c1.Para != 2 || c1.Quote != "watch, warning and incident response" || c1.VersionName != "v1.0" {
		t.Fatalf("comment %+v", c1)
	}
	sFrom, sTo := offsetOf(t, "at noon")
	f.do(http.MethodPost, base+"/comments", fmt.Sprintf(`{"kind":"suggestion","from":%d,"to":%d,"text":"It ran late.","replacement":"at 13:30"}`, sFrom, sTo), f.tokens["member"], http.StatusCreated, &c2)
	if c2.N != 2 || c2.Para != 3 || c2.Suggestion != "pending" {
		t.Fatalf("suggestion %+v", c2)
	}
	// A whole paragraph: from == to.
	var c3 commentView
	f.do(http.MethodPost, base+"/comments", `{"from":50,"to":50,"text":"Who opened it exactly?"}`, f.tokens["chair"], http.StatusCreated, &c3)
	if c3.Para != 1 || c3.Quote != "The meeting was opened by the Chairman." {
		t.Fatalf("paragraph comment %+v", c3)
	}

	f.run(t, []scenario{
		{name: "a member may not dispose", method: "POST", url: base + "/comments/1/disposition", body: `{"kind":"noted"}`, actor: "member", status: 403},
		{name: "a rejection needs a reason", method: "POST", url: base + "/comments/1/disposition", body: `{"kind":"rejected"}`, actor: "chair", status: 400},
		{name: "an unknown disposition", method: "POST", url: base + "/comments/1/disposition", body: `{"kind":"maybe"}`, actor: "chair", status: 400},
		{name: "no such comment", method: "POST", url: base + "/comments/99/disposition", body: `{"kind":"noted"}`, actor: "chair", status: 404},
		{name: "a suggestion is accepted as such", method: "POST", url: base + "/comments/2/disposition", body: `{"kind":"accepted"}`, actor: "chair", status: 409},
		{name: "a member may not accept a suggestion", method: "POST", url: base + "/comments/2/suggestion", body: `{"accept":true}`, actor: "member", status: 403},
	})

	f.do(http.MethodPost, base+"/comments/1/replies", `{"text":"Good point, will add."}`, f.tokens["chair"], http.StatusCreated, nil)
	if r := f.notes.take("reply"); len(r) != 1 || !slices.Equal(r[0].to, []string{f.users["member"].ID}) {
		t.Fatalf("reply notifications %+v", r)
	}
	var d commentView
	f.do(http.MethodPost, base+"/comments/1/disposition", `{"kind":"modified","note":"Named in a footnote."}`, f.tokens["chair"], http.StatusOK, &d)
	if d.Disposition == nil || d.Disposition.Kind != "modified" {
		t.Fatalf("disposition %+v", d)
	}
	if n := f.notes.take("disposition"); len(n) != 1 || n[0].to[0] != f.users["member"].ID {
		t.Fatalf("disposition notifications %+v", n)
	}

	// Accepting the suggestion edits the report through its authority: open editors receive it.
	f.do(http.MethodPost, base+"/comments/2/suggestion", `{"accept":true}`, f.tokens["chair"], http.StatusOK, &d)
	if d.Suggestion != "accepted" || d.AppliedV != 3 || d.Disposition == nil || d.Disposition.Kind != "accepted" {
		t.Fatalf("accepted suggestion %+v", d)
	}
	op := chair.want("the accepted suggestion, broadcast", func(e envelope) bool { return isA("op", id)(e) && e.num("v") == 2 })
	if op.str("src") != "suggestion:2" {
		t.Fatalf("suggestion op %v", op)
	}
	if doc := chair.fetch(id); !strings.HasSuffix(doc["data"].(string), "The meeting closed at 13:30.") {
		t.Fatalf("after the suggestion: %q", doc["data"])
	}
	f.do(http.MethodPost, base+"/comments/2/suggestion", `{"accept":true}`, f.tokens["chair"], http.StatusConflict, nil)
	// An applied suggestion stays accepted in the log.
	f.do(http.MethodPost, base+"/comments/2/disposition", `{"kind":"rejected","note":"no"}`, f.tokens["chair"], http.StatusConflict, nil)

	var r reviewView
	f.do(http.MethodPost, base+"/review/close", `{}`, f.tokens["chair"], http.StatusOK, &r)
	if r.State != "closed" || r.Round.ClosedBy == nil || r.Counts.Total != 3 || r.Counts.Open != 1 {
		t.Fatalf("closed: %+v", r)
	}
	f.run(t, []scenario{
		{name: "no comments once closed", method: "POST", url: base + "/comments", body: fmt.Sprintf(`{"from":%d,"to":%d,"text":"late"}`, from, to), actor: "member", status: 409},
		{name: "a final name already used", method: "POST", url: base + "/review/finalize", body: `{"name":"V1.0"}`, actor: "chair", status: 409},
		{name: "a member may not finalize", method: "POST", url: base + "/review/finalize", body: `{"name":"v2.0"}`, actor: "member", status: 403},
		{name: "publishing before final", method: "POST", url: base + "/review/publish", body: `{"format":"pdf"}`, actor: "chair", status: 409},
	})
	f.do(http.MethodPost, base+"/review/finalize", `{"name":"v2.0"}`, f.tokens["chair"], http.StatusOK, &r)
	if r.State != "final" || r.Round.FinalName != "v2.0" || r.CanEdit {
		t.Fatalf("final: %+v", r)
	}
	if n := f.notes.take("final"); len(n) != 1 || !slices.Contains(n[0].to, f.users["member"].ID) {
		t.Fatalf("final notifications %+v", n)
	}

	// Final is locked: ops, restores and suggestions are refused, dispositions settled.
	chair.submit(id, 3, 9, []any{"late edit "})
	if code := chair.wantOpError(id); code != "ERR_OP_SUBMIT_REJECTED" {
		t.Fatalf("an op on a final report: %s", code)
	}
	f.run(t, []scenario{
		{name: "no restore when final", method: "POST", url: base + "/restore", body: `{"version":2}`, actor: "chair", status: 409},
		{name: "dispositions are settled", method: "POST", url: base + "/comments/3/disposition", body: `{"kind":"noted"}`, actor: "chair", status: 409},
	})
	var rep struct {
		Locked  bool
		CanEdit bool `json:"can_edit"`
	}
	f.do(http.MethodGet, base, "", f.tokens["chair"], http.StatusOK, &rep)
	if !rep.Locked || rep.CanEdit {
		t.Fatalf("final report %+v", rep)
	}

	// The disposition log, in paragraph order.
	var log struct {
		Items []struct {
			Para      int
			N         int
			Commenter string
			Kind      string
		}
	}
	f.do(http.MethodGet, base+"/dispositions", "", f.tokens["member"], http.StatusOK, &log)
	if len(log.Items) != 3 || log.Items[0].Para != 1 || log.Items[1].Kind != "modified" || log.Items[2].Kind != "accepted" || log.Items[2].Commenter != "Member" {
		t.Fatalf("disposition log %+v", log.Items)
	}

	// A new round unlocks the report and circulates the next version.
	deadline := f.clock.Now().Add(48 * time.Hour).UTC().Format("2006-01-02T15:04")
	f.do(http.MethodPost, base+"/review/circulate", `{"name":"v3.0","deadline":"`+deadline+`","zone":"Europe/Zurich"}`, f.tokens["chair"], http.StatusOK, &r)
	if r.State != "circulated" || r.Round.N != 2 || len(r.Versions) != 3 || !r.CanEdit {
		t.Fatalf("second round %+v", r)
	}
	f.do(http.MethodGet, base, "", f.tokens["chair"], http.StatusOK, &rep)
	if rep.Locked || !rep.CanEdit {
		t.Fatalf("report in a new round %+v", rep)
	}
	actions := []string{}
	for _, t := range r.Transitions {
		actions = append(actions, t.Action)
	}
	if !slices.Equal(actions, []string{"circulated", "closed", "finalized", "circulated"}) {
		t.Fatalf("transitions %v", actions)
	}
}

// Deadlines are judged on the server's clock: no comment is taken after the deadline, even before
// the loop closes the round; the loop closes it and reminds everyone a day before.
func TestReviewDeadline(t *testing.T) {
	f := mustServe(t)
	id, _ := f.startReview(t)
	base := "/api/reports/" + id
	f.notes.take("")

	other := "/api/reports/" + f.createReport("chair", f.private)
	f.run(t, []scenario{
		{name: "a deadline in the past", method: "POST", url: other + "/review/circulate", body: `{"name":"x","deadline":"2001-01-01T10:00","zone":"UTC"}`, actor: "chair", status: 400},
		{name: "a deadline without a zone", method: "POST", url: other + "/review/circulate", body: `{"name":"x","deadline":"2031-01-01T10:00","zone":""}`, actor: "chair", status: 400},
		{name: "an unknown zone", method: "POST", url: other + "/review/circulate", body: `{"name":"x","deadline":"2031-01-01T10:00","zone":"Mars/Olympus"}`, actor: "chair", status: 400},
		{name: "a deadline that is not a date", method: "POST", url: other + "/review/circulate", body: `{"name":"x","deadline":"Friday","zone":"UTC"}`, actor: "chair", status: 400},
	})
	// Twelve hours on: within a day of the deadline.
	f.clock.Advance(13 * time.Hour)
	f.rev.CheckDeadlines(context.Background())
	soon := f.notes.take("deadline_soon")
	if len(soon) != 1 || !slices.Contains(soon[0].to, f.users["member"].ID) || !slices.Contains(soon[0].to, f.users["chair"].ID) {
		t.Fatalf("reminders %+v", soon)
	}
	f.rev.CheckDeadlines(context.Background())
	if again := f.notes.take("deadline_soon"); len(again) != 0 {
		t.Fatalf("reminded twice: %+v", again)
	}

	// A round whose deadline is within a day when it opens gets no separate reminder.
	soonDeadline := f.clock.Now().Add(10 * time.Hour).UTC().Format("2006-01-02T15:04")
	f.do(http.MethodPost, other+"/review/circulate", `{"name":"v1.0","deadline":"`+soonDeadline+`","zone":"UTC"}`, f.tokens["chair"], http.StatusOK, nil)
	f.rev.CheckDeadlines(context.Background())
	if again := f.notes.take("deadline_soon"); len(again) != 0 {
		t.Fatalf("a reminder right after the round opened: %+v", again)
	}

	f.clock.Advance(24 * time.Hour) // past the deadline; the loop has not run
	f.do(http.MethodPost, base+"/comments", `{"from":50,"to":50,"text":"too late"}`, f.tokens["member"], http.StatusConflict, nil)
	var r reviewView
	f.do(http.MethodGet, base+"/review", "", f.tokens["member"], http.StatusOK, &r)
	if r.State != "circulated" || r.CanComment {
		t.Fatalf("after the deadline: %+v", r)
	}
	f.rev.CheckDeadlines(context.Background())
	f.do(http.MethodGet, base+"/review", "", f.tokens["member"], http.StatusOK, &r)
	if r.State != "closed" || r.Round.ClosedBy != nil || r.Transitions[len(r.Transitions)-1].Action != "closed" {
		t.Fatalf("closed at the deadline: %+v", r)
	}
}

// Comments follow their text through later edits, and say so when it was deleted.
func TestReviewAnchorsFollowEdits(t *testing.T) {
	f := mustServe(t)
	id, chair := f.startReview(t)
	base := "/api/reports/" + id
	wFrom, wTo := offsetOf(t, "incident response")
	oFrom, oTo := offsetOf(t, "by the Chairman")
	f.do(http.MethodPost, base+"/comments", fmt.Sprintf(`{"from":%d,"to":%d,"text":"a"}`, wFrom, wTo), f.tokens["member"], http.StatusCreated, nil)
	f.do(http.MethodPost, base+"/comments", fmt.Sprintf(`{"from":%d,"to":%d,"text":"b"}`, oFrom, oTo), f.tokens["member"], http.StatusCreated, nil)

	// Concurrent edits: one inserted at the start of the first range (stays outside it), one
	// deletes the second range's text, and one, based on the old version, inserts before both.
	chair.submit(id, 2, 2, []any{wFrom, "cyber "})
	chair.wantAck(id, 2)
	chair.submit(id, 3, 3, []any{oFrom, map[string]any{"d": oTo - oFrom}})
	chair.wantAck(id, 3)
	other := f.dialShareDB(f.listen(), "chair")
	other.submit(id, 2, 1, []any{"Ⅰ. "}) // based on version 2: transformed by the server
	other.wantAck(id, 1)

	var cs struct{ Items []commentView }
	f.do(http.MethodGet, base+"/comments", "", f.tokens["observer"], http.StatusOK, &cs)
	if len(cs.Items) != 2 {
		t.Fatalf("comments %+v", cs.Items)
	}
	doc := []rune(other.fetch(id)["data"].(string))
	a, b := cs.Items[0].Anchor, cs.Items[1].Anchor
	if a.Gone || string(doc[a.From:a.To]) != "incident response" || a.V != 5 {
		t.Fatalf("first anchor %+v in %q", a, string(doc))
	}
	if !b.Gone || b.From != b.To {
		t.Fatalf("second anchor %+v: its text was deleted", b)
	}
	if cs.Items[1].Quote != "by the Chairman" {
		t.Fatalf("the quote keeps the deleted text: %+v", cs.Items[1])
	}
}

// Exports of any version, as HTML, DOCX and PDF, with the disposition log; browsers download
// them with a single-use ticket.
func TestReviewExports(t *testing.T) {
	f := mustServe(t)
	id, _ := f.startReview(t)
	base := "/api/reports/" + id
	f.do(http.MethodPost, base+"/comments", `{"from":50,"to":50,"text":"Name who opened it."}`, f.tokens["member"], http.StatusCreated, nil)
	f.do(http.MethodPost, base+"/comments/1/disposition", `{"kind":"noted","note":"Kept as is."}`, f.tokens["chair"], http.StatusOK, nil)

	get := func(url, token string) (*http.Response, []byte) {
		t.Helper()
		resp := f.request(http.MethodGet, url, "", token, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, body
	}
	resp, body := get(base+"/export?format=html&annex=1&v=2", f.tokens["observer"])
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("html export %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{"v1.0", "Original: English", "1.", "watch, warning and incident response", "Kept as is.", "Name who opened it."} {
		if !bytes.Contains(body, []byte(want)) {
			t.Fatalf("html export lacks %q", want)
		}
	}
	resp, body = get(base+"/export?format=docx&annex=1&ticket="+f.ticket("member"), "")
	if resp.StatusCode != 200 {
		t.Fatalf("docx export %d %s", resp.StatusCode, body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var xml []byte
	for _, zf := range zr.File {
		if zf.Name == "word/document.xml" {
			r, _ := zf.Open()
			xml, _ = io.ReadAll(r)
			r.Close()
		}
	}
	for _, want := range []string{"3.", "The meeting closed at noon.", "Kept as is."} {
		if !bytes.Contains(xml, []byte(want)) {
			t.Fatalf("docx lacks %q", want)
		}
	}
	resp, body = get(base+"/export?format=pdf", f.tokens["chair"])
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Fatalf("pdf export %d", resp.StatusCode)
	}
	f.run(t, []scenario{
		{name: "an unknown format", method: "GET", url: base + "/export?format=odt", actor: "member", status: 400},
		{name: "a version not reached", method: "GET", url: base + "/export?v=99", actor: "member", status: 400},
		{name: "an outsider", method: "GET", url: base + "/export", actor: "outsider", status: 404},
		{name: "nobody signed in", method: "GET", url: base + "/export", status: 401},
	})
}

// The final version is published among the group's documents.
func TestReviewPublish(t *testing.T) {
	f := mustServe(t)
	id, _ := f.startReview(t)
	base := "/api/reports/" + id
	f.do(http.MethodPost, base+"/review/close", `{}`, f.tokens["chair"], http.StatusOK, nil)
	f.do(http.MethodPost, base+"/review/finalize", `{"name":"v2.0"}`, f.tokens["chair"], http.StatusOK, nil)
	var r reviewView
	f.do(http.MethodPost, base+"/review/publish", `{"format":"docx","annex":true}`, f.tokens["chair"], http.StatusOK, &r)
	if r.State != "published" || r.Round.PublishedDoc == "" {
		t.Fatalf("published: %+v", r)
	}
	var doc struct {
		Title string
		Kind  string
		State string
	}
	f.do(http.MethodGet, "/api/contributions/"+r.Round.PublishedDoc, "", f.tokens["member"], http.StatusOK, &doc)
	if doc.Kind != "report" || doc.State != "published" || !strings.Contains(doc.Title, "v2.0") {
		t.Fatalf("published document %+v", doc)
	}
}

// Everyone who may read the report hears of review changes on their /api/ws connection; others
// do not.
func TestReviewChangesArePushed(t *testing.T) {
	f := mustServe(t)
	id, _ := f.startReview(t)
	base := f.listen()
	observer, _, err := f.dialWS(base, "observer", nil)
	if err != nil {
		t.Fatal(err)
	}
	outsider, _, err := f.dialWS(base, "outsider", nil)
	if err != nil {
		t.Fatal(err)
	}
	observer.next("hello", 5*time.Second)
	outsider.next("hello", 5*time.Second)
	f.do(http.MethodPost, "/api/reports/"+id+"/comments", `{"from":50,"to":50,"text":"A comment"}`, f.tokens["member"], http.StatusCreated, nil)
	if e := observer.next("review.changed", 5*time.Second); e.str("report_id") != id {
		t.Fatalf("review.changed %v", e)
	}
	deadline := time.After(300 * time.Millisecond)
	for {
		select {
		case e := <-outsider.events:
			if e.str("type") == "review.changed" {
				t.Fatalf("an outsider heard of the review: %v", e)
			}
		case <-deadline:
			return
		}
	}
}

// One person writes at most 30 comments and replies a minute.
func TestReviewWriteRate(t *testing.T) {
	f := mustServe(t)
	id, _ := f.startReview(t)
	for i := range 30 {
		f.do(http.MethodPost, "/api/reports/"+id+"/comments", fmt.Sprintf(`{"from":50,"to":50,"text":"comment %d"}`, i), f.tokens["member"], http.StatusCreated, nil)
	}
	f.do(http.MethodPost, "/api/reports/"+id+"/comments/1/replies", `{"text":"one more"}`, f.tokens["member"], http.StatusTooManyRequests, nil)
	f.do(http.MethodPost, "/api/reports/"+id+"/comments/1/replies", `{"text":"another person"}`, f.tokens["chair"], http.StatusCreated, nil)
	f.clock.Advance(time.Minute)
	f.do(http.MethodPost, "/api/reports/"+id+"/comments/1/replies", `{"text":"a minute later"}`, f.tokens["member"], http.StatusCreated, nil)
}
