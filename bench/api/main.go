// Command api measures the running platform from outside, the way a user meets it: cold start of
// the real binary on an empty embedded store, sign-in latency with the chosen argon2id
// parameters, and GET /api/groups throughput with a valid token.
//
//	go build -o bin/plenary . && go run ./bench/api [-bin bin/plenary] [-duration 10s]
//
// The load generator runs on the same machine as the server and takes part of its CPU; the
// figures are therefore a floor for a dedicated server.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/plenary", "the plenary binary to measure")
	starts := flag.Int("starts", 5, "cold starts to measure")
	logins := flag.Int("logins", 20, "sequential sign-ins to measure")
	duration := flag.Duration("duration", 10*time.Second, "length of the GET /api/groups load")
	conns := flag.Int("conns", 32, "concurrent connections for the load")
	flag.Parse()

	fmt.Printf("machine: %d CPUs, %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())

	for _, demo := range []bool{false, true} {
		var coldStarts []time.Duration
		for range *starts {
			d, stop := startServer(*bin, freeAddr(), demo)
			coldStarts = append(coldStarts, d.elapsed)
			stop()
		}
		what := "empty embedded store"
		if demo {
			what += ", loading the demo data (4 accounts hashed)"
		}
		fmt.Printf("cold start to healthy (%s): %s\n", what, summary(coldStarts))
	}

	srv, stop := startServer(*bin, freeAddr(), true)
	defer stop()
	base := "http://" + srv.addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns * 2}}

	var signIns []time.Duration
	token := ""
	for range *logins {
		t0 := time.Now()
		token = mustLogin(client, base)
		signIns = append(signIns, time.Since(t0))
	}
	fmt.Printf("sign-in (argon2id m=19 MiB, t=2, p=1), sequential: %s\n", summary(signIns))

	var parallel []time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			mustLogin(client, base)
			mu.Lock()
			parallel = append(parallel, time.Since(t0))
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Printf("sign-in, 8 at once (hashing bounded to 4 at a time): %s\n", summary(parallel))

	req := func() error {
		r, _ := http.NewRequest("GET", base+"/api/groups", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(r)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := req(); err != nil {
		fail("GET /api/groups: %v", err)
	}
	var done, failed atomic.Int64
	var lat []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	start := time.Now()
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := req(); err != nil {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
				done.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("GET /api/groups with a valid token (3 groups, %d connections, %s): %.0f requests/s, %d failed, latency %s\n",
		*conns, duration.String(), float64(done.Load())/elapsed.Seconds(), failed.Load(), summary(lat))
}

type server struct {
	addr    string
	elapsed time.Duration
}

// startServer starts the binary on a fresh data directory and returns when /api/health answers.
func startServer(bin, addr string, demo bool) (server, func()) {
	dir, err := os.MkdirTemp("", "plenary-bench-")
	if err != nil {
		fail("%v", err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PLENARY_ADDR="+addr, "PLENARY_DATA_DIR="+dir, "MONGODB_URI=")
	if demo {
		cmd.Env = append(cmd.Env, "PLENARY_DEMO=1")
	}
	out, _ := cmd.StdoutPipe()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		fail("start %s: %v (build it first: go build -o bin/plenary .)", bin, err)
	}
	go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(out)) }()
	for {
		resp, err := http.Get("http://" + addr + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > 30*time.Second {
			fail("server did not become healthy")
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(t0)
	return server{addr: addr, elapsed: elapsed}, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
}

func mustLogin(client *http.Client, base string) string {
	resp, err := client.Post(base+"/api/auth/login", "application/json",
		strings.NewReader(`{"email":"chair@example.org","password":"plenary-demo"}`))
	if err != nil {
		fail("login: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		fail("login: status %d", resp.StatusCode)
	}
	return body.AccessToken
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("%v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func summary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no samples"
	}
	slices.Sort(ds)
	pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return fmt.Sprintf("p50 %s, p95 %s, max %s (n=%d)", pct(0.5).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond),
		ds[len(ds)-1].Round(10*time.Microsecond), len(ds))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
