package accounts

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/errs"
)

// Session is what a successful sign-in or refresh hands to the client.
type Session struct {
	User         User
	AccessToken  string
	ExpiresIn    int // seconds
	RefreshToken string
	// RefreshExpires is when the refresh token stops working if it is not used.
	RefreshExpires time.Time
}

// sessionDoc is one refresh token, stored under the hash of its value. A family groups the
// tokens that succeeded each other since one sign-in.
type sessionDoc struct {
	Hash      string    `bson:"_id"`
	Family    string    `bson:"family"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

type spentDoc struct {
	Hash      string    `bson:"_id"`
	SpentAt   time.Time `bson:"spent_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// revocationDoc ends a session family. Revoking is an insert, never an update: on the embedded
// store an update rewrites the whole document without isolation, so a concurrent write could
// undo it; an insert cannot be undone by anything but a delete.
type revocationDoc struct {
	Family    string    `bson:"_id"`
	Reason    string    `bson:"reason"`
	RevokedAt time.Time `bson:"revoked_at"`
	// ExpiresAt is when every token of the family has expired anyway, so the sweep may drop it.
	ExpiresAt time.Time `bson:"expires_at"`
}

// Credentials is a sign-in attempt.
type Credentials struct {
	Email, Password string
	// ClientIP is the address the attempt came from, for throttling.
	ClientIP string
	// DeviceToken is the device cookie the browser sent, if any.
	DeviceToken string
}

var errBadCredentials = errs.Errorf(errs.Unauthorized, "wrong e-mail address or password")

// Login checks credentials and opens a session. Unknown accounts and wrong passwords get the same
// answer in about the same time. Returns unauthorized for bad credentials, rate_limited when the
// attempt is throttled, invalid for a malformed request.
func (s *Service) Login(ctx context.Context, in Credentials) (Session, error) {
	if len(in.Email) > 1024 || len(in.Password) > 4*MaxPasswordLen {
		return Session{}, errs.Errorf(errs.Invalid, "email or password: too long")
	}
	email, err := checkEmail(in.Email)
	if err != nil {
		return Session{}, errBadCredentials
	}
	var (
		doc   userDoc
		found bool
	)
	var e emailDoc
	switch err := s.emails.FindOne(ctx, bson.D{{Key: "_id", Value: email}}).Decode(&e); {
	case err == nil:
		doc, err = s.userDoc(ctx, e.UserID)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return Session{}, err
		}
		found = err == nil
	case err == mongo.ErrNoDocuments:
		// Do the same amount of work as for a real account.
		_, _ = s.userDoc(ctx, "absent")
	default:
		return Session{}, fmt.Errorf("look up email: %w", err)
	}
	trusted := found && s.deviceUserID(in.DeviceToken) == doc.ID
	keys, limits := throttleKeys(email, in.ClientIP, trusted)
	now := s.now()
	if wait := s.throttle.reserve(now, keys, limits); wait > 0 {
		return Session{}, errs.RateLimitedFor(int(wait.Seconds())+1, "too many failed sign-in attempts; try again later")
	}
	ok, err := s.hash.Verify(ctx, doc.PasswordHash, in.Password)
	if err != nil {
		s.throttle.release(keys)
		return Session{}, err
	}
	if !ok || !found {
		return Session{}, errBadCredentials
	}
	s.throttle.release(keys)
	s.throttle.succeed(email, in.ClientIP)
	return s.openSession(ctx, doc.user(), newID())
}

// openSession issues an access token and a new refresh token in family.
func (s *Service) openSession(ctx context.Context, u User, family string) (Session, error) {
	now := s.now()
	access, err := s.issueAccessToken(u)
	if err != nil {
		return Session{}, fmt.Errorf("sign access token: %w", err)
	}
	refresh := randomToken(32)
	expires := now.Add(s.cfg.RefreshTTL)
	doc := sessionDoc{Hash: hashSecret(refresh), Family: family, UserID: u.ID, CreatedAt: now, ExpiresAt: expires}
	if _, err := s.sessions.InsertOne(ctx, doc); err != nil {
		return Session{}, fmt.Errorf("record session: %w", err)
	}
	return Session{
		User: u, AccessToken: access, ExpiresIn: int(s.cfg.AccessTTL.Seconds()),
		RefreshToken: refresh, RefreshExpires: expires,
	}, nil
}

var errSessionGone = errs.Errorf(errs.Unauthorized, "the session has ended; sign in again")

// Refresh spends a refresh token and returns a new session in the same family. A token that was
// already spent (outside the short grace for simultaneous refreshes) is taken as stolen: the
// whole family is revoked. Returns unauthorized when the session is unknown, expired or revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	if refreshToken == "" || len(refreshToken) > 256 {
		return Session{}, errSessionGone
	}
	hash := hashSecret(refreshToken)
	var doc sessionDoc
	err := s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return Session{}, errSessionGone
	}
	if err != nil {
		return Session{}, fmt.Errorf("load session: %w", err)
	}
	now := s.now()
	if !now.Before(doc.ExpiresAt) {
		return Session{}, errSessionGone
	}
	switch err := s.revoked.FindOne(ctx, bson.D{{Key: "_id", Value: doc.Family}}).Err(); {
	case err == nil:
		return Session{}, errSessionGone
	case err != mongo.ErrNoDocuments:
		return Session{}, fmt.Errorf("check session revocation: %w", err)
	}
	// Spending is an insert: of two concurrent refreshes with one token, only one succeeds.
	_, err = s.spent.InsertOne(ctx, spentDoc{Hash: hash, SpentAt: now, ExpiresAt: doc.ExpiresAt})
	if err != nil && !isDuplicate(err) {
		return Session{}, fmt.Errorf("spend refresh token: %w", err)
	}
	if err != nil {
		var sp spentDoc
		if ferr := s.spent.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&sp); ferr != nil {
			return Session{}, fmt.Errorf("load spent token: %w", ferr)
		}
		if s.cfg.ReuseGrace < 0 || now.Sub(sp.SpentAt) > s.cfg.ReuseGrace {
			if rerr := s.revokeFamily(ctx, doc.Family, "refresh token reused"); rerr != nil {
				return Session{}, rerr
			}
			return Session{}, errSessionGone
		}
	}
	u, err := s.User(ctx, doc.UserID)
	if errs.CodeOf(err) == errs.NotFound {
		return Session{}, errSessionGone
	}
	if err != nil {
		return Session{}, err
	}
	return s.openSession(ctx, u, doc.Family)
}

// Logout ends the session that refreshToken belongs to. Unknown tokens are ignored: signing out
// twice is not an error.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" || len(refreshToken) > 256 {
		return nil
	}
	var doc sessionDoc
	err := s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: hashSecret(refreshToken)}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load session: %w", err)
	}
	return s.revokeFamily(ctx, doc.Family, "signed out")
}

func (s *Service) revokeFamily(ctx context.Context, family, reason string) error {
	now := s.now()
	doc := revocationDoc{Family: family, Reason: reason, RevokedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTTL)}
	if _, err := s.revoked.InsertOne(ctx, doc); err != nil && !isDuplicate(err) {
		return fmt.Errorf("revoke session family: %w", err)
	}
	return nil
}

// Sweep deletes expired sessions, spent-token records, revocations and tickets. It is a filtered
// delete, run in the background now and then, never on a request path.
func (s *Service) Sweep(ctx context.Context) error {
	expired := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: s.now()}}}}
	for _, c := range []*mongo.Collection{s.sessions, s.spent, s.revoked, s.tickets} {
		if _, err := c.DeleteMany(ctx, expired); err != nil {
			return fmt.Errorf("sweep %s: %w", c.Name(), err)
		}
	}
	return nil
}
