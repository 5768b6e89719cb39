package server

import (
	"github.com/gofiber/fiber/v2"

	"plenary/documents/reports"
)

func (s *Server) registerReportRoutes(api fiber.Router) {
	api.Post("/reports", s.requireUser, s.handleReportCreate)
	api.Get("/reports/:id", s.requireUser, s.handleReportGet)
	api.Put("/reports/:id/drafters", s.requireUser, s.handleReportDrafters)
	api.Get("/groups/:id/reports", s.requireUser, s.handleGroupReports)
	api.Get("/sharedb", s.wsAdmit, s.shareDBHandler())
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
