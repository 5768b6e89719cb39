package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"plenary/meetings"
)

// sseReader reads the data lines of a server-sent event stream.
type sseReader struct {
	t    *testing.T
	res  *http.Response
	scan *bufio.Scanner
}

func openStream(t *testing.T, base, path, token string) *sseReader {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return &sseReader{t: t, res: res, scan: bufio.NewScanner(res.Body)}
}

// next returns the next event's data decoded, failing after a few seconds; ok is false when the
// stream ended.
func (r *sseReader) next() (env map[string]any, ok bool) {
	r.t.Helper()
	type line struct {
		text string
		ok   bool
	}
	got := make(chan line, 1)
	go func() {
		for r.scan.Scan() {
			if data, found := strings.CutPrefix(r.scan.Text(), "data: "); found {
				got <- line{data, true}
				return
			}
		}
		got <- line{"", false}
	}()
	select {
	case l := <-got:
		if !l.ok {
			return nil, false
		}
		if err := json.Unmarshal([]byte(l.text), &env); err != nil {
			r.t.Fatalf("event %q: %v", l.text, err)
		}
		return env, true
	case <-time.After(5 * time.Second):
		r.t.Fatal("no event within 5 s")
		return nil, false
	}
}

// TestMeetingEventStream: an anonymous reader of a public meeting follows its live state through
// server-sent events, without who runs it; a participants-only meeting refuses anonymous streams,
// and a stream ends when the meeting stops being public.
func TestMeetingEventStream(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	m := f.meeting(meetings.Public, true)
	ctx := context.Background()

	s := openStream(t, base, "/api/meetings/"+m.id+"/events", "")
	if s.res.StatusCode != 200 || !strings.HasPrefix(s.res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", s.res.StatusCode, s.res.Header.Get("Content-Type"))
	}
	first, ok := s.next()
	if !ok || first["type"] != "meeting" || first["live"] != nil || first["room"] != "meeting:"+m.id {
		t.Fatalf("first event: %v", first)
	}
	if _, err := f.meet.SetLive(ctx, f.users["chair"], m.id, meetings.LiveInput{SessionID: m.a, ItemID: m.a2, TimerSeconds: 120}); err != nil {
		t.Fatal(err)
	}
	ev, ok := s.next()
	live, _ := ev["live"].(map[string]any)
	if !ok || live == nil || live["item_id"] != m.a2 || ev["live_seq"] != float64(1) || live["by"] != "" || live["by_name"] != "" {
		t.Fatalf("live event: %v", ev)
	}
	// Signed-in readers of the stream are told who runs it.
	signed := openStream(t, base, "/api/meetings/"+m.id+"/events", f.tokens["member"])
	if ev, ok := signed.next(); !ok || ev["live"].(map[string]any)["by_name"] != f.users["chair"].Name {
		t.Fatalf("signed-in first event: %v", ev)
	}

	private := f.meeting(meetings.Participants, true)
	refused := openStream(t, base, "/api/meetings/"+private.id+"/events", "")
	if refused.res.StatusCode != 404 {
		t.Fatalf("anonymous stream of a participants-only meeting: %d", refused.res.StatusCode)
	}
	if allowed := openStream(t, base, "/api/meetings/"+private.id+"/events", f.tokens["observer"]); allowed.res.StatusCode != 200 {
		t.Fatalf("participant's stream: %d", allowed.res.StatusCode)
	}

	vis := meetings.Participants
	if _, err := f.meet.Update(ctx, f.users["secretariat"], m.id, f.meetingVersion(m.id), meetings.MeetingInput{Visibility: &vis}); err != nil {
		t.Fatal(err)
	}
	if ev, ok := s.next(); ok {
		t.Fatalf("the anonymous stream went on after the meeting became participants-only: %v", ev)
	}
	if ev, ok := signed.next(); !ok || ev["version"].(float64) <= first["version"].(float64) {
		t.Fatalf("the participant's stream: %v %v", ev, ok)
	}
}

// TestMeetingEventStreamsBoundedPerAddress: one address cannot hold more than its share of streams.
func TestMeetingEventStreamsBoundedPerAddress(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	m := f.meeting(meetings.Public, true)
	for i := range maxStreamsPerIP {
		if s := openStream(t, base, "/api/meetings/"+m.id+"/events", ""); s.res.StatusCode != 200 {
			t.Fatalf("stream %d: %d", i+1, s.res.StatusCode)
		}
	}
	over := openStream(t, base, "/api/meetings/"+m.id+"/events", "")
	if over.res.StatusCode != 429 || over.res.Header.Get("Retry-After") == "" {
		t.Fatalf("stream over the bound: %d (Retry-After %q)", over.res.StatusCode, over.res.Header.Get("Retry-After"))
	}
}
