package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// statusKiB reads a "Vm…:" field (kB) of /proc/<pid>/status; -1 if it cannot.
func statusKiB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return -1
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// rssSampler reads a process's VmRSS every interval, from its start to Stop.
type rssSampler struct {
	pid     int
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	base    int64 // KiB, the reading at the start
	peak    int64 // KiB
	samples int
	hwmOK   bool // VmHWM was reset at the start (clear_refs), so it is this window's peak
}

// sampleRSS takes the first reading (the baseline) and starts sampling. It also resets the
// process's VmHWM (writing 5 to /proc/<pid>/clear_refs, allowed for one's own children) so that a
// peak between two samples is seen too.
func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	s.hwmOK = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
	s.base = statusKiB(pid, "VmRSS")
	s.peak, s.samples = s.base, 1
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.take()
			}
		}
	}()
	return s
}

func (s *rssSampler) take() {
	v := statusKiB(s.pid, "VmRSS")
	s.mu.Lock()
	s.peak = max(s.peak, v)
	s.samples++
	s.mu.Unlock()
}

// rssWindow is what a sampler saw: KiB.
type rssWindow struct {
	base, peak, end, hwm int64 // hwm: VmHWM at the end, -1 when it could not be reset
	samples              int
}

func (w rssWindow) growth() int64 { return w.peak - w.base }

// hwmGrowth is the growth by VmHWM (-1 when unknown).
func (w rssWindow) hwmGrowth() int64 {
	if w.hwm < 0 {
		return -1
	}
	return w.hwm - w.base
}

// Stop takes a last reading and ends the sampling.
func (s *rssSampler) Stop() rssWindow {
	s.take()
	close(s.stop)
	<-s.done
	w := rssWindow{base: s.base, peak: s.peak, end: statusKiB(s.pid, "VmRSS"), hwm: -1, samples: s.samples}
	if s.hwmOK {
		w.hwm = statusKiB(s.pid, "VmHWM")
	}
	return w
}

// gcTrace summarizes the server's GODEBUG=gctrace=1 lines (in its log, stderr) written between
// two offsets of the log: the largest heap at a collection's start and the largest goal, MB.
type gcTrace struct {
	gcs           int
	maxHeap, goal int64
	maxLive       int64
	lastLive      int64
	found         bool
}

// readGCTrace parses lines "gc N @… …: A->B->C MB, D MB goal, …" of path from offset on.
func readGCTrace(path string, offset int64) gcTrace {
	var t gcTrace
	f, err := os.Open(path)
	if err != nil {
		return t
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		return t
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("gc ")) {
			continue
		}
		i := bytes.Index(line, []byte(" MB, "))
		if i < 0 {
			continue
		}
		// the field before " MB, " is A->B->C
		j := bytes.LastIndexByte(line[:i], ' ')
		abc := strings.Split(string(line[j+1:i]), "->")
		if len(abc) != 3 {
			continue
		}
		a, _ := strconv.ParseInt(abc[0], 10, 64)
		c, _ := strconv.ParseInt(abc[2], 10, 64)
		goal := int64(-1)
		if k := bytes.Index(line, []byte(" MB goal")); k > 0 {
			l := bytes.LastIndexByte(line[:k], ' ')
			goal, _ = strconv.ParseInt(string(line[l+1:k]), 10, 64)
		}
		t.found = true
		t.gcs++
		t.maxHeap = max(t.maxHeap, a)
		t.maxLive = max(t.maxLive, c)
		t.lastLive = c
		t.goal = max(t.goal, goal)
	}
	return t
}

// logSize is the current size of the server's log, where a window of gctrace lines starts.
func logSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func mib(kib int64) string {
	if kib < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(kib)/1024)
}
