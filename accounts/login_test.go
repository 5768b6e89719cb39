package accounts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"plenary/accounts"
	"plenary/errs"
)

func TestLoginSuccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)

	for _, email := range []string{"ada@example.org", "  ADA@Example.org "} {
		t.Run(email, func(t *testing.T) {
			s, err := e.svc.Login(ctx, accounts.Credentials{Email: email, Password: "analytical engine", ClientIP: "203.0.113.5"})
			wantCode(t, err, "")
			if s.User != u {
				t.Errorf("session user = %+v, want %+v", s.User, u)
			}
			if s.AccessToken == "" || s.RefreshToken == "" {
				t.Fatalf("session without tokens: %+v", s)
			}
			if s.ExpiresIn != 600 {
				t.Errorf("ExpiresIn = %d, want 600 (the 10-minute default)", s.ExpiresIn)
			}
			if want := e.clk.Now().Add(14 * 24 * time.Hour); !s.RefreshExpires.Equal(want) {
				t.Errorf("RefreshExpires = %v, want %v", s.RefreshExpires, want)
			}
			got, err := e.svc.Authenticate(ctx, s.AccessToken)
			if err != nil || got != u {
				t.Errorf("Authenticate(access token) = %+v, %v; want %+v", got, err, u)
			}
		})
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)

	tests := []struct {
		name string
		in   accounts.Credentials
	}{
		{"wrong password", accounts.Credentials{Email: "ada@example.org", Password: "difference engine"}},
		{"password of wrong case", accounts.Credentials{Email: "ada@example.org", Password: "Analytical Engine"}},
		{"unknown account", accounts.Credentials{Email: "babbage@example.org", Password: "analytical engine"}},
		{"malformed address", accounts.Credentials{Email: "ada-at-example", Password: "analytical engine"}},
		{"empty password", accounts.Credentials{Email: "ada@example.org", Password: ""}},
	}
	var first *errs.Error
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.ClientIP = fmt.Sprintf("203.0.113.%d", 10+i)
			s, err := e.svc.Login(ctx, tt.in)
			wantCode(t, err, errs.Unauthorized)
			if s.AccessToken != "" || s.RefreshToken != "" {
				t.Errorf("failed login handed out tokens: %+v", s)
			}
			got := errs.As(err)
			if first == nil {
				first = got
				return
			}
			if *got != *first {
				t.Errorf("error = %+v, want the same as for %q: %+v", *got, tests[0].name, *first)
			}
		})
	}
}

func TestLoginRejectsOversizedInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, in := range []accounts.Credentials{
		{Email: strings.Repeat("a", 1025) + "@example.org", Password: "whatever1"},
		{Email: "a@example.org", Password: strings.Repeat("p", 4*1024+1)},
	} {
		_, err := e.svc.Login(ctx, in)
		wantCode(t, err, errs.Invalid)
	}
}

// rateLimited checks that err is rate_limited with a wait of 1 to max seconds.
func rateLimited(t *testing.T, err error, max int) {
	t.Helper()
	wantCode(t, err, errs.RateLimited)
	if ra := errs.As(err).RetryAfter; ra <= 0 || ra > max {
		t.Fatalf("RetryAfter = %d, want 1 to %d", ra, max)
	}
}

func TestLoginThrottlePerAccountAndAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	const attacker = "198.51.100.1"
	wrong := accounts.Credentials{Email: "ada@example.org", Password: "guess guess", ClientIP: attacker}
	right := accounts.Credentials{Email: "ada@example.org", Password: "analytical engine", ClientIP: attacker}

	for i := range 10 { // pairLimit
		_, err := e.svc.Login(ctx, wrong)
		if errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("failure %d: code %q, want unauthorized (err %v)", i+1, errs.CodeOf(err), err)
		}
	}
	_, err := e.svc.Login(ctx, wrong)
	rateLimited(t, err, 15*60+1)
	// Once throttled, even the right password is refused from that address.
	_, err = e.svc.Login(ctx, right)
	rateLimited(t, err, 15*60+1)
	// The address differs in case only: still the same account.
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "ADA@example.org", Password: "analytical engine", ClientIP: attacker})
	rateLimited(t, err, 15*60+1)

	// The wait shrinks as the clock moves.
	e.clk.Advance(10 * time.Minute)
	_, err = e.svc.Login(ctx, right)
	rateLimited(t, err, 5*60+1)

	// Another address is not affected (10 failures are below the account limit).
	other := right
	other.ClientIP = "198.51.100.2"
	_, err = e.svc.Login(ctx, other)
	wantCode(t, err, "")

	// After the window the address may try again.
	e.clk.Advance(5 * time.Minute)
	_, err = e.svc.Login(ctx, right)
	wantCode(t, err, "")
}

func TestLoginThrottlePerAccountSparesTrustedDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	owner := e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	mallory := e.mustCreate("mallory@example.org", "Mallory", "mallory password", accounts.RoleUser)
	attackerSvc, err := accounts.New(e.st, accounts.Config{JWTKey: otherKey, HashConcurrency: 1, Now: e.clk.Now})
	if err != nil {
		t.Fatal(err)
	}

	// The attacker fails 30 times (accountLimit), once from each of 30 addresses, so neither the
	// per-address nor the per-pair limit trips.
	for i := range 30 {
		_, err := e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: fmt.Sprintf("guess %d", i), ClientIP: fmt.Sprintf("192.0.2.%d", i+1)})
		if errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("failure %d: code %q, want unauthorized (err %v)", i+1, errs.CodeOf(err), err)
		}
	}
	// A new attacker address is throttled by the account limit.
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: "guess 31", ClientIP: "192.0.2.200"})
	rateLimited(t, err, 15*60+1)

	const ownerIP = "203.0.113.77"
	genuine := e.svc.DeviceToken(owner.ID)
	idPart, _, _ := strings.Cut(genuine, ".")
	tests := []struct {
		name, device, password string
		want                   errs.Code
	}{
		{"no device token", "", "analytical engine", errs.RateLimited},
		{"device token of another account", e.svc.DeviceToken(mallory.ID), "analytical engine", errs.RateLimited},
		{"device token made with another key", attackerSvc.DeviceToken(owner.ID), "analytical engine", errs.RateLimited},
		{"device token with forged mac", idPart + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "analytical engine", errs.RateLimited},
		{"device token without mac", idPart, "analytical engine", errs.RateLimited},
		{"device token garbage", "!!!.???", "analytical engine", errs.RateLimited},
		{"device token too long", genuine + strings.Repeat("A", 300), "analytical engine", errs.RateLimited},
		{"genuine device token, wrong password", genuine, "wrong password", errs.Unauthorized},
		{"genuine device token, right password", genuine, "analytical engine", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: tt.password, ClientIP: ownerIP, DeviceToken: tt.device})
			wantCode(t, err, tt.want)
			if tt.want == "" && s.User != owner {
				t.Errorf("session user = %+v, want %+v", s.User, owner)
			}
		})
	}

	// The window passes: the account limit is lifted for everyone.
	e.clk.Advance(15 * time.Minute)
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: "analytical engine", ClientIP: ownerIP})
	wantCode(t, err, "")
}

func TestLoginThrottlePerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	const sprayer = "198.51.100.50"

	// 50 (ipLimit) failures on 50 different unknown accounts: no pair or account limit trips.
	for i := range 50 {
		_, err := e.svc.Login(ctx, accounts.Credentials{Email: fmt.Sprintf("victim%d@example.org", i), Password: "password1", ClientIP: sprayer})
		if errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("failure %d: code %q, want unauthorized (err %v)", i+1, errs.CodeOf(err), err)
		}
	}
	_, err := e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: "analytical engine", ClientIP: sprayer})
	rateLimited(t, err, 15*60+1)
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: "analytical engine", ClientIP: "198.51.100.51"})
	wantCode(t, err, "")
}
