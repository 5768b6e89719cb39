package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"plenary/errs"
)

// Argon2id parameters from the OWASP Password Storage Cheat Sheet: 19 MiB of memory, two passes,
// one lane. Each hash holds 19 MiB while it runs, which is why hashing is bounded by a semaphore.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Password length bounds, counted in characters. The upper bound keeps hashing cost predictable.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// hasher computes argon2id hashes with at most cap(slots) running at once, so that a burst of
// sign-ins queues instead of exhausting memory.
type hasher struct {
	slots chan struct{}
	// dummy is a valid hash of a random password, verified against when an account does not exist
	// so that unknown accounts and wrong passwords take the same time.
	dummy string
}

func newHasher(concurrency int) *hasher {
	if concurrency <= 0 {
		concurrency = 2
	}
	h := &hasher{slots: make(chan struct{}, concurrency)}
	h.dummy = h.encode(argon2Key([]byte(randomToken(16)), randomBytes(argonSaltLen)), randomBytes(argonSaltLen))
	return h
}

func argon2Key(password, salt []byte) []byte {
	return argon2.IDKey(password, salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
}

// maxHashWait bounds how long a sign-in waits for a hashing slot before it is turned away, so a
// flood of sign-ins cannot pile up requests without bound.
const maxHashWait = 10 * time.Second

func (h *hasher) acquire(ctx context.Context) error {
	wait := time.NewTimer(maxHashWait)
	defer wait.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
	case <-wait.C:
	}
	return errs.RateLimitedFor(2, "the server is busy signing people in; try again in a moment")
}

func (h *hasher) release() { <-h.slots }

// Hash returns the PHC-formatted argon2id hash of password.
func (h *hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := randomBytes(argonSaltLen)
	return h.encode(argon2Key([]byte(password), salt), salt), nil
}

func (h *hasher) encode(key, salt []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify reports whether password matches encoded. An empty encoded hash is checked against the
// dummy hash and always fails, taking the same time as a real check.
func (h *hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	if encoded == "" {
		encoded = h.dummy
		password = "\x00" // cannot match: the dummy was made from a random printable token
	}
	var version, memory, time, threads int
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("unknown password hash format")
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil {
		return false, fmt.Errorf("parse hash version: %w", err)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, fmt.Errorf("parse hash parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("decode salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("decode hash: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, uint32(time), uint32(memory), uint8(threads), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func validatePassword(password string) error {
	if !utf8.ValidString(password) {
		return errs.Errorf(errs.Invalid, "password: must be valid UTF-8 text")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen || n > MaxPasswordLen {
		return errs.Errorf(errs.Invalid, "password: must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux; nothing safe to fall back to
	}
	return b
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(n))
}
