package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"plenary/accounts"
	"plenary/rooms"
)

func (s *Server) registerInvitationRoutes(api fiber.Router) {
	api.Post("/invitations", s.requireUser, s.handleInvite)
	api.Get("/invitations", s.requireUser, s.handleInvitationList)
	api.Delete("/invitations/:id", s.requireUser, s.handleInvitationRevoke)
	api.Post("/invitations/lookup", s.handleInvitationLookup)
	api.Post("/invitations/accept", s.handleInvitationAccept)
}

type inviteRequest struct {
	Email     string `json:"email"`
	GroupID   string `json:"group_id"`
	GroupRole string `json:"group_role"`
}

type invitationResponse struct {
	accounts.Invitation
	// Link is the path of the page where the invitee accepts; the token sits in the fragment so
	// that it never reaches a server log or a Referer header.
	Link string `json:"link,omitempty"`
}

func (s *Server) handleInvite(c *fiber.Ctx) error {
	var req inviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inv, err := s.rooms.Invite(c.UserContext(), actor(c), rooms.InviteInput{Email: req.Email, GroupID: req.GroupID, GroupRole: req.GroupRole})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(invitationResponse{Invitation: inv, Link: "/invite#" + inv.Token})
}

func (s *Server) handleInvitationList(c *fiber.Ctx) error {
	invs, err := s.accounts.Invitations(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(invs))
}

func (s *Server) handleInvitationRevoke(c *fiber.Ctx) error {
	if err := s.accounts.RevokeInvitation(c.UserContext(), actor(c), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type tokenRequest struct {
	Token string `json:"token"`
}

type invitationLookupResponse struct {
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) handleInvitationLookup(c *fiber.Ctx) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inv, err := s.accounts.LookupInvitation(c.UserContext(), req.Token)
	if err != nil {
		return err
	}
	return c.JSON(invitationLookupResponse{Email: inv.Email, ExpiresAt: inv.ExpiresAt})
}

type acceptRequest struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) handleInvitationAccept(c *fiber.Ctx) error {
	var req acceptRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, err := s.rooms.AcceptInvitation(c.UserContext(), req.Token, req.Name, req.Password)
	if err != nil {
		return err
	}
	return s.respondSession(c, sess, fiber.StatusOK)
}
