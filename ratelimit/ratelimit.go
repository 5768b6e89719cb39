// Package ratelimit bounds how often one person may do something: n actions per fixed window
// per person, with a rate_limited error telling how long to wait.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"plenary/errs"
)

// Limiter allows each person n actions per window. n < 0 disables it.
type Limiter struct {
	n       int
	window  time.Duration
	message string
	mu      sync.Mutex
	counts  map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

// New returns a limiter of n actions per window; message is the refusal's text.
func New(n int, window time.Duration, message string) *Limiter {
	return &Limiter{n: n, window: window, message: message, counts: map[string]*windowCount{}}
}

// Allow counts one action by userID at now, or refuses it with a rate_limited error.
func (l *Limiter) Allow(userID string, now time.Time) error {
	if l.n < 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Bounded memory: past windows are dropped once many people have acted.
	if len(l.counts) > 100_000 {
		for k, c := range l.counts {
			if now.Sub(c.start) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	c := l.counts[userID]
	if c == nil || now.Sub(c.start) >= l.window {
		c = &windowCount{start: now}
		l.counts[userID] = c
	}
	if c.n >= l.n {
		wait := l.window - now.Sub(c.start)
		return errs.RateLimitedFor(int(math.Ceil(wait.Seconds())), l.message)
	}
	c.n++
	return nil
}
