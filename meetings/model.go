// Package meetings holds meetings and their agendas: the secretariat's timetable of sessions, the
// items chairs arrange inside their own sessions, numbered published versions with diffs, the
// live state of a running meeting, attendance, and calendar feeds. A meeting embeds its agenda
// (STORAGE.md rule 2); published versions are separate documents with natural keys
// "<meeting>:<number>". Every operation takes the acting user and authorizes here.
package meetings

import (
	"time"

	"plenary/accounts"
)

// Meeting statuses, in their usual order.
const (
	StatusPlanned         = "planned"
	StatusAgendaDraft     = "agenda_draft"
	StatusAgendaPublished = "agenda_published"
	StatusInSession       = "in_session"
	StatusClosed          = "closed"
)

var statusOrder = []string{StatusPlanned, StatusAgendaDraft, StatusAgendaPublished, StatusInSession, StatusClosed}

// Visibility of a meeting.
const (
	Public       = "public"       // anyone, also without signing in
	Participants = "participants" // its participants and the secretariat
)

// Participant roles.
const (
	RoleChair       = "chair"       // chairs the meeting: sees drafts, runs live mode for every session
	RoleParticipant = "participant" // takes part, may post in the meeting's room
	RoleObserver    = "observer"    // follows, reads the room but does not post
)

// Item kinds.
const (
	KindItem  = "item"
	KindBreak = "break"
)

// Bounds. The agenda is embedded in its meeting document, so everything in it has a ceiling that
// keeps the document far below MongoDB's 16 MiB.
const (
	maxTitle          = 300
	maxShort          = 200
	maxLongText       = 4000
	maxURL            = 1000
	maxSessions       = 60
	maxItemsPerSess   = 60
	maxChairs         = 6
	maxSpeakers       = 20
	maxContributions  = 30
	maxParticipants   = 2000
	maxGroups         = 20
	maxPublished      = 200
	maxMeetingDays    = 31
	maxDurationMinute = 24 * 60
	maxTimerSeconds   = 4 * 3600
	maxMeetings       = 5000
)

// Person names someone on the agenda: a chair or speaker. UserID links an account when the person
// has one; a session chair's account may edit that session, a speaker's account gets the session in
// their personal calendar.
type Person struct {
	UserID       string `json:"user_id" bson:"user_id"`
	Name         string `json:"name" bson:"name"`
	Title        string `json:"title" bson:"title"`
	Organization string `json:"organization" bson:"organization"`
}

// Item is one entry of a session: a presentation or discussion (kind "item") or a break.
type Item struct {
	ID       string   `json:"id" bson:"id"`
	Kind     string   `json:"kind" bson:"kind"`
	Title    string   `json:"title" bson:"title"`
	Speakers []Person `json:"speakers" bson:"speakers"`
	// Duration is in minutes; an item's start is its session's start plus the durations before it.
	Duration int `json:"duration" bson:"duration"`
	// Contributions are document symbols or references, e.g. "C5/2006/C/007".
	Contributions []string `json:"contributions" bson:"contributions"`
	Notes         string   `json:"notes" bson:"notes"`
}

// Session is a block of the agenda with its chairs and items. Start and End are local date-times
// in the meeting's time zone, "2006-05-15T09:30".
type Session struct {
	ID          string   `json:"id" bson:"id"`
	Title       string   `json:"title" bson:"title"`
	Chairs      []Person `json:"chairs" bson:"chairs"`
	Start       string   `json:"start" bson:"start"`
	End         string   `json:"end" bson:"end"`
	Description string   `json:"description" bson:"description"`
	// ArchiveURL links the session's audio or video recording once it exists.
	ArchiveURL string `json:"archive_url" bson:"archive_url"`
	Items      []Item `json:"items" bson:"items"`
	// Revision increases with every change of the session or of what its calendar event shows;
	// it is the event's iCalendar SEQUENCE.
	Revision int `json:"revision" bson:"revision"`
}

// Agenda is the ordered list of sessions. A session's number is its position, from 1.
type Agenda struct {
	Sessions []Session `json:"sessions" bson:"sessions"`
}

// ParticipantEntry is someone taking part in a meeting.
type ParticipantEntry struct {
	UserID string `json:"user_id" bson:"user_id"`
	Name   string `json:"name" bson:"name"`
	Role   string `json:"role" bson:"role"`
}

// AttendanceDay records who was present on one day of the meeting (a local date).
type AttendanceDay struct {
	Date    string   `json:"date" bson:"date"`
	Present []string `json:"present" bson:"present"`
}

// PublishedVersion describes one published agenda version; its content is an AgendaVersion.
type PublishedVersion struct {
	Number int       `json:"number" bson:"number"`
	Note   string    `json:"note" bson:"note"`
	At     time.Time `json:"at" bson:"at"`
	By     string    `json:"by" bson:"by"`
	ByName string    `json:"by_name" bson:"by_name"`
}

// Live is the state of a running meeting: the current item and its optional timer.
type Live struct {
	SessionID string    `json:"session_id" bson:"session_id"`
	ItemID    string    `json:"item_id" bson:"item_id"`
	Since     time.Time `json:"since" bson:"since"`
	// TimerSeconds, when above zero, is a countdown that started at TimerStarted.
	TimerSeconds int       `json:"timer_seconds" bson:"timer_seconds"`
	TimerStarted time.Time `json:"timer_started" bson:"timer_started"`
	By           string    `json:"by" bson:"by"`
	ByName       string    `json:"by_name" bson:"by_name"`
}

// meetingDoc is the stored meeting, agenda included.
type meetingDoc struct {
	ID                 string             `bson:"_id"`
	Title              string             `bson:"title"`
	Forum              string             `bson:"forum"`
	StartDate          string             `bson:"start_date"`
	EndDate            string             `bson:"end_date"`
	TimeZone           string             `bson:"time_zone"`
	Venue              string             `bson:"venue"`
	RemoteURL          string             `bson:"remote_url"`
	RemoteInstructions string             `bson:"remote_instructions"`
	Description        string             `bson:"description"`
	Status             string             `bson:"status"`
	Visibility         string             `bson:"visibility"`
	Groups             []GroupRef         `bson:"groups"`
	Participants       []ParticipantEntry `bson:"participants"`
	Attendance         []AttendanceDay    `bson:"attendance"`
	Agenda             Agenda             `bson:"agenda"`
	Published          []PublishedVersion `bson:"published"`
	// PublishedAgenda is a copy of the latest published version, so that reading a meeting is one
	// point read for everyone.
	PublishedAgenda *Agenda `bson:"published_agenda"`
	// Live and LiveSeq are stored apart, in a liveDoc: a live change then writes a few hundred
	// bytes instead of the whole meeting, and never races with an agenda edit's replace.
	Live *Live `bson:"-"`
	// LiveSeq increases with every live change, so clients keep the newest state they received.
	LiveSeq int64 `bson:"-"`
	// Version increases with every change; agenda and meeting edits carry the version they were
	// based on and are refused when it is stale.
	Version int64 `bson:"version"`
	// Edited is the version of the latest edit of the meeting or its agenda; an edit based on an
	// earlier version is stale (see Service.modify).
	Edited int64 `bson:"edited"`
	// Revision is the SEQUENCE of the meeting's own calendar event.
	Revision  int       `bson:"revision"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// liveDoc is a meeting's live state: _id is the meeting id.
type liveDoc struct {
	ID   string `bson:"_id"`
	Live *Live  `bson:"live"`
	Seq  int64  `bson:"seq"`
}

// agendaVersionDoc is a published agenda: _id "<meeting>:<number>".
type agendaVersionDoc struct {
	ID      string           `bson:"_id"`
	Meeting string           `bson:"meeting"`
	Version PublishedVersion `bson:"version"`
	Agenda  Agenda           `bson:"agenda"`
	// TimeZone is kept with the version so that times in old versions stay meaningful.
	TimeZone string `bson:"time_zone"`
}

func (m *meetingDoc) participant(userID string) *ParticipantEntry {
	for i := range m.Participants {
		if m.Participants[i].UserID == userID {
			return &m.Participants[i]
		}
	}
	return nil
}

func (m *meetingDoc) roleOf(userID string) string {
	if userID == "" {
		return ""
	}
	if p := m.participant(userID); p != nil {
		return p.Role
	}
	return ""
}

func (m *meetingDoc) session(id string) (int, *Session) {
	for i := range m.Agenda.Sessions {
		if m.Agenda.Sessions[i].ID == id {
			return i, &m.Agenda.Sessions[i]
		}
	}
	return -1, nil
}

func (s *Session) item(id string) (int, *Item) {
	for i := range s.Items {
		if s.Items[i].ID == id {
			return i, &s.Items[i]
		}
	}
	return -1, nil
}

func (s *Session) chairedBy(userID string) bool {
	if userID == "" {
		return false
	}
	for _, c := range s.Chairs {
		if c.UserID == userID {
			return true
		}
	}
	return false
}

func (s *Session) speaksIn(userID string) bool {
	if userID == "" {
		return false
	}
	for _, it := range s.Items {
		for _, sp := range it.Speakers {
			if sp.UserID == userID {
				return true
			}
		}
	}
	return false
}

// The rules of who may do what, in one place.

// canRead: public meetings are for everyone (anonymous is the zero User); others for their
// participants and the secretariat.
func (m *meetingDoc) canRead(u accounts.User) bool {
	return m.Visibility == Public || u.IsSecretariat() || m.roleOf(u.ID) != "" || m.chairsAnySession(u.ID)
}

func (m *meetingDoc) chairsAnySession(userID string) bool {
	for i := range m.Agenda.Sessions {
		if m.Agenda.Sessions[i].chairedBy(userID) {
			return true
		}
	}
	return false
}

// canEditSession: the secretariat edits everything; a session's chair edits that session's title,
// description and items.
func (m *meetingDoc) canEditSession(u accounts.User, s *Session) bool {
	return u.IsSecretariat() || s.chairedBy(u.ID)
}

// seesDraft: editors see the working agenda; everyone else the latest published version.
func (m *meetingDoc) seesDraft(u accounts.User) bool {
	return u.IsSecretariat() || m.roleOf(u.ID) == RoleChair || m.chairsAnySession(u.ID)
}

// canRunLive: the secretariat and the meeting's chairs for every session, a session's chair for
// that session.
func (m *meetingDoc) canRunLive(u accounts.User, s *Session) bool {
	return u.IsSecretariat() || m.roleOf(u.ID) == RoleChair || (s != nil && s.chairedBy(u.ID))
}
