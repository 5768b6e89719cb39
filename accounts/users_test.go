package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"plenary/accounts"
	"plenary/errs"
)

func TestNewRejectsShortKey(t *testing.T) {
	st := newEnv(t).st
	for _, n := range []int{0, 16, 31} {
		if _, err := accounts.New(st, accounts.Config{JWTKey: make([]byte, n)}); err == nil {
			t.Errorf("New with a %d-byte key: no error", n)
		}
	}
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()

	const goodPass = "correct horse"
	tests := []struct {
		name      string
		in        accounts.NewUser
		want      errs.Code
		wantEmail string // normalized address, for successful cases
	}{
		{"email normalized to lower case and trimmed", accounts.NewUser{Email: "  Ada.Lovelace@Example.ORG ", Name: "Ada", Password: goodPass, Role: accounts.RoleUser}, "", "ada.lovelace@example.org"},
		{"email empty", accounts.NewUser{Email: "", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email blank", accounts.NewUser{Email: "   ", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email without at", accounts.NewUser{Email: "not-an-email", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email without dot in domain", accounts.NewUser{Email: "a@localhost", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email with display name", accounts.NewUser{Email: "Ada <ada@example.org>", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email with space", accounts.NewUser{Email: "a b@example.org", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email two addresses", accounts.NewUser{Email: "a@example.org,b@example.org", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email starting with dollar", accounts.NewUser{Email: "$where@example.org", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"email too long", accounts.NewUser{Email: strings.Repeat("a", 243) + "@example.org", Name: "A", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"name empty", accounts.NewUser{Email: "n1@example.org", Name: "", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"name blank", accounts.NewUser{Email: "n2@example.org", Name: " \t ", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"name 201 characters", accounts.NewUser{Email: "n3@example.org", Name: strings.Repeat("é", 201), Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"name with newline", accounts.NewUser{Email: "n4@example.org", Name: "Ada\nLovelace", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"name invalid UTF-8", accounts.NewUser{Email: "n5@example.org", Name: "Ada\xff", Password: goodPass, Role: accounts.RoleUser}, errs.Invalid, ""},
		{"name 200 multi-byte characters", accounts.NewUser{Email: "n6@example.org", Name: strings.Repeat("é", 200), Password: goodPass, Role: accounts.RoleUser}, "", "n6@example.org"},
		{"password 7 characters", accounts.NewUser{Email: "p1@example.org", Name: "P", Password: "1234567", Role: accounts.RoleUser}, errs.Invalid, ""},
		{"password empty", accounts.NewUser{Email: "p2@example.org", Name: "P", Password: "", Role: accounts.RoleUser}, errs.Invalid, ""},
		{"password 1025 characters", accounts.NewUser{Email: "p3@example.org", Name: "P", Password: strings.Repeat("a", 1025), Role: accounts.RoleUser}, errs.Invalid, ""},
		{"password 1025 multi-byte characters", accounts.NewUser{Email: "p4@example.org", Name: "P", Password: strings.Repeat("é", 1025), Role: accounts.RoleUser}, errs.Invalid, ""},
		{"password 7 emoji (28 bytes) counted as 7 characters", accounts.NewUser{Email: "p5@example.org", Name: "P", Password: strings.Repeat("😀", 7), Role: accounts.RoleUser}, errs.Invalid, ""},
		{"password invalid UTF-8", accounts.NewUser{Email: "p6@example.org", Name: "P", Password: strings.Repeat("\xff", 8), Role: accounts.RoleUser}, errs.Invalid, ""},
		{"password 8 emoji", accounts.NewUser{Email: "p7@example.org", Name: "P", Password: strings.Repeat("😀", 8), Role: accounts.RoleUser}, "", "p7@example.org"},
		{"password 1024 characters", accounts.NewUser{Email: "p8@example.org", Name: "P", Password: strings.Repeat("a", 1024), Role: accounts.RoleUser}, "", "p8@example.org"},
		{"password exactly 8 characters", accounts.NewUser{Email: "p9@example.org", Name: "P", Password: "12345678", Role: accounts.RoleUser}, "", "p9@example.org"},
		{"role empty", accounts.NewUser{Email: "r1@example.org", Name: "R", Password: goodPass, Role: ""}, errs.Invalid, ""},
		{"role unknown", accounts.NewUser{Email: "r2@example.org", Name: "R", Password: goodPass, Role: "admin"}, errs.Invalid, ""},
		{"role wrong case", accounts.NewUser{Email: "r3@example.org", Name: "R", Password: goodPass, Role: "Secretariat"}, errs.Invalid, ""},
		{"role group role", accounts.NewUser{Email: "r4@example.org", Name: "R", Password: goodPass, Role: "chair"}, errs.Invalid, ""},
		{"role secretariat", accounts.NewUser{Email: "r5@example.org", Name: "R", Password: goodPass, Role: accounts.RoleSecretariat}, "", "r5@example.org"},
	}
	var created int64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.svc.CreateUser(ctx, tt.in)
			wantCode(t, err, tt.want)
			if tt.want != "" {
				if u != (accounts.User{}) {
					t.Errorf("failed CreateUser returned %+v, want the zero User", u)
				}
				return
			}
			created++
			if u.ID == "" || u.Email != tt.wantEmail || u.Role != tt.in.Role || u.Name != strings.TrimSpace(tt.in.Name) {
				t.Errorf("CreateUser = %+v, want email %q, role %q, name %q and an id", u, tt.wantEmail, tt.in.Role, tt.in.Name)
			}
			got, err := e.svc.User(ctx, u.ID)
			if err != nil || got != u {
				t.Errorf("User(%s) = %+v, %v; want %+v", u.ID, got, err, u)
			}
			// The stored password is the one given, whatever its characters.
			if _, err := e.svc.Login(ctx, accounts.Credentials{Email: tt.in.Email, Password: tt.in.Password, ClientIP: "203.0.113.9"}); err != nil {
				t.Errorf("Login with the new account: %v", err)
			}
		})
	}
	// Failed creations leave nothing behind: no account and no claimed address.
	if n := e.count("users"); n != created {
		t.Errorf("users holds %d documents, want %d", n, created)
	}
	if n := e.count("user_emails"); n != created {
		t.Errorf("user_emails holds %d documents, want %d", n, created)
	}
}

func TestCreateUserDuplicateEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	first := e.mustCreate("grace@example.org", "Grace", "first password", accounts.RoleUser)

	for _, email := range []string{"grace@example.org", "GRACE@Example.Org", "  Grace@example.org  "} {
		t.Run(email, func(t *testing.T) {
			_, err := e.svc.CreateUser(ctx, accounts.NewUser{Email: email, Name: "Impostor", Password: "second password", Role: accounts.RoleSecretariat})
			wantCode(t, err, errs.Conflict)
		})
	}
	if n := e.count("users"); n != 1 {
		t.Errorf("users holds %d documents after the conflicts, want 1", n)
	}
	got, err := e.svc.UserByEmail(ctx, "grace@example.org")
	if err != nil || got != first {
		t.Errorf("UserByEmail = %+v, %v; want the first account %+v", got, err, first)
	}
	// The original password still works and the impostor's does not.
	if _, err := e.svc.Login(ctx, accounts.Credentials{Email: "grace@example.org", Password: "first password", ClientIP: "203.0.113.2"}); err != nil {
		t.Errorf("Login with the first password: %v", err)
	}
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "grace@example.org", Password: "second password", ClientIP: "203.0.113.2"})
	wantCode(t, err, errs.Unauthorized)
}

func TestHasUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	has, err := e.svc.HasUsers(ctx)
	if err != nil || has {
		t.Fatalf("HasUsers on an empty store = %v, %v; want false, nil", has, err)
	}
	// A rejected account does not count.
	_, err = e.svc.CreateUser(ctx, accounts.NewUser{Email: "x@example.org", Name: "X", Password: "short", Role: accounts.RoleUser})
	wantCode(t, err, errs.Invalid)
	if has, err := e.svc.HasUsers(ctx); err != nil || has {
		t.Fatalf("HasUsers after a rejected account = %v, %v; want false, nil", has, err)
	}
	e.mustCreate("admin@example.org", "Admin", "admin password", accounts.RoleSecretariat)
	if has, err := e.svc.HasUsers(ctx); err != nil || !has {
		t.Fatalf("HasUsers after CreateUser = %v, %v; want true, nil", has, err)
	}
}

func TestUserLookups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := e.mustCreate("admin@example.org", "Admin", "admin password", accounts.RoleSecretariat)
	e.clk.Advance(time.Minute)
	user := e.mustCreate("user@example.org", "User", "user password", accounts.RoleUser)

	t.Run("User", func(t *testing.T) {
		for _, tt := range []struct {
			id   string
			want errs.Code
		}{{admin.ID, ""}, {user.ID, ""}, {"nosuchuser", errs.NotFound}, {"", errs.NotFound}} {
			_, err := e.svc.User(ctx, tt.id)
			if got := errs.CodeOf(err); got != tt.want {
				t.Errorf("User(%q) code = %q, want %q", tt.id, got, tt.want)
			}
		}
	})
	t.Run("UserByEmail", func(t *testing.T) {
		for _, tt := range []struct {
			email  string
			want   errs.Code
			wantID string
		}{
			{"user@example.org", "", user.ID},
			{" USER@EXAMPLE.ORG ", "", user.ID},
			{"nobody@example.org", errs.NotFound, ""},
			{"not an address", errs.Invalid, ""},
		} {
			u, err := e.svc.UserByEmail(ctx, tt.email)
			if got := errs.CodeOf(err); got != tt.want || u.ID != tt.wantID {
				t.Errorf("UserByEmail(%q) = %q, code %q; want %q, code %q", tt.email, u.ID, got, tt.wantID, tt.want)
			}
		}
	})
	t.Run("Users", func(t *testing.T) {
		_, err := e.svc.Users(ctx, user)
		wantCode(t, err, errs.Forbidden)
		_, err = e.svc.Users(ctx, accounts.User{})
		wantCode(t, err, errs.Forbidden)
		list, err := e.svc.Users(ctx, admin)
		wantCode(t, err, "")
		if len(list) != 2 || list[0] != admin || list[1] != user {
			t.Errorf("Users = %+v, want [%+v %+v] (oldest first)", list, admin, user)
		}
	})
}
