// Command store measures the embedded store on this machine: cold start, bulk insert, and the
// latency of the _id point operations the platform's hot paths are built on, with and without the
// _id index patch (see docs/storage.md). Run it with
//
//	go run ./bench/store [-n 100000] [-ops 1000] [-compare-ops 100]
//
// and paste its table into docs/benchmarks.md.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/store"
)

const collName = "docs"

// config holds the command line.
type config struct {
	n          int
	batch      int
	ops        int
	compareOps int
	scanOps    int
	starts     int
	keep       bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 100000, "documents to insert before measuring")
	flag.IntVar(&cfg.batch, "batch", 1000, "documents per insertMany")
	flag.IntVar(&cfg.ops, "ops", 1000, "operations per measurement on the patched store")
	flag.IntVar(&cfg.compareOps, "compare-ops", 100, "operations per measurement on the unpatched store (each is a full scan); 0 skips it")
	flag.IntVar(&cfg.scanOps, "scan-ops", 5, "finds by a non-_id field (always a full scan)")
	flag.IntVar(&cfg.starts, "starts", 5, "cold starts to time")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary data directories")
	flag.Parse()

	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench/store:", err)
		os.Exit(1)
	}
}

// result is one line of the report.
type result struct {
	store, op string
	lat       []time.Duration // empty for single-figure results
	single    time.Duration
	note      string
}

func run(ctx context.Context, cfg config) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var results []result
	var plans []string

	// Cold start: an empty data directory to a store that answers a ping.
	var starts []time.Duration
	for range cfg.starts {
		dir, cleanup, err := tempDir(cfg.keep)
		if err != nil {
			return err
		}
		t0 := time.Now()
		s, err := store.Open(ctx, store.Config{DataDir: dir, Logger: logger, Collections: collections()})
		if err != nil {
			return err
		}
		if err := s.Ping(ctx); err != nil {
			return err
		}
		starts = append(starts, time.Since(t0))
		if err := s.Close(ctx); err != nil {
			return err
		}
		cleanup()
	}
	results = append(results, result{store: "-", op: "cold start (Open + Ping, empty dir)", lat: starts})

	// Patched store: what the platform runs.
	dir, cleanup, err := tempDir(cfg.keep)
	if err != nil {
		return err
	}
	defer cleanup()
	s, err := store.Open(ctx, store.Config{DataDir: dir, Logger: logger, Collections: collections()})
	if err != nil {
		return err
	}
	insertTime, err := load(ctx, s, cfg)
	if err != nil {
		return err
	}
	results = append(results, result{store: "patched", op: fmt.Sprintf("insertMany %d docs (batches of %d)", cfg.n, cfg.batch),
		single: insertTime, note: fmt.Sprintf("%.0f docs/s", float64(cfg.n)/insertTime.Seconds())})
	plan, err := s.QueryPlan(ctx, collName)
	if err != nil {
		return err
	}
	plans = append(plans, "patched:   "+plan)
	rs, err := pointOps(ctx, s, "patched", cfg.n, cfg.ops, true)
	if err != nil {
		return err
	}
	results = append(results, rs...)
	if cfg.scanOps > 0 {
		lat, err := measure(cfg.scanOps, func(i int) error {
			// seq is unique, so this finds one document, but only after decoding every one.
			return s.Collection(collName).FindOne(ctx, bson.D{{Key: "seq", Value: rand.IntN(cfg.n)}}).Err()
		})
		if err != nil {
			return fmt.Errorf("find by seq: %w", err)
		}
		results = append(results, result{store: "patched", op: "find {seq: <int>} (not _id: Go-side scan)", lat: lat})
	}
	if err := s.Close(ctx); err != nil {
		return err
	}

	// Restart on the loaded directory: what a deploy costs.
	t0 := time.Now()
	s, err = store.Open(ctx, store.Config{DataDir: dir, Logger: logger, Collections: collections()})
	if err != nil {
		return err
	}
	results = append(results, result{store: "patched", op: fmt.Sprintf("restart (Open + Ping, %d docs)", cfg.n), single: time.Since(t0)})
	if err := s.Close(ctx); err != nil {
		return err
	}

	// Unpatched store: FerretDB as shipped.
	if cfg.compareOps > 0 {
		dir, cleanup, err := tempDir(cfg.keep)
		if err != nil {
			return err
		}
		defer cleanup()
		u, err := store.Open(ctx, store.Config{DataDir: dir, Logger: logger, Collections: collections(), SkipIDIndexPatch: true})
		if err != nil {
			return err
		}
		if _, err := load(ctx, u, cfg); err != nil {
			return err
		}
		plan, err := u.QueryPlan(ctx, collName)
		if err != nil {
			return err
		}
		plans = append(plans, "unpatched: "+plan)
		rs, err := pointOps(ctx, u, "unpatched", cfg.n, cfg.compareOps, false)
		if err != nil {
			return err
		}
		results = append(results, rs...)

		// What the first start of a patched build costs on data an unpatched one wrote.
		t0 := time.Now()
		if err := u.EnsureIDIndexes(ctx); err != nil {
			return err
		}
		results = append(results, result{store: "unpatched", op: fmt.Sprintf("add the _id index to %d docs (one-off)", cfg.n), single: time.Since(t0)})
		if err := u.Close(ctx); err != nil {
			return err
		}
	}

	report(os.Stdout, cfg, results, plans)
	return nil
}

// collections is what the benchmark declares, shaped like a message collection.
func collections() []store.Collection {
	return []store.Collection{{Name: collName, Indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "room", Value: 1}, {Key: "seq", Value: 1}}},
	}}}
}

func docID(i int) string { return fmt.Sprintf("room%03d:%08d", i%100, i) }

// load inserts cfg.n documents of about 300 bytes with insertMany.
func load(ctx context.Context, s *store.Store, cfg config) (time.Duration, error) {
	body := strings.Repeat("x", 200)
	coll := s.Collection(collName)
	t0 := time.Now()
	for start := 0; start < cfg.n; start += cfg.batch {
		end := min(start+cfg.batch, cfg.n)
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			docs = append(docs, bson.D{
				{Key: "_id", Value: docID(i)}, {Key: "room", Value: fmt.Sprintf("room%03d", i%100)},
				{Key: "seq", Value: i}, {Key: "body", Value: body}, {Key: "n", Value: 0},
			})
		}
		if _, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true)); err != nil {
			return 0, fmt.Errorf("load: %w", err)
		}
	}
	return time.Since(t0), nil
}

// pointOps measures the _id operations on a loaded store. Inserts only run when withInserts is
// set: they do not touch the _id index patch (the unique index FerretDB creates serves them).
func pointOps(ctx context.Context, s *store.Store, name string, n, ops int, withInserts bool) ([]result, error) {
	coll := s.Collection(collName)
	var out []result

	lat, err := measure(ops, func(int) error {
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: docID(rand.IntN(n))}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: rand.IntN(1000)}}}})
		if err == nil && res.MatchedCount != 1 {
			err = fmt.Errorf("matched %d", res.MatchedCount)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s updateOne: %w", name, err)
	}
	out = append(out, result{store: name, op: "updateOne {_id} $set", lat: lat})

	lat, err = measure(ops, func(int) error {
		return coll.FindOne(ctx, bson.D{{Key: "_id", Value: docID(rand.IntN(n))}}).Err()
	})
	if err != nil {
		return nil, fmt.Errorf("%s find: %w", name, err)
	}
	out = append(out, result{store: name, op: "find {_id}", lat: lat})

	if !withInserts {
		return out, nil
	}
	lat, err = measure(ops, func(i int) error {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("new:%08d", i)}, {Key: "seq", Value: n + i}})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s insertOne: %w", name, err)
	}
	out = append(out, result{store: name, op: "insertOne (new _id)", lat: lat})

	lat, err = measure(ops, func(int) error {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: docID(rand.IntN(n))}})
		if store.IsDuplicateKey(err) {
			return nil
		}
		return fmt.Errorf("want duplicate key, got %v", err)
	})
	if err != nil {
		return nil, fmt.Errorf("%s duplicate insertOne: %w", name, err)
	}
	out = append(out, result{store: name, op: "insertOne duplicate _id (E11000)", lat: lat})
	return out, nil
}

// measure runs op ops times, one after another, and returns each latency.
func measure(ops int, op func(i int) error) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, ops)
	for i := range ops {
		t0 := time.Now()
		if err := op(i); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t0))
	}
	return lat, nil
}

func report(w io.Writer, cfg config, results []result, plans []string) {
	fmt.Fprintf(w, "Embedded store benchmark (go run ./bench/store -n %d -ops %d -compare-ops %d)\n", cfg.n, cfg.ops, cfg.compareOps)
	fmt.Fprintf(w, "machine: %s, %d CPUs, %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(w, "modules: %s\n\n", moduleVersions())

	// A Markdown table, so the output pastes straight into docs/benchmarks.md.
	fmt.Fprintln(w, "| store | operation | ops | p50 | p95 | p99 | mean | max | note |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|---|")
	for _, r := range results {
		if len(r.lat) == 0 {
			fmt.Fprintf(w, "| %s | %s | 1 | %s | | | | | %s |\n", r.store, r.op, ms(r.single), r.note)
			continue
		}
		d := slices.Clone(r.lat)
		slices.Sort(d)
		var sum time.Duration
		for _, x := range d {
			sum += x
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", r.store, r.op, len(d),
			ms(pct(d, 50)), ms(pct(d, 95)), ms(pct(d, 99)), ms(sum/time.Duration(len(d))), ms(d[len(d)-1]), r.note)
	}
	fmt.Fprintln(w, "\nSQLite plan for FerretDB's _id point query:")
	for _, p := range plans {
		fmt.Fprintln(w, "  "+p)
	}
}

// pct returns the p-th percentile (nearest rank) of sorted d.
func pct(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	return d[max(i-1, 0)]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func moduleVersions() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var out []string
	for _, m := range bi.Deps {
		switch m.Path {
		case "github.com/FerretDB/FerretDB", "go.mongodb.org/mongo-driver/v2", "modernc.org/sqlite":
			out = append(out, m.Path+" "+m.Version)
		}
	}
	return strings.Join(out, ", ")
}

// tempDir makes a short temporary data directory (short so the socket path fits).
func tempDir(keep bool) (string, func(), error) {
	dir, err := os.MkdirTemp("", "plbench")
	if err != nil {
		return "", nil, err
	}
	return dir, func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}, nil
}
