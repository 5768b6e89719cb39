package rooms

import (
	"context"
	"fmt"

	"plenary/accounts"
	"plenary/errs"
)

// InviteInput invites a person by e-mail address, optionally straight into a group.
type InviteInput struct {
	Email, GroupID, GroupRole string
}

// Invite creates an invitation. When a group is named, the person joins it with GroupRole
// (member by default) on accepting. Returns forbidden unless actor is secretariat, not_found for
// an unknown group, invalid or conflict (see accounts.Service.CreateInvitation).
func (s *Service) Invite(ctx context.Context, actor accounts.User, in InviteInput) (accounts.Invitation, error) {
	if !actor.IsSecretariat() {
		return accounts.Invitation{}, errs.Errorf(errs.Forbidden, "only the secretariat can invite people")
	}
	if in.GroupID != "" {
		if in.GroupRole == "" {
			in.GroupRole = RoleMember
		}
		if err := checkRole("group_role", in.GroupRole); err != nil {
			return accounts.Invitation{}, err
		}
		if _, err := s.loadGroup(ctx, actor, in.GroupID); err != nil {
			return accounts.Invitation{}, err
		}
	} else if in.GroupRole != "" {
		return accounts.Invitation{}, errs.Errorf(errs.Invalid, "group_role: needs group_id")
	}
	return s.accounts.CreateInvitation(ctx, actor, accounts.InvitationRequest{Email: in.Email, GroupID: in.GroupID, GroupRole: in.GroupRole})
}

// AcceptInvitation creates the invitee's account, signs them in and adds them to the invited
// group. Returns the errors of accounts.Service.AcceptInvitation.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string) (accounts.Session, error) {
	sess, inv, err := s.accounts.AcceptInvitation(ctx, token, name, password)
	if err != nil {
		return accounts.Session{}, err
	}
	if inv.GroupID != "" {
		if err := s.joinOnInvitation(ctx, sess.User, inv.GroupID, inv.GroupRole); err != nil && errs.CodeOf(err) != errs.NotFound {
			return accounts.Session{}, fmt.Errorf("join invited group: %w", err)
		}
	}
	return sess, nil
}
