// Command uploads measures contribution uploads from outside, benchmark S6 of the contributions
// issue: the real binary runs as a separate process on a fresh data directory (embedded store:
// FerretDB with SQLite; PLENARY_MAX_UPLOAD_MB=200, PLENARY_UPLOAD_QUOTA_MB=4096,
// GODEBUG=gctrace=1 unless -gctrace=false), set up through the API (the secretariat signs in and
// creates a meeting), and this process is the client on loopback.
//
//	go build -o bin/plenary . && go run ./bench/uploads [-bin bin/plenary]
//	go run ./bench/uploads -tiny    # under 30 s: small sizes, for smoke runs
//
// The file is a valid PDF generated as it is sent (pdf.go: a header, comment lines of
// random-looking base64 text, a trailer and %%EOF), so neither side holds it in memory: the
// multipart body ("meta" JSON, then "file") is written by a multipart.Writer into an io.Pipe
// feeding the request, with its Content-Length computed beforehand, and its SHA-256 is computed as
// the bytes go out.
//
// S6, run -runs times (default 3), each run on a fresh server and a fresh store:
//   - HTTP: POST /api/meetings/{id}/contributions of a -size-mib (100) MiB PDF as the secretariat.
//     Timed from sending the request to reading the 201 answer. Meanwhile this process reads the
//     server's VmRSS from /proc/<pid>/status every -sample (20 ms), the first reading just before
//     the request: "RSS +" is the highest reading minus the first (goal ≤ 32 MiB); "HWM +" is the
//     server's VmHWM at the end minus the same first reading (VmHWM is reset through
//     /proc/<pid>/clear_refs first, so it catches a peak between two readings). The server's CPU
//     (utime + stime) and this process's (generator, SHA-256, client) over the same time; with
//     gctrace, the largest heap at the start of a collection and the largest heap goal the server
//     reported meanwhile.
//   - Checks: the answer's sha256 and size equal the bytes sent; then the secretariat accepts and
//     publishes the document and downloads its stable address (GET /api/contributions/{id}/file)
//     whole: the SHA-256 of what arrives must be the same (timed, reported as download MiB/s;
//     -skip-download skips it); and two ranges of it, the first KiB (Content-Range gives the
//     stored size) and the last, must be 206 with the file's bytes. A failed check is printed and
//     the run goes on; the command then exits non-zero.
//   - Direct: the same bytes (same seed) written through the driver's GridFS bucket
//     (go.mongodb.org/mongo-driver/v2, default 255 KiB chunks, the server's bucket name) into an
//     embedded store started in this process by store.Open on a fresh temporary directory, after
//     the server has stopped. Timed from OpenUploadStream to Close; this process's VmRSS growth
//     and CPU over that time are shown too (driver, FerretDB and SQLite, generator).
//   - Ratio: HTTP MiB/s ÷ direct MiB/s of the same run (goal ≥ 0.9). The median row is the median
//     of each column.
//
// Parallel: on a fresh server, -parallel (10) participants of the meeting (invited, accepted,
// added) each upload a -parallel-mib (10) MiB PDF at the same moment, each answer checked as
// above: total MiB ÷ the time from the first request to the last answer, each upload's time, and
// the server's RSS growth, VmHWM growth and CPU as above.
//
// The client shares the machine's cores with the server; the figures are a floor for a dedicated
// server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"plenary/bench/internal/figures"
	"plenary/bench/internal/serverproc"
)

type options struct {
	bin                   string
	runs                  int
	sizeMiB               int
	parallel, parallelMiB int
	sample                time.Duration
	gctrace, skipDownload bool
	timeout               time.Duration
	goalRSSMiB, goalRatio float64
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/plenary", "the plenary binary")
	flag.IntVar(&o.runs, "runs", 3, "S6: runs of the pair (HTTP upload, direct write)")
	flag.IntVar(&o.sizeMiB, "size-mib", 100, "S6: the file's size, MiB (the server is started with PLENARY_MAX_UPLOAD_MB=200)")
	flag.IntVar(&o.parallel, "parallel", 10, "parallel uploads, each from its own participant account (0: skip)")
	flag.IntVar(&o.parallelMiB, "parallel-mib", 10, "the size of each parallel upload, MiB")
	flag.DurationVar(&o.sample, "sample", 20*time.Millisecond, "interval of the VmRSS readings")
	flag.BoolVar(&o.gctrace, "gctrace", true, "run the server with GODEBUG=gctrace=1 and report its largest heap during the upload")
	flag.BoolVar(&o.skipDownload, "skip-download", false, "S6: check the stored file by the upload's answer only, not by downloading it")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound on the whole run")
	tiny := flag.Bool("tiny", false, "small sizes for a quick smoke run (2 runs of 8 MiB, 4 parallel uploads of 2 MiB)")
	flag.Parse()
	if *tiny {
		o.runs, o.sizeMiB, o.parallel, o.parallelMiB, o.timeout = 2, 8, 4, 2, time.Minute
	}
	if o.runs < 1 || o.sizeMiB < 1 || o.sizeMiB > 200 || o.parallel < 0 || o.parallel > 100 || o.parallelMiB < 1 || o.parallelMiB > 200 {
		fail("-runs must be at least 1, -size-mib and -parallel-mib 1 to 200, -parallel 0 to 100")
	}
	o.goalRSSMiB, o.goalRatio = 32, 0.9
	if err := run(o); err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/uploads: "+format+"\n", args...)
	os.Exit(1)
}

func cpuSelf() time.Duration { return serverproc.CPUTime(os.Getpid()) }

// s6Run is one run of the pair.
type s6Run struct {
	http           uploaded
	startRSS       int64 // the server's VmRSS (KiB) once healthy, before the sign-in
	rss            rssWindow
	srvCPU, genCPU time.Duration
	gc             gcTrace
	direct         direct
	download       time.Duration
	downloadErr    error    // the full download of the stable address failed or differed
	ranges         []string // the range checks: "bytes=0-1023 ok" or the failure
	skipped        bool     // -skip-download
	failed         bool     // a check failed
}

func (r s6Run) httpRate() float64   { return rate(r.http.size, r.http.elapsed) }
func (r s6Run) directRate() float64 { return rate(r.http.size, r.direct.elapsed) }
func (r s6Run) ratio() float64      { return r.httpRate() / r.directRate() }

func rate(size int64, d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }

func run(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	fmt.Printf("machine: %d CPUs (%s), %s/%s, %s; server: %s (embedded store); figures from `go run ./bench/uploads`\n",
		runtime.NumCPU(), serverproc.CPUModel(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.bin)
	t0 := time.Now()
	size := int64(o.sizeMiB) << 20
	fmt.Printf("\nS6 — one %d MiB PDF: HTTP upload to the real binary (fresh server per run) vs a direct GridFS write of the same bytes\n", o.sizeMiB)
	fmt.Printf("  through the driver (255 KiB chunks) into an embedded store in this process; VmRSS read every %s\n", o.sample)
	var runs []s6Run
	for i := range o.runs {
		r, err := runS6(ctx, o, size, uint64(i+1))
		if err != nil {
			return fmt.Errorf("S6 run %d: %w", i+1, err)
		}
		runs = append(runs, r)
	}
	printS6(o, runs)
	failed := slices.ContainsFunc(runs, func(r s6Run) bool { return r.failed })
	if o.parallel > 0 {
		p, err := runParallel(ctx, o)
		if err != nil {
			return fmt.Errorf("parallel uploads: %w", err)
		}
		printParallel(o, p)
	}
	fmt.Printf("\ntotal time %s\n", time.Since(t0).Round(time.Second))
	if failed {
		return fmt.Errorf("a check failed (see above)")
	}
	return nil
}

func runS6(ctx context.Context, o options, size int64, seed uint64) (s6Run, error) {
	var r s6Run
	w, err := startWorld(ctx, o.bin, 0, o.gctrace)
	if err != nil {
		return r, err
	}
	stopped := false
	defer func() {
		if !stopped {
			w.srv.Stop()
		}
	}()
	pid := w.srv.Pid()
	r.startRSS = w.startRSS
	time.Sleep(200 * time.Millisecond) // let the start-up settle before the baseline reading
	logAt := logSize(w.srv.LogPath)
	srv0, gen0 := serverproc.CPUTime(pid), cpuSelf()
	rss := sampleRSS(pid, o.sample)
	up, err := w.upload(ctx, w.admin, size, seed, fmt.Sprintf("Report of the working group on benchmarks, run %d", seed))
	r.rss = rss.Stop()
	r.srvCPU, r.genCPU = serverproc.CPUTime(pid)-srv0, cpuSelf()-gen0
	r.http = up
	if err != nil {
		return r, fmt.Errorf("%w (server log: %s)", err, w.srv.LogTail())
	}
	r.gc = readGCTrace(w.srv.LogPath, logAt)
	if _, err := w.publish(up.doc.ID); err != nil {
		return r, err
	}
	r.skipped = o.skipDownload
	if !o.skipDownload {
		sum, n, d, err := w.download(ctx, up.doc.ID)
		switch {
		case err != nil:
			r.downloadErr = err
		case sum != up.sha256 || n != size:
			r.downloadErr = fmt.Errorf("the stable address returned %d bytes with SHA-256 %s; uploaded %d bytes with %s", n, sum, size, up.sha256)
		default:
			r.download = d
		}
	}
	// Ranges: the first KiB (its Content-Range also gives the stored size) and the last KiB.
	for _, c := range []struct {
		spec    string
		from, n int64
	}{{"bytes=0-1023", 0, 1024}, {"bytes=-1024", size - 1024, 1024}} {
		if err := w.checkRange(ctx, up.doc.ID, c.spec, size, seed, c.from, c.n); err != nil {
			r.ranges = append(r.ranges, "FAILED "+err.Error())
			r.failed = true
		} else {
			r.ranges = append(r.ranges, c.spec+" ok")
		}
	}
	r.failed = r.failed || r.downloadErr != nil
	w.srv.Stop()
	stopped = true
	r.direct, err = writeDirect(ctx, size, seed, o.sample)
	if err != nil {
		return r, err
	}
	if r.direct.sha256 != up.sha256 {
		return r, fmt.Errorf("the direct write's bytes have SHA-256 %s, the upload's %s: not the same bytes", r.direct.sha256, up.sha256)
	}
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func col(runs []s6Run, f func(s6Run) float64) float64 {
	var xs []float64
	for _, r := range runs {
		xs = append(xs, f(r))
	}
	return median(xs)
}

func kibF(kib int64) float64 { return float64(kib) }

func printS6(o options, runs []s6Run) {
	fmt.Printf("  %-6s %8s %8s %8s %8s %6s | %9s %8s %8s %8s %8s %9s %8s %9s | %8s %8s\n",
		"run", "HTTP", "MiB/s", "direct", "MiB/s", "ratio",
		"RSS base", "RSS +", "HWM +", "srv CPU", "% core", "heap max", "goal", "gen CPU",
		"dir RSS+", "dir CPU")
	row := func(name string, httpD, dirD time.Duration, hr, dr, ratio float64, base, grow, hwm float64, srvCPU time.Duration,
		core float64, heap, goal string, gen time.Duration, dirRSS float64, dirCPU time.Duration) {
		h := "-"
		if hwm >= 0 {
			h = fmt.Sprintf("%.1f", hwm/1024)
		}
		fmt.Printf("  %-6s %8s %8.1f %8s %8.1f %6.2f | %9.1f %8.1f %8s %8s %7.0f%% %9s %8s %9s | %8.1f %8s\n",
			name, figures.Dur(httpD), hr, figures.Dur(dirD), dr, ratio, base/1024, grow/1024, h, figures.Dur(srvCPU), core,
			heap, goal, figures.Dur(gen), dirRSS/1024, figures.Dur(dirCPU))
	}
	mb := func(t gcTrace, v int64) string {
		if !t.found {
			return "-"
		}
		return fmt.Sprintf("%d MB", v)
	}
	for i, r := range runs {
		row(fmt.Sprint(i+1), r.http.elapsed, r.direct.elapsed, r.httpRate(), r.directRate(), r.ratio(),
			kibF(r.rss.base), kibF(r.rss.growth()), kibF(r.rss.hwmGrowth()), r.srvCPU, 100*r.srvCPU.Seconds()/r.http.elapsed.Seconds(),
			mb(r.gc, r.gc.maxHeap), mb(r.gc, r.gc.goal), r.genCPU, kibF(r.direct.rss.growth()), r.direct.cpu)
	}
	d := func(f func(s6Run) time.Duration) time.Duration {
		return time.Duration(col(runs, func(r s6Run) float64 { return float64(f(r)) }))
	}
	hwm := col(runs, func(r s6Run) float64 { return kibF(r.rss.hwmGrowth()) })
	if slices.ContainsFunc(runs, func(r s6Run) bool { return r.rss.hwm < 0 }) {
		hwm = -1
	}
	row("median", d(func(r s6Run) time.Duration { return r.http.elapsed }), d(func(r s6Run) time.Duration { return r.direct.elapsed }),
		col(runs, s6Run.httpRate), col(runs, s6Run.directRate), col(runs, s6Run.ratio),
		col(runs, func(r s6Run) float64 { return kibF(r.rss.base) }), col(runs, func(r s6Run) float64 { return kibF(r.rss.growth()) }), hwm,
		d(func(r s6Run) time.Duration { return r.srvCPU }), col(runs, func(r s6Run) float64 { return 100 * r.srvCPU.Seconds() / r.http.elapsed.Seconds() }),
		"", "", d(func(r s6Run) time.Duration { return r.genCPU }),
		col(runs, func(r s6Run) float64 { return kibF(r.direct.rss.growth()) }), d(func(r s6Run) time.Duration { return r.direct.cpu }))
	fmt.Printf("  HTTP: request sent → 201 read; direct: OpenUploadStream → Close; ratio: HTTP ÷ direct MiB/s; RSS (MiB): base = server VmRSS just before\n")
	fmt.Printf("  the request, + = highest reading − base (every %s: %s readings), HWM + = VmHWM (reset first) − base; srv CPU: utime+stime\n",
		o.sample, samplesText(runs))
	fmt.Printf("  during the upload; heap max/goal: server gctrace; gen CPU: this process; dir RSS+/CPU: this process while writing directly\n")
	for i, r := range runs {
		line := fmt.Sprintf("  run %d: answer's sha256 (%s…) and size ok; stable address after accept+publish: ", i+1, r.http.sha256[:12])
		switch {
		case r.skipped:
			line += "full download skipped"
		case r.downloadErr != nil:
			line += "full download FAILED: " + r.downloadErr.Error()
		default:
			line += fmt.Sprintf("full download, same SHA-256 (%.1f MiB/s)", rate(r.http.size, r.download))
		}
		line += "; ranges " + strings.Join(r.ranges, ", ") + "; direct: same bytes and stored length"
		line += fmt.Sprintf("; server RSS once healthy %s MiB, peak − that %s MiB", mib(r.startRSS), mib(r.rss.peak-r.startRSS))
		if r.gc.found {
			line += fmt.Sprintf("; %d server GCs, live heap after the last %d MB", r.gc.gcs, r.gc.lastLive)
		}
		fmt.Println(line)
	}
	grow := col(runs, func(r s6Run) float64 { return kibF(r.rss.growth()) }) / 1024
	ratio := col(runs, s6Run.ratio)
	fmt.Printf("  goal, server RSS growth ≤ %.0f MiB: %s (median %.1f MiB, max %.1f MiB)\n", o.goalRSSMiB, verdict(grow <= o.goalRSSMiB), grow,
		slices.Max(colAll(runs, func(r s6Run) float64 { return kibF(r.rss.growth()) }))/1024)
	fmt.Printf("  goal, HTTP ÷ direct throughput ≥ %.1f: %s (median %.2f)\n", o.goalRatio, verdict(ratio >= o.goalRatio), ratio)
}

func colAll(runs []s6Run, f func(s6Run) float64) []float64 {
	var xs []float64
	for _, r := range runs {
		xs = append(xs, f(r))
	}
	return xs
}

func samplesText(runs []s6Run) string {
	s := ""
	for i, r := range runs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(r.rss.samples)
	}
	return s
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// parallelResult is the parallel uploads.
type parallelResult struct {
	n              int
	size           int64
	wall           time.Duration
	each           []time.Duration
	rss            rssWindow
	srvCPU, genCPU time.Duration
	gc             gcTrace
	startRSS       int64
}

func runParallel(ctx context.Context, o options) (parallelResult, error) {
	p := parallelResult{n: o.parallel, size: int64(o.parallelMiB) << 20}
	w, err := startWorld(ctx, o.bin, o.parallel, o.gctrace)
	if err != nil {
		return p, err
	}
	p.startRSS = w.startRSS
	defer w.srv.Stop()
	pid := w.srv.Pid()
	time.Sleep(200 * time.Millisecond)
	logAt := logSize(w.srv.LogPath)
	srv0, gen0 := serverproc.CPUTime(pid), cpuSelf()
	rss := sampleRSS(pid, o.sample)
	start := make(chan struct{})
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	p.each = make([]time.Duration, o.parallel)
	for i := range o.parallel {
		wg.Go(func() {
			<-start
			u, err := w.upload(ctx, w.participants[i], p.size, uint64(1000+i), fmt.Sprintf("Statement of delegation %03d", i))
			p.each[i] = u.elapsed
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("upload %d: %w", i, err))
				mu.Unlock()
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	p.wall = time.Since(t0)
	p.rss = rss.Stop()
	p.srvCPU, p.genCPU = serverproc.CPUTime(pid)-srv0, cpuSelf()-gen0
	p.gc = readGCTrace(w.srv.LogPath, logAt)
	if len(errs) > 0 {
		return p, fmt.Errorf("%v (server log: %s)", errs, w.srv.LogTail())
	}
	return p, nil
}

func printParallel(o options, p parallelResult) {
	fmt.Printf("\nParallel — %d uploads of %d MiB at once, each from its own participant account (fresh server)\n", p.n, p.size>>20)
	fmt.Printf("  %7s %9s %8s %8s %8s %8s | %9s %8s %8s %8s %8s %9s %8s %9s\n",
		"uploads", "total MiB", "wall", "MiB/s", "each p50", "each max", "RSS base", "RSS +", "HWM +", "srv CPU", "% core", "heap max", "goal", "gen CPU")
	each := figures.Sorted(slices.Clone(p.each))
	heap, goal := "-", "-"
	if p.gc.found {
		heap, goal = fmt.Sprintf("%d MB", p.gc.maxHeap), fmt.Sprintf("%d MB", p.gc.goal)
	}
	fmt.Printf("  %7d %9d %8s %8.1f %8s %8s | %9.1f %8.1f %8s %8s %7.0f%% %9s %8s %9s\n",
		p.n, int64(p.n)*p.size>>20, figures.Dur(p.wall), rate(int64(p.n)*p.size, p.wall), figures.Dur(figures.Pct(each, 0.5)),
		figures.Dur(figures.Pct(each, 1)), kibF(p.rss.base)/1024, kibF(p.rss.growth())/1024, mib(p.rss.hwmGrowth()),
		figures.Dur(p.srvCPU), 100*p.srvCPU.Seconds()/p.wall.Seconds(), heap, goal, figures.Dur(p.genCPU))
	fmt.Printf("  MiB/s: all bytes ÷ (first request → last answer); each: one upload's request → answer (sha256 and size checked); %d readings;\n", p.rss.samples)
	gcs := ""
	if p.gc.found {
		gcs = fmt.Sprintf("; %d server GCs, live heap after the last %d MB", p.gc.gcs, p.gc.lastLive)
	}
	fmt.Printf("  base after %d sign-ups (argon2id 19 MiB each); RSS once healthy %s MiB, peak − that %s MiB%s\n", p.n, mib(p.startRSS), mib(p.rss.peak-p.startRSS), gcs)
}
