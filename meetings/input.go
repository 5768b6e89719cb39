package meetings

import "time"

// MeetingInput carries the meeting fields a request sets; nil leaves a field unchanged.
type MeetingInput struct {
	Title              *string
	Forum              *string
	StartDate          *string // "2006-05-15", a local date in TimeZone
	EndDate            *string
	TimeZone           *string // IANA name, e.g. "Europe/Zurich"
	Venue              *string
	RemoteURL          *string
	RemoteInstructions *string
	Description        *string
	Status             *string
	Visibility         *string
	Groups             *[]string
}

// SessionInput carries session fields; nil leaves a field unchanged. Chairs, Start and End are the
// secretariat's; a session's chair may change the rest.
type SessionInput struct {
	Title       *string
	Chairs      *[]Person
	Start       *string // "2006-05-15T09:30", local to the meeting's time zone
	End         *string
	Description *string
	ArchiveURL  *string
}

// ItemInput carries agenda item fields; nil leaves a field unchanged.
type ItemInput struct {
	Kind          *string
	Title         *string
	Speakers      *[]Person
	Duration      *int
	Contributions *[]string
	Notes         *string
}

// MoveInput moves a session (ItemID empty) to position ToIndex among sessions, or an item to
// position ToIndex in session ToSession (empty: its own session). Positions count from 0.
type MoveInput struct {
	SessionID string
	ItemID    string
	ToSession string
	ToIndex   int
}

// LiveInput marks the current item; TimerSeconds > 0 starts a countdown.
type LiveInput struct {
	SessionID    string
	ItemID       string
	TimerSeconds int
}

// Summary is a meeting as lists show it.
type Summary struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Forum      string `json:"forum"`
	StartDate  string `json:"start_date"`
	EndDate    string `json:"end_date"`
	TimeZone   string `json:"time_zone"`
	Venue      string `json:"venue"`
	Status     string `json:"status"`
	Visibility string `json:"visibility"`
	// MyRole is the viewer's participant role, or "".
	MyRole string `json:"my_role"`
}

// Permissions tell a viewer what they may change, so the UI shows only what works.
type Permissions struct {
	// EditMeeting: meeting fields, sessions' chairs and times, adding, removing and reordering
	// sessions, publishing, participants and attendance (the secretariat).
	EditMeeting bool `json:"edit_meeting"`
	// EditSessions lists the sessions whose title, description and items the viewer may edit.
	EditSessions []string `json:"edit_sessions"`
	// LiveSessions lists the sessions whose items the viewer may mark current.
	LiveSessions []string `json:"live_sessions"`
	// Post: the viewer may post in the meeting's room.
	Post bool `json:"post"`
}

// View is a meeting as one viewer sees it.
type View struct {
	ID                 string `json:"id"`
	Title              string `json:"title"`
	Forum              string `json:"forum"`
	StartDate          string `json:"start_date"`
	EndDate            string `json:"end_date"`
	TimeZone           string `json:"time_zone"`
	Venue              string `json:"venue"`
	RemoteURL          string `json:"remote_url"`
	RemoteInstructions string `json:"remote_instructions"`
	Description        string `json:"description"`
	Status             string `json:"status"`
	Visibility         string `json:"visibility"`
	// Groups are the organizing groups the viewer may see.
	Groups []GroupRef `json:"groups"`
	// Participants and Attendance are shown to signed-in readers only.
	Participants []ParticipantEntry `json:"participants"`
	Attendance   []AttendanceDay    `json:"attendance"`
	// Agenda is the draft for editors and the latest published version for everyone else; nil
	// when a reader has nothing published to see yet.
	Agenda *Agenda `json:"agenda"`
	// AgendaShown is "draft", "published" or "none"; AgendaNumber the published version shown
	// (or, for a draft, the latest published version, 0 for none).
	AgendaShown  string `json:"agenda_shown"`
	AgendaNumber int    `json:"agenda_number"`
	// DraftChanged tells editors whether the draft differs from the latest published version.
	DraftChanged bool               `json:"draft_changed"`
	Published    []PublishedVersion `json:"published"`
	Live         *Live              `json:"live"`
	LiveSeq      int64              `json:"live_seq"`
	Version      int64              `json:"version"`
	MyRole       string             `json:"my_role"`
	Can          Permissions        `json:"can"`
	Room         string             `json:"room"`
	UpdatedAt    time.Time          `json:"updated_at"`
	// ServerTime is the server's clock when it answered, so that viewers can run countdowns on
	// the server's time rather than their own.
	ServerTime time.Time `json:"server_time"`
}

// GroupRef names an organizing group.
type GroupRef struct {
	ID   string `json:"id" bson:"id"`
	Name string `json:"name" bson:"name"`
	// Visibility decides who is shown the group (see Service.viewFor).
	Visibility string `json:"-" bson:"visibility"`
}

// AgendaVersion is one published agenda.
type AgendaVersion struct {
	PublishedVersion
	TimeZone string `json:"time_zone"`
	Agenda   Agenda `json:"agenda"`
}
