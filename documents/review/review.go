// Package review runs the review of a Chairman's Report: rounds circulated for comments with a
// deadline, comments and suggestions anchored to the text and followed through later edits, the
// chair's dispositions, named versions, the final version locked against edits, its publication
// among the meeting's documents, and exports.
//
// A report's review is one document (its state, rounds, versions and transitions) plus one
// document per comment under a natural key; both are read by _id only and kept in memory while
// the report is in use, and every change to one report is serialized by an in-process lock.
package review

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/check"
	"plenary/contributions"
	"plenary/documents/export"
	"plenary/documents/reports"
	"plenary/errs"
	"plenary/meetings"
	"plenary/ratelimit"
	"plenary/rooms"
	"plenary/store"
)

const (
	colStates   = "review_states"
	colComments = "review_comments"
)

// Collections returns the collections this package uses, for store.Open.
func Collections() []store.Collection {
	return []store.Collection{
		{Name: colStates, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "state", Value: 1}}}}},
		{Name: colComments},
	}
}

// Notice is a notification for people (notify.Note, without depending on it).
type Notice struct {
	Kind     string // round_opened | deadline_soon | reply | mention | disposition | final
	Title    string
	Body     string
	Link     string
	ReportID string
}

// Config wires the service. Zero values are sensible defaults.
type Config struct {
	// Notify delivers notifications; nil sends none.
	Notify func(ctx context.Context, userIDs []string, n Notice)
	// Changed is told after every change of a report's review, for live updates; may be nil.
	Changed func(reportID string)
	// Converter makes DOCX and PDF exports.
	Converter export.Converter
	// WriteRate is how many comments and replies one person may write per minute. Zero means
	// 30; negative disables the limit.
	WriteRate int
	// Tick is how often deadlines are checked. Zero means 15 s.
	Tick time.Duration
	// Now is the server's clock. Nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service runs reviews.
type Service struct {
	cfg      Config
	log      *slog.Logger
	acc      *accounts.Service
	rooms    *rooms.Service
	meetings *meetings.Service
	reports  *reports.Service
	contribs *contributions.Service
	states   *mongo.Collection
	comments *mongo.Collection
	writes   *ratelimit.Limiter

	mu      sync.Mutex
	entries map[string]*entry
	// open holds the reports with a circulated round, for the deadline loop.
	open map[string]time.Time
	stop chan struct{}
	done chan struct{}
}

// entry is one report's review in memory. mu serializes its changes.
type entry struct {
	mu       sync.Mutex
	loaded   bool
	state    stateDoc
	stored   bool // state has been written at least once
	comments []*commentDoc
	// storedV is, per comment n, the anchor version last written: anchors are followed in
	// memory and written back once they have moved far enough.
	storedV map[int]int64
	// circulated caches the rendering of the current round's version.
	circulated *circulatedText
	// publishing is set while the final version is being published (exported and submitted
	// without the lock): a second publication must not submit it twice.
	publishing bool
}

// New returns the service and starts its deadline loop; Close stops it. It reads the reports
// with an open round once, at start.
func New(ctx context.Context, st *store.Store, acc *accounts.Service, rs *rooms.Service, ms *meetings.Service,
	reps *reports.Service, contribs *contributions.Service, cfg Config) (*Service, error) {
	if cfg.Tick <= 0 {
		cfg.Tick = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WriteRate == 0 {
		cfg.WriteRate = 30
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, log: cfg.Logger, acc: acc, rooms: rs, meetings: ms, reports: reps, contribs: contribs,
		states: st.Collection(colStates), comments: st.Collection(colComments),
		writes:  ratelimit.New(cfg.WriteRate, time.Minute, "you are commenting too fast; wait a moment"),
		entries: map[string]*entry{}, open: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
	// A filtered read, once at start: reviews are few, and the loop needs to know which
	// deadlines to watch.
	cur, err := s.states.Find(ctx, bson.D{{Key: "state", Value: StateCirculated}}, options.Find().SetProjection(bson.D{{Key: "rounds", Value: 1}, {Key: "state", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("read open review rounds: %w", err)
	}
	var docs []stateDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read open review rounds: %w", err)
	}
	for _, d := range docs {
		if r := d.round(); r != nil {
			s.open[d.ID] = r.Deadline
		}
	}
	go s.deadlineLoop()
	return s, nil
}

// Close stops the deadline loop.
func (s *Service) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// lock returns the report's review entry, loaded and locked; the caller unlocks it.
func (s *Service) lock(ctx context.Context, reportID string) (*entry, error) {
	s.mu.Lock()
	e := s.entries[reportID]
	if e == nil {
		e = &entry{storedV: map[int]int64{}}
		s.entries[reportID] = e
	}
	s.mu.Unlock()
	e.mu.Lock()
	if e.loaded {
		return e, nil
	}
	if err := s.load(ctx, reportID, e); err != nil {
		e.mu.Unlock()
		return nil, err
	}
	return e, nil
}

var errNoState = errs.Errorf(errs.NotFound, "no review yet")

// load reads a report's review: its state document, then its comments by key.
func (s *Service) load(ctx context.Context, reportID string, e *entry) error {
	d, err := store.FindByID[stateDoc](ctx, s.states, reportID, errNoState)
	switch {
	case err == errNoState:
		e.state = stateDoc{ID: reportID, State: StateDraft, Rounds: []roundDoc{}, Versions: []versionDoc{}, Transitions: []transitionDoc{}}
	case err != nil:
		return err
	default:
		e.state, e.stored = *d, true
	}
	e.comments = make([]*commentDoc, 0, e.state.Comments)
	for n := 1; n <= e.state.Comments; n++ {
		c, err := store.FindByID[commentDoc](ctx, s.comments, commentKey(reportID, n), errNoState)
		if err == errNoState {
			continue // its number was taken, then the process stopped before it was written
		}
		if err != nil {
			return err
		}
		e.comments = append(e.comments, c)
		e.storedV[c.N] = c.Anchor.V
	}
	e.loaded = true
	return nil
}

func commentKey(reportID string, n int) string { return fmt.Sprintf("%s:%d", reportID, n) }

// save writes the state document. A failed write leaves the entry to be read again.
func (s *Service) save(ctx context.Context, e *entry) error {
	_, err := s.states.ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.state.ID}}, e.state, options.Replace().SetUpsert(true))
	if err != nil {
		e.loaded = false
		return fmt.Errorf("store review of %s: %w", e.state.ID, err)
	}
	e.stored = true
	return nil
}

func (s *Service) saveComment(ctx context.Context, e *entry, c *commentDoc) error {
	_, err := s.comments.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, c)
	if err != nil {
		e.loaded = false
		return fmt.Errorf("store comment %s: %w", c.ID, err)
	}
	e.storedV[c.N] = c.Anchor.V
	return nil
}

// access is what one person may do in one report's review.
type access struct {
	report  reports.Report
	manage  bool // the secretariat and the group's chairs
	edit    bool
	comment bool // may comment while a round is open: members, chairs, drafters, secretariat
}

func (s *Service) accessOf(ctx context.Context, actor accounts.User, reportID string) (access, error) {
	r, err := s.reports.Access(ctx, actor, reportID)
	if err != nil {
		return access{}, err
	}
	a := access{report: r, manage: r.CanManage, edit: r.CanEdit, comment: r.CanManage}
	for _, d := range r.Drafters {
		if d.ID == actor.ID {
			a.comment = true
		}
	}
	if !a.comment {
		role, err := s.rooms.RoleIn(ctx, actor, r.GroupID)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return access{}, err
		}
		a.comment = role == rooms.RoleMember || role == rooms.RoleChair
	}
	return a, nil
}

// begin checks what actor may do with a report (managers only when manage is set) and returns its
// review locked; the caller unlocks it.
func (s *Service) begin(ctx context.Context, actor accounts.User, reportID string, manage bool) (access, *entry, error) {
	check := s.accessOf
	if manage {
		check = s.manager
	}
	a, err := check(ctx, actor, reportID)
	if err != nil {
		return access{}, nil, err
	}
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return access{}, nil, err
	}
	return a, e, nil
}

// beginComment is begin, with comment n.
func (s *Service) beginComment(ctx context.Context, actor accounts.User, reportID string, n int, manage bool) (access, *entry, *commentDoc, error) {
	a, e, err := s.begin(ctx, actor, reportID, manage)
	if err != nil {
		return access{}, nil, nil, err
	}
	c, err := e.find(n)
	if err != nil {
		e.mu.Unlock()
		return access{}, nil, nil, err
	}
	return a, e, c, nil
}

func personOf(u accounts.User) person { return person{ID: u.ID, Name: u.Name} }

// Get returns a report's review. not_found if actor may not read the report.
func (s *Service) Get(ctx context.Context, actor accounts.User, reportID string) (Review, error) {
	a, e, err := s.begin(ctx, actor, reportID, false)
	if err != nil {
		return Review{}, err
	}
	defer e.mu.Unlock()
	return s.view(e, a), nil
}

func (s *Service) view(e *entry, a access) Review {
	d := &e.state
	now := s.now()
	out := Review{ReportID: d.ID, State: d.State, Rounds: []Round{}, Versions: []Version{}, Transitions: []Transition{},
		ServerTime: now, CanManage: a.manage, CanEdit: a.edit}
	for _, r := range d.Rounds {
		out.Rounds = append(out.Rounds, roundView(r))
	}
	if r := d.round(); r != nil {
		rv := roundView(*r)
		out.Round = &rv
		out.CanComment = a.comment && d.State == StateCirculated && now.Before(r.Deadline)
		for _, c := range e.comments {
			if c.Round != r.N {
				continue
			}
			out.Counts.Total++
			if c.Disposition != nil {
				out.Counts.Disposed++
			} else {
				out.Counts.Open++
			}
		}
	}
	for _, v := range d.Versions {
		out.Versions = append(out.Versions, Version(v))
	}
	for _, t := range d.Transitions {
		out.Transitions = append(out.Transitions, Transition(t))
	}
	return out
}

func roundView(r roundDoc) Round {
	return Round{N: r.N, Name: r.Name, V: r.V, Deadline: r.Deadline, Zone: r.Zone, Message: r.Message, OpenedBy: r.OpenedBy,
		OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy, FinalName: r.FinalName, FinalV: r.FinalV,
		PublishedDoc: r.PublishedDoc}
}

// checkName validates a version name and that no version has it yet.
func checkName(d *stateDoc, name string) (string, error) {
	name, err := check.Text("name", name, 1, maxName, false)
	if err != nil {
		return "", err
	}
	for _, v := range d.Versions {
		if strings.EqualFold(v.Name, name) {
			return "", errs.Errorf(errs.Conflict, "name: version %q already exists (version %d)", v.Name, v.V)
		}
	}
	if len(d.Versions) >= maxVersions {
		return "", errs.Errorf(errs.Invalid, "a report keeps at most %d named versions", maxVersions)
	}
	return name, nil
}

// NameVersion names the report's current version. Editors and chairs only.
func (s *Service) NameVersion(ctx context.Context, actor accounts.User, reportID, name string) (Version, error) {
	a, err := s.accessOf(ctx, actor, reportID)
	if err != nil {
		return Version{}, err
	}
	if !a.edit && !a.manage {
		return Version{}, errs.Errorf(errs.Forbidden, "only the report's editors name versions")
	}
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return Version{}, err
	}
	defer e.mu.Unlock()
	if name, err = checkName(&e.state, name); err != nil {
		return Version{}, err
	}
	head, err := s.reports.Head(ctx, reportID)
	if err != nil {
		return Version{}, err
	}
	v := versionDoc{Name: name, V: head, Kind: VersionNamed, By: personOf(actor), At: s.now()}
	e.state.GroupID = a.report.GroupID
	e.state.Versions = append(e.state.Versions, v)
	if err := s.save(ctx, e); err != nil {
		return Version{}, err
	}
	s.changed(reportID)
	return Version(v), nil
}

func (s *Service) changed(reportID string) {
	if s.cfg.Changed != nil {
		s.cfg.Changed(reportID)
	}
}

func (s *Service) notify(ctx context.Context, userIDs []string, n Notice) {
	if s.cfg.Notify == nil || len(userIDs) == 0 {
		return
	}
	// Notifications carry a title and an excerpt, not whole comments (notify bounds both).
	n.Title, n.Body = clip(n.Title, maxNoticeTitle), clip(n.Body, maxNoticeBody)
	s.cfg.Notify(context.WithoutCancel(ctx), userIDs, n)
}

const (
	maxNoticeTitle = 300
	maxNoticeBody  = 2000
)

// clip shortens s to at most n code points, ending with "…" when it was cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// recipients are the people a round goes to: the report's group (members, chairs, observers,
// who all read it) and its drafters, but not except.
func (s *Service) recipients(ctx context.Context, r reports.Report, except string) []string {
	g, err := s.rooms.Group(ctx, system, r.GroupID)
	if err != nil {
		s.log.Warn("review recipients", "report", r.ID, "error", err)
		return nil
	}
	seen := map[string]bool{except: true}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, m := range g.Members {
		add(m.UserID)
	}
	for _, d := range r.Drafters {
		add(d.ID)
	}
	return out
}

// system acts for the service itself (reading groups, closing rounds at their deadline).
var system = accounts.User{ID: "system", Role: accounts.RoleSecretariat}

func reportLink(reportID, tab string) string { return "/reports/" + reportID + "?tab=" + tab }
