package rooms_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/errs"
	"plenary/rooms"
)

const (
	asSecretariat = "secretariat"
	asChair       = "chair"
	asMember      = "member"
	asObserver    = "observer"
	asOther       = "non-member"
)

var actorKinds = []string{asSecretariat, asChair, asMember, asObserver, asOther}

func (f *fixture) actor(kind string) accounts.User {
	switch kind {
	case asSecretariat:
		return f.sec
	case asChair:
		return f.chair
	case asMember:
		return f.member
	case asObserver:
		return f.observer
	case asOther:
		return f.other
	}
	panic("unknown actor " + kind)
}

// codes gives the expected code per actor; actors not named expect def.
func codes(def errs.Code, except map[string]errs.Code) map[string]errs.Code {
	out := map[string]errs.Code{}
	for _, k := range actorKinds {
		out[k] = def
		if c, ok := except[k]; ok {
			out[k] = c
		}
	}
	return out
}

// TestAuthorizationMatrix runs every operation as every kind of actor on a fresh public and a
// fresh private group, and checks the answer, the effect of an allowed operation and that a
// refused operation changed nothing.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	var (
		visibleToAll   = codes("", nil)
		visibleToGroup = codes("", map[string]errs.Code{asOther: errs.NotFound})
		secretariat    = codes(errs.Forbidden, map[string]errs.Code{asSecretariat: ""})
		managePublic   = codes(errs.Forbidden, map[string]errs.Code{asSecretariat: "", asChair: ""})
		managePrivate  = codes(errs.Forbidden, map[string]errs.Code{asSecretariat: "", asChair: "", asOther: errs.NotFound})
		secPublic      = codes(errs.Forbidden, map[string]errs.Code{asSecretariat: ""})
		secPrivate     = codes(errs.Forbidden, map[string]errs.Code{asSecretariat: "", asOther: errs.NotFound})
		// Leaving: the secretariat and the non-member are not in the group.
		leave = codes("", map[string]errs.Code{asSecretariat: errs.NotFound, asOther: errs.NotFound})
	)

	type operation struct {
		name string
		// do runs the operation; n makes names unique per cell.
		do func(actor accounts.User, g rooms.Group, n int) error
		// verify checks the effect of an allowed operation.
		verify              func(t *testing.T, actor accounts.User, g rooms.Group, n int)
		onPublic, onPrivate map[string]errs.Code
	}
	ops := []operation{
		{
			name: "list groups",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				list, err := f.svc.Groups(ctx, actor)
				if err != nil {
					return err
				}
				for _, s := range list {
					if s.ID == g.ID {
						if want := roleOf(g, actor.ID); s.MyRole != want || s.MemberCount != 4 {
							return fmt.Errorf("summary %+v: want my_role %q and 4 members", s, want)
						}
						return nil
					}
				}
				return errs.Errorf(errs.NotFound, "group not listed")
			},
			onPublic: visibleToAll, onPrivate: visibleToGroup,
		},
		{
			name: "get group",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				got, err := f.svc.Group(ctx, actor, g.ID)
				if err != nil {
					return err
				}
				if got.ID != g.ID || len(got.Members) != 4 || got.FocusAreaName != f.area.Name {
					return fmt.Errorf("Group = %+v", got)
				}
				return nil
			},
			onPublic: visibleToAll, onPrivate: visibleToGroup,
		},
		{
			name: "create focus area",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.CreateFocusArea(ctx, actor, rooms.FocusAreaInput{Name: ptr(fmt.Sprintf("Area %d", n))})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				areas, err := f.svc.FocusAreas(ctx, f.other)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range areas {
					if a.Name == fmt.Sprintf("Area %d", n) {
						return
					}
				}
				t.Errorf("focus area %d not listed", n)
			},
			onPublic: secretariat, onPrivate: secretariat,
		},
		{
			name: "update focus area",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.UpdateFocusArea(ctx, actor, f.area.ID, rooms.FocusAreaInput{Description: ptr(fmt.Sprintf("Described %d", n))})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				areas, err := f.svc.FocusAreas(ctx, f.other)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range areas {
					if a.ID == f.area.ID && a.Description == fmt.Sprintf("Described %d", n) && a.Name == f.area.Name {
						return
					}
				}
				t.Errorf("focus area not updated: %+v", areas)
			},
			onPublic: secretariat, onPrivate: secretariat,
		},
		{
			name: "create group",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.CreateGroup(ctx, actor, rooms.GroupInput{Name: ptr(fmt.Sprintf("Created %d", n)), FocusArea: &f.area.ID, Visibility: ptr(g.Visibility)})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				list, err := f.svc.Groups(ctx, f.sec)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range list {
					if s.Name == fmt.Sprintf("Created %d", n) && s.Visibility == g.Visibility && s.MemberCount == 0 {
						return
					}
				}
				t.Errorf("group %d not created", n)
			},
			onPublic: secretariat, onPrivate: secretariat,
		},
		{
			name: "update group name",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.UpdateGroup(ctx, actor, g.ID, rooms.GroupInput{Name: ptr(fmt.Sprintf("Renamed %d", n))})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); got.Name != fmt.Sprintf("Renamed %d", n) || got.Description != g.Description {
					t.Errorf("group after rename = %+v", got.GroupSummary)
				}
			},
			onPublic: secPublic, onPrivate: secPrivate,
		},
		{
			name: "update group visibility",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				v := rooms.Public
				if g.Visibility == rooms.Public {
					v = rooms.Private
				}
				_, err := f.svc.UpdateGroup(ctx, actor, g.ID, rooms.GroupInput{Visibility: &v})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); got.Visibility == g.Visibility {
					t.Errorf("visibility unchanged: %q", got.Visibility)
				}
			},
			onPublic: secPublic, onPrivate: secPrivate,
		},
		{
			name: "update group description",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.UpdateGroup(ctx, actor, g.ID, rooms.GroupInput{Description: ptr(fmt.Sprintf("Line one %d\nline two", n))})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); got.Description != fmt.Sprintf("Line one %d\nline two", n) || got.Name != g.Name {
					t.Errorf("group after description change = %+v", got.GroupSummary)
				}
			},
			onPublic: managePublic, onPrivate: managePrivate,
		},
		{
			name: "add member",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.AddMember(ctx, actor, g.ID, rooms.MemberInput{UserID: f.newcomer.ID, Role: rooms.RoleMember})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); roleOf(got, f.newcomer.ID) != rooms.RoleMember || len(got.Members) != 5 {
					t.Errorf("members after add = %+v", got.Members)
				}
			},
			onPublic: managePublic, onPrivate: managePrivate,
		},
		{
			name: "add member by email",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.AddMember(ctx, actor, g.ID, rooms.MemberInput{Email: "NEWCOMER@example.org", Role: rooms.RoleObserver})
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); roleOf(got, f.newcomer.ID) != rooms.RoleObserver {
					t.Errorf("members after add = %+v", got.Members)
				}
			},
			onPublic: managePublic, onPrivate: managePrivate,
		},
		{
			name: "change role",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.SetMemberRole(ctx, actor, g.ID, f.target.ID, rooms.RoleChair)
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); roleOf(got, f.target.ID) != rooms.RoleChair || len(got.Members) != 4 {
					t.Errorf("members after role change = %+v", got.Members)
				}
			},
			onPublic: managePublic, onPrivate: managePrivate,
		},
		{
			name: "remove other member",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				_, err := f.svc.RemoveMember(ctx, actor, g.ID, f.target.ID)
				return err
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); roleOf(got, f.target.ID) != "" || len(got.Members) != 3 {
					t.Errorf("members after removal = %+v", got.Members)
				}
			},
			onPublic: managePublic, onPrivate: managePrivate,
		},
		{
			name: "remove self",
			do: func(actor accounts.User, g rooms.Group, n int) error {
				got, err := f.svc.RemoveMember(ctx, actor, g.ID, actor.ID)
				if err != nil {
					return err
				}
				// Having left a private group, the actor is shown nothing of it.
				if g.Visibility == rooms.Private && (got.Name != "" || len(got.Members) != 0 || got.ID != g.ID) {
					return fmt.Errorf("view after leaving a private group = %+v", got)
				}
				if g.Visibility == rooms.Public && (len(got.Members) != 3 || got.MyRole != "") {
					return fmt.Errorf("view after leaving a public group = %+v", got)
				}
				return nil
			},
			verify: func(t *testing.T, actor accounts.User, g rooms.Group, n int) {
				if got := f.asSecretariat(g.ID); roleOf(got, actor.ID) != "" || len(got.Members) != 3 {
					t.Errorf("members after leaving = %+v", got.Members)
				}
				_, err := f.svc.Group(ctx, actor, g.ID)
				want := errs.Code("")
				if g.Visibility == rooms.Private {
					want = errs.NotFound
				}
				if errs.CodeOf(err) != want {
					t.Errorf("Group after leaving: code %q, want %q", errs.CodeOf(err), want)
				}
			},
			onPublic: leave, onPrivate: leave,
		},
	}

	n := 0
	for _, op := range ops {
		for _, vis := range []string{rooms.Public, rooms.Private} {
			want := op.onPublic
			if vis == rooms.Private {
				want = op.onPrivate
			}
			for _, kind := range actorKinds {
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", op.name, vis, kind), func(t *testing.T) {
					// Each cell starts from one fresh group; clearing the others keeps the
					// collection scans of the embedded store short.
					if _, err := f.st.Collection("groups").DeleteMany(ctx, bson.D{}); err != nil {
						t.Fatal(err)
					}
					g := f.newGroup(fmt.Sprintf("Group %d", n), vis)
					actor := f.actor(kind)
					before := f.snapshot()
					err := op.do(actor, g, n)
					wantCode(t, err, want[kind])
					if err != nil {
						if !bytes.Equal(before, f.snapshot()) {
							t.Errorf("the refused operation changed stored data")
						}
						if op.name != "list groups" && errs.CodeOf(err) == errs.NotFound && vis == rooms.Private && kind == asOther &&
							errs.MessageOf(err) != "group not found" {
							t.Errorf("message %q reveals more than an unknown group would", errs.MessageOf(err))
						}
						return
					}
					if op.verify != nil {
						op.verify(t, actor, g, n)
					}
				})
			}
		}
	}
}

// TestUnknownGroup checks that every group operation answers not_found for a group that does not
// exist, as it does for a private group the actor may not see.
func TestUnknownGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for _, id := range []string{"aaaaaaaaaaaaaaaaaaaaaaaaaa", "", "../groups", `{"$ne":1}`} {
		for _, actor := range []accounts.User{f.sec, f.chair} {
			t.Run(fmt.Sprintf("%q/%s", id, actor.Name), func(t *testing.T) {
				_, err := f.svc.Group(ctx, actor, id)
				wantCode(t, err, errs.NotFound)
				_, err = f.svc.RoleIn(ctx, actor, id)
				wantCode(t, err, errs.NotFound)
				_, err = f.svc.UpdateGroup(ctx, actor, id, rooms.GroupInput{Description: ptr("x")})
				wantCode(t, err, errs.NotFound)
				_, err = f.svc.AddMember(ctx, actor, id, rooms.MemberInput{UserID: f.newcomer.ID, Role: rooms.RoleMember})
				wantCode(t, err, errs.NotFound)
				_, err = f.svc.SetMemberRole(ctx, actor, id, f.member.ID, rooms.RoleMember)
				wantCode(t, err, errs.NotFound)
				_, err = f.svc.RemoveMember(ctx, actor, id, actor.ID)
				wantCode(t, err, errs.NotFound)
			})
		}
	}
}

// TestAddMemberDoesNotRevealAccounts checks that someone who may not add members learns nothing
// about which addresses have accounts: the answer is the same for a known and an unknown person.
func TestAddMemberDoesNotRevealAccounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	g := f.newGroup("Public", rooms.Public)
	for _, actor := range []accounts.User{f.member, f.observer, f.other} {
		for _, in := range []rooms.MemberInput{
			{Email: "newcomer@example.org", Role: rooms.RoleMember},
			{Email: "nobody@example.org", Role: rooms.RoleMember},
			{UserID: f.newcomer.ID, Role: rooms.RoleMember},
			{UserID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Role: rooms.RoleMember},
		} {
			_, err := f.svc.AddMember(ctx, actor, g.ID, in)
			if errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("AddMember(%+v) as %s: code %q (%v), want forbidden whether or not the person exists",
					in, actor.Name, errs.CodeOf(err), err)
			}
		}
	}
}
