package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodesThroughWrapping(t *testing.T) {
	base := Errorf(NotFound, "group %s not found", "x")
	wrapped := fmt.Errorf("load: %w", base)
	if CodeOf(wrapped) != NotFound || MessageOf(wrapped) != "group x not found" {
		t.Fatalf("wrapped: %v %q", CodeOf(wrapped), MessageOf(wrapped))
	}
	plain := errors.New("connection refused to 10.0.0.1")
	if CodeOf(plain) != Internal || MessageOf(plain) != "internal error" {
		t.Fatalf("plain errors must not leak: %v %q", CodeOf(plain), MessageOf(plain))
	}
	if CodeOf(nil) != "" {
		t.Fatal("nil has no code")
	}
	if e := As(RateLimitedFor(0, "slow down")); e == nil || e.RetryAfter != 1 || e.Code != RateLimited {
		t.Fatalf("RateLimitedFor: %+v", e)
	}
}
