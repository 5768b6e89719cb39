package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"plenary/bench/internal/figures"
	"plenary/bench/internal/loopback"
	"plenary/bench/internal/serverproc"
	"plenary/documents/ot"
)

// editor is one person typing in the report over their own ShareDB connection, as the real client
// does: one op in flight, the next op only after the acknowledgement of the previous one. It keeps
// a replica of the text: the server's version v, plus its op in flight applied on top; ops of the
// others are transformed against the op in flight (ours is the left one, as the server does).
type editor struct {
	n      int
	conn   *sdbConn
	prefix []byte // of the report's op messages
	report string
	step   *step

	mu       sync.Mutex
	doc      *ot.Doc
	v        int64 // the server version the replica has: ops [0, v) are applied
	inflight ot.Op // nil: nothing waiting for its acknowledgement
	seq      int64 // of the latest op sent
	waiting  bool
	broken   bool // an error left the replica unusable: stop typing
	acks     []time.Duration
	vis      []time.Duration
	skipped  int
	sentWin  int // ops sent in the window
	ackedWin int // acknowledgements received in the window
	recvWin  int // broadcasts received in the window
	errs     map[string]int

	sent     []atomic.Int64 // by seq: when it was sent (now())
	closeWhy atomic.Pointer[string]
	done     chan struct{}
}

// step is one measured load: n editors, typing from start, measured over [winFrom, winTo).
type step struct {
	editors        int
	winFrom, winTo int64
	senders        atomic.Pointer[map[string]*editor]
}

func (s *step) inWindow(t int64) bool { return t >= s.winFrom && t < s.winTo }

func openEditor(ctx context.Context, a *loopback.API, addr string, u *account, reportID string, n, maxSeq int, st *step) (*editor, error) {
	c, err := dialShareDB(ctx, a, addr, u)
	if err != nil {
		return nil, err
	}
	v, text, err := c.follow("s", reportID)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	e := &editor{n: n, conn: c, prefix: opPrefix(reportID), report: reportID, step: st, doc: ot.NewDoc(text), v: v,
		errs: map[string]int{}, sent: make([]atomic.Int64, maxSeq+1), done: make(chan struct{})}
	go e.readLoop()
	return e, nil
}

func (e *editor) close() {
	why := "closed by us"
	e.closeWhy.CompareAndSwap(nil, &why)
	e.conn.close()
	<-e.done
}

func (e *editor) fail(what string) {
	e.errs[what]++
	e.broken = true
}

func (e *editor) readLoop() {
	defer close(e.done)
	for {
		_, raw, err := e.conn.ws.ReadMessage()
		if err != nil {
			why := "read error: " + err.Error()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				why = fmt.Sprintf("server closed %d %s", ce.Code, ce.Text)
			} else if errors.Is(err, net.ErrClosed) {
				why = "closed by us"
			}
			e.closeWhy.CompareAndSwap(nil, &why)
			e.mu.Lock()
			e.broken = true
			e.mu.Unlock()
			return
		}
		t := now()
		f, ok := parseOp(raw, e.prefix)
		e.mu.Lock()
		switch {
		case !ok:
			if err := errorOf(raw); err != nil {
				e.fail("error answer " + err.Error())
			} else if !bytes.HasPrefix(raw, []byte(`{"a":"pp"`)) {
				e.errs[fmt.Sprintf("unexpected message %.60s", raw)]++
			}
		case f.op == nil: // our acknowledgement
			switch {
			case !e.waiting || f.seq != e.seq || string(f.src) != e.conn.src:
				e.fail("acknowledgement of an op not in flight")
			case f.v != e.v:
				e.fail("acknowledgement at a version the replica has not reached")
			default:
				e.v, e.inflight, e.waiting = f.v+1, nil, false
				sent := e.sent[f.seq].Load()
				if e.step.inWindow(sent) {
					e.acks = append(e.acks, time.Duration(t-sent))
				}
				if e.step.inWindow(t) {
					e.ackedWin++
				}
			}
		default: // another editor's op
			e.remote(f, t)
		}
		e.mu.Unlock()
	}
}

// remote applies an op broadcast by the server to the replica. mu held.
func (e *editor) remote(f opFrame, t int64) {
	if e.broken {
		return
	}
	if f.v != e.v {
		e.fail("op out of order")
		return
	}
	var op ot.Op
	if err := op.UnmarshalJSON(f.op); err != nil {
		e.fail("undecodable op")
		return
	}
	if e.inflight != nil {
		mine, err1 := ot.Transform(e.inflight, op, ot.Left)
		theirs, err2 := ot.Transform(op, e.inflight, ot.Right)
		if err1 != nil || err2 != nil {
			e.fail("transform failed")
			return
		}
		e.inflight, op = mine, theirs
	}
	if err := e.doc.Apply(op); err != nil {
		e.fail("remote op does not apply")
		return
	}
	e.v++
	if e.step.inWindow(t) {
		e.recvWin++
	}
	if senders := e.step.senders.Load(); senders != nil {
		if s := (*senders)[string(f.src)]; s != nil && f.seq > 0 && f.seq < int64(len(s.sent)) {
			if sent := s.sent[f.seq].Load(); e.step.inWindow(sent) {
				e.vis = append(e.vis, time.Duration(t-sent))
			}
		}
	}
}

// typing is what editors insert: mostly letters and spaces, some accented letters, CJK, a dash
// and an emoji outside the BMP (one code point, two UTF-16 units).
var typing = []string{"a", "e", "i", "o", "n", "r", "s", "t", "l", "d", " ", " ", " ", ".", ",",
	"é", "ü", "ß", "ç", "中", "文", "—", "😀", "Ω"}

// type_ runs the editor's 200 ms ticker from its phase until the window ends: on each tick it
// sends one op unless the previous one is still unacknowledged (a skipped tick).
func (e *editor) type_(phase, interval time.Duration, stop int64, rng *rand.Rand) {
	time.Sleep(phase)
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		t := now()
		if t >= stop {
			return
		}
		e.mu.Lock()
		if e.broken {
			e.mu.Unlock()
			return
		}
		if e.waiting {
			if e.step.inWindow(t) {
				e.skipped++
			}
			e.mu.Unlock()
			<-tk.C
			continue
		}
		op := randomOp(e.doc.Len(), rng)
		if err := e.doc.Apply(op); err != nil {
			e.fail("own op does not apply")
			e.mu.Unlock()
			return
		}
		e.seq++
		e.inflight, e.waiting = op, true
		msg := opMessage(e.report, e.v, e.seq, op)
		if e.seq < int64(len(e.sent)) {
			e.sent[e.seq].Store(now())
		}
		if e.step.inWindow(t) {
			e.sentWin++
		}
		e.mu.Unlock()
		if err := e.conn.write(msg); err != nil {
			e.mu.Lock()
			e.fail("write failed")
			e.mu.Unlock()
			return
		}
		<-tk.C
	}
}

// randomOp is an insert of 1–3 characters (80 %) or a delete of 1–3 (20 %) at a random position of
// a text of n code points.
func randomOp(n int, rng *rand.Rand) ot.Op {
	if n >= 3 && rng.IntN(5) == 0 {
		k := 1 + rng.IntN(3)
		return ot.Normalize(ot.Op{ot.Skip(rng.IntN(n - k + 1)), ot.Delete(k)})
	}
	var s string
	for range 1 + rng.IntN(3) {
		s += typing[rng.IntN(len(typing))]
	}
	return ot.Normalize(ot.Op{ot.Skip(rng.IntN(n + 1)), ot.Insert(s)})
}

// s3Result is one step of S3.
type s3Result struct {
	editors               int
	connect               time.Duration
	window                time.Duration
	sent, acked, received int
	skipped               int
	acks, vis             []time.Duration
	unacked               int // still in flight when the drain gave up
	serverCPU, selfCPU    time.Duration
	others                float64
	errs                  map[string]int
	closes                map[string]int
	converged             string // "yes (…)" or what differed
	convergedOK           bool
	version               int64
	textLen               int
}

type s3Plan struct {
	interval, warmup, duration, drain time.Duration
	workers                           int
}

// s3Step connects n editors (ticket, dial, handshake, subscribe), lets them type for warm-up +
// duration, waits for the ops in flight, then checks that every replica equals a fresh fetch.
func s3Step(ctx context.Context, srv *serverproc.Proc, w *world, n int, p s3Plan) (s3Result, error) {
	r := s3Result{editors: n, errs: map[string]int{}, closes: map[string]int{}}
	if err := w.ensureEditors(ctx, n); err != nil {
		return r, fmt.Errorf("accounts: %w", err)
	}
	st := &step{editors: n, winFrom: 1 << 62, winTo: 1 << 62}
	maxSeq := int((p.warmup+p.duration)/p.interval) + 8
	eds := make([]*editor, n)
	defer func() {
		for _, e := range eds {
			if e != nil {
				e.close()
			}
		}
	}()
	t0 := time.Now()
	if err := loopback.Parallel(ctx, n, p.workers, func(i int) error {
		e, err := openEditor(ctx, w.api, srv.Addr, w.editors[i], w.report, i, maxSeq, st)
		if err != nil {
			return fmt.Errorf("editor %d: %w", i, err)
		}
		eds[i] = e
		return nil
	}); err != nil {
		return r, err
	}
	r.connect = time.Since(t0)
	senders := map[string]*editor{}
	for _, e := range eds {
		senders[e.conn.src] = e
	}
	st.senders.Store(&senders)

	start := now()
	st.winFrom, st.winTo = start+int64(p.warmup), start+int64(p.warmup+p.duration)
	var wg sync.WaitGroup
	for i, e := range eds {
		rng := rand.New(rand.NewPCG(uint64(n), uint64(i)))
		phase := time.Duration(rng.Int64N(int64(p.interval)))
		wg.Go(func() { e.type_(phase, p.interval, st.winTo, rng) })
	}
	time.Sleep(time.Duration(st.winFrom - now()))
	snap0 := serverproc.SnapCPU(srv)
	time.Sleep(time.Duration(st.winTo - now()))
	snap1 := serverproc.SnapCPU(srv)
	r.window = snap1.At.Sub(snap0.At)
	r.serverCPU, r.selfCPU, r.others = snap1.Server-snap0.Server, snap1.Self-snap0.Self, snap0.Others(snap1)
	wg.Wait()

	// Drain: the ops in flight are acknowledged.
	deadline := time.Now().Add(p.drain)
	for {
		r.unacked = 0
		for _, e := range eds {
			e.mu.Lock()
			if e.waiting && !e.broken {
				r.unacked++
			}
			e.mu.Unlock()
		}
		if r.unacked == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Convergence: every replica reaches the version of a fresh fetch, with the same text.
	head, text, err := fetchText(ctx, w.api, srv.Addr, w.admin, w.report)
	if err != nil {
		return r, fmt.Errorf("fetch after the step: %w", err)
	}
	r.version, r.textLen = head, len([]rune(text))
	var behind, differ, broken int
	for {
		behind, differ, broken = 0, 0, 0
		for _, e := range eds {
			e.mu.Lock()
			switch {
			case e.broken:
				broken++
			case e.v < head || e.waiting:
				behind++
			case e.v > head || e.doc.String() != text:
				differ++
			}
			e.mu.Unlock()
		}
		if behind == 0 || time.Now().After(deadline.Add(5*time.Second)) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.convergedOK = behind == 0 && differ == 0 && broken == 0
	switch {
	case r.convergedOK:
		r.converged = fmt.Sprintf("yes: %d replicas = fetch (v %d, %d code points)", n, head, r.textLen)
	default:
		r.converged = fmt.Sprintf("NO: of %d replicas, %d differ from the fetch (v %d), %d did not reach it, %d broke",
			n, differ, head, behind, broken)
	}

	for _, e := range eds {
		e.mu.Lock()
		r.acks, r.vis = append(r.acks, e.acks...), append(r.vis, e.vis...)
		r.sent, r.acked, r.received, r.skipped = r.sent+e.sentWin, r.acked+e.ackedWin, r.received+e.recvWin, r.skipped+e.skipped
		for k, v := range e.errs {
			r.errs[k] += v
		}
		e.mu.Unlock()
		if why := e.closeWhy.Load(); why != nil && *why != "closed by us" {
			r.closes[*why]++
		}
	}
	r.acks, r.vis = figures.Sorted(r.acks), figures.Sorted(r.vis)
	return r, nil
}

func (r s3Result) errors() int {
	n := r.unacked
	for _, v := range r.errs {
		n += v
	}
	for _, v := range r.closes {
		n += v
	}
	return n
}

func (r s3Result) errorText() string {
	var parts []string
	for k, v := range r.errs {
		parts = append(parts, fmt.Sprintf("%d× %s", v, k))
	}
	for k, v := range r.closes {
		parts = append(parts, fmt.Sprintf("%d× %s", v, k))
	}
	if r.unacked > 0 {
		parts = append(parts, fmt.Sprintf("%d ops never acknowledged", r.unacked))
	}
	slices.Sort(parts)
	return fmt.Sprint(parts)
}
