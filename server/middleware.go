package server

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"plenary/id"
)

const localRequestID = "request_id"

func requestID(c *fiber.Ctx) string {
	v, _ := c.Locals(localRequestID).(string)
	return v
}

// requestIDAndLog gives every request an id (a sane incoming X-Request-ID is kept, so a proxy's
// id carries through), echoes it, and logs one line per request.
func (s *Server) requestIDAndLog(c *fiber.Ctx) error {
	rid := c.Get(fiber.HeaderXRequestID)
	if !saneRequestID(rid) {
		rid = id.New()
	} else {
		rid = strings.Clone(rid)
	}
	c.Locals(localRequestID, rid)
	c.Set(fiber.HeaderXRequestID, rid)
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	level := slog.LevelInfo
	if c.Response().StatusCode() >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.UserContext(), level, "request",
		slog.String("request_id", rid),
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", c.Response().StatusCode()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", c.IP()),
	)
	return nil
}

func saneRequestID(v string) bool {
	if v == "" || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return false
		}
	}
	return true
}

// recoverPanics turns a panic into an internal error: the stack goes to the log, the client gets
// the usual error shape and nothing more.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", slog.String("request_id", requestID(c)), slog.String("panic", fmt.Sprint(r)),
				slog.String("stack", string(debug.Stack())))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// contentSecurityPolicy allows only the app's own scripts, styles and connections: no inline
// script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := func(k, v string) { c.Set(k, v) }
	h("Content-Security-Policy", contentSecurityPolicy)
	h("X-Content-Type-Options", "nosniff")
	h("X-Frame-Options", "DENY")
	h("Referrer-Policy", "no-referrer")
	h("Cross-Origin-Opener-Policy", "same-origin")
	h("Cross-Origin-Resource-Policy", "same-origin")
	h("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if c.Protocol() == "https" {
		h("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// noStore keeps API answers (tokens, private data) out of caches.
func (s *Server) noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// param returns a route parameter as a string the handler may keep: Fiber reuses its memory.
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }
