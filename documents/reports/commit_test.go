package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/documents/ot"
	"plenary/documents/reports"
	"plenary/rooms"
	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// world is a store with the secretariat and a private group to write reports in.
type world struct {
	st    *store.Store
	acc   *accounts.Service
	rooms *rooms.Service
	sec   accounts.User
	group rooms.Group
}

func newWorld(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), reports.Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: []byte("plenary-test-key-plenary-test-key-"), HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := acc.CreateUser(ctx, accounts.NewUser{Email: "sec@example.org", Name: "Secretariat", Password: "correct horse battery", Role: accounts.RoleSecretariat})
	if err != nil {
		t.Fatal(err)
	}
	rs := rooms.New(st, acc)
	areaName, desc, vis, groupName := "Legal measures", "Cybercrime legislation", rooms.Private, "Drafting group"
	area, err := rs.CreateFocusArea(ctx, sec, rooms.FocusAreaInput{Name: &areaName, Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	g, err := rs.CreateGroup(ctx, sec, rooms.GroupInput{Name: &groupName, FocusArea: &area.ID, Description: &desc, Visibility: &vis})
	if err != nil {
		t.Fatal(err)
	}
	return world{st: st, acc: acc, rooms: rs, sec: sec, group: g}
}

// editor is one client connection as the authority sees it: it records what it is sent.
type editor struct {
	user accounts.User
	src  string

	mu     sync.Mutex
	frames [][]byte
	acked  chan int64
}

func (e *editor) Send(frame []byte) bool {
	var m struct {
		A   string `json:"a"`
		V   int64  `json:"v"`
		Src string `json:"src"`
		Op  any    `json:"op"`
	}
	_ = json.Unmarshal(frame, &m)
	if m.A == "op" && m.Src == e.src && m.Op == nil {
		e.acked <- m.V
		return true
	}
	e.mu.Lock()
	e.frames = append(e.frames, frame)
	e.mu.Unlock()
	return true
}
func (e *editor) User() accounts.User { return e.user }
func (e *editor) Src() string         { return e.src }
func (e *editor) Revoke(string)       {}

// Two services on one store stand for two server processes editing the same report, each with
// several editors typing at once: ops are group-committed in each, the log's duplicate keys
// arbitrate between them, and every acknowledged op is in the log exactly once, at the version it
// was acknowledged with.
func TestGroupCommitAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	st, acc, rs, sec, g := w.st, w.acc, w.rooms, w.sec, w.group
	quiet := reports.Config{MilestoneEvery: 7, Logger: slog.New(slog.DiscardHandler)}
	processes := []*reports.Service{reports.New(st, acc, rs, quiet), reports.New(st, acc, rs, quiet)}
	r, err := processes[0].Create(ctx, sec, reports.CreateInput{Title: "Report", GroupID: g.ID})
	if err != nil {
		t.Fatal(err)
	}

	const editorsPerProcess, opsEach = 4, 25
	type acked struct {
		src string
		seq int64
		v   int64
	}
	var mu sync.Mutex
	var acks []acked
	var wg sync.WaitGroup
	for p, svc := range processes {
		for e := range editorsPerProcess {
			ed := &editor{user: sec, src: fmt.Sprintf("p%de%d", p, e), acked: make(chan int64, 1)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each editor bases its ops on version 1, as one far behind: the server
				// transforms them through everything committed since.
				for seq := int64(1); seq <= opsEach; seq++ {
					op := ot.Op{ot.Insert(fmt.Sprintf("[%s:%d]", ed.src, seq))}
					if err := svc.Submit(ctx, ed, r.ID, reports.Submission{V: 1, Seq: seq, Op: op}); err != nil {
						t.Errorf("%s op %d: %v", ed.src, seq, err)
						return
					}
					v := <-ed.acked
					mu.Lock()
					acks = append(acks, acked{ed.src, seq, v})
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	total := 2 * editorsPerProcess * opsEach
	if len(acks) != total {
		t.Fatalf("%d acknowledgements, want %d", len(acks), total)
	}
	// Every acknowledged op is in the log at its version, and every version is one op.
	seen := map[int64]string{}
	for _, a := range acks {
		if other, dup := seen[a.v]; dup {
			t.Fatalf("version %d acknowledged to %s and %s", a.v, other, a.src)
		}
		seen[a.v] = a.src
	}
	// A fresh process opening the report reads the whole log. (The two writers learn of each
	// other's ops only when the log's keys tell them, so neither need be at the latest.)
	fresh := reports.New(st, acc, rs, quiet)
	snap, err := fresh.Text(ctx, r.ID, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	if snap.V != int64(total)+1 {
		t.Fatalf("reopened at v%d, want v%d", snap.V, total+1)
	}
	for _, a := range acks {
		marker := fmt.Sprintf("[%s:%d]", a.src, a.seq)
		if n := strings.Count(snap.Data, marker); n != 1 {
			t.Fatalf("%s is in the text %d times", marker, n)
		}
	}
}

// An edit applied under a src naming it alone (an accepted suggestion) is made once, however
// often it is asked for.
func TestApplyAtIsIdempotent(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	st, acc, rs, sec, g := w.st, w.acc, w.rooms, w.sec, w.group
	svc := reports.New(st, acc, rs, reports.Config{MilestoneEvery: 3, Logger: slog.New(slog.DiscardHandler)})
	r, err := svc.Create(ctx, sec, reports.CreateInput{Title: "Report", GroupID: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyAt(ctx, sec, r.ID, 1, ot.Op{ot.Insert("The meeting closed at noon.")}, "draft"); err != nil {
		t.Fatal(err)
	}
	for i := range 5 { // later edits, before the suggestion is accepted
		if _, err := svc.ApplyAt(ctx, sec, r.ID, 2, ot.Op{ot.Insert(fmt.Sprintf("(%d) ", i))}, fmt.Sprintf("edit:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Replace "noon" as written in version 2.
	replace := ot.Op{ot.Skip(22), ot.Delete(4), ot.Insert("13:30")}
	v1, err := svc.ApplyAt(ctx, sec, r.ID, 2, replace, "suggestion:1")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := svc.ApplyAt(ctx, sec, r.ID, 2, replace, "suggestion:1")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := svc.Text(ctx, r.ID, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v2 || snap.V != v1 || !strings.HasSuffix(snap.Data, "The meeting closed at 13:30.") || strings.Count(snap.Data, "13:30") != 1 {
		t.Fatalf("versions %d, %d; text v%d %q", v1, v2, snap.V, snap.Data)
	}
	// Another process (or this one restarted) keeps only ops after its latest milestone in
	// memory: it reads the older ones from the log, and still finds the suggestion there.
	waitForMilestone(t, st, r.ID, 3)
	again := reports.New(st, acc, rs, reports.Config{MilestoneEvery: 3, Logger: slog.New(slog.DiscardHandler)})
	v3, err := again.ApplyAt(ctx, sec, r.ID, 2, replace, "suggestion:1")
	if err != nil || v3 != v1 {
		t.Fatalf("after a restart: version %d, %v; want %d", v3, err, v1)
	}
	rng := []*reports.Range{{From: 22, To: 26, V: 2}}
	if head, err := again.Follow(ctx, r.ID, rng); err != nil || head != v1 || !rng[0].Gone {
		t.Fatalf("followed from the log: head %d, %+v, %v", head, *rng[0], err)
	}
}

// waitForMilestone waits until the report record names a milestone at v or later (milestones are
// stored in the background).
func waitForMilestone(t *testing.T, st *store.Store, reportID string, v int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var doc struct {
			Milestone int64 `bson:"milestone"`
		}
		err := st.Collection("reports").FindOne(context.Background(), bson.D{{Key: "_id", Value: reportID}}).Decode(&doc)
		if err == nil && doc.Milestone >= v {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no milestone at %d or later: %+v %v", v, doc, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
