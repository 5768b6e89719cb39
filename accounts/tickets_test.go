package accounts_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/accounts"
	"plenary/errs"
)

func TestTickets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	gone := e.mustCreate("gone@example.org", "Gone", "gone password", accounts.RoleUser)
	issue := func(t *testing.T, who accounts.User) string {
		t.Helper()
		tk, err := e.svc.IssueTicket(ctx, who)
		if err != nil || tk == "" {
			t.Fatalf("IssueTicket = %q, %v", tk, err)
		}
		return tk
	}

	t.Run("single use", func(t *testing.T) {
		tk := issue(t, u)
		got, err := e.svc.RedeemTicket(ctx, tk)
		if err != nil || got != u {
			t.Fatalf("RedeemTicket = %+v, %v; want %+v", got, err, u)
		}
		_, err = e.svc.RedeemTicket(ctx, tk)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("tickets are distinct", func(t *testing.T) {
		a, b := issue(t, u), issue(t, u)
		if a == b {
			t.Fatal("two tickets are equal")
		}
		for _, tk := range []string{b, a} {
			if _, err := e.svc.RedeemTicket(ctx, tk); err != nil {
				t.Errorf("RedeemTicket: %v", err)
			}
		}
	})

	t.Run("concurrent redeem succeeds once", func(t *testing.T) {
		// Two connections presenting one ticket at the same moment: only one may get in. Several
		// rounds, each started together, so that a race in the store shows up.
		for round := range 25 {
			tk := issue(t, u)
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]error, 8)
			for i := range results {
				wg.Go(func() {
					<-start
					_, results[i] = e.svc.RedeemTicket(ctx, tk)
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range results {
				switch errs.CodeOf(err) {
				case "":
					ok++
				case errs.Unauthorized:
				default:
					t.Errorf("RedeemTicket: %v", err)
				}
			}
			if ok != 1 {
				t.Errorf("round %d: %d concurrent redeems of one ticket succeeded, want exactly 1", round, ok)
			}
		}
	})

	t.Run("expiry", func(t *testing.T) {
		start := e.clk.Now()
		defer e.clk.Set(start)
		early := issue(t, u)
		late := issue(t, u)
		e.clk.Advance(59 * time.Second)
		if _, err := e.svc.RedeemTicket(ctx, early); err != nil {
			t.Errorf("RedeemTicket after 59 s: %v", err)
		}
		e.clk.Advance(time.Second)
		_, err := e.svc.RedeemTicket(ctx, late)
		wantCode(t, err, errs.Unauthorized)
		// An expired ticket is spent too: moving the clock back does not revive it.
		e.clk.Set(start)
		_, err = e.svc.RedeemTicket(ctx, late)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("deleted account", func(t *testing.T) {
		tk := issue(t, gone)
		e.deleteUser(gone.ID)
		_, err := e.svc.RedeemTicket(ctx, tk)
		wantCode(t, err, errs.Unauthorized)
	})

	t.Run("garbage", func(t *testing.T) {
		real := issue(t, u)
		s := e.mustLogin("ada@example.org", "analytical engine")
		for _, tk := range []string{"", "x", real + "x", real[:len(real)-1], strings.ToUpper(real), s.AccessToken, s.RefreshToken, strings.Repeat("t", 257), strings.Repeat("t", 1<<20)} {
			_, err := e.svc.RedeemTicket(ctx, tk)
			if errs.CodeOf(err) != errs.Unauthorized {
				t.Errorf("RedeemTicket(%.12q...) code %q, want unauthorized", tk, errs.CodeOf(err))
			}
		}
		// The real ticket survived the attempts.
		if _, err := e.svc.RedeemTicket(ctx, real); err != nil {
			t.Errorf("RedeemTicket(real): %v", err)
		}
	})

	t.Run("TicketTTL is capped at one minute", func(t *testing.T) {
		f := newEnv(t, func(c *accounts.Config) { c.TicketTTL = time.Hour })
		v := f.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
		tk, err := f.svc.IssueTicket(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Minute)
		_, err = f.svc.RedeemTicket(ctx, tk)
		wantCode(t, err, errs.Unauthorized)
	})
}
