package demo

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"

	"plenary/accounts"
	"plenary/contributions"
	"plenary/documents/reports"
	"plenary/documents/review"
	"plenary/meetings"
	"plenary/rooms"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), meetings.Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	rs := rooms.New(st, acc)
	ms := meetings.New(st, acc, rs, nil)
	people, err := Load(ctx, acc, rs, ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 4 {
		t.Fatalf("%d demo accounts", len(people))
	}
	sess, err := acc.Login(ctx, accounts.Credentials{Email: "chair@example.org", Password: Password, ClientIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := acc.UserByEmail(ctx, "secretariat@example.org")
	if err != nil || !sec.IsSecretariat() {
		t.Fatalf("secretariat: %+v %v", sec, err)
	}
	areas, err := rs.FocusAreas(ctx, sec)
	if err != nil || len(areas) != 3 {
		t.Fatalf("focus areas: %v %v", areas, err)
	}
	chairGroups, err := rs.Groups(ctx, sess.User)
	if err != nil {
		t.Fatal(err)
	}
	private := 0
	for _, g := range chairGroups {
		if g.MyRole != rooms.RoleChair {
			t.Errorf("the demo chair is %q in %s", g.MyRole, g.Name)
		}
		if g.Visibility == rooms.Private {
			private++
		}
	}
	if len(chairGroups) != 3 || private != 1 {
		t.Fatalf("chair sees %d groups, %d private", len(chairGroups), private)
	}
	observer, _ := acc.UserByEmail(ctx, "observer@example.org")
	visible, _ := rs.Groups(ctx, observer)
	for _, g := range visible {
		if g.Visibility == rooms.Private {
			t.Errorf("the observer sees the private group %s", g.Name)
		}
	}
	list, err := ms.List(ctx, accounts.User{})
	if err != nil || len(list) != 1 {
		t.Fatalf("anonymous meeting list: %v %v", list, err)
	}
	anon, err := ms.Get(ctx, accounts.User{}, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if anon.AgendaShown != "published" || anon.AgendaNumber != 1 || len(anon.Agenda.Sessions) != 10 || anon.Status != meetings.StatusClosed {
		t.Fatalf("anonymous view of the demo meeting: shown %s v%d status %s", anon.AgendaShown, anon.AgendaNumber, anon.Status)
	}
	if len(anon.Participants) != 0 {
		t.Errorf("anonymous readers see %d participants", len(anon.Participants))
	}
	asChair, err := ms.Get(ctx, sess.User, list[0].ID)
	if err != nil || asChair.MyRole != meetings.RoleChair || asChair.AgendaShown != "draft" || len(asChair.Can.LiveSessions) != 10 {
		t.Fatalf("the demo chair's view: role %q shown %q live %d (%v)", asChair.MyRole, asChair.AgendaShown, len(asChair.Can.LiveSessions), err)
	}
	if len(asChair.Can.EditSessions) != 0 || asChair.Can.EditMeeting {
		t.Errorf("the meeting's chair may edit %d sessions, meeting %v", len(asChair.Can.EditSessions), asChair.Can.EditMeeting)
	}
}

func TestLoadDocuments(t *testing.T) {
	ctx := context.Background()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), meetings.Collections(), contributions.Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	rs := rooms.New(st, acc)
	ms := meetings.New(st, acc, rs, nil)
	cs, err := contributions.New(ctx, st, acc, ms, rs, contributions.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, acc, rs, ms); err != nil {
		t.Fatal(err)
	}
	if err := LoadDocuments(ctx, acc, ms, cs); err != nil {
		t.Fatal(err)
	}
	sec, _ := acc.UserByEmail(ctx, "secretariat@example.org")
	m, err := demoMeeting(ctx, ms, sec)
	if err != nil {
		t.Fatal(err)
	}
	// Anonymous readers of the public meeting see the three, numbered and published.
	list, err := cs.List(ctx, accounts.User{}, contributions.ScopeMeeting, m.ID, contributions.Filter{})
	if err != nil || len(list) != 3 {
		t.Fatalf("documents %+v %v", list, err)
	}
	for i, e := range list {
		want := []string{"C5/2006/C/001", "C5/2006/C/002", "C5/2006/INF/001"}[i]
		if e.Symbol != want || e.State != contributions.StatePublished {
			t.Errorf("document %d: %s %s, want %s published", i, e.Symbol, e.State, want)
		}
	}
	if list[0].ItemID == "" {
		t.Error("the Russian Federation's contribution is not related to its agenda item")
	}
}

func TestLoadReport(t *testing.T) {
	ctx := context.Background()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), meetings.Collections(),
		contributions.Collections(), reports.Collections(), review.Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	rs := rooms.New(st, acc)
	ms := meetings.New(st, acc, rs, nil)
	cs, err := contributions.New(ctx, st, acc, ms, rs, contributions.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	reps := reports.New(st, acc, rs, reports.Config{})
	rev, err := review.New(ctx, st, acc, rs, ms, reps, cs, review.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rev.Close()
	if _, err := Load(ctx, acc, rs, ms); err != nil {
		t.Fatal(err)
	}
	if err := LoadReport(ctx, acc, rs, reps, rev); err != nil {
		t.Fatal(err)
	}
	// The member sees the report circulated, with their comment on paragraph 4 and their
	// suggestion on paragraph 2.
	member, _ := acc.UserByEmail(ctx, "member@example.org")
	g, err := groupNamed(ctx, rs, member, "Model national framework")
	if err != nil {
		t.Fatal(err)
	}
	list, err := reps.List(ctx, member, g)
	if err != nil || len(list) != 1 {
		t.Fatalf("reports %+v %v", list, err)
	}
	r, err := rev.Get(ctx, member, list[0].ID)
	if err != nil || r.State != review.StateCirculated || r.Round.Name != "v1.0" || !r.CanComment || r.Counts.Total != 2 {
		t.Fatalf("review %+v %v", r, err)
	}
	cs2, err := rev.Comments(ctx, member, list[0].ID, 0)
	if err != nil || len(cs2) != 2 || cs2[0].Para != 4 || cs2[1].Para != 2 || cs2[1].Suggestion != review.SuggestionPending {
		t.Fatalf("comments %+v %v", cs2, err)
	}
}
