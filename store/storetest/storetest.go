// Package storetest gives tests a real embedded store: one FerretDB per test binary, a fresh
// database per test.
package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"plenary/store"
)

// shared is the FerretDB started by Main; nil when the test binary does not use Main.
var shared *store.Embedded

// seq makes database names unique within the test binary (tb.Name() alone is not: names are
// truncated, and a test may open several stores).
var seq atomic.Int64

// Main starts one embedded FerretDB for the whole test binary in a temporary directory, runs the
// tests, and stops it. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
//
// Starting FerretDB once instead of per test keeps store tests fast; each test still gets its own
// database, which FerretDB keeps in its own SQLite file.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "plenary-store-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	e, err := store.StartEmbedded(ctx, dir, nil)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	shared = e
	code := m.Run()
	shared = nil
	if err := e.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// MustOpen opens a Store on a fresh database of the shared embedded FerretDB, creating the given
// collections (and the _id index patch), and closes it and drops the database when the test ends.
// Without Main it starts a private FerretDB in tb.TempDir(), which works but costs start-up time
// per test.
func MustOpen(tb testing.TB, collections ...store.Collection) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	e := shared
	if e == nil {
		var err error
		if e, err = store.StartEmbedded(ctx, tb.TempDir(), nil); err != nil {
			tb.Fatalf("storetest: %v", err)
		}
		tb.Cleanup(func() {
			if err := e.Close(); err != nil {
				tb.Errorf("storetest: %v", err)
			}
		})
	}

	s, err := store.Open(ctx, store.Config{
		Embedded:    e,
		Database:    DatabaseName(tb.Name(), seq.Add(1)),
		Collections: collections,
		Logger:      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Dropping closes FerretDB's SQLite pool for the database and deletes its file, so a
		// long test run does not accumulate open files.
		if err := s.DB().Drop(ctx); err != nil {
			tb.Errorf("storetest: drop database: %v", err)
		}
		if err := s.Close(ctx); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return s
}

// maxDatabaseName is FerretDB's limit (databaseNameRe in internal/backends/validation.go).
const maxDatabaseName = 63

// DatabaseName turns a test name and a sequence number into a database name FerretDB accepts:
// only [a-zA-Z0-9_-], at most 63 bytes, unique by n.
func DatabaseName(testName string, n int64) string {
	suffix := fmt.Sprintf("_%d", n)
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		default:
			return '_'
		}
	}, testName)
	if max := maxDatabaseName - len(suffix); len(name) > max {
		name = name[:max]
	}
	return name + suffix
}
