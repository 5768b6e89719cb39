// Package id makes the platform's identifiers: random, URL-safe and opaque, so that they reveal
// neither counts nor creation order and cannot be guessed.
package id

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns a new 26-character identifier carrying 128 random bits.
func New() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return strings.ToLower(encoding.EncodeToString(b))
}
