package rooms_test

import (
	"context"
	"testing"

	"plenary/accounts"
	"plenary/errs"
	"plenary/rooms"
)

func TestInvite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	priv := f.newGroup("Private", rooms.Private)

	tests := []struct {
		name  string
		actor accounts.User
		in    rooms.InviteInput
		want  errs.Code
		// wantRole is the group role the invitation should carry.
		wantRole string
	}{
		{"chair of the group", f.chair, rooms.InviteInput{Email: "a@example.org", GroupID: priv.ID}, errs.Forbidden, ""},
		{"member", f.member, rooms.InviteInput{Email: "a@example.org"}, errs.Forbidden, ""},
		{"non-member", f.other, rooms.InviteInput{Email: "a@example.org"}, errs.Forbidden, ""},
		{"unknown group", f.sec, rooms.InviteInput{Email: "a@example.org", GroupID: "aaaaaaaaaaaaaaaaaaaaaaaaaa"}, errs.NotFound, ""},
		{"malformed group", f.sec, rooms.InviteInput{Email: "a@example.org", GroupID: "../x"}, errs.NotFound, ""},
		{"group role without group", f.sec, rooms.InviteInput{Email: "a@example.org", GroupRole: rooms.RoleMember}, errs.Invalid, ""},
		{"bad group role", f.sec, rooms.InviteInput{Email: "a@example.org", GroupID: priv.ID, GroupRole: "owner"}, errs.Invalid, ""},
		{"global role as group role", f.sec, rooms.InviteInput{Email: "a@example.org", GroupID: priv.ID, GroupRole: accounts.RoleSecretariat}, errs.Invalid, ""},
		{"address with an account", f.sec, rooms.InviteInput{Email: "Member@example.org", GroupID: priv.ID}, errs.Conflict, ""},
		{"malformed address", f.sec, rooms.InviteInput{Email: "nobody", GroupID: priv.ID}, errs.Invalid, ""},
		{"without group", f.sec, rooms.InviteInput{Email: "plain@example.org"}, "", ""},
		{"group role defaults to member", f.sec, rooms.InviteInput{Email: "default@example.org", GroupID: priv.ID}, "", rooms.RoleMember},
		{"as observer", f.sec, rooms.InviteInput{Email: "observer2@example.org", GroupID: priv.ID, GroupRole: rooms.RoleObserver}, "", rooms.RoleObserver},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := f.svc.Invite(ctx, tt.actor, tt.in)
			wantCode(t, err, tt.want)
			if tt.want != "" {
				return
			}
			if inv.Token == "" || inv.GroupID != tt.in.GroupID || inv.GroupRole != tt.wantRole || inv.Status != accounts.InvitationPending {
				t.Errorf("Invite = %+v, want group %q role %q", inv, tt.in.GroupID, tt.wantRole)
			}
		})
	}
	list, err := f.acc.Invitations(ctx, f.sec)
	if err != nil || len(list) != 3 {
		t.Errorf("Invitations = %d, %v; want 3 (refused invitations are not stored)", len(list), err)
	}
}

func TestAcceptInvitationJoinsGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	priv := f.newGroup("Private", rooms.Private)
	pub := f.newGroup("Public", rooms.Public)

	tests := []struct {
		name, email, groupRole string
		group                  rooms.Group
		wantRole               string
	}{
		{"private group as observer", "obs@example.org", rooms.RoleObserver, priv, rooms.RoleObserver},
		{"private group as chair", "newchair@example.org", rooms.RoleChair, priv, rooms.RoleChair},
		{"public group, default role", "joiner@example.org", "", pub, rooms.RoleMember},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := f.svc.Invite(ctx, f.sec, rooms.InviteInput{Email: tt.email, GroupID: tt.group.ID, GroupRole: tt.groupRole})
			wantCode(t, err, "")
			sess, err := f.svc.AcceptInvitation(ctx, inv.Token, "New Person", "new person password")
			wantCode(t, err, "")
			u := sess.User
			if u.Email != tt.email || u.Role != accounts.RoleUser || sess.AccessToken == "" {
				t.Fatalf("session = %+v", sess)
			}
			if role, err := f.svc.RoleIn(ctx, u, tt.group.ID); err != nil || role != tt.wantRole {
				t.Errorf("RoleIn = %q, %v; want %q", role, err, tt.wantRole)
			}
			g, err := f.svc.Group(ctx, u, tt.group.ID)
			wantCode(t, err, "")
			if g.MyRole != tt.wantRole || roleOf(g, u.ID) != tt.wantRole {
				t.Errorf("group as the new member: my_role %q, members %+v", g.MyRole, g.Members)
			}
			if g.CanManage != (tt.wantRole == rooms.RoleChair) {
				t.Errorf("CanManage = %v for role %s", g.CanManage, tt.wantRole)
			}
			list, err := f.svc.Groups(ctx, u)
			wantCode(t, err, "")
			found := false
			for _, s := range list {
				found = found || (s.ID == tt.group.ID && s.MyRole == tt.wantRole)
			}
			if !found {
				t.Errorf("Groups as the new member = %+v, want the invited group with role %s", list, tt.wantRole)
			}
			// The stored member carries the account's name and address.
			for _, m := range f.asSecretariat(tt.group.ID).Members {
				if m.UserID == u.ID && (m.Name != "New Person" || m.Email != tt.email) {
					t.Errorf("stored member = %+v", m)
				}
			}
			// The link is used up.
			_, err = f.svc.AcceptInvitation(ctx, inv.Token, "Again", "again password")
			wantCode(t, err, errs.NotFound)
		})
	}

	t.Run("without group", func(t *testing.T) {
		inv, err := f.svc.Invite(ctx, f.sec, rooms.InviteInput{Email: "loner@example.org"})
		wantCode(t, err, "")
		sess, err := f.svc.AcceptInvitation(ctx, inv.Token, "Loner", "loner password")
		wantCode(t, err, "")
		list, err := f.svc.Groups(ctx, sess.User)
		wantCode(t, err, "")
		for _, s := range list {
			if s.MyRole != "" || s.Visibility != rooms.Public {
				t.Errorf("group %+v visible to an account invited without a group", s)
			}
		}
	})

	t.Run("bad password keeps the invitation", func(t *testing.T) {
		inv, err := f.svc.Invite(ctx, f.sec, rooms.InviteInput{Email: "retry@example.org", GroupID: priv.ID})
		wantCode(t, err, "")
		_, err = f.svc.AcceptInvitation(ctx, inv.Token, "Retry", "short")
		wantCode(t, err, errs.Invalid)
		if n := len(f.asSecretariat(priv.ID).Members); n != 6 {
			t.Errorf("%d members after a refused acceptance, want 6", n)
		}
		sess, err := f.svc.AcceptInvitation(ctx, inv.Token, "Retry", "long enough")
		wantCode(t, err, "")
		if role, err := f.svc.RoleIn(ctx, sess.User, priv.ID); err != nil || role != rooms.RoleMember {
			t.Errorf("RoleIn = %q, %v; want member", role, err)
		}
	})

	t.Run("garbage token", func(t *testing.T) {
		for _, tok := range []string{"", "x.y", "nodot"} {
			_, err := f.svc.AcceptInvitation(ctx, tok, "X", "x password")
			wantCode(t, err, errs.NotFound)
		}
	})
}
