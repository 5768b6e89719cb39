package rooms_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"plenary/accounts"
	"plenary/errs"
	"plenary/rooms"
)

func TestCreateGroupValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	area := f.area.ID

	tests := []struct {
		name string
		in   rooms.GroupInput
		want errs.Code
	}{
		{"valid public", rooms.GroupInput{Name: ptr("Drafting"), FocusArea: &area, Visibility: ptr(rooms.Public)}, ""},
		{"valid private with description", rooms.GroupInput{Name: ptr("Drafting"), FocusArea: &area, Visibility: ptr(rooms.Private), Description: ptr("Line\n\tindented")}, ""},
		{"name of 200 characters", rooms.GroupInput{Name: ptr(strings.Repeat("ü", 200)), FocusArea: &area, Visibility: ptr(rooms.Public)}, ""},
		{"missing name", rooms.GroupInput{FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"empty name", rooms.GroupInput{Name: ptr(""), FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"blank name", rooms.GroupInput{Name: ptr("   "), FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"name of 201 characters", rooms.GroupInput{Name: ptr(strings.Repeat("ü", 201)), FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"name with newline", rooms.GroupInput{Name: ptr("Two\nlines"), FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"name with line separator", rooms.GroupInput{Name: ptr("Two\u2028lines"), FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"name invalid UTF-8", rooms.GroupInput{Name: ptr("bad\xc3"), FocusArea: &area, Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"description too long", rooms.GroupInput{Name: ptr("D"), FocusArea: &area, Visibility: ptr(rooms.Public), Description: ptr(strings.Repeat("d", 4001))}, errs.Invalid},
		{"description with NUL", rooms.GroupInput{Name: ptr("D"), FocusArea: &area, Visibility: ptr(rooms.Public), Description: ptr("a\x00b")}, errs.Invalid},
		{"missing focus area", rooms.GroupInput{Name: ptr("D"), Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"unknown focus area", rooms.GroupInput{Name: ptr("D"), FocusArea: ptr("aaaaaaaaaaaaaaaaaaaaaaaaaa"), Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"malformed focus area", rooms.GroupInput{Name: ptr("D"), FocusArea: ptr("../x"), Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"empty focus area", rooms.GroupInput{Name: ptr("D"), FocusArea: ptr(""), Visibility: ptr(rooms.Public)}, errs.Invalid},
		{"missing visibility", rooms.GroupInput{Name: ptr("D"), FocusArea: &area}, errs.Invalid},
		{"visibility secret", rooms.GroupInput{Name: ptr("D"), FocusArea: &area, Visibility: ptr("secret")}, errs.Invalid},
		{"visibility in capitals", rooms.GroupInput{Name: ptr("D"), FocusArea: &area, Visibility: ptr("Public")}, errs.Invalid},
		{"visibility empty", rooms.GroupInput{Name: ptr("D"), FocusArea: &area, Visibility: ptr("")}, errs.Invalid},
	}
	created := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := f.svc.CreateGroup(ctx, f.sec, tt.in)
			wantCode(t, err, tt.want)
			if tt.want != "" {
				return
			}
			created++
			if g.ID == "" || g.Name != strings.TrimSpace(*tt.in.Name) || g.Visibility != *tt.in.Visibility ||
				g.FocusArea != area || g.FocusAreaName != f.area.Name || len(g.Members) != 0 || !g.CanManage {
				t.Errorf("CreateGroup = %+v", g)
			}
			if tt.in.Description != nil && g.Description != *tt.in.Description {
				t.Errorf("description = %q, want %q", g.Description, *tt.in.Description)
			}
			if got := f.asSecretariat(g.ID); got.Name != g.Name || got.Visibility != g.Visibility {
				t.Errorf("stored group = %+v, want %+v", got.GroupSummary, g.GroupSummary)
			}
		})
	}
	list, err := f.svc.Groups(ctx, f.sec)
	if err != nil || len(list) != created {
		t.Errorf("Groups = %d groups, %v; want %d (rejected groups are not stored)", len(list), err, created)
	}
}

func TestUpdateGroupValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	g := f.newGroup("Drafting", rooms.Public)
	other := f.focusArea("Incident response")

	tests := []struct {
		name  string
		actor accounts.User
		in    rooms.GroupInput
		want  errs.Code
	}{
		{"visibility hidden", f.sec, rooms.GroupInput{Visibility: ptr("hidden")}, errs.Invalid},
		{"name too long", f.sec, rooms.GroupInput{Name: ptr(strings.Repeat("n", 201))}, errs.Invalid},
		{"empty name", f.sec, rooms.GroupInput{Name: ptr(" ")}, errs.Invalid},
		{"unknown focus area", f.sec, rooms.GroupInput{FocusArea: ptr("aaaaaaaaaaaaaaaaaaaaaaaaaa")}, errs.Invalid},
		{"valid name with invalid visibility", f.sec, rooms.GroupInput{Name: ptr("Renamed"), Visibility: ptr("x")}, errs.Invalid},
		{"chair with too long description", f.chair, rooms.GroupInput{Description: ptr(strings.Repeat("d", 4001))}, errs.Invalid},
		{"chair moving the group", f.chair, rooms.GroupInput{FocusArea: &other.ID}, errs.Forbidden},
		{"chair with description and name", f.chair, rooms.GroupInput{Name: ptr("Mine"), Description: ptr("ok")}, errs.Forbidden},
		{"nothing to change", f.sec, rooms.GroupInput{}, ""},
		{"move to another focus area", f.sec, rooms.GroupInput{FocusArea: &other.ID}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.asSecretariat(g.ID)
			got, err := f.svc.UpdateGroup(ctx, tt.actor, g.ID, tt.in)
			wantCode(t, err, tt.want)
			after := f.asSecretariat(g.ID)
			if tt.want != "" {
				if after.GroupSummary != before.GroupSummary {
					t.Errorf("refused update changed the group: %+v -> %+v", before.GroupSummary, after.GroupSummary)
				}
				return
			}
			if got.GroupSummary != after.GroupSummary {
				t.Errorf("UpdateGroup returned %+v, stored %+v", got.GroupSummary, after.GroupSummary)
			}
		})
	}
	if got := f.asSecretariat(g.ID); got.FocusArea != other.ID || got.FocusAreaName != "Incident response" || got.Name != "Drafting" {
		t.Errorf("group after the updates = %+v", got.GroupSummary)
	}
}

func TestFocusAreas(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	incident := f.focusArea("incident response")

	t.Run("create", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			in   rooms.FocusAreaInput
			want errs.Code
		}{
			{"same name", rooms.FocusAreaInput{Name: ptr("Legal measures")}, errs.Conflict},
			{"same name other case", rooms.FocusAreaInput{Name: ptr("LEGAL MEASURES")}, errs.Conflict},
			{"same name with spaces", rooms.FocusAreaInput{Name: ptr("  legal measures ")}, errs.Conflict},
			{"missing name", rooms.FocusAreaInput{Description: ptr("d")}, errs.Invalid},
			{"empty name", rooms.FocusAreaInput{Name: ptr("")}, errs.Invalid},
			{"name of 201 characters", rooms.FocusAreaInput{Name: ptr(strings.Repeat("a", 201))}, errs.Invalid},
			{"description of 2001 characters", rooms.FocusAreaInput{Name: ptr("Long"), Description: ptr(strings.Repeat("a", 2001))}, errs.Invalid},
			{"name of 200 characters", rooms.FocusAreaInput{Name: ptr(strings.Repeat("a", 200))}, ""},
			{"new name with description", rooms.FocusAreaInput{Name: ptr("Awareness"), Description: ptr("Two\nlines")}, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				a, err := f.svc.CreateFocusArea(ctx, f.sec, tt.in)
				wantCode(t, err, tt.want)
				if tt.want == "" && (a.ID == "" || a.Name != strings.TrimSpace(*tt.in.Name) || a.CreatedAt.IsZero()) {
					t.Errorf("CreateFocusArea = %+v", a)
				}
			})
		}
	})

	t.Run("update", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			id   string
			in   rooms.FocusAreaInput
			want errs.Code
		}{
			{"to the name of another area", incident.ID, rooms.FocusAreaInput{Name: ptr("Legal Measures")}, errs.Conflict},
			{"empty name", incident.ID, rooms.FocusAreaInput{Name: ptr("")}, errs.Invalid},
			{"unknown area", "aaaaaaaaaaaaaaaaaaaaaaaaaa", rooms.FocusAreaInput{Name: ptr("X")}, errs.NotFound},
			{"malformed id", "a/b", rooms.FocusAreaInput{Name: ptr("X")}, errs.Invalid},
			{"its own name in other case", incident.ID, rooms.FocusAreaInput{Name: ptr("Incident Response")}, ""},
			{"description only", incident.ID, rooms.FocusAreaInput{Description: ptr("Handling breaches")}, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.UpdateFocusArea(ctx, f.sec, tt.id, tt.in)
				wantCode(t, err, tt.want)
			})
		}
	})

	t.Run("list", func(t *testing.T) {
		areas, err := f.svc.FocusAreas(ctx, f.other)
		wantCode(t, err, "")
		var names []string
		for _, a := range areas {
			names = append(names, a.Name)
		}
		want := []string{strings.Repeat("a", 200), "Awareness", "Incident Response", "Legal measures"}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("focus areas = %q, want %q (by name, ignoring case)", names, want)
		}
		for _, a := range areas {
			if a.ID == incident.ID && a.Description != "Handling breaches" {
				t.Errorf("incident response description = %q", a.Description)
			}
		}
	})
}

func TestMemberEmailsOnlyForManagers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	pub := f.newGroup("Public", rooms.Public)
	priv := f.newGroup("Private", rooms.Private)

	for _, g := range []rooms.Group{pub, priv} {
		for _, tt := range []struct {
			actor  accounts.User
			manage bool
		}{{f.sec, true}, {f.chair, true}, {f.member, false}, {f.observer, false}, {f.other, false}} {
			t.Run(g.Visibility+"/"+tt.actor.Name, func(t *testing.T) {
				got, err := f.svc.Group(ctx, tt.actor, g.ID)
				if g.Visibility == rooms.Private && tt.actor == f.other {
					wantCode(t, err, errs.NotFound)
					return
				}
				wantCode(t, err, "")
				if got.CanManage != tt.manage {
					t.Errorf("CanManage = %v, want %v", got.CanManage, tt.manage)
				}
				if len(got.Members) != 4 {
					t.Fatalf("%d members, want 4", len(got.Members))
				}
				for _, m := range got.Members {
					want := ""
					if tt.manage {
						u, err := f.acc.User(ctx, m.UserID)
						if err != nil {
							t.Fatal(err)
						}
						want = u.Email
					}
					if m.Email != want {
						t.Errorf("member %s email = %q, want %q", m.Name, m.Email, want)
					}
					if m.Name == "" || m.Role == "" {
						t.Errorf("member without name or role: %+v", m)
					}
				}
			})
		}
	}

	t.Run("views returned by changes", func(t *testing.T) {
		// A chair who demotes themself gets the member's view back, without emails.
		g, err := f.svc.SetMemberRole(ctx, f.chair, pub.ID, f.chair.ID, rooms.RoleMember)
		wantCode(t, err, "")
		if g.CanManage {
			t.Error("CanManage after stepping down")
		}
		for _, m := range g.Members {
			if m.Email != "" {
				t.Errorf("member %s email %q shown to a former chair", m.Name, m.Email)
			}
		}
		// The member who leaves a public group sees it without emails.
		g, err = f.svc.RemoveMember(ctx, f.member, pub.ID, f.member.ID)
		wantCode(t, err, "")
		for _, m := range g.Members {
			if m.Email != "" {
				t.Errorf("member %s email %q shown after leaving", m.Name, m.Email)
			}
		}
	})
}

func TestMembersSortedByRoleThenName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	g := f.emptyGroup("Sorted", rooms.Public)
	for _, m := range []struct {
		u    accounts.User
		role string
	}{{f.other, rooms.RoleObserver}, {f.target, rooms.RoleMember}, {f.newcomer, rooms.RoleChair}, {f.member, rooms.RoleMember}, {f.chair, rooms.RoleChair}} {
		if _, err := f.svc.AddMember(ctx, f.sec, g.ID, rooms.MemberInput{UserID: m.u.ID, Role: m.role}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range f.asSecretariat(g.ID).Members {
		got = append(got, m.Role+":"+m.Name)
	}
	want := []string{"chair:Chair", "chair:Newcomer", "member:Member", "member:Target", "observer:Other"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("members = %v, want %v", got, want)
	}
}

func TestAddMemberValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	g := f.newGroup("Drafting", rooms.Private)

	tests := []struct {
		name string
		in   rooms.MemberInput
		want errs.Code
	}{
		{"existing member by id", rooms.MemberInput{UserID: f.member.ID, Role: rooms.RoleObserver}, errs.Conflict},
		{"existing member by email", rooms.MemberInput{Email: "Member@Example.org", Role: rooms.RoleMember}, errs.Conflict},
		{"bad role", rooms.MemberInput{UserID: f.newcomer.ID, Role: "admin"}, errs.Invalid},
		{"empty role", rooms.MemberInput{UserID: f.newcomer.ID}, errs.Invalid},
		{"global role", rooms.MemberInput{UserID: f.newcomer.ID, Role: accounts.RoleSecretariat}, errs.Invalid},
		{"both id and email", rooms.MemberInput{UserID: f.newcomer.ID, Email: "newcomer@example.org", Role: rooms.RoleMember}, errs.Invalid},
		{"neither id nor email", rooms.MemberInput{Role: rooms.RoleMember}, errs.Invalid},
		{"malformed id", rooms.MemberInput{UserID: "a b", Role: rooms.RoleMember}, errs.Invalid},
		{"malformed email", rooms.MemberInput{Email: "newcomer", Role: rooms.RoleMember}, errs.Invalid},
		{"unknown id", rooms.MemberInput{UserID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Role: rooms.RoleMember}, errs.NotFound},
		{"unknown email", rooms.MemberInput{Email: "nobody@example.org", Role: rooms.RoleMember}, errs.NotFound},
		{"newcomer", rooms.MemberInput{UserID: f.newcomer.ID, Role: rooms.RoleObserver}, ""},
		{"newcomer again", rooms.MemberInput{UserID: f.newcomer.ID, Role: rooms.RoleObserver}, errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.asSecretariat(g.ID).Members)
			got, err := f.svc.AddMember(ctx, f.chair, g.ID, tt.in)
			wantCode(t, err, tt.want)
			after := f.asSecretariat(g.ID)
			if tt.want != "" {
				if len(after.Members) != before {
					t.Errorf("refused add changed the members: %d -> %d", before, len(after.Members))
				}
				return
			}
			if len(after.Members) != before+1 || roleOf(after, f.newcomer.ID) != tt.in.Role || roleOf(got, f.newcomer.ID) != tt.in.Role {
				t.Errorf("members after add = %+v", after.Members)
			}
		})
	}

	t.Run("set role", func(t *testing.T) {
		_, err := f.svc.SetMemberRole(ctx, f.chair, g.ID, f.other.ID, rooms.RoleMember)
		wantCode(t, err, errs.NotFound)
		_, err = f.svc.SetMemberRole(ctx, f.chair, g.ID, f.member.ID, "owner")
		wantCode(t, err, errs.Invalid)
		_, err = f.svc.RemoveMember(ctx, f.chair, g.ID, f.other.ID)
		wantCode(t, err, errs.NotFound)
		if r := roleOf(f.asSecretariat(g.ID), f.member.ID); r != rooms.RoleMember {
			t.Errorf("member role = %q after refused changes", r)
		}
	})
}

func TestConcurrentMembershipChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	t.Run("different people", func(t *testing.T) {
		g := f.emptyGroup("Busy", rooms.Private)
		people := []accounts.User{f.chair, f.member, f.observer, f.target, f.other, f.newcomer}
		people = append(people, f.user("extra1@example.org", "Extra 1", accounts.RoleUser), f.user("extra2@example.org", "Extra 2", accounts.RoleUser))
		results := together(len(people), func(i int) error {
			_, err := f.svc.AddMember(ctx, f.sec, g.ID, rooms.MemberInput{UserID: people[i].ID, Role: rooms.RoleMember})
			return err
		})
		for i, err := range results {
			if err != nil {
				t.Errorf("AddMember(%s): %v", people[i].Name, err)
			}
		}
		got := f.asSecretariat(g.ID)
		if len(got.Members) != len(people) {
			t.Errorf("%d members, want %d: a concurrent update was lost", len(got.Members), len(people))
		}
		for _, p := range people {
			if roleOf(got, p.ID) != rooms.RoleMember {
				t.Errorf("%s missing from the group", p.Name)
			}
		}
	})

	t.Run("same person", func(t *testing.T) {
		g := f.emptyGroup("Contested", rooms.Public)
		results := together(4, func(int) error {
			_, err := f.svc.AddMember(ctx, f.sec, g.ID, rooms.MemberInput{UserID: f.newcomer.ID, Role: rooms.RoleMember})
			return err
		})
		ok := 0
		for _, err := range results {
			switch errs.CodeOf(err) {
			case "":
				ok++
			case errs.Conflict:
			default:
				t.Errorf("AddMember: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d concurrent adds of one person succeeded, want 1", ok)
		}
		if n := len(f.asSecretariat(g.ID).Members); n != 1 {
			t.Errorf("%d members, want 1", n)
		}
	})

	t.Run("adds and removals", func(t *testing.T) {
		g := f.newGroup("Churn", rooms.Public)
		results := together(3, func(i int) error {
			var err error
			switch i {
			case 0:
				_, err = f.svc.AddMember(ctx, f.chair, g.ID, rooms.MemberInput{UserID: f.newcomer.ID, Role: rooms.RoleObserver})
			case 1:
				_, err = f.svc.RemoveMember(ctx, f.member, g.ID, f.member.ID)
			case 2:
				_, err = f.svc.SetMemberRole(ctx, f.sec, g.ID, f.target.ID, rooms.RoleChair)
			}
			return err
		})
		if results[0] != nil || results[1] != nil || results[2] != nil {
			t.Fatalf("add %v, leave %v, role %v", results[0], results[1], results[2])
		}
		got := f.asSecretariat(g.ID)
		if roleOf(got, f.newcomer.ID) != rooms.RoleObserver || roleOf(got, f.member.ID) != "" ||
			roleOf(got, f.target.ID) != rooms.RoleChair || len(got.Members) != 4 {
			t.Errorf("members = %+v", got.Members)
		}
	})
}

func TestRoleIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	pub := f.newGroup("Public", rooms.Public)
	priv := f.newGroup("Private", rooms.Private)

	tests := []struct {
		actor     accounts.User
		group     rooms.Group
		want      string
		wantError errs.Code
	}{
		{f.chair, pub, rooms.RoleChair, ""},
		{f.member, pub, rooms.RoleMember, ""},
		{f.observer, pub, rooms.RoleObserver, ""},
		{f.sec, pub, "", ""},
		{f.other, pub, "", ""},
		{f.chair, priv, rooms.RoleChair, ""},
		{f.member, priv, rooms.RoleMember, ""},
		{f.observer, priv, rooms.RoleObserver, ""},
		{f.sec, priv, "", ""},
		{f.other, priv, "", errs.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.group.Visibility+"/"+tt.actor.Name, func(t *testing.T) {
			got, err := f.svc.RoleIn(ctx, tt.actor, tt.group.ID)
			wantCode(t, err, tt.wantError)
			if got != tt.want {
				t.Errorf("RoleIn = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("follows role changes", func(t *testing.T) {
		if _, err := f.svc.SetMemberRole(ctx, f.chair, priv.ID, f.observer.ID, rooms.RoleChair); err != nil {
			t.Fatal(err)
		}
		if got, err := f.svc.RoleIn(ctx, f.observer, priv.ID); err != nil || got != rooms.RoleChair {
			t.Errorf("RoleIn after promotion = %q, %v; want chair", got, err)
		}
		if _, err := f.svc.RemoveMember(ctx, f.sec, priv.ID, f.observer.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.RoleIn(ctx, f.observer, priv.ID)
		wantCode(t, err, errs.NotFound)
	})
}

func TestGroupsListing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	b := f.newGroup("beta", rooms.Private)
	a := f.emptyGroup("Alpha", rooms.Public)
	c := f.emptyGroup("Gamma", rooms.Private)

	for _, tt := range []struct {
		actor accounts.User
		want  []string
	}{
		{f.sec, []string{a.ID, b.ID, c.ID}},
		{f.member, []string{a.ID, b.ID}},
		{f.other, []string{a.ID}},
	} {
		t.Run(tt.actor.Name, func(t *testing.T) {
			list, err := f.svc.Groups(ctx, tt.actor)
			wantCode(t, err, "")
			var ids []string
			for _, s := range list {
				ids = append(ids, s.ID)
				if s.FocusAreaName != f.area.Name {
					t.Errorf("group %s focus area name = %q", s.Name, s.FocusAreaName)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("Groups = %v, want %v (visible groups by name, ignoring case)", ids, tt.want)
			}
		})
	}
}
