package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"plenary/bench/internal/loopback"
	"plenary/bench/internal/serverproc"
)

// serverProc is the server under test: always a separate process, reached over loopback
// (started, health-checked, logged and stopped by serverproc).
type serverProc struct {
	*serverproc.Proc
	debugAddr string // in-process variant only: 127.0.0.1:port of /memstats and /debug/pprof
}

// startServer starts the server on a fresh data directory and returns when /api/health answers.
// mode "binary" runs the real binary; "inproc" re-runs this program as a child that wires the
// same packages (see inproc.go) and also serves runtime.MemStats and pprof on a second port.
func startServer(mode, bin string) (*serverProc, error) {
	const dirPrefix = "plenary-bench-ws-"
	switch mode {
	case "binary":
		p, err := serverproc.Start(bin, dirPrefix)
		if err != nil {
			return nil, err
		}
		return &serverProc{Proc: p}, nil
	case "inproc":
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		debugAddr, err := loopback.FreeAddr()
		if err != nil {
			return nil, err
		}
		p, err := serverproc.StartCommand(self, []string{"-child-serve"}, []string{"BENCH_DEBUG_ADDR=" + debugAddr}, dirPrefix)
		if err != nil {
			return nil, err
		}
		return &serverProc{Proc: p, debugAddr: debugAddr}, nil
	default:
		return nil, fmt.Errorf("-server: %q must be binary or inproc", mode)
	}
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
	return download(fmt.Sprintf("http://%s/debug/pprof/%s", p.debugAddr, name), path)
}

// cpuProfile fetches a CPU profile of the in-process variant over the given duration.
func (p *serverProc) cpuProfile(d time.Duration, path string) error {
	if p.debugAddr == "" {
		return fmt.Errorf("CPU profiles need -server inproc")
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	return download(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.debugAddr, secs), path)
}

// download saves the body of GET url into the file path.
func download(url, path string) error {
	resp, err := http.Get(url)
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

// readProc reads pid's resident memory and threads from /proc/<pid>/status and its CPU time
// with serverproc.CPUTime.
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
	st.cpu = serverproc.CPUTime(pid)
	return st
}
