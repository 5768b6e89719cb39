package server

import (
	"github.com/gofiber/fiber/v2"

	"plenary/rooms"
)

func (s *Server) registerGroupRoutes(api fiber.Router) {
	api.Get("/users", s.requireUser, s.handleUsers)
	api.Get("/focus-areas", s.requireUser, s.handleFocusAreaList)
	api.Post("/focus-areas", s.requireUser, s.handleFocusAreaCreate)
	api.Patch("/focus-areas/:id", s.requireUser, s.handleFocusAreaUpdate)
	api.Get("/groups", s.requireUser, s.handleGroupList)
	api.Post("/groups", s.requireUser, s.handleGroupCreate)
	api.Get("/groups/:id", s.requireUser, s.handleGroupGet)
	api.Patch("/groups/:id", s.requireUser, s.handleGroupUpdate)
	api.Post("/groups/:id/members", s.requireUser, s.handleMemberAdd)
	api.Patch("/groups/:id/members/:user", s.requireUser, s.handleMemberRole)
	api.Delete("/groups/:id/members/:user", s.requireUser, s.handleMemberRemove)
}

type listResponse[T any] struct {
	Items []T `json:"items"`
}

func list[T any](items []T) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	return listResponse[T]{Items: items}
}

func (s *Server) handleUsers(c *fiber.Ctx) error {
	users, err := s.accounts.Users(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(users))
}

type focusAreaRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (r focusAreaRequest) input() rooms.FocusAreaInput {
	return rooms.FocusAreaInput{Name: r.Name, Description: r.Description}
}

func (s *Server) handleFocusAreaList(c *fiber.Ctx) error {
	areas, err := s.rooms.FocusAreas(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(areas))
}

func (s *Server) handleFocusAreaCreate(c *fiber.Ctx) error {
	var req focusAreaRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := s.rooms.CreateFocusArea(c.UserContext(), actor(c), req.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

func (s *Server) handleFocusAreaUpdate(c *fiber.Ctx) error {
	var req focusAreaRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := s.rooms.UpdateFocusArea(c.UserContext(), actor(c), param(c, "id"), req.input())
	if err != nil {
		return err
	}
	return c.JSON(f)
}

type groupRequest struct {
	Name        *string `json:"name"`
	FocusArea   *string `json:"focus_area"`
	Description *string `json:"description"`
	Visibility  *string `json:"visibility"`
}

func (r groupRequest) input() rooms.GroupInput {
	return rooms.GroupInput{Name: r.Name, FocusArea: r.FocusArea, Description: r.Description, Visibility: r.Visibility}
}

func (s *Server) handleGroupList(c *fiber.Ctx) error {
	groups, err := s.rooms.Groups(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(groups))
}

func (s *Server) handleGroupCreate(c *fiber.Ctx) error {
	var req groupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.rooms.CreateGroup(c.UserContext(), actor(c), req.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}

func (s *Server) handleGroupGet(c *fiber.Ctx) error {
	g, err := s.rooms.Group(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(g)
}

func (s *Server) handleGroupUpdate(c *fiber.Ctx) error {
	var req groupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.rooms.UpdateGroup(c.UserContext(), actor(c), param(c, "id"), req.input())
	if err != nil {
		return err
	}
	return c.JSON(g)
}

type memberRequest struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Role   string `json:"role"`
}

func (s *Server) handleMemberAdd(c *fiber.Ctx) error {
	var req memberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.rooms.AddMember(c.UserContext(), actor(c), param(c, "id"), rooms.MemberInput{UserID: req.UserID, Email: req.Email, Role: req.Role})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}

type roleRequest struct {
	Role string `json:"role"`
}

func (s *Server) handleMemberRole(c *fiber.Ctx) error {
	var req roleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.rooms.SetMemberRole(c.UserContext(), actor(c), param(c, "id"), param(c, "user"), req.Role)
	if err != nil {
		return err
	}
	return c.JSON(g)
}

func (s *Server) handleMemberRemove(c *fiber.Ctx) error {
	g, err := s.rooms.RemoveMember(c.UserContext(), actor(c), param(c, "id"), param(c, "user"))
	if err != nil {
		return err
	}
	return c.JSON(g)
}
