package meetings

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/errs"
	"plenary/rooms"
	"plenary/store"
	"plenary/store/storetest"
)

// Domain tests of meetings against the real embedded store. Helpers are prefixed with mt so they do
// not collide with those of diff_test.go and ical_test.go (same package).

// The cast. chairA and chairB chair sessions A and B without taking part in the meeting; mchair
// takes part with the role chair; anonymous is the zero User.
const (
	mtSec      = "secretariat"
	mtChairA   = "chairA"
	mtChairB   = "chairB"
	mtMChair   = "mchair"
	mtPart     = "participant"
	mtObs      = "observer"
	mtOutsider = "outsider"
	mtAnon     = "anonymous"
)

var mtActors = []string{mtSec, mtChairA, mtChairB, mtMChair, mtPart, mtObs, mtOutsider, mtAnon}

// mtEditors see the draft agenda.
var mtEditors = []string{mtSec, mtChairA, mtChairB, mtMChair}

// mtReaders returns who may read a meeting of the given visibility.
func mtReaders(visibility string) []string {
	if visibility == Public {
		return mtActors
	}
	return []string{mtSec, mtChairA, mtChairB, mtMChair, mtPart, mtObs}
}

type mtFixture struct {
	ctx   context.Context
	st    *store.Store
	acc   *accounts.Service
	rs    *rooms.Service
	disc  *rooms.Discussion // nil unless asked for
	svc   *Service
	users map[string]accounts.User
	// tick is the fake clock: whole milliseconds, so that times survive the store unchanged.
	tick atomic.Int64
}

// newMtFixture opens a fresh store with the cast; withDiscussion adds the discussion rooms.
func newMtFixture(t *testing.T, withDiscussion bool) *mtFixture {
	t.Helper()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), rooms.DiscussionCollections(), Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32), HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := &mtFixture{ctx: context.Background(), st: st, acc: acc, rs: rooms.New(st, acc), users: map[string]accounts.User{}}
	if withDiscussion {
		f.disc = rooms.NewDiscussion(st, f.rs, rooms.DiscussionConfig{PostRate: -1, Logger: slog.New(slog.DiscardHandler)})
		t.Cleanup(f.disc.Close)
	}
	f.svc = New(st, acc, f.rs, f.disc)
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f.svc.now = func() time.Time { return start.Add(time.Duration(f.tick.Add(1)) * time.Second) }
	for _, name := range []string{mtSec, mtChairA, mtChairB, mtMChair, mtPart, mtObs, mtOutsider, "newcomer", "speaker"} {
		role := accounts.RoleUser
		if name == mtSec {
			role = accounts.RoleSecretariat
		}
		u, err := acc.CreateUser(f.ctx, accounts.NewUser{Email: strings.ToLower(name) + "@example.org", Name: "The " + name, Password: "password of " + name, Role: role})
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", name, err)
		}
		f.users[name] = u
	}
	f.users[mtAnon] = accounts.User{}
	return f
}

func (f *mtFixture) sec() accounts.User { return f.users[mtSec] }

// mtMeeting names a meeting made by mtFixture.meeting and the ids of its agenda.
type mtMeeting struct {
	ID             string
	A, B           string // sessions: A chaired by chairA, B by chairB
	A1, A2, B1     string // items
	Days           []string
	VisibilityUsed string
}

// meeting creates a meeting of 11–13 May 2026 in Zurich with session A (items a1 "Welcome",
// a2 "Keynote") on the 11th and session B (item b1 "Reports") on the 12th, and the participants
// mchair (chair), participant and observer; publish publishes it once.
func (f *mtFixture) meeting(t *testing.T, visibility string, publish bool) mtMeeting {
	t.Helper()
	chairA, chairB := f.users[mtChairA], f.users[mtChairB]
	agenda := Agenda{Sessions: []Session{
		{Title: "Opening", Chairs: []Person{{UserID: chairA.ID, Name: chairA.Name}}, Start: "2026-05-11T09:30", End: "2026-05-11T12:30",
			Items: []Item{{Kind: KindItem, Title: "Welcome", Duration: 15}, {Kind: KindItem, Title: "Keynote", Duration: 45}}},
		{Title: "Plenary", Chairs: []Person{{UserID: chairB.ID, Name: chairB.Name}}, Start: "2026-05-12T09:30", End: "2026-05-12T12:30",
			Items: []Item{{Kind: KindItem, Title: "Reports", Duration: 60}}},
	}}
	v, err := f.svc.CreateWithAgenda(f.ctx, f.sec(), MeetingInput{Title: ptr("Convention on cybercrime, 5th plenary"), StartDate: ptr("2026-05-11"),
		EndDate: ptr("2026-05-13"), TimeZone: ptr("Europe/Zurich"), Visibility: ptr(visibility), Venue: ptr("Palais")}, agenda)
	if err != nil {
		t.Fatalf("CreateWithAgenda: %v", err)
	}
	for _, p := range [][2]string{{mtMChair, RoleChair}, {mtPart, RoleParticipant}, {mtObs, RoleObserver}} {
		if _, err := f.svc.AddParticipant(f.ctx, f.sec(), v.ID, ParticipantInput{UserID: f.users[p[0]].ID, Role: p[1]}); err != nil {
			t.Fatalf("AddParticipant(%s): %v", p[0], err)
		}
	}
	if publish {
		if _, err := f.svc.Publish(f.ctx, f.sec(), v.ID, f.raw(t, v.ID).Version, "First draft"); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	s := v.Agenda.Sessions
	return mtMeeting{ID: v.ID, A: s[0].ID, B: s[1].ID, A1: s[0].Items[0].ID, A2: s[0].Items[1].ID, B1: s[1].Items[0].ID,
		Days: []string{"2026-05-11", "2026-05-12", "2026-05-13"}, VisibilityUsed: visibility}
}

// raw reads the stored meeting.
func (f *mtFixture) raw(t testing.TB, meetingID string) *meetingDoc {
	t.Helper()
	m, err := f.svc.load(f.ctx, meetingID)
	if err != nil {
		t.Fatalf("load %s: %v", meetingID, err)
	}
	return m
}

// get reads the meeting as actor, failing the test on error.
func (f *mtFixture) get(t testing.TB, actor, meetingID string) View {
	t.Helper()
	v, err := f.svc.Get(f.ctx, f.users[actor], meetingID)
	if err != nil {
		t.Fatalf("Get as %s: %v", actor, err)
	}
	return v
}

// mtMust(t)(call()) fails the test when call returns an error.
func mtMust(t testing.TB) func(View, error) View {
	return func(v View, err error) View {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func mtWantCode(t testing.TB, err error, want errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != want {
		t.Fatalf("error code %q, want %q (error: %v)", got, want, err)
	}
}

func mtJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mtSessionTitles lists an agenda's sessions as "title[item titles]".
func mtOrder(a *Agenda) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, s := range a.Sessions {
		var items []string
		for _, it := range s.Items {
			items = append(items, it.Title)
		}
		out = append(out, s.Title+"["+strings.Join(items, ",")+"]")
	}
	return out
}

func mtWantOrder(t testing.TB, a *Agenda, want ...string) {
	t.Helper()
	if got := mtOrder(a); !slices.Equal(got, want) {
		t.Fatalf("agenda %q, want %q", got, want)
	}
}

// ---- permissions ----

// TestPermissionMatrix runs every operation as every actor on a public and a participants-only
// meeting (a fresh published one each time). Readers get nil or forbidden, others not_found; a
// refused operation leaves the stored meeting exactly as it was.
func TestPermissionMatrix(t *testing.T) {
	f := newMtFixture(t, false)
	ctx := f.ctx
	ops := []struct {
		name  string
		allow []string // who succeeds, among those who may read the meeting
		prep  func(t *testing.T, m mtMeeting)
		do    func(u accounts.User, m mtMeeting, base int64) error
	}{
		{"Get", mtActors, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.Get(ctx, u, m.ID)
			return err
		}},
		{"List contains", mtActors, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			list, err := f.svc.List(ctx, u)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(list, func(s Summary) bool { return s.ID == m.ID }) {
				return errs.Errorf(errs.NotFound, "not listed")
			}
			return nil
		}},
		{"Versions", mtActors, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.Versions(ctx, u, m.ID)
			return err
		}},
		{"Version 1", mtActors, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.Version(ctx, u, m.ID, 1)
			return err
		}},
		{"Diff published", mtActors, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.Diff(ctx, u, m.ID, "1", "1")
			return err
		}},
		{"Diff with draft", mtEditors, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.Diff(ctx, u, m.ID, "1", "draft")
			return err
		}},
		{"Update meeting", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.Update(ctx, u, m.ID, base, MeetingInput{Venue: ptr("CICG")})
			return err
		}},
		{"AddSession", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.AddSession(ctx, u, m.ID, base, nil, SessionInput{Title: ptr("Extra"), Start: ptr("2026-05-13T09:00"), End: ptr("2026-05-13T10:00")})
			return err
		}},
		{"UpdateSession A title", []string{mtSec, mtChairA}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.UpdateSession(ctx, u, m.ID, base, m.A, SessionInput{Title: ptr("Opening (revised)")})
			return err
		}},
		{"UpdateSession A description and archive", []string{mtSec, mtChairA}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.UpdateSession(ctx, u, m.ID, base, m.A, SessionInput{Description: ptr("About"), ArchiveURL: ptr("https://archive.example.org/a")})
			return err
		}},
		{"UpdateSession A chairs", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.UpdateSession(ctx, u, m.ID, base, m.A, SessionInput{Chairs: &[]Person{{UserID: f.users[mtChairA].ID, Name: "A"}, {Name: "Guest"}}})
			return err
		}},
		{"UpdateSession A start", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.UpdateSession(ctx, u, m.ID, base, m.A, SessionInput{Start: ptr("2026-05-11T09:00")})
			return err
		}},
		{"DeleteSession B", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.DeleteSession(ctx, u, m.ID, base, m.B)
			return err
		}},
		{"AddItem to A", []string{mtSec, mtChairA}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.AddItem(ctx, u, m.ID, base, m.A, nil, ItemInput{Title: ptr("Q&A")})
			return err
		}},
		{"AddItem to B", []string{mtSec, mtChairB}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.AddItem(ctx, u, m.ID, base, m.B, nil, ItemInput{Kind: ptr(KindBreak)})
			return err
		}},
		{"UpdateItem in A", []string{mtSec, mtChairA}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.UpdateItem(ctx, u, m.ID, base, m.A, m.A1, ItemInput{Duration: ptr(20)})
			return err
		}},
		{"DeleteItem in A", []string{mtSec, mtChairA}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.DeleteItem(ctx, u, m.ID, base, m.A, m.A2)
			return err
		}},
		{"Move item within A", []string{mtSec, mtChairA}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.Move(ctx, u, m.ID, base, MoveInput{SessionID: m.A, ItemID: m.A1, ToIndex: 1})
			return err
		}},
		{"Move session", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.Move(ctx, u, m.ID, base, MoveInput{SessionID: m.B, ToIndex: 0})
			return err
		}},
		{"Move item from A to B", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.Move(ctx, u, m.ID, base, MoveInput{SessionID: m.A, ItemID: m.A1, ToSession: m.B, ToIndex: 0})
			return err
		}},
		{"Publish", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, base int64) error {
			_, err := f.svc.Publish(ctx, u, m.ID, base, "Second")
			return err
		}},
		{"SetLive on A's item", []string{mtSec, mtMChair, mtChairA}, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.SetLive(ctx, u, m.ID, LiveInput{SessionID: m.A, ItemID: m.A1, TimerSeconds: 60})
			return err
		}},
		{"SetLive on B's item", []string{mtSec, mtMChair, mtChairB}, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.SetLive(ctx, u, m.ID, LiveInput{SessionID: m.B, ItemID: m.B1})
			return err
		}},
		{"ClearLive of A's item", []string{mtSec, mtMChair, mtChairA}, func(t *testing.T, m mtMeeting) {
			if _, err := f.svc.SetLive(ctx, f.sec(), m.ID, LiveInput{SessionID: m.A, ItemID: m.A1}); err != nil {
				t.Fatal(err)
			}
		}, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.ClearLive(ctx, u, m.ID)
			return err
		}},
		{"AddParticipant", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.AddParticipant(ctx, u, m.ID, ParticipantInput{UserID: f.users["newcomer"].ID, Role: RoleParticipant})
			return err
		}},
		{"SetParticipantRole", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.SetParticipantRole(ctx, u, m.ID, f.users[mtObs].ID, RoleParticipant)
			return err
		}},
		{"RemoveParticipant", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.RemoveParticipant(ctx, u, m.ID, f.users[mtObs].ID)
			return err
		}},
		{"SetAttendance", []string{mtSec}, nil, func(u accounts.User, m mtMeeting, _ int64) error {
			_, err := f.svc.SetAttendance(ctx, u, m.ID, "2026-05-11", []string{f.users[mtPart].ID})
			return err
		}},
	}
	for _, vis := range []string{Public, Participants} {
		for _, op := range ops {
			for _, actor := range mtActors {
				t.Run(vis+"/"+op.name+"/"+actor, func(t *testing.T) {
					m := f.meeting(t, vis, true)
					if op.prep != nil {
						op.prep(t, m)
					}
					before := f.raw(t, m.ID)
					err := op.do(f.users[actor], m, before.Version)
					var want errs.Code
					switch {
					case !slices.Contains(mtReaders(vis), actor):
						want = errs.NotFound
					case !slices.Contains(op.allow, actor):
						want = errs.Forbidden
					}
					mtWantCode(t, err, want)
					if want != "" {
						if after := f.raw(t, m.ID); !reflect.DeepEqual(before, after) {
							t.Fatalf("the refused operation changed the meeting:\nbefore %+v\nafter  %+v", before, after)
						}
					}
				})
			}
		}
	}
}

// TestChairOfBothSessionsMovesItemsAcross: moving an item between sessions needs the right to
// edit both, which a chair of both has.
func TestChairOfBothSessionsMovesItemsAcross(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, false)
	both := f.users["speaker"]
	v := mtMust(t)(f.svc.UpdateSession(f.ctx, f.sec(), m.ID, f.raw(t, m.ID).Version, m.B,
		SessionInput{Chairs: &[]Person{{UserID: f.users[mtChairB].ID, Name: "B"}, {UserID: both.ID, Name: "Both"}}}))
	v = mtMust(t)(f.svc.UpdateSession(f.ctx, f.sec(), m.ID, v.Version, m.A,
		SessionInput{Chairs: &[]Person{{UserID: both.ID, Name: "Both"}}}))
	// chairA no longer chairs A: the participants-only meeting is closed to them now.
	_, err := f.svc.Get(f.ctx, f.users[mtChairA], m.ID)
	mtWantCode(t, err, errs.NotFound)
	_, err = f.svc.Move(f.ctx, f.users[mtChairB], m.ID, v.Version, MoveInput{SessionID: m.B, ItemID: m.B1, ToSession: m.A, ToIndex: 0})
	mtWantCode(t, err, errs.Forbidden)
	v = mtMust(t)(f.svc.Move(f.ctx, both, m.ID, v.Version, MoveInput{SessionID: m.B, ItemID: m.B1, ToSession: m.A, ToIndex: 1}))
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Reports,Keynote]", "Plenary[]")
	if !slices.Equal(v.Can.EditSessions, []string{m.A, m.B}) || v.Can.EditMeeting {
		t.Fatalf("can: %+v", v.Can)
	}
}

// ---- what readers see ----

func TestWhatReadersSee(t *testing.T) {
	f := newMtFixture(t, false)
	for _, vis := range []string{Public, Participants} {
		t.Run(vis, func(t *testing.T) {
			m := f.meeting(t, vis, false)
			mtMust(t)(f.svc.SetAttendance(f.ctx, f.sec(), m.ID, "2026-05-12", []string{f.users[mtPart].ID, f.users[mtObs].ID}))
			check := func(stage string, editorTitle, readerTitle string, number int, editorChanged bool) {
				t.Helper()
				for _, actor := range mtReaders(vis) {
					v := f.get(t, actor, m.ID)
					editor := slices.Contains(mtEditors, actor)
					switch {
					case editor:
						if v.AgendaShown != "draft" || v.Agenda == nil || v.Agenda.Sessions[0].Title != editorTitle || v.AgendaNumber != number || v.DraftChanged != editorChanged {
							t.Errorf("%s: %s sees %s #%d changed=%v %q", stage, actor, v.AgendaShown, v.AgendaNumber, v.DraftChanged, mtOrder(v.Agenda))
						}
					case number == 0:
						if v.AgendaShown != "none" || v.Agenda != nil || v.AgendaNumber != 0 || v.DraftChanged {
							t.Errorf("%s: %s sees %s #%d %q, want none", stage, actor, v.AgendaShown, v.AgendaNumber, mtOrder(v.Agenda))
						}
					default:
						if v.AgendaShown != "published" || v.Agenda == nil || v.Agenda.Sessions[0].Title != readerTitle || v.AgendaNumber != number || v.DraftChanged {
							t.Errorf("%s: %s sees %s #%d changed=%v %q", stage, actor, v.AgendaShown, v.AgendaNumber, v.DraftChanged, mtOrder(v.Agenda))
						}
					}
					if actor == mtAnon {
						if len(v.Participants) != 0 || len(v.Attendance) != 0 || v.Participants == nil || v.Attendance == nil {
							t.Errorf("%s: anonymous sees participants %v attendance %v", stage, v.Participants, v.Attendance)
						}
					} else if len(v.Participants) != 3 || len(v.Attendance) != 1 || len(v.Attendance[0].Present) != 2 {
						t.Errorf("%s: %s sees participants %v attendance %v", stage, actor, v.Participants, v.Attendance)
					}
				}
			}
			check("before publishing", "Opening", "", 0, true)
			v := mtMust(t)(f.svc.Publish(f.ctx, f.sec(), m.ID, f.raw(t, m.ID).Version, "First"))
			check("published", "Opening", "Opening", 1, false)
			mtMust(t)(f.svc.UpdateSession(f.ctx, f.users[mtChairA], m.ID, v.Version, m.A, SessionInput{Title: ptr("Opening (draft)")}))
			check("draft edited", "Opening (draft)", "Opening", 1, true)

			// Roles and rights as each reader's view reports them.
			for actor, want := range map[string]struct {
				role                string
				editMeeting, post   bool
				editSessions, lives []string
			}{
				mtSec:    {"", true, true, []string{m.A, m.B}, []string{m.A, m.B}},
				mtChairA: {"", false, true, []string{m.A}, []string{m.A}},
				mtChairB: {"", false, true, []string{m.B}, []string{m.B}},
				mtMChair: {RoleChair, false, true, []string{}, []string{m.A, m.B}},
				mtPart:   {RoleParticipant, false, true, []string{}, []string{}},
				mtObs:    {RoleObserver, false, false, []string{}, []string{}},
			} {
				v := f.get(t, actor, m.ID)
				if v.MyRole != want.role || v.Can.EditMeeting != want.editMeeting || v.Can.Post != want.post ||
					!slices.Equal(v.Can.EditSessions, want.editSessions) || !slices.Equal(v.Can.LiveSessions, want.lives) || v.Room != "meeting:"+m.ID {
					t.Errorf("%s: role %q can %+v room %q", actor, v.MyRole, v.Can, v.Room)
				}
			}
			if vis == Public {
				for _, actor := range []string{mtOutsider, mtAnon} {
					v := f.get(t, actor, m.ID)
					if v.MyRole != "" || v.Can.EditMeeting || v.Can.Post || len(v.Can.EditSessions) != 0 || len(v.Can.LiveSessions) != 0 {
						t.Errorf("%s: role %q can %+v", actor, v.MyRole, v.Can)
					}
				}
			}
		})
	}
}

// ---- versions and conflicts ----

// TestStaleVersion: two edits based on the same version; the second is refused and the stored
// meeting is the first edit's result.
func TestStaleVersion(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, true)
	base := f.raw(t, m.ID).Version
	first := mtMust(t)(f.svc.UpdateSession(f.ctx, f.sec(), m.ID, base, m.A, SessionInput{Title: ptr("First edit")}))
	if first.Version != base+1 {
		t.Fatalf("version %d after an edit of %d", first.Version, base)
	}
	stale := map[string]func() error{
		"UpdateItem": func() error {
			_, err := f.svc.UpdateItem(f.ctx, f.users[mtChairA], m.ID, base, m.A, m.A1, ItemInput{Title: ptr("Second edit")})
			return err
		},
		"UpdateSession": func() error {
			_, err := f.svc.UpdateSession(f.ctx, f.sec(), m.ID, base, m.A, SessionInput{Title: ptr("Second edit")})
			return err
		},
		"Update": func() error {
			_, err := f.svc.Update(f.ctx, f.sec(), m.ID, base, MeetingInput{Title: ptr("Second edit")})
			return err
		},
		"AddSession": func() error {
			_, err := f.svc.AddSession(f.ctx, f.sec(), m.ID, base, nil, SessionInput{Title: ptr("X"), Start: ptr("2026-05-13T09:00"), End: ptr("2026-05-13T10:00")})
			return err
		},
		"DeleteSession": func() error { _, err := f.svc.DeleteSession(f.ctx, f.sec(), m.ID, base, m.B); return err },
		"AddItem": func() error {
			_, err := f.svc.AddItem(f.ctx, f.sec(), m.ID, base, m.A, nil, ItemInput{Title: ptr("X")})
			return err
		},
		"DeleteItem": func() error { _, err := f.svc.DeleteItem(f.ctx, f.sec(), m.ID, base, m.A, m.A1); return err },
		"Move": func() error {
			_, err := f.svc.Move(f.ctx, f.sec(), m.ID, base, MoveInput{SessionID: m.B, ToIndex: 0})
			return err
		},
		"Publish":     func() error { _, err := f.svc.Publish(f.ctx, f.sec(), m.ID, base, "Second"); return err },
		"future base": func() error { _, err := f.svc.Publish(f.ctx, f.sec(), m.ID, base+5, "Second"); return err },
	}
	for name, do := range stale {
		err := do()
		mtWantCode(t, err, errs.Conflict)
		if msg := errs.MessageOf(err); msg != "Someone else changed this meeting since you loaded it. Reload to see their changes, then make yours again." {
			t.Fatalf("%s: message %q", name, msg)
		}
	}
	got := f.get(t, mtSec, m.ID)
	if !got.ServerTime.After(first.ServerTime) {
		t.Errorf("server_time %v does not follow the clock (first answer %v)", got.ServerTime, first.ServerTime)
	}
	got.ServerTime, first.ServerTime = time.Time{}, time.Time{}
	if mtJSON(t, got) != mtJSON(t, first) {
		t.Fatalf("stored meeting differs from the first edit's result:\n%s\n%s", mtJSON(t, got), mtJSON(t, first))
	}
	raw := f.raw(t, m.ID)
	if raw.Version != base+1 || raw.Agenda.Sessions[0].Title != "First edit" || raw.Agenda.Sessions[0].Items[0].Title != "Welcome" ||
		len(raw.Published) != 1 || len(raw.Agenda.Sessions) != 2 || raw.Title != "Convention on cybercrime, 5th plenary" {
		t.Fatalf("stored: %+v", raw)
	}
	// Based on the new version, the second edit goes through and keeps the first.
	v := mtMust(t)(f.svc.UpdateItem(f.ctx, f.users[mtChairA], m.ID, first.Version, m.A, m.A1, ItemInput{Title: ptr("Second edit")}))
	mtWantOrder(t, v.Agenda, "First edit[Second edit,Keynote]", "Plenary[Reports]")
}

// TestChangesThatAreNotEditsKeepEditorsBase: participants, attendance and the start of live mode
// move the version (views reload) but do not make an editor's open form stale; an edit does.
func TestChangesThatAreNotEditsKeepEditorsBase(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, true)
	base := f.raw(t, m.ID).Version
	mtMust(t)(f.svc.AddParticipant(f.ctx, f.sec(), m.ID, ParticipantInput{UserID: f.users[mtOutsider].ID, Role: RoleObserver}))
	mtMust(t)(f.svc.SetAttendance(f.ctx, f.sec(), m.ID, m.Days[0], []string{f.users[mtPart].ID}))
	mtMust(t)(f.svc.SetLive(f.ctx, f.sec(), m.ID, LiveInput{SessionID: m.A, ItemID: m.A1}))
	if v := f.raw(t, m.ID).Version; v != base+3 {
		t.Fatalf("version %d after three changes from %d", v, base)
	}
	edited := mtMust(t)(f.svc.UpdateItem(f.ctx, f.users[mtChairA], m.ID, base, m.A, m.A1, ItemInput{Title: ptr("Edited from an open form")}))
	if edited.Agenda.Sessions[0].Items[0].Title != "Edited from an open form" || len(edited.Participants) != 4 || edited.Live == nil {
		t.Fatalf("the edit lost something: %+v", edited)
	}
	// Now the agenda was edited after base: another form opened at base is stale.
	_, err := f.svc.UpdateSession(f.ctx, f.sec(), m.ID, base, m.B, SessionInput{Title: ptr("Late")})
	mtWantCode(t, err, errs.Conflict)
}

// TestAnonymousLiveHidesWhoRunsIt: anonymous readers of a public meeting follow the current item
// but are not told who moved it on.
func TestAnonymousLiveHidesWhoRunsIt(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Public, true)
	mtMust(t)(f.svc.SetLive(f.ctx, f.sec(), m.ID, LiveInput{SessionID: m.A, ItemID: m.A2}))
	anon := f.get(t, mtAnon, m.ID)
	if anon.Live == nil || anon.Live.ItemID != m.A2 || anon.Live.By != "" || anon.Live.ByName != "" {
		t.Fatalf("anonymous live: %+v", anon.Live)
	}
	if signed := f.get(t, mtPart, m.ID); signed.Live == nil || signed.Live.ByName == "" {
		t.Fatalf("signed-in live: %+v", signed.Live)
	}
	if f.raw(t, m.ID).Live.By == "" {
		t.Fatal("the view changed the shared meeting")
	}
}

// TestCacheAgreesWithTheStore: on the embedded store meetings are served from memory; after a mix
// of changes the memory copy equals what the store holds.
func TestCacheAgreesWithTheStore(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Public, true)
	mtMust(t)(f.svc.SetLive(f.ctx, f.sec(), m.ID, LiveInput{SessionID: m.A, ItemID: m.A2, TimerSeconds: 60}))
	mtMust(t)(f.svc.Move(f.ctx, f.sec(), m.ID, f.raw(t, m.ID).Version, MoveInput{SessionID: m.A, ItemID: m.A2, ToSession: m.B, ToIndex: 1}))
	mtMust(t)(f.svc.SetAttendance(f.ctx, f.sec(), m.ID, m.Days[1], []string{f.users[mtObs].ID}))
	if f.svc.cache == nil {
		t.Fatal("the embedded store should cache meetings")
	}
	cached := f.svc.cache.get(m.ID)
	var stored meetingDoc
	if err := f.svc.meetings.FindOne(f.ctx, bson.D{{Key: "_id", Value: m.ID}}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	var live liveDoc
	if err := f.svc.live.FindOne(f.ctx, bson.D{{Key: "_id", Value: m.ID}}).Decode(&live); err != nil {
		t.Fatal(err)
	}
	stored.Live, stored.LiveSeq = live.Live, live.Seq
	if stored.Live == nil || stored.Live.SessionID != m.B {
		t.Fatalf("the stored live state did not follow the moved item: %+v", stored.Live)
	}
	if cached == nil || mtJSON(t, *cached) != mtJSON(t, stored) {
		t.Fatalf("cache and store differ:\n%s\n%s", mtJSON(t, cached), mtJSON(t, stored))
	}
	list, err := f.svc.List(f.ctx, f.sec())
	if err != nil || len(list) != 1 || list[0].Status != StatusInSession {
		t.Fatalf("list: %+v %v", list, err)
	}
}

// ---- reordering ----

func TestReorderSessions(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, false)
	v := mtMust(t)(f.svc.AddSession(f.ctx, f.sec(), m.ID, f.raw(t, m.ID).Version, nil,
		SessionInput{Title: ptr("Closing"), Start: ptr("2026-05-13T09:00"), End: ptr("2026-05-13T10:00")}))
	c := v.Agenda.Sessions[2].ID
	move := func(sessionID string, to int) {
		t.Helper()
		v = mtMust(t)(f.svc.Move(f.ctx, f.sec(), m.ID, v.Version, MoveInput{SessionID: sessionID, ToIndex: to}))
	}
	move(m.A, 99) // beyond the end: clamps to the end
	mtWantOrder(t, v.Agenda, "Plenary[Reports]", "Closing[]", "Opening[Welcome,Keynote]")
	move(m.A, 0)
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Keynote]", "Plenary[Reports]", "Closing[]")
	move(c, 1)
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Keynote]", "Closing[]", "Plenary[Reports]")
	move(c, 1) // where it is already
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Keynote]", "Closing[]", "Plenary[Reports]")
	// Inserting at an index, too.
	v = mtMust(t)(f.svc.AddSession(f.ctx, f.sec(), m.ID, v.Version, ptr(0),
		SessionInput{Title: ptr("Registration"), Start: ptr("2026-05-11T08:00"), End: ptr("2026-05-11T09:00")}))
	mtWantOrder(t, v.Agenda, "Registration[]", "Opening[Welcome,Keynote]", "Closing[]", "Plenary[Reports]")
	if got := mtOrder(&f.raw(t, m.ID).Agenda); !slices.Equal(got, mtOrder(v.Agenda)) {
		t.Fatalf("stored %q, returned %q", got, mtOrder(v.Agenda))
	}

	for name, tc := range map[string]struct {
		in   MoveInput
		want errs.Code
	}{
		"negative index":       {MoveInput{SessionID: m.A, ToIndex: -1}, errs.Invalid},
		"session into another": {MoveInput{SessionID: m.A, ToSession: m.B, ToIndex: 0}, errs.Invalid},
		"unknown session":      {MoveInput{SessionID: "nosuchsession", ToIndex: 0}, errs.NotFound},
		"unknown item":         {MoveInput{SessionID: m.A, ItemID: "nosuchitem", ToIndex: 0}, errs.NotFound},
		"item of another":      {MoveInput{SessionID: m.A, ItemID: m.B1, ToIndex: 0}, errs.NotFound},
		"unknown target":       {MoveInput{SessionID: m.A, ItemID: m.A1, ToSession: "nosuchsession", ToIndex: 0}, errs.NotFound},
	} {
		_, err := f.svc.Move(f.ctx, f.sec(), m.ID, v.Version, tc.in)
		if errs.CodeOf(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if f.raw(t, m.ID).Version != v.Version {
		t.Fatal("a refused move changed the meeting")
	}
}

func TestReorderItems(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, false)
	v := mtMust(t)(f.svc.AddItem(f.ctx, f.users[mtChairA], m.ID, f.raw(t, m.ID).Version, m.A, nil, ItemInput{Title: ptr("Q&A")}))
	a3 := v.Agenda.Sessions[0].Items[2].ID
	move := func(in MoveInput) {
		t.Helper()
		v = mtMust(t)(f.svc.Move(f.ctx, f.users[mtSec], m.ID, v.Version, in))
	}
	move(MoveInput{SessionID: m.A, ItemID: m.A1, ToIndex: 99})
	mtWantOrder(t, v.Agenda, "Opening[Keynote,Q&A,Welcome]", "Plenary[Reports]")
	move(MoveInput{SessionID: m.A, ItemID: m.A1, ToSession: m.A, ToIndex: 0})
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Keynote,Q&A]", "Plenary[Reports]")
	move(MoveInput{SessionID: m.A, ItemID: a3, ToIndex: 1})
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Q&A,Keynote]", "Plenary[Reports]")

	// The live item moves to another session: live follows it.
	lv, err := f.svc.SetLive(f.ctx, f.sec(), m.ID, LiveInput{SessionID: m.A, ItemID: m.A2, TimerSeconds: 300})
	if err != nil {
		t.Fatal(err)
	}
	v = lv
	move(MoveInput{SessionID: m.A, ItemID: m.A2, ToSession: m.B, ToIndex: 0})
	mtWantOrder(t, v.Agenda, "Opening[Welcome,Q&A]", "Plenary[Keynote,Reports]")
	if v.Live == nil || v.Live.SessionID != m.B || v.Live.ItemID != m.A2 || v.Live.TimerSeconds != 300 {
		t.Fatalf("live after the move: %+v", v.Live)
	}
	if live := f.raw(t, m.ID).Live; live == nil || live.SessionID != m.B || live.ItemID != m.A2 {
		t.Fatalf("stored live after the move: %+v", live)
	}
	// The moved item can be made live in its new session (and not in its old one).
	if _, err := f.svc.SetLive(f.ctx, f.sec(), m.ID, LiveInput{SessionID: m.A, ItemID: m.A2}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("SetLive in the old session: %v", err)
	}
	// Into another session beyond its end: clamps; live stays where it is.
	move(MoveInput{SessionID: m.A, ItemID: m.A1, ToSession: m.B, ToIndex: 99})
	mtWantOrder(t, v.Agenda, "Opening[Q&A]", "Plenary[Keynote,Reports,Welcome]")
	if v.Live == nil || v.Live.SessionID != m.B || v.Live.ItemID != m.A2 {
		t.Fatalf("live after another move: %+v", v.Live)
	}
	// A move bumps the revisions of the sessions involved (their calendar events changed).
	before := f.raw(t, m.ID)
	move(MoveInput{SessionID: m.B, ItemID: m.A1, ToSession: m.A, ToIndex: 0})
	after := f.raw(t, m.ID)
	if after.Agenda.Sessions[0].Revision <= before.Agenda.Sessions[0].Revision || after.Agenda.Sessions[1].Revision <= before.Agenda.Sessions[1].Revision {
		t.Fatalf("revisions %d,%d → %d,%d", before.Agenda.Sessions[0].Revision, before.Agenda.Sessions[1].Revision,
			after.Agenda.Sessions[0].Revision, after.Agenda.Sessions[1].Revision)
	}
}

// ---- publishing ----

func TestPublishVersions(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, false)
	sec := f.sec()
	ver := func() int64 { return f.raw(t, m.ID).Version }

	_, err := f.svc.Publish(f.ctx, sec, m.ID, ver(), "  ")
	mtWantCode(t, err, errs.Invalid)
	if got, err := f.svc.Versions(f.ctx, sec, m.ID); err != nil || len(got) != 0 {
		t.Fatalf("Versions before publishing: %v %v", got, err)
	}

	titles := []string{"Opening", "Opening, day one", "Opening, final"}
	for i, title := range titles {
		if i > 0 {
			v := mtMust(t)(f.svc.UpdateSession(f.ctx, f.users[mtChairA], m.ID, ver(), m.A, SessionInput{Title: ptr(title)}))
			if !v.DraftChanged {
				t.Fatalf("draft_changed false after an edit")
			}
		}
		v := mtMust(t)(f.svc.Publish(f.ctx, sec, m.ID, ver(), "Version "+title))
		if v.DraftChanged || v.AgendaNumber != i+1 || len(v.Published) != i+1 || v.Published[i].Number != i+1 || v.Published[i].By != sec.ID {
			t.Fatalf("after publishing %d: changed=%v number=%d published=%+v", i+1, v.DraftChanged, v.AgendaNumber, v.Published)
		}
		// Read back as stored, for an editor: still not changed.
		if g := f.get(t, mtMChair, m.ID); g.DraftChanged || g.AgendaNumber != i+1 {
			t.Fatalf("reloaded after publishing %d: changed=%v number=%d", i+1, g.DraftChanged, g.AgendaNumber)
		}
	}
	list, err := f.svc.Versions(f.ctx, f.users[mtObs], m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Number != 3 || list[1].Number != 2 || list[2].Number != 1 || list[2].Note != "Version Opening" {
		t.Fatalf("Versions: %+v", list)
	}
	for n, title := range titles {
		av, err := f.svc.Version(f.ctx, f.users[mtObs], m.ID, n+1)
		if err != nil {
			t.Fatal(err)
		}
		if av.Number != n+1 || av.Note != "Version "+title || av.TimeZone != "Europe/Zurich" || av.Agenda.Sessions[0].Title != title || av.ByName != sec.Name {
			t.Fatalf("version %d: %+v", n+1, av)
		}
	}
	for _, n := range []int{0, 4, -1} {
		_, err := f.svc.Version(f.ctx, sec, m.ID, n)
		mtWantCode(t, err, errs.NotFound)
	}
	// A later edit does not touch the published versions.
	mtMust(t)(f.svc.DeleteSession(f.ctx, sec, m.ID, ver(), m.B))
	if av, _ := f.svc.Version(f.ctx, sec, m.ID, 3); len(av.Agenda.Sessions) != 2 {
		t.Fatalf("version 3 changed with the draft: %q", mtOrder(&av.Agenda))
	}
	if v := f.get(t, mtPart, m.ID); len(v.Agenda.Sessions) != 2 || v.AgendaShown != "published" {
		t.Fatalf("a participant sees the draft: %q", mtOrder(v.Agenda))
	}
}

func TestPublishEmptyAgendaRefused(t *testing.T) {
	f := newMtFixture(t, false)
	v := mtMust(t)(f.svc.Create(f.ctx, f.sec(), MeetingInput{Title: ptr("Bureau"), StartDate: ptr("2026-06-01"), EndDate: ptr("2026-06-01"),
		TimeZone: ptr("UTC"), Visibility: ptr(Public)}))
	_, err := f.svc.Publish(f.ctx, f.sec(), v.ID, v.Version, "Nothing yet")
	mtWantCode(t, err, errs.Invalid)
	if n, _ := f.svc.versions.CountDocuments(f.ctx, bson.D{}); n != 0 {
		t.Fatalf("%d version documents after a refused publish", n)
	}
}

func TestStatusTransitions(t *testing.T) {
	f := newMtFixture(t, false)
	sec := f.sec()
	v := mtMust(t)(f.svc.Create(f.ctx, sec, MeetingInput{Title: ptr("Bureau"), StartDate: ptr("2026-06-01"), EndDate: ptr("2026-06-02"),
		TimeZone: ptr("Europe/Paris"), Visibility: ptr(Participants)}))
	want := func(status string) {
		t.Helper()
		if v.Status != status {
			t.Fatalf("status %q, want %q", v.Status, status)
		}
		if stored := f.raw(t, v.ID).Status; stored != status {
			t.Fatalf("stored status %q, want %q", stored, status)
		}
	}
	want(StatusPlanned)
	// A participant change is no agenda edit.
	v = mtMust(t)(f.svc.AddParticipant(f.ctx, sec, v.ID, ParticipantInput{UserID: f.users[mtPart].ID, Role: RoleParticipant}))
	want(StatusPlanned)
	v = mtMust(t)(f.svc.AddSession(f.ctx, sec, v.ID, v.Version, nil, SessionInput{Title: ptr("Morning"), Start: ptr("2026-06-01T09:00"), End: ptr("2026-06-01T12:00")}))
	want(StatusAgendaDraft)
	v = mtMust(t)(f.svc.AddItem(f.ctx, sec, v.ID, v.Version, v.Agenda.Sessions[0].ID, nil, ItemInput{Title: ptr("Minutes")}))
	want(StatusAgendaDraft)
	v = mtMust(t)(f.svc.Publish(f.ctx, sec, v.ID, v.Version, "First"))
	want(StatusAgendaPublished)
	// Editing the published agenda does not move the status back.
	v = mtMust(t)(f.svc.UpdateItem(f.ctx, sec, v.ID, v.Version, v.Agenda.Sessions[0].ID, v.Agenda.Sessions[0].Items[0].ID, ItemInput{Duration: ptr(5)}))
	want(StatusAgendaPublished)
	v = mtMust(t)(f.svc.SetLive(f.ctx, sec, v.ID, LiveInput{SessionID: v.Agenda.Sessions[0].ID, ItemID: v.Agenda.Sessions[0].Items[0].ID}))
	want(StatusInSession)
	// Publishing while in session keeps the status.
	v = mtMust(t)(f.svc.Publish(f.ctx, sec, v.ID, v.Version, "Second"))
	want(StatusInSession)
	v = mtMust(t)(f.svc.Update(f.ctx, sec, v.ID, v.Version, MeetingInput{Status: ptr(StatusClosed)}))
	want(StatusClosed)
	v = mtMust(t)(f.svc.Update(f.ctx, sec, v.ID, v.Version, MeetingInput{Status: ptr(StatusInSession)})) // back one step
	want(StatusInSession)
	for _, bad := range []string{StatusAgendaDraft, StatusPlanned, "cancelled", "", "In_Session"} {
		_, err := f.svc.Update(f.ctx, sec, v.ID, v.Version, MeetingInput{Status: ptr(bad)})
		mtWantCode(t, err, errs.Invalid)
	}
	want(StatusInSession)
	// Forward any number of steps.
	other := mtMust(t)(f.svc.Create(f.ctx, sec, MeetingInput{Title: ptr("Other"), StartDate: ptr("2026-06-01"), EndDate: ptr("2026-06-01"),
		TimeZone: ptr("UTC"), Visibility: ptr(Public)}))
	other = mtMust(t)(f.svc.Update(f.ctx, sec, other.ID, other.Version, MeetingInput{Status: ptr(StatusClosed)}))
	if other.Status != StatusClosed {
		t.Fatalf("planned → closed: %q", other.Status)
	}
	other = mtMust(t)(f.svc.Update(f.ctx, sec, other.ID, other.Version, MeetingInput{Status: ptr(StatusClosed)})) // unchanged
	if other.Status != StatusClosed {
		t.Fatalf("closed → closed: %q", other.Status)
	}
}

// TestDiffThroughService compares published versions and the draft.
func TestDiffThroughService(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, true)
	sec := f.sec()
	v := mtMust(t)(f.svc.UpdateSession(f.ctx, sec, m.ID, f.raw(t, m.ID).Version, m.B, SessionInput{Title: ptr("Plenary, continued")}))
	v = mtMust(t)(f.svc.AddSession(f.ctx, sec, m.ID, v.Version, nil, SessionInput{Title: ptr("Closing"), Start: ptr("2026-05-13T14:00"), End: ptr("2026-05-13T15:00")}))
	closing := v.Agenda.Sessions[2].ID
	v = mtMust(t)(f.svc.Publish(f.ctx, sec, m.ID, v.Version, "Second"))

	d, err := f.svc.Diff(f.ctx, f.users[mtObs], m.ID, "1", "2")
	if err != nil {
		t.Fatal(err)
	}
	if d.From != "1" || d.To != "2" || d.Counts != (DiffCounts{Added: 1, Changed: 1}) || len(d.Sessions) != 3 {
		t.Fatalf("diff 1→2: %+v", d)
	}
	byID := map[string]SessionDiff{}
	for _, s := range d.Sessions {
		byID[s.ID] = s
	}
	if s := byID[closing]; s.Change != DiffAdded || s.Title != "Closing" || s.Number != 3 {
		t.Errorf("added session: %+v", s)
	}
	if s := byID[m.B]; s.Change != DiffChanged || len(s.Fields) != 1 || s.Fields[0] != (FieldChange{Field: "title", Old: "Plenary", New: "Plenary, continued"}) {
		t.Errorf("renamed session: %+v", s)
	}
	if s := byID[m.A]; s.Change != DiffUnchanged {
		t.Errorf("untouched session: %+v", s)
	}
	// Backwards, the added session is removed.
	back, err := f.svc.Diff(f.ctx, f.users[mtObs], m.ID, "2", "1")
	if err != nil || back.Counts != (DiffCounts{Removed: 1, Changed: 1}) {
		t.Fatalf("diff 2→1: %+v %v", back.Counts, err)
	}
	// The draft: nothing changed since version 2, then one item.
	if d, err := f.svc.Diff(f.ctx, sec, m.ID, "2", "draft"); err != nil || d.Counts != (DiffCounts{}) {
		t.Fatalf("diff 2→draft: %+v %v", d.Counts, err)
	}
	mtMust(t)(f.svc.AddItem(f.ctx, f.users[mtChairA], m.ID, v.Version, m.A, nil, ItemInput{Title: ptr("Late addition")}))
	if d, err := f.svc.Diff(f.ctx, f.users[mtChairB], m.ID, "2", "draft"); err != nil || d.Counts != (DiffCounts{Added: 1}) {
		t.Fatalf("diff 2→draft after an edit: %+v %v", d.Counts, err)
	}
	if d, err := f.svc.Diff(f.ctx, sec, m.ID, "draft", "draft"); err != nil || d.Counts != (DiffCounts{}) {
		t.Fatalf("diff draft→draft: %+v %v", d.Counts, err)
	}
	for _, tc := range []struct {
		actor, from, to string
		want            errs.Code
	}{
		{mtPart, "1", "draft", errs.Forbidden},
		{mtObs, "draft", "2", errs.Forbidden},
		{mtSec, "x", "1", errs.Invalid},
		{mtSec, "1", "0", errs.Invalid},
		{mtSec, "1", "", errs.Invalid},
		{mtSec, "1", "3", errs.NotFound},
		{mtOutsider, "1", "2", errs.NotFound},
	} {
		_, err := f.svc.Diff(f.ctx, f.users[tc.actor], m.ID, tc.from, tc.to)
		if errs.CodeOf(err) != tc.want {
			t.Errorf("Diff(%s, %q, %q) as %s: %v, want %s", m.ID, tc.from, tc.to, tc.actor, err, tc.want)
		}
	}
}

// ---- validation ----

func TestValidation(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Public, false)
	sec := f.sec()
	ver := func() int64 { return f.raw(t, m.ID).Version }
	create := func(in MeetingInput) error {
		full := MeetingInput{Title: ptr("T"), StartDate: ptr("2026-05-11"), EndDate: ptr("2026-05-13"), TimeZone: ptr("Europe/Zurich"), Visibility: ptr(Public)}
		for _, p := range []struct{ dst, src **string }{{&full.Title, &in.Title}, {&full.StartDate, &in.StartDate}, {&full.EndDate, &in.EndDate},
			{&full.TimeZone, &in.TimeZone}, {&full.Visibility, &in.Visibility}, {&full.RemoteURL, &in.RemoteURL}, {&full.Status, &in.Status}} {
			if *p.src != nil {
				*p.dst = *p.src
			}
		}
		_, err := f.svc.Create(f.ctx, sec, full)
		return err
	}
	session := func(in SessionInput) error {
		_, err := f.svc.AddSession(f.ctx, sec, m.ID, ver(), nil, in)
		return err
	}
	sess := func(start, end string) SessionInput {
		return SessionInput{Title: ptr("S"), Start: ptr(start), End: ptr(end)}
	}
	item := func(in ItemInput) error {
		_, err := f.svc.AddItem(f.ctx, sec, m.ID, ver(), m.A, nil, in)
		return err
	}
	people := func(n int) *[]Person {
		out := make([]Person, n)
		for i := range out {
			out[i] = Person{Name: "Person " + itoa(i)}
		}
		return &out
	}
	long := strings.Repeat("é", 301)
	for _, tc := range []struct {
		name string
		do   func() error
		want errs.Code
	}{
		{"create: valid (control)", func() error { return create(MeetingInput{}) }, ""},
		{"create: 31 days (control)", func() error { return create(MeetingInput{StartDate: ptr("2026-05-01"), EndDate: ptr("2026-05-31")}) }, ""},
		{"create: missing title", func() error {
			_, err := f.svc.Create(f.ctx, sec, MeetingInput{StartDate: ptr("2026-05-11"), EndDate: ptr("2026-05-11"), TimeZone: ptr("UTC"), Visibility: ptr(Public)})
			return err
		}, errs.Invalid},
		{"create: bad date", func() error { return create(MeetingInput{StartDate: ptr("2026-13-01")}) }, errs.Invalid},
		{"create: unpadded date", func() error { return create(MeetingInput{StartDate: ptr("2026-5-11")}) }, errs.Invalid},
		{"create: date with time", func() error { return create(MeetingInput{EndDate: ptr("2026-05-13T10:00")}) }, errs.Invalid},
		{"create: end before start", func() error { return create(MeetingInput{StartDate: ptr("2026-05-11"), EndDate: ptr("2026-05-10")}) }, errs.Invalid},
		{"create: 32 days", func() error { return create(MeetingInput{StartDate: ptr("2026-05-01"), EndDate: ptr("2026-06-01")}) }, errs.Invalid},
		{"create: unknown zone", func() error { return create(MeetingInput{TimeZone: ptr("Mars/Olympus_Mons")}) }, errs.Invalid},
		{"create: Local", func() error { return create(MeetingInput{TimeZone: ptr("Local")}) }, errs.Invalid},
		{"create: empty zone", func() error { return create(MeetingInput{TimeZone: ptr("")}) }, errs.Invalid},
		{"create: zone path", func() error { return create(MeetingInput{TimeZone: ptr("../../etc/passwd")}) }, errs.Invalid},
		{"create: javascript url", func() error { return create(MeetingInput{RemoteURL: ptr("javascript:alert(1)")}) }, errs.Invalid},
		{"create: url without host", func() error { return create(MeetingInput{RemoteURL: ptr("https://")}) }, errs.Invalid},
		{"create: ftp url", func() error { return create(MeetingInput{RemoteURL: ptr("ftp://files.example.org/x")}) }, errs.Invalid},
		{"create: url with quote", func() error { return create(MeetingInput{RemoteURL: ptr(`https://example.org/"onclick`)}) }, errs.Invalid},
		{"create: title too long", func() error { return create(MeetingInput{Title: ptr(long)}) }, errs.Invalid},
		{"create: title blank", func() error { return create(MeetingInput{Title: ptr("   ")}) }, errs.Invalid},
		{"create: visibility", func() error { return create(MeetingInput{Visibility: ptr("secret")}) }, errs.Invalid},
		{"create: status", func() error { return create(MeetingInput{Status: ptr("cancelled")}) }, errs.Invalid},
		{"create: by a participant", func() error {
			_, err := f.svc.Create(f.ctx, f.users[mtMChair], MeetingInput{Title: ptr("T"), StartDate: ptr("2026-05-11"), EndDate: ptr("2026-05-11"), TimeZone: ptr("UTC"), Visibility: ptr(Public)})
			return err
		}, errs.Forbidden},
		{"update: dates reversed", func() error {
			_, err := f.svc.Update(f.ctx, sec, m.ID, ver(), MeetingInput{EndDate: ptr("2026-05-01")})
			return err
		}, errs.Invalid},
		{"update: too long", func() error {
			_, err := f.svc.Update(f.ctx, sec, m.ID, ver(), MeetingInput{EndDate: ptr("2026-06-12")})
			return err
		}, errs.Invalid},
		{"update: unknown zone", func() error {
			_, err := f.svc.Update(f.ctx, sec, m.ID, ver(), MeetingInput{TimeZone: ptr("Europe/Atlantis")})
			return err
		}, errs.Invalid},
		{"update: unknown group", func() error {
			_, err := f.svc.Update(f.ctx, sec, m.ID, ver(), MeetingInput{Groups: &[]string{"nosuchgroup"}})
			return err
		}, errs.Invalid},
		{"session: valid (control)", func() error { return session(sess("2026-05-13T09:00", "2026-05-13T10:00")) }, ""},
		{"session: before the meeting", func() error { return session(sess("2026-05-10T09:00", "2026-05-10T10:00")) }, errs.Invalid},
		{"session: after the meeting", func() error { return session(sess("2026-05-13T23:00", "2026-05-14T01:00")) }, errs.Invalid},
		{"session: end before start", func() error { return session(sess("2026-05-12T10:00", "2026-05-12T09:00")) }, errs.Invalid},
		{"session: end equals start", func() error { return session(sess("2026-05-12T10:00", "2026-05-12T10:00")) }, errs.Invalid},
		{"session: space for T", func() error { return session(sess("2026-05-12 09:00", "2026-05-12T10:00")) }, errs.Invalid},
		{"session: seconds", func() error { return session(sess("2026-05-12T09:00:00", "2026-05-12T10:00")) }, errs.Invalid},
		{"session: no times", func() error { return session(SessionInput{Title: ptr("S")}) }, errs.Invalid},
		{"session: no title", func() error {
			return session(SessionInput{Start: ptr("2026-05-12T09:00"), End: ptr("2026-05-12T10:00")})
		}, errs.Invalid},
		{"session: javascript archive", func() error {
			in := sess("2026-05-12T09:00", "2026-05-12T10:00")
			in.ArchiveURL = ptr("javascript:alert(document.cookie)")
			return session(in)
		}, errs.Invalid},
		{"session: too many chairs", func() error {
			in := sess("2026-05-12T09:00", "2026-05-12T10:00")
			in.Chairs = people(maxChairs + 1)
			return session(in)
		}, errs.Invalid},
		{"session: chair without name", func() error {
			in := sess("2026-05-12T09:00", "2026-05-12T10:00")
			in.Chairs = &[]Person{{UserID: f.users[mtPart].ID}}
			return session(in)
		}, errs.Invalid},
		{"session: unknown chair account", func() error {
			in := sess("2026-05-12T09:00", "2026-05-12T10:00")
			in.Chairs = &[]Person{{UserID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Name: "Ghost"}}
			return session(in)
		}, errs.Invalid},
		{"session: malformed chair account", func() error {
			in := sess("2026-05-12T09:00", "2026-05-12T10:00")
			in.Chairs = &[]Person{{UserID: `{"$ne":null}`, Name: "Ghost"}}
			return session(in)
		}, errs.Invalid},
		{"session: title too long", func() error {
			_, err := f.svc.UpdateSession(f.ctx, sec, m.ID, ver(), m.A, SessionInput{Title: ptr(long)})
			return err
		}, errs.Invalid},
		{"session: moved out of the meeting", func() error {
			_, err := f.svc.UpdateSession(f.ctx, sec, m.ID, ver(), m.A, SessionInput{Start: ptr("2026-05-09T09:00")})
			return err
		}, errs.Invalid},
		{"item: valid (control)", func() error { return item(ItemInput{Title: ptr("Fine"), Speakers: people(maxSpeakers)}) }, ""},
		{"item: break without title (control)", func() error { return item(ItemInput{Kind: ptr(KindBreak), Duration: ptr(30)}) }, ""},
		{"item: no title", func() error { return item(ItemInput{Duration: ptr(5)}) }, errs.Invalid},
		{"item: too many speakers", func() error { return item(ItemInput{Title: ptr("T"), Speakers: people(maxSpeakers + 1)}) }, errs.Invalid},
		{"item: unknown speaker account", func() error {
			return item(ItemInput{Title: ptr("T"), Speakers: &[]Person{{UserID: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Name: "Ghost"}}})
		}, errs.Invalid},
		{"item: kind", func() error { return item(ItemInput{Title: ptr("T"), Kind: ptr("lunch")}) }, errs.Invalid},
		{"item: negative duration", func() error { return item(ItemInput{Title: ptr("T"), Duration: ptr(-1)}) }, errs.Invalid},
		{"item: duration over a day", func() error { return item(ItemInput{Title: ptr("T"), Duration: ptr(24*60 + 1)}) }, errs.Invalid},
		{"item: too many contributions", func() error {
			c := make([]string, maxContributions+1)
			for i := range c {
				c[i] = "C/" + itoa(i)
			}
			return item(ItemInput{Title: ptr("T"), Contributions: &c})
		}, errs.Invalid},
		{"item: empty contribution", func() error { return item(ItemInput{Title: ptr("T"), Contributions: &[]string{""}}) }, errs.Invalid},
		{"item: control characters", func() error { return item(ItemInput{Title: ptr("a\x00b")}) }, errs.Invalid},
		{"item: title too long", func() error { return item(ItemInput{Title: ptr(long)}) }, errs.Invalid},
		{"item: untitled break made an item", func() error {
			v := mtMust(t)(f.svc.AddItem(f.ctx, sec, m.ID, ver(), m.B, nil, ItemInput{Kind: ptr(KindBreak)}))
			br := v.Agenda.Sessions[1].Items[len(v.Agenda.Sessions[1].Items)-1].ID
			_, err := f.svc.UpdateItem(f.ctx, sec, m.ID, v.Version, m.B, br, ItemInput{Kind: ptr(KindItem)})
			return err
		}, errs.Invalid},
		{"attendance: not a day of the meeting", func() error {
			_, err := f.svc.SetAttendance(f.ctx, sec, m.ID, "2026-05-14", nil)
			return err
		}, errs.Invalid},
		{"attendance: not a participant", func() error {
			_, err := f.svc.SetAttendance(f.ctx, sec, m.ID, "2026-05-11", []string{f.users[mtOutsider].ID})
			return err
		}, errs.Invalid},
		{"participant: bad role", func() error {
			_, err := f.svc.AddParticipant(f.ctx, sec, m.ID, ParticipantInput{UserID: f.users["newcomer"].ID, Role: "owner"})
			return err
		}, errs.Invalid},
		{"participant: both id and email", func() error {
			_, err := f.svc.AddParticipant(f.ctx, sec, m.ID, ParticipantInput{UserID: f.users["newcomer"].ID, Email: "newcomer@example.org", Role: RoleObserver})
			return err
		}, errs.Invalid},
		{"participant: unknown account", func() error {
			_, err := f.svc.AddParticipant(f.ctx, sec, m.ID, ParticipantInput{Email: "nobody@example.org", Role: RoleObserver})
			return err
		}, errs.NotFound},
		{"participant: already there", func() error {
			_, err := f.svc.AddParticipant(f.ctx, sec, m.ID, ParticipantInput{Email: "participant@example.org", Role: RoleObserver})
			return err
		}, errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.raw(t, m.ID)
			err := tc.do()
			mtWantCode(t, err, tc.want)
			if tc.want != "" {
				if after := f.raw(t, m.ID); !reflect.DeepEqual(before, after) && !strings.HasPrefix(tc.name, "item: untitled break") {
					t.Fatalf("a refused change was stored")
				}
			}
		})
	}
}

// TestDollarStringsAreText: strings that look like MongoDB operators are stored and returned as
// given, never interpreted.
func TestDollarStringsAreText(t *testing.T) {
	f := newMtFixture(t, false)
	sec := f.sec()
	v := mtMust(t)(f.svc.Create(f.ctx, sec, MeetingInput{Title: ptr("$set"), Forum: ptr(`{"$ne": null}`), StartDate: ptr("2026-05-11"),
		EndDate: ptr("2026-05-11"), TimeZone: ptr("UTC"), Visibility: ptr(Public), Venue: ptr("$where: sleep(1000)"), Description: ptr("$$ROOT")}))
	v = mtMust(t)(f.svc.AddSession(f.ctx, sec, v.ID, v.Version, nil, SessionInput{Title: ptr("$unset"), Start: ptr("2026-05-11T09:00"), End: ptr("2026-05-11T10:00"),
		Chairs: &[]Person{{Name: "$or", Organization: "$in"}}}))
	v = mtMust(t)(f.svc.AddItem(f.ctx, sec, v.ID, v.Version, v.Agenda.Sessions[0].ID, nil, ItemInput{Title: ptr("$gt"), Notes: ptr("$regex"),
		Contributions: &[]string{"$lookup", "C5/2006/C/007"}, Speakers: &[]Person{{Name: "$expr", Title: "$function"}}}))
	for _, got := range []View{v, f.get(t, mtAnon, v.ID), f.get(t, mtSec, v.ID)} {
		if got.Title != "$set" || got.Forum != `{"$ne": null}` || got.Venue != "$where: sleep(1000)" || got.Description != "$$ROOT" {
			t.Fatalf("meeting fields: %+v", got)
		}
		if got.AgendaShown == "none" {
			continue
		}
		s := got.Agenda.Sessions[0]
		it := s.Items[0]
		if s.Title != "$unset" || s.Chairs[0].Name != "$or" || s.Chairs[0].Organization != "$in" || it.Title != "$gt" || it.Notes != "$regex" ||
			!slices.Equal(it.Contributions, []string{"$lookup", "C5/2006/C/007"}) || it.Speakers[0].Name != "$expr" || it.Speakers[0].Title != "$function" {
			t.Fatalf("agenda: %+v", s)
		}
	}
	raw := f.raw(t, v.ID)
	if raw.Title != "$set" || raw.Agenda.Sessions[0].Items[0].Contributions[0] != "$lookup" {
		t.Fatalf("stored: %+v", raw)
	}
	// Publishing and listing work on such text too.
	mtMust(t)(f.svc.Publish(f.ctx, sec, v.ID, raw.Version, "$inc"))
	list, err := f.svc.List(f.ctx, accounts.User{})
	if err != nil || len(list) != 1 || list[0].Title != "$set" {
		t.Fatalf("List: %+v %v", list, err)
	}
	if av, err := f.svc.Version(f.ctx, accounts.User{}, v.ID, 1); err != nil || av.Note != "$inc" || av.Agenda.Sessions[0].Title != "$unset" {
		t.Fatalf("Version: %+v %v", av, err)
	}
}

// ---- live mode ----

func TestLive(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, true)
	sec := f.sec()
	for _, tc := range []struct {
		in   LiveInput
		want errs.Code
	}{
		{LiveInput{SessionID: m.A, ItemID: m.A1, TimerSeconds: -1}, errs.Invalid},
		{LiveInput{SessionID: m.A, ItemID: m.A1, TimerSeconds: 4*3600 + 1}, errs.Invalid},
		{LiveInput{SessionID: m.A, ItemID: "nosuchitem"}, errs.NotFound},
		{LiveInput{SessionID: m.A, ItemID: m.B1}, errs.NotFound},
		{LiveInput{SessionID: "nosuchsession", ItemID: m.A1}, errs.NotFound},
		{LiveInput{SessionID: "", ItemID: ""}, errs.NotFound},
	} {
		_, err := f.svc.SetLive(f.ctx, sec, m.ID, tc.in)
		if errs.CodeOf(err) != tc.want {
			t.Errorf("SetLive(%+v): %v, want %s", tc.in, err, tc.want)
		}
	}
	before := f.raw(t, m.ID)
	if before.Live != nil || before.LiveSeq != 0 || before.Status != StatusAgendaPublished {
		t.Fatalf("refused live changes were stored: %+v", before)
	}

	// Starting: the meeting moves to in_session (a visible change, so its version moves too).
	v := mtMust(t)(f.svc.SetLive(f.ctx, f.users[mtChairA], m.ID, LiveInput{SessionID: m.A, ItemID: m.A1, TimerSeconds: 4 * 3600}))
	if v.Live == nil || v.Live.ItemID != m.A1 || v.Live.TimerSeconds != 4*3600 || v.Live.TimerStarted.IsZero() || v.Live.By != f.users[mtChairA].ID ||
		v.LiveSeq != 1 || v.Status != StatusInSession || v.Version != before.Version+1 {
		t.Fatalf("first live: %+v seq %d status %s version %d", v.Live, v.LiveSeq, v.Status, v.Version)
	}
	base := v.Version
	// From now on live changes leave the version alone and bump live_seq.
	for i, in := range []LiveInput{{SessionID: m.A, ItemID: m.A2}, {SessionID: m.B, ItemID: m.B1, TimerSeconds: 90}} {
		v = mtMust(t)(f.svc.SetLive(f.ctx, f.users[mtMChair], m.ID, in))
		if v.Version != base || v.LiveSeq != int64(i+2) || v.Live.ItemID != in.ItemID || v.Live.TimerSeconds != in.TimerSeconds ||
			(in.TimerSeconds == 0) != v.Live.TimerStarted.IsZero() {
			t.Fatalf("live %d: %+v seq %d version %d", i, v.Live, v.LiveSeq, v.Version)
		}
	}
	v = mtMust(t)(f.svc.ClearLive(f.ctx, sec, m.ID))
	if v.Live != nil || v.LiveSeq != 4 || v.Version != base || v.Status != StatusInSession {
		t.Fatalf("cleared: %+v seq %d version %d", v.Live, v.LiveSeq, v.Version)
	}
	// An edit based on the version before those live changes still goes through and keeps live_seq.
	e := mtMust(t)(f.svc.UpdateItem(f.ctx, f.users[mtChairA], m.ID, base, m.A, m.A1, ItemInput{Notes: ptr("Edited while live")}))
	if e.Version != base+1 || e.LiveSeq != 4 {
		t.Fatalf("edit after live changes: version %d seq %d", e.Version, e.LiveSeq)
	}
	// And a live change after an edit does not lose the edit.
	v = mtMust(t)(f.svc.SetLive(f.ctx, sec, m.ID, LiveInput{SessionID: m.A, ItemID: m.A1}))
	if raw := f.raw(t, m.ID); raw.Agenda.Sessions[0].Items[0].Notes != "Edited while live" || raw.LiveSeq != 5 || raw.Version != base+1 || raw.Live == nil {
		t.Fatalf("stored after live: %+v", raw)
	}
	// What readers see of it.
	if p := f.get(t, mtPart, m.ID); p.Live == nil || p.Live.ItemID != m.A1 || p.LiveSeq != 5 {
		t.Fatalf("participant's view: %+v", p.Live)
	}
}

// TestDeletingTheLiveItemEndsLive: the live state never points at an item or session that no
// longer exists.
func TestDeletingTheLiveItemEndsLive(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, true)
	sec := f.sec()
	mtMust(t)(f.svc.SetLive(f.ctx, sec, m.ID, LiveInput{SessionID: m.A, ItemID: m.A1}))
	// Deleting another item keeps it.
	v := mtMust(t)(f.svc.DeleteItem(f.ctx, f.users[mtChairA], m.ID, f.raw(t, m.ID).Version, m.A, m.A2))
	if v.Live == nil || v.Live.ItemID != m.A1 {
		t.Fatalf("live after deleting another item: %+v", v.Live)
	}
	seq := v.LiveSeq
	v = mtMust(t)(f.svc.DeleteItem(f.ctx, f.users[mtChairA], m.ID, v.Version, m.A, m.A1))
	if v.Live != nil || v.LiveSeq <= seq {
		t.Fatalf("live after deleting the live item: %+v seq %d (was %d)", v.Live, v.LiveSeq, seq)
	}
	if raw := f.raw(t, m.ID); raw.Live != nil {
		t.Fatalf("stored live: %+v", raw.Live)
	}
	mtMust(t)(f.svc.SetLive(f.ctx, f.users[mtChairB], m.ID, LiveInput{SessionID: m.B, ItemID: m.B1}))
	seq = f.raw(t, m.ID).LiveSeq
	v = mtMust(t)(f.svc.DeleteSession(f.ctx, sec, m.ID, f.raw(t, m.ID).Version, m.B))
	if v.Live != nil || v.LiveSeq <= seq {
		t.Fatalf("live after deleting its session: %+v seq %d (was %d)", v.Live, v.LiveSeq, seq)
	}
	// chairB chaired the deleted session only: the participants-only meeting is closed to them.
	_, err := f.svc.ClearLive(f.ctx, f.users[mtChairB], m.ID)
	mtWantCode(t, err, errs.NotFound)
}

// TestMeetingDetailsDoNotChangeTheDraft: editing the meeting's own fields (its venue, say) bumps
// the calendar revisions but does not make the draft differ from the published agenda.
func TestMeetingDetailsDoNotChangeTheDraft(t *testing.T) {
	f := newMtFixture(t, false)
	m := f.meeting(t, Participants, true)
	before := f.raw(t, m.ID)
	v := mtMust(t)(f.svc.Update(f.ctx, f.sec(), m.ID, before.Version, MeetingInput{Venue: ptr("CICG, room 2")}))
	if v.DraftChanged {
		t.Fatal("draft_changed after a change of the venue only")
	}
	if d, err := f.svc.Diff(f.ctx, f.sec(), m.ID, "1", "draft"); err != nil || d.Counts != (DiffCounts{}) {
		t.Fatalf("diff: %+v %v", d.Counts, err)
	}
	after := f.raw(t, m.ID)
	if after.Revision != before.Revision+1 {
		t.Fatalf("meeting revision %d → %d", before.Revision, after.Revision)
	}
	// The sessions' calendar events show the venue: their SEQUENCE moves in the feed, which shows
	// the published copy.
	for i := range after.PublishedAgenda.Sessions {
		if after.PublishedAgenda.Sessions[i].Revision != before.PublishedAgenda.Sessions[i].Revision+1 {
			t.Fatalf("published session %d revision %d → %d", i, before.PublishedAgenda.Sessions[i].Revision, after.PublishedAgenda.Sessions[i].Revision)
		}
	}
	// A change that is not about the calendar (visibility) moves no revision.
	mtMust(t)(f.svc.Update(f.ctx, f.sec(), m.ID, after.Version, MeetingInput{Visibility: ptr(Public)}))
	if again := f.raw(t, m.ID); again.Revision != after.Revision || again.Agenda.Sessions[0].Revision != after.Agenda.Sessions[0].Revision {
		t.Fatal("a change of visibility moved the calendar revisions")
	}
}

// ---- calendar feeds ----

// mtUIDs returns the UIDs of a feed's events (lines unfolded first).
func mtUIDs(t testing.TB, feed []byte) []string {
	t.Helper()
	text := strings.ReplaceAll(string(feed), "\r\n ", "")
	if !strings.HasPrefix(text, "BEGIN:VCALENDAR\r\n") {
		t.Fatalf("not a calendar: %.80q", text)
	}
	var out []string
	for _, line := range strings.Split(text, "\r\n") {
		if uid, ok := strings.CutPrefix(line, "UID:"); ok {
			out = append(out, uid)
		}
	}
	slices.Sort(out)
	return out
}

func mtSessionUID(meetingID, sessionID string) string {
	return "session-" + meetingID + "-" + sessionID + "@plenary"
}
func mtMeetingUID(meetingID string) string { return "meeting-" + meetingID + "@plenary" }

func TestCalendarKeys(t *testing.T) {
	f := newMtFixture(t, false)
	part := f.users[mtPart]
	_, err := f.svc.CalendarKey(f.ctx, accounts.User{})
	mtWantCode(t, err, errs.Unauthorized)
	_, err = f.svc.ResetCalendarKey(f.ctx, accounts.User{})
	mtWantCode(t, err, errs.Unauthorized)

	k1, err := f.svc.CalendarKey(f.ctx, part)
	if err != nil || k1 == "" {
		t.Fatalf("CalendarKey: %q %v", k1, err)
	}
	if k, err := f.svc.CalendarKey(f.ctx, part); err != nil || k != k1 {
		t.Fatalf("second CalendarKey: %q %v, want %q", k, err, k1)
	}
	other, err := f.svc.CalendarKey(f.ctx, f.users[mtObs])
	if err != nil || other == k1 {
		t.Fatalf("someone else's key: %q %v", other, err)
	}
	if _, err := f.svc.PersonalCalendar(f.ctx, k1); err != nil {
		t.Fatal(err)
	}
	k2, err := f.svc.ResetCalendarKey(f.ctx, part)
	if err != nil || k2 == "" || k2 == k1 {
		t.Fatalf("ResetCalendarKey: %q %v", k2, err)
	}
	_, err = f.svc.PersonalCalendar(f.ctx, k1)
	mtWantCode(t, err, errs.NotFound)
	if _, err := f.svc.PersonalCalendar(f.ctx, k2); err != nil {
		t.Fatal(err)
	}
	if k, err := f.svc.CalendarKey(f.ctx, part); err != nil || k != k2 {
		t.Fatalf("CalendarKey after reset: %q %v, want %q", k, err, k2)
	}
	// The other person's key is untouched.
	if _, err := f.svc.PersonalCalendar(f.ctx, other); err != nil {
		t.Fatal(err)
	}
	// Reset for someone who never had a key.
	k3, err := f.svc.ResetCalendarKey(f.ctx, f.users[mtOutsider])
	if err != nil || k3 == "" {
		t.Fatalf("ResetCalendarKey without a key: %q %v", k3, err)
	}
	for _, bad := range []string{"", "nosuchkey", "../" + k2, k2 + "x", `{"$ne":null}`} {
		_, err := f.svc.PersonalCalendar(f.ctx, bad)
		mtWantCode(t, err, errs.NotFound)
		_, err = f.svc.MeetingCalendar(f.ctx, accounts.User{}, "x", bad+"-")
		mtWantCode(t, err, errs.NotFound)
	}
}

func TestPersonalCalendar(t *testing.T) {
	f := newMtFixture(t, false)
	sec := f.sec()
	me := f.users["speaker"]
	key, err := f.svc.CalendarKey(f.ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(vis string) View {
		return mtMust(t)(f.svc.Create(f.ctx, sec, MeetingInput{Title: ptr("Meeting " + vis), StartDate: ptr("2026-09-01"), EndDate: ptr("2026-09-03"),
			TimeZone: ptr("America/New_York"), Visibility: ptr(vis)}))
	}
	addSession := func(v View, title string, chairs []Person) View {
		return mtMust(t)(f.svc.AddSession(f.ctx, sec, v.ID, v.Version, nil, SessionInput{Title: ptr(title), Start: ptr("2026-09-02T09:00"), End: ptr("2026-09-02T10:00"), Chairs: &chairs}))
	}
	last := func(v View) string { return v.Agenda.Sessions[len(v.Agenda.Sessions)-1].ID }
	mePerson := []Person{{UserID: me.ID, Name: me.Name}}

	// 1: participants-only, I take part: every published session, not the draft-only one.
	m1 := mk(Participants)
	m1 = mtMust(t)(f.svc.AddParticipant(f.ctx, sec, m1.ID, ParticipantInput{UserID: me.ID, Role: RoleObserver}))
	m1 = addSession(m1, "One", nil)
	s11 := last(m1)
	m1 = addSession(m1, "Two", nil)
	s12 := last(m1)
	m1 = mtMust(t)(f.svc.Publish(f.ctx, sec, m1.ID, m1.Version, "v1"))
	m1 = addSession(m1, "Draft only", nil)
	s13 := last(m1)

	// 2: public, I do not take part: the session I chair and the one I speak in, not the third.
	m2 := mk(Public)
	m2 = addSession(m2, "Chaired", mePerson)
	s21 := last(m2)
	m2 = addSession(m2, "Spoken", nil)
	s22 := last(m2)
	m2 = mtMust(t)(f.svc.AddItem(f.ctx, sec, m2.ID, m2.Version, s22, nil, ItemInput{Title: ptr("Talk"), Speakers: &[]Person{{Name: "Other"}, {UserID: me.ID, Name: me.Name}}}))
	m2 = addSession(m2, "Neither", []Person{{Name: "Someone else"}})
	s23 := last(m2)
	m2 = mtMust(t)(f.svc.Publish(f.ctx, sec, m2.ID, m2.Version, "v1"))
	// A session I chair in the draft only is not in the feed.
	m2 = addSession(m2, "Chaired in the draft", mePerson)
	s24 := last(m2)

	// 3: public, nothing to do with me.
	m3 := mk(Public)
	m3 = addSession(m3, "Unrelated", nil)
	m3 = mtMust(t)(f.svc.Publish(f.ctx, sec, m3.ID, m3.Version, "v1"))

	// 4: participants-only, I chair a session but do not take part: I may read it, so it counts.
	m4 := mk(Participants)
	m4 = addSession(m4, "Chaired elsewhere", mePerson)
	s41 := last(m4)
	m4 = addSession(m4, "Not mine", nil)
	m4 = mtMust(t)(f.svc.Publish(f.ctx, sec, m4.ID, m4.Version, "v1"))

	// 5: participants-only, I take part, nothing published yet: the meeting's days only.
	m5 := mk(Participants)
	m5 = mtMust(t)(f.svc.AddParticipant(f.ctx, sec, m5.ID, ParticipantInput{UserID: me.ID, Role: RoleParticipant}))
	m5 = addSession(m5, "Unpublished", mePerson)
	s51 := last(m5)

	// 6: participants-only, I speak in it but may not read it: not in the feed.
	m6 := mk(Participants)
	m6 = addSession(m6, "Closed", nil)
	m6 = mtMust(t)(f.svc.AddItem(f.ctx, sec, m6.ID, m6.Version, last(m6), nil, ItemInput{Title: ptr("Talk"), Speakers: &mePerson}))
	m6 = mtMust(t)(f.svc.Publish(f.ctx, sec, m6.ID, m6.Version, "v1"))

	feed, err := f.svc.PersonalCalendar(f.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		mtMeetingUID(m1.ID), mtSessionUID(m1.ID, s11), mtSessionUID(m1.ID, s12),
		mtMeetingUID(m2.ID), mtSessionUID(m2.ID, s21), mtSessionUID(m2.ID, s22),
		mtMeetingUID(m4.ID), mtSessionUID(m4.ID, s41),
		mtMeetingUID(m5.ID),
	}
	slices.Sort(want)
	got := mtUIDs(t, feed)
	if !slices.Equal(got, want) {
		t.Errorf("personal feed UIDs:\n got %q\nwant %q", got, want)
	}
	for _, absent := range []string{mtSessionUID(m1.ID, s13), mtSessionUID(m2.ID, s23), mtSessionUID(m2.ID, s24), mtMeetingUID(m3.ID),
		mtSessionUID(m5.ID, s51), mtMeetingUID(m6.ID)} {
		if slices.Contains(got, absent) {
			t.Errorf("the feed has %s", absent)
		}
	}
	if !strings.Contains(string(feed), "Session 2: Two") || strings.Contains(string(feed), "Draft only") || strings.Contains(string(feed), "Unrelated") {
		t.Errorf("feed content:\n%s", feed)
	}

	// The meeting's own feed: the published sessions, for those who may read it; a personal key
	// stands for its owner.
	mf, err := f.svc.MeetingCalendar(f.ctx, accounts.User{}, m1.ID, key)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mtUIDs(t, mf), []string{mtMeetingUID(m1.ID), mtSessionUID(m1.ID, s11), mtSessionUID(m1.ID, s12)}; !slices.Equal(got, sortedCopy(want)) {
		t.Errorf("meeting feed UIDs %q, want %q", got, want)
	}
	if mfs, err := f.svc.MeetingCalendar(f.ctx, sec, m1.ID, ""); err != nil || !slices.Equal(mtUIDs(t, mfs), mtUIDs(t, mf)) {
		t.Errorf("the secretariat's meeting feed differs (drafts must not show): %v", err)
	}
	_, err = f.svc.MeetingCalendar(f.ctx, accounts.User{}, m1.ID, "")
	mtWantCode(t, err, errs.NotFound)
	outsiderKey, _ := f.svc.CalendarKey(f.ctx, f.users[mtOutsider])
	_, err = f.svc.MeetingCalendar(f.ctx, accounts.User{}, m1.ID, outsiderKey)
	mtWantCode(t, err, errs.NotFound)
	if pub, err := f.svc.MeetingCalendar(f.ctx, accounts.User{}, m2.ID, ""); err != nil || len(mtUIDs(t, pub)) != 4 {
		t.Errorf("public meeting feed: %v", err)
	}
	if none, err := f.svc.MeetingCalendar(f.ctx, sec, m5.ID, ""); err != nil || !slices.Equal(mtUIDs(t, none), []string{mtMeetingUID(m5.ID)}) {
		t.Errorf("unpublished meeting feed: %v", err)
	}

	// Taken off meeting 1, the feed drops it.
	mtMust(t)(f.svc.RemoveParticipant(f.ctx, sec, m1.ID, me.ID))
	feed, _ = f.svc.PersonalCalendar(f.ctx, key)
	if slices.Contains(mtUIDs(t, feed), mtMeetingUID(m1.ID)) {
		t.Error("the feed still has a meeting I was removed from")
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// ---- the meeting's room ----

func TestMeetingRoomAccess(t *testing.T) {
	f := newMtFixture(t, false)
	for _, vis := range []string{Public, Participants} {
		t.Run(vis, func(t *testing.T) {
			m := f.meeting(t, vis, false)
			ra, err := f.svc.roomAccess(f.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, actor := range mtActors {
				u := f.users[actor]
				wantRead := actor != mtAnon && slices.Contains(mtReaders(vis), actor)
				wantPost := slices.Contains([]string{mtSec, mtChairA, mtChairB, mtMChair, mtPart}, actor)
				wantModerate := actor == mtSec || actor == mtMChair
				if ra.CanRead(u) != wantRead || ra.CanPost(u) != wantPost || ra.CanModerate(u) != wantModerate {
					t.Errorf("%s: read %v post %v moderate %v, want %v %v %v", actor, ra.CanRead(u), ra.CanPost(u), ra.CanModerate(u), wantRead, wantPost, wantModerate)
				}
				// Posting implies reading.
				if ra.CanPost(u) && !ra.CanRead(u) {
					t.Errorf("%s may post without reading", actor)
				}
			}
			members := ra.Members()
			want := map[string]string{}
			for _, a := range []string{mtChairA, mtChairB, mtMChair, mtPart, mtObs} {
				want[f.users[a].ID] = f.users[a].Name
			}
			if !reflect.DeepEqual(members, want) {
				t.Errorf("members %v, want %v", members, want)
			}
		})
	}
	for _, bad := range []string{"nosuchmeeting", "", "a/b"} {
		_, err := f.svc.roomAccess(f.ctx, bad)
		mtWantCode(t, err, errs.NotFound)
	}
}

// TestMeetingRoomThroughDiscussion uses the real discussion rooms: the meeting's rules decide who
// reads and posts, changes take effect at once, and changes are announced to subscribers.
func TestMeetingRoomThroughDiscussion(t *testing.T) {
	f := newMtFixture(t, true)
	m := f.meeting(t, Participants, true)
	room := RoomName(m.ID)
	sec := f.sec()

	_, err := f.disc.History(f.ctx, f.users[mtOutsider], room, 0, 10)
	mtWantCode(t, err, errs.NotFound)
	_, err = f.disc.Post(f.ctx, f.users[mtObs], room, rooms.PostInput{Topic: "Agenda", Body: "may I?", CMID: "o1"})
	mtWantCode(t, err, errs.Forbidden)
	if _, err := f.disc.Post(f.ctx, f.users[mtPart], room, rooms.PostInput{Topic: "Agenda", Body: "hello", CMID: "p1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.disc.Post(f.ctx, f.users[mtChairA], room, rooms.PostInput{Topic: "Agenda", Body: "from the session chair", CMID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := f.disc.History(f.ctx, f.users[mtObs], room, 0, 10); err != nil || len(msgs) != 2 {
		t.Fatalf("observer's history: %d %v", len(msgs), err)
	}

	sub := &mtSub{user: f.users[mtPart]}
	if err := f.disc.Subscribe(f.ctx, sub, room, -1, func(rooms.Subscribed) {}); err != nil {
		t.Fatal(err)
	}
	mtMust(t)(f.svc.SetLive(f.ctx, sec, m.ID, LiveInput{SessionID: m.A, ItemID: m.A1, TimerSeconds: 120}))
	env := sub.last(t, "meeting")
	live, _ := env["live"].(map[string]any)
	if env["room"] != room || live["item_id"] != m.A1 || live["timer_seconds"] != float64(120) || env["live_seq"] != float64(1) {
		t.Fatalf("live envelope: %v", env)
	}
	for _, k := range []string{"agenda", "participants"} {
		if _, ok := env[k]; ok {
			t.Fatalf("the envelope carries %s: %v", k, env)
		}
	}
	version := env["version"].(float64)
	mtMust(t)(f.svc.UpdateSession(f.ctx, f.users[mtChairA], m.ID, int64(version), m.A, SessionInput{Title: ptr("Secret draft title")}))
	env = sub.last(t, "meeting")
	if env["version"].(float64) != version+1 || strings.Contains(mtJSON(t, env), "Secret draft title") {
		t.Fatalf("edit envelope: %v", env)
	}

	// Demoted to observer: posting stops at once; removed: the subscription is cut off.
	mtMust(t)(f.svc.SetParticipantRole(f.ctx, sec, m.ID, f.users[mtPart].ID, RoleObserver))
	_, err = f.disc.Post(f.ctx, f.users[mtPart], room, rooms.PostInput{Topic: "Agenda", Body: "still?", CMID: "p2"})
	mtWantCode(t, err, errs.Forbidden)
	mtMust(t)(f.svc.RemoveParticipant(f.ctx, sec, m.ID, f.users[mtPart].ID))
	if env := sub.last(t, "revoked"); env["room"] != room {
		t.Fatalf("revoked: %v", env)
	}
	_, err = f.disc.History(f.ctx, f.users[mtPart], room, 0, 10)
	mtWantCode(t, err, errs.NotFound)
	// A session chair removed from the only session they chair loses the room too.
	chairSub := &mtSub{user: f.users[mtChairB]}
	if err := f.disc.Subscribe(f.ctx, chairSub, room, -1, func(rooms.Subscribed) {}); err != nil {
		t.Fatal(err)
	}
	mtMust(t)(f.svc.UpdateSession(f.ctx, sec, m.ID, f.raw(t, m.ID).Version, m.B, SessionInput{Chairs: &[]Person{{Name: "Someone else"}}}))
	if env := chairSub.last(t, "revoked"); env["room"] != room {
		t.Fatalf("revoked: %v", env)
	}
}

// mtSub is a subscriber that keeps what it is sent. Sends happen synchronously in the calls that
// cause them (Announce and AccessChanged run inside the meeting change), so the tests read them
// right after.
type mtSub struct {
	user   accounts.User
	mu     sync.Mutex
	frames []map[string]any
}

func (s *mtSub) Send(frame []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, line := range bytes.Split(frame, []byte("\n")) {
		var e map[string]any
		if json.Unmarshal(line, &e) == nil {
			s.frames = append(s.frames, e)
		}
	}
	return true
}
func (s *mtSub) Drop(rooms.DropReason) {}
func (s *mtSub) User() accounts.User   { return s.user }

// last returns the latest envelope of type typ, failing if there is none.
func (s *mtSub) last(t testing.TB, typ string) map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.frames) - 1; i >= 0; i-- {
		if s.frames[i]["type"] == typ {
			return s.frames[i]
		}
	}
	t.Fatalf("no %q envelope in %v", typ, s.frames)
	return nil
}

// TestGroupsShownToWhoMaySeeThem: a meeting names its organizing groups; a private group is shown
// only to those who may see that group.
func TestGroupsShownToWhoMaySeeThem(t *testing.T) {
	f := newMtFixture(t, false)
	sec := f.sec()
	area, err := f.rs.CreateFocusArea(f.ctx, sec, rooms.FocusAreaInput{Name: ptr("Legal")})
	if err != nil {
		t.Fatal(err)
	}
	group := func(name, vis string) rooms.Group {
		g, err := f.rs.CreateGroup(f.ctx, sec, rooms.GroupInput{Name: ptr(name), FocusArea: &area.ID, Description: ptr("d"), Visibility: ptr(vis)})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	pub, priv := group("Open working group", rooms.Public), group("Closed bureau", rooms.Private)
	if _, err := f.rs.AddMember(f.ctx, sec, priv.ID, rooms.MemberInput{UserID: f.users[mtPart].ID, Role: rooms.RoleMember}); err != nil {
		t.Fatal(err)
	}
	m := f.meeting(t, Public, false)
	v := mtMust(t)(f.svc.Update(f.ctx, sec, m.ID, f.raw(t, m.ID).Version, MeetingInput{Groups: &[]string{pub.ID, priv.ID, pub.ID}}))
	names := func(v View) []string {
		var out []string
		for _, g := range v.Groups {
			out = append(out, g.Name)
		}
		return out
	}
	if got := names(v); !slices.Equal(got, []string{"Open working group", "Closed bureau"}) {
		t.Fatalf("secretariat: %q", got)
	}
	for actor, want := range map[string][]string{
		mtSec:      {"Open working group", "Closed bureau"},
		mtPart:     {"Open working group", "Closed bureau"},
		mtObs:      {"Open working group"},
		mtOutsider: {"Open working group"},
		mtAnon:     {"Open working group"},
	} {
		if got := names(f.get(t, actor, m.ID)); !slices.Equal(got, want) {
			t.Errorf("%s sees groups %q, want %q", actor, got, want)
		}
	}
}
