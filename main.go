// Command plenary serves the Plenary platform: the web app, its API and the embedded store.
// Configuration comes from the environment (see README.md); `go run .` starts it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"plenary/accounts"
	"plenary/contributions"
	"plenary/demo"
	"plenary/documents/reports"
	"plenary/documents/review"
	"plenary/frontend"
	"plenary/meetings"
	"plenary/notify"
	"plenary/rooms"
	"plenary/server"
	"plenary/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		fmt.Fprintln(os.Stderr, "plenary:", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	started := time.Now()
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	if err := cfg.prepareDataDir(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, store.Config{
		URI:         cfg.MongoURI,
		DataDir:     cfg.DataDir,
		Logger:      log,
		Collections: slices.Concat(accounts.Collections(), rooms.Collections(), rooms.DiscussionCollections(), meetings.Collections(), reports.Collections(), contributions.Collections(), review.Collections(), notify.Collections()),
	})
	if err != nil {
		if cfg.MongoURI != "" {
			return fmt.Errorf("MONGODB_URI: %w", err)
		}
		return fmt.Errorf("open the embedded store in PLENARY_DATA_DIR: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := st.Close(closeCtx); err != nil {
			log.Error("close store", slog.Any("error", err))
		}
	}()

	acc, err := accounts.New(st, accounts.Config{JWTKey: cfg.JWTKey})
	if err != nil {
		return err
	}
	// Closed before the store (defers run last first): it flushes queued mails.
	notes, err := notify.New(st, acc, notify.Config{SMTPURL: cfg.SMTPURL, BaseURL: cfg.PublicURL, Logger: log})
	if err != nil {
		return fmt.Errorf("PLENARY_SMTP_URL: %w", err)
	}
	defer notes.Close()
	rs := rooms.New(st, acc)
	discussion := rooms.NewDiscussion(st, rs, rooms.DiscussionConfig{PostRate: cfg.PostRate, Logger: log})
	defer discussion.Close()
	ms := meetings.New(st, acc, rs, discussion)
	reps := reports.New(st, acc, rs, reports.Config{Logger: log})
	contribs, err := contributions.New(ctx, st, acc, ms, rs, contributions.Config{
		MaxFileSize: int64(cfg.MaxUploadMB) << 20, Quota: int64(cfg.UploadQuotaMB) << 20, Logger: log})
	if err != nil {
		return err
	}
	go sweep(ctx, log, acc)
	// The review's live updates go out through the server, which is made after it.
	var live atomic.Pointer[server.Server]
	rev, err := review.New(ctx, st, acc, rs, ms, reps, contribs, review.Config{Logger: log,
		// Storing a notification takes a store read and write per person: not in the request
		// that caused it, which holds the report's review.
		Notify: func(ctx context.Context, userIDs []string, n review.Notice) {
			go func() {
				ctx, cancel := context.WithTimeout(ctx, time.Minute)
				defer cancel()
				if err := notes.Send(ctx, userIDs, notify.Note(n)); err != nil {
					log.Warn("review notification", slog.Any("error", err))
				}
			}()
		},
		Changed: func(reportID string) {
			if srv := live.Load(); srv != nil {
				srv.ReviewChanged(reportID)
			}
		}})
	if err != nil {
		return err
	}
	defer rev.Close()
	if err := bootstrap(ctx, cfg, acc, rs, ms, contribs, reps, rev); err != nil {
		return err
	}

	static, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return fmt.Errorf("embedded web app: %w", err)
	}
	srv := server.New(server.Config{
		Origins: cfg.Origins, Static: static, Logger: log, Store: st, Accounts: acc, Rooms: rs, Discussion: discussion, Meetings: ms, Reports: reps,
		Contributions: contribs, Review: rev, Notify: notes,
	})
	live.Store(srv)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("PLENARY_ADDR: %w", err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	fmt.Printf("Plenary is listening on http://%s (store: %s, started in %s)\n", ln.Addr(), st.Kind(), time.Since(started).Round(time.Millisecond))
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("store", st.Kind()))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	if err := srv.Shutdown(15 * time.Second); err != nil {
		log.Error("shutdown", slog.Any("error", err))
	}
	return nil
}

// bootstrap creates the configured secretariat account and the demo data on an empty store.
func bootstrap(ctx context.Context, cfg config, acc *accounts.Service, rs *rooms.Service, ms *meetings.Service, cs *contributions.Service,
	reps *reports.Service, rev *review.Service) error {
	has, err := acc.HasUsers(ctx)
	if err != nil || has {
		return err
	}
	if cfg.AdminEmail != "" {
		_, err := acc.CreateUser(ctx, accounts.NewUser{Email: cfg.AdminEmail, Name: "Secretariat", Password: cfg.AdminPassword, Role: accounts.RoleSecretariat})
		if err != nil {
			return fmt.Errorf("PLENARY_ADMIN_EMAIL: create the secretariat account: %w", err)
		}
		fmt.Printf("Created the secretariat account %s\n", cfg.AdminEmail)
	}
	if !cfg.Demo {
		return nil
	}
	people, err := demo.Load(ctx, acc, rs, ms)
	if err != nil {
		return fmt.Errorf("PLENARY_DEMO: load demo data: %w", err)
	}
	if err := demo.LoadDocuments(ctx, acc, ms, cs); err != nil {
		return fmt.Errorf("PLENARY_DEMO: load demo documents: %w", err)
	}
	if err := demo.LoadReport(ctx, acc, rs, reps, rev); err != nil {
		return fmt.Errorf("PLENARY_DEMO: load the demo report: %w", err)
	}
	fmt.Println("Loaded the demo: the 2006 WSIS C5 facilitation meeting, its agenda and documents, focus areas and groups,")
	fmt.Println("and a draft Chairman's Report circulated for comments.")
	fmt.Printf("Demo accounts (password %q):\n", demo.Password)
	for _, p := range people {
		fmt.Printf("  %-26s %-16s %s\n", p.Email, p.Name, p.Note)
	}
	return nil
}

// sweep removes expired sessions and tickets every hour.
func sweep(ctx context.Context, log *slog.Logger, acc *accounts.Service) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := acc.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("sweep expired sessions", slog.Any("error", err))
			}
		}
	}
}
