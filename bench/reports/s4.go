package main

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"plenary/bench/internal/figures"
	"plenary/bench/internal/serverproc"
	"plenary/bench/internal/trace"
	"plenary/documents/ot"
)

// s4Result is S4(b): the trace replayed over the wire by one client.
type s4Result struct {
	path               string
	txns, patches      int
	ops, empty         int // ops submitted (one per transaction, plus the start content); empty transactions skipped
	rtt                []time.Duration
	wall               time.Duration
	serverCPU, selfCPU time.Duration
	others             float64
	version            int64
	want, got          string // the text the replay must end with, and the fetched text
	full               bool   // the whole trace: want is endContent
}

// s4Replay creates a report, subscribes to it as the secretariat, and submits one op per
// transaction of the trace (its patches composed), each after the previous one's acknowledgement;
// then fetches the report on a fresh connection. limit > 0 replays only the first limit
// transactions, whose result is then computed locally with documents/ot.
func s4Replay(ctx context.Context, srv *serverproc.Proc, w *world, path string, limit int) (s4Result, error) {
	r := s4Result{path: path}
	tr, err := trace.Load(path)
	if err != nil {
		return r, err
	}
	txns := tr.Txns
	if limit > 0 && limit < len(txns) {
		txns = txns[:limit]
	}
	r.txns, r.full = len(txns), len(txns) == len(tr.Txns)
	var ops []ot.Op
	if tr.StartContent != "" {
		ops = append(ops, ot.Op{ot.Insert(tr.StartContent)})
	}
	for i, txn := range txns {
		var op ot.Op
		for _, p := range txn.Patches {
			if op, err = ot.Compose(op, p.Op()); err != nil {
				return r, fmt.Errorf("transaction %d: %w", i, err)
			}
			r.patches++
		}
		if op.IsNoop() {
			r.empty++
			continue
		}
		ops = append(ops, op)
	}
	r.want = tr.EndContent
	if !r.full {
		d := ot.NewDoc("")
		for i, op := range ops {
			if err := d.Apply(op); err != nil {
				return r, fmt.Errorf("local replay, op %d: %w", i, err)
			}
		}
		r.want = d.String()
	}

	report, err := w.newReport("Replay of " + path)
	if err != nil {
		return r, err
	}
	c, err := dialShareDB(ctx, w.api, srv.Addr, w.admin)
	if err != nil {
		return r, err
	}
	defer c.close()
	v, text, err := c.follow("s", report)
	if err != nil {
		return r, err
	}
	if text != "" {
		return r, fmt.Errorf("a new report holds %q", text)
	}
	prefix := opPrefix(report)
	r.rtt = make([]time.Duration, 0, len(ops))
	snap0 := serverproc.SnapCPU(srv)
	for i, op := range ops {
		if i%1000 == 0 && ctx.Err() != nil {
			return r, ctx.Err()
		}
		seq := int64(i + 1)
		msg := opMessage(report, v, seq, op)
		sent := time.Now()
		if err := c.write(msg); err != nil {
			return r, fmt.Errorf("op %d: %w", i, err)
		}
		for {
			_, raw, err := c.ws.ReadMessage()
			if err != nil {
				return r, fmt.Errorf("op %d: %w", i, err)
			}
			f, ok := parseOp(raw, prefix)
			if !ok {
				if err := errorOf(raw); err != nil {
					return r, fmt.Errorf("op %d (%d bytes) refused: %w", i, len(msg), err)
				}
				continue // pp and the like
			}
			if f.op != nil || f.seq != seq || string(f.src) != c.src || f.v != v {
				return r, fmt.Errorf("op %d: unexpected %.200s", i, raw)
			}
			break
		}
		r.rtt = append(r.rtt, time.Since(sent))
		v++
	}
	snap1 := serverproc.SnapCPU(srv)
	r.wall = snap1.At.Sub(snap0.At)
	r.serverCPU, r.selfCPU, r.others = snap1.Server-snap0.Server, snap1.Self-snap0.Self, snap0.Others(snap1)
	r.ops = len(ops)
	r.rtt = figures.Sorted(r.rtt)
	r.version, r.got, err = fetchText(ctx, w.api, srv.Addr, w.admin, report)
	return r, err
}

func printS4(r s4Result) bool {
	fmt.Printf("\nS4(b) — the trace replayed over the wire: %s\n", r.path)
	what := "the whole trace"
	if !r.full {
		what = fmt.Sprintf("its first %d transactions (-s4-txns)", r.txns)
	}
	fmt.Printf("  %s: %d transactions (%d patches) → %d ops, one per transaction (patches composed; %d empty ones not sent)\n",
		what, r.txns, r.patches, r.ops, r.empty)
	fmt.Printf("  one connection (the secretariat, subscribed), each op sent after the previous one's acknowledgement\n")
	n := float64(max(r.ops, 1))
	fmt.Printf("  ack RTT: p50 %s, p95 %s, p99 %s, max %s; %.0f ops/s (%d ops in %s)\n",
		figures.Dur(figures.Pct(r.rtt, 0.5)), figures.Dur(figures.Pct(r.rtt, 0.95)), figures.Dur(figures.Pct(r.rtt, 0.99)),
		figures.Dur(figures.Pct(r.rtt, 1)), float64(r.ops)/r.wall.Seconds(), r.ops, r.wall.Round(10*time.Millisecond))
	fmt.Printf("  CPU per op: server %s, load generator %s; server %.0f%% of one core; other processes %.0f%% of one core\n",
		figures.Dur(time.Duration(float64(r.serverCPU)/n)), figures.Dur(time.Duration(float64(r.selfCPU)/n)),
		100*r.serverCPU.Seconds()/r.wall.Seconds(), 100*r.others)
	ok := r.got == r.want
	target := "endContent"
	if !r.full {
		target = "the local replay of those transactions"
	}
	if ok {
		fmt.Printf("  final fetch (fresh connection): v %d, %d code points, equals %s: yes\n", r.version, utf8.RuneCountInString(r.got), target)
	} else {
		fmt.Printf("  final fetch (fresh connection): v %d, %d code points, equals %s (%d code points): NO, first difference at byte %d\n",
			r.version, utf8.RuneCountInString(r.got), target, utf8.RuneCountInString(r.want), firstDiff(r.got, r.want))
	}
	return ok
}

func firstDiff(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
