// Package figures holds the small helpers the load generators under bench/ use to summarize
// latencies: nearest-rank percentiles and compact durations.
package figures

import (
	"fmt"
	"slices"
	"time"
)

// Sorted sorts ds in place and returns it.
func Sorted(ds []time.Duration) []time.Duration {
	slices.Sort(ds)
	return ds
}

// Pct returns the q-quantile of sorted ds (nearest rank; q=1 is the maximum; 0 when empty).
func Pct(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(q*float64(len(ds))+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// Dur formats d compactly: "1.23s", "4.56ms" or "789µs".
func Dur(d time.Duration) string { return DurMs(d, 2) }

// DurMs is Dur with msDigits decimals of milliseconds ("4.6ms" for 1): bench/ws prints its
// latency tables with one decimal, and its output is kept as it was.
func DurMs(d time.Duration, msDigits int) string {
	switch {
	case d < 0:
		return "-" + DurMs(-d, msDigits)
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.*fms", msDigits, float64(d)/1e6)
	default:
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
}
