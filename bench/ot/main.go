// Command ot measures benchmark S4(a): an editing trace replayed in process through the OT type
// of the Chairman's Report (documents/ot), one op per patch, on one Doc:
//
//	go run ./bench/ot [-trace ../shared/traces/seph-blog1.json.gz] [-runs 5]
//
// The trace (shared/traces/README.md) is a real keystroke-by-keystroke history of a 56,769
// character blog post. Each patch [pos, deleteCount, insertText] becomes the op
// [pos, {"d": deleteCount}, insertText], without its empty parts. Two figures:
//
//   - apply: Doc.Apply on ops already in memory (the goal is >= 1,000,000 ops/s);
//   - decode+apply: each op decoded from its JSON wire form first, as a server receives it.
//
// Each replay must end with the trace's endContent; the command exits non-zero otherwise.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"plenary/bench/internal/serverproc"
	"plenary/bench/internal/trace"
	"plenary/documents/ot"
)

func main() {
	path := flag.String("trace", trace.DefaultPath, "editing trace (shared/traces/README.md)")
	runs := flag.Int("runs", 5, "replays per measurement")
	flag.Parse()
	if err := run(*path, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/ot:", err)
		os.Exit(1)
	}
}

func run(path string, runs int) error {
	tr, err := trace.Load(path)
	if err != nil {
		return err
	}
	var ops []ot.Op
	var wire [][]byte
	for _, txn := range tr.Txns {
		for _, p := range txn.Patches {
			op := p.Op() // [pos, {"d": n}, "text"] without the empty parts and a trailing skip
			b, _ := op.MarshalJSON()
			ops, wire = append(ops, op), append(wire, b)
		}
	}

	fmt.Println("bench/ot: S4(a), an editing trace replayed in process through documents/ot Doc.Apply")
	fmt.Printf("trace:   %s (from shared/traces): %d ops in %d transactions, endContent %d code points\n",
		path, len(ops), len(tr.Txns), utf8.RuneCountInString(tr.EndContent))
	fmt.Printf("machine: %d CPUs (%s), %s/%s, %s\n", runtime.NumCPU(), serverproc.CPUModel(), runtime.GOOS, runtime.GOARCH, runtime.Version())

	var final *ot.Doc
	replay := func(decode bool) error {
		d := ot.NewDoc(tr.StartContent)
		final = d
		if !decode {
			for i, op := range ops {
				if err := d.Apply(op); err != nil {
					return fmt.Errorf("op %d %v: %v", i, op, err)
				}
			}
			return nil
		}
		for i, b := range wire {
			var op ot.Op
			if err := json.Unmarshal(b, &op); err != nil {
				return fmt.Errorf("op %d: %v", i, err)
			}
			if err := d.Apply(op); err != nil {
				return fmt.Errorf("op %d %v: %v", i, op, err)
			}
		}
		return nil
	}
	for _, m := range []struct {
		name   string
		decode bool
	}{{"apply", false}, {"decode+apply", true}} {
		var times []time.Duration
		var allocs, bytes uint64
		for range runs {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			if err := replay(m.decode); err != nil {
				return err
			}
			times = append(times, time.Since(start))
			runtime.ReadMemStats(&after)
			allocs, bytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
			if got := final.String(); got != tr.EndContent {
				return fmt.Errorf("%s: final text (%d code points) differs from endContent (%d) at byte %d",
					m.name, final.Len(), utf8.RuneCountInString(tr.EndContent), firstDiff(got, tr.EndContent))
			}
		}
		slices.Sort(times)
		median, best := times[len(times)/2], times[0]
		n := float64(len(ops))
		fmt.Printf("%-13s %s ops/s median of %d replays (%.1f ms each), best %s ops/s (%.1f ms); %.2f allocs, %.0f B per op\n",
			m.name+":", thousands(n/median.Seconds()), runs, ms(median), thousands(n/best.Seconds()), ms(best),
			float64(allocs)/n, float64(bytes)/n)
	}
	fmt.Printf("final:   %d code points, %d bytes, equals endContent: yes\n", final.Len(), len(final.String()))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func firstDiff(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
