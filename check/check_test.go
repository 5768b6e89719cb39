package check

import (
	"strings"
	"testing"

	"plenary/errs"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		in        string
		min, max  int
		multiline bool
		want      string
		ok        bool
	}{
		{"  Legal measures  ", 1, 10, false, "", false},
		{"  Legal  ", 1, 10, false, "Legal", true},
		{"", 1, 10, false, "", false},
		{"", 0, 10, false, "", true},
		{"مرحبا", 1, 5, false, "مرحبا", true},
		{"مرحبا!", 1, 5, false, "", false},
		{"a\nb", 1, 10, false, "", false},
		{"a\nb", 1, 10, true, "a\nb", true},
		{"a\x00b", 1, 10, true, "", false},
		{"a\u2028b", 1, 10, true, "", false},
		{"\xff", 1, 10, false, "", false},
	} {
		got, err := Text("name", tc.in, tc.min, tc.max, tc.multiline)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Text(%q, %d, %d, %v) = %q, %v", tc.in, tc.min, tc.max, tc.multiline, got, err)
		}
		if err != nil && (errs.CodeOf(err) != errs.Invalid || !strings.HasPrefix(errs.MessageOf(err), "name: ")) {
			t.Errorf("Text(%q): error %v does not name the field with code invalid", tc.in, err)
		}
	}
}

func TestEmail(t *testing.T) {
	good := map[string]string{"A.Person@Example.ORG ": "a.person@example.org", "x+tag@sub.example.org": "x+tag@sub.example.org"}
	for in, want := range good {
		if got, err := Email("email", in); err != nil || got != want {
			t.Errorf("Email(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "plain", "a@b", "Name <a@example.org>", "a@example.org, b@example.org", "a b@example.org",
		"$ne@example.org", "a@@example.org", strings.Repeat("a", 250) + "@example.org"} {
		if _, err := Email("email", in); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("Email(%q) accepted", in)
		}
	}
}

func TestOneOfAndID(t *testing.T) {
	if OneOf("role", "chair", "chair", "member") != nil || OneOf("role", "owner", "chair", "member") == nil {
		t.Error("OneOf")
	}
	for in, ok := range map[string]bool{"abc-DEF_123": true, "": false, "a/b": false, "$ne": false, strings.Repeat("a", 65): false, "é": false} {
		if (ID("id", in) == nil) != ok {
			t.Errorf("ID(%q): ok=%v", in, !ok)
		}
	}
}
