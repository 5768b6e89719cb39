package contributions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/check"
	"plenary/contributions/inspect"
	"plenary/errs"
	"plenary/id"
)

// An upload streams the request body into the store's GridFS collections as it arrives (files.go),
// computing its SHA-256 and keeping a copy in a temporary file on disk (never in memory): the
// content checks need the whole file, since a zip archive's directory is at its end. Only when
// the file has passed the checks is its files document written; any refusal or interruption
// deletes the chunks already written. A crash in the middle leaves a note in
// contribution_uploads, and the next start deletes that upload's chunks.

// File is an uploaded file as the HTTP layer hands it over.
type File struct {
	Filename     string
	DeclaredType string
	Body         io.Reader
}

type uploadNote struct {
	ID   string `bson:"_id"` // the GridFS file id
	User string `bson:"user"`
	// Reserved is the quota the upload holds until it settles.
	Reserved int64 `bson:"reserved"`
}

type quotaDoc struct {
	ID   string `bson:"_id"` // the user id
	Used int64  `bson:"used"`
}

// headSize is how much of a file is looked at before the rest is read: enough for every format's
// signature and for refusing HTML early.
const headSize = inspect.SniffSize

// limitedWriter counts what is written and fails past max, before anything else is written.
type limitedWriter struct {
	n, max int64
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if w.n > w.max {
		return 0, errFileTooLarge
	}
	return len(p), nil
}

var errFileTooLarge = errors.New("file too large")

// store uploads f for actor and checks it. On success the file is complete in the store, counted
// in actor's quota, and still noted in contribution_uploads: the caller calls settled once a
// document refers to it (or discard). Refusals are errs with a message naming the reason.
//
// The quota is reserved for the largest file that fits before the body is read, so that parallel
// uploads cannot together go past it; the reservation becomes the file's size at the end.
func (s *Service) store(ctx context.Context, actor accounts.User, f File) (_ revisionDoc, err error) {
	name, err := check.Text("filename", f.Filename, 1, 255, false)
	if err != nil {
		return revisionDoc{}, err
	}
	f.Filename = name

	body := &clientReader{r: f.Body}
	head := make([]byte, headSize)
	n, err := io.ReadFull(body, head)
	head = head[:n]
	switch {
	case body.err != nil: // the body itself failed, not just a short file
		return revisionDoc{}, interrupted(body.err)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
	case err != nil:
		return revisionDoc{}, interrupted(err)
	}
	if _, err := inspect.Sniff(head, f.Filename, f.DeclaredType); err != nil {
		return revisionDoc{}, err // an *inspect.Refusal: its message names the reason
	}

	limit, err := s.reserve(ctx, actor.ID)
	if err != nil {
		return revisionDoc{}, err
	}
	fileID := id.New()
	if _, err := s.uploads.InsertOne(ctx, uploadNote{ID: fileID, User: actor.ID, Reserved: limit}); err != nil {
		s.giveBack(ctx, actor.ID, limit)
		return revisionDoc{}, fmt.Errorf("note upload %s: %w", fileID, err)
	}
	up := s.newFileWriter(ctx, fileID)
	done := false
	defer func() {
		if done {
			return
		}
		// Refused or interrupted: the chunks go, the reservation comes back, and the note goes
		// too unless the chunks could not be deleted (then the next start deletes them).
		s.giveBack(ctx, actor.ID, limit)
		if aerr := up.Abort(); aerr != nil {
			s.log.Warn("abort upload", "file", fileID, "error", aerr)
			return
		}
		s.forgetUpload(ctx, fileID)
	}()
	tmp, err := os.CreateTemp(s.cfg.TempDir, "plenary-upload-*")
	if err != nil {
		return revisionDoc{}, fmt.Errorf("temporary file: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()

	sum := sha256.New()
	lim := &limitedWriter{max: limit}
	w := io.MultiWriter(lim, sum, tmp, up)
	if _, err := w.Write(head); err != nil {
		return revisionDoc{}, s.copyError(err, body, limit)
	}
	if len(head) == headSize {
		if _, err := io.Copy(w, body); err != nil {
			return revisionDoc{}, s.copyError(err, body, limit)
		}
	}
	size := lim.n
	format, err := inspect.Check(tmp, size, f.Filename, f.DeclaredType, s.cfg.Limits)
	if err != nil {
		return revisionDoc{}, err // an *inspect.Refusal: its message names the reason
	}
	if err := up.Close(f.Filename, s.now()); err != nil {
		return revisionDoc{}, err
	}
	done = true
	return revisionDoc{FileID: fileID, Filename: f.Filename, Size: size, SHA256: hex.EncodeToString(sum.Sum(nil)),
		ContentType: format.ContentType, Format: format.Name, By: actor.ID, ByName: actor.Name, At: s.now(), reserved: limit}, nil
}

// reserve counts the largest file that still fits (at most MaxFileSize) against a person's
// quota before an upload, and answers that size.
func (s *Service) reserve(ctx context.Context, userID string) (int64, error) {
	defer s.locks.lock("quota:" + userID)()
	used, err := s.used(ctx, userID)
	if err != nil {
		return 0, err
	}
	room := s.cfg.Quota - used
	if room <= 0 {
		return 0, errs.Errorf(errs.TooLarge, "You have used your upload quota of %s (uploads in progress count in full). Withdraw documents you no longer need, or ask the secretariat.", humanSize(s.cfg.Quota))
	}
	limit := min(s.cfg.MaxFileSize, room)
	if err := s.incUsed(ctx, userID, limit); err != nil {
		return 0, err
	}
	return limit, nil
}

// giveBack takes n bytes off a person's count.
func (s *Service) giveBack(ctx context.Context, userID string, n int64) {
	if n == 0 {
		return
	}
	unlock := s.locks.lock("quota:" + userID)
	defer unlock()
	if err := s.incUsed(context.WithoutCancel(ctx), userID, -n); err != nil {
		s.log.Warn("give back quota", "user", userID, "error", err)
	}
}

// settled turns an upload's reservation into its size and forgets its note, once a document
// refers to the file.
func (s *Service) settled(ctx context.Context, rev revisionDoc) {
	s.giveBack(ctx, rev.By, rev.reserved-rev.Size)
	s.forgetUpload(ctx, rev.FileID)
}

func (s *Service) forgetUpload(ctx context.Context, fileID string) {
	if _, err := s.uploads.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: fileID}}); err != nil {
		s.log.Warn("forget upload note", "file", fileID, "error", err)
	}
}

// clientReader remembers the error reading the body, to tell a client that stopped sending from
// a store that failed.
type clientReader struct {
	r   io.Reader
	err error
}

func (c *clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// copyError names why copying the body stopped: the client (a read error), the size limit, or the
// store.
func (s *Service) copyError(err error, body *clientReader, limit int64) error {
	if body.err != nil {
		return interrupted(body.err)
	}
	if errors.Is(err, errFileTooLarge) {
		if limit < s.cfg.MaxFileSize {
			return errs.Errorf(errs.TooLarge, "The file does not fit in what is left of your upload quota (%s).", humanSize(limit))
		}
		return errs.Errorf(errs.TooLarge, "The file is larger than %s, the largest accepted.", humanSize(limit))
	}
	return fmt.Errorf("store upload: %w", err)
}

// interrupted is the refusal of an upload whose body stopped before its end.
func interrupted(err error) error {
	if e := errs.As(err); e != nil {
		return err
	}
	return &errs.Error{Code: errs.Invalid, Message: "The upload was interrupted before the whole file arrived; nothing was kept. Please send it again."}
}

// discard removes a stored file no document came to refer to, gives its reservation back to the
// uploader's quota, and forgets its upload note.
func (s *Service) discard(ctx context.Context, rev revisionDoc) {
	s.deleteFile(ctx, rev.FileID)
	s.giveBack(ctx, rev.By, rev.reserved)
	s.forgetUpload(ctx, rev.FileID)
}

// deleteFile removes a stored file (and its chunks) that no document refers to.
func (s *Service) deleteFile(ctx context.Context, fileID string) {
	if err := s.removeFile(context.WithoutCancel(ctx), fileID); err != nil {
		s.log.Warn("delete unused upload", "file", fileID, "error", err)
	}
}

// cleanInterrupted deletes the chunks of uploads a crash interrupted.
func (s *Service) cleanInterrupted(ctx context.Context) error {
	cur, err := s.uploads.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list interrupted uploads: %w", err)
	}
	var notes []uploadNote
	if err := cur.All(ctx, &notes); err != nil {
		return fmt.Errorf("list interrupted uploads: %w", err)
	}
	for _, n := range notes {
		if err := s.removeFile(ctx, n.ID); err != nil {
			return fmt.Errorf("delete interrupted upload %s: %w", n.ID, err)
		}
		// The upload held its reservation until it settled; it comes back whole.
		if err := s.incUsed(ctx, n.User, -n.Reserved); err != nil {
			return fmt.Errorf("give back quota of an interrupted upload %s: %w", n.ID, err)
		}
		if _, err := s.uploads.DeleteOne(ctx, bson.D{{Key: "_id", Value: n.ID}}); err != nil {
			return fmt.Errorf("forget interrupted upload %s: %w", n.ID, err)
		}
		s.log.Info("removed an interrupted upload", "file", n.ID, "user", n.User)
	}
	return nil
}

// used is how many bytes a person has uploaded.
func (s *Service) used(ctx context.Context, userID string) (int64, error) {
	var q quotaDoc
	err := s.quota.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&q)
	if err == mongo.ErrNoDocuments {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read quota of %s: %w", userID, err)
	}
	return q.Used, nil
}

// incUsed adds n (which may be negative) to a person's count; callers hold the person's quota lock
// (or run alone, at start-up).
func (s *Service) incUsed(ctx context.Context, userID string, n int64) error {
	_, err := s.quota.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "used", Value: n}}}},
		updateUpsert)
	if err != nil {
		return fmt.Errorf("count upload of %s: %w", userID, err)
	}
	return nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// UploadLimits are what one person may still upload.
type UploadLimits struct {
	MaxFileSize int64 `json:"max_file_size"`
	Quota       int64 `json:"quota"`
	Used        int64 `json:"used"` // uploads in progress count in full
}

// Limits answers actor's upload limits, for forms to say them and to refuse a file too large
// before sending it.
func (s *Service) Limits(ctx context.Context, actor accounts.User) (UploadLimits, error) {
	if actor.ID == "" {
		return UploadLimits{}, errs.Errorf(errs.Unauthorized, "sign in to upload documents")
	}
	used, err := s.used(ctx, actor.ID)
	if err != nil {
		return UploadLimits{}, err
	}
	return UploadLimits{MaxFileSize: s.cfg.MaxFileSize, Quota: s.cfg.Quota, Used: used}, nil
}
