package server

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"plenary/accounts"
	"plenary/documents/review"
	"plenary/errs"
)

// Routes of a report's review (documents/review): rounds, comments, dispositions, named
// versions, exports.
func (s *Server) registerReviewRoutes(api fiber.Router) {
	if s.cfg.Review == nil {
		return
	}
	api.Get("/reports/:id/review", s.requireUser, s.handleReviewGet)
	api.Post("/reports/:id/review/circulate", s.requireUser, s.handleReviewCirculate)
	api.Post("/reports/:id/review/close", s.requireUser, s.handleReviewClose)
	api.Post("/reports/:id/review/finalize", s.requireUser, s.handleReviewFinalize)
	api.Post("/reports/:id/review/publish", s.requireUser, s.handleReviewPublish)
	api.Post("/reports/:id/versions", s.requireUser, s.handleReviewNameVersion)
	api.Get("/reports/:id/comments", s.requireUser, s.handleReviewComments)
	api.Post("/reports/:id/comments", s.requireUser, s.handleReviewComment)
	api.Post("/reports/:id/comments/:n/replies", s.requireUser, s.handleReviewReply)
	api.Post("/reports/:id/comments/:n/disposition", s.requireUser, s.handleReviewDisposition)
	api.Post("/reports/:id/comments/:n/suggestion", s.requireUser, s.handleReviewSuggestion)
	api.Get("/reports/:id/dispositions", s.requireUser, s.handleReviewDispositions)
	api.Get("/reports/:id/export", s.downloadUser, s.handleReviewExport)
}

func (s *Server) handleReviewGet(c *fiber.Ctx) error {
	r, err := s.cfg.Review.Get(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type circulateRequest struct {
	Name     string `json:"name"`
	Deadline string `json:"deadline"`
	Zone     string `json:"zone"`
	Message  string `json:"message"`
}

func (s *Server) handleReviewCirculate(c *fiber.Ctx) error {
	var req circulateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.cfg.Review.Circulate(c.UserContext(), actor(c), param(c, "id"), review.CirculateInput(req))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) handleReviewClose(c *fiber.Ctx) error {
	r, err := s.cfg.Review.CloseComments(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type versionNameRequest struct {
	Name string `json:"name"`
}

func (s *Server) handleReviewFinalize(c *fiber.Ctx) error {
	var req versionNameRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.cfg.Review.Finalize(c.UserContext(), actor(c), param(c, "id"), req.Name)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type reviewPublishRequest struct {
	MeetingID string `json:"meeting_id"`
	Format    string `json:"format"`
	Annex     bool   `json:"annex"`
}

func (s *Server) handleReviewPublish(c *fiber.Ctx) error {
	var req reviewPublishRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	release, err := s.exportSlot(c.UserContext())
	if err != nil {
		return err
	}
	defer release()
	r, err := s.cfg.Review.Publish(c.UserContext(), actor(c), param(c, "id"), review.PublishInput(req))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) handleReviewNameVersion(c *fiber.Ctx) error {
	var req versionNameRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Review.NameVersion(c.UserContext(), actor(c), param(c, "id"), req.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

// roundParam reads ?round= (0 or absent: the latest round).
func roundParam(c *fiber.Ctx) (int, error) {
	n, _, err := optionalInt(c, "round")
	if err != nil || n > 1_000_000 {
		return 0, errs.Errorf(errs.Invalid, "round: a round number")
	}
	return int(n), nil
}

func (s *Server) handleReviewComments(c *fiber.Ctx) error {
	round, err := roundParam(c)
	if err != nil {
		return err
	}
	cs, err := s.cfg.Review.Comments(c.UserContext(), actor(c), param(c, "id"), round)
	if err != nil {
		return err
	}
	return c.JSON(list(cs))
}

type commentRequest struct {
	From        int      `json:"from"`
	To          int      `json:"to"`
	Kind        string   `json:"kind"`
	Text        string   `json:"text"`
	Replacement string   `json:"replacement"`
	Mentions    []string `json:"mentions"`
}

func (s *Server) handleReviewComment(c *fiber.Ctx) error {
	var req commentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := s.cfg.Review.AddComment(c.UserContext(), actor(c), param(c, "id"), review.CommentInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cm)
}

// commentParam reads the comment number in the path.
func commentParam(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return 0, errs.Errorf(errs.NotFound, "no such comment")
	}
	return n, nil
}

type replyRequest struct {
	Text     string   `json:"text"`
	Mentions []string `json:"mentions"`
}

func (s *Server) handleReviewReply(c *fiber.Ctx) error {
	n, err := commentParam(c)
	if err != nil {
		return err
	}
	var req replyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := s.cfg.Review.Reply(c.UserContext(), actor(c), param(c, "id"), n, req.Text, req.Mentions)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cm)
}

type dispositionRequest struct {
	Kind string `json:"kind"`
	Note string `json:"note"`
}

func (s *Server) handleReviewDisposition(c *fiber.Ctx) error {
	n, err := commentParam(c)
	if err != nil {
		return err
	}
	var req dispositionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := s.cfg.Review.Dispose(c.UserContext(), actor(c), param(c, "id"), n, req.Kind, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(cm)
}

type suggestionRequest struct {
	Accept *bool  `json:"accept"`
	Note   string `json:"note"`
}

func (s *Server) handleReviewSuggestion(c *fiber.Ctx) error {
	n, err := commentParam(c)
	if err != nil {
		return err
	}
	var req suggestionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Accept == nil {
		return errs.Errorf(errs.Invalid, "accept: true or false")
	}
	cm, err := s.cfg.Review.DecideSuggestion(c.UserContext(), actor(c), param(c, "id"), n, *req.Accept, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(cm)
}

func (s *Server) handleReviewDispositions(c *fiber.Ctx) error {
	round, err := roundParam(c)
	if err != nil {
		return err
	}
	l, err := s.cfg.Review.DispositionLog(c.UserContext(), actor(c), param(c, "id"), round)
	if err != nil {
		return err
	}
	return c.JSON(list(l))
}

func (s *Server) handleReviewExport(c *fiber.Ctx) error {
	if actor(c).ID == "" {
		return errs.Errorf(errs.Unauthorized, "sign in to export reports")
	}
	in := review.ExportInput{Format: c.Query("format", review.FormatHTML), Annex: c.Query("annex") == "1" || c.Query("annex") == "true"}
	v, given, err := optionalInt(c, "v")
	if err != nil {
		return err
	}
	if given {
		in.V = &v
	}
	release, err := s.exportSlot(c.UserContext())
	if err != nil {
		return err
	}
	defer release()
	f, err := s.cfg.Review.Export(c.UserContext(), actor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, contentDisposition(f.Filename))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Send(f.Body)
}

// maxExports bounds the conversions (pandoc, Chromium) running at once: each takes a core and
// up to hundreds of megabytes.
const maxExports = 2

// exportSlot waits up to 10 s for a free conversion slot.
func (s *Server) exportSlot(ctx context.Context) (func(), error) {
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case s.exports <- struct{}{}:
		return func() { <-s.exports }, nil
	case <-t.C:
		return nil, errs.RateLimitedFor(5, "exports are busy; try again in a few seconds")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type reviewChanged struct {
	Type     string `json:"type"`
	ReportID string `json:"report_id"`
}

// ReviewChanged tells the open /api/ws connections of everyone who may read a report that its
// review changed; they fetch it again. Wired as review.Config.Changed.
func (s *Server) ReviewChanged(reportID string) {
	frame, _ := json.Marshal(reviewChanged{Type: "review.changed", ReportID: reportID})
	// Deciding who may read takes store reads at worst: not under the review's lock.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		may := map[string]bool{}
		s.pushWhere(frame, func(u accounts.User) bool {
			ok, known := may[u.ID]
			if !known {
				_, err := s.cfg.Reports.Access(ctx, u, reportID)
				ok = err == nil
				may[u.ID] = ok
			}
			return ok
		})
	}()
}

// pushWhere sends frame to every open /api/ws connection whose account want accepts (ShareDB
// connections are left out: their client parses only ShareDB messages).
func (s *Server) pushWhere(frame []byte, want func(accounts.User) bool) {
	s.wsMu.Lock()
	conns := make([]*wsConn, 0, len(s.wsConns))
	for c := range s.wsConns {
		if !c.single {
			conns = append(conns, c)
		}
	}
	s.wsMu.Unlock()
	for _, c := range conns {
		if want(c.User()) {
			c.Send(frame)
		}
	}
}
