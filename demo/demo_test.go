package demo

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"

	"plenary/accounts"
	"plenary/rooms"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	rs := rooms.New(st, acc)
	people, err := Load(ctx, acc, rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 4 {
		t.Fatalf("%d demo accounts", len(people))
	}
	sess, err := acc.Login(ctx, accounts.Credentials{Email: "chair@example.org", Password: Password, ClientIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := acc.UserByEmail(ctx, "secretariat@example.org")
	if err != nil || !sec.IsSecretariat() {
		t.Fatalf("secretariat: %+v %v", sec, err)
	}
	areas, err := rs.FocusAreas(ctx, sec)
	if err != nil || len(areas) != 3 {
		t.Fatalf("focus areas: %v %v", areas, err)
	}
	chairGroups, err := rs.Groups(ctx, sess.User)
	if err != nil {
		t.Fatal(err)
	}
	private := 0
	for _, g := range chairGroups {
		if g.MyRole != rooms.RoleChair {
			t.Errorf("the demo chair is %q in %s", g.MyRole, g.Name)
		}
		if g.Visibility == rooms.Private {
			private++
		}
	}
	if len(chairGroups) != 3 || private != 1 {
		t.Fatalf("chair sees %d groups, %d private", len(chairGroups), private)
	}
	observer, _ := acc.UserByEmail(ctx, "observer@example.org")
	visible, _ := rs.Groups(ctx, observer)
	for _, g := range visible {
		if g.Visibility == rooms.Private {
			t.Errorf("the observer sees the private group %s", g.Name)
		}
	}
}
