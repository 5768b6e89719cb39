package server

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"plenary/accounts"
	"plenary/errs"
)

// Cookie names. The refresh and device cookies are HttpOnly and scoped to /api/auth; the CSRF
// cookie is readable by the page, which repeats it in the X-CSRF-Token header (double submit).
var errSessionGone = errs.Errorf(errs.Unauthorized, "no session: sign in")

const (
	cookieRefresh = "plenary_refresh"
	cookieCSRF    = "plenary_csrf"
	cookieDevice  = "plenary_device"
	headerCSRF    = "X-CSRF-Token"
	localUser     = "user"
)

func (s *Server) registerAuthRoutes(api fiber.Router) {
	api.Post("/auth/login", s.handleLogin)
	api.Post("/auth/refresh", s.requireCSRF, s.handleRefresh)
	api.Post("/auth/logout", s.requireCSRF, s.handleLogout)
	api.Get("/me", s.requireUser, s.handleMe)
	api.Post("/ws-ticket", s.requireUser, s.handleWSTicket)
}

// requireUser authenticates the bearer token and puts the user in the request's locals.
func (s *Server) requireUser(c *fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return errs.Errorf(errs.Unauthorized, "sign in first: send Authorization: Bearer <access_token>")
	}
	u, err := s.accounts.Authenticate(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		return err
	}
	c.Locals(localUser, u)
	return c.Next()
}

// actor returns the user that requireUser authenticated.
func actor(c *fiber.Ctx) accounts.User {
	u, _ := c.Locals(localUser).(accounts.User)
	return u
}

// requireCSRF protects the cookie-authenticated endpoints: the X-CSRF-Token header must repeat the
// CSRF cookie, which another site can neither read nor set, and a browser's Origin, when sent,
// must be allowed.
//
// Without a refresh cookie there is no session to protect: refresh answers 401 and logout 204, so
// a first visit (which tries to restore a session) is not reported as a forgery.
func (s *Server) requireCSRF(c *fiber.Ctx) error {
	if c.Cookies(cookieRefresh) == "" {
		if strings.HasSuffix(c.Path(), "/logout") {
			s.clearSessionCookies(c)
			return c.SendStatus(fiber.StatusNoContent)
		}
		return errSessionGone
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.originAllowed(c, origin) {
		return errs.Errorf(errs.Forbidden, "requests from %s are not allowed", origin)
	}
	cookie, header := c.Cookies(cookieCSRF), c.Get(headerCSRF)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(header)) != 1 {
		return errs.Errorf(errs.Forbidden, "missing or wrong %s header", headerCSRF)
	}
	return c.Next()
}

// originAllowed reports whether a browser origin may use the API with credentials: one of the
// configured origins, or, when none are configured, the server's own origin.
func (s *Server) originAllowed(c *fiber.Ctx, origin string) bool {
	if len(s.origins) > 0 {
		return s.origins[origin]
	}
	return origin == c.Protocol()+"://"+string(c.Request().Host())
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type sessionResponse struct {
	AccessToken string        `json:"access_token"`
	TokenType   string        `json:"token_type"`
	ExpiresIn   int           `json:"expires_in"`
	User        accounts.User `json:"user"`
}

func (s *Server) handleLogin(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, err := s.accounts.Login(c.UserContext(), accounts.Credentials{
		Email: req.Email, Password: req.Password, ClientIP: c.IP(), DeviceToken: c.Cookies(cookieDevice),
	})
	if err != nil {
		return err
	}
	return s.respondSession(c, sess, fiber.StatusOK)
}

// respondSession sets the session cookies and answers with the access token.
func (s *Server) respondSession(c *fiber.Ctx, sess accounts.Session, status int) error {
	secure := c.Protocol() == "https"
	c.Cookie(&fiber.Cookie{
		Name: cookieRefresh, Value: sess.RefreshToken, Path: "/api/auth", Expires: sess.RefreshExpires,
		HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
	c.Cookie(&fiber.Cookie{
		Name: cookieCSRF, Value: randomCSRF(), Path: "/", Expires: sess.RefreshExpires,
		Secure: secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
	c.Cookie(&fiber.Cookie{
		Name: cookieDevice, Value: s.accounts.DeviceToken(sess.User.ID), Path: "/api/auth",
		Expires: time.Now().Add(365 * 24 * time.Hour), HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return c.Status(status).JSON(sessionResponse{
		AccessToken: sess.AccessToken, TokenType: "Bearer", ExpiresIn: sess.ExpiresIn, User: sess.User,
	})
}

func (s *Server) clearSessionCookies(c *fiber.Ctx) {
	expired := time.Unix(0, 0)
	c.Cookie(&fiber.Cookie{Name: cookieRefresh, Path: "/api/auth", Expires: expired, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
	c.Cookie(&fiber.Cookie{Name: cookieCSRF, Path: "/", Expires: expired, SameSite: fiber.CookieSameSiteStrictMode})
}

func (s *Server) handleRefresh(c *fiber.Ctx) error {
	sess, err := s.accounts.Refresh(c.UserContext(), c.Cookies(cookieRefresh))
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			s.clearSessionCookies(c)
		}
		return err
	}
	return s.respondSession(c, sess, fiber.StatusOK)
}

func (s *Server) handleLogout(c *fiber.Ctx) error {
	if err := s.accounts.Logout(c.UserContext(), c.Cookies(cookieRefresh)); err != nil {
		return err
	}
	s.clearSessionCookies(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleMe(c *fiber.Ctx) error { return c.JSON(actor(c)) }

func (s *Server) handleWSTicket(c *fiber.Ctx) error {
	ticket, err := s.accounts.IssueTicket(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ticket": ticket})
}
