package main

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// serverProc is the server under test: always a separate process, reached over loopback.
type serverProc struct {
	addr      string // 127.0.0.1:port of the API
	debugAddr string // in-process variant only: 127.0.0.1:port of /memstats and /debug/pprof
	pid       int
	dir       string
	logPath   string
	cmd       *exec.Cmd
}

const (
	adminEmail    = "secretariat@bench.example.org"
	adminPassword = "bench-secretariat-password"
)

// startServer starts the server on a fresh data directory and returns when /api/health answers.
// mode "binary" runs the real binary; "inproc" re-runs this program as a child that wires the
// same packages (see inproc.go) and also serves runtime.MemStats and pprof on a second port.
func startServer(mode, bin string) (*serverProc, error) {
	dir, err := os.MkdirTemp("", "plenary-bench-ws-")
	if err != nil {
		return nil, err
	}
	p := &serverProc{addr: freeAddr(), dir: dir, logPath: filepath.Join(dir, "server.log")}
	var cmd *exec.Cmd
	switch mode {
	case "binary":
		cmd = exec.Command(bin)
	case "inproc":
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		p.debugAddr = freeAddr()
		cmd = exec.Command(self, "-child-serve")
	default:
		return nil, fmt.Errorf("-server: %q must be binary or inproc", mode)
	}
	cmd.Env = append(os.Environ(),
		"PLENARY_ADDR="+p.addr,
		"PLENARY_DATA_DIR="+filepath.Join(dir, "data"),
		"PLENARY_ADMIN_EMAIL="+adminEmail,
		"PLENARY_ADMIN_PASSWORD="+adminPassword,
		"PLENARY_POST_RATE=off",
		"PLENARY_DEMO=0",
		"MONGODB_URI=",
		"BENCH_DEBUG_ADDR="+p.debugAddr,
	)
	logf, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = io.Discard
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w (build it first: go build -o bin/plenary .)", bin, err)
	}
	logf.Close()
	p.cmd, p.pid = cmd, cmd.Process.Pid
	t0 := time.Now()
	for {
		resp, err := http.Get("http://" + p.addr + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
		if time.Since(t0) > 60*time.Second {
			p.stop()
			return nil, fmt.Errorf("the server did not become healthy in 60 s; log: %s", p.logTail())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *serverProc) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
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

// memStats is what the in-process variant reports (after a forced GC).
type memStats struct {
	HeapAlloc   uint64 `json:"heap_alloc"`
	HeapInuse   uint64 `json:"heap_inuse"`
	StackInuse  uint64 `json:"stack_inuse"`
	Sys         uint64 `json:"sys"`
	Goroutines  int    `json:"goroutines"`
	NumGC       uint32 `json:"num_gc"`
	HeapObjects uint64 `json:"heap_objects"`
}

func (p *serverProc) memStats() (memStats, bool) {
	var m memStats
	if p.debugAddr == "" {
		return m, false
	}
	resp, err := http.Get("http://" + p.debugAddr + "/memstats")
	if err != nil {
		return m, false
	}
	defer resp.Body.Close()
	if json.NewDecoder(resp.Body).Decode(&m) != nil {
		return m, false
	}
	return m, true
}

// fetchProfile saves /debug/pprof/<name> of the in-process variant (e.g. "heap").
func (p *serverProc) fetchProfile(name, path string) error {
	if p.debugAddr == "" {
		return fmt.Errorf("profiles need -server inproc")
	}
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/%s", p.debugAddr, name))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

// cpuProfile fetches a CPU profile of the in-process variant over the given duration.
func (p *serverProc) cpuProfile(d time.Duration, path string) error {
	if p.debugAddr == "" {
		return fmt.Errorf("CPU profiles need -server inproc")
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.debugAddr, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

// procStat is one reading of /proc/<pid>: resident memory and CPU time consumed.
type procStat struct {
	rssKB   int64
	cpu     time.Duration // utime + stime
	threads int
	at      time.Time
}

const clockTicks = 100 // USER_HZ on Linux

func readProc(pid int) procStat {
	st := procStat{at: time.Now()}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "VmRSS:"):
				st.rssKB, _ = strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			case strings.HasPrefix(line, "Threads:"):
				st.threads, _ = strconv.Atoi(strings.Fields(line)[1])
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// The command name (field 2) is in parentheses and may hold spaces: split after it.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			// f[0] is field 3 (state); utime and stime are fields 14 and 15.
			if len(f) > 12 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				stt, _ := strconv.ParseInt(f[12], 10, 64)
				st.cpu = time.Duration(ut+stt) * time.Second / clockTicks
			}
		}
	}
	return st
}

func freeAddr() string {
	addr, err := loopback.FreeAddr()
	if err != nil {
		fail("%v", err)
	}
	return addr
}
