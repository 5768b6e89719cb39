package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"plenary/bench/internal/serverproc"
)

// epoch anchors all timestamps of figure 2 on the monotonic clock of this process.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

// viewer is one websocket subscribed to the meeting's room. Its reader goroutine records when the
// `meeting` envelope of each live change arrives (arrivals[live_seq-base-1]); it also keeps the
// connection alive, since the library answers the server's pings while a read is in progress.
type viewer struct {
	ws         *websocket.Conn
	base       int64          // live_seq before the first change
	arrivals   []atomic.Int64 // by change; 0: not arrived
	received   atomic.Int64
	dups       atomic.Int64
	unexpected atomic.Int64 // meeting envelopes with a live_seq outside the changes made
	closeWhy   atomic.Pointer[string]
	subAck     chan error
	done       chan struct{}
}

var dialer = &websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024}

// openViewer asks for a ticket as u, opens /api/ws, subscribes to room and waits for the ack.
func openViewer(ctx context.Context, a *api, addr string, u *user, room string, base int64, changes int) (*viewer, error) {
	var t struct {
		Ticket string `json:"ticket"`
	}
	if err := a.call("POST", "/api/ws-ticket", u.token, "", nil, &t, 200); err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ws, resp, err := dialer.DialContext(dctx, "ws://"+addr+"/api/ws?ticket="+t.Ticket, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (status %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	v := &viewer{ws: ws, base: base, arrivals: make([]atomic.Int64, changes), subAck: make(chan error, 1), done: make(chan struct{})}
	go v.readLoop()
	_ = ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"subscribe","id":"s","room":"`+room+`"}`)); err != nil {
		v.close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	select {
	case err := <-v.subAck:
		if err != nil {
			v.close()
			return nil, err
		}
		return v, nil
	case <-time.After(15 * time.Second):
		v.close()
		return nil, errors.New("no subscribe acknowledgement within 15 s")
	}
}

func (v *viewer) close() {
	why := "closed by us"
	v.closeWhy.CompareAndSwap(nil, &why)
	_ = v.ws.Close()
	<-v.done
}

var (
	preMeeting = []byte(`{"type":"meeting"`)
	preAck     = []byte(`{"type":"ack","id":"s"`)
	preError   = []byte(`{"type":"error"`)
)

func (v *viewer) readLoop() {
	defer close(v.done)
	for {
		_, data, err := v.ws.ReadMessage()
		if err != nil {
			why := "read error: " + err.Error()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				why = fmt.Sprintf("server closed %d %s", ce.Code, ce.Text)
			} else if errors.Is(err, net.ErrClosed) {
				why = "closed by us"
			}
			v.closeWhy.CompareAndSwap(nil, &why)
			select {
			case v.subAck <- errors.New(why):
			default:
			}
			return
		}
		t := now()
		// A server frame holds one or more envelopes separated by newlines (docs/protocol.md).
		for line := range bytes.SplitSeq(data, []byte{'\n'}) {
			switch {
			case bytes.HasPrefix(line, preMeeting):
				i := number(line, `"live_seq":`) - v.base - 1
				switch {
				case i < 0 || i >= int64(len(v.arrivals)):
					v.unexpected.Add(1)
				case !v.arrivals[i].CompareAndSwap(0, t):
					v.dups.Add(1)
				default:
					v.received.Add(1)
				}
			case bytes.HasPrefix(line, preAck):
				select {
				case v.subAck <- nil:
				default:
				}
			case bytes.HasPrefix(line, preError):
				select {
				case v.subAck <- fmt.Errorf("refused: %s", line):
				default:
				}
			}
		}
	}
}

// liveResult is figure 2.
type liveResult struct {
	viewers, accounts, changes int
	connectTime                time.Duration
	sent, answered             []int64 // per change: when its PUT was sent, when its answer was read (now())
	put                        []time.Duration
	putServer                  []time.Duration
	allArrived                 []time.Duration // per change: PUT sent → the last viewer has it (-1: some never did)
	spread                     []time.Duration // per change: first → last viewer's arrival
	afterAnswer                []time.Duration // per change: PUT answer read → last viewer's arrival (may be < 0)
	deliveries                 []time.Duration // every delivery: PUT sent → arrival
	expected, received         int64
	dups, unexpected           int64
	closes                     map[string]int
	drainTimedOut              bool
	serverCPU, idleCPU         time.Duration
	others                     float64 // CPU of other processes on the machine during the changes, in cores
	wall, idleWall             time.Duration
}

type livePlan struct {
	room     string
	base     int64       // the meeting's live_seq before the changes
	items    [][2]string // (session id, item id) to make current, in turn
	changes  int
	interval time.Duration
	workers  int
	drain    time.Duration
	idle     time.Duration // server CPU is also measured this long with the viewers connected, before the changes
}

// liveRun connects len(users)×perUser viewers, then makes plan.changes live changes as admin, one
// every plan.interval, and waits for every viewer to receive each of them.
func liveRun(ctx context.Context, srv *serverproc.Proc, a *api, admin *user, meetingID string, users []*user, perUser int, p livePlan) (liveResult, error) {
	r := liveResult{viewers: len(users) * perUser, accounts: len(users), changes: p.changes, closes: map[string]int{}}
	viewers := make([]*viewer, r.viewers)
	defer func() {
		for _, v := range viewers {
			if v != nil {
				v.close()
			}
		}
	}()
	t0 := time.Now()
	if err := parallel(ctx, r.viewers, p.workers, func(i int) error {
		v, err := openViewer(ctx, a, srv.Addr, users[i%len(users)], p.room, p.base, p.changes)
		if err != nil {
			return fmt.Errorf("viewer %d: %w", i, err)
		}
		viewers[i] = v
		return nil
	}); err != nil {
		return r, fmt.Errorf("%w (server log: %s)", err, srv.LogTail())
	}
	r.connectTime = time.Since(t0)
	time.Sleep(500 * time.Millisecond) // let the presence announcements of the last subscribers pass
	cpu0, t1 := cpuTime(srv.Pid()), time.Now()
	time.Sleep(p.idle)
	r.idleCPU, r.idleWall = cpuTime(srv.Pid())-cpu0, time.Since(t1)

	// The live changes: PUTs from one goroutine, on a fixed schedule (a slow PUT delays the next).
	r.sent, r.answered = make([]int64, p.changes), make([]int64, p.changes)
	snap0, start := snapCPU(srv), time.Now()
	for i := range p.changes {
		if d := time.Until(start.Add(time.Duration(i) * p.interval)); d > 0 {
			time.Sleep(d)
		}
		it := p.items[i%len(p.items)]
		var m meetingView
		sent := now()
		err := a.call("PUT", "/api/meetings/"+meetingID+"/live", admin.token, "bench-live-put",
			map[string]string{"session_id": it[0], "item_id": it[1]}, &m, 200)
		r.answered[i] = now()
		r.put = append(r.put, time.Duration(r.answered[i]-sent))
		if err != nil {
			return r, err
		}
		if m.LiveSeq != p.base+int64(i)+1 {
			return r, fmt.Errorf("change %d: the answer has live_seq %d, want %d (another writer?)", i+1, m.LiveSeq, p.base+int64(i)+1)
		}
		r.sent[i] = sent
	}

	// Wait for the last deliveries.
	r.expected = int64(r.viewers * p.changes)
	deadline := time.Now().Add(p.drain)
	for {
		r.received = 0
		for _, v := range viewers {
			r.received += v.received.Load()
		}
		if r.received >= r.expected || time.Now().After(deadline) {
			r.drainTimedOut = r.received < r.expected
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.wall = time.Since(start)
	snap1 := snapCPU(srv)
	r.serverCPU, r.others = snap1.Server-snap0.Server, snap0.Others(snap1)

	first, last := make([]int64, p.changes), make([]int64, p.changes)
	missing := make([]bool, p.changes)
	r.deliveries = make([]time.Duration, 0, r.expected)
	for _, v := range viewers {
		r.dups += v.dups.Load()
		r.unexpected += v.unexpected.Load()
		if why := v.closeWhy.Load(); why != nil {
			r.closes[*why]++
		}
		for i := range v.arrivals {
			at := v.arrivals[i].Load()
			if at == 0 {
				missing[i] = true
				continue
			}
			r.deliveries = append(r.deliveries, time.Duration(at-r.sent[i]))
			if first[i] == 0 || at < first[i] {
				first[i] = at
			}
			last[i] = max(last[i], at)
		}
	}
	for i := range p.changes {
		if missing[i] {
			r.allArrived = append(r.allArrived, -1)
			continue
		}
		r.allArrived = append(r.allArrived, time.Duration(last[i]-r.sent[i]))
		r.spread = append(r.spread, time.Duration(last[i]-first[i]))
		r.afterAnswer = append(r.afterAnswer, time.Duration(last[i]-r.answered[i]))
	}
	r.deliveries, r.spread, r.afterAnswer = sorted(r.deliveries), sorted(r.spread), sorted(r.afterAnswer)
	r.put = sorted(r.put)
	time.Sleep(100 * time.Millisecond)
	r.putServer = sorted(srv.RequestTimes("bench-live-put"))
	return r, nil
}

func printLive(r liveResult, interval time.Duration) {
	fmt.Printf("\nFigure 2 — live mode: %d viewers (%d accounts × %d websockets) in room meeting:<id>; %d changes, PUT /live every %s\n",
		r.viewers, r.accounts, r.viewers/max(r.accounts, 1), r.changes, interval)
	fmt.Printf("  connect: %d websockets opened (ticket, dial, subscribe, ack) in %s\n", r.viewers, fmtDur(r.connectTime))
	var complete []time.Duration
	for _, d := range r.allArrived {
		if d >= 0 {
			complete = append(complete, d)
		}
	}
	complete = sorted(complete)
	fmt.Printf("  per change, PUT sent → arrival at all %d viewers: p50 %s, p90 %s, p99 %s, max %s (%d of %d changes reached everyone)\n",
		r.viewers, fmtDur(pct(complete, 0.5)), fmtDur(pct(complete, 0.9)), fmtDur(pct(complete, 0.99)), fmtDur(pct(complete, 1)),
		len(complete), r.changes)
	fmt.Printf("  every change in ms (in order):\n")
	for i, d := range r.allArrived {
		if i%10 == 0 {
			fmt.Printf("   ")
		}
		if d < 0 {
			fmt.Printf(" %6s", "lost")
		} else {
			fmt.Printf(" %6.1f", float64(d)/1e6)
		}
		if i%10 == 9 || i == len(r.allArrived)-1 {
			fmt.Println()
		}
	}
	fmt.Printf("  all deliveries, PUT sent → arrival: p50 %s, p99 %s, max %s\n",
		fmtDur(pct(r.deliveries, 0.5)), fmtDur(pct(r.deliveries, 0.99)), fmtDur(pct(r.deliveries, 1)))
	fmt.Printf("  fan-out per change: first → last viewer p50 %s, max %s; PUT answer read → last viewer p50 %s, max %s\n",
		fmtDur(pct(r.spread, 0.5)), fmtDur(pct(r.spread, 1)), fmtDur(pct(r.afterAnswer, 0.5)), fmtDur(pct(r.afterAnswer, 1)))
	fmt.Printf("  deliveries: expected %d, received %d, missing %d, duplicates %d, unexpected %d\n",
		r.expected, r.received, r.expected-r.received, r.dups, r.unexpected)
	srvTime := "n/a"
	if len(r.putServer) > 0 {
		srvTime = fmt.Sprintf("%s / %s", fmtDur(pct(r.putServer, 0.5)), fmtDur(pct(r.putServer, 0.99)))
	}
	fmt.Printf("  PUT /api/meetings/{id}/live latency (client): p50 %s, p99 %s, max %s; server time p50/p99 %s\n",
		fmtDur(pct(r.put, 0.5)), fmtDur(pct(r.put, 0.99)), fmtDur(pct(r.put, 1)), srvTime)
	fmt.Printf("  server CPU: %.1f%% of one core during the changes (%.2f s over %s, %s per change); %.1f%% idle with the viewers connected\n",
		100*r.serverCPU.Seconds()/r.wall.Seconds(), r.serverCPU.Seconds(), r.wall.Round(10*time.Millisecond),
		fmtDur(r.serverCPU/time.Duration(max(r.changes, 1))), 100*r.idleCPU.Seconds()/max(r.idleWall.Seconds(), 1e-9))
	fmt.Printf("  other processes on the machine used %.0f%% of one core during the changes (should be ≈0)\n", 100*r.others)
	var closes []string
	for why, n := range r.closes {
		if why != "closed by us" {
			closes = append(closes, fmt.Sprintf("%d× %s", n, why))
		}
	}
	if len(closes) > 0 {
		fmt.Printf("  connections closed during the run: %s\n", strings.Join(closes, "; "))
	}
	if r.drainTimedOut {
		fmt.Printf("  gave up waiting for the missing deliveries\n")
	}
}
