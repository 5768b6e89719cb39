package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"plenary/accounts"
	"plenary/errs"
)

// signedIn returns a service with one account and a fresh session of it.
func signedIn(t *testing.T, tune ...func(*accounts.Config)) (*env, accounts.User, accounts.Session) {
	t.Helper()
	e := newEnv(t, tune...)
	u := e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	return e, u, e.mustLogin("ada@example.org", "analytical engine")
}

func mustRefresh(t *testing.T, e *env, token string) accounts.Session {
	t.Helper()
	s, err := e.svc.Refresh(context.Background(), token)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	return s
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("rotation", func(t *testing.T) {
		t.Parallel()
		e, u, s0 := signedIn(t)
		e.clk.Advance(time.Hour)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		if s1.RefreshToken == "" || s1.RefreshToken == s0.RefreshToken {
			t.Fatalf("refresh token not rotated: %q", s1.RefreshToken)
		}
		if s1.User != u {
			t.Errorf("session user = %+v, want %+v", s1.User, u)
		}
		if want := e.clk.Now().Add(14 * 24 * time.Hour); !s1.RefreshExpires.Equal(want) {
			t.Errorf("RefreshExpires = %v, want %v (sliding)", s1.RefreshExpires, want)
		}
		if got, err := e.svc.Authenticate(ctx, s1.AccessToken); err != nil || got != u {
			t.Errorf("Authenticate(new access token) = %+v, %v", got, err)
		}
		// The new token works in turn.
		e.clk.Advance(time.Hour)
		mustRefresh(t, e, s1.RefreshToken)
	})

	t.Run("reuse after grace revokes the family", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		s2 := mustRefresh(t, e, s1.RefreshToken)
		e.clk.Advance(11 * time.Second)
		_, err := e.svc.Refresh(ctx, s0.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
		// The thief's copy and the owner's newest token both stop working.
		_, err = e.svc.Refresh(ctx, s2.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
		_, err = e.svc.Refresh(ctx, s1.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("reuse of newest spent token after grace revokes the family", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		e.clk.Advance(11 * time.Second)
		_, err := e.svc.Refresh(ctx, s0.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
		_, err = e.svc.Refresh(ctx, s1.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("reuse within grace", func(t *testing.T) {
		t.Parallel()
		e, u, s0 := signedIn(t)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		e.clk.Advance(5 * time.Second)
		// A second tab refreshing with the same token at about the same time.
		s1b := mustRefresh(t, e, s0.RefreshToken)
		if s1b.User != u || s1b.RefreshToken == s1.RefreshToken {
			t.Fatalf("grace refresh = %+v", s1b)
		}
		e.clk.Advance(4 * time.Second)
		mustRefresh(t, e, s0.RefreshToken) // 9 s after the first spend: still within grace
		// Both tabs carry on.
		mustRefresh(t, e, s1.RefreshToken)
		mustRefresh(t, e, s1b.RefreshToken)
	})

	t.Run("no grace when ReuseGrace is negative", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t, func(c *accounts.Config) { c.ReuseGrace = -1 })
		s1 := mustRefresh(t, e, s0.RefreshToken)
		_, err := e.svc.Refresh(ctx, s0.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
		_, err = e.svc.Refresh(ctx, s1.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		e.clk.Advance(14 * 24 * time.Hour)
		_, err := e.svc.Refresh(ctx, s0.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("sliding expiry", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		e.clk.Advance(13 * 24 * time.Hour)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		e.clk.Advance(13 * 24 * time.Hour) // 26 days after sign-in, 13 after the refresh
		mustRefresh(t, e, s1.RefreshToken)
	})

	t.Run("account deleted", func(t *testing.T) {
		t.Parallel()
		e, u, s0 := signedIn(t)
		e.deleteUser(u.ID)
		_, err := e.svc.Refresh(ctx, s0.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("garbage", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		for _, tok := range []string{"", "nope", s0.AccessToken, s0.RefreshToken + "x", strings.Repeat("a", 257), strings.Repeat("a", 100_000)} {
			_, err := e.svc.Refresh(ctx, tok)
			wantCode(t, err, errs.Unauthorized)
		}
		// None of them harmed the real session.
		mustRefresh(t, e, s0.RefreshToken)
	})

	t.Run("token unknown to another database", func(t *testing.T) {
		t.Parallel()
		_, _, s0 := signedIn(t)
		f := newEnv(t) // another database: the token is unknown there
		_, err := f.svc.Refresh(ctx, s0.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("ends the session", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		if err := e.svc.Logout(ctx, s1.RefreshToken); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		_, err := e.svc.Refresh(ctx, s1.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
		// Signing out twice is fine.
		if err := e.svc.Logout(ctx, s1.RefreshToken); err != nil {
			t.Errorf("second Logout: %v", err)
		}
	})

	t.Run("with an older token of the session", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		s1 := mustRefresh(t, e, s0.RefreshToken)
		if err := e.svc.Logout(ctx, s0.RefreshToken); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		_, err := e.svc.Refresh(ctx, s1.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("leaves other sessions alone", func(t *testing.T) {
		t.Parallel()
		e, _, laptop := signedIn(t)
		phone := e.mustLogin("ada@example.org", "analytical engine")
		if err := e.svc.Logout(ctx, laptop.RefreshToken); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		_, err := e.svc.Refresh(ctx, laptop.RefreshToken)
		wantCode(t, err, errs.Unauthorized)
		mustRefresh(t, e, phone.RefreshToken)
	})

	t.Run("unknown tokens", func(t *testing.T) {
		t.Parallel()
		e, _, s0 := signedIn(t)
		for _, tok := range []string{"", "unknown", strings.Repeat("z", 300)} {
			if err := e.svc.Logout(ctx, tok); err != nil {
				t.Errorf("Logout(%.10q) = %v, want nil", tok, err)
			}
		}
		mustRefresh(t, e, s0.RefreshToken)
	})
}

func TestSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, u, s0 := signedIn(t)
	mustRefresh(t, e, s0.RefreshToken)
	if err := e.svc.Logout(ctx, s0.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.IssueTicket(ctx, u); err != nil {
		t.Fatal(err)
	}
	counts := func() map[string]int64 {
		out := map[string]int64{}
		for _, c := range []string{"sessions", "session_spent", "session_revocations", "ws_tickets", "users"} {
			out[c] = e.count(c)
		}
		return out
	}
	check := func(step string, want map[string]int64) {
		t.Helper()
		if err := e.svc.Sweep(ctx); err != nil {
			t.Fatalf("%s: Sweep: %v", step, err)
		}
		got := counts()
		for c, n := range want {
			if got[c] != n {
				t.Errorf("%s: %s holds %d documents, want %d", step, c, got[c], n)
			}
		}
	}

	check("nothing expired", map[string]int64{"sessions": 2, "session_spent": 1, "session_revocations": 1, "ws_tickets": 1, "users": 1})
	e.clk.Advance(61 * time.Second)
	check("ticket expired", map[string]int64{"sessions": 2, "session_spent": 1, "session_revocations": 1, "ws_tickets": 0, "users": 1})
	e.clk.Advance(14 * 24 * time.Hour)
	check("sessions expired", map[string]int64{"sessions": 0, "session_spent": 0, "session_revocations": 0, "ws_tickets": 0, "users": 1})
}
