package accounts

import (
	"sync"
	"time"
)

// Sign-in throttling follows OWASP's advice against both guessing and lock-out:
//
//   - per client address: at most ipLimit failures per window, whatever the accounts;
//   - per account and client address: at most pairLimit failures per window;
//   - per account: at most accountLimit failures per window from clients that have never signed
//     in to that account. A browser that has (it holds a device cookie for the account) is
//     exempt from this limit, so an attacker failing from elsewhere cannot lock the owner out.
//
// Counters are kept in memory per process: they bound the guessing rate of one process, and a
// restart forgets them, which is acceptable for a throttle (it is not an audit log).
const (
	throttleWindow = 15 * time.Minute
	ipLimit        = 50
	pairLimit      = 10
	accountLimit   = 30
	maxCounters    = 100_000
)

type counter struct {
	failures int
	start    time.Time
}

type throttle struct {
	mu       sync.Mutex
	counters map[string]*counter
}

func newThrottle() *throttle { return &throttle{counters: make(map[string]*counter)} }

// keys returns the counters that apply to a sign-in attempt with their limits.
func throttleKeys(email, clientIP string, trustedDevice bool) ([]string, []int) {
	keys := []string{"ip:" + clientIP, "pair:" + email + "|" + clientIP}
	limits := []int{ipLimit, pairLimit}
	if !trustedDevice {
		keys = append(keys, "account:"+email)
		limits = append(limits, accountLimit)
	}
	return keys, limits
}

// reserve checks the limits and, when the attempt may go ahead, counts it as a failure at once,
// under one lock, so that simultaneous attempts cannot all pass the check before any of them is
// counted. It returns how long the caller must wait, or zero. A successful attempt calls release.
func (t *throttle) reserve(now time.Time, keys []string, limits []int) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if wait := t.waitLocked(now, keys, limits); wait > 0 {
		return wait
	}
	t.failLocked(now, keys)
	return 0
}

// release takes back the failure that reserve counted.
func (t *throttle) release(keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if c := t.counters[k]; c != nil && c.failures > 0 {
			c.failures--
		}
	}
}

func (t *throttle) waitLocked(now time.Time, keys []string, limits []int) time.Duration {
	var wait time.Duration
	for i, k := range keys {
		c := t.counters[k]
		if c == nil || now.Sub(c.start) >= throttleWindow {
			continue
		}
		if c.failures >= limits[i] {
			wait = max(wait, throttleWindow-now.Sub(c.start))
		}
	}
	return wait
}

func (t *throttle) failLocked(now time.Time, keys []string) {
	if len(t.counters) >= maxCounters {
		t.prune(now)
	}
	for _, k := range keys {
		c := t.counters[k]
		if c == nil || now.Sub(c.start) >= throttleWindow {
			c = &counter{start: now}
			t.counters[k] = c
		}
		c.failures++
	}
}

// succeed clears the counter of the account and client pair after a good password.
func (t *throttle) succeed(email, clientIP string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.counters, "pair:"+email+"|"+clientIP)
}

// prune drops expired counters; if the map is still full (an attack from very many addresses),
// it drops everything rather than grow without bound.
func (t *throttle) prune(now time.Time) {
	for k, c := range t.counters {
		if now.Sub(c.start) >= throttleWindow {
			delete(t.counters, k)
		}
	}
	if len(t.counters) >= maxCounters {
		t.counters = make(map[string]*counter)
	}
}
