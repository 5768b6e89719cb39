package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"plenary/accounts"
	"plenary/contributions"
	"plenary/documents/reports"
	"plenary/documents/review"
	"plenary/meetings"
	"plenary/rooms"
	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const testPassword = "correct horse battery"

var testKey = bytes.Repeat([]byte("plenary-test-key-"), 3)

// fixture is a server on a fresh database with a cast of users and two groups.
type fixture struct {
	t        *testing.T
	srv      *Server
	st       *store.Store
	acc      *accounts.Service
	rooms    *rooms.Service
	disc     *rooms.Discussion
	meet     *meetings.Service
	reps     *reports.Service
	contribs *contributions.Service
	rev      *review.Service
	clock    *testClock
	notes    *noteLog
	tokens   map[string]string // actor name → access token
	users    map[string]accounts.User
	area     string
	public   string // group ids
	private  string
}

// mustServe builds a fixture: secretariat, chair, member, observer (of both groups) and an
// outsider who belongs to no group.
func mustServe(t *testing.T) *fixture {
	t.Helper()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), rooms.DiscussionCollections(), meetings.Collections(), reports.Collections(), contributions.Collections(), review.Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: testKey, HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	rs := rooms.New(st, acc)
	disc := rooms.NewDiscussion(st, rs, rooms.DiscussionConfig{PostRate: -1, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(disc.Close)
	ms := meetings.New(st, acc, rs, disc)
	reps := reports.New(st, acc, rs, reports.Config{MilestoneEvery: 5, Logger: slog.New(slog.DiscardHandler)})
	contribs, err := contributions.New(context.Background(), st, acc, ms, rs, contributions.Config{
		MaxFileSize: 2 << 20, Quota: 8 << 20, TempDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	clock, notes := &testClock{}, &noteLog{}
	var srvRef atomic.Pointer[Server]
	rev, err := review.New(context.Background(), st, acc, rs, ms, reps, contribs, review.Config{
		Logger: slog.New(slog.DiscardHandler), Now: clock.Now, Tick: time.Hour, Notify: notes.record,
		Changed: func(reportID string) {
			if srv := srvRef.Load(); srv != nil {
				srv.ReviewChanged(reportID)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rev.Close)
	static := fstest.MapFS{
		"index.html":        {Data: []byte("<!doctype html><title>Plenary</title>")},
		"assets/app-abc.js": {Data: []byte("console.log(1)")},
	}
	f := &fixture{
		t: t, st: st, acc: acc, rooms: rs,
		srv:  New(Config{Logger: slog.New(slog.DiscardHandler), Store: st, Accounts: acc, Rooms: rs, Discussion: disc, Meetings: ms, Reports: reps, Contributions: contribs, Review: rev, Static: static}),
		disc: disc, meet: ms, reps: reps, contribs: contribs, rev: rev, clock: clock, notes: notes,
		tokens: map[string]string{}, users: map[string]accounts.User{},
	}
	srvRef.Store(f.srv)
	ctx := context.Background()
	for _, name := range []string{"secretariat", "chair", "member", "observer", "outsider"} {
		role := accounts.RoleUser
		if name == "secretariat" {
			role = accounts.RoleSecretariat
		}
		u, err := acc.CreateUser(ctx, accounts.NewUser{Email: name + "@example.org", Name: strings.ToUpper(name[:1]) + name[1:], Password: testPassword, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
		var resp sessionResponse
		f.do(http.MethodPost, "/api/auth/login", `{"email":"`+name+`@example.org","password":"`+testPassword+`"}`, "", http.StatusOK, &resp)
		f.tokens[name] = resp.AccessToken
	}
	sec := f.users["secretariat"]
	areaName, desc := "Legal measures", "Cybercrime legislation"
	area, err := rs.CreateFocusArea(ctx, sec, rooms.FocusAreaInput{Name: &areaName, Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	f.area = area.ID
	for _, vis := range []string{rooms.Public, rooms.Private} {
		name := "Group " + vis
		g, err := rs.CreateGroup(ctx, sec, rooms.GroupInput{Name: &name, FocusArea: &area.ID, Description: &desc, Visibility: &vis})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range [][2]string{{"chair", rooms.RoleChair}, {"member", rooms.RoleMember}, {"observer", rooms.RoleObserver}} {
			if _, err := rs.AddMember(ctx, sec, g.ID, rooms.MemberInput{UserID: f.users[m[0]].ID, Role: m[1]}); err != nil {
				t.Fatal(err)
			}
		}
		if vis == rooms.Public {
			f.public = g.ID
		} else {
			f.private = g.ID
		}
	}
	return f
}

// request sends one request through the real Fiber stack and returns the response.
func (f *fixture) request(method, url, body, token string, headers map[string]string) *http.Response {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := f.srv.App().Test(req, -1)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

// do sends a request, checks the status and decodes the JSON answer into out (if not nil).
func (f *fixture) do(method, url, body, token string, want int, out any) string {
	f.t.Helper()
	resp := f.request(method, url, body, token, nil)
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		f.t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			f.t.Fatalf("%s %s: decode %s: %v", method, url, data, err)
		}
	}
	return string(data)
}

// scenario is one row of an HTTP scenario table.
type scenario struct {
	name    string
	method  string
	url     string
	body    string
	actor   string // key of fixture.tokens, or "" for anonymous
	token   string // explicit token, overrides actor
	headers map[string]string
	status  int
	want    []string // fragments the body must contain
	notWant []string // fragments it must not contain
}

func (f *fixture) run(t *testing.T, table []scenario) {
	t.Helper()
	for _, sc := range table {
		t.Run(sc.name, func(t *testing.T) {
			token := sc.token
			if token == "" && sc.actor != "" {
				token = f.tokens[sc.actor]
			}
			resp := f.request(sc.method, sc.url, sc.body, token, sc.headers)
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != sc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, sc.status, data)
			}
			for _, w := range sc.want {
				if !strings.Contains(string(data), w) {
					t.Errorf("body lacks %q: %s", w, data)
				}
			}
			for _, w := range sc.notWant {
				if strings.Contains(string(data), w) {
					t.Errorf("body has %q: %s", w, data)
				}
			}
			if resp.StatusCode >= 400 && !strings.Contains(string(data), `"error":{"code":"`) {
				t.Errorf("error without the error shape: %s", data)
			}
		})
	}
}

// listen serves the fixture on a loopback port for tests that need a real connection, and
// returns its base URL.
func (f *fixture) listen() string {
	f.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	go func() { _ = f.srv.Serve(ln) }()
	f.t.Cleanup(func() { _ = f.srv.Shutdown(5 * time.Second) })
	return "http://" + ln.Addr().String()
}
