// Command ws measures the live discussion rooms (/api/ws, docs/protocol.md) from outside: the
// load generator is this process, the server is another one (the real binary, or with
// -server inproc the same packages wired in a child process that also reports runtime.MemStats
// and CPU profiles), talking over loopback only.
//
//	go build -o bin/plenary . && go run ./bench/ws [-scenarios s1,s2a,s2b] [-server binary|inproc]
//	go run ./bench/ws -tiny          # a few seconds: tiny sizes, for CI smoke runs
//
// S1: idle connections, each subscribed to one room: server RSS (and Go heap with -server inproc)
// per connection, and the CPU the heartbeat costs.
// S2: fan-out of persisted messages: (a) many rooms of 50 members, (b) one room of 2,000. The
// publish rate rises in steps until p99 delivery latency passes the limit; every receiver must
// get every seq exactly once.
//
// The load generator runs on the same cores as the server and takes part of their CPU; the
// figures are therefore a floor for a dedicated server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"plenary/bench/internal/figures"
)

type options struct {
	bin, mode  string
	scenarios  map[string]bool
	users      int
	timeout    time.Duration
	s1Conns    int
	s1Rooms    int
	s1Members  int
	s1Idle     time.Duration
	s2aRooms   int
	s2aMembers int
	s2bConns   int
	s2aStart   float64
	s2bStart   float64
	s2aPubs    int
	s2bPubs    int
	factor     float64
	maxSteps   int
	step       time.Duration
	drain      time.Duration
	p99Limit   time.Duration
	bodySize   int
	profileDir string
	genProfile string
	extraSteps int
	workers    int
	private    bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child-serve" {
		childServe()
		return
	}
	var o options
	scen := flag.String("scenarios", "s1,s2a,s2b", "scenarios to run: s1, s2a, s2b (comma separated)")
	flag.StringVar(&o.bin, "bin", "bin/plenary", "the plenary binary (with -server binary)")
	flag.StringVar(&o.mode, "server", "binary", "binary: the real binary; inproc: the same packages in a child process with MemStats and pprof")
	flag.IntVar(&o.users, "users", 200, "accounts to create (each accept hashes a password, ≈25 ms)")
	flag.DurationVar(&o.timeout, "timeout", 8*time.Minute, "bound on the whole run")
	flag.IntVar(&o.s1Conns, "s1-conns", 10000, "S1: idle connections (at most 10,000: the file limit is per process)")
	flag.IntVar(&o.s1Rooms, "s1-rooms", 100, "S1: rooms; connection i subscribes to room i mod rooms")
	flag.IntVar(&o.s1Members, "s1-members", 50, "S1: members per room (each holds conns/(rooms×members) connections to it)")
	flag.DurationVar(&o.s1Idle, "s1-idle", 5*time.Second, "S1: idle time before measuring")
	flag.IntVar(&o.s2aRooms, "s2a-rooms", 100, "S2a: rooms")
	flag.IntVar(&o.s2aMembers, "s2a-members", 50, "S2a: members (one connection each) per room")
	flag.IntVar(&o.s2bConns, "s2b-conns", 2000, "S2b: connections subscribed to the one room (accounts hold several each)")
	flag.Float64Var(&o.s2aStart, "s2a-start", 25, "S2a: first step's posts/s (all rooms together)")
	flag.Float64Var(&o.s2bStart, "s2b-start", 1, "S2b: first step's posts/s")
	flag.IntVar(&o.s2aPubs, "s2a-pubs", 1, "S2a: publishing connections per room")
	flag.IntVar(&o.s2bPubs, "s2b-pubs", 40, "S2b: publishing connections (each has one post in flight: the server handles a connection's requests one at a time)")
	flag.Float64Var(&o.factor, "factor", 2, "S2: rate multiplier between steps")
	flag.IntVar(&o.maxSteps, "max-steps", 8, "S2: at most this many steps per scenario")
	flag.DurationVar(&o.step, "step", 5*time.Second, "S2: publishing time of each step")
	flag.DurationVar(&o.drain, "drain", 10*time.Second, "S2: bound on waiting for the last deliveries of a step")
	flag.DurationVar(&o.p99Limit, "p99", 50*time.Millisecond, "S2: stop raising the rate once p99 delivery latency passes this")
	flag.IntVar(&o.extraSteps, "extra-steps", 2, "S2: steps to run after p99 passed the limit (to show the curve; a step with losses or closes still stops)")
	flag.IntVar(&o.bodySize, "body", 200, "S2: message body size in bytes")
	flag.StringVar(&o.profileDir, "cpuprofile", "", "with -server inproc: write server profiles into this directory (S1: heap; S2: CPU of every step)")
	flag.StringVar(&o.genProfile, "gen-cpuprofile", "", "write the load generator's own CPU profile to this file")
	flag.IntVar(&o.workers, "connect-workers", 16, "concurrent connection set-ups")
	flag.BoolVar(&o.private, "private", false, "private groups with every member added (slow set-up: each member added rescans all groups, "+
		"≈ 7 min for 100 × 50); default: public groups that only the publishers join, the others read as signed-in users")
	tiny := flag.Bool("tiny", false, "tiny sizes for a quick smoke run (CI)")
	flag.Parse()
	if *tiny {
		o.users, o.s1Conns, o.s1Rooms, o.s1Members, o.s1Idle = 8, 200, 4, 4, 2*time.Second
		o.s2aRooms, o.s2aMembers, o.s2bConns, o.s2aStart, o.s2bStart = 4, 5, 40, 20, 10
		o.maxSteps, o.step, o.drain, o.s2bPubs, o.extraSteps = 2, time.Second, 5*time.Second, 4, 0
	}
	o.scenarios = map[string]bool{}
	for _, s := range strings.Split(*scen, ",") {
		s = strings.TrimSpace(s)
		if s != "s1" && s != "s2a" && s != "s2b" {
			fail("-scenarios: unknown scenario %q (s1, s2a, s2b)", s)
		}
		o.scenarios[s] = true
	}
	if o.s1Conns > 10000 || o.s2aRooms*o.s2aMembers > 10000 || o.s2bConns > 10000 {
		fail("at most 10,000 connections per scenario: one process may open 20,000 files")
	}
	if o.s1Members > o.users || o.s2aMembers > o.users || o.s2aPubs > o.s2aMembers || o.s2bPubs > min(o.users, o.s2bConns) {
		fail("members per room and publishers must not exceed -users")
	}
	if err := run(o); err != nil {
		fail("%v", err)
	}
}

func run(o options) error {
	if o.genProfile != "" {
		f, err := os.Create(o.genProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	fmt.Printf("machine: %d CPUs, %s/%s, %s; server: %s; figures from `go run ./bench/ws`\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.mode)
	t0 := time.Now()
	srv, err := startServer(o.mode, o.bin)
	if err != nil {
		return err
	}
	defer srv.Stop()
	if srv.debugAddr != "" {
		fmt.Printf("server pid %d; MemStats and pprof at http://%s/debug/pprof/\n", srv.Pid(), srv.debugAddr)
	}
	a := newAPI(srv.Addr)
	w, err := setupWorld(ctx, a, o.users)
	if err != nil {
		return fmt.Errorf("setup: %w (server log: %s)", err, srv.LogTail())
	}
	fmt.Printf("setup: %d accounts invited and accepted in %s\n", o.users, time.Since(t0).Round(time.Millisecond))

	b := &bench{o: o, srv: srv, w: w, ctx: ctx}
	if o.scenarios["s1"] {
		if err := b.s1(); err != nil {
			return fmt.Errorf("S1: %w", err)
		}
	}
	var results []s2Result
	if o.scenarios["s2a"] {
		r, err := b.s2(fmt.Sprintf("S2a: %d rooms × %d members", o.s2aRooms, o.s2aMembers), "a", o.s2aRooms, o.s2aMembers, o.s2aMembers, o.s2aPubs, o.s2aStart)
		if err != nil {
			return fmt.Errorf("S2a: %w", err)
		}
		results = append(results, r)
	}
	if o.scenarios["s2b"] {
		members := min(o.users, 1000)
		r, err := b.s2(fmt.Sprintf("S2b: 1 room × %d connections (%d members)", o.s2bConns, members), "b", 1, members, o.s2bConns, o.s2bPubs, o.s2bStart)
		if err != nil {
			return fmt.Errorf("S2b: %w", err)
		}
		results = append(results, r)
	}
	if len(results) > 0 {
		fmt.Printf("\nS2 summary (highest deliveries/s with p99 ≤ %s, 0 lost; goal ≥ 100,000):\n", o.p99Limit)
		for _, r := range results {
			if r.best == nil {
				fmt.Printf("  %s: no step met the limit\n", r.name)
				continue
			}
			fmt.Printf("  %s: %.0f deliveries/s (%.0f posts/s), p50 %s, p99 %s, server CPU %.2f s per 100k deliveries\n",
				r.name, r.best.deliveriesPerSec, r.best.postsPerSec, fmtDur(r.best.p50), fmtDur(r.best.p99), r.best.cpuPer100k)
		}
	}
	fmt.Printf("total time %s\n", time.Since(t0).Round(time.Second))
	return nil
}

// bench holds the server and the accounts shared by the scenarios.
type bench struct {
	o      options
	srv    *serverProc
	w      *world
	ctx    context.Context
	groups map[string][]string // by "rooms×members": group ids, reused by scenarios of equal shape
}

// roomGroups returns n groups of m members each (group r: users r·m … r·m+m-1, wrapping). With
// -private all of them are added to the group; otherwise the group is public and only the first
// few (the publishers) are added.
func (b *bench) roomGroups(n, m int) ([]string, [][]*user, error) {
	members := func(r int) []*user {
		out := make([]*user, m)
		for j := range m {
			out[j] = b.w.users[(r*m+j)%len(b.w.users)]
		}
		return out
	}
	all := make([][]*user, n)
	for r := range n {
		all[r] = members(r)
	}
	key := fmt.Sprintf("%d×%d", n, m)
	if b.groups == nil {
		b.groups = map[string][]string{}
	}
	if ids, ok := b.groups[key]; ok {
		return ids, all, nil
	}
	t0 := time.Now()
	visibility, add := "private", m
	if !b.o.private {
		visibility, add = "public", min(m, max(b.o.s2aPubs, b.o.s2bPubs))
	}
	ids, err := b.w.groups(b.ctx, "Bench "+key, visibility, n, func(r int) []*user { return members(r)[:add] })
	if err != nil {
		return nil, nil, err
	}
	fmt.Printf("setup: %d %s groups, %d members added to each, in %s\n", n, visibility, add, time.Since(t0).Round(time.Millisecond))
	b.groups[key] = ids
	return ids, all, nil
}

// connectAll opens the connections (user, room) in parallel.
func (b *bench) connectAll(st *stats, plan []connPlan) ([]*clientConn, time.Duration, error) {
	conns := make([]*clientConn, len(plan))
	t0 := time.Now()
	err := parallel(b.ctx, len(plan), b.o.workers, func(i int) error {
		c, err := connect(b.ctx, b.w.api, b.srv.Addr, plan[i].u, plan[i].room, st)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		conns[i] = c
		return nil
	})
	if err != nil {
		closeAll(conns)
		return nil, 0, fmt.Errorf("%w (server log: %s)", err, b.srv.LogTail())
	}
	for i, p := range plan {
		p.room.conns = append(p.room.conns, conns[i])
	}
	return conns, time.Since(t0), nil
}

type connPlan struct {
	u    *user
	room *roomState
}

func closeAll(conns []*clientConn) {
	for _, c := range conns {
		if c != nil {
			c.closed.Store(true)
			c.close()
		}
	}
}

// fmtDur formats a latency compactly, with one decimal of milliseconds ("4.6ms").
func fmtDur(d time.Duration) string { return figures.DurMs(d, 1) }

func fmtMap(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× %s", m[k], k))
	}
	return strings.Join(parts, "; ")
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/ws: "+format+"\n", args...)
	os.Exit(1)
}
