package server

import (
	"bufio"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"plenary/errs"
)

// Server-sent events for readers without a websocket: anonymous readers of a public meeting follow
// its changes (the current item above all) on GET /api/meetings/{id}/events.
const (
	// streamLifetime ends a stream before the server's write timeout (60 s) would; the browser's
	// EventSource reconnects after the retry delay and the view reloads what it may have missed.
	streamLifetime   = 50 * time.Second
	streamKeepAlive  = 15 * time.Second
	maxStreamsPerIP  = 20
	streamRetryDelay = "1000"
)

// streamLimits counts open streams per client address.
type streamLimits struct {
	mu   sync.Mutex
	open map[string]int
}

func (l *streamLimits) acquire(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open == nil {
		l.open = map[string]int{}
	}
	if l.open[ip] >= maxStreamsPerIP {
		return false
	}
	l.open[ip]++
	return true
}

func (l *streamLimits) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func (s *Server) handleMeetingEvents(c *fiber.Ctx) error {
	ip := strings.Clone(c.IP())
	if !s.streams.acquire(ip) {
		return errs.RateLimitedFor(10, "too many open live streams from your address")
	}
	events, stop, err := s.meetings.Watch(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		s.streams.release(ip)
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set("X-Accel-Buffering", "no")
	done := s.stopPing
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.streams.release(ip)
		defer stop()
		keepAlive := time.NewTicker(streamKeepAlive)
		defer keepAlive.Stop()
		end := time.NewTimer(streamLifetime)
		defer end.Stop()
		w.WriteString("retry: " + streamRetryDelay + "\n\n")
		for {
			if err := w.Flush(); err != nil {
				return // the reader is gone
			}
			select {
			case b, ok := <-events:
				if !ok {
					return // may no longer read the meeting
				}
				w.WriteString("data: ")
				w.Write(b)
				w.WriteString("\n\n")
			case <-keepAlive.C:
				w.WriteString(": keep-alive\n\n")
			case <-end.C:
				return
			case <-done:
				return
			}
		}
	})
	return nil
}
