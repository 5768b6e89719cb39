package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"plenary/accounts"
	"plenary/errs"
)

type inviteEnv struct {
	*env
	admin, user accounts.User
}

func newInviteEnv(t *testing.T) *inviteEnv {
	t.Helper()
	e := newEnv(t)
	return &inviteEnv{
		env:   e,
		admin: e.mustCreate("admin@example.org", "Admin", "admin password", accounts.RoleSecretariat),
		user:  e.mustCreate("user@example.org", "User", "user password", accounts.RoleUser),
	}
}

func (e *inviteEnv) invite(t *testing.T, email string) accounts.Invitation {
	t.Helper()
	inv, err := e.svc.CreateInvitation(context.Background(), e.admin, accounts.InvitationRequest{Email: email})
	if err != nil {
		t.Fatalf("CreateInvitation(%s): %v", email, err)
	}
	return inv
}

// status returns the status the secretariat's list shows for an invitation.
func (e *inviteEnv) status(t *testing.T, invitationID string) string {
	t.Helper()
	list, err := e.svc.Invitations(context.Background(), e.admin)
	if err != nil {
		t.Fatalf("Invitations: %v", err)
	}
	for _, inv := range list {
		if inv.ID == invitationID {
			if inv.Token != "" {
				t.Errorf("the list shows the token of invitation %s", inv.ID)
			}
			return inv.Status
		}
	}
	t.Fatalf("invitation %s not listed", invitationID)
	return ""
}

func TestInvitationAuthorization(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")
	nobody := accounts.User{}
	forged := accounts.User{ID: e.user.ID, Role: "Secretariat"}

	for _, actor := range []accounts.User{e.user, nobody, forged} {
		_, err := e.svc.CreateInvitation(ctx, actor, accounts.InvitationRequest{Email: "other@example.org"})
		wantCode(t, err, errs.Forbidden)
		_, err = e.svc.Invitations(ctx, actor)
		wantCode(t, err, errs.Forbidden)
		err = e.svc.RevokeInvitation(ctx, actor, inv.ID)
		wantCode(t, err, errs.Forbidden)
	}
	if st := e.status(t, inv.ID); st != accounts.InvitationPending {
		t.Errorf("status after refused revocations = %q, want pending", st)
	}
	list, _ := e.svc.Invitations(ctx, e.admin)
	if len(list) != 1 {
		t.Errorf("%d invitations listed, want 1: refused creations must not store anything", len(list))
	}
}

func TestCreateInvitation(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()

	tests := []struct {
		name, email, wantEmail string
		want                   errs.Code
	}{
		{"new address, normalized", "  Guest@Example.ORG ", "guest@example.org", ""},
		{"second invitation for the same address", "guest@example.org", "guest@example.org", ""},
		{"address of an account", "user@example.org", "", errs.Conflict},
		{"address of an account, other case", "USER@example.org", "", errs.Conflict},
		{"malformed address", "guest", "", errs.Invalid},
		{"empty address", "", "", errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := e.svc.CreateInvitation(ctx, e.admin, accounts.InvitationRequest{Email: tt.email, GroupID: "g1", GroupRole: "observer"})
			wantCode(t, err, tt.want)
			if tt.want != "" {
				return
			}
			now := e.clk.Now()
			if inv.Email != tt.wantEmail || inv.Status != accounts.InvitationPending || inv.CreatedBy != e.admin.ID ||
				!inv.CreatedAt.Equal(now) || !inv.ExpiresAt.Equal(now.Add(7*24*time.Hour)) ||
				inv.GroupID != "g1" || inv.GroupRole != "observer" {
				t.Errorf("invitation = %+v", inv)
			}
			if !strings.HasPrefix(inv.Token, inv.ID+".") || len(inv.Token) < len(inv.ID)+40 {
				t.Errorf("token %q does not look like <id>.<secret>", inv.Token)
			}
		})
	}
}

func TestInvitationsListedNewestFirst(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	a := e.invite(t, "a@example.org")
	e.clk.Advance(time.Hour)
	b := e.invite(t, "b@example.org")
	e.clk.Advance(time.Hour)
	c := e.invite(t, "c@example.org")
	list, err := e.svc.Invitations(ctx, e.admin)
	wantCode(t, err, "")
	if len(list) != 3 || list[0].ID != c.ID || list[1].ID != b.ID || list[2].ID != a.ID {
		t.Errorf("Invitations = %+v, want c, b, a", list)
	}
}

func TestLookupInvitation(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")
	id, secret, _ := strings.Cut(inv.Token, ".")
	other := e.invite(t, "other@example.org")
	_, otherSecret, _ := strings.Cut(other.Token, ".")
	tampered := []byte(secret)
	if tampered[0] == 'A' {
		tampered[0] = 'B'
	} else {
		tampered[0] = 'A'
	}

	tests := []struct {
		name, token string
		want        errs.Code
	}{
		{"good token", inv.Token, ""},
		{"tampered secret", id + "." + string(tampered), errs.NotFound},
		{"secret of another invitation", id + "." + otherSecret, errs.NotFound},
		{"truncated secret", id + "." + secret[:len(secret)-1], errs.NotFound},
		{"unknown id", "aaaaaaaaaaaaaaaaaaaaaaaaaa." + secret, errs.NotFound},
		{"id only", id, errs.NotFound},
		{"id and dot", id + ".", errs.NotFound},
		{"dot and secret", "." + secret, errs.NotFound},
		{"empty", "", errs.NotFound},
		{"dot", ".", errs.NotFound},
		{"too long", inv.Token + strings.Repeat("a", 300), errs.NotFound},
		{"operator in id", `{"$ne":null}.` + secret, errs.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.LookupInvitation(ctx, tt.token)
			wantCode(t, err, tt.want)
			if tt.want != "" {
				return
			}
			if got.ID != inv.ID || got.Email != "guest@example.org" || got.Status != accounts.InvitationPending || got.Token != "" {
				t.Errorf("LookupInvitation = %+v", got)
			}
		})
	}
}

func TestInvitationExpiry(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")
	start := e.clk.Now()

	e.clk.Set(start.Add(7*24*time.Hour - time.Second))
	if _, err := e.svc.LookupInvitation(ctx, inv.Token); err != nil {
		t.Fatalf("LookupInvitation a second before expiry: %v", err)
	}
	if st := e.status(t, inv.ID); st != accounts.InvitationPending {
		t.Errorf("status a second before expiry = %q, want pending", st)
	}

	e.clk.Set(start.Add(7*24*time.Hour + time.Second))
	_, err := e.svc.LookupInvitation(ctx, inv.Token)
	wantCode(t, err, errs.NotFound)
	if st := e.status(t, inv.ID); st != accounts.InvitationExpired {
		t.Errorf("status after expiry = %q, want expired", st)
	}
	_, _, err = e.svc.AcceptInvitation(ctx, inv.Token, "Guest", "guest password")
	wantCode(t, err, errs.NotFound)
	err = e.svc.RevokeInvitation(ctx, e.admin, inv.ID)
	wantCode(t, err, errs.Conflict)
	if _, err := e.svc.UserByEmail(ctx, "guest@example.org"); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("UserByEmail after accepting an expired invitation: %v, want not_found", err)
	}
}

func TestAcceptInvitation(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "Guest@Example.org")

	sess, got, err := e.svc.AcceptInvitation(ctx, inv.Token, "  Grace Hopper ", "guest password")
	wantCode(t, err, "")
	if sess.User.ID == "" || sess.User.Email != "guest@example.org" || sess.User.Name != "Grace Hopper" || sess.User.Role != accounts.RoleUser {
		t.Errorf("session user = %+v, want a new user account for guest@example.org", sess.User)
	}
	if got.ID != inv.ID || got.Email != "guest@example.org" {
		t.Errorf("accepted invitation = %+v", got)
	}
	if u, err := e.svc.Authenticate(ctx, sess.AccessToken); err != nil || u != sess.User {
		t.Errorf("Authenticate(session of the new account) = %+v, %v", u, err)
	}
	mustRefresh(t, e.env, sess.RefreshToken)
	if st := e.status(t, inv.ID); st != accounts.InvitationAccepted {
		t.Errorf("status = %q, want accepted", st)
	}
	// The new account signs in with the chosen password.
	if _, err := e.svc.Login(ctx, accounts.Credentials{Email: "guest@example.org", Password: "guest password", ClientIP: "203.0.113.3"}); err != nil {
		t.Errorf("Login as the new account: %v", err)
	}

	// The link is used up.
	_, _, err = e.svc.AcceptInvitation(ctx, inv.Token, "Mallory", "mallory password")
	wantCode(t, err, errs.NotFound)
	_, err = e.svc.LookupInvitation(ctx, inv.Token)
	wantCode(t, err, errs.NotFound)
	err = e.svc.RevokeInvitation(ctx, e.admin, inv.ID)
	wantCode(t, err, errs.Conflict)
	if n := e.count("users"); n != 3 {
		t.Errorf("users holds %d documents, want 3", n)
	}
}

func TestAcceptInvitationRole(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	// Whatever the invitation carries for groups, the account is a plain user.
	inv, err := e.svc.CreateInvitation(ctx, e.admin, accounts.InvitationRequest{Email: "guest@example.org", GroupID: "g", GroupRole: accounts.RoleSecretariat})
	wantCode(t, err, "")
	sess, got, err := e.svc.AcceptInvitation(ctx, inv.Token, "Guest", "guest password")
	wantCode(t, err, "")
	if sess.User.Role != accounts.RoleUser {
		t.Errorf("role = %q, want user", sess.User.Role)
	}
	if got.GroupID != "g" || got.GroupRole != accounts.RoleSecretariat {
		t.Errorf("invitation = %+v, want the group fields carried through", got)
	}
}

func TestRevokeInvitation(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")
	keep := e.invite(t, "keep@example.org")

	wantCode(t, e.svc.RevokeInvitation(ctx, e.admin, inv.ID), "")
	if st := e.status(t, inv.ID); st != accounts.InvitationRevoked {
		t.Errorf("status = %q, want revoked", st)
	}
	_, err := e.svc.LookupInvitation(ctx, inv.Token)
	wantCode(t, err, errs.NotFound)
	_, _, err = e.svc.AcceptInvitation(ctx, inv.Token, "Guest", "guest password")
	wantCode(t, err, errs.NotFound)
	wantCode(t, e.svc.RevokeInvitation(ctx, e.admin, inv.ID), errs.Conflict)
	wantCode(t, e.svc.RevokeInvitation(ctx, e.admin, "nosuchinvitation"), errs.NotFound)
	if _, err := e.svc.UserByEmail(ctx, "guest@example.org"); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("UserByEmail after accepting a revoked invitation: %v, want not_found", err)
	}
	// Revoking one invitation leaves the others working.
	if _, err := e.svc.LookupInvitation(ctx, keep.Token); err != nil {
		t.Errorf("LookupInvitation(other invitation): %v", err)
	}
}

func TestAcceptInvitationBadInput(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")

	for _, tt := range []struct{ name, userName, password string }{
		{"short password", "Guest", "short"},
		{"long password", "Guest", strings.Repeat("p", 1025)},
		{"empty name", "", "guest password"},
		{"name with control character", "Gu\x00est", "guest password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.svc.AcceptInvitation(ctx, inv.Token, tt.userName, tt.password)
			wantCode(t, err, errs.Invalid)
			if _, err := e.svc.LookupInvitation(ctx, inv.Token); err != nil {
				t.Errorf("invitation unusable after a rejected attempt: %v", err)
			}
		})
	}
	if st := e.status(t, inv.ID); st != accounts.InvitationPending {
		t.Errorf("status = %q, want pending", st)
	}
	if _, _, err := e.svc.AcceptInvitation(ctx, inv.Token, "Guest", "guest password"); err != nil {
		t.Errorf("AcceptInvitation after rejected attempts: %v", err)
	}
}

func TestAcceptInvitationAddressTakenMeanwhile(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")
	e.mustCreate("GUEST@example.org", "Guest", "their own password", accounts.RoleUser)
	_, _, err := e.svc.AcceptInvitation(ctx, inv.Token, "Impostor", "impostor password")
	wantCode(t, err, errs.Conflict)
	// The existing account keeps its password.
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "guest@example.org", Password: "impostor password", ClientIP: "203.0.113.4"})
	wantCode(t, err, errs.Unauthorized)
}

func TestAcceptInvitationReturnsAcceptedInvitation(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	inv := e.invite(t, "guest@example.org")
	_, got, err := e.svc.AcceptInvitation(context.Background(), inv.Token, "Guest", "guest password")
	wantCode(t, err, "")
	if got.Status != accounts.InvitationAccepted {
		t.Errorf("AcceptInvitation returned status %q, want %q as stored", got.Status, accounts.InvitationAccepted)
	}
}
