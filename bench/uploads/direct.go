package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mopts "go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/contributions"
	"plenary/store"
)

// direct is one write of a generated file straight into GridFS through the driver.
type direct struct {
	sha256  string
	elapsed time.Duration // OpenUploadStream → Close
	cpu     time.Duration // this process's CPU over that time (generator, driver and the embedded store)
	rss     rssWindow     // this process's VmRSS over that time
}

// writeDirect starts an embedded store of the server's kind (FerretDB with SQLite, store.Open on a
// fresh temporary directory, with the contributions collections declared as the server declares
// them) in this process and writes the generated PDF (size, seed) into the server's bucket with the
// default chunk size (255 KiB), as the server's upload does but without HTTP, the multipart
// reader, the temporary copy and the content checks.
func writeDirect(ctx context.Context, size int64, seed uint64, every time.Duration) (direct, error) {
	dir, err := os.MkdirTemp("", "plenary-bench-uploads-direct-")
	if err != nil {
		return direct{}, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, store.Config{DataDir: dir, Collections: contributions.Collections(),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return direct{}, err
	}
	defer st.Close(context.WithoutCancel(ctx))
	bucket := st.DB().GridFSBucket(mopts.GridFSBucket().SetName("contribution_files"))

	// Return what earlier runs left to the OS, so that this run's growth is its own.
	runtime.GC()
	debug.FreeOSMemory()
	sum := sha256.New()
	rss := sampleRSS(os.Getpid(), every)
	cpu0 := cpuSelf()
	t0 := time.Now()
	up, err := bucket.OpenUploadStreamWithID(ctx, fmt.Sprintf("direct-%d", seed), fmt.Sprintf("bench-%d.pdf", seed))
	if err != nil {
		rss.Stop()
		return direct{}, err
	}
	if _, err := io.Copy(up, io.TeeReader(newPDF(size, seed), sum)); err != nil {
		_ = up.Abort()
		rss.Stop()
		return direct{}, fmt.Errorf("direct write: %w", err)
	}
	if err := up.Close(); err != nil {
		rss.Stop()
		return direct{}, fmt.Errorf("direct write: close: %w", err)
	}
	d := direct{elapsed: time.Since(t0), cpu: cpuSelf() - cpu0, rss: rss.Stop(), sha256: hex.EncodeToString(sum.Sum(nil))}
	var f struct {
		Length    int64 `bson:"length"`
		ChunkSize int64 `bson:"chunkSize"`
	}
	if err := st.Collection("contribution_files.files").FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("direct-%d", seed)}}).Decode(&f); err != nil {
		return d, fmt.Errorf("direct write: read the file back: %w", err)
	}
	if f.Length != size || f.ChunkSize != 255<<10 {
		return d, fmt.Errorf("direct write: stored %d bytes in chunks of %d, wrote %d bytes with the default chunks (%d)", f.Length, f.ChunkSize, size, 255<<10)
	}
	return d, nil
}
