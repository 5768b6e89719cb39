package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"syscall"
	"time"

	"plenary/accounts"
	"plenary/rooms"
	"plenary/server"
	"plenary/store"
)

// childServe is the in-process variant of the server (-server inproc): this program re-run as a
// separate process that wires the same packages as main.go (embedded store, accounts, rooms,
// discussion, server.New) without the web app, and additionally serves runtime.MemStats and
// pprof on BENCH_DEBUG_ADDR (loopback). The load still comes from the parent process.
func childServe() {
	if os.Getenv("BENCH_MEMPROFILE_EXACT") == "1" {
		runtime.MemProfileRate = 1
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := childRun(log); err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		os.Exit(1)
	}
}

func childRun(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	addr, debugAddr := os.Getenv("PLENARY_ADDR"), os.Getenv("BENCH_DEBUG_ADDR")
	if h, _, err := net.SplitHostPort(addr); err != nil || h != "127.0.0.1" {
		return fmt.Errorf("PLENARY_ADDR must be 127.0.0.1:port, got %q", addr)
	}
	if h, _, err := net.SplitHostPort(debugAddr); err != nil || h != "127.0.0.1" {
		return fmt.Errorf("BENCH_DEBUG_ADDR must be 127.0.0.1:port, got %q", debugAddr)
	}
	st, err := store.Open(ctx, store.Config{
		DataDir:     os.Getenv("PLENARY_DATA_DIR"),
		Logger:      log,
		Collections: slices.Concat(accounts.Collections(), rooms.Collections(), rooms.DiscussionCollections()),
	})
	if err != nil {
		return err
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = st.Close(c)
	}()
	key := make([]byte, 64)
	_, _ = rand.Read(key)
	acc, err := accounts.New(st, accounts.Config{JWTKey: key})
	if err != nil {
		return err
	}
	rs := rooms.New(st, acc)
	discussion := rooms.NewDiscussion(st, rs, rooms.DiscussionConfig{PostRate: -1, Logger: log})
	defer discussion.Close()
	if _, err := acc.CreateUser(ctx, accounts.NewUser{Email: os.Getenv("PLENARY_ADMIN_EMAIL"), Name: "Secretariat",
		Password: os.Getenv("PLENARY_ADMIN_PASSWORD"), Role: accounts.RoleSecretariat}); err != nil {
		return err
	}
	srv := server.New(server.Config{Logger: log, Store: st, Accounts: acc, Rooms: rs, Discussion: discussion})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() { _ = srv.Serve(ln) }()

	mux := http.NewServeMux()
	mux.HandleFunc("/memstats", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		_ = json.NewEncoder(w).Encode(memStats{HeapAlloc: m.HeapAlloc, HeapInuse: m.HeapInuse, StackInuse: m.StackInuse,
			Sys: m.Sys, Goroutines: runtime.NumGoroutine(), NumGC: m.NumGC, HeapObjects: m.HeapObjects})
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dln, err := net.Listen("tcp", debugAddr)
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(dln, mux) }()

	<-ctx.Done()
	return srv.Shutdown(15 * time.Second)
}
