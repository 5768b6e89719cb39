package id

import (
	"regexp"
	"testing"
)

func TestNewIsURLSafeAndUnique(t *testing.T) {
	shape := regexp.MustCompile(`^[a-z2-7]{26}$`)
	seen := map[string]bool{}
	for range 10000 {
		v := New()
		if !shape.MatchString(v) {
			t.Fatalf("%q has the wrong shape", v)
		}
		if seen[v] {
			t.Fatalf("%q twice", v)
		}
		seen[v] = true
	}
}
