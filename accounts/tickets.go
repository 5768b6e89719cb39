package accounts

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/errs"
)

// Websocket tickets let a browser open a websocket without putting its access token in a URL:
// the ticket is single use and short-lived. They are stored (hashed) rather than kept in memory so
// that any server process can accept a ticket issued by another.
type ticketDoc struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// IssueTicket returns a new single-use websocket ticket for actor.
func (s *Service) IssueTicket(ctx context.Context, actor User) (string, error) {
	ticket := randomToken(32)
	doc := ticketDoc{Hash: hashSecret(ticket), UserID: actor.ID, ExpiresAt: s.now().Add(s.cfg.TicketTTL)}
	if _, err := s.tickets.InsertOne(ctx, doc); err != nil {
		return "", fmt.Errorf("store ticket: %w", err)
	}
	return ticket, nil
}

// RedeemTicket spends a ticket and returns its user. The delete is the arbiter of single use: of
// two connections presenting one ticket, only one deletes it (DeletedCount is 1). FindOneAndDelete
// would not do: the embedded store returns the document to both. Returns unauthorized for an
// unknown, spent or expired ticket.
func (s *Service) RedeemTicket(ctx context.Context, ticket string) (User, error) {
	bad := errs.Errorf(errs.Unauthorized, "the websocket ticket is invalid, used or expired")
	if ticket == "" || len(ticket) > 256 {
		return User{}, bad
	}
	var doc ticketDoc
	filter := bson.D{{Key: "_id", Value: hashSecret(ticket)}}
	err := s.tickets.FindOne(ctx, filter).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return User{}, bad
	}
	if err != nil {
		return User{}, fmt.Errorf("redeem ticket: %w", err)
	}
	res, err := s.tickets.DeleteOne(ctx, filter)
	if err != nil {
		return User{}, fmt.Errorf("redeem ticket: %w", err)
	}
	if res.DeletedCount != 1 {
		return User{}, bad
	}
	if !s.now().Before(doc.ExpiresAt) {
		return User{}, bad
	}
	u, err := s.User(ctx, doc.UserID)
	if errs.CodeOf(err) == errs.NotFound {
		return User{}, bad
	}
	return u, err
}
