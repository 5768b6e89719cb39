package review

import (
	"time"
)

// States of a report's review.
const (
	StateDraft      = "draft"
	StateCirculated = "circulated"
	StateClosed     = "closed"
	StateFinal      = "final"
	StatePublished  = "published"
)

// Kinds of named version.
const (
	VersionCirculated = "circulated"
	VersionFinal      = "final"
	VersionNamed      = "named"
)

// Kinds of comment.
const (
	KindComment    = "comment"
	KindSuggestion = "suggestion"
)

// Dispositions a chair gives a comment.
const (
	DispAccepted = "accepted"
	DispModified = "modified" // accepted with modification
	DispRejected = "rejected"
	DispNoted    = "noted"
)

// Dispositions lists the dispositions in the order forms offer them.
var Dispositions = []string{DispAccepted, DispModified, DispRejected, DispNoted}

// States of a suggestion.
const (
	SuggestionPending  = "pending"
	SuggestionAccepted = "accepted"
	SuggestionRejected = "rejected"
)

const (
	maxName        = 40
	maxMessage     = 2000
	maxCommentText = 4000
	maxReplacement = 20_000
	maxQuote       = 2000
	maxReplies     = 200
	maxMentions    = 20
	// maxComments bounds a report's comments over all its rounds: each is a document read once
	// into memory when the report's review is first used.
	maxComments = 5000
	maxVersions = 500
	// maxDeadlineAhead bounds how far a deadline may be set.
	maxDeadlineAhead = 366 * 24 * time.Hour
	// reminderBefore is when recipients are reminded of a round's deadline.
	reminderBefore = 24 * time.Hour
)

// person is an account as recorded at the time, so names in the log stay what they were.
type person struct {
	ID   string `bson:"id" json:"id"`
	Name string `bson:"name" json:"name"`
}

type roundDoc struct {
	N         int        `bson:"n"`
	Name      string     `bson:"name"`
	V         int64      `bson:"v"`
	Deadline  time.Time  `bson:"deadline"`
	Zone      string     `bson:"zone"`
	Message   string     `bson:"message,omitempty"`
	OpenedBy  person     `bson:"opened_by"`
	OpenedAt  time.Time  `bson:"opened_at"`
	ClosedAt  *time.Time `bson:"closed_at,omitempty"`
	ClosedBy  *person    `bson:"closed_by,omitempty"` // nil when closed at the deadline
	Reminded  bool       `bson:"reminded,omitempty"`
	FinalName string     `bson:"final_name,omitempty"`
	FinalV    int64      `bson:"final_v,omitempty"`
	// PublishedDoc is the contribution the final version was published as.
	PublishedDoc string `bson:"published_doc,omitempty"`
}

type versionDoc struct {
	Name string    `bson:"name"`
	V    int64     `bson:"v"`
	Kind string    `bson:"kind"`
	By   person    `bson:"by"`
	At   time.Time `bson:"at"`
}

type transitionDoc struct {
	Action string    `bson:"action"`
	By     person    `bson:"by"` // id "" for the server (a round closed at its deadline)
	At     time.Time `bson:"at"`
	Note   string    `bson:"note,omitempty"`
}

// stateDoc is a report's review, one document per report (_id: the report id). Its lists are
// bounded: rounds and versions by maxVersions, transitions by what they follow.
type stateDoc struct {
	ID          string          `bson:"_id"`
	GroupID     string          `bson:"group_id"`
	State       string          `bson:"state"`
	Rounds      []roundDoc      `bson:"rounds"`
	Versions    []versionDoc    `bson:"versions"`
	Transitions []transitionDoc `bson:"transitions"`
	// Comments is how many comments the report has: comment n (1-based) is "<report>:<n>".
	Comments int `bson:"comments"`
}

func (d *stateDoc) round() *roundDoc {
	if len(d.Rounds) == 0 {
		return nil
	}
	return &d.Rounds[len(d.Rounds)-1]
}

type anchorDoc struct {
	From int   `bson:"from" json:"from"`
	To   int   `bson:"to" json:"to"`
	V    int64 `bson:"v" json:"v"`
	Gone bool  `bson:"gone,omitempty" json:"gone"`
}

type replyDoc struct {
	ID       int       `bson:"id"`
	Author   person    `bson:"author"`
	Text     string    `bson:"text"`
	Mentions []person  `bson:"mentions,omitempty"`
	At       time.Time `bson:"at"`
}

type dispositionDoc struct {
	Kind string    `bson:"kind"`
	Note string    `bson:"note,omitempty"`
	By   person    `bson:"by"`
	At   time.Time `bson:"at"`
}

// commentDoc is one comment or suggestion (_id "<report>:<n>"), with its replies.
type commentDoc struct {
	ID          string    `bson:"_id"`
	Report      string    `bson:"report"`
	N           int       `bson:"n"`
	Round       int       `bson:"round"`
	Kind        string    `bson:"kind"`
	Author      person    `bson:"author"`
	CreatedAt   time.Time `bson:"created_at"`
	Text        string    `bson:"text"`
	Mentions    []person  `bson:"mentions,omitempty"`
	Quote       string    `bson:"quote"`
	Para        int       `bson:"para"`
	VersionName string    `bson:"version_name"`
	// Base is where the comment was made, in the circulated version; Anchor is where its text is
	// now, as last followed through edits (stored lazily: it is recomputed from Anchor.V on).
	Base        anchorDoc       `bson:"base"`
	Anchor      anchorDoc       `bson:"anchor"`
	Replacement string          `bson:"replacement,omitempty"`
	Suggestion  string          `bson:"suggestion,omitempty"`
	AppliedV    int64           `bson:"applied_v,omitempty"`
	Replies     []replyDoc      `bson:"replies"`
	Disposition *dispositionDoc `bson:"disposition,omitempty"`
}

// Views, as the API returns them.

// Round is a review round.
type Round struct {
	N            int        `json:"n"`
	Name         string     `json:"name"`
	V            int64      `json:"v"`
	Deadline     time.Time  `json:"deadline"`
	Zone         string     `json:"zone"`
	Message      string     `json:"message"`
	OpenedBy     person     `json:"opened_by"`
	OpenedAt     time.Time  `json:"opened_at"`
	ClosedAt     *time.Time `json:"closed_at"`
	ClosedBy     *person    `json:"closed_by"`
	FinalName    string     `json:"final_name"`
	FinalV       int64      `json:"final_v"`
	PublishedDoc string     `json:"published_doc"`
}

// Version is a named version.
type Version struct {
	Name string    `json:"name"`
	V    int64     `json:"v"`
	Kind string    `json:"kind"`
	By   person    `json:"by"`
	At   time.Time `json:"at"`
}

// Transition is one recorded step of the lifecycle.
type Transition struct {
	Action string    `json:"action"`
	By     person    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note"`
}

// Counts counts the current round's comments.
type Counts struct {
	Open     int `json:"open"`
	Disposed int `json:"disposed"`
	Total    int `json:"total"`
}

// Review is a report's review as one user sees it.
type Review struct {
	ReportID    string       `json:"report_id"`
	State       string       `json:"state"`
	Round       *Round       `json:"round"`
	Rounds      []Round      `json:"rounds"`
	Versions    []Version    `json:"versions"`
	Transitions []Transition `json:"transitions"`
	ServerTime  time.Time    `json:"server_time"`
	CanComment  bool         `json:"can_comment"`
	CanManage   bool         `json:"can_manage"`
	CanEdit     bool         `json:"can_edit"`
	Counts      Counts       `json:"counts"`
}

// Reply is a reply in a comment's thread.
type Reply struct {
	ID       int       `json:"id"`
	Author   person    `json:"author"`
	Text     string    `json:"text"`
	Mentions []person  `json:"mentions"`
	At       time.Time `json:"at"`
}

// Disposition is a chair's decision on a comment.
type Disposition struct {
	Kind string    `json:"kind"`
	Note string    `json:"note"`
	By   person    `json:"by"`
	At   time.Time `json:"at"`
}

// Comment is a comment or suggestion with its thread.
type Comment struct {
	N           int          `json:"n"`
	Round       int          `json:"round"`
	Kind        string       `json:"kind"`
	Author      person       `json:"author"`
	CreatedAt   time.Time    `json:"created_at"`
	Text        string       `json:"text"`
	Mentions    []person     `json:"mentions"`
	Quote       string       `json:"quote"`
	Para        int          `json:"para"`
	VersionName string       `json:"version_name"`
	Base        anchorDoc    `json:"base"`
	Anchor      anchorDoc    `json:"anchor"`
	Replacement string       `json:"replacement"`
	Suggestion  string       `json:"suggestion"`
	AppliedV    int64        `json:"applied_v"`
	Replies     []Reply      `json:"replies"`
	Disposition *Disposition `json:"disposition"`
	Mine        bool         `json:"mine"`
}

// LogEntry is a row of the disposition log.
type LogEntry struct {
	Para      int    `json:"para"`
	N         int    `json:"n"`
	Comment   string `json:"comment"`
	Commenter string `json:"commenter"`
	Kind      string `json:"kind"`
	Note      string `json:"note"`
}
