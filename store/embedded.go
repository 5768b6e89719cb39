package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const (
	// socketName ends in "sock" because that suffix is how mongo-driver decides that a host
	// in the URI is a Unix socket path rather than host:port.
	socketName = "ferretdb.sock"

	// maxSocketPath is the longest socket path we try to bind. Linux allows 107 bytes plus the
	// terminating NUL in sun_path; macOS only 103. Using the smaller figure keeps data
	// directories portable; longer paths fall back to a random loopback TCP port.
	maxSocketPath = 103

	// loopbackAnyPort is the fallback listen address: reachable only from this machine.
	loopbackAnyPort = "127.0.0.1:0"
)

// Embedded is a FerretDB instance running inside this process with its SQLite handler.
//
// Open starts and owns one when Config.URI is empty. Tests start one with StartEmbedded and
// hand it to many Opens through Config.Embedded, so that a test binary pays FerretDB's start-up
// once and every test still gets its own database (its own SQLite file).
type Embedded struct {
	dir     string // DataDir/db: SQLite files and the socket
	uri     string
	network string // "unix" or "tcp"
	addr    string // socket path or host:port
	cancel  context.CancelFunc
	done    chan struct{}
	runErr  error
}

// StartEmbedded starts FerretDB with its SQLite files under dataDir/db, listening on a Unix
// socket in that directory (or, when the socket path would be too long, on a random loopback
// TCP port). The directory is created with mode 0700, which is what keeps other local users off
// the socket. A nil logger means slog.Default(); FerretDB gets a copy that drops records below
// warning because it logs every connection at info level.
//
// ctx bounds start-up only; the instance runs until Close.
func StartEmbedded(ctx context.Context, dataDir string, logger *slog.Logger) (*Embedded, error) {
	if dataDir == "" {
		return nil, errors.New("start embedded store: empty data directory")
	}
	if logger == nil {
		logger = slog.Default()
	}

	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	dir := filepath.Join(abs, "db")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	// MkdirAll leaves an existing directory's mode alone; the socket's only protection is this
	// directory, so force the mode.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}

	listener := ferretdb.ListenerConfig{}
	sock := filepath.Join(dir, socketName)
	if len(sock) <= maxSocketPath {
		if err := removeStaleSocket(sock); err != nil {
			return nil, fmt.Errorf("start embedded store: %w", err)
		}
		listener.Unix = sock
	} else {
		logger.Warn("store: socket path too long, embedded store listens on loopback TCP instead",
			slog.String("socket", sock), slog.Int("max", maxSocketPath))
		listener.TCP = loopbackAnyPort
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Logger:    slog.New(ferretLogHandler{h: logger.Handler()}).With(slog.String("component", "ferretdb")),
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/"}).String(), // file:///abs/db/
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}

	// Run outlives ctx: cancelling start-up must not stop a store that started.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{dir: dir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.runErr = f.Run(runCtx)
	}()

	// MongoDBURI documents that Run must already be running; it then knows the bound address
	// (the real port when we asked for port 0).
	e.uri = f.MongoDBURI()
	if listener.Unix != "" {
		e.network, e.addr = "unix", listener.Unix
	} else {
		// The URI is the only place the port chosen for ":0" is exposed. (A Unix URI cannot be
		// parsed back: net/url rejects the %2F escapes the driver requires in the host.)
		u, err := url.Parse(e.uri)
		if err != nil {
			_ = e.Close()
			return nil, fmt.Errorf("start embedded store: parse ferretdb uri %q: %w", e.uri, err)
		}
		e.network, e.addr = "tcp", u.Host
	}
	if err := e.waitReady(ctx); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	return e, nil
}

// URI returns the MongoDB connection string of the running instance, for example
// "mongodb://%2Fdata%2Fdb%2Fferretdb.sock/".
func (e *Embedded) URI() string { return e.uri }

// Network returns "unix" or "tcp", telling whether the socket fallback was taken.
func (e *Embedded) Network() string { return e.network }

// Addr returns the socket path, or host:port when Network is "tcp".
func (e *Embedded) Addr() string { return e.addr }

// Dir returns the directory holding the SQLite files (one "<database>.sqlite" per database) and
// the socket.
func (e *Embedded) Dir() string { return e.dir }

// Close stops FerretDB and waits until it has closed its listener, connections and SQLite
// files, so that a following StartEmbedded on the same directory sees everything written.
// Clients should disconnect first: FerretDB gives open connections a grace period.
func (e *Embedded) Close() error {
	e.cancel()
	<-e.done
	if e.runErr != nil {
		return fmt.Errorf("stop embedded store: %w", e.runErr)
	}
	return nil
}

// waitReady polls the listener until it accepts connections.
func (e *Embedded) waitReady(ctx context.Context) error {
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, e.network, e.addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for ferretdb on %s: %w", e.addr, errors.Join(ctx.Err(), err))
		case <-e.done:
			return fmt.Errorf("ferretdb stopped during start-up: %w", e.runErr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// removeStaleSocket deletes a socket file left by a process that died without closing its
// listener (bind would fail with "address already in use"). A socket someone still answers on
// belongs to a live instance using the same data directory, which SQLite files must not share.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close()
		return fmt.Errorf("%s is in use by another running store", path)
	}
	return os.Remove(path)
}

// ferretLogHandler passes on FerretDB's warnings and errors, minus the noise: FerretDB logs every
// connection and command at info or debug, dumps every error reply (a duplicate key, an existing
// collection, the driver's endSessions which FerretDB v1 lacks) as two warnings, and warns about a
// deadline on every connection closed at shutdown. Error replies reach the caller as errors anyway.
//
// FerretDB also makes a logger with the attributes of each command for every command it runs.
// Those are kept, not formatted, until a record gets through: the standard handlers format
// attributes as soon as they are added, and for the chunks of an upload that formatting alone
// took 45% of the CPU.
type ferretLogHandler struct {
	h slog.Handler
	// with holds the WithAttrs and WithGroup calls, in order, applied to h only in Handle.
	with []func(slog.Handler) slog.Handler
}

// ferretNoise lists message prefixes of the routine warnings described above.
var ferretNoise = []string{"Response header:", "Response message:", "Failed to set deadline:"}

func (f ferretLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && f.h.Enabled(ctx, l)
}

func (f ferretLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError {
		for _, p := range ferretNoise {
			if strings.HasPrefix(r.Message, p) {
				return nil
			}
		}
	}
	h := f.h
	for _, w := range f.with {
		h = w(h)
	}
	return h.Handle(ctx, r)
}

func (f ferretLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return ferretLogHandler{h: f.h, with: append(slices.Clip(f.with), func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })}
}

func (f ferretLogHandler) WithGroup(name string) slog.Handler {
	return ferretLogHandler{h: f.h, with: append(slices.Clip(f.with), func(h slog.Handler) slog.Handler { return h.WithGroup(name) })}
}
