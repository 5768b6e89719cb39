package server

import (
	"encoding/json"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"plenary/accounts"
	"plenary/errs"
	"plenary/notify"
)

// maxNotificationLimit bounds ?limit= of the list (an inbox holds at most a few hundred).
const maxNotificationLimit = 500

func (s *Server) registerNotificationRoutes(api fiber.Router) {
	api.Get("/notifications", s.requireUser, s.handleNotificationsList)
	api.Post("/notifications/read", s.requireUser, s.handleNotificationsRead)
	// Each stored notification is pushed to its recipient's open /api/ws connections.
	s.cfg.Notify.OnDelivered(s.pushNotification)
}

type notificationsResponse struct {
	Items  []notify.Notification `json:"items"`
	Unread int                   `json:"unread"`
}

func (s *Server) handleNotificationsList(c *fiber.Ctx) error {
	limit, given, err := optionalInt(c, "limit")
	if err != nil {
		return err
	}
	if given && (limit < 1 || limit > maxNotificationLimit) {
		return errs.Errorf(errs.Invalid, "limit: from 1 to %d", maxNotificationLimit)
	}
	items, unread, err := s.cfg.Notify.List(c.UserContext(), actor(c), int(limit))
	if err != nil {
		return err
	}
	return c.JSON(notificationsResponse{Items: items, Unread: unread})
}

type markReadRequest struct {
	IDs []string `json:"ids"`
}

type unreadResponse struct {
	Unread int `json:"unread"`
}

func (s *Server) handleNotificationsRead(c *fiber.Ctx) error {
	var req markReadRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	unread, err := s.cfg.Notify.MarkRead(c.UserContext(), actor(c), req.IDs)
	if err != nil {
		return err
	}
	return c.JSON(unreadResponse{Unread: unread})
}

type notificationEnvelope struct {
	Type         string              `json:"type"`
	Notification notify.Notification `json:"notification"`
	Unread       int                 `json:"unread"`
}

// pushNotification sends a stored notification to the recipient's realtime connections. It only
// queues frames, as the notify service requires of its hook.
func (s *Server) pushNotification(userID string, n notify.Notification, unread int) {
	frame, err := json.Marshal(notificationEnvelope{Type: "notification", Notification: n, Unread: unread})
	if err != nil {
		s.log.Error("encode notification", slog.Any("error", err))
		return
	}
	s.pushWhere(frame, func(u accounts.User) bool { return u.ID == userID })
}
