// Command reports measures the Chairman's Report over the ShareDB wire protocol from outside,
// benchmarks S3 and S4(b) of the report issue: the real binary runs as a separate process on a
// fresh data directory (embedded store, PLENARY_POST_RATE=off), set up through the API, and this
// process is the load generator on loopback, speaking the protocol of the npm sharedb@7 client at
// /api/sharedb (collection reports, type text-unicode).
//
//	go build -o bin/plenary . && go run ./bench/reports [-bin bin/plenary]
//	go run ./bench/reports -tiny    # under 30 s: small sizes, for smoke runs
//
// S3, many editors in one report: the secretariat creates the report in a private group; each
// editor is its own account (the first -drafters are the report's named drafters, outside the
// group; the others join the group as chairs), with its own websocket and single-use ticket,
// handshake and subscription. Every editor then types on a 200 ms ticker (5 ops/s) with one op
// in flight, as the real client: a tick while the previous op is unacknowledged is skipped (and
// counted). An op inserts 1–3 characters (some accented, CJK or an emoji outside the BMP) or, one
// time in five, deletes 1–3, at a random position of the editor's replica; the replica is the
// server's text at the version the editor last knew plus its op in flight, and ops of others are
// transformed against the op in flight with documents/ot, so each op is based on the version
// its sender knew and the server transforms it against what was committed since. Per step
// (default 3 s warm-up, then 20 s measured): submit → acknowledgement latency of the ops sent in
// the window (p50/p95/p99/max); submit → arrival at each other editor (every delivery; the
// receiver finds the send time by the op's src and seq); ops acknowledged per second; skipped
// ticks; the server's CPU (utime + stime from /proc) over the window divided by the ops
// acknowledged in it; errors (error answers, closed connections, ops never acknowledged). After
// each step every editor's replica must equal a fresh fetch. Steps: 10, 50, 100, 200 editors,
// then 300, 400, 600, 800, 1000 (up to -max-editors), stopping after the first step whose
// acknowledgement p95 exceeds -stop-p95 (2 s). The goal: acknowledgement p99 ≤ 50 ms at 100 editors.
//
// S4(b), a real editing trace over the wire: ../shared/traces/seph-blog1.json.gz replayed by one
// client into a new report, one op per transaction (its patches composed), each sent after the
// previous acknowledgement: acknowledgement RTT and ops/s; then a fresh connection fetches the
// report, whose text must equal the trace's endContent (the command exits non-zero otherwise).
//
// The server has no rate limit on tickets, ShareDB connections or ops (PLENARY_POST_RATE only
// limits discussion posts). The load generator shares the cores with the server; the figures are
// a floor for a dedicated server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"plenary/bench/internal/figures"
	"plenary/bench/internal/loopback"
	"plenary/bench/internal/serverproc"
	"plenary/bench/internal/trace"
)

type options struct {
	bin, scenarios, steps string
	maxEditors, drafters  int
	stopP95               time.Duration
	plan                  s3Plan
	tracePath             string
	s4Txns                int
	timeout               time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/plenary", "the plenary binary")
	flag.StringVar(&o.scenarios, "scenarios", "s3,s4b", "which benchmarks to run: s3, s4b")
	flag.StringVar(&o.steps, "editors", "10,50,100,200,300,400,600,800,1000", "S3: editors per step, in order (steps of 200 follow up to -max-editors)")
	flag.IntVar(&o.maxEditors, "max-editors", 1000, "S3: the largest step")
	flag.DurationVar(&o.stopP95, "stop-p95", 2*time.Second, "S3: stop after the first step whose acknowledgement p95 exceeds this")
	flag.IntVar(&o.drafters, "drafters", 50, "S3: editors named drafters of the report (at most 50); the others chair its group")
	flag.DurationVar(&o.plan.interval, "interval", 200*time.Millisecond, "S3: each editor's ticker (one op per tick)")
	flag.DurationVar(&o.plan.warmup, "warmup", 3*time.Second, "S3: typing before the measured window of each step")
	flag.DurationVar(&o.plan.duration, "duration", 20*time.Second, "S3: the measured window of each step")
	flag.DurationVar(&o.plan.drain, "drain", 30*time.Second, "S3: bound on waiting for the ops in flight after a step")
	flag.IntVar(&o.plan.workers, "connect-workers", 16, "S3: concurrent websocket set-ups")
	flag.StringVar(&o.tracePath, "trace", trace.DefaultPath, "S4(b): editing trace (shared/traces/README.md)")
	flag.IntVar(&o.s4Txns, "s4-txns", 0, "S4(b): replay only the first N transactions (0: all)")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound on the whole run")
	tiny := flag.Bool("tiny", false, "small sizes for a quick smoke run")
	flag.Parse()
	if *tiny {
		o.steps, o.maxEditors, o.drafters = "4,10", 10, 5
		o.plan.warmup, o.plan.duration, o.plan.drain = time.Second, 3*time.Second, 5*time.Second
		o.s4Txns, o.timeout = 3000, time.Minute
	}
	steps, err := editorSteps(o.steps, o.maxEditors)
	if err != nil {
		fail("%v", err)
	}
	if o.drafters < 0 || o.drafters > 50 {
		fail("-drafters must be 0 to 50 (a report names at most 50)")
	}
	if o.plan.interval <= 0 || o.plan.duration <= 0 || o.plan.warmup < 0 || o.plan.workers < 1 {
		fail("-interval and -duration must be positive, -warmup not negative, -connect-workers at least 1")
	}
	if o.maxEditors > 5000 {
		fail("at most 5,000 editors: one process may open 20,000 files")
	}
	if err := run(o, steps); err != nil {
		fail("%v", err)
	}
}

func editorSteps(list string, maxEditors int) ([]int, error) {
	var steps []int
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("-editors: %q is not a number of editors (at least 2)", f)
		}
		if n <= maxEditors && (len(steps) == 0 || n > steps[len(steps)-1]) {
			steps = append(steps, n)
		}
	}
	for len(steps) > 0 && steps[len(steps)-1] < maxEditors {
		steps = append(steps, min(steps[len(steps)-1]+200, maxEditors))
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("-editors: no step up to -max-editors %d", maxEditors)
	}
	return steps, nil
}

func run(o options, steps []int) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	scen := strings.Split(o.scenarios, ",")
	fmt.Printf("machine: %d CPUs (%s), %s/%s, %s; server: %s (embedded store); figures from `go run ./bench/reports`\n",
		runtime.NumCPU(), serverproc.CPUModel(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.bin)
	t0 := time.Now()
	srv, err := serverproc.Start(o.bin, "plenary-bench-reports-")
	if err != nil {
		return err
	}
	defer srv.Stop()
	withLog := func(err error) error { return fmt.Errorf("%w (server log: %s)", err, srv.LogTail()) }
	a := loopback.NewAPI(srv.Addr, 16)
	w, err := setupWorld(a, o.drafters)
	if err != nil {
		return withLog(fmt.Errorf("set-up: %w", err))
	}
	failed := false
	if slices.Contains(scen, "s3") {
		if !runS3(ctx, srv, w, o, steps) {
			failed = true
		}
	}
	if slices.Contains(scen, "s4b") {
		r, err := s4Replay(ctx, srv, w, o.tracePath, o.s4Txns)
		if err != nil {
			return withLog(fmt.Errorf("S4(b): %w", err))
		}
		if !printS4(r) {
			failed = true
		}
	}
	fmt.Printf("\ntotal time %s\n", time.Since(t0).Round(time.Second))
	if failed {
		return fmt.Errorf("a check failed (see above)")
	}
	return nil
}

// runS3 runs the steps and prints the table; false when a step failed its checks.
func runS3(ctx context.Context, srv *serverproc.Proc, w *world, o options, steps []int) bool {
	p := o.plan
	fmt.Printf("\nS3 — one report, N editors (separate accounts and websockets) each typing %.0f ops/s: a %s ticker, one op in flight\n",
		float64(time.Second)/float64(p.interval), p.interval)
	fmt.Printf("  per step: connect, %s warm-up, %s measured, drain; latencies of the ops sent in the window\n", p.warmup, p.duration)
	fmt.Printf("  %7s %7s %7s %7s %8s %8s %8s %8s %8s %8s %8s %9s %7s %8s %7s %6s\n",
		"editors", "offered", "ops/s", "skipped", "ack p50", "ack p95", "ack p99", "ack max", "vis p50", "vis p99", "vis max",
		"deliv/s", "srv CPU", "CPU/op", "gen CPU", "errors")
	ok, passed := true, 0
	var at100 *s3Result
	var results []s3Result
	for _, n := range steps {
		r, err := s3Step(ctx, srv, w, n, p)
		if err != nil {
			fmt.Printf("  %7d  step failed: %v (server log: %s)\n", n, err, srv.LogTail())
			return false
		}
		results = append(results, r)
		sec := r.window.Seconds()
		fmt.Printf("  %7d %7.0f %7.0f %7d %8s %8s %8s %8s %8s %8s %8s %9.0f %6.0f%% %8s %6.0f%% %6d\n",
			n, float64(n)*float64(time.Second)/float64(p.interval), float64(r.acked)/sec, r.skipped,
			figures.Dur(figures.Pct(r.acks, 0.5)), figures.Dur(figures.Pct(r.acks, 0.95)), figures.Dur(figures.Pct(r.acks, 0.99)),
			figures.Dur(figures.Pct(r.acks, 1)), figures.Dur(figures.Pct(r.vis, 0.5)), figures.Dur(figures.Pct(r.vis, 0.99)),
			figures.Dur(figures.Pct(r.vis, 1)), float64(r.received)/sec, 100*r.serverCPU.Seconds()/sec,
			figures.Dur(r.serverCPU/time.Duration(max(r.acked, 1))), 100*r.selfCPU.Seconds()/sec, r.errors())
		if r.errors() > 0 {
			fmt.Printf("          errors: %s\n", r.errorText())
		}
		if !r.convergedOK {
			ok = false
		}
		if r.errors() > 0 {
			ok = false
		}
		if n == 100 {
			at100 = &results[len(results)-1]
		}
		if figures.Pct(r.acks, 0.95) > o.stopP95 {
			passed = n
			break
		}
	}
	fmt.Printf("  ops/s: acknowledgements received in the window ÷ its length; skipped: ticks with the previous op unacknowledged;\n")
	fmt.Printf("  ack: op sent → its acknowledgement; vis: op sent → arrival at another editor (every delivery); deliv/s: those arrivals;\n")
	fmt.Printf("  srv CPU: server utime+stime over the window (%% of one core), CPU/op: that ÷ ops acknowledged; gen CPU: this load generator\n")
	for _, r := range results {
		fmt.Printf("  %4d editors: connect %s; %d ops sent in the window; converged %s; other processes %.0f%% of one core\n",
			r.editors, figures.Dur(r.connect), r.sent, r.converged, 100*r.others)
	}
	fmt.Printf("  accounts: %d created (invited and accepted, 4 at a time) in %s; %d named drafters outside the group, the others its chairs\n",
		len(w.editors), figures.Dur(w.setup), min(w.drafters, len(w.editors)))
	last := results[len(results)-1].editors
	if passed > 0 {
		fmt.Printf("  acknowledgement p95 passes %s at %d editors\n", o.stopP95, passed)
	} else {
		fmt.Printf("  acknowledgement p95 does not pass %s: not reached up to %d editors\n", o.stopP95, last)
	}
	if at100 != nil {
		p99 := figures.Pct(at100.acks, 0.99)
		verdict := "met"
		if p99 > 50*time.Millisecond {
			verdict = "NOT met"
		}
		fmt.Printf("  goal, acknowledgement p99 ≤ 50 ms at 100 editors: %s (%s)\n", verdict, figures.Dur(p99))
	}
	return ok
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/reports: "+format+"\n", args...)
	os.Exit(1)
}
