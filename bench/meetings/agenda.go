package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"plenary/bench/internal/serverproc"
)

// agendaResult is figure 1 for one reader.
type agendaResult struct {
	who          string
	shown        string // agenda_shown in the answer: "published" or "draft"
	size         int    // response body bytes
	participants int    // entries in the answer's participant list
	partBytes    int    // bytes of that list
	requests     int
	failed       int64
	firstErr     string
	elapsed      time.Duration
	latency      []time.Duration // client side, sorted
	server       []time.Duration // the server's own time (request log), sorted
	serverCPU    time.Duration
	others       float64 // CPU of other processes on the machine, in cores
	dials        int64
}

// agendaLoad sends GET /api/meetings/{id} as one reader from `conns` keep-alive connections for d.
// Every request carries X-Request-ID tag, by which the server's request log is matched afterwards.
func agendaLoad(ctx context.Context, srv *serverproc.Proc, meetingID, token, who string, conns int, d time.Duration) (agendaResult, error) {
	r := agendaResult{who: who}
	tag := fmt.Sprintf("bench-agenda-%s-%d", who, time.Now().UnixNano())
	transport := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			atomic.AddInt64(&r.dials, 1)
			return (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, network, addr)
		}}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	url := "http://" + srv.Addr + "/api/meetings/" + meetingID
	get := func(buf []byte) ([]byte, error) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Request-ID", tag)
		resp, err := client.Do(req)
		if err != nil {
			return buf, err
		}
		defer resp.Body.Close()
		buf, err = readAll(resp.Body, buf[:0])
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d: %.200s", resp.StatusCode, buf)
		}
		return buf, err
	}

	// One request to check the answer and measure it (not counted: it is also a warm-up).
	body, err := get(nil)
	if err != nil {
		return r, fmt.Errorf("GET /api/meetings/%s as %s: %w", meetingID, who, err)
	}
	var m meetingView
	if err := json.Unmarshal(body, &m); err != nil {
		return r, err
	}
	r.size, r.shown, r.participants = len(body), m.Shown, len(m.Participants)
	for _, p := range m.Participants {
		r.partBytes += len(p) + 1
	}

	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		lat []time.Duration
	)
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	cpu0, start := snapCPU(srv), time.Now()
	for range conns {
		wg.Go(func() {
			mine := make([]time.Duration, 0, 4096)
			buf := make([]byte, 0, 2*len(body))
			for lctx.Err() == nil {
				t0 := time.Now()
				var err error
				buf, err = get(buf)
				if err != nil {
					mu.Lock()
					r.failed++
					if r.firstErr == "" {
						r.firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	cpu1 := snapCPU(srv)
	r.serverCPU, r.others = cpu1.Server-cpu0.Server, cpu0.Others(cpu1)
	r.requests = len(lat)
	r.latency = sorted(lat)
	time.Sleep(100 * time.Millisecond) // let the last log lines reach the file
	r.server = sorted(srv.RequestTimes(tag))
	return r, nil
}

func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func printAgenda(results []agendaResult, conns int, d time.Duration) {
	fmt.Printf("\nFigure 1 — agenda page: GET /api/meetings/{id}, %d keep-alive connections, %s per row\n", conns, d)
	fmt.Printf("  %-12s %-9s %6s %6s %9s %9s %9s %9s %6s %8s  %-27s %-14s %s\n", "reader", "agenda", "listed", "req/s", "p50", "p95", "p99", "max",
		"failed", "size", "server time p50 / p95 / p99", "server CPU/req", "others")
	for _, r := range results {
		srvTime := "n/a"
		if len(r.server) > 0 {
			srvTime = fmt.Sprintf("%s / %s / %s", fmtDur(pct(r.server, 0.50)), fmtDur(pct(r.server, 0.95)), fmtDur(pct(r.server, 0.99)))
		}
		cpuPerReq := "n/a"
		if r.requests > 0 && r.serverCPU > 0 {
			cpuPerReq = fmtDur(r.serverCPU / time.Duration(r.requests))
		}
		fmt.Printf("  %-12s %-9s %6d %6.0f %9s %9s %9s %9s %6d %6.1fKB  %-27s %-14s %.0f%%\n", r.who, r.shown, r.participants,
			float64(r.requests)/r.elapsed.Seconds(), fmtDur(pct(r.latency, 0.50)), fmtDur(pct(r.latency, 0.95)),
			fmtDur(pct(r.latency, 0.99)), fmtDur(pct(r.latency, 1)), r.failed, float64(r.size)/1024, srvTime, cpuPerReq, 100*r.others)
	}
	for _, r := range results {
		if r.firstErr != "" {
			fmt.Printf("  %s: first failure: %s\n", r.who, r.firstErr)
		}
		if r.dials != int64(conns) {
			fmt.Printf("  %s: %d TCP connections opened (want %d: keep-alive broke)\n", r.who, r.dials, conns)
		}
		if sent := r.requests + int(r.failed) + 1; len(r.server) != sent {
			fmt.Printf("  %s: %d requests in the server log, %d sent\n", r.who, len(r.server), sent)
		}
	}
	last := results[len(results)-1]
	fmt.Printf("  listed: participants in the answer (%d of them take %.1f KB); req/s with the load generator on the same cores\n"+
		"  latency: client side on loopback, request sent → body read; server time: \"duration\" in the server's request log\n"+
		"  (authentication, store read, view, JSON encoding; not HTTP parsing or the socket write); CPU: server process, /proc;\n"+
		"  others: CPU used meanwhile by other processes on the machine (%% of one core; should be ≈0)\n",
		last.participants, float64(last.partBytes)/1024)
}
