// Package accounts holds people and their sessions: user accounts with argon2id passwords,
// sign-in with throttling, short-lived JWT access tokens, rotating refresh tokens, invitations
// and single-use websocket tickets.
//
// Storage follows STORAGE.md: every hot operation is an _id point read, an insert or an _id
// update. E-mail uniqueness is arbitrated by inserting into user_emails, whose _id is the
// normalized address; spending a refresh token is arbitrated by inserting its hash into
// session_spent; revoking a session family and using up an invitation are inserts too. A
// duplicate-key error is the answer in each case, also across processes. Updates are kept off
// every path where two writers could meet: on the embedded store an update is a read followed by
// a whole-document write, without isolation between the two.
package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/errs"
	"plenary/store"
)

// Global roles. Group roles live in package rooms.
const (
	RoleSecretariat = "secretariat"
	RoleUser        = "user"
)

// Collection names.
const (
	colUsers      = "users"
	colEmails     = "user_emails"
	colInvites    = "invitations"
	colSessions   = "sessions"
	colSpent      = "session_spent"
	colRevoked    = "session_revocations"
	colClaims     = "invitation_claims"
	colWSTickets  = "ws_tickets"
	maxListedUser = 5000
)

// Collections returns the collections this package uses, for store.Open.
func Collections() []store.Collection {
	byCreated := mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: 1}}}
	byExpiry := mongo.IndexModel{Keys: bson.D{{Key: "expires_at", Value: 1}}}
	return []store.Collection{
		{Name: colUsers, Indexes: []mongo.IndexModel{byCreated}},
		{Name: colEmails},
		{Name: colInvites, Indexes: []mongo.IndexModel{byCreated}},
		{Name: colSessions, Indexes: []mongo.IndexModel{byExpiry}},
		{Name: colSpent, Indexes: []mongo.IndexModel{byExpiry}},
		{Name: colRevoked, Indexes: []mongo.IndexModel{byExpiry}},
		{Name: colClaims},
		{Name: colWSTickets, Indexes: []mongo.IndexModel{byExpiry}},
	}
}

// User is a person's account as the rest of the platform sees it.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// IsSecretariat reports whether the user administers the platform.
func (u User) IsSecretariat() bool { return u.Role == RoleSecretariat }

type userDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Name         string    `bson:"name"`
	Role         string    `bson:"role"`
	PasswordHash string    `bson:"password_hash"`
	CreatedAt    time.Time `bson:"created_at"`
}

func (d userDoc) user() User { return User{ID: d.ID, Email: d.Email, Name: d.Name, Role: d.Role} }

type emailDoc struct {
	Email  string `bson:"_id"`
	UserID string `bson:"user_id"`
}

// Config tunes the service. Zero values are sensible defaults.
type Config struct {
	// JWTKey signs access tokens and device cookies; at least 32 bytes. Required.
	JWTKey []byte
	// Issuer and Audience are written into and required of every access token.
	// Zero means "plenary" and "plenary-api".
	Issuer, Audience string
	// AccessTTL is the lifetime of access tokens. Zero means 10 minutes; at most 15 minutes.
	AccessTTL time.Duration
	// RefreshTTL is how long a session stays alive without use. Zero means 14 days.
	RefreshTTL time.Duration
	// InvitationTTL is how long an invitation link works. Zero means 7 days.
	InvitationTTL time.Duration
	// TicketTTL is how long a websocket ticket works. Zero means 60 seconds; at most 60 seconds.
	TicketTTL time.Duration
	// ReuseGrace is how long after rotation a refresh token may still be presented, so that two
	// tabs refreshing at the same moment do not sign each other out. Zero means 10 seconds;
	// negative means no grace at all.
	ReuseGrace time.Duration
	// HashConcurrency bounds concurrent argon2id computations (19 MiB each). Zero means 4.
	HashConcurrency int
	// Now returns the current time. Zero means time.Now; tests move the clock with it.
	Now func() time.Time
}

// Service manages accounts and sessions.
type Service struct {
	st       *store.Store
	cfg      Config
	hash     *hasher
	throttle *throttle
	users    *mongo.Collection
	emails   *mongo.Collection
	invites  *mongo.Collection
	sessions *mongo.Collection
	spent    *mongo.Collection
	revoked  *mongo.Collection
	claims   *mongo.Collection
	tickets  *mongo.Collection
}

// New returns a Service over st, whose collections must include Collections().
func New(st *store.Store, cfg Config) (*Service, error) {
	if len(cfg.JWTKey) < 32 {
		return nil, fmt.Errorf("accounts: JWT key must be at least 32 bytes")
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "plenary"
	}
	if cfg.Audience == "" {
		cfg.Audience = "plenary-api"
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 10 * time.Minute
	}
	cfg.AccessTTL = min(cfg.AccessTTL, 15*time.Minute)
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 14 * 24 * time.Hour
	}
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = 7 * 24 * time.Hour
	}
	if cfg.TicketTTL <= 0 || cfg.TicketTTL > time.Minute {
		cfg.TicketTTL = time.Minute
	}
	if cfg.ReuseGrace == 0 {
		cfg.ReuseGrace = 10 * time.Second
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = 4
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{
		st:       st,
		cfg:      cfg,
		hash:     newHasher(cfg.HashConcurrency),
		throttle: newThrottle(),
		users:    st.Collection(colUsers),
		emails:   st.Collection(colEmails),
		invites:  st.Collection(colInvites),
		sessions: st.Collection(colSessions),
		spent:    st.Collection(colSpent),
		revoked:  st.Collection(colRevoked),
		claims:   st.Collection(colClaims),
		tickets:  st.Collection(colWSTickets),
	}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// NewUser is the input of CreateUser.
type NewUser struct {
	Email, Name, Password, Role string
}

// CreateUser creates an account. It does not authorize: it serves start-up (the configured
// secretariat account, demo data) and invitation acceptance. Returns invalid for a bad field and
// conflict if the e-mail address already has an account.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	email, name, err := validateNewUser(in.Email, in.Name, in.Password)
	if err != nil {
		return User{}, err
	}
	if in.Role != RoleSecretariat && in.Role != RoleUser {
		return User{}, errs.Errorf(errs.Invalid, "role: must be secretariat or user")
	}
	hash, err := s.hash.Hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	doc := userDoc{ID: newID(), Email: email, Name: name, Role: in.Role, PasswordHash: hash, CreatedAt: s.now()}
	// The e-mail claim goes first: its duplicate-key error is what keeps addresses unique.
	if _, err := s.emails.InsertOne(ctx, emailDoc{Email: email, UserID: doc.ID}); err != nil {
		if store.IsDuplicateKey(err) {
			return User{}, errs.Errorf(errs.Conflict, "email: an account with this address already exists")
		}
		return User{}, fmt.Errorf("claim email: %w", err)
	}
	if _, err := s.users.InsertOne(ctx, doc); err != nil {
		_, _ = s.emails.DeleteOne(ctx, bson.D{{Key: "_id", Value: email}})
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return doc.user(), nil
}

func validateNewUser(email, name, password string) (string, string, error) {
	email, err := checkEmail(email)
	if err != nil {
		return "", "", err
	}
	name, err = checkName(name)
	if err != nil {
		return "", "", err
	}
	if err := validatePassword(password); err != nil {
		return "", "", err
	}
	return email, name, nil
}

// HasUsers reports whether any account exists; start-up creates the configured secretariat
// account only on an empty store.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	err := s.users.FindOne(ctx, bson.D{}).Err()
	if err == mongo.ErrNoDocuments {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look for users: %w", err)
	}
	return true, nil
}

// User returns the account with the given id. Returns not_found if there is none.
func (s *Service) User(ctx context.Context, userID string) (User, error) {
	d, err := s.userDoc(ctx, userID)
	if err != nil {
		return User{}, err
	}
	return d.user(), nil
}

func (s *Service) userDoc(ctx context.Context, userID string) (userDoc, error) {
	var d userDoc
	err := s.users.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return userDoc{}, errs.Errorf(errs.NotFound, "user not found")
	}
	if err != nil {
		return userDoc{}, fmt.Errorf("load user %s: %w", userID, err)
	}
	return d, nil
}

// UserByEmail returns the account registered with email. Returns invalid for a malformed
// address and not_found if no account has it.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	email, err := checkEmail(email)
	if err != nil {
		return User{}, err
	}
	var e emailDoc
	err = s.emails.FindOne(ctx, bson.D{{Key: "_id", Value: email}}).Decode(&e)
	if err == mongo.ErrNoDocuments {
		return User{}, errs.Errorf(errs.NotFound, "no account has the address %s", email)
	}
	if err != nil {
		return User{}, fmt.Errorf("look up email: %w", err)
	}
	return s.User(ctx, e.UserID)
}

// Users lists every account, oldest first. Returns forbidden unless actor is secretariat.
func (s *Service) Users(ctx context.Context, actor User) ([]User, error) {
	if !actor.IsSecretariat() {
		return nil, errs.Errorf(errs.Forbidden, "only the secretariat can list accounts")
	}
	// A whole-collection read: an admin screen, not a hot path, bounded by maxListedUser.
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}).SetLimit(maxListedUser)
	cur, err := s.users.Find(ctx, bson.D{}, opts)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]User, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.user())
	}
	return out, nil
}

// hashSecret returns the hex SHA-256 of a high-entropy secret. Tokens are stored only hashed, so
// a copy of the database does not hand out sessions; no salt is needed at 256 bits of entropy.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// mac returns an HMAC of msg under a key derived from the JWT key for purpose.
func (s *Service) mac(purpose, msg string) []byte {
	derive := hmac.New(sha256.New, s.cfg.JWTKey)
	derive.Write([]byte("plenary/" + purpose))
	m := hmac.New(sha256.New, derive.Sum(nil))
	m.Write([]byte(msg))
	return m.Sum(nil)
}
