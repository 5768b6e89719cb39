package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/errs"
)

// Invitation states.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationRevoked  = "revoked"
	InvitationExpired  = "expired"
)

// Invitation asks a person, by e-mail address, to create an account. The token handed out is
// "<id>.<secret>": the id finds the record with a point read, the secret is stored only hashed.
// An invitation ends (accepted or revoked) by inserting a claim under its id into
// invitation_claims: of an acceptance and a revocation racing, exactly one insert succeeds.
type Invitation struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	GroupID   string    `json:"group_id,omitempty"`
	GroupRole string    `json:"group_role,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Token is set only in the answer to CreateInvitation.
	Token string `json:"token,omitempty"`
}

type invitationDoc struct {
	ID         string    `bson:"_id"`
	Email      string    `bson:"email"`
	SecretHash string    `bson:"secret_hash"`
	Status     string    `bson:"status"`
	GroupID    string    `bson:"group_id,omitempty"`
	GroupRole  string    `bson:"group_role,omitempty"`
	CreatedBy  string    `bson:"created_by"`
	CreatedAt  time.Time `bson:"created_at"`
	ExpiresAt  time.Time `bson:"expires_at"`
	AcceptedBy string    `bson:"accepted_by,omitempty"`
}

func (d invitationDoc) invitation(now time.Time) Invitation {
	status := d.Status
	if status == InvitationPending && !now.Before(d.ExpiresAt) {
		status = InvitationExpired
	}
	return Invitation{ID: d.ID, Email: d.Email, Status: status, GroupID: d.GroupID, GroupRole: d.GroupRole,
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt}
}

// InvitationRequest is the input of CreateInvitation. GroupID and GroupRole are carried for the
// caller (package rooms adds the new account to that group); this package does not interpret them.
type InvitationRequest struct {
	Email, GroupID, GroupRole string
}

// CreateInvitation invites a person. Returns forbidden unless actor is secretariat, invalid for a
// bad address and conflict if the address already has an account.
func (s *Service) CreateInvitation(ctx context.Context, actor User, in InvitationRequest) (Invitation, error) {
	if !actor.IsSecretariat() {
		return Invitation{}, errs.Errorf(errs.Forbidden, "only the secretariat can invite people")
	}
	email, err := checkEmail(in.Email)
	if err != nil {
		return Invitation{}, err
	}
	if _, err := s.UserByEmail(ctx, email); err == nil {
		return Invitation{}, errs.Errorf(errs.Conflict, "email: %s already has an account", email)
	} else if errs.CodeOf(err) != errs.NotFound {
		return Invitation{}, err
	}
	secret := randomToken(32)
	now := s.now()
	doc := invitationDoc{
		ID: newID(), Email: email, SecretHash: hashSecret(secret), Status: InvitationPending,
		GroupID: in.GroupID, GroupRole: in.GroupRole, CreatedBy: actor.ID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.InvitationTTL),
	}
	if _, err := s.invites.InsertOne(ctx, doc); err != nil {
		return Invitation{}, fmt.Errorf("insert invitation: %w", err)
	}
	inv := doc.invitation(now)
	inv.Token = doc.ID + "." + secret
	return inv, nil
}

// Invitations lists invitations, newest first. Returns forbidden unless actor is secretariat.
func (s *Service) Invitations(ctx context.Context, actor User) ([]Invitation, error) {
	if !actor.IsSecretariat() {
		return nil, errs.Errorf(errs.Forbidden, "only the secretariat can see invitations")
	}
	// An admin screen, not a hot path; bounded.
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(1000)
	cur, err := s.invites.Find(ctx, bson.D{}, opts)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	var docs []invitationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	now := s.now()
	out := make([]Invitation, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.invitation(now))
	}
	return out, nil
}

// RevokeInvitation stops a pending invitation from working. Returns forbidden unless actor is
// secretariat, not_found for an unknown id and conflict if it is no longer pending.
func (s *Service) RevokeInvitation(ctx context.Context, actor User, invitationID string) error {
	if !actor.IsSecretariat() {
		return errs.Errorf(errs.Forbidden, "only the secretariat can revoke invitations")
	}
	doc, err := s.invitationDoc(ctx, invitationID)
	if err != nil {
		return err
	}
	notPending := func(status string) error {
		return errs.Errorf(errs.Conflict, "the invitation is %s, not pending", status)
	}
	if st := doc.invitation(s.now()).Status; st != InvitationPending {
		return notPending(st)
	}
	if err := s.claimInvitation(ctx, doc.ID, InvitationRevoked); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			return notPending("already used")
		}
		return err
	}
	return s.setInvitationStatus(ctx, doc.ID, InvitationRevoked, "")
}

func (s *Service) invitationDoc(ctx context.Context, invitationID string) (invitationDoc, error) {
	var doc invitationDoc
	err := s.invites.FindOne(ctx, bson.D{{Key: "_id", Value: invitationID}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return invitationDoc{}, errs.Errorf(errs.NotFound, "invitation not found")
	}
	if err != nil {
		return invitationDoc{}, fmt.Errorf("load invitation: %w", err)
	}
	return doc, nil
}

type claimDoc struct {
	InvitationID string    `bson:"_id"`
	Action       string    `bson:"action"`
	At           time.Time `bson:"at"`
}

// claimInvitation ends an invitation's pending state for action. Returns conflict if it was
// already claimed.
func (s *Service) claimInvitation(ctx context.Context, invitationID, action string) error {
	_, err := s.claims.InsertOne(ctx, claimDoc{InvitationID: invitationID, Action: action, At: s.now()})
	if isDuplicate(err) {
		return errs.Errorf(errs.Conflict, "the invitation was already used or revoked")
	}
	if err != nil {
		return fmt.Errorf("claim invitation: %w", err)
	}
	return nil
}

// unclaimInvitation makes an invitation usable again after an acceptance failed part-way.
func (s *Service) unclaimInvitation(ctx context.Context, invitationID string) error {
	if _, err := s.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: invitationID}}); err != nil {
		return fmt.Errorf("release invitation claim: %w", err)
	}
	return nil
}

func (s *Service) setInvitationStatus(ctx context.Context, invitationID, status, acceptedBy string) error {
	set := bson.D{{Key: "status", Value: status}}
	if acceptedBy != "" {
		set = append(set, bson.E{Key: "accepted_by", Value: acceptedBy})
	}
	if _, err := s.invites.UpdateOne(ctx, bson.D{{Key: "_id", Value: invitationID}}, bson.D{{Key: "$set", Value: set}}); err != nil {
		return fmt.Errorf("update invitation: %w", err)
	}
	return nil
}

// LookupInvitation returns the pending invitation a token stands for. Returns not_found for a
// token that is malformed, unknown, used, revoked or expired: the invitee learns only that the
// link no longer works.
func (s *Service) LookupInvitation(ctx context.Context, token string) (Invitation, error) {
	doc, err := s.pendingInvitation(ctx, token)
	if err != nil {
		return Invitation{}, err
	}
	return doc.invitation(s.now()), nil
}

func (s *Service) pendingInvitation(ctx context.Context, token string) (invitationDoc, error) {
	gone := errs.Errorf(errs.NotFound, "this invitation link is not valid any more; ask the secretariat for a new one")
	invID, secret, ok := strings.Cut(token, ".")
	if !ok || len(token) > 256 || invID == "" || secret == "" {
		return invitationDoc{}, gone
	}
	doc, err := s.invitationDoc(ctx, invID)
	if errs.CodeOf(err) == errs.NotFound {
		return invitationDoc{}, gone
	}
	if err != nil {
		return invitationDoc{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(doc.SecretHash)) != 1 ||
		doc.invitation(s.now()).Status != InvitationPending {
		return invitationDoc{}, gone
	}
	return doc, nil
}

// AcceptInvitation creates the invitee's account with the given name and password, marks the
// invitation accepted and opens a session. Returns not_found for an unusable token, invalid for
// a bad name or password, and conflict if the address got an account in the meantime.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string) (Session, Invitation, error) {
	doc, err := s.pendingInvitation(ctx, token)
	if err != nil {
		return Session{}, Invitation{}, err
	}
	// Check the input before claiming, so that a typo does not use the invitation up.
	if _, _, err := validateNewUser(doc.Email, name, password); err != nil {
		return Session{}, Invitation{}, err
	}
	if err := s.claimInvitation(ctx, doc.ID, InvitationAccepted); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			return Session{}, Invitation{}, errs.Errorf(errs.NotFound, "this invitation link is not valid any more; ask the secretariat for a new one")
		}
		return Session{}, Invitation{}, err
	}
	u, err := s.CreateUser(ctx, NewUser{Email: doc.Email, Name: name, Password: password, Role: RoleUser})
	if err != nil {
		// Give the invitation back unless the address has an account now: then it has served.
		if errs.CodeOf(err) != errs.Conflict {
			if uerr := s.unclaimInvitation(ctx, doc.ID); uerr != nil {
				return Session{}, Invitation{}, errors.Join(err, uerr)
			}
		}
		return Session{}, Invitation{}, err
	}
	// The claim is taken and the account exists before the invitation is marked: a crash in
	// between leaves an invitation that is listed as pending but can no longer be used.
	if err := s.setInvitationStatus(ctx, doc.ID, InvitationAccepted, u.ID); err != nil {
		return Session{}, Invitation{}, err
	}
	sess, err := s.openSession(ctx, u, newID())
	if err != nil {
		return Session{}, Invitation{}, err
	}
	doc.Status, doc.AcceptedBy = InvitationAccepted, u.ID
	return sess, doc.invitation(s.now()), nil
}
