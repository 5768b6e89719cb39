package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/meetings"
)

// pdf is a small document the content checks accept; n makes each one different.
func pdf(n int) []byte {
	return fmt.Appendf(nil, "%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% document %d\ntrailer << /Root 1 0 R >>\n%%%%EOF\n", n)
}

// uploadBody builds a multipart body: the JSON form part "meta", then the file.
func uploadBody(meta any, filename, contentType string, content []byte) (body []byte, ctype string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	m, _ := json.Marshal(meta)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="meta"`)
	h.Set("Content-Type", "application/json")
	p, _ := w.CreatePart(h)
	p.Write(m)
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", contentType)
	p, _ = w.CreatePart(h)
	p.Write(content)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// httpDo sends a request to a listening fixture and returns the status, headers and body.
func (f *fixture) httpDo(method, url, actor, ctype string, body []byte, headers map[string]string) (int, http.Header, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if actor != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[actor])
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

type contributionOut struct {
	ID, Symbol, State, URL string
	SessionID              string `json:"session_id"`
	Revisions              []struct {
		N                     int
		Symbol, State, SHA256 string
		URL                   string
	}
	Can struct{ Accept, Publish, Return, Withdraw, Revise, Attach bool }
}

func (f *fixture) upload(base, path, actor string, meta any, filename, ctype string, content []byte, want int) contributionOut {
	f.t.Helper()
	body, mt := uploadBody(meta, filename, ctype, content)
	status, _, data := f.httpDo("POST", base+path, actor, mt, body, nil)
	if status != want {
		f.t.Fatalf("POST %s as %s: %d, want %d: %s", path, actor, status, want, data)
	}
	var out contributionOut
	if want < 300 {
		if err := json.Unmarshal(data, &out); err != nil {
			f.t.Fatal(err)
		}
	}
	return out
}

// leftovers counts what uploads left in the store: GridFS files and chunks, and notes of uploads
// in progress.
func (f *fixture) leftovers() (files, chunks, notes int64) {
	f.t.Helper()
	ctx := context.Background()
	count := func(name string) int64 {
		n, err := f.st.Collection(name).CountDocuments(ctx, bson.D{})
		if err != nil {
			f.t.Fatal(err)
		}
		return n
	}
	return count("contribution_files.files"), count("contribution_files.chunks"), count("contribution_uploads")
}

func TestContributionWorkflow(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	m := f.meeting(meetings.Public, true)
	meetingPath := "/api/meetings/" + m.id + "/contributions"
	meta := map[string]any{"title": "Cybersecurity capacity building in West Africa", "authors": []map[string]string{{"name": "Member", "organization": "CERT Côte d'Ivoire"}},
		"language": "fr", "kind": "contribution", "abstract": "Lessons from two years of exercises.", "session_id": m.a, "item_id": m.a1}

	f.do("PUT", meetingPath+"/settings", `{"prefix":"C5/2026","codes":{"contribution":"C"}}`, f.tokens["secretariat"], 200, nil)
	f.do("PUT", meetingPath+"/settings", `{"prefix":"X"}`, f.tokens["chair"], 403, nil)

	// Observers read, they do not submit; outsiders of a public meeting neither.
	f.upload(base, meetingPath, "observer", meta, "note.pdf", "application/pdf", pdf(0), 403)
	f.upload(base, meetingPath, "outsider", meta, "note.pdf", "application/pdf", pdf(0), 403)
	doc := f.upload(base, meetingPath, "member", meta, "Capacity building.pdf", "application/pdf", pdf(1), 201)
	if doc.State != "submitted" || doc.Symbol != "" || len(doc.Revisions) != 1 || doc.URL != "" || !doc.Can.Withdraw || doc.Can.Accept {
		t.Fatalf("submitted: %+v", doc)
	}
	sum := sha256.Sum256(pdf(1))
	if doc.Revisions[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("sha256 %s", doc.Revisions[0].SHA256)
	}
	docPath := "/api/contributions/" + doc.ID

	f.run(t, []scenario{
		{name: "anonymous does not see an unpublished document", method: "GET", url: docPath, status: 404},
		{name: "the observer neither", method: "GET", url: docPath, actor: "observer", status: 404},
		{name: "nor in the list", method: "GET", url: meetingPath, actor: "observer", status: 200, notWant: []string{doc.ID}},
		{name: "the submitter sees it", method: "GET", url: "/api/contributions/mine", actor: "member", status: 200, want: []string{doc.ID, `"latest_state":"submitted"`}},
		{name: "the chair's queue lists it", method: "GET", url: "/api/contributions/queue", actor: "chair", status: 200, want: []string{doc.ID, `"scope_name":"Meeting public"`}},
		{name: "not the member's queue", method: "GET", url: "/api/contributions/queue", actor: "member", status: 200, notWant: []string{doc.ID}},
		{name: "the stable address serves nothing yet", method: "GET", url: docPath + "/file", actor: "chair", status: 404},
		{name: "a member may not accept", method: "POST", url: docPath + "/transition", body: `{"action":"accept"}`, actor: "member", status: 403},
		{name: "a return needs a reason", method: "POST", url: docPath + "/transition", body: `{"action":"return"}`, actor: "chair", status: 400},
		{name: "an operator as the action", method: "POST", url: docPath + "/transition", body: `{"action":{"$ne":""}}`, actor: "chair", status: 400},
		{name: "search by organization, as the chair", method: "GET", url: meetingPath + "?q=c%C3%B4te", actor: "chair", status: 200, want: []string{doc.ID}},
		{name: "a filter that excludes it", method: "GET", url: meetingPath + "?language=ar", actor: "chair", status: 200, notWant: []string{doc.ID}},
		{name: "an unknown filter value", method: "GET", url: meetingPath + "?kind=poem", actor: "chair", status: 400},
		{name: "upload limits", method: "GET", url: "/api/contributions/limits", actor: "member", status: 200, want: []string{`"max_file_size":2097152`, `"quota":8388608`, fmt.Sprintf(`"used":%d`, len(pdf(1)))}},
		{name: "upload limits need a sign-in", method: "GET", url: "/api/contributions/limits", status: 401},
	})

	var v contributionOut
	f.do("POST", docPath+"/transition", `{"action":"accept"}`, f.tokens["chair"], 200, &v)
	if v.State != "accepted" || v.Symbol != "C5/2026/C/001" {
		t.Fatalf("accepted: %+v", v)
	}
	f.do("POST", docPath+"/transition", `{"action":"publish"}`, f.tokens["chair"], 200, &v)
	if v.State != "published" || v.URL != docPath+"/file" {
		t.Fatalf("published: %+v", v)
	}

	t.Run("downloads are attachments that a browser will not run", func(t *testing.T) {
		status, h, data := f.httpDo("GET", base+docPath+"/file", "", "", nil, nil)
		etag := `"` + hex.EncodeToString(sum[:]) + `"`
		if status != 200 || !bytes.Equal(data, pdf(1)) {
			t.Fatalf("download: %d %q", status, data)
		}
		for k, want := range map[string]string{
			"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
			"Etag": etag, "Accept-Ranges": "bytes",
			"Content-Disposition": `attachment; filename="Capacity building.pdf"; filename*=UTF-8''Capacity%20building.pdf`,
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		status, h, data = f.httpDo("GET", base+docPath+"/file", "", "", nil, map[string]string{"Range": "bytes=0-7"})
		if status != 206 || string(data) != "%PDF-1.4" || h.Get("Content-Range") != fmt.Sprintf("bytes 0-7/%d", len(pdf(1))) {
			t.Fatalf("range: %d %q %v", status, data, h)
		}
		status, h, _ = f.httpDo("GET", base+docPath+"/file", "", "", nil, map[string]string{"Range": "bytes=9999-"})
		if status != 416 || h.Get("Content-Range") != fmt.Sprintf("bytes */%d", len(pdf(1))) {
			t.Fatalf("unsatisfiable range: %d %v", status, h)
		}
		// Several ranges, or nonsense, are ignored: the whole file.
		for _, r := range []string{"bytes=0-1,4-5", "pages=1", "bytes=x-"} {
			if status, _, got := f.httpDo("GET", base+docPath+"/file", "", "", nil, map[string]string{"Range": r}); status != 200 || !bytes.Equal(got, pdf(1)) {
				t.Errorf("Range %q: %d", r, status)
			}
		}
		status, _, _ = f.httpDo("GET", base+docPath+"/file", "", "", nil, map[string]string{"If-None-Match": etag})
		if status != 304 {
			t.Fatalf("If-None-Match: %d", status)
		}
	})

	t.Run("a revision keeps the stable address until it is published", func(t *testing.T) {
		body, mt := uploadBody(map[string]string{"note": "Updated figures"}, "Capacity building rev1.pdf", "application/pdf", pdf(2))
		status, _, data := f.httpDo("POST", base+docPath+"/revisions", "observer", mt, body, nil)
		if status != 403 && status != 404 {
			t.Fatalf("observer revises: %d %s", status, data)
		}
		status, _, data = f.httpDo("POST", base+docPath+"/revisions", "member", mt, body, nil)
		if status != 201 {
			t.Fatalf("revise: %d %s", status, data)
		}
		json.Unmarshal(data, &v)
		if len(v.Revisions) != 2 || v.Revisions[0].N != 1 || v.Revisions[0].Symbol != "C5/2026/C/001/Rev.1" || v.Revisions[0].State != "submitted" || v.State != "published" {
			t.Fatalf("after revising: %+v", v)
		}
		// The same file again is recognized.
		body, mt = uploadBody(map[string]string{"note": ""}, "again.pdf", "application/pdf", pdf(1))
		f.do("POST", docPath+"/transition", `{"action":"withdraw"}`, f.tokens["member"], 200, nil)
		status, _, data = f.httpDo("POST", base+docPath+"/revisions", "member", mt, body, nil)
		if status != 409 || !strings.Contains(string(data), "identical to C5/2026/C/001") {
			t.Fatalf("identical upload: %d %s", status, data)
		}
		// The readers still get the original at the stable address; the withdrawn revision is not theirs.
		_, _, got := f.httpDo("GET", base+docPath+"/file", "observer", "", nil, nil)
		if !bytes.Equal(got, pdf(1)) {
			t.Fatalf("stable address after a withdrawn revision: %q", got)
		}
		if status, _, _ := f.httpDo("GET", base+docPath+"/revisions/1/file", "observer", "", nil, nil); status != 404 {
			t.Fatalf("observer reads an unpublished revision: %d", status)
		}
		if status, _, got := f.httpDo("GET", base+docPath+"/revisions/1/file", "member", "", nil, nil); status != 200 || !bytes.Equal(got, pdf(2)) {
			t.Fatalf("submitter reads their revision: %d", status)
		}
		// A plain link with a single-use ticket, as the browser downloads; once only.
		ticket := f.ticket("member")
		if status, _, got := f.httpDo("GET", base+docPath+"/revisions/1/file?ticket="+ticket, "", "", nil, nil); status != 200 || !bytes.Equal(got, pdf(2)) {
			t.Fatalf("download with a ticket: %d", status)
		}
		if status, _, _ := f.httpDo("GET", base+docPath+"/revisions/1/file?ticket="+ticket, "", "", nil, nil); status != 401 {
			t.Fatalf("a ticket used twice: %d", status)
		}
		body, mt = uploadBody(map[string]string{"note": "Second try"}, "rev2.pdf", "application/pdf", pdf(3))
		if status, _, data = f.httpDo("POST", base+docPath+"/revisions", "member", mt, body, nil); status != 201 {
			t.Fatalf("revise again: %d %s", status, data)
		}
		f.do("POST", docPath+"/transition", `{"action":"publish"}`, f.tokens["secretariat"], 200, &v)
		if _, _, got := f.httpDo("GET", base+docPath+"/file", "", "", nil, nil); !bytes.Equal(got, pdf(3)) {
			t.Fatalf("stable address after publishing Rev.2: %q", got)
		}
		if _, _, got := f.httpDo("GET", base+docPath+"/revisions/0/file", "", "", nil, nil); !bytes.Equal(got, pdf(1)) {
			t.Fatalf("the original's own address: %q", got)
		}
	})

	t.Run("attaching lists the symbol on the agenda item", func(t *testing.T) {
		f.do("PUT", docPath+"/item", `{"session_id":"`+m.b+`","item_id":"`+m.b1+`"}`, f.tokens["member"], 403, nil)
		// The meeting's chair reviews, but edits no session: the agenda is not theirs to change.
		if f.do("GET", docPath, "", f.tokens["chair"], 200, &v); v.Can.Attach {
			t.Fatal("can.attach for a chair who edits no session")
		}
		f.do("PUT", docPath+"/item", `{"session_id":"`+m.b+`","item_id":"`+m.b1+`"}`, f.tokens["chair"], 403, nil)
		raw := f.do("PUT", docPath+"/item", `{"session_id":"`+m.b+`","item_id":"`+m.b1+`"}`, f.tokens["secretariat"], 200, &v)
		if v.SessionID != m.b {
			t.Fatalf("attached: %s", raw)
		}
		mv, err := f.meet.Get(context.Background(), f.users["secretariat"], m.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := mv.Agenda.Sessions[1].Items[0].Contributions; len(got) != 1 || got[0] != "C5/2026/C/001" {
			t.Fatalf("item b1 lists %v", got)
		}
	})

	t.Run("returned with a reason, withdrawn by the submitter", func(t *testing.T) {
		other := f.upload(base, meetingPath, "member", meta, "other.pdf", "application/pdf", pdf(10), 201)
		f.do("POST", "/api/contributions/"+other.ID+"/transition", `{"action":"return","reason":"Please use the template."}`, f.tokens["chair"], 200, &v)
		if v.State != "returned" {
			t.Fatalf("returned: %+v", v)
		}
		f.do("POST", "/api/contributions/"+other.ID+"/transition", `{"action":"withdraw"}`, f.tokens["member"], 200, &v)
		if v.State != "withdrawn" {
			t.Fatalf("withdrawn: %+v", v)
		}
		f.do("POST", "/api/contributions/"+other.ID+"/transition", `{"action":"accept"}`, f.tokens["chair"], 409, nil)
	})

	// The quota counts what is stored: not the identical revision that was refused.
	var q struct{ Used int64 }
	if err := f.st.Collection("contribution_quota").FindOne(context.Background(), bson.D{{Key: "_id", Value: f.users["member"].ID}}).Decode(&q); err != nil {
		t.Fatal(err)
	}
	if want := int64(len(pdf(1)) + len(pdf(2)) + len(pdf(3)) + len(pdf(10))); q.Used != want {
		t.Fatalf("quota used %d, want %d", q.Used, want)
	}
}

// A refused or interrupted upload leaves nothing behind: no document, no GridFS file or chunk.
func TestUploadsThatFailLeaveNothing(t *testing.T) {
	f := mustServe(t)
	f.srv.cfg.UploadStall = 300 * time.Millisecond
	base := f.listen()
	m := f.meeting(meetings.Public, true)
	path := "/api/meetings/" + m.id + "/contributions"
	meta := map[string]any{"title": "T", "authors": []map[string]string{{"name": "Member"}}, "language": "en", "kind": "contribution"}

	for _, tc := range []struct {
		name, filename, ctype string
		content               []byte
		status                int
		message               string
	}{
		{"HTML called .pdf", "report.pdf", "application/pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), 400, "HTML"},
		{"an empty file", "empty.pdf", "application/pdf", nil, 400, "empty"},
		{"over the limit", "big.pdf", "application/pdf", append(pdf(0), bytes.Repeat([]byte{' '}, 3<<20)...), 413, "larger than"},
		{"a script called .txt", "notes.txt", "text/plain", []byte("#!/bin/sh\nrm -rf /\n"), 400, "script"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, mt := uploadBody(meta, tc.filename, tc.ctype, tc.content)
			status, _, data := f.httpDo("POST", base+path, "member", mt, body, nil)
			if status != tc.status || !strings.Contains(strings.ToLower(string(data)), strings.ToLower(tc.message)) {
				t.Fatalf("%d %s, want %d mentioning %q", status, data, tc.status, tc.message)
			}
		})
	}

	t.Run("a small text cut off before its closing boundary", func(t *testing.T) {
		body, mt := uploadBody(meta, "notes.txt", "text/plain", []byte("Minutes of the session, complete.\n"))
		rawUpload(t, base, path, f.tokens["member"], mt, body, len(body)-20, true)
	})
	t.Run("a truncated body", func(t *testing.T) {
		body, mt := uploadBody(meta, "cut.pdf", "application/pdf", bytes.Repeat(pdf(5), 20000))
		rawUpload(t, base, path, f.tokens["member"], mt, body, len(body)/2, true)
	})
	t.Run("a client that stops sending", func(t *testing.T) {
		body, mt := uploadBody(meta, "stalled.pdf", "application/pdf", bytes.Repeat(pdf(6), 20000))
		rawUpload(t, base, path, f.tokens["member"], mt, body, len(body)/2, false)
	})

	deadline := time.Now().Add(5 * time.Second)
	for {
		files, chunks, notes := f.leftovers()
		if files == 0 && chunks == 0 && notes == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %d files, %d chunks, %d upload notes", files, chunks, notes)
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.run(t, []scenario{{name: "no document was made", method: "GET", url: "/api/contributions/mine", actor: "member", status: 200, want: []string{`"items":[]`}}})
	// Every reservation of the quota came back.
	var q struct{ Used int64 }
	err := f.st.Collection("contribution_quota").FindOne(context.Background(), bson.D{{Key: "_id", Value: f.users["member"].ID}}).Decode(&q)
	if err != nil || q.Used != 0 {
		t.Fatalf("quota used after failed uploads: %d (%v)", q.Used, err)
	}
}

// rawUpload sends the first n bytes of an upload whose Content-Length promises them all, then
// either closes the connection (hangUp) or waits, silent, for the server to give up.
func rawUpload(t *testing.T, base, path, token, ctype string, body []byte, n int, hangUp bool) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, token, ctype, len(body))
	if _, err := conn.Write(body[:n]); err != nil {
		t.Fatal(err)
	}
	if hangUp {
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, _ := io.ReadAll(conn)
	if !bytes.Contains(answer, []byte("400")) || !bytes.Contains(answer, []byte("stalled")) {
		t.Fatalf("a stalled upload: %q", answer)
	}
}

func TestContentDispositionNeutralizesNames(t *testing.T) {
	for name, want := range map[string]string{
		"report.pdf":                  `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
		"evil\r\nSet-Cookie: x=1.pdf": `attachment; filename="evil__Set-Cookie: x=1.pdf"; filename*=UTF-8''evil__Set-Cookie%3A%20x%3D1.pdf`,
		`a"b\c.pdf`:                   `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a_b_c.pdf`,
		"invoice\u202efdp.exe":        `attachment; filename="invoice_fdp.exe"; filename*=UTF-8''invoice_fdp.exe`,
		"تقرير.pdf":                   `attachment; filename="_____.pdf"; filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf`,
		"":                            `attachment; filename="document"; filename*=UTF-8''document`,
	} {
		if got := contentDisposition(name); got != want {
			t.Errorf("%q:\n got %s\nwant %s", name, got, want)
		}
	}
}

// Every file of the hostile corpus (contributions/inspect/testdata) is refused over HTTP with a
// reason and leaves nothing behind; every good one is accepted.
func TestUploadCorpus(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	g := "/api/groups/" + f.private + "/contributions"
	meta := map[string]any{"title": "Corpus", "authors": []map[string]string{{"organization": "ITU"}}, "language": "en", "kind": "information"}
	// Who may submit to a private group: its chairs and members, and the secretariat.
	for actor, want := range map[string]int{"": 401, "outsider": 404, "observer": 403} {
		f.upload(base, g, actor, meta, "x.pdf", "application/pdf", pdf(0), want)
	}
	dir := "../contributions/inspect/testdata/"
	for _, set := range []struct {
		sub    string
		accept bool
	}{{"hostile", false}, {"good", true}} {
		entries, err := os.ReadDir(dir + set.sub)
		if err != nil || len(entries) < 10 {
			t.Fatalf("corpus %s: %d files, %v", set.sub, len(entries), err)
		}
		for _, e := range entries {
			t.Run(set.sub+"/"+e.Name(), func(t *testing.T) {
				content, err := os.ReadFile(dir + set.sub + "/" + e.Name())
				if err != nil {
					t.Fatal(err)
				}
				ctype := mime.TypeByExtension(filepath.Ext(e.Name()))
				if ctype == "" {
					ctype = "application/octet-stream"
				}
				body, mt := uploadBody(meta, e.Name(), ctype, content)
				status, _, data := f.httpDo("POST", base+g, "member", mt, body, nil)
				switch {
				case set.accept && status != 201:
					t.Fatalf("refused: %d %s", status, data)
				case !set.accept && (status != 400 && status != 413 || !strings.Contains(string(data), `"message":"`)):
					t.Fatalf("not refused with a reason: %d %s", status, data)
				}
			})
		}
		if !set.accept {
			if files, chunks, notes := f.leftovers(); files != 0 || chunks != 0 || notes != 0 {
				t.Fatalf("the hostile corpus left %d files, %d chunks, %d upload notes", files, chunks, notes)
			}
		}
	}
}

// A file of several chunks comes back whole, and ranges across chunk boundaries are exact.
func TestDownloadAcrossChunks(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	m := f.meeting(meetings.Public, true)
	content := pdf(0)
	for i := 0; len(content) < 700<<10; i++ { // about three 255 KiB chunks
		content = fmt.Appendf(content, "%% line %d of a long document, with some words to fill it\n", i)
	}
	content = append(content, "%%EOF\n"...)
	meta := map[string]any{"title": "Long", "authors": []map[string]string{{"name": "Member"}}, "language": "en", "kind": "report"}
	doc := f.upload(base, "/api/meetings/"+m.id+"/contributions", "member", meta, "long.pdf", "application/pdf", content, 201)
	f.do("POST", "/api/contributions/"+doc.ID+"/transition", `{"action":"publish"}`, f.tokens["secretariat"], 200, nil)
	url := base + "/api/contributions/" + doc.ID + "/file"
	if status, _, got := f.httpDo("GET", url, "", "", nil, nil); status != 200 || !bytes.Equal(got, content) {
		t.Fatalf("whole file: %d, %d bytes of %d", status, len(got), len(content))
	}
	size := int64(len(content))
	for _, r := range [][2]int64{{0, 0}, {255<<10 - 3, 255<<10 + 3}, {510 << 10, 510<<10 + 100}, {size - 10, size - 1}} {
		status, h, got := f.httpDo("GET", url, "", "", nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", r[0], r[1])})
		if status != 206 || !bytes.Equal(got, content[r[0]:r[1]+1]) || h.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], size) {
			t.Errorf("range %v: %d %q", r, status, h.Get("Content-Range"))
		}
	}
	if status, _, got := f.httpDo("GET", url, "", "", nil, map[string]string{"Range": "bytes=-5"}); status != 206 || !bytes.Equal(got, content[size-5:]) {
		t.Errorf("suffix range: %d %q", status, got)
	}
}
