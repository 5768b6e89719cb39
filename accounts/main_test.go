package accounts_test

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/errs"
	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// testKey is the JWT key of every test service; otherKey stands for an attacker's key.
var (
	testKey  = bytes.Repeat([]byte("k"), 32)
	otherKey = bytes.Repeat([]byte("x"), 32)
)

// clock is a controllable time source. It starts on a whole second far from the real time, so a
// service that reads the wall clock instead of Config.Now shows up in the tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2031, 3, 4, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// env is one test's store, clock and service.
type env struct {
	t   testing.TB
	st  *store.Store
	clk *clock
	svc *accounts.Service
}

// newEnv opens a fresh database and a service over it; tune changes the configuration.
func newEnv(t testing.TB, tune ...func(*accounts.Config)) *env {
	t.Helper()
	st := storetest.MustOpen(t, accounts.Collections()...)
	clk := newClock()
	cfg := accounts.Config{JWTKey: testKey, HashConcurrency: 2, Now: clk.Now}
	for _, f := range tune {
		f(&cfg)
	}
	svc, err := accounts.New(st, cfg)
	if err != nil {
		t.Fatalf("accounts.New: %v", err)
	}
	return &env{t: t, st: st, clk: clk, svc: svc}
}

func (e *env) mustCreate(email, name, password, role string) accounts.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(context.Background(), accounts.NewUser{Email: email, Name: name, Password: password, Role: role})
	if err != nil {
		e.t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func (e *env) mustLogin(email, password string) accounts.Session {
	e.t.Helper()
	s, err := e.svc.Login(context.Background(), accounts.Credentials{Email: email, Password: password, ClientIP: "203.0.113.1"})
	if err != nil {
		e.t.Fatalf("Login(%s): %v", email, err)
	}
	return s
}

// count returns the number of documents in a collection of the accounts package.
func (e *env) count(collection string) int64 {
	e.t.Helper()
	n, err := e.st.Collection(collection).CountDocuments(context.Background(), bson.D{})
	if err != nil {
		e.t.Fatalf("count %s: %v", collection, err)
	}
	return n
}

// deleteUser removes an account behind the service's back, as an operator would.
func (e *env) deleteUser(userID string) {
	e.t.Helper()
	res, err := e.st.Collection("users").DeleteOne(context.Background(), bson.D{{Key: "_id", Value: userID}})
	if err != nil {
		e.t.Fatalf("delete user %s: %v", userID, err)
	}
	if res.DeletedCount != 1 {
		e.t.Fatalf("delete user %s: deleted %d documents", userID, res.DeletedCount)
	}
}

// wantCode fails the test unless err carries the code want ("" for nil).
func wantCode(t testing.TB, err error, want errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != want {
		t.Fatalf("error code = %q, want %q (error: %v)", got, want, err)
	}
}
