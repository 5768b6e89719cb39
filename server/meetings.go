package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"plenary/errs"
	"plenary/meetings"
)

func (s *Server) registerMeetingRoutes(api fiber.Router) {
	api.Get("/meetings", s.optionalUser, s.handleMeetingList)
	api.Post("/meetings", s.requireUser, s.handleMeetingCreate)
	api.Get("/meetings/:id", s.optionalUser, s.handleMeetingGet)
	api.Patch("/meetings/:id", s.requireUser, s.handleMeetingUpdate)
	api.Post("/meetings/:id/participants", s.requireUser, s.handleParticipantAdd)
	api.Patch("/meetings/:id/participants/:user", s.requireUser, s.handleParticipantRole)
	api.Delete("/meetings/:id/participants/:user", s.requireUser, s.handleParticipantRemove)
	api.Put("/meetings/:id/attendance/:date", s.requireUser, s.handleAttendance)
	api.Post("/meetings/:id/sessions", s.requireUser, s.handleSessionAdd)
	api.Patch("/meetings/:id/sessions/:sid", s.requireUser, s.handleSessionUpdate)
	api.Delete("/meetings/:id/sessions/:sid", s.requireUser, s.handleSessionDelete)
	api.Post("/meetings/:id/sessions/:sid/items", s.requireUser, s.handleItemAdd)
	api.Patch("/meetings/:id/sessions/:sid/items/:iid", s.requireUser, s.handleItemUpdate)
	api.Delete("/meetings/:id/sessions/:sid/items/:iid", s.requireUser, s.handleItemDelete)
	api.Post("/meetings/:id/agenda/move", s.requireUser, s.handleAgendaMove)
	api.Post("/meetings/:id/agenda/publish", s.requireUser, s.handleAgendaPublish)
	api.Get("/meetings/:id/agenda/versions", s.optionalUser, s.handleAgendaVersions)
	api.Get("/meetings/:id/agenda/versions/:n", s.optionalUser, s.handleAgendaVersion)
	api.Get("/meetings/:id/agenda/diff", s.optionalUser, s.handleAgendaDiff)
	api.Put("/meetings/:id/live", s.requireUser, s.handleLiveSet)
	api.Delete("/meetings/:id/live", s.requireUser, s.handleLiveClear)
	api.Get("/meetings/:id/calendar.ics", s.optionalUser, s.handleMeetingCalendar)
	api.Get("/meetings/:id/events", s.optionalUser, s.handleMeetingEvents)
	api.Get("/me/calendar", s.requireUser, s.handleMyCalendar)
	api.Post("/me/calendar/reset", s.requireUser, s.handleMyCalendarReset)
	api.Get("/calendar/:key", s.handlePersonalCalendar)
}

// optionalUser authenticates a bearer token when one is sent (a bad one is refused) and otherwise
// lets the request through as anonymous: public meetings are readable without signing in.
func (s *Server) optionalUser(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) == "" {
		return c.Next()
	}
	return s.requireUser(c)
}

type meetingRequest struct {
	Version            *int64    `json:"version"`
	Title              *string   `json:"title"`
	Forum              *string   `json:"forum"`
	StartDate          *string   `json:"start_date"`
	EndDate            *string   `json:"end_date"`
	TimeZone           *string   `json:"time_zone"`
	Venue              *string   `json:"venue"`
	RemoteURL          *string   `json:"remote_url"`
	RemoteInstructions *string   `json:"remote_instructions"`
	Description        *string   `json:"description"`
	Status             *string   `json:"status"`
	Visibility         *string   `json:"visibility"`
	Groups             *[]string `json:"groups"`
}

func (r meetingRequest) input() meetings.MeetingInput {
	return meetings.MeetingInput{Title: r.Title, Forum: r.Forum, StartDate: r.StartDate, EndDate: r.EndDate, TimeZone: r.TimeZone,
		Venue: r.Venue, RemoteURL: r.RemoteURL, RemoteInstructions: r.RemoteInstructions, Description: r.Description,
		Status: r.Status, Visibility: r.Visibility, Groups: r.Groups}
}

// baseVersion returns the version a change was based on, which every agenda change must carry.
func baseVersion(v *int64) (int64, error) {
	if v == nil || *v < 1 {
		return 0, errs.Errorf(errs.Invalid, "version: is required (the meeting's version your change is based on)")
	}
	return *v, nil
}

// versionedRequest is a request body that carries the meeting version a change was based on.
type versionedRequest interface{ base() *int64 }

func (r meetingRequest) base() *int64 { return r.Version }
func (r sessionRequest) base() *int64 { return r.Version }
func (r itemRequest) base() *int64    { return r.Version }
func (r moveRequest) base() *int64    { return r.Version }
func (r publishRequest) base() *int64 { return r.Version }

// versionedChange decodes a request R, checks its version, runs the change and answers the meeting
// it returns with status.
func versionedChange[R versionedRequest](c *fiber.Ctx, status int, change func(req R, base int64) (meetings.View, error)) error {
	var req R
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	base, err := baseVersion(req.base())
	if err != nil {
		return err
	}
	m, err := change(req, base)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(m)
}

// queryVersion reads ?version=N for DELETE requests, which have no body.
func queryVersion(c *fiber.Ctx) (int64, error) {
	n, err := strconv.ParseInt(c.Query("version"), 10, 64)
	if err != nil || n < 1 {
		return 0, errs.Errorf(errs.Invalid, "version: add ?version=N, the meeting's version your change is based on")
	}
	return n, nil
}

func (s *Server) handleMeetingList(c *fiber.Ctx) error {
	items, err := s.meetings.List(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}

func (s *Server) handleMeetingCreate(c *fiber.Ctx) error {
	var req meetingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Version != nil {
		return errs.Errorf(errs.Invalid, "version: a new meeting has no version yet")
	}
	m, err := s.meetings.Create(c.UserContext(), actor(c), req.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Server) handleMeetingGet(c *fiber.Ctx) error {
	m, err := s.meetings.Get(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *Server) handleMeetingUpdate(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusOK, func(req meetingRequest, base int64) (meetings.View, error) {
		return s.meetings.Update(c.UserContext(), actor(c), param(c, "id"), base, req.input())
	})
}

func (s *Server) handleParticipantAdd(c *fiber.Ctx) error {
	var req memberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.meetings.AddParticipant(c.UserContext(), actor(c), param(c, "id"),
		meetings.ParticipantInput{UserID: req.UserID, Email: req.Email, Role: req.Role})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Server) handleParticipantRole(c *fiber.Ctx) error {
	var req roleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.meetings.SetParticipantRole(c.UserContext(), actor(c), param(c, "id"), param(c, "user"), req.Role)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *Server) handleParticipantRemove(c *fiber.Ctx) error {
	m, err := s.meetings.RemoveParticipant(c.UserContext(), actor(c), param(c, "id"), param(c, "user"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

type attendanceRequest struct {
	Present []string `json:"present"`
}

func (s *Server) handleAttendance(c *fiber.Ctx) error {
	var req attendanceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Present == nil {
		return errs.Errorf(errs.Invalid, "present: is required (a list of participant ids)")
	}
	m, err := s.meetings.SetAttendance(c.UserContext(), actor(c), param(c, "id"), param(c, "date"), req.Present)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

type sessionRequest struct {
	Version     *int64             `json:"version"`
	Index       *int               `json:"index"`
	Title       *string            `json:"title"`
	Chairs      *[]meetings.Person `json:"chairs"`
	Start       *string            `json:"start"`
	End         *string            `json:"end"`
	Description *string            `json:"description"`
	ArchiveURL  *string            `json:"archive_url"`
}

func (r sessionRequest) input() meetings.SessionInput {
	return meetings.SessionInput{Title: r.Title, Chairs: r.Chairs, Start: r.Start, End: r.End, Description: r.Description, ArchiveURL: r.ArchiveURL}
}

func (s *Server) handleSessionAdd(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusCreated, func(req sessionRequest, base int64) (meetings.View, error) {
		return s.meetings.AddSession(c.UserContext(), actor(c), param(c, "id"), base, req.Index, req.input())
	})
}

func (s *Server) handleSessionUpdate(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusOK, func(req sessionRequest, base int64) (meetings.View, error) {
		if req.Index != nil {
			return meetings.View{}, errs.Errorf(errs.Invalid, "index: move sessions with POST /agenda/move")
		}
		return s.meetings.UpdateSession(c.UserContext(), actor(c), param(c, "id"), base, param(c, "sid"), req.input())
	})
}

func (s *Server) handleSessionDelete(c *fiber.Ctx) error {
	base, err := queryVersion(c)
	if err != nil {
		return err
	}
	m, err := s.meetings.DeleteSession(c.UserContext(), actor(c), param(c, "id"), base, param(c, "sid"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

type itemRequest struct {
	Version       *int64             `json:"version"`
	Index         *int               `json:"index"`
	Kind          *string            `json:"kind"`
	Title         *string            `json:"title"`
	Speakers      *[]meetings.Person `json:"speakers"`
	Duration      *int               `json:"duration"`
	Contributions *[]string          `json:"contributions"`
	Notes         *string            `json:"notes"`
}

func (r itemRequest) input() meetings.ItemInput {
	return meetings.ItemInput{Kind: r.Kind, Title: r.Title, Speakers: r.Speakers, Duration: r.Duration, Contributions: r.Contributions, Notes: r.Notes}
}

func (s *Server) handleItemAdd(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusCreated, func(req itemRequest, base int64) (meetings.View, error) {
		return s.meetings.AddItem(c.UserContext(), actor(c), param(c, "id"), base, param(c, "sid"), req.Index, req.input())
	})
}

func (s *Server) handleItemUpdate(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusOK, func(req itemRequest, base int64) (meetings.View, error) {
		if req.Index != nil {
			return meetings.View{}, errs.Errorf(errs.Invalid, "index: move items with POST /agenda/move")
		}
		return s.meetings.UpdateItem(c.UserContext(), actor(c), param(c, "id"), base, param(c, "sid"), param(c, "iid"), req.input())
	})
}

func (s *Server) handleItemDelete(c *fiber.Ctx) error {
	base, err := queryVersion(c)
	if err != nil {
		return err
	}
	m, err := s.meetings.DeleteItem(c.UserContext(), actor(c), param(c, "id"), base, param(c, "sid"), param(c, "iid"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

type moveRequest struct {
	Version   *int64 `json:"version"`
	SessionID string `json:"session_id"`
	ItemID    string `json:"item_id"`
	ToSession string `json:"to_session"`
	ToIndex   *int   `json:"to_index"`
}

func (s *Server) handleAgendaMove(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusOK, func(req moveRequest, base int64) (meetings.View, error) {
		if req.ToIndex == nil {
			return meetings.View{}, errs.Errorf(errs.Invalid, "to_index: is required")
		}
		return s.meetings.Move(c.UserContext(), actor(c), param(c, "id"), base,
			meetings.MoveInput{SessionID: req.SessionID, ItemID: req.ItemID, ToSession: req.ToSession, ToIndex: *req.ToIndex})
	})
}

type publishRequest struct {
	Version *int64 `json:"version"`
	Note    string `json:"note"`
}

func (s *Server) handleAgendaPublish(c *fiber.Ctx) error {
	return versionedChange(c, fiber.StatusCreated, func(req publishRequest, base int64) (meetings.View, error) {
		return s.meetings.Publish(c.UserContext(), actor(c), param(c, "id"), base, req.Note)
	})
}

func (s *Server) handleAgendaVersions(c *fiber.Ctx) error {
	items, err := s.meetings.Versions(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(list(items))
}

func (s *Server) handleAgendaVersion(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return errs.Errorf(errs.NotFound, "no such agenda version")
	}
	v, err := s.meetings.Version(c.UserContext(), actor(c), param(c, "id"), n)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) handleAgendaDiff(c *fiber.Ctx) error {
	from, to := c.Query("from"), c.Query("to")
	if from == "" || to == "" {
		return errs.Errorf(errs.Invalid, "from and to: are required (version numbers or draft)")
	}
	d, err := s.meetings.Diff(c.UserContext(), actor(c), param(c, "id"), strings.Clone(from), strings.Clone(to))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

type liveRequest struct {
	SessionID    string `json:"session_id"`
	ItemID       string `json:"item_id"`
	TimerSeconds int    `json:"timer_seconds"`
}

func (s *Server) handleLiveSet(c *fiber.Ctx) error {
	var req liveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.meetings.SetLive(c.UserContext(), actor(c), param(c, "id"),
		meetings.LiveInput{SessionID: req.SessionID, ItemID: req.ItemID, TimerSeconds: req.TimerSeconds})
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *Server) handleLiveClear(c *fiber.Ctx) error {
	m, err := s.meetings.ClearLive(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func sendCalendar(c *fiber.Ctx, name string, body []byte) error {
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`.ics"`)
	return c.Send(body)
}

func (s *Server) handleMeetingCalendar(c *fiber.Ctx) error {
	body, err := s.meetings.MeetingCalendar(c.UserContext(), actor(c), param(c, "id"), strings.Clone(c.Query("key")))
	if err != nil {
		return err
	}
	return sendCalendar(c, "meeting", body)
}

type calendarResponse struct {
	URL string `json:"url"`
}

func (s *Server) handleMyCalendar(c *fiber.Ctx) error {
	key, err := s.meetings.CalendarKey(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(calendarResponse{URL: c.BaseURL() + "/api/calendar/" + key + ".ics"})
}

func (s *Server) handleMyCalendarReset(c *fiber.Ctx) error {
	key, err := s.meetings.ResetCalendarKey(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(calendarResponse{URL: c.BaseURL() + "/api/calendar/" + key + ".ics"})
}

func (s *Server) handlePersonalCalendar(c *fiber.Ctx) error {
	key, ok := strings.CutSuffix(param(c, "key"), ".ics")
	if !ok {
		return errs.Errorf(errs.NotFound, "no such calendar feed")
	}
	body, err := s.meetings.PersonalCalendar(c.UserContext(), key)
	if err != nil {
		return err
	}
	return sendCalendar(c, "plenary", body)
}
