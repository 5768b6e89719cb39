package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"plenary/documents/reports"
	"plenary/errs"
)

func (s *Server) registerReportRoutes(api fiber.Router) {
	api.Post("/reports", s.requireUser, s.handleReportCreate)
	api.Get("/reports/:id", s.requireUser, s.handleReportGet)
	api.Put("/reports/:id/drafters", s.requireUser, s.handleReportDrafters)
	api.Get("/reports/:id/history", s.requireUser, s.handleReportHistory)
	api.Post("/reports/:id/restore", s.requireUser, s.handleReportRestore)
	api.Get("/reports/:id/rendered", s.requireUser, s.handleReportRendered)
	api.Get("/groups/:id/reports", s.requireUser, s.handleGroupReports)
}

type reportCreateRequest struct {
	Title   string `json:"title"`
	GroupID string `json:"group_id"`
}

func (s *Server) handleReportCreate(c *fiber.Ctx) error {
	var req reportCreateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.cfg.Reports.Create(c.UserContext(), actor(c), reports.CreateInput{Title: req.Title, GroupID: req.GroupID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) handleReportGet(c *fiber.Ctx) error {
	r, err := s.cfg.Reports.Get(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) handleGroupReports(c *fiber.Ctx) error {
	rs, err := s.cfg.Reports.List(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(list(rs))
}

type draftersRequest struct {
	UserIDs []string `json:"user_ids"`
}

func (s *Server) handleReportDrafters(c *fiber.Ctx) error {
	var req draftersRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.cfg.Reports.SetDrafters(c.UserContext(), actor(c), param(c, "id"), req.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// optionalInt reads an optional non-negative integer query parameter.
func optionalInt(c *fiber.Ctx, name string) (int64, bool, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, false, errs.Errorf(errs.Invalid, "%s: a whole number, 0 or more", name)
	}
	return n, true, nil
}

// maxHistoryPage bounds one page of a report's timeline.
const maxHistoryPage = 200

func (s *Server) handleReportHistory(c *fiber.Ctx) error {
	before, _, err := optionalInt(c, "before")
	if err != nil {
		return err
	}
	limit, given, err := optionalInt(c, "limit")
	if err != nil {
		return err
	}
	if !given || limit == 0 || limit > maxHistoryPage {
		limit = maxHistoryPage
	}
	entries, err := s.cfg.Reports.History(c.UserContext(), actor(c), param(c, "id"), before, int(limit))
	if err != nil {
		return err
	}
	return c.JSON(list(entries))
}

type restoreRequest struct {
	Version int64 `json:"version"`
}

type restoreResponse struct {
	Version int64 `json:"version"`
}

func (s *Server) handleReportRestore(c *fiber.Ctx) error {
	var req restoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Reports.Restore(c.UserContext(), actor(c), param(c, "id"), req.Version)
	if err != nil {
		return err
	}
	return c.JSON(restoreResponse{Version: v})
}

func (s *Server) handleReportRendered(c *fiber.Ctx) error {
	v, given, err := optionalInt(c, "v")
	if err != nil {
		return err
	}
	var at *int64
	if given {
		at = &v
	}
	r, err := s.cfg.Reports.Rendered(c.UserContext(), actor(c), param(c, "id"), at)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
