package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// testCollections is what a domain package would declare.
var testCollections = []store.Collection{
	{Name: "messages", Indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "room", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetName("room_seq")},
	}},
	{Name: "groups"},
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// shortTempDir returns a temporary directory whose socket path stays under the Unix limit even
// when t.TempDir() (which embeds the test name) would not.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestOpenCreatesCollectionsAndIndexes(t *testing.T) {
	ctx := testContext(t)
	s := storetest.MustOpen(t, testCollections...)

	if got := s.Kind(); got != store.KindEmbedded {
		t.Errorf("Kind() = %q, want %q", got, store.KindEmbedded)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	names, err := s.DB().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range testCollections {
		if !contains(names, c.Name) {
			t.Errorf("collection %s not created; have %v", c.Name, names)
		}
	}

	specs, err := s.Collection("messages").Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var indexNames []string
	for _, sp := range specs {
		indexNames = append(indexNames, sp.Name)
	}
	if !contains(indexNames, "room_seq") || !contains(indexNames, "_id_") {
		t.Errorf("indexes on messages = %v, want _id_ and room_seq", indexNames)
	}
}

func TestIDQueriesUseIndex(t *testing.T) {
	ctx := testContext(t)
	s := storetest.MustOpen(t, testCollections...)

	plans := map[string]func(context.Context, string) (string, error){
		"find":   s.QueryPlan,
		"update": s.UpdatePlan,
		"delete": s.DeletePlan,
	}
	for _, coll := range testCollections {
		for op, plan := range plans {
			t.Run(coll.Name+"/"+op, func(t *testing.T) {
				p, err := plan(ctx, coll.Name)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(p, "USING INDEX") || !strings.Contains(p, "_plenary_id") {
					t.Errorf("plan for _id %s on %s = %q, want SEARCH ... USING INDEX <table>_plenary_id", op, coll.Name, p)
				}
			})
		}
	}

	if _, err := s.QueryPlan(ctx, "undeclared"); err == nil {
		t.Error("QueryPlan of a missing collection: want error")
	}
}

// TestIDIndexPatch shows what the patch changes: FerretDB's own tables scan on every _id query.
func TestIDIndexPatch(t *testing.T) {
	ctx := testContext(t)
	s, err := store.Open(ctx, store.Config{
		DataDir:          shortTempDir(t),
		Collections:      testCollections,
		SkipIDIndexPatch: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })

	coll := s.Collection("groups")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: "g1"}}, bson.D{{Key: "_id", Value: "g2"}}}); err != nil {
		t.Fatal(err)
	}

	before, err := s.QueryPlan(ctx, "groups")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("unpatched _id plan: %s", before)
	if !strings.HasPrefix(before, "SCAN") {
		t.Errorf("unpatched plan = %q, want SCAN (if FerretDB now indexes _id itself, the patch can go)", before)
	}

	if err := s.EnsureIDIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIDIndexes(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
	after, err := s.QueryPlan(ctx, "groups")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("patched _id plan: %s", after)
	if !strings.Contains(after, "USING INDEX") {
		t.Errorf("patched plan = %q, want USING INDEX", after)
	}

	// The index changes the plan, not the answer.
	var doc bson.M
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "g2"}}).Decode(&doc); err != nil {
		t.Fatalf("find g2 after patch: %v", err)
	}
	if doc["_id"] != "g2" {
		t.Errorf("found %v, want g2", doc)
	}
	oid := bson.NewObjectID()
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: oid}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 2}}}})
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("update by ObjectID after patch: %+v, %v", res, err)
	}
}

func TestIsDuplicateKey(t *testing.T) {
	ctx := testContext(t)
	s := storetest.MustOpen(t, testCollections...)
	coll := s.Collection("messages")

	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "room1:1"}, {Key: "body", Value: "hi"}}); err != nil {
		t.Fatal(err)
	}

	_, errOne := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "room1:1"}, {Key: "body", Value: "again"}})
	_, errMany := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "room1:2"}},
		bson.D{{Key: "_id", Value: "room1:1"}},
	})
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"insertOne duplicate", errOne, true},
		{"insertMany duplicate", errMany, true},
		{"wrapped", fmt.Errorf("post message: %w", errOne), true},
		{"nil", nil, false},
		{"other", errors.New("boom"), false},
		{"no documents", mongo.ErrNoDocuments, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.IsDuplicateKey(tt.err); got != tt.want {
				t.Errorf("IsDuplicateKey(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}

	// The first document is untouched by the rejected insert.
	var doc struct{ Body string }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "room1:1"}}).Decode(&doc); err != nil || doc.Body != "hi" {
		t.Errorf("room1:1 = %+v, %v; want body hi", doc, err)
	}
}

// TestWritesWithMajorityConcern runs every write shape the platform uses through the client's
// w:majority+j write concern; FerretDB must accept (and may ignore) it.
func TestWritesWithMajorityConcern(t *testing.T) {
	ctx := testContext(t)
	s := storetest.MustOpen(t, testCollections...)
	coll := s.Collection("groups")
	id := bson.D{{Key: "_id", Value: "g"}}

	steps := []struct {
		name string
		run  func() error
	}{
		{"insertOne", func() error {
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "g"}, {Key: "n", Value: 0}})
			return err
		}},
		{"updateOne", func() error {
			_, err := coll.UpdateOne(ctx, id, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
			return err
		}},
		{"upsert", func() error {
			_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "h"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 1}}}},
				options.UpdateOne().SetUpsert(true))
			return err
		}},
		{"findOneAndUpdate", func() error {
			return coll.FindOneAndUpdate(ctx, id, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}).Err()
		}},
		{"replaceOne", func() error {
			_, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "h"}}, bson.D{{Key: "n", Value: 5}})
			return err
		}},
		{"deleteOne", func() error {
			_, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: "h"}})
			return err
		}},
		{"createIndex", func() error {
			_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "n", Value: 1}}})
			return err
		}},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s with w:majority,j:true: %v", st.name, err)
		}
	}

	var doc struct{ N int }
	if err := coll.FindOne(ctx, id).Decode(&doc); err != nil || doc.N != 2 {
		t.Errorf("g = %+v, %v; want n 2", doc, err)
	}
}

func TestEmbeddedListensOnPrivateUnixSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks socket ownership through /proc")
	}
	ctx := testContext(t)
	dataDir := shortTempDir(t)
	dbDir := filepath.Join(dataDir, "db")

	// A socket file left by a process that died must not stop the next start.
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dbDir, "ferretdb.sock"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()

	e, err := store.StartEmbedded(ctx, dataDir, nil)
	if err != nil {
		t.Fatalf("StartEmbedded over a stale socket: %v", err)
	}
	t.Cleanup(func() { e.Close() })

	if e.Network() != "unix" {
		t.Fatalf("Network() = %q, want unix", e.Network())
	}
	sock := filepath.Join(dbDir, "ferretdb.sock")
	if want := "mongodb://" + url.PathEscape(sock) + "/"; e.URI() != want || e.Addr() != sock {
		t.Errorf("URI() = %q, Addr() = %q; want %q, %q", e.URI(), e.Addr(), want, sock)
	}

	fi, err := os.Stat(dbDir)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o700 {
		t.Errorf("%s mode = %o, want 700 (the directory is the socket's only protection)", dbDir, mode)
	}
	if fi, err := os.Lstat(filepath.Join(dbDir, "ferretdb.sock")); err != nil || fi.Mode()&fs.ModeSocket == 0 {
		t.Errorf("socket file: %v, %v", fi, err)
	}

	// A second instance on the same directory must refuse rather than steal the socket.
	if e2, err := store.StartEmbedded(ctx, dataDir, nil); err == nil {
		e2.Close()
		t.Error("second StartEmbedded on a live data dir: want error")
	}

	s, err := store.Open(ctx, store.Config{Embedded: e, Database: "socket", Collections: testCollections})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := s.Collection("groups").InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}

	// Nothing in this process (this FerretDB, or the shared one storetest.Main started) listens on TCP.
	if ports := tcpListenPorts(t); len(ports) > 0 {
		t.Errorf("process listens on TCP ports %v; the embedded store must only use its Unix socket", ports)
	}
}

func TestEmbeddedFallsBackToLoopbackTCP(t *testing.T) {
	ctx := testContext(t)
	long := filepath.Join(shortTempDir(t), strings.Repeat("d", 60), strings.Repeat("e", 60))

	quiet := slog.New(slog.DiscardHandler) // the fallback warns, as it should
	s, err := store.Open(ctx, store.Config{DataDir: long, Collections: testCollections, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := s.Collection("groups").InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	plan, err := s.QueryPlan(ctx, "groups")
	if err != nil || !strings.Contains(plan, "USING INDEX") {
		t.Errorf("plan = %q, %v; want USING INDEX", plan, err)
	}

	e, err := store.StartEmbedded(ctx, filepath.Join(long, "second"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	host, port, err := net.SplitHostPort(e.Addr())
	if e.Network() != "tcp" || err != nil || host != "127.0.0.1" || port == "0" || e.URI() != "mongodb://"+e.Addr()+"/" {
		t.Errorf("Network() = %q, URI %q: want a real port on 127.0.0.1", e.Network(), e.URI())
	}
}

// TestRestartKeepsData closes the store the way the process does on shutdown and opens the same
// data directory again.
func TestRestartKeepsData(t *testing.T) {
	ctx := testContext(t)
	dataDir := shortTempDir(t)
	cfg := store.Config{DataDir: dataDir, Collections: testCollections}

	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Collection("messages").InsertOne(ctx, bson.D{{Key: "_id", Value: "r:1"}, {Key: "body", Value: "kept"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The listener is gone once Close returns.
	if _, err := os.Lstat(filepath.Join(dataDir, "db", "ferretdb.sock")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket after Close: %v, want it removed", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close: want error")
	}

	s, err = store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	defer s.Close(ctx)
	var doc struct{ Body string }
	if err := s.Collection("messages").FindOne(ctx, bson.D{{Key: "_id", Value: "r:1"}}).Decode(&doc); err != nil || doc.Body != "kept" {
		t.Errorf("after restart r:1 = %+v, %v; want body kept", doc, err)
	}
	if _, err := s.Collection("messages").InsertOne(ctx, bson.D{{Key: "_id", Value: "r:1"}}); !store.IsDuplicateKey(err) {
		t.Errorf("duplicate after restart: %v, want duplicate key", err)
	}
	plan, err := s.QueryPlan(ctx, "messages")
	if err != nil || !strings.Contains(plan, "USING INDEX") {
		t.Errorf("plan after restart = %q, %v; want USING INDEX", plan, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := testContext(t)
	if _, err := store.Open(ctx, store.Config{}); err == nil {
		t.Error("Open with neither URI nor DataDir: want error")
	}

	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := store.Open(short, store.Config{URI: "mongodb://127.0.0.1:1/"}); err == nil {
		t.Error("Open of an unreachable MongoDB: want error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open of an unreachable MongoDB took %v; it must honour ctx", d)
	}

	s := storetest.MustOpen(t)
	if _, err := s.QueryPlan(ctx, "nothing"); err == nil {
		t.Error("QueryPlan on a database without collections: want error")
	}
}

func BenchmarkUpdateByID(b *testing.B) {
	ctx := testContext(b)
	s := storetest.MustOpen(b, testCollections...)
	coll := s.Collection("groups")
	const n = 1000
	docs := make([]any, n)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: fmt.Sprintf("g%d", i)}, {Key: "n", Value: 0}}
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("g%d", i%n)}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tcpListenPorts returns the local ports of TCP sockets in LISTEN state that this process owns,
// matched by socket inode between /proc/self/fd and /proc/net/tcp{,6}.
func tcpListenPorts(t *testing.T) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var ports []string
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 {
				continue
			}
			const listen = "0A"
			if fields[3] == listen && inodes[fields[9]] {
				ports = append(ports, fields[1])
			}
		}
		f.Close()
	}
	return ports
}
