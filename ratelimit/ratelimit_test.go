package ratelimit

import (
	"testing"
	"time"

	"plenary/errs"
)

func TestLimiter(t *testing.T) {
	l := New(2, 10*time.Second, "slow down")
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := range 2 {
		if err := l.Allow("a", t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("action %d refused: %v", i, err)
		}
	}
	err := l.Allow("a", t0.Add(3*time.Second))
	if e := errs.As(err); e == nil || e.Code != errs.RateLimited || e.RetryAfter != 7 || e.Message != "slow down" {
		t.Fatalf("third action: %v", err)
	}
	if err := l.Allow("b", t0.Add(3*time.Second)); err != nil {
		t.Fatalf("another person refused: %v", err)
	}
	if err := l.Allow("a", t0.Add(10*time.Second)); err != nil {
		t.Fatalf("next window refused: %v", err)
	}
	if err := New(-1, time.Second, "").Allow("a", t0); err != nil {
		t.Fatalf("disabled limiter refused: %v", err)
	}
}
