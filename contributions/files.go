package contributions

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/store"
)

// Files are stored in the GridFS format (collections contribution_files.files and .chunks, 255 KiB
// chunks with files_id and n), so MongoDB's GridFS tools read them, but written and read by this
// file rather than by the driver's GridFS streams, for two measured reasons (docs/benchmarks.md,
// S6):
//   - the driver's upload stream buffers 16 MiB per upload before it inserts, and the embedded
//     store multiplies that: one 100 MiB upload grew the server by 340 MiB, ten at once by 1.3 GiB;
//   - its download reads every chunk after the first batch in one reply, which the embedded store
//     sends whole: past about 70 MiB the reply exceeds the driver's message limit and the download
//     fails.
// Here a chunk's _id is "<file>:<n>", so each chunk is read, written and deleted by _id (point
// operations, fast on every store), a few at a time.

const (
	// chunkSize is GridFS's default; the embedded store fails to serve larger chunks.
	chunkSize = 255 << 10
	// chunksPerInsert bounds what an upload holds in memory before it writes: 1 MiB.
	chunksPerInsert = 4
)

type chunkDoc struct {
	ID      string `bson:"_id"`
	FilesID string `bson:"files_id"`
	N       int    `bson:"n"`
	Data    []byte `bson:"data"`
}

type fileDoc struct {
	ID         string    `bson:"_id"`
	Length     int64     `bson:"length"`
	ChunkSize  int       `bson:"chunkSize"`
	UploadDate time.Time `bson:"uploadDate"`
	Filename   string    `bson:"filename"`
}

func chunkID(fileID string, n int) string { return fmt.Sprintf("%s:%d", fileID, n) }

// fileWriter writes a file's chunks as its bytes arrive. Inserts run on a goroutine of their own
// while the next batch fills, so that reading the upload and the store's work overlap (the store
// is CPU-bound); two batches at most are in memory. Nothing is visible as a file until Close
// writes the files document; Abort deletes the chunks written.
type fileWriter struct {
	s      *Service
	ctx    context.Context
	id     string
	buf    []byte
	next   int // the number of the next chunk to hand to the inserter
	length int64

	batches chan []any  // to the inserter
	spare   chan []byte // buffers back from it
	done    chan error  // the inserter's first error (nil), once it has stopped
	failed  error       // the inserter's error, once known
}

func (s *Service) newFileWriter(ctx context.Context, fileID string) *fileWriter {
	w := &fileWriter{s: s, ctx: ctx, id: fileID, buf: make([]byte, 0, chunkSize*chunksPerInsert),
		batches: make(chan []any), spare: make(chan []byte, 1), done: make(chan error, 1)}
	w.spare <- make([]byte, 0, chunkSize*chunksPerInsert)
	go w.insert(w.batches)
	return w
}

// insert stores batches until the channel closes or an insert fails (then it drains the rest).
func (w *fileWriter) insert(batches <-chan []any) {
	var first error
	for docs := range batches {
		if first == nil {
			if _, err := w.s.chunks.InsertMany(w.ctx, docs); err != nil {
				first = fmt.Errorf("store chunks of %s: %w", w.id, err)
			}
		}
		w.spare <- docs[0].(chunkDoc).Data[: 0 : chunkSize*chunksPerInsert]
	}
	w.done <- first
}

func (w *fileWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		p, written = p[n:], written+n
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// flush hands the buffered bytes to the inserter as chunks (the last one short only at the end
// of the file) and takes the other buffer.
func (w *fileWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	docs := make([]any, 0, chunksPerInsert)
	for off := 0; off < len(w.buf); off += chunkSize {
		end := min(off+chunkSize, len(w.buf))
		docs = append(docs, chunkDoc{ID: chunkID(w.id, w.next), FilesID: w.id, N: w.next, Data: w.buf[off:end]})
		w.next++
	}
	w.length += int64(len(w.buf))
	select {
	case w.batches <- docs:
	case err := <-w.done: // the inserter stopped early: it cannot, but do not hang if it did
		w.done <- err
		return fmt.Errorf("store chunks of %s: the inserter stopped", w.id)
	}
	w.buf = <-w.spare
	return nil
}

// finish stops the inserter and returns its error.
func (w *fileWriter) finish() error {
	if w.batches != nil {
		close(w.batches)
		w.batches = nil
		w.failed = <-w.done
	}
	return w.failed
}

// Close writes what is left and the files document.
func (w *fileWriter) Close(filename string, at time.Time) error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.finish(); err != nil {
		return err
	}
	d := fileDoc{ID: w.id, Length: w.length, ChunkSize: chunkSize, UploadDate: at, Filename: filename}
	if _, err := w.s.filesColl.InsertOne(w.ctx, d); err != nil {
		return fmt.Errorf("store file %s: %w", w.id, err)
	}
	return nil
}

// Abort waits for the inserter and deletes the chunks written so far.
func (w *fileWriter) Abort() error {
	_ = w.finish()
	return w.s.deleteChunks(context.WithoutCancel(w.ctx), w.id, w.next)
}

// deleteChunks deletes chunks [0, n) of a file by _id.
func (s *Service) deleteChunks(ctx context.Context, fileID string, n int) error {
	for i := range n {
		if _, err := s.chunks.DeleteOne(ctx, bson.D{{Key: "_id", Value: chunkID(fileID, i)}}); err != nil {
			return fmt.Errorf("delete chunk %d of %s: %w", i, fileID, err)
		}
	}
	return nil
}

// removeFile deletes a file and its chunks. Without a files document (an upload a crash
// interrupted) the chunks are found by files_id: a scan on the embedded store, done at start-up.
func (s *Service) removeFile(ctx context.Context, fileID string) error {
	f, err := store.FindByID[fileDoc](ctx, s.filesColl, fileID, mongo.ErrNoDocuments)
	switch {
	case err == mongo.ErrNoDocuments:
		if _, err := s.chunks.DeleteMany(ctx, bson.D{{Key: "files_id", Value: fileID}}); err != nil {
			return fmt.Errorf("delete chunks of %s: %w", fileID, err)
		}
		return nil
	case err != nil:
		return err
	}
	if err := s.deleteChunks(ctx, fileID, int((f.Length+chunkSize-1)/chunkSize)); err != nil {
		return err
	}
	if _, err := s.filesColl.DeleteOne(ctx, bson.D{{Key: "_id", Value: fileID}}); err != nil {
		return fmt.Errorf("delete file %s: %w", fileID, err)
	}
	return nil
}

// chunkReader reads a stored file from an offset, one chunk at a time.
type chunkReader struct {
	s      *Service
	ctx    context.Context
	id     string
	next   int // the next chunk to read
	last   int // the number of chunks
	skip   int // bytes to drop from the next chunk read (the offset within it)
	buf    []byte
	length int64
}

// openFile returns a reader of a stored file from offset on.
func (s *Service) openFile(ctx context.Context, fileID string, offset int64) (io.ReadCloser, error) {
	f, err := store.FindByID[fileDoc](ctx, s.filesColl, fileID, fmt.Errorf("file %s is missing", fileID))
	if err != nil {
		return nil, err
	}
	if f.ChunkSize <= 0 {
		return nil, fmt.Errorf("file %s: chunk size %d", fileID, f.ChunkSize)
	}
	size := int64(f.ChunkSize)
	return &chunkReader{s: s, ctx: ctx, id: fileID, next: int(offset / size), skip: int(offset % size),
		last: int((f.Length + size - 1) / size), length: f.Length}, nil
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.next >= r.last {
			return 0, io.EOF
		}
		c, err := store.FindByID[chunkDoc](r.ctx, r.s.chunks, chunkID(r.id, r.next), fmt.Errorf("chunk %d of file %s is missing", r.next, r.id))
		if err != nil {
			return 0, err
		}
		r.buf, r.next = c.Data[min(r.skip, len(c.Data)):], r.next+1
		r.skip = 0
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *chunkReader) Close() error { return nil }
