package rooms_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/errs"
	"plenary/rooms"
	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// fixture is one test's store and services with a cast of accounts.
type fixture struct {
	t   testing.TB
	st  *store.Store
	acc *accounts.Service
	svc *rooms.Service
	// sec administers the platform; chair, member and observer get those roles in the groups
	// made by newGroup; target is a further member for others to act on; other belongs to no
	// group; newcomer is the person added in tests.
	sec, chair, member, observer, target, other, newcomer accounts.User
	area                                                  rooms.FocusArea
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), rooms.Collections(), rooms.DiscussionCollections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32), HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, acc: acc, svc: rooms.New(st, acc)}
	f.sec = f.user("sec@example.org", "Secretariat", accounts.RoleSecretariat)
	f.chair = f.user("chair@example.org", "Chair", accounts.RoleUser)
	f.member = f.user("member@example.org", "Member", accounts.RoleUser)
	f.observer = f.user("observer@example.org", "Observer", accounts.RoleUser)
	f.target = f.user("target@example.org", "Target", accounts.RoleUser)
	f.other = f.user("other@example.org", "Other", accounts.RoleUser)
	f.newcomer = f.user("newcomer@example.org", "Newcomer", accounts.RoleUser)
	f.area = f.focusArea("Legal measures")
	return f
}

func (f *fixture) user(email, name, role string) accounts.User {
	f.t.Helper()
	u, err := f.acc.CreateUser(context.Background(), accounts.NewUser{Email: email, Name: name, Password: "password " + name, Role: role})
	if err != nil {
		f.t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func (f *fixture) focusArea(name string) rooms.FocusArea {
	f.t.Helper()
	a, err := f.svc.CreateFocusArea(context.Background(), f.sec, rooms.FocusAreaInput{Name: &name})
	if err != nil {
		f.t.Fatalf("CreateFocusArea(%s): %v", name, err)
	}
	return a
}

// emptyGroup creates a group without members.
func (f *fixture) emptyGroup(name, visibility string) rooms.Group {
	f.t.Helper()
	desc := "About " + name
	g, err := f.svc.CreateGroup(context.Background(), f.sec, rooms.GroupInput{Name: &name, FocusArea: &f.area.ID, Description: &desc, Visibility: &visibility})
	if err != nil {
		f.t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return g
}

// newGroup creates a group with chair, member, observer and target as members.
func (f *fixture) newGroup(name, visibility string) rooms.Group {
	f.t.Helper()
	g := f.emptyGroup(name, visibility)
	for _, m := range []struct {
		u    accounts.User
		role string
	}{{f.chair, rooms.RoleChair}, {f.member, rooms.RoleMember}, {f.observer, rooms.RoleObserver}, {f.target, rooms.RoleMember}} {
		var err error
		if g, err = f.svc.AddMember(context.Background(), f.sec, g.ID, rooms.MemberInput{UserID: m.u.ID, Role: m.role}); err != nil {
			f.t.Fatalf("AddMember(%s): %v", m.u.Name, err)
		}
	}
	return g
}

// asSecretariat reads a group as the secretariat sees it.
func (f *fixture) asSecretariat(groupID string) rooms.Group {
	f.t.Helper()
	g, err := f.svc.Group(context.Background(), f.sec, groupID)
	if err != nil {
		f.t.Fatalf("Group(%s) as secretariat: %v", groupID, err)
	}
	return g
}

// snapshot returns every stored focus area and group, to show that a refused operation changed
// nothing.
func (f *fixture) snapshot() []byte {
	f.t.Helper()
	var out []byte
	for _, c := range []string{"focus_areas", "groups"} {
		cur, err := f.st.Collection(c).Find(context.Background(), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			f.t.Fatalf("snapshot %s: %v", c, err)
		}
		for cur.Next(context.Background()) {
			out = append(out, cur.Current...)
		}
		if err := cur.Err(); err != nil {
			f.t.Fatalf("snapshot %s: %v", c, err)
		}
		_ = cur.Close(context.Background())
	}
	return out
}

func roleOf(g rooms.Group, userID string) string {
	for _, m := range g.Members {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

func ptr(s string) *string { return &s }

func wantCode(t testing.TB, err error, want errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != want {
		t.Fatalf("error code = %q, want %q (error: %v)", got, want, err)
	}
}

// together runs n calls of f at the same moment and returns their errors.
func together(n int, f func(i int) error) []error {
	results := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return results
}
