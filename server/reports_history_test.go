package server

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The timeline of a report, restoring an old version as a new edit, and versions rendered for
// reading (docs/api.md "Reports").
func TestReportHistoryAndRestore(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	id := f.createReport("chair", f.private)
	chair := f.dialShareDB(base, "chair")
	reader := f.dialShareDB(base, "member")
	reader.sendMsg(map[string]any{"a": "s", "c": "reports", "d": id, "v": nil})
	reader.want("subscribe answer", isA("s", id))

	chair.submit(id, 1, 1, []any{"The meeting opened."})
	chair.wantAck(id, 1)
	const second = "\n\nالجلسة الثانية[^1]\n\n[^1]: حاشية"
	chair.submit(id, 2, 2, []any{19, second})
	chair.wantAck(id, 2)

	var history struct {
		Items []struct {
			From, To int64
			Created  bool
			Restored int64
			Authors  []struct {
				ID, Name               string
				Ops, Inserted, Deleted int64
			}
		}
	}
	f.do(http.MethodGet, "/api/reports/"+id+"/history", "", f.tokens["member"], http.StatusOK, &history)
	if len(history.Items) != 2 {
		t.Fatalf("history %+v, want an editing entry and the creation", history.Items)
	}
	edit, created := history.Items[0], history.Items[1]
	if !created.Created || created.To != 1 || edit.From != 1 || edit.To != 3 || len(edit.Authors) != 1 {
		t.Fatalf("history %+v", history.Items)
	}
	if a := edit.Authors[0]; a.Name != "Chair" || a.Ops != 2 || a.Inserted != int64(19+utf8.RuneCountInString(second)) || a.Deleted != 0 {
		t.Fatalf("author %+v", a)
	}

	f.run(t, []scenario{
		{name: "outsider sees no history", method: "GET", url: "/api/reports/" + id + "/history", actor: "outsider", status: 404},
		{name: "bad limit", method: "GET", url: "/api/reports/" + id + "/history?limit=-1", actor: "member", status: 400},
		{name: "a reader may not restore", method: "POST", url: "/api/reports/" + id + "/restore", body: `{"version":2}`, actor: "member", status: 403},
		{name: "version 0 does not exist", method: "POST", url: "/api/reports/" + id + "/restore", body: `{"version":0}`, actor: "chair", status: 400},
		{name: "a version not reached", method: "POST", url: "/api/reports/" + id + "/restore", body: `{"version":99}`, actor: "chair", status: 400},
		{name: "an operator as the version", method: "POST", url: "/api/reports/" + id + "/restore", body: `{"version":{"$gt":0}}`, actor: "chair", status: 400},
		{name: "rendered: not a number", method: "GET", url: "/api/reports/" + id + "/rendered?v=two", actor: "member", status: 400},
		{name: "rendered: outsider", method: "GET", url: "/api/reports/" + id + "/rendered", actor: "outsider", status: 404},
	})

	t.Run("rendered versions number their paragraphs", func(t *testing.T) {
		var r struct {
			V          int64
			HTML       string
			Paragraphs []struct{ N, From, To int }
		}
		f.do(http.MethodGet, "/api/reports/"+id+"/rendered", "", f.tokens["member"], http.StatusOK, &r)
		if r.V != 3 || len(r.Paragraphs) != 2 || !strings.Contains(r.HTML, `id="para-2"`) || !strings.Contains(r.HTML, "footnote") {
			t.Fatalf("rendered at head: %+v", r)
		}
		f.do(http.MethodGet, "/api/reports/"+id+"/rendered?v=2", "", f.tokens["member"], http.StatusOK, &r)
		if r.V != 2 || len(r.Paragraphs) != 1 || !strings.Contains(r.HTML, "The meeting opened.") {
			t.Fatalf("rendered at 2: %+v", r)
		}
	})

	t.Run("restoring is a new edit that everyone receives", func(t *testing.T) {
		var out struct{ Version int64 }
		f.do(http.MethodPost, "/api/reports/"+id+"/restore", `{"version":2}`, f.tokens["chair"], http.StatusOK, &out)
		if out.Version != 4 {
			t.Fatalf("restore made version %d, want 4", out.Version)
		}
		op := reader.want("the restore, broadcast", func(e envelope) bool { return isA("op", id)(e) && e.num("v") == 3 })
		if ops, _ := op["op"].([]any); len(ops) != 2 || op.str("src") != "restore:2" {
			t.Fatalf("broadcast %v", op)
		}
		if d := reader.fetch(id); d["data"] != "The meeting opened." || d["v"].(float64) != 4 {
			t.Fatalf("after restore %v", d)
		}
		// Restoring what is already there changes nothing.
		f.do(http.MethodPost, "/api/reports/"+id+"/restore", `{"version":2}`, f.tokens["chair"], http.StatusOK, &out)
		if out.Version != 4 {
			t.Fatalf("second restore made version %d, want 4", out.Version)
		}
		reader.quiet("an op for a restore that changes nothing", 200*time.Millisecond, func(e envelope) bool { return isA("op", id)(e) && e.num("v") >= 4 })
		f.do(http.MethodGet, "/api/reports/"+id+"/history", "", f.tokens["member"], http.StatusOK, &history)
		if h := history.Items[0]; h.From != 3 || h.To != 4 || h.Restored != 2 || h.Authors[0].Deleted != int64(utf8.RuneCountInString(second)) {
			t.Fatalf("history after restore %+v", history.Items)
		}
		// The version before the restore is still there.
		chair.sendMsg(map[string]any{"a": "nf", "id": 1, "c": "reports", "d": id, "v": 3})
		if e := chair.want("nf answer", isA("nf", "")); !strings.HasPrefix(e.str("data"), "The meeting opened.\n\nالجلسة") {
			t.Fatalf("version 3 after restore: %v", e)
		}
	})
}
