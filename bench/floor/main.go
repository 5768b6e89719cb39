// Command floor measures what the kernel alone charges for the fan-out benchmark's deliveries on
// this machine: n loopback TCP connections, one process writing small frames to them round-robin
// at a fixed rate with plain non-blocking write calls, one goroutine reading them all through
// epoll. Nothing else runs: no websocket framing, no JSON, no store. The CPU it reports for a
// rate is a floor under any server and load generator that make one write per delivery on the
// same two cores (docs/benchmarks.md).
//
//	go run ./bench/floor [-conns 5000] [-size 320] [-rates 25000,50000,100000] [-batch 1]
//	go run ./bench/floor -conns 2000 -burst 5   # one post's fan-out to 2,000 connections, timed
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	conns := flag.Int("conns", 5000, "loopback connections (at most 9,000: one process may open 20,000 files)")
	size := flag.Int("size", 320, "bytes per delivered message (a 200-byte post's event envelope is ≈ 320)")
	rates := flag.String("rates", "25000,50000,100000", "deliveries per second to measure, comma separated")
	batch := flag.Int("batch", 1, "messages per write (1: one write per delivery)")
	dur := flag.Duration("duration", 3*time.Second, "measuring time per rate")
	bursts := flag.Int("burst", 0, "instead of rates: this many bursts of one message to every connection, written by two goroutines, timed until all are read")
	flag.Parse()
	if *conns < 1 || *conns > 9000 || *size < 1 || *batch < 1 {
		fail("bad sizes")
	}
	fmt.Printf("machine: %d CPUs, %s/%s, %s; %d loopback connections, %d-byte messages, %d per write\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), *conns, *size, *batch)
	writers, readers := connect(*conns)
	go readAll(readers)
	if *bursts > 0 {
		burst(writers, *size, *bursts)
		return
	}
	msg := make([]byte, *size**batch)
	fmt.Printf("  %12s %10s %10s %12s\n", "deliveries/s", "writes/s", "CPU", "µs/write")
	for _, f := range strings.Split(*rates, ",") {
		rate, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || rate <= 0 {
			fail("-rates: %q", f)
		}
		writesPerSec := float64(rate) / float64(*batch)
		c0, t0 := cpuTime(), time.Now()
		sent := 0
		for time.Since(t0) < *dur {
			for due := int(time.Since(t0).Seconds() * writesPerSec); sent < due; sent++ {
				_, _ = syscall.Write(writers[sent%len(writers)], msg)
			}
			time.Sleep(200 * time.Microsecond)
		}
		wall := time.Since(t0)
		cpu := cpuTime() - c0
		fmt.Printf("  %12.0f %10.0f %9.0f%% %12.1f\n", float64(sent**batch)/wall.Seconds(), float64(sent)/wall.Seconds(),
			100*cpu.Seconds()/wall.Seconds(), float64(cpu.Microseconds())/float64(sent))
	}
}

// connect opens n loopback connections and returns the descriptors of both ends, non-blocking.
func connect(n int) (writers, readers []int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("%v", err)
	}
	defer ln.Close()
	fd := func(c net.Conn) int {
		f, err := c.(*net.TCPConn).File() // a duplicate in blocking mode, set non-blocking below
		if err != nil {
			fail("%v", err)
		}
		files = append(files, f) // its finalizer would close the descriptor
		d := int(f.Fd())
		if err := syscall.SetNonblock(d, true); err != nil {
			fail("%v", err)
		}
		return d
	}
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fail("%v", err)
		}
		s, err := ln.Accept()
		if err != nil {
			fail("%v", err)
		}
		writers, readers = append(writers, fd(s)), append(readers, fd(c))
	}
	return writers, readers
}

// files keeps the duplicated descriptors open.
var files []*os.File

// readAll reads every connection through one edge-triggered epoll instance, with two goroutines
// (the fan-out benchmark's load generator reads with two).
func readAll(fds []int) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		fail("%v", err)
	}
	for i, fd := range fds {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | -syscall.EPOLLET, Fd: int32(i)}
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			fail("%v", err)
		}
	}
	for range 2 {
		go func() {
			events := make([]syscall.EpollEvent, 512)
			buf := make([]byte, 64<<10)
			for {
				k, err := syscall.EpollWait(ep, events, -1)
				if err != nil {
					continue // EINTR
				}
				for _, ev := range events[:k] {
					for {
						m, err := syscall.Read(fds[ev.Fd], buf)
						if m > 0 {
							received.Add(int64(m))
						}
						if err != nil || m < len(buf) {
							break
						}
					}
				}
			}
		}()
	}
}

// received counts the bytes read.
var received atomic.Int64

// burst writes one message to every connection, from two goroutines, and times it until the
// readers have every byte.
func burst(writers []int, size, n int) {
	msg := make([]byte, size)
	for range n {
		want := received.Load() + int64(len(writers)*size)
		t0 := time.Now()
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for i := w; i < len(writers); i += 2 {
					_, _ = syscall.Write(writers[i], msg)
				}
			})
		}
		wg.Wait()
		written := time.Since(t0)
		for received.Load() < want {
			time.Sleep(20 * time.Microsecond)
		}
		fmt.Printf("  burst to %d connections: written in %s, all read in %s\n", len(writers), written.Round(10*time.Microsecond), time.Since(t0).Round(10*time.Microsecond))
		time.Sleep(200 * time.Millisecond)
	}
}

func cpuTime() time.Duration {
	var r syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/floor: "+format+"\n", args...)
	os.Exit(1)
}
