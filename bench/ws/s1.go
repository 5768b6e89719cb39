package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// s1 opens idle connections, each subscribed to one room, and reports what they cost the server.
func (b *bench) s1() error {
	o := b.o
	ids, members, err := b.roomGroups(o.s1Rooms, o.s1Members)
	if err != nil {
		return err
	}
	rooms := make([]*roomState, len(ids))
	for r, id := range ids {
		rooms[r] = &roomState{name: "group:" + id}
	}
	plan := make([]connPlan, o.s1Conns)
	for i := range plan {
		r := i % len(rooms)
		plan[i] = connPlan{u: members[r][(i/len(rooms))%len(members[r])], room: rooms[r]}
	}
	fmt.Printf("\nS1: %d idle connections, %d rooms × %d members (%d connections per member and room), heartbeat 1 s\n",
		o.s1Conns, o.s1Rooms, o.s1Members, max(1, o.s1Conns/(o.s1Rooms*o.s1Members)))

	// Sign-ins hash passwords with argon2id (19 MiB each); wait until the runtime has returned
	// that memory, so that the baseline is the server's steady state.
	before, settled := settleRSS(b.ctx, b.srv.Pid(), 45*time.Second)
	if !settled {
		fmt.Printf("  (server RSS did not settle within 45 s; baseline %.1f MiB)\n", float64(before.rssKB)/1024)
	}
	msBefore, haveMS := b.srv.memStats()
	if haveMS {
		// MemStats forces a GC; read RSS again after it.
		before = readProc(b.srv.Pid())
	}

	st := newStats()
	conns, took, err := b.connectAll(st, plan)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	fmt.Printf("  connected and subscribed %d in %s (%.0f/s: ticket, upgrade, subscribe)\n", len(conns), took.Round(time.Millisecond),
		float64(len(conns))/took.Seconds())

	if !sleepCtx(b.ctx, time.Second) {
		return b.ctx.Err()
	}
	idle0 := readProc(b.srv.Pid())
	client0 := readProc(os.Getpid())
	if !sleepCtx(b.ctx, o.s1Idle) {
		return b.ctx.Err()
	}
	idle1 := readProc(b.srv.Pid())
	client1 := readProc(os.Getpid())
	after := idle1
	msAfter, _ := b.srv.memStats()
	if haveMS {
		after = readProc(b.srv.Pid())
	}
	if o.profileDir != "" && haveMS {
		if err := b.srv.fetchProfile("heap", filepath.Join(o.profileDir, "s1-heap.pprof")); err != nil {
			fmt.Printf("  heap profile: %v\n", err)
		}
		if err := b.srv.fetchProfile("goroutine?debug=1", filepath.Join(o.profileDir, "s1-goroutines.txt")); err != nil {
			fmt.Printf("  goroutine profile: %v\n", err)
		}
	}
	closes, errs := st.snapshot()
	alive := 0
	for _, c := range conns {
		if !c.closed.Load() {
			alive++
		}
	}

	n := float64(len(conns))
	delta := float64(after.rssKB-before.rssKB) * 1024
	fmt.Printf("  connections still open after %s idle: %d of %d (closes: %s; errors: %s)\n", o.s1Idle+time.Second, alive, len(conns), fmtMap(closes), fmtMap(errs))
	fmt.Printf("  server RSS: %.1f MiB before, %.1f MiB after → %.1f KiB per connection (goal ≤ 16 KB; bare Fiber websocket ≈ 14.6 KB)\n",
		float64(before.rssKB)/1024, float64(after.rssKB)/1024, delta/n/1024)
	fmt.Printf("  server threads: %d before, %d after\n", before.threads, after.threads)
	if haveMS {
		heap := float64(msAfter.HeapInuse) - float64(msBefore.HeapInuse)
		stack := float64(msAfter.StackInuse) - float64(msBefore.StackInuse)
		fmt.Printf("  server Go heap in use (after GC): %.1f → %.1f MiB = %.1f KiB per connection; goroutine stacks %.1f → %.1f MiB = %.1f KiB per connection; heap+stacks %.1f KiB per connection\n",
			float64(msBefore.HeapInuse)/(1<<20), float64(msAfter.HeapInuse)/(1<<20), heap/n/1024,
			float64(msBefore.StackInuse)/(1<<20), float64(msAfter.StackInuse)/(1<<20), stack/n/1024, (heap+stack)/n/1024)
		fmt.Printf("  server goroutines: %d → %d (%.2f per connection); heap objects %d → %d (%.1f per connection); runtime Sys %.1f → %.1f MiB\n",
			msBefore.Goroutines, msAfter.Goroutines, float64(msAfter.Goroutines-msBefore.Goroutines)/n,
			msBefore.HeapObjects, msAfter.HeapObjects, float64(msAfter.HeapObjects-msBefore.HeapObjects)/n,
			float64(msBefore.Sys)/(1<<20), float64(msAfter.Sys)/(1<<20))
	}
	secs := idle1.at.Sub(idle0.at).Seconds()
	fmt.Printf("  idle CPU (pings every second, pongs): server %.1f%% of one core, load generator %.1f%% (over %.1f s)\n",
		100*(idle1.cpu-idle0.cpu).Seconds()/secs, 100*(client1.cpu-client0.cpu).Seconds()/secs, secs)
	fmt.Printf("  load generator RSS: %.1f MiB\n", float64(client1.rssKB)/1024)
	if alive != len(conns) {
		return fmt.Errorf("%d connections were closed while idle", len(conns)-alive)
	}
	return nil
}

func sleepCtx(ctx interface{ Done() <-chan struct{} }, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// settleRSS waits until the process's RSS changes by less than 1% over 3 s (bounded).
func settleRSS(ctx interface{ Done() <-chan struct{} }, pid int, bound time.Duration) (procStat, bool) {
	deadline := time.Now().Add(bound)
	prev := readProc(pid)
	stable := 0
	for time.Now().Before(deadline) {
		if !sleepCtx(ctx, time.Second) {
			return prev, false
		}
		cur := readProc(pid)
		if d := cur.rssKB - prev.rssKB; d*100 < prev.rssKB && -d*100 < prev.rssKB {
			stable++
		} else {
			stable = 0
		}
		prev = cur
		if stable >= 3 {
			return cur, true
		}
	}
	return prev, false
}
