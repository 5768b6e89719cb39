package accounts_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/errs"
)

// sign makes a JWT with the given method, key and claims, as an attacker with a JWT library would.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign token: %v", err)
	}
	return s
}

// editPayload decodes the middle segment of token, lets edit change the claims and re-encodes it,
// keeping the original header and signature.
func editPayload(t *testing.T, token string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("unmarshal payload: %v", err)
	}
	edit(claims)
	raw, err = json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ada := e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	admin := e.mustCreate("admin@example.org", "Admin", "admin password", accounts.RoleSecretariat)
	gone := e.mustCreate("gone@example.org", "Gone", "gone password", accounts.RoleUser)
	adaSession := e.mustLogin("ada@example.org", "analytical engine")
	goneSession := e.mustLogin("gone@example.org", "gone password")
	e.deleteUser(gone.ID)
	start := e.clk.Now()

	// claims returns the claims Plenary itself issues for ada, to be changed one at a time.
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{
			"iss":  "plenary",
			"aud":  []string{"plenary-api"},
			"sub":  ada.ID,
			"iat":  start.Unix(),
			"nbf":  start.Unix(),
			"exp":  start.Add(10 * time.Minute).Unix(),
			"role": "user",
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	hs256 := func(edit func(jwt.MapClaims)) string { return sign(t, jwt.SigningMethodHS256, testKey, claims(edit)) }
	good := adaSession.AccessToken
	goodParts := strings.Split(good, ".")
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	flipped := []byte(goodParts[2])
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}

	tests := []struct {
		name    string
		token   string
		advance time.Duration // clock movement before the check
		want    errs.Code
		wantID  string
	}{
		{"issued token", good, 0, "", ada.ID},
		{"issued token with surrounding space", " " + good + " ", 0, errs.Unauthorized, ""},
		{"issued token near its end", good, 9*time.Minute + 59*time.Second, "", ada.ID},
		{"crafted like an issued token", hs256(nil), 0, "", ada.ID},
		{"role claim is not trusted", hs256(func(c jwt.MapClaims) { c["role"] = "secretariat" }), 0, "", ada.ID},
		{"empty", "", 0, errs.Unauthorized, ""},
		{"garbage", "not a token", 0, errs.Unauthorized, ""},
		{"two segments", goodParts[0] + "." + goodParts[1], 0, errs.Unauthorized, ""},
		{"8 KB of dots", strings.Repeat(".", 8<<10), 0, errs.Unauthorized, ""},
		{"2 KB of dots", strings.Repeat(".", 2<<10), 0, errs.Unauthorized, ""},
		{"oversized token", good + strings.Repeat("A", 4096), 0, errs.Unauthorized, ""},
		{"alg none via library", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), 0, errs.Unauthorized, ""},
		{"alg none with issued payload", noneHeader + "." + goodParts[1] + ".", 0, errs.Unauthorized, ""},
		{"alg none keeping the signature", noneHeader + "." + goodParts[1] + "." + goodParts[2], 0, errs.Unauthorized, ""},
		{"signed with another key", sign(t, jwt.SigningMethodHS256, otherKey, claims(nil)), 0, errs.Unauthorized, ""},
		{"HS512 with the right key", sign(t, jwt.SigningMethodHS512, testKey, claims(nil)), 0, errs.Unauthorized, ""},
		{"HS384 with the right key", sign(t, jwt.SigningMethodHS384, testKey, claims(nil)), 0, errs.Unauthorized, ""},
		{"tampered role", editPayload(t, good, func(c map[string]any) { c["role"] = "secretariat" }), 0, errs.Unauthorized, ""},
		{"tampered subject", editPayload(t, good, func(c map[string]any) { c["sub"] = admin.ID }), 0, errs.Unauthorized, ""},
		{"tampered expiry", editPayload(t, good, func(c map[string]any) { c["exp"] = start.Add(24 * time.Hour).Unix() }), 0, errs.Unauthorized, ""},
		{"flipped signature", goodParts[0] + "." + goodParts[1] + "." + string(flipped), 0, errs.Unauthorized, ""},
		{"stripped signature", goodParts[0] + "." + goodParts[1] + ".", 0, errs.Unauthorized, ""},
		{"expired after 11 minutes", good, 11 * time.Minute, errs.Unauthorized, ""},
		{"crafted expired", hs256(func(c jwt.MapClaims) { c["exp"] = start.Add(-time.Minute).Unix() }), 0, errs.Unauthorized, ""},
		{"missing exp", hs256(func(c jwt.MapClaims) { delete(c, "exp") }), 0, errs.Unauthorized, ""},
		{"exp not a number", hs256(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), 0, errs.Unauthorized, ""},
		{"wrong audience", hs256(func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} }), 0, errs.Unauthorized, ""},
		{"missing audience", hs256(func(c jwt.MapClaims) { delete(c, "aud") }), 0, errs.Unauthorized, ""},
		{"wrong issuer", hs256(func(c jwt.MapClaims) { c["iss"] = "evil" }), 0, errs.Unauthorized, ""},
		{"missing issuer", hs256(func(c jwt.MapClaims) { delete(c, "iss") }), 0, errs.Unauthorized, ""},
		{"missing subject", hs256(func(c jwt.MapClaims) { delete(c, "sub") }), 0, errs.Unauthorized, ""},
		{"unknown subject", hs256(func(c jwt.MapClaims) { c["sub"] = "nosuchuser" }), 0, errs.Unauthorized, ""},
		{"issued in the future", hs256(func(c jwt.MapClaims) { c["iat"] = start.Add(time.Hour).Unix() }), 0, errs.Unauthorized, ""},
		{"not valid yet", hs256(func(c jwt.MapClaims) { c["nbf"] = start.Add(time.Hour).Unix() }), 0, errs.Unauthorized, ""},
		{"token of a deleted account", goneSession.AccessToken, 0, errs.Unauthorized, ""},
		{"refresh token as access token", adaSession.RefreshToken, 0, errs.Unauthorized, ""},
		{"device token as access token", e.svc.DeviceToken(ada.ID), 0, errs.Unauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clk.Set(start.Add(tt.advance))
			defer e.clk.Set(start)
			u, err := e.svc.Authenticate(ctx, tt.token)
			wantCode(t, err, tt.want)
			if u.ID != tt.wantID {
				t.Errorf("user id = %q, want %q", u.ID, tt.wantID)
			}
			if tt.want == "" && u != ada {
				t.Errorf("user = %+v, want %+v as stored", u, ada)
			}
		})
	}
}

func TestAuthenticateLoadsUserFresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	s := e.mustLogin("ada@example.org", "analytical engine")

	// The secretariat promotes the account: the token issued before already carries the new role.
	_, err := e.st.Collection("users").UpdateOne(ctx, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: accounts.RoleSecretariat}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Authenticate(ctx, s.AccessToken)
	wantCode(t, err, "")
	if !got.IsSecretariat() {
		t.Errorf("Authenticate = %+v, want the role stored now (secretariat)", got)
	}
}

func TestAccessTokenSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *accounts.Config) {
		c.Issuer, c.Audience = "issuer-x", "audience-y"
		c.AccessTTL = time.Hour // capped at 15 minutes
	})
	ctx := context.Background()
	e.mustCreate("ada@example.org", "Ada", "analytical engine", accounts.RoleUser)
	s := e.mustLogin("ada@example.org", "analytical engine")
	if s.ExpiresIn != 15*60 {
		t.Errorf("ExpiresIn = %d, want %d (AccessTTL capped at 15 minutes)", s.ExpiresIn, 15*60)
	}
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(s.AccessToken, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Issuer != "issuer-x" || len(claims.Audience) != 1 || claims.Audience[0] != "audience-y" {
		t.Errorf("claims iss %q aud %v; want issuer-x [audience-y]", claims.Issuer, claims.Audience)
	}
	if claims.ExpiresAt == nil || !claims.ExpiresAt.Equal(e.clk.Now().Add(15*time.Minute)) {
		t.Errorf("exp = %v, want %v", claims.ExpiresAt, e.clk.Now().Add(15*time.Minute))
	}
	// A token of the default issuer and audience, with the right key, is refused here.
	def, err := accounts.New(e.st, accounts.Config{JWTKey: testKey, HashConcurrency: 1, Now: e.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	other, err := def.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: "analytical engine", ClientIP: "203.0.113.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := def.Authenticate(ctx, other.AccessToken); err != nil {
		t.Fatalf("the default service refuses its own token: %v", err)
	}
	_, err = e.svc.Authenticate(ctx, other.AccessToken)
	wantCode(t, err, errs.Unauthorized)

	e.clk.Advance(14 * time.Minute)
	_, err = e.svc.Authenticate(ctx, s.AccessToken)
	wantCode(t, err, "")
	e.clk.Advance(2 * time.Minute)
	_, err = e.svc.Authenticate(ctx, s.AccessToken)
	wantCode(t, err, errs.Unauthorized)
}
