package contributions

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/check"
	"plenary/contributions/inspect"
	"plenary/errs"
	"plenary/meetings"
	"plenary/rooms"
	"plenary/store"
)

const (
	colContributions = "contributions"
	colIndex         = "contribution_index"
	colSymbols       = "contribution_symbols"
	colSettings      = "contribution_settings"
	colQuota         = "contribution_quota"
	colUploads       = "contribution_uploads"
	// bucket names the GridFS collections of the files: contribution_files.files and
	// contribution_files.chunks.
	bucket = "contribution_files"

	maxRevisions = 50
	maxEvents    = 200
	// maxIndexed bounds the documents of one meeting or group (and the entries of one person's
	// list of their own submissions), which live in one index document.
	maxIndexed = 2000
)

// Collections returns the collections this package uses, for store.Open. The GridFS collections
// are declared too, so that the embedded store has their _id index.
func Collections() []store.Collection {
	return []store.Collection{
		{Name: colContributions},
		{Name: colIndex},
		{Name: colSymbols},
		{Name: colSettings},
		{Name: colQuota},
		{Name: colUploads},
		{Name: bucket + ".files"},
		// The index GridFS readers use; this package reads chunks by _id.
		{Name: bucket + ".chunks", Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}}}},
	}
}

// Config tunes the service. Zero values are sensible defaults.
type Config struct {
	// MaxFileSize bounds one file. Zero means 100 MiB.
	MaxFileSize int64
	// Quota bounds the bytes one person has uploaded (every revision counts). Zero means 1 GiB.
	Quota int64
	// TempDir holds an upload while its content is checked (a zip's directory is at its end).
	// Empty means os.TempDir().
	TempDir string
	// Limits of the content checks. Zero values mean inspect.DefaultLimits().
	Limits inspect.Limits
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives failures of background work. Nil means slog.Default().
	Logger *slog.Logger
}

// Service manages contributions.
type Service struct {
	cfg      Config
	log      *slog.Logger
	acc      *accounts.Service
	meetings *meetings.Service
	groups   *rooms.Service
	docs     *mongo.Collection
	index    *mongo.Collection
	symbols  *mongo.Collection
	settings *mongo.Collection
	quota    *mongo.Collection
	uploads  *mongo.Collection
	// filesColl and chunks hold the files in the GridFS format (files.go).
	filesColl *mongo.Collection
	chunks    *mongo.Collection

	// locks serialize changes of one document, index or quota document in this process (the
	// embedded store updates by read-then-write); a version filter guards between processes.
	locks keyedMutex
}

// New returns a Service over st, whose collections must include Collections(). It removes what
// uploads interrupted by a crash left in GridFS.
func New(ctx context.Context, st *store.Store, acc *accounts.Service, ms *meetings.Service, rs *rooms.Service, cfg Config) (*Service, error) {
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = 100 << 20
	}
	if cfg.Quota <= 0 {
		cfg.Quota = 1 << 30
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Limits == (inspect.Limits{}) {
		cfg.Limits = inspect.DefaultLimits()
	}
	cfg.Limits.MaxSize = cfg.MaxFileSize
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{
		cfg: cfg, log: cfg.Logger, acc: acc, meetings: ms, groups: rs,
		docs: st.Collection(colContributions), index: st.Collection(colIndex), symbols: st.Collection(colSymbols),
		settings: st.Collection(colSettings), quota: st.Collection(colQuota), uploads: st.Collection(colUploads),
		filesColl: st.Collection(bucket + ".files"), chunks: st.Collection(bucket + ".chunks"),
	}
	if err := s.cleanInterrupted(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// MaxFileSize is the largest file accepted.
func (s *Service) MaxFileSize() int64 { return s.cfg.MaxFileSize }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// keyedMutex is a mutex per key, created on demand and dropped when unused.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

// lock locks key and returns its unlock.
func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

var (
	updateUpsert  = options.UpdateOne().SetUpsert(true)
	replaceUpsert = options.Replace().SetUpsert(true)
)

var errNotFound = errs.Errorf(errs.NotFound, "document not found")

// load reads a document by id.
func (s *Service) load(ctx context.Context, id string) (*contributionDoc, error) {
	if check.ID("id", id) != nil {
		return nil, errNotFound
	}
	return store.FindByID[contributionDoc](ctx, s.docs, id, errNotFound)
}

// save replaces a document changed from version c.Version-1; a concurrent change elsewhere is a
// conflict. Callers hold the document's lock.
func (s *Service) save(ctx context.Context, c *contributionDoc) error {
	res, err := s.docs.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}, {Key: "version", Value: c.Version - 1}}, c)
	if err != nil {
		return fmt.Errorf("store contribution %s: %w", c.ID, err)
	}
	if res.MatchedCount == 0 {
		return errs.Errorf(errs.Conflict, "the document was changed meanwhile; reload it and try again")
	}
	return nil
}
