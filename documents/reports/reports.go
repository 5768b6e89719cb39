// Package reports holds the Chairman's Report: report records, who may read and edit them, and
// the live co-editing authority that serializes every report's operations (text-unicode ops from
// documents/ot), stores them in a durable log and fans them out to the report's subscribers in
// the ShareDB wire format.
package reports

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/check"
	"plenary/documents/ot"
	"plenary/errs"
	"plenary/id"
	"plenary/rooms"
	"plenary/store"
)

// Collection is the ShareDB collection name of reports; a report's document id is its id.
const Collection = "reports"

const (
	colReports    = "reports"
	colOps        = "report_ops"
	colMilestones = "report_milestones"

	maxTitle    = 200
	maxDrafters = 50
	maxListed   = 5000
	// groupCacheTTL bounds how stale cached group roles may be when the change happened in
	// another process (changes made in this process invalidate the cache at once).
	groupCacheTTL = 10 * time.Second
)

// Collections returns the collections this package uses, for store.Open.
func Collections() []store.Collection {
	return []store.Collection{
		{Name: colReports, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "group_id", Value: 1}}}}},
		{Name: colOps},
		{Name: colMilestones},
		{Name: colHistory},
	}
}

// Config tunes the service. Zero values are sensible defaults.
type Config struct {
	// MilestoneEvery is how many ops apart snapshots are stored. Zero means 100.
	MilestoneEvery int64
	// MaxLength bounds a report's text, in code points. Zero means 1,000,000.
	MaxLength int
	// IdleUnload drops a report from memory when nobody has used or followed it for this long
	// (it is opened again from the store on the next use). Zero means 10 minutes.
	IdleUnload time.Duration
	// Logger receives failures of background work. Nil means slog.Default().
	Logger *slog.Logger
}

// Service manages reports and their live editing.
type Service struct {
	cfg        Config
	log        *slog.Logger
	acc        *accounts.Service
	rooms      *rooms.Service
	reports    *mongo.Collection
	ops        *mongo.Collection
	milestones *mongo.Collection
	history    *mongo.Collection

	mu     sync.Mutex
	docs   map[string]*authority
	groups map[string]groupEntry
	// unloading is set while the goroutine that drops idle authorities runs (while any is loaded).
	unloading bool
}

type groupEntry struct {
	roles   map[string]string
	fetched time.Time
}

// New returns a Service over st, whose collections must include Collections().
func New(st *store.Store, acc *accounts.Service, rs *rooms.Service, cfg Config) *Service {
	if cfg.MilestoneEvery <= 0 {
		cfg.MilestoneEvery = 100
	}
	if cfg.MaxLength <= 0 {
		cfg.MaxLength = 1_000_000
	}
	if cfg.IdleUnload <= 0 {
		cfg.IdleUnload = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{
		cfg: cfg, log: cfg.Logger, acc: acc, rooms: rs,
		reports: st.Collection(colReports), ops: st.Collection(colOps), milestones: st.Collection(colMilestones),
		history: st.Collection(colHistory),
		docs:    map[string]*authority{}, groups: map[string]groupEntry{},
	}
	rs.WatchGroups(s.groupChanged)
	return s
}

type drafterDoc struct {
	UserID string `bson:"user_id"`
	Name   string `bson:"name"`
}

type reportDoc struct {
	ID        string       `bson:"_id"`
	Title     string       `bson:"title"`
	GroupID   string       `bson:"group_id"`
	Drafters  []drafterDoc `bson:"drafters"`
	CreatedBy string       `bson:"created_by"`
	CreatedAt time.Time    `bson:"created_at"`
	// Milestone is a hint: the version of a stored milestone, usually the latest. Opening a
	// report starts there and reads the ops after it by key until one is missing.
	Milestone int64 `bson:"milestone"`
	// Locked is set while the report is final (documents/review): nobody edits it.
	Locked bool `bson:"locked,omitempty"`
}

// Person names an account.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Report is a report as one user sees it.
type Report struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	GroupID    string    `json:"group_id"`
	Drafters   []Person  `json:"drafters"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	Collection string    `json:"collection"`
	Type       string    `json:"type"`
	// CanEdit tells whether the viewer may submit ops; CanManage whether they may name drafters.
	CanEdit   bool `json:"can_edit"`
	CanManage bool `json:"can_manage"`
	// Locked tells that the report is final and nobody may edit it.
	Locked bool `json:"locked"`
}

func (r *reportDoc) view(u accounts.User, rt rights) Report {
	ds := make([]Person, 0, len(r.Drafters))
	for _, d := range r.Drafters {
		ds = append(ds, Person{ID: d.UserID, Name: d.Name})
	}
	return Report{ID: r.ID, Title: r.Title, GroupID: r.GroupID, Drafters: ds, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, Collection: Collection, Type: ot.URI, CanEdit: rt.edit, CanManage: rt.manage, Locked: r.Locked}
}

// rights are what one user may do with one report.
type rights struct{ read, edit, manage bool }

// rightsOf decides: the secretariat and the group's chairs edit and name drafters; named
// drafters edit; the group's members and observers read; nobody else sees the report. Nobody
// edits a locked report.
func (s *Service) rightsOf(ctx context.Context, u accounts.User, r *reportDoc) (rights, error) {
	rt, err := s.rolesOf(ctx, u, r)
	rt.edit = rt.edit && !r.Locked
	return rt, err
}

func (s *Service) rolesOf(ctx context.Context, u accounts.User, r *reportDoc) (rights, error) {
	if u.IsSecretariat() {
		return rights{true, true, true}, nil
	}
	roles, err := s.groupRoles(ctx, r.GroupID)
	if err != nil {
		return rights{}, err
	}
	switch roles[u.ID] {
	case rooms.RoleChair:
		return rights{true, true, true}, nil
	}
	for _, d := range r.Drafters {
		if d.UserID == u.ID {
			return rights{read: true, edit: true}, nil
		}
	}
	switch roles[u.ID] {
	case rooms.RoleMember, rooms.RoleObserver:
		return rights{read: true}, nil
	}
	return rights{}, nil
}

// system reads groups on the service's own behalf, for access decisions.
var system = accounts.User{ID: "system", Role: accounts.RoleSecretariat}

// groupRoles returns user id → role in a group, cached: every op is authorized, and a group read
// per op would double the store work of typing.
func (s *Service) groupRoles(ctx context.Context, groupID string) (map[string]string, error) {
	s.mu.Lock()
	e, ok := s.groups[groupID]
	s.mu.Unlock()
	if ok && time.Since(e.fetched) < groupCacheTTL {
		return e.roles, nil
	}
	g, err := s.rooms.Group(ctx, system, groupID)
	if errs.CodeOf(err) == errs.NotFound {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	roles := make(map[string]string, len(g.Members))
	for _, m := range g.Members {
		roles[m.UserID] = m.Role
	}
	s.mu.Lock()
	s.groups[groupID] = groupEntry{roles: roles, fetched: time.Now()}
	s.mu.Unlock()
	return roles, nil
}

// groupChanged forgets a group's cached roles and re-checks everyone following its reports.
func (s *Service) groupChanged(groupID string) {
	s.mu.Lock()
	delete(s.groups, groupID)
	var affected []*authority
	for _, a := range s.docs {
		if a.groupID() == groupID {
			affected = append(affected, a)
		}
	}
	s.mu.Unlock()
	// Re-checking reads the group again; the observer must not block the group change.
	go func() {
		for _, a := range affected {
			a.recheck()
		}
	}()
}

var errNotFound = errs.Errorf(errs.NotFound, "report not found")

func (s *Service) loadReport(ctx context.Context, reportID string) (*reportDoc, error) {
	if check.ID("report_id", reportID) != nil {
		return nil, errNotFound
	}
	return store.FindByID[reportDoc](ctx, s.reports, reportID, errNotFound)
}

// CreateInput creates a report.
type CreateInput struct {
	Title   string
	GroupID string
}

// Create makes a report in a group, with an empty text-unicode document at version 1 (op 0 is
// its creation). Returns not_found for a group actor may not see, forbidden unless actor is the
// secretariat or a chair of the group, invalid for a bad title.
func (s *Service) Create(ctx context.Context, actor accounts.User, in CreateInput) (Report, error) {
	role, err := s.rooms.RoleIn(ctx, actor, in.GroupID)
	if err != nil {
		return Report{}, err
	}
	if !actor.IsSecretariat() && role != rooms.RoleChair {
		return Report{}, errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs create reports")
	}
	title, err := check.Text("title", in.Title, 1, maxTitle, false)
	if err != nil {
		return Report{}, err
	}
	now := time.Now().UTC()
	r := &reportDoc{ID: id.New(), Title: title, GroupID: in.GroupID, Drafters: []drafterDoc{}, CreatedBy: actor.ID,
		CreatedAt: now, Milestone: 1}
	// The creation op and the first milestone go first and the report record last: the record
	// is what makes the report exist, so a crash in between leaves only unreachable leftovers.
	create := &storedOp{V: 0, Src: "server", User: actor.ID, TS: now.UnixMilli(), Create: true}
	if _, err := s.ops.InsertOne(ctx, create.doc(r.ID)); err != nil {
		return Report{}, fmt.Errorf("create report: %w", err)
	}
	m := milestoneDoc{ID: key(r.ID, 1), Report: r.ID, V: 1, Text: "", TS: now.UnixMilli(), Seen: []seenDoc{}}
	if _, err := s.milestones.InsertOne(ctx, m); err != nil {
		return Report{}, fmt.Errorf("create report: %w", err)
	}
	if _, err := s.reports.InsertOne(ctx, r); err != nil {
		return Report{}, fmt.Errorf("create report: %w", err)
	}
	return r.view(actor, rights{true, true, true}), nil
}

// Get returns a report. Returns not_found if it does not exist or actor may not read it.
func (s *Service) Get(ctx context.Context, actor accounts.User, reportID string) (Report, error) {
	r, err := s.loadReport(ctx, reportID)
	if err != nil {
		return Report{}, err
	}
	rt, err := s.rightsOf(ctx, actor, r)
	if err != nil {
		return Report{}, err
	}
	if !rt.read {
		return Report{}, errNotFound
	}
	return r.view(actor, rt), nil
}

// List returns the reports of a group that actor may read, newest first. Returns not_found for
// a group actor may not see.
func (s *Service) List(ctx context.Context, actor accounts.User, groupID string) ([]Report, error) {
	if _, err := s.rooms.RoleIn(ctx, actor, groupID); err != nil {
		return nil, err
	}
	// A filtered read: a scan of the reports collection on the embedded store. Report records
	// are small (the text lives in milestones and ops) and few, and this is a page load, not
	// the editing path.
	cur, err := s.reports.Find(ctx, bson.D{{Key: "group_id", Value: groupID}}, options.Find().SetLimit(maxListed))
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	var docs []reportDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	out := []Report{}
	for i := range docs {
		rt, err := s.rightsOf(ctx, actor, &docs[i])
		if err != nil {
			return nil, err
		}
		if rt.read {
			out = append(out, docs[i].view(actor, rt))
		}
	}
	slices.SortFunc(out, func(a, b Report) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// SetDrafters replaces the report's named drafters (people who edit besides the secretariat and
// the group's chairs). Returns not_found if actor may not read the report, forbidden unless
// actor is the secretariat or a chair of the group, invalid for an unknown account or too many.
func (s *Service) SetDrafters(ctx context.Context, actor accounts.User, reportID string, userIDs []string) (Report, error) {
	r, err := s.loadReport(ctx, reportID)
	if err != nil {
		return Report{}, err
	}
	rt, err := s.rightsOf(ctx, actor, r)
	if err != nil {
		return Report{}, err
	}
	if !rt.read {
		return Report{}, errNotFound
	}
	if !rt.manage {
		return Report{}, errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs name drafters")
	}
	if len(userIDs) > maxDrafters {
		return Report{}, errs.Errorf(errs.Invalid, "user_ids: at most %d drafters", maxDrafters)
	}
	ds := []drafterDoc{}
	seen := map[string]bool{}
	for _, uid := range userIDs {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		u, err := s.acc.User(ctx, uid)
		if errs.CodeOf(err) == errs.NotFound {
			return Report{}, errs.Errorf(errs.Invalid, "user_ids: no account %q", uid)
		}
		if err != nil {
			return Report{}, err
		}
		ds = append(ds, drafterDoc{UserID: u.ID, Name: u.Name})
	}
	// $set of one field by _id: it cannot clobber the milestone hint the authority maintains.
	_, err = s.reports.UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "drafters", Value: ds}}}})
	if err != nil {
		return Report{}, fmt.Errorf("set drafters of %s: %w", r.ID, err)
	}
	r.Drafters = ds
	s.mu.Lock()
	a := s.docs[r.ID]
	s.mu.Unlock()
	if a != nil {
		a.setDrafters(ds)
		go a.recheck()
	}
	return r.view(actor, rt), nil
}
