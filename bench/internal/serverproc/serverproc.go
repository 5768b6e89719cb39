// Package serverproc runs the real plenary binary for the load generators under bench/: a
// separate process on a fresh data directory (embedded store, PLENARY_POST_RATE=off, no demo
// data), reached over loopback, with its JSON request log (stderr) in a file. It also reads CPU
// times from /proc (Linux) and describes the machine.
package serverproc

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

// The secretariat account the server creates on its first start.
const (
	AdminEmail    = "secretariat@bench.example.org"
	AdminPassword = "bench-secretariat-password"
)

// Proc is the server under test. Its JSON request log (stderr) goes to LogPath, from which
// RequestTimes reads the server's own time per request.
type Proc struct {
	Addr, Dir, LogPath string
	cmd                *exec.Cmd
}

// Start runs bin on a fresh temporary data directory (named after dirPrefix) and returns when
// /api/health answers 200 (at most 60 s).
func Start(bin, dirPrefix string) (*Proc, error) {
	return StartCommand(bin, nil, nil, dirPrefix)
}

// StartCommand is Start for a server that is not the plain binary: it runs name with args and
// adds extraEnv ("KEY=value") to the bench environment. bench/ws needs it for -server inproc,
// which re-runs the bench program itself as the server (`-child-serve`) and tells the child
// where to serve MemStats and pprof (BENCH_DEBUG_ADDR); the start, the health wait, the log and
// Stop are the same as for the binary.
func StartCommand(name string, args, extraEnv []string, dirPrefix string) (*Proc, error) {
	addr, err := loopback.FreeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	p := &Proc{Addr: addr, Dir: dir, LogPath: filepath.Join(dir, "server.log")}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(),
		"PLENARY_ADDR="+p.Addr,
		"PLENARY_DATA_DIR="+filepath.Join(dir, "data"),
		"PLENARY_ADMIN_EMAIL="+AdminEmail,
		"PLENARY_ADMIN_PASSWORD="+AdminPassword,
		"PLENARY_POST_RATE=off",
		"PLENARY_DEMO=0",
		"MONGODB_URI=",
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	logf, err := os.Create(p.LogPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = io.Discard, logf
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w (build it first: go build -o bin/plenary .)", name, err)
	}
	p.cmd = cmd
	for t0 := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		if resp, err := http.Get("http://" + p.Addr + "/api/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
		if time.Since(t0) > 60*time.Second {
			p.Stop()
			return nil, fmt.Errorf("the server did not become healthy in 60 s; log: %s", p.LogTail())
		}
	}
}

// Pid is the server's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Stop interrupts the server (killing it after 20 s) and removes its data directory.
func (p *Proc) Stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(p.Dir)
}

// LogTail is the last 2,000 bytes of the server's log.
func (p *Proc) LogTail() string {
	b, _ := os.ReadFile(p.LogPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// RequestTimes returns the "duration" of every logged request whose X-Request-ID was tag: the
// server's time from its first middleware to the response body being ready (authentication, store
// read, JSON encoding; not HTTP parsing and not writing to the socket).
func (p *Proc) RequestTimes(tag string) []time.Duration {
	f, err := os.Open(p.LogPath)
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
			if ns := Number(line, `"duration":`); ns >= 0 {
				out = append(out, time.Duration(ns))
			}
		}
	}
	return out
}

// CPUTime is the CPU time (user + system) a process has used so far, from /proc (Linux).
func CPUTime(pid int) time.Duration {
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

// CPUSnap is one reading of the CPU used so far by the server, this process and the whole machine.
type CPUSnap struct {
	At                  time.Time
	Server, Self, Total time.Duration
}

// SnapCPU reads the CPU used so far by p, this process and the machine.
func SnapCPU(p *Proc) CPUSnap {
	c := CPUSnap{At: time.Now(), Server: CPUTime(p.Pid()), Self: CPUTime(os.Getpid())}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		// cpu  user nice system idle iowait irq softirq steal …
		if f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]); len(f) > 8 && f[0] == "cpu" {
			for _, i := range []int{1, 2, 3, 6, 7, 8} {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				c.Total += time.Duration(n) * time.Second / 100
			}
		}
	}
	return c
}

// Others is the share of one core that processes other than the server and this load generator
// used between a and b: a machine shared with other work makes the figures worse.
func (a CPUSnap) Others(b CPUSnap) float64 {
	other := (b.Total - a.Total) - (b.Server - a.Server) - (b.Self - a.Self)
	return max(0, other.Seconds()/b.At.Sub(a.At).Seconds())
}

// Number returns the non-negative integer that follows key in line (-1 if none).
func Number(line []byte, key string) int64 {
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

// CPUModel is the processor's model name from /proc/cpuinfo.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "model unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimLeft(name, " \t:"))
		}
	}
	return "model unknown"
}
