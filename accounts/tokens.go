package accounts

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"plenary/errs"
)

// maxTokenLen bounds what is handed to the JWT parser; our tokens are about 300 bytes.
const maxTokenLen = 2048

type accessClaims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
}

func (s *Service) issueAccessToken(u User) (string, error) {
	now := s.now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.cfg.Issuer,
			Audience:  jwt.ClaimStrings{s.cfg.Audience},
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.AccessTTL)),
		},
		Role: u.Role,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.cfg.JWTKey)
}

// Authenticate checks an access token and returns its user, loaded fresh so that a changed role
// or a deleted account takes effect at once. Returns unauthorized for any bad token.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	bad := errs.Errorf(errs.Unauthorized, "the access token is missing, invalid or expired")
	if token == "" || len(token) > maxTokenLen {
		return User{}, bad
	}
	var claims accessClaims
	parsed, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.cfg.JWTKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(s.cfg.Issuer),
		jwt.WithAudience(s.cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.cfg.Now),
		jwt.WithLeeway(5*time.Second),
	)
	if err != nil || !parsed.Valid || claims.Subject == "" {
		return User{}, bad
	}
	u, err := s.User(ctx, claims.Subject)
	if errs.CodeOf(err) == errs.NotFound {
		return User{}, bad
	}
	return u, err
}

// DeviceToken returns the value of the device cookie set after a successful sign-in: proof that
// this browser has signed in to the account before, which exempts it from the per-account
// throttle (see throttle.go).
func (s *Service) DeviceToken(userID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(userID)) + "." +
		base64.RawURLEncoding.EncodeToString(s.mac("device", userID))
}

// deviceUserID returns the account a device token was made for, or "" if it is not genuine.
func (s *Service) deviceUserID(token string) string {
	if len(token) > 256 {
		return ""
	}
	idPart, macPart, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	userID, err1 := base64.RawURLEncoding.DecodeString(idPart)
	got, err2 := base64.RawURLEncoding.DecodeString(macPart)
	if err1 != nil || err2 != nil || !hmac.Equal(got, s.mac("device", string(userID))) {
		return ""
	}
	return string(userID)
}
