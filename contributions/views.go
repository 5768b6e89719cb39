package contributions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
)

// Person names an account.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Revision is one file of a document as a reader sees it.
type Revision struct {
	N           int       `json:"n"`
	Symbol      string    `json:"symbol"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	Format      string    `json:"format"`
	By          Person    `json:"by"`
	At          time.Time `json:"at"`
	State       string    `json:"state"`
	Reason      string    `json:"reason"`
	Note        string    `json:"note"`
	// URL is the revision's permanent address.
	URL string `json:"url"`
}

// Event is a transition of the document.
type Event struct {
	Action   string    `json:"action"`
	Revision int       `json:"revision"`
	By       Person    `json:"by"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
}

// Can lists what the viewer may do with the document now.
type Can struct {
	Accept   bool `json:"accept"`
	Publish  bool `json:"publish"`
	Return   bool `json:"return"`
	Withdraw bool `json:"withdraw"`
	Revise   bool `json:"revise"`
	Attach   bool `json:"attach"`
	// AttachSessions are the sessions to whose items the viewer may attach the document: those
	// they edit (the agenda lists the document there).
	AttachSessions []string `json:"attach_sessions"`
}

// View is a document as one viewer sees it.
type View struct {
	ID        string    `json:"id"`
	Scope     string    `json:"scope"`
	ScopeID   string    `json:"scope_id"`
	ScopeName string    `json:"scope_name"`
	SessionID string    `json:"session_id"`
	ItemID    string    `json:"item_id"`
	ItemTitle string    `json:"item_title"`
	Title     string    `json:"title"`
	Authors   []Author  `json:"authors"`
	Language  string    `json:"language"`
	Kind      string    `json:"kind"`
	Abstract  string    `json:"abstract"`
	Symbol    string    `json:"symbol"`
	State     string    `json:"state"`
	Submitter Person    `json:"submitter"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	// URL is the stable address: it always serves the newest published revision ("" while none is).
	URL string `json:"url"`
	// Revisions the viewer may read, newest first.
	Revisions []Revision `json:"revisions"`
	// Events are shown to the submitter and the reviewers.
	Events  []Event `json:"events"`
	Can     Can     `json:"can"`
	Version int64   `json:"version"`
}

func fileURL(id string) string { return "/api/contributions/" + id + "/file" }

func revisionURL(id string, n int) string {
	return fmt.Sprintf("/api/contributions/%s/revisions/%d/file", id, n)
}

func (s *Service) view(c *contributionDoc, r docRights) View {
	v := View{ID: c.ID, Scope: c.Scope, ScopeID: c.ScopeID, ScopeName: r.name, SessionID: c.SessionID, ItemID: c.ItemID,
		Title: c.Title, Authors: c.Authors, Language: c.Language, Kind: c.Kind, Abstract: c.Abstract, Symbol: c.Symbol,
		State: c.state(), Submitter: Person{c.Submitter, c.SubmitName}, Created: c.Created, Updated: c.Updated,
		Revisions: []Revision{}, Events: []Event{}, Version: c.Version}
	if v.Authors == nil {
		v.Authors = []Author{}
	}
	if r.meeting != nil && c.ItemID != "" && r.meeting.Agenda != nil {
		for _, ss := range r.meeting.Agenda.Sessions {
			for _, it := range ss.Items {
				if it.ID == c.ItemID {
					v.ItemTitle = it.Title
				}
			}
		}
	}
	if c.published() != nil {
		v.URL = fileURL(c.ID)
	}
	for i := len(c.Revisions) - 1; i >= 0; i-- {
		rev := &c.Revisions[i]
		if !r.canReadRevision(rev) {
			continue
		}
		v.Revisions = append(v.Revisions, Revision{N: rev.N, Symbol: revisionSymbol(c.Symbol, rev.N), Filename: rev.Filename,
			Size: rev.Size, SHA256: rev.SHA256, ContentType: rev.ContentType, Format: rev.Format, By: Person{rev.By, rev.ByName},
			At: rev.At, State: rev.State, Reason: rev.Reason, Note: rev.Note, URL: revisionURL(c.ID, rev.N)})
	}
	if r.readAll {
		for _, e := range c.Events {
			v.Events = append(v.Events, Event{Action: e.Action, Revision: e.Revision, By: Person{e.By, e.ByName}, At: e.At, Note: e.Note})
		}
	}
	latest := c.latest().State
	v.Can = Can{
		Accept:         r.reviewer && latest == StateSubmitted,
		Publish:        r.reviewer && (latest == StateSubmitted || latest == StateAccepted),
		Return:         r.reviewer && (latest == StateSubmitted || latest == StateAccepted),
		Withdraw:       r.owner && (latest == StateSubmitted || latest == StateAccepted || latest == StateReturned),
		Revise:         (r.owner || r.reviewer) && latest != StateSubmitted && latest != StateAccepted && len(c.Revisions) < maxRevisions,
		AttachSessions: []string{},
	}
	if r.reviewer && c.Scope == ScopeMeeting && latest != StateReturned && latest != StateWithdrawn && len(r.reviewSessions) > 0 {
		v.Can.Attach, v.Can.AttachSessions = true, r.reviewSessions
	}
	return v
}

// Get returns a document as actor sees it; not_found when they may not see it.
func (s *Service) Get(ctx context.Context, actor accounts.User, id string) (View, error) {
	c, err := s.load(ctx, id)
	if err != nil {
		return View{}, err
	}
	r, err := s.rightsOn(ctx, actor, c)
	if err != nil {
		return View{}, err
	}
	if !r.read {
		return View{}, errNotFound
	}
	return s.view(c, r), nil
}

// List answers the documents of a meeting or group that actor may see, as the secretariat
// publishes the list: by symbol. Others than the submitter and the reviewers see published
// documents only.
func (s *Service) List(ctx context.Context, actor accounts.User, scope, scopeID string, f Filter) ([]Entry, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	r, err := s.rightsIn(ctx, actor, scope, scopeID)
	if err != nil {
		return nil, err
	}
	d, err := s.readIndex(ctx, scopeKey(scope, scopeID))
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for i := range d.Entries {
		e := &d.Entries[i]
		insider := r.reviews(e.SessionID) || (actor.ID != "" && e.Submitter == actor.ID)
		if !(insider || e.Published >= 0) || !f.match(e) {
			continue
		}
		entry := *e
		if !insider { // readers know nothing of revisions after the published one
			entry.Latest, entry.LatestState = entry.Published, StatePublished
		}
		out = append(out, entry)
	}
	sortEntries(out)
	return out, nil
}

// Mine answers the documents actor submitted, newest first.
func (s *Service) Mine(ctx context.Context, actor accounts.User) ([]Entry, error) {
	if actor.ID == "" {
		return nil, errs.Errorf(errs.Unauthorized, "sign in to see your documents")
	}
	d, err := s.readIndex(ctx, "user:"+actor.ID)
	if err != nil {
		return nil, err
	}
	// Only the documents of meetings and groups the person may still see.
	seen := map[string]bool{}
	out := []Entry{}
	for _, e := range d.Entries {
		k := scopeKey(e.Scope, e.ScopeID)
		ok, known := seen[k]
		if !known {
			_, err := s.rightsIn(ctx, actor, e.Scope, e.ScopeID)
			if err != nil && errs.CodeOf(err) != errs.NotFound {
				return nil, err
			}
			ok = err == nil
			seen[k] = ok
		}
		if ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return b.Updated.Compare(a.Updated) })
	return out, nil
}

// QueueEntry is a document waiting for actor's decision, with where it was sent.
type QueueEntry struct {
	Entry
	ScopeName string `json:"scope_name"`
}

// Queue answers what waits for actor's decision (submitted or accepted, not yet published), oldest
// first, in every meeting and group they review.
func (s *Service) Queue(ctx context.Context, actor accounts.User) ([]QueueEntry, error) {
	if actor.ID == "" {
		return nil, errs.Errorf(errs.Unauthorized, "sign in to see what waits for you")
	}
	d, err := s.readIndex(ctx, pendingKey)
	if err != nil {
		return nil, err
	}
	rights := map[string]*scopeRights{}
	out := []QueueEntry{}
	for _, e := range d.Entries {
		k := scopeKey(e.Scope, e.ScopeID)
		r, ok := rights[k]
		if !ok {
			got, err := s.rightsIn(ctx, actor, e.Scope, e.ScopeID)
			if err != nil && errs.CodeOf(err) != errs.NotFound {
				return nil, err
			}
			if err == nil {
				r = &got
			}
			rights[k] = r
		}
		if r != nil && r.reviews(e.SessionID) {
			out = append(out, QueueEntry{Entry: e, ScopeName: r.name})
		}
	}
	slices.SortFunc(out, func(a, b QueueEntry) int { return a.Updated.Compare(b.Updated) })
	return out, nil
}

// SubmitInput is the form of a new document.
type SubmitInput struct {
	Title     string   `json:"title"`
	Authors   []Author `json:"authors"`
	Language  string   `json:"language"`
	Kind      string   `json:"kind"`
	Abstract  string   `json:"abstract"`
	SessionID string   `json:"session_id"`
	ItemID    string   `json:"item_id"`
}

const maxAuthors = 30

func (in *SubmitInput) validate() error {
	var err error
	if in.Title, err = check.Text("title", in.Title, 1, 300, false); err != nil {
		return err
	}
	if len(in.Authors) == 0 || len(in.Authors) > maxAuthors {
		return errs.Errorf(errs.Invalid, "authors: between 1 and %d people or organizations", maxAuthors)
	}
	for i := range in.Authors {
		a := &in.Authors[i]
		if a.Name, err = check.Text(fmt.Sprintf("authors[%d].name", i), a.Name, 0, 200, false); err != nil {
			return err
		}
		if a.Organization, err = check.Text(fmt.Sprintf("authors[%d].organization", i), a.Organization, 0, 200, false); err != nil {
			return err
		}
		if a.Name == "" && a.Organization == "" {
			return errs.Errorf(errs.Invalid, "authors[%d]: a name, an organization, or both", i)
		}
	}
	if !slices.Contains(Languages, in.Language) {
		return errs.Errorf(errs.Invalid, "language: one of %s", strings.Join(Languages, ", "))
	}
	if !slices.Contains(Kinds, in.Kind) {
		return errs.Errorf(errs.Invalid, "kind: one of %s", strings.Join(Kinds, ", "))
	}
	if in.Abstract, err = check.Text("abstract", in.Abstract, 0, 4000, true); err != nil {
		return err
	}
	if (in.SessionID == "") != (in.ItemID == "") {
		return errs.Errorf(errs.Invalid, "session_id and item_id: both or neither")
	}
	if in.SessionID != "" {
		if err := check.ID("session_id", in.SessionID); err != nil {
			return err
		}
		if err := check.ID("item_id", in.ItemID); err != nil {
			return err
		}
	}
	return nil
}
