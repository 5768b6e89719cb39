// Package store opens the platform's document store: MongoDB in production, or FerretDB embedded
// in the process (SQLite files under the data directory) everywhere else. Both are reached through
// the same mongo-driver client, so domain packages have one code path; see STORAGE.md for what the
// embedded store does and does not do fast.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Kinds returned by Store.Kind.
const (
	// KindEmbedded is an in-process FerretDB with its SQLite handler.
	KindEmbedded = "embedded"
	// KindMongoDB is a MongoDB deployment reached through Config.URI.
	KindMongoDB = "mongodb"
)

// DefaultDatabase is the database name used when Config.Database is empty.
const DefaultDatabase = "plenary"

// serverSelectionTimeout bounds how long an operation waits for a usable server. The driver's
// default is 30 s; 10 s still rides out a replica-set election (typically a few seconds) while
// failing requests and start-up early enough to be reported instead of hanging.
const serverSelectionTimeout = 10 * time.Second

// Collection declares a collection a domain package uses, with its secondary indexes. Indexes
// are created on MongoDB and on the embedded store alike, but they only make queries fast on
// MongoDB: FerretDB's SQLite handler pushes nothing but {_id: <string or ObjectID>} down to SQLite.
//
// Every collection must be declared: Open creates it and, on the embedded store, adds the _id
// index FerretDB is missing. A collection created implicitly later (by a first insert) stays
// unpatched until the next Open or an explicit EnsureIDIndexes, and every _id operation on it
// scans the whole table.
type Collection struct {
	Name    string
	Indexes []mongo.IndexModel
}

// Config says which store to open. Its zero value is not usable: either URI or DataDir (or
// Embedded) must be set.
type Config struct {
	// URI is the MongoDB connection string (MONGODB_URI); empty means the embedded store.
	URI string

	// DataDir is where the embedded store keeps its SQLite files and Unix socket, both under
	// DataDir/db, which is created with mode 0700. Ignored when URI or Embedded is set.
	DataDir string

	// Embedded, when set, is an already running embedded FerretDB to use instead of starting one
	// from DataDir. The Store does not own it: Close leaves it running. Test helpers use this to
	// share one FerretDB between many databases.
	Embedded *Embedded

	// Database is the database name; empty means DefaultDatabase. On the embedded store it names
	// the SQLite file, and FerretDB only accepts [a-zA-Z0-9_-]{1,63}.
	Database string

	// Logger receives the store's own records and FerretDB's warnings; nil means slog.Default().
	Logger *slog.Logger

	// Collections lists every collection the platform uses, with its indexes.
	Collections []Collection

	// SkipIDIndexPatch leaves FerretDB's SQLite tables without the _id index that Open normally
	// adds. It exists so that benchmarks and tests can show what the patch is worth; nothing else
	// should set it.
	SkipIDIndexPatch bool
}

// Store is an open connection to the document store.
type Store struct {
	client     *mongo.Client
	db         *mongo.Database
	kind       string
	logger     *slog.Logger
	embedded   *Embedded // nil on MongoDB
	ownsEmbed  bool      // whether Close stops embedded
	sqlitePath string    // the database's SQLite file; embedded only
}

// Open connects (starting the embedded FerretDB when URI is empty and no Embedded is given),
// creates every declared collection and index, and on the embedded store adds the missing _id
// expression index to every collection's SQLite table (see STORAGE.md). Open is idempotent:
// running it again on the same data creates nothing new.
func Open(ctx context.Context, cfg Config) (_ *Store, err error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	dbName := cfg.Database
	if dbName == "" {
		dbName = DefaultDatabase
	}

	s := &Store{logger: logger}
	uri := cfg.URI
	switch {
	case uri != "":
		s.kind = KindMongoDB
	case cfg.Embedded != nil:
		s.kind = KindEmbedded
		s.embedded = cfg.Embedded
	case cfg.DataDir != "":
		s.kind = KindEmbedded
		e, err := StartEmbedded(ctx, cfg.DataDir, logger)
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		s.embedded, s.ownsEmbed = e, true
	default:
		return nil, errors.New("open store: neither URI nor DataDir is set")
	}
	defer func() {
		if err != nil && s.ownsEmbed {
			_ = s.embedded.Close()
		}
	}()
	if s.embedded != nil {
		uri = s.embedded.URI()
		s.sqlitePath = sqliteFile(s.embedded.Dir(), dbName)
	}

	client, err := mongo.Connect(clientOptions(uri))
	if err != nil {
		return nil, fmt.Errorf("open store: connect: %w", err)
	}
	defer func() {
		if err != nil {
			_ = client.Disconnect(context.WithoutCancel(ctx))
		}
	}()
	s.client = client
	s.db = client.Database(dbName)

	if err := s.Ping(ctx); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	for _, c := range cfg.Collections {
		if err := s.ensureCollection(ctx, c); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	if s.kind == KindEmbedded && !cfg.SkipIDIndexPatch {
		if err := s.EnsureIDIndexes(ctx); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}

	logger.Debug("store: opened", slog.String("kind", s.kind), slog.String("database", dbName),
		slog.Int("collections", len(cfg.Collections)))
	return s, nil
}

// clientOptions returns the driver settings shared by MongoDB and the embedded store.
//
// Writes use w:majority with journaling because a write users are told is saved must survive a
// primary failover (a w:1 write can be rolled back) and a crash (an unjournaled write can be lost).
// Reads use majority read concern so that nothing read can later be rolled back. FerretDB accepts
// and ignores both: it has one node, and SQLite in WAL mode with synchronous=FULL (FerretDB's
// setting) has committed durably when a write returns. Keeping them on the embedded store too
// means tests run exactly the client configuration production runs.
func clientOptions(uri string) *options.ClientOptions {
	journal := true // writeconcern.Majority() leaves j unset, which defers to the server's default
	return options.Client().
		ApplyURI(uri).
		SetWriteConcern(&writeconcern.WriteConcern{W: "majority", Journal: &journal}).
		SetReadConcern(readconcern.Majority()).
		SetServerSelectionTimeout(serverSelectionTimeout).
		SetConnectTimeout(serverSelectionTimeout).
		SetAppName("plenary")
}

// ensureCollection creates c and its indexes unless they exist.
func (s *Store) ensureCollection(ctx context.Context, c Collection) error {
	err := s.db.CreateCollection(ctx, c.Name)
	var ce mongo.CommandError
	if err != nil && !(errors.As(err, &ce) && ce.HasErrorCode(codeNamespaceExists)) {
		return fmt.Errorf("create collection %s: %w", c.Name, err)
	}
	if len(c.Indexes) == 0 {
		return nil
	}
	// createIndexes with an index that already exists with the same key and options is a no-op;
	// a changed definition fails, which is what we want to hear about at start-up.
	if _, err := s.db.Collection(c.Name).Indexes().CreateMany(ctx, c.Indexes); err != nil {
		return fmt.Errorf("create indexes on %s: %w", c.Name, err)
	}
	return nil
}

// codeNamespaceExists is the server error code for creating a collection that exists.
const codeNamespaceExists = 48

// DB returns the database handle domain adapters work with.
func (s *Store) DB() *mongo.Database { return s.db }

// Collection returns a handle to the named collection, which should be one declared in
// Config.Collections.
func (s *Store) Collection(name string) *mongo.Collection { return s.db.Collection(name) }

// Kind returns KindEmbedded or KindMongoDB, for health output and for the few places (tests,
// benchmarks) that must know which store they measure.
func (s *Store) Kind() string { return s.kind }

// Ping checks that the primary answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping %s store: %w", s.kind, err)
	}
	return nil
}

// Close disconnects the client and, when Open started the embedded FerretDB, stops it and waits
// until its SQLite files are closed. The client goes first because FerretDB waits for open
// connections before it stops.
func (s *Store) Close(ctx context.Context) error {
	err := s.client.Disconnect(ctx)
	if err != nil {
		err = fmt.Errorf("close store: disconnect: %w", err)
	}
	if s.ownsEmbed {
		err = errors.Join(err, s.embedded.Close())
	}
	return err
}

// IsDuplicateKey reports whether err is (or wraps) a duplicate-key error (E11000), which the
// platform uses as the exactly-once arbiter for natural keys. It holds for insertOne, insertMany
// and upserts, on MongoDB and on FerretDB alike (FerretDB returns the same code 11000).
func IsDuplicateKey(err error) bool {
	return mongo.IsDuplicateKeyError(err)
}

// FindByID reads the document whose _id is id into a new T: a point read, the one kind of read
// that is fast on every store. A missing document is notFound.
func FindByID[T any](ctx context.Context, c *mongo.Collection, id string, notFound error) (*T, error) {
	var v T
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&v)
	if err == mongo.ErrNoDocuments {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", c.Name(), id, err)
	}
	return &v, nil
}
