package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"plenary/bench/internal/loopback"
)

// serverProc is the real binary under test: a separate process on a fresh data directory,
// reached over loopback. Its JSON request log (stderr) goes to a file, from which requestTimes
// reads the server's own time per request.
type serverProc struct {
	addr, dir, logPath string
	cmd                *exec.Cmd
}

const (
	adminEmail    = "secretariat@bench.example.org"
	adminPassword = "bench-secretariat-password"
)

func startServer(bin string) (*serverProc, error) {
	dir, err := os.MkdirTemp("", "plenary-bench-meetings-")
	if err != nil {
		return nil, err
	}
	p := &serverProc{addr: freeAddr(), dir: dir, logPath: filepath.Join(dir, "server.log")}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"PLENARY_ADDR="+p.addr,
		"PLENARY_DATA_DIR="+filepath.Join(dir, "data"),
		"PLENARY_ADMIN_EMAIL="+adminEmail,
		"PLENARY_ADMIN_PASSWORD="+adminPassword,
		"PLENARY_POST_RATE=off",
		"PLENARY_DEMO=0",
		"MONGODB_URI=",
	)
	logf, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = io.Discard, logf
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w (build it first: go build -o bin/plenary .)", bin, err)
	}
	p.cmd = cmd
	for t0 := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		if resp, err := http.Get("http://" + p.addr + "/api/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
		if time.Since(t0) > 60*time.Second {
			p.stop()
			return nil, fmt.Errorf("the server did not become healthy in 60 s; log: %s", p.logTail())
		}
	}
}

func (p *serverProc) pid() int { return p.cmd.Process.Pid }

func (p *serverProc) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(p.dir)
}

func (p *serverProc) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// requestTimes returns the "duration" of every logged request whose X-Request-ID was tag: the
// server's time from its first middleware to the response body being ready (authentication, store
// read, JSON encoding; not HTTP parsing and not writing to the socket).
func (p *serverProc) requestTimes(tag string) []time.Duration {
	f, err := os.Open(p.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []time.Duration
	key := []byte(`"request_id":"` + tag + `"`)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Bytes(); bytes.Contains(line, key) {
			if ns := number(line, `"duration":`); ns >= 0 {
				out = append(out, time.Duration(ns))
			}
		}
	}
	return out
}

// cpuTime is the CPU time (user + system) a process has used so far, from /proc (Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3; utime and stime are fields 14 and 15
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// cpuSnap is one reading of the CPU used so far by the server, this process and the whole machine.
type cpuSnap struct {
	at                  time.Time
	server, self, total time.Duration
}

func snapCPU(srv *serverProc) cpuSnap {
	c := cpuSnap{at: time.Now(), server: cpuTime(srv.pid()), self: cpuTime(os.Getpid())}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		// cpu  user nice system idle iowait irq softirq steal …
		if f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]); len(f) > 8 && f[0] == "cpu" {
			for _, i := range []int{1, 2, 3, 6, 7, 8} {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				c.total += time.Duration(n) * time.Second / 100
			}
		}
	}
	return c
}

// others is the share of one core that processes other than the server and this load generator
// used between a and b: a machine shared with other work makes the figures worse.
func (a cpuSnap) others(b cpuSnap) float64 {
	other := (b.total - a.total) - (b.server - a.server) - (b.self - a.self)
	return max(0, other.Seconds()/b.at.Sub(a.at).Seconds())
}

func freeAddr() string {
	addr, err := loopback.FreeAddr()
	if err != nil {
		fail("%v", err)
	}
	return addr
}

// number returns the non-negative integer that follows key in line (-1 if none).
func number(line []byte, key string) int64 {
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return -1
	}
	n, found := int64(0), false
	for _, b := range line[i+len(key):] {
		if b < '0' || b > '9' {
			break
		}
		n, found = n*10+int64(b-'0'), true
	}
	if !found {
		return -1
	}
	return n
}
