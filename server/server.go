// Package server is Plenary's HTTP face: the Fiber application, its routes and middleware
// (authentication, security headers, limits, request ids), and the mapping of domain errors to
// HTTP answers. It is the only package that imports Fiber; it decodes requests, calls the domain
// services with the acting user, and encodes their answers.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"

	"plenary/accounts"
	"plenary/contributions"
	"plenary/documents/reports"
	"plenary/documents/review"
	"plenary/meetings"
	"plenary/notify"
	"plenary/rooms"
)

// Store is what the server needs of the database: a health check.
type Store interface {
	Ping(ctx context.Context) error
	Kind() string
}

// Config holds everything the server needs. Zero values are sensible defaults where noted.
type Config struct {
	// Origins are the origins allowed for CORS and websockets. Empty means only the server's own.
	Origins []string
	// BodyLimit bounds request bodies. Zero means 1 MiB.
	BodyLimit int
	// Static is the built web app (index.html at its root). Nil serves no UI.
	Static fs.FS

	// WSPingInterval is how often websocket connections are pinged. Zero means 1 s.
	WSPingInterval time.Duration
	// WSPongTimeout closes a websocket connection that sent nothing for this long. Zero means 1.8 s.
	WSPongTimeout time.Duration

	Logger     *slog.Logger
	Store      Store
	Accounts   *accounts.Service
	Rooms      *rooms.Service
	Discussion *rooms.Discussion
	Meetings   *meetings.Service
	Reports    *reports.Service
	// Contributions may be nil: no document routes.
	Contributions *contributions.Service
	// Review may be nil: no review routes.
	Review *review.Service
	// Notify may be nil: no notification routes.
	Notify *notify.Service
	// UploadStall drops an upload that sends nothing for this long. Zero means 30 s.
	UploadStall time.Duration
}

// Server is the HTTP server.
type Server struct {
	app *fiber.App
	// socketApp serves the connections that open with a websocket request (listen.go).
	socketApp *fiber.App
	// poller reads idle discussion websockets without a goroutine each (wsread.go); made with
	// the first such websocket, nil where epoll is missing.
	poller     *poller
	pollerOnce sync.Once
	log        *slog.Logger
	cfg        Config
	origins    map[string]bool
	accounts   *accounts.Service
	rooms      *rooms.Service
	meetings   *meetings.Service

	wsMu    sync.Mutex
	wsConns map[*wsConn]bool
	// wsStalls counts the writes a polled socket took only part of (wswrite.go).
	wsStalls atomic.Int64
	// wsNextSlice spreads new connections over the pinger's slices.
	wsNextSlice int
	// stopPing is closed at shutdown: it stops the pinger and ends event streams.
	stopPing chan struct{}
	stopOnce sync.Once
	streams  streamLimits
	// exports holds a token per running export conversion (exportSlot).
	exports chan struct{}
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.UploadStall <= 0 {
		cfg.UploadStall = 30 * time.Second
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.WSPingInterval <= 0 {
		cfg.WSPingInterval = time.Second
	}
	if cfg.WSPongTimeout <= 0 {
		cfg.WSPongTimeout = 1800 * time.Millisecond
	}
	s := &Server{log: cfg.Logger, cfg: cfg, accounts: cfg.Accounts, rooms: cfg.Rooms, meetings: cfg.Meetings, origins: map[string]bool{},
		wsConns: map[*wsConn]bool{}, stopPing: make(chan struct{}), exports: make(chan struct{}, maxExports)}
	for _, o := range cfg.Origins {
		s.origins[o] = true
	}
	appCfg := s.baseAppConfig()
	appCfg.BodyLimit = cfg.BodyLimit
	// Long enough for a 100 MiB document to a client at about 120 KB/s (downloads are written
	// after their handler returns, under this one deadline).
	appCfg.WriteTimeout = 15 * time.Minute
	// Bodies are streamed so that uploads reach the store without being held in memory;
	// boundBody keeps the BodyLimit of every other request. fasthttp's own reading of
	// multipart forms (into memory and temporary files) is off for the same reason.
	appCfg.StreamRequestBody = true
	appCfg.DisablePreParseMultipartForm = true
	s.app = fiber.New(appCfg)
	s.app.Use(s.requestIDAndLog, s.recoverPanics, s.securityHeaders)
	if len(cfg.Origins) > 0 {
		s.app.Use("/api", cors.New(cors.Config{
			AllowOrigins:     joinComma(cfg.Origins),
			AllowCredentials: true,
			AllowHeaders:     "Authorization, Content-Type, X-CSRF-Token, X-Request-ID",
			AllowMethods:     "GET, POST, PATCH, PUT, DELETE",
			ExposeHeaders:    "X-Request-ID, Retry-After",
			MaxAge:           600,
		}))
	}
	api := s.app.Group("/api", s.noStore, s.boundBody, refuseOperatorQueries)
	api.Get("/health", s.handleHealth)
	s.registerAuthRoutes(api)
	s.registerInvitationRoutes(api)
	s.registerGroupRoutes(api)
	if cfg.Meetings != nil {
		s.registerMeetingRoutes(api)
	}
	if cfg.Reports != nil {
		s.registerReportRoutes(api)
		s.registerReviewRoutes(api)
	}
	if cfg.Contributions != nil {
		s.registerContributionRoutes(api)
	}
	if cfg.Notify != nil {
		s.registerNotificationRoutes(api)
	}
	s.registerSocketRoutes(api)
	if cfg.Discussion != nil || cfg.Reports != nil {
		go s.pingLoop()
	}
	api.All("/*", s.noSuchEndpoint)
	s.registerStatic()
	s.socketApp = s.newSocketApp()
	return s
}

// newSocketApp builds the server of websocket connections. fasthttp hands a hijacked connection
// the reader that read its request (ReadBufferSize, 10 KiB) and keeps it for the connection's
// life, unless readers are released after every request (ReduceMemoryUsage). The main server
// cannot release them, because it streams request bodies; this one reads no bodies, so an idle
// websocket holds only the websocket's own 1 KiB reader. It answers everything but an upgrade
// with "Connection: close", so the client's next request comes on a connection of the main server.
func (s *Server) newSocketApp() *fiber.App {
	cfg := s.baseAppConfig()
	cfg.BodyLimit = 4 << 10
	cfg.WriteTimeout = 30 * time.Second
	cfg.ReduceMemoryUsage = true
	app := fiber.New(cfg)
	// A polled websocket outlives its handler (wsread.go); endWS closes the others.
	app.Server().KeepHijackedConns = true
	app.Use(s.requestIDAndLog, s.recoverPanics, s.securityHeaders, func(c *fiber.Ctx) error {
		err := c.Next()
		if err != nil || c.Response().StatusCode() != fiber.StatusSwitchingProtocols {
			c.Context().SetConnectionClose()
		}
		return err
	})
	api := app.Group("/api", s.noStore, refuseOperatorQueries)
	s.registerSocketRoutes(api)
	app.All("/*", s.noSuchEndpoint)
	return app
}

// baseAppConfig is what the main and the socket server share.
func (s *Server) baseAppConfig() fiber.Config {
	return fiber.Config{
		AppName:      "Plenary",
		ErrorHandler: s.handleError,
		ReadTimeout:  30 * time.Second,
		IdleTimeout:  120 * time.Second,
		// The read buffer also bounds request headers. 10 KiB still reads a client's 8 KiB of
		// junk in a header, to answer it properly.
		ReadBufferSize:        10 << 10,
		DisableStartupMessage: true,
	}
}

func refuseOperatorQueries(c *fiber.Ctx) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	return c.Next()
}

// registerSocketRoutes adds the websocket endpoints: the discussion's and the reports' ShareDB.
func (s *Server) registerSocketRoutes(api fiber.Router) {
	if s.cfg.Discussion != nil {
		s.registerWSRoutes(api)
	}
	if s.cfg.Reports != nil {
		api.Get("/sharedb", s.wsAdmit, s.shareDBHandler())
	}
}

func (s *Server) noSuchEndpoint(*fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "no such API endpoint")
}

// App returns the Fiber application, for tests (app.Test) and for serving.
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown. Connections whose first request is a websocket
// go to the socket server, the others to the main application (listen.go).
func (s *Server) Serve(ln net.Listener) error {
	split := newSplitListener(ln)
	go split.run()
	socketErr := make(chan error, 1)
	go func() { socketErr <- s.socketApp.Listener(split.sockets) }()
	err := s.app.Listener(split.main)
	_ = split.main.Close()
	if serr := <-socketErr; err == nil {
		err = serr
	}
	return err
}

// Shutdown stops accepting connections, closes websockets with "going away" (clients reconnect
// elsewhere and resume), and waits up to timeout for requests in flight.
func (s *Server) Shutdown(timeout time.Duration) error {
	s.stopOnce.Do(func() { close(s.stopPing) })
	s.closeAllWS()
	s.pollerOnce.Do(func() {}) // none is made after this
	if s.poller != nil {
		defer s.poller.close()
	}
	deadline := time.Now().Add(timeout)
	err := s.app.ShutdownWithTimeout(timeout)
	if serr := s.socketApp.ShutdownWithTimeout(max(time.Until(deadline), time.Second)); err == nil {
		err = serr
	}
	return err
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.log.Warn("health check failed", slog.Any("error", err))
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok", "store": s.cfg.Store.Kind()})
}

func joinComma(items []string) string {
	out := ""
	for i, it := range items {
		if i > 0 {
			out += ","
		}
		out += it
	}
	return out
}
