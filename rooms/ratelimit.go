package rooms

import (
	"math"
	"sync"
	"time"

	"plenary/errs"
)

// rateLimiter allows each person n actions per window (a fixed window per person), bounding
// how fast one person can fill a room. n < 0 disables it.
type rateLimiter struct {
	n      int
	window time.Duration
	mu     sync.Mutex
	counts map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

func newRateLimiter(n int, window time.Duration) *rateLimiter {
	return &rateLimiter{n: n, window: window, counts: map[string]*windowCount{}}
}

func (l *rateLimiter) allow(userID string, now time.Time) error {
	if l.n < 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
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
		return errs.RateLimitedFor(int(math.Ceil(wait.Seconds())), "you are posting too fast; wait a moment")
	}
	c.n++
	return nil
}
