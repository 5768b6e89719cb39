// Package contributions holds the documents participants send to a meeting or a working group:
// files streamed into GridFS after content checks (contributions/inspect), their metadata and
// document symbols, revisions, and the workflow submitted → accepted → published (or returned,
// or withdrawn) that the secretariat and the chairs run.
package contributions

import (
	"strconv"
	"time"
)

// Kinds of document, each with its default letter in the symbol.
const (
	KindContribution = "contribution"
	KindPresentation = "presentation"
	KindInformation  = "information"
	KindReport       = "report"
)

// Kinds lists the kinds in the order forms offer them.
var Kinds = []string{KindContribution, KindPresentation, KindInformation, KindReport}

// defaultCodes are the symbol letters of each kind, e.g. C5/2026/C/007 for a contribution.
var defaultCodes = map[string]string{KindContribution: "C", KindPresentation: "P", KindInformation: "INF", KindReport: "R"}

// Languages a document may be written in: the six UN languages, then "other".
var Languages = []string{"ar", "zh", "en", "fr", "ru", "es", "other"}

// States of a revision.
const (
	StateSubmitted = "submitted" // waiting for the secretariat or a chair
	StateAccepted  = "accepted"  // accepted, not yet public
	StatePublished = "published" // served at the document's stable address
	StateReturned  = "returned"  // sent back with a reason
	StateWithdrawn = "withdrawn" // taken back by its submitter
)

// Scope kinds: a document belongs to one meeting or one group.
const (
	ScopeMeeting = "meeting"
	ScopeGroup   = "group"
)

// Author is a person or an organization credited with a document.
type Author struct {
	Name         string `json:"name" bson:"name"`
	Organization string `json:"organization" bson:"organization"`
}

// revisionDoc is one uploaded file of a document. Revision 0 is the original; revision n is
// "Rev.n".
type revisionDoc struct {
	N           int       `bson:"n"`
	FileID      string    `bson:"file_id"` // the GridFS file id
	Filename    string    `bson:"filename"`
	Size        int64     `bson:"size"`
	SHA256      string    `bson:"sha256"`
	ContentType string    `bson:"content_type"` // verified by inspect, served on download
	Format      string    `bson:"format"`
	By          string    `bson:"by"`
	ByName      string    `bson:"by_name"`
	At          time.Time `bson:"at"`
	State       string    `bson:"state"`
	Reason      string    `bson:"reason,omitempty"` // why it was returned
	Note        string    `bson:"note,omitempty"`   // what the revision changes

	// reserved is the quota the upload holds until settled or discard (never stored).
	reserved int64
}

// eventDoc records a transition: who did what, when.
type eventDoc struct {
	Action   string    `bson:"action"`
	Revision int       `bson:"revision"`
	By       string    `bson:"by"`
	ByName   string    `bson:"by_name"`
	At       time.Time `bson:"at"`
	Note     string    `bson:"note,omitempty"`
}

// contributionDoc is a document with all its revisions and its history; bounded (at most
// maxRevisions revisions and maxEvents events), so it is one document read by _id.
type contributionDoc struct {
	ID         string        `bson:"_id"`
	Scope      string        `bson:"scope"`    // ScopeMeeting or ScopeGroup
	ScopeID    string        `bson:"scope_id"` // the meeting's or group's id
	SessionID  string        `bson:"session_id,omitempty"`
	ItemID     string        `bson:"item_id,omitempty"`
	Title      string        `bson:"title"`
	Authors    []Author      `bson:"authors"`
	Language   string        `bson:"language"`
	Kind       string        `bson:"kind"`
	Abstract   string        `bson:"abstract"`
	Symbol     string        `bson:"symbol,omitempty"` // given at the first acceptance
	Submitter  string        `bson:"submitter"`
	SubmitName string        `bson:"submitter_name"`
	Created    time.Time     `bson:"created"`
	Updated    time.Time     `bson:"updated"`
	Revisions  []revisionDoc `bson:"revisions"`
	Events     []eventDoc    `bson:"events"`
	Version    int64         `bson:"version"`
}

// latest is the newest revision.
func (c *contributionDoc) latest() *revisionDoc { return &c.Revisions[len(c.Revisions)-1] }

// published is the newest published revision, or nil.
func (c *contributionDoc) published() *revisionDoc {
	for i := len(c.Revisions) - 1; i >= 0; i-- {
		if c.Revisions[i].State == StatePublished {
			return &c.Revisions[i]
		}
	}
	return nil
}

// state is the document's state as lists show it: its latest revision's, except that a document
// with a published revision stays published while a newer revision waits or was returned.
func (c *contributionDoc) state() string {
	l := c.latest()
	if l.State != StatePublished && c.published() != nil && l.State != StateWithdrawn {
		return StatePublished
	}
	return l.State
}

// revisionSymbol is the symbol of revision n: "C5/2026/C/007" then "C5/2026/C/007/Rev.1".
func revisionSymbol(symbol string, n int) string {
	if symbol == "" || n == 0 {
		return symbol
	}
	return symbol + "/Rev." + strconv.Itoa(n)
}
