package server

import (
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// registerStatic serves the embedded web app. Files that exist are served as they are (hashed
// assets cached for a year); every other path gets index.html, so the app's own router handles
// deep links such as /groups/abc.
func (s *Server) registerStatic() {
	if s.cfg.Static == nil {
		return
	}
	index, err := fs.ReadFile(s.cfg.Static, "index.html")
	if err != nil {
		s.log.Warn("the web app is missing index.html; serving the API only")
		return
	}
	s.app.Get("/*", func(c *fiber.Ctx) error {
		name := strings.TrimPrefix(path.Clean("/"+c.Params("*")), "/")
		if name != "" && name != "index.html" {
			if data, err := fs.ReadFile(s.cfg.Static, name); err == nil {
				ctype := mime.TypeByExtension(path.Ext(name))
				if ctype == "" {
					ctype = fiber.MIMEOctetStream
				}
				c.Set(fiber.HeaderContentType, ctype)
				if strings.HasPrefix(name, "assets/") {
					c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
				} else {
					c.Set(fiber.HeaderCacheControl, "no-cache")
				}
				return c.Send(data)
			}
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Send(index)
	})
}
