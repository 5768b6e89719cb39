package server

import (
	"errors"
	"log/slog"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"plenary/errs"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[errs.Code]int{
	errs.Invalid:      fiber.StatusBadRequest,
	errs.Unauthorized: fiber.StatusUnauthorized,
	errs.Forbidden:    fiber.StatusForbidden,
	errs.NotFound:     fiber.StatusNotFound,
	errs.Conflict:     fiber.StatusConflict,
	errs.TooLarge:     fiber.StatusRequestEntityTooLarge,
	errs.RateLimited:  fiber.StatusTooManyRequests,
	errs.Internal:     fiber.StatusInternalServerError,
}

// codeOfStatus turns Fiber's own errors (unknown route, body too large, ...) into domain codes.
func codeOfStatus(status int) errs.Code {
	switch {
	case status == fiber.StatusNotFound:
		return errs.NotFound
	case status == fiber.StatusRequestEntityTooLarge:
		return errs.TooLarge
	case status == fiber.StatusTooManyRequests:
		return errs.RateLimited
	case status == fiber.StatusUnauthorized:
		return errs.Unauthorized
	case status == fiber.StatusForbidden:
		return errs.Forbidden
	case status >= 400 && status < 500:
		return errs.Invalid
	}
	return errs.Internal
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
}

// handleError answers every error in the {"error":{"code","message"}} shape. Internal errors are
// logged with the request id and reach the client only as "internal error".
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var (
		code    = errs.CodeOf(err)
		message = errs.MessageOf(err)
		status  int
		fe      *fiber.Error
	)
	if errors.As(err, &fe) {
		status = fe.Code
		code = codeOfStatus(status)
		message = fe.Message
		if code == errs.TooLarge {
			message = "the request body is too large"
		}
		if code == errs.Internal {
			message = "internal error"
		}
	} else {
		status = statusOf[code]
	}
	if e := errs.As(err); e != nil && e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	if code == errs.Unauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="plenary"`)
	}
	if code == errs.Internal {
		s.log.Error("request failed", slog.String("request_id", requestID(c)), slog.String("method", c.Method()),
			slog.String("path", c.Path()), slog.Any("error", err))
	}
	return c.Status(status).JSON(errorBody{Error: errorDetail{Code: code, Message: message}})
}
