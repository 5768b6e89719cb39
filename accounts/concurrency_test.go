package accounts_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"plenary/accounts"
	"plenary/errs"
)

// together runs n calls of f at the same moment and returns their errors.
func together(n int, f func(i int) error) []error {
	results := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return results
}

// tally counts the errors by code ("" for success).
func tally(results []error) map[errs.Code]int {
	out := map[errs.Code]int{}
	for _, err := range results {
		out[errs.CodeOf(err)]++
	}
	return out
}

func TestCreateUserConcurrentSameEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	got := tally(together(4, func(i int) error {
		email := []string{"grace@example.org", "GRACE@example.org", "Grace@Example.org", " grace@EXAMPLE.ORG"}[i]
		_, err := e.svc.CreateUser(ctx, accounts.NewUser{Email: email, Name: fmt.Sprint("Grace ", i), Password: "grace password", Role: accounts.RoleUser})
		return err
	}))
	if got[""] != 1 || got[errs.Conflict] != 3 {
		t.Errorf("results = %v, want 1 success and 3 conflicts", got)
	}
	if n := e.count("users"); n != 1 {
		t.Errorf("users holds %d documents, want 1", n)
	}
}

func TestAcceptInvitationConcurrent(t *testing.T) {
	t.Parallel()
	e := newInviteEnv(t)
	ctx := context.Background()
	inv := e.invite(t, "guest@example.org")
	got := tally(together(4, func(i int) error {
		_, _, err := e.svc.AcceptInvitation(ctx, inv.Token, fmt.Sprint("Guest ", i), "guest password")
		return err
	}))
	if got[""] != 1 || got[""]+got[errs.Conflict]+got[errs.NotFound] != 4 {
		t.Errorf("results = %v, want 1 success and the rest conflict or not_found", got)
	}
	if n := e.count("users"); n != 3 {
		t.Errorf("users holds %d documents, want 3", n)
	}
	if st := e.status(t, inv.ID); st != accounts.InvitationAccepted {
		t.Errorf("status = %q, want accepted", st)
	}
}

// TestLoginThrottleConcurrentBurst fires more simultaneous guesses at one account from one address
// than the per-pair limit allows: no more than pairLimit of them may reach the password check.
func TestLoginThrottleConcurrentBurst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	got := tally(together(25, func(i int) error {
		_, err := e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: fmt.Sprint("guess ", i), ClientIP: "198.51.100.9"})
		return err
	}))
	if got[errs.Unauthorized] > 10 || got[errs.Unauthorized]+got[errs.RateLimited] != 25 {
		t.Errorf("results = %v: %d guesses were checked, want at most 10 (pairLimit) and the rest rate_limited",
			got, got[errs.Unauthorized])
	}
}
