// Command meetings measures meetings with agendas from outside, the two figures of the meetings
// work: the real binary runs as a separate process on a fresh data directory (embedded store,
// PLENARY_POST_RATE=off), set up through the API, and this process is the load generator on
// loopback.
//
//	go build -o bin/plenary . && go run ./bench/meetings [-bin bin/plenary]
//	go run ./bench/meetings -tiny    # under 30 s: small sizes, for smoke runs
//
// Figure 1, the agenda page: a published meeting of 10 sessions × 8 items (two speakers each);
// GET /api/meetings/{id} as a participant (published agenda) and as the secretariat (draft) from
// 32 keep-alive connections: requests/s, client latency, failures, size, and the server's own time
// per request taken from its request log (matched by X-Request-ID).
//
// Figure 2, live mode: 500 signed-in participants each with a websocket subscribed to the
// meeting's room; the secretariat changes the current item (PUT /api/meetings/{id}/live) every
// 200 ms; every viewer records when the `meeting` envelope with that live_seq arrives. Latencies
// run from just before the PUT is sent to the arrival.
//
// The load generator shares the cores with the server; the figures are a floor for a dedicated
// server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"plenary/bench/internal/figures"
)

type options struct {
	bin                  string
	timeout              time.Duration
	sessions, items      int
	conns                int
	duration             time.Duration
	accounts, perAccount int
	changes              int
	interval, drain      time.Duration
	idle                 time.Duration
	workers              int
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/plenary", "the plenary binary")
	flag.DurationVar(&o.timeout, "timeout", 4*time.Minute, "bound on the whole run")
	flag.IntVar(&o.sessions, "sessions", 10, "figure 1: sessions in the agenda (two a day, at most 10)")
	flag.IntVar(&o.items, "items", 8, "figure 1: items per session")
	flag.IntVar(&o.conns, "conns", 32, "figure 1: concurrent keep-alive connections")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "figure 1: load time per reader")
	flag.IntVar(&o.accounts, "accounts", 500, "figure 2: viewer accounts, all participants of the meeting (each accept hashes a password)")
	flag.IntVar(&o.perAccount, "per-account", 1, "figure 2: websockets per account")
	flag.IntVar(&o.changes, "changes", 100, "figure 2: live changes")
	flag.DurationVar(&o.interval, "interval", 200*time.Millisecond, "figure 2: time between live changes")
	flag.DurationVar(&o.drain, "drain", 5*time.Second, "figure 2: bound on waiting for the last deliveries")
	flag.DurationVar(&o.idle, "idle", 2*time.Second, "figure 2: measure the server's CPU this long with the viewers connected, before the changes")
	flag.IntVar(&o.workers, "connect-workers", 16, "figure 2: concurrent websocket set-ups")
	tiny := flag.Bool("tiny", false, "small sizes for a quick smoke run")
	flag.Parse()
	if *tiny {
		o.sessions, o.items, o.duration = 4, 4, 2*time.Second
		o.accounts, o.perAccount, o.changes, o.idle, o.timeout = 10, 5, 10, time.Second, 30*time.Second
	}
	if o.sessions < 1 || o.sessions > 10 || o.items < 1 || o.accounts < 1 || o.perAccount < 1 || o.changes < 1 || o.conns < 1 {
		fail("sessions must be 1 to 10; items, accounts, per-account, changes and conns at least 1")
	}
	if o.accounts*o.perAccount > 10000 {
		fail("at most 10,000 websockets: one process may open 20,000 files")
	}
	if err := run(o); err != nil {
		fail("%v", err)
	}
}

func run(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	fmt.Printf("machine: %d CPUs, %s/%s, %s; server: %s (embedded store); figures from `go run ./bench/meetings`\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.bin)
	t0 := time.Now()
	srv, err := startServer(o.bin)
	if err != nil {
		return err
	}
	defer srv.Stop()
	a := newAPI(srv.Addr)
	withLog := func(err error) error { return fmt.Errorf("%w (server log: %s)", err, srv.LogTail()) }
	admin, err := signIn(a, adminEmail, adminPassword)
	if err != nil {
		return withLog(err)
	}

	t := time.Now()
	m, requests, err := buildMeeting(a, admin, o.sessions, o.items)
	if err != nil {
		return withLog(fmt.Errorf("build the agenda: %w", err))
	}
	fmt.Printf("setup: meeting with %d sessions × %d items (2 speakers each) built and published in %s (%d requests)\n",
		o.sessions, o.items, fmtDur(time.Since(t)), requests)
	t = time.Now()
	users, err := createAccounts(ctx, a, admin, o.accounts)
	if err != nil {
		return withLog(fmt.Errorf("accounts: %w", err))
	}
	d := time.Since(t)
	fmt.Printf("setup: %d accounts invited and accepted in %s (%s each, 4 at a time)\n", o.accounts, fmtDur(d), fmtDur(d/time.Duration(o.accounts)))
	// Figure 1, first with one participant on the meeting, then with all of them: the meeting's
	// answer lists its participants, so their number weighs on its size.
	var results []agendaResult
	t = time.Now()
	for _, batch := range [][]*user{users[:1], users[1:]} {
		if len(batch) == 0 {
			continue
		}
		if err := addParticipants(ctx, a, admin, m.ID, batch); err != nil {
			return withLog(fmt.Errorf("participants: %w", err))
		}
		if len(batch) > 1 {
			fmt.Printf("setup: %d more participants added in %s\n", len(batch), fmtDur(time.Since(t)))
		}
		for _, reader := range []struct{ who, token string }{{"participant", users[0].token}, {"secretariat", admin.token}} {
			r, err := agendaLoad(ctx, srv, m.ID, reader.token, reader.who, o.conns, o.duration)
			if err != nil {
				return withLog(err)
			}
			results = append(results, r)
		}
		t = time.Now()
	}
	printAgenda(results, o.conns, o.duration)

	// Figure 2.
	if err := a.call("GET", "/api/meetings/"+m.ID, admin.token, "", nil, &m, 200); err != nil {
		return withLog(err)
	}
	plan := livePlan{room: m.Room, base: m.LiveSeq, changes: o.changes, interval: o.interval, workers: o.workers, drain: o.drain, idle: o.idle}
	for _, s := range m.Agenda.Sessions {
		for _, it := range s.Items {
			plan.items = append(plan.items, [2]string{s.ID, it.ID})
		}
	}
	lr, err := liveRun(ctx, srv, a, admin, m.ID, users, o.perAccount, plan)
	if err != nil {
		return withLog(err)
	}
	printLive(lr, o.interval)
	fmt.Printf("\ntotal time %s\n", time.Since(t0).Round(time.Second))
	return nil
}

// sorted, pct and fmtDur are bench/internal/figures' Sorted, Pct and Dur.
func sorted(ds []time.Duration) []time.Duration       { return figures.Sorted(ds) }
func pct(ds []time.Duration, q float64) time.Duration { return figures.Pct(ds, q) }
func fmtDur(d time.Duration) string                   { return figures.Dur(d) }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/meetings: "+format+"\n", args...)
	os.Exit(1)
}
