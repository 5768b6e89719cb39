package meetings

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
	"plenary/rooms"
	"plenary/store"
)

const (
	colMeetings       = "meetings"
	colAgendaVersions = "agenda_versions"
	colCalendarKeys   = "calendar_keys"
	colMeetingLive    = "meeting_live"
)

// Collections returns the collections this package uses, for store.Open.
func Collections() []store.Collection {
	return []store.Collection{
		{Name: colMeetings, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "start_date", Value: 1}}}}},
		{Name: colAgendaVersions},
		{Name: colCalendarKeys},
		{Name: colMeetingLive},
	}
}

// staleMessage is the answer to an edit based on an old version.
const staleMessage = "Someone else changed this meeting since you loaded it. Reload to see their changes, then make yours again."

// Groups is what meetings need of the groups: an organizing group's name and visibility, and
// whether a viewer may see a private one.
type Groups interface {
	Group(ctx context.Context, actor accounts.User, groupID string) (rooms.Group, error)
	RoleIn(ctx context.Context, actor accounts.User, groupID string) (string, error)
}

// Service manages meetings and their agendas.
type Service struct {
	// mu serializes meeting changes in this process. On the embedded store (single process) it is
	// the whole concurrency control; on MongoDB the version filter also arbitrates between
	// processes.
	mu       sync.Mutex
	embedded bool
	accounts *accounts.Service
	groups   Groups
	rooms    *rooms.Discussion
	meetings *mongo.Collection
	versions *mongo.Collection
	calKeys  *mongo.Collection
	live     *mongo.Collection
	// cache holds decoded meetings on the embedded store (nil on MongoDB); see meetingCache.
	cache *meetingCache
	// watch holds the event streams of readers without a websocket (see Watch).
	watch watchers
	now   func() time.Time
}

// New returns a Service over st, whose collections must include Collections(). discussion may be
// nil (no meeting rooms, no live announcements).
func New(st *store.Store, acc *accounts.Service, groups Groups, discussion *rooms.Discussion) *Service {
	s := &Service{
		embedded: st.Kind() == store.KindEmbedded,
		accounts: acc, groups: groups, rooms: discussion,
		meetings: st.Collection(colMeetings),
		versions: st.Collection(colAgendaVersions),
		calKeys:  st.Collection(colCalendarKeys),
		live:     st.Collection(colMeetingLive),
		now:      func() time.Time { return time.Now().UTC() },
	}
	if s.embedded {
		s.cache = newMeetingCache()
	}
	if discussion != nil {
		discussion.RegisterRoomKind("meeting", s.roomAccess)
	}
	return s
}

// RoomName is the discussion room of a meeting.
func RoomName(meetingID string) string { return "meeting:" + meetingID }

// ---- reading ----

// load reads a meeting. The result may be shared with other readers: callers that change it work
// on a clone.
func (s *Service) load(ctx context.Context, meetingID string) (*meetingDoc, error) {
	if check.ID("meeting_id", meetingID) != nil {
		return nil, errs.Errorf(errs.NotFound, "meeting not found")
	}
	if m := s.cache.get(meetingID); m != nil {
		return m, nil
	}
	var m meetingDoc
	err := s.meetings.FindOne(ctx, bson.D{{Key: "_id", Value: meetingID}}).Decode(&m)
	if err == mongo.ErrNoDocuments {
		return nil, errs.Errorf(errs.NotFound, "meeting not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load meeting %s: %w", meetingID, err)
	}
	var live liveDoc
	err = s.live.FindOne(ctx, bson.D{{Key: "_id", Value: meetingID}}).Decode(&live)
	if err != nil && err != mongo.ErrNoDocuments {
		return nil, fmt.Errorf("load live state of %s: %w", meetingID, err)
	}
	m.Live, m.LiveSeq = live.Live, live.Seq
	s.cache.put(&m)
	return &m, nil
}

// saveLive stores a meeting's live state.
func (s *Service) saveLive(ctx context.Context, m *meetingDoc) error {
	doc := liveDoc{ID: m.ID, Live: m.Live, Seq: m.LiveSeq}
	_, err := s.live.ReplaceOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		s.cache.drop(m.ID)
		return fmt.Errorf("store live state of %s: %w", m.ID, err)
	}
	return nil
}

// loadFor reads a meeting actor may read; others get not_found, so its existence does not leak.
func (s *Service) loadFor(ctx context.Context, actor accounts.User, meetingID string) (*meetingDoc, error) {
	m, err := s.load(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if !m.canRead(actor) {
		return nil, errs.Errorf(errs.NotFound, "meeting not found")
	}
	return m, nil
}

// Get returns a meeting as actor sees it. The zero User is an anonymous reader.
func (s *Service) Get(ctx context.Context, actor accounts.User, meetingID string) (View, error) {
	m, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return View{}, err
	}
	return s.viewFor(ctx, actor, m)
}

// List returns the meetings actor may read, by start date.
func (s *Service) List(ctx context.Context, actor accounts.User) ([]Summary, error) {
	docs, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	out := []Summary{}
	for _, m := range docs {
		if m.canRead(actor) {
			out = append(out, Summary{ID: m.ID, Title: m.Title, Forum: m.Forum, StartDate: m.StartDate, EndDate: m.EndDate,
				TimeZone: m.TimeZone, Venue: m.Venue, Status: m.Status, Visibility: m.Visibility, MyRole: m.roleOf(actor.ID)})
		}
	}
	slices.SortStableFunc(out, func(a, b Summary) int { return strings.Compare(a.StartDate, b.StartDate) })
	return out, nil
}

// all reads every meeting. Lists and personal calendars need them; they are bounded by
// maxMeetings and are not on a hot path.
func (s *Service) all(ctx context.Context) ([]*meetingDoc, error) {
	if docs, ok := s.cache.everything(); ok {
		return docs, nil
	}
	cur, err := s.meetings.Find(ctx, bson.D{}, options.Find().SetLimit(maxMeetings))
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	var docs []*meetingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	// Live states are one small document per meeting that has run live.
	cur, err = s.live.Find(ctx, bson.D{}, options.Find().SetLimit(maxMeetings))
	if err != nil {
		return nil, fmt.Errorf("list live states: %w", err)
	}
	var lives []liveDoc
	if err := cur.All(ctx, &lives); err != nil {
		return nil, fmt.Errorf("list live states: %w", err)
	}
	byID := make(map[string]liveDoc, len(lives))
	for _, l := range lives {
		byID[l.ID] = l
	}
	for _, m := range docs {
		m.Live, m.LiveSeq = byID[m.ID].Live, byID[m.ID].Seq
	}
	s.cache.fill(docs)
	return docs, nil
}

func (m *meetingDoc) view(u accounts.User) View {
	v := View{
		ID: m.ID, Title: m.Title, Forum: m.Forum, StartDate: m.StartDate, EndDate: m.EndDate, TimeZone: m.TimeZone,
		Venue: m.Venue, RemoteURL: m.RemoteURL, RemoteInstructions: m.RemoteInstructions, Description: m.Description,
		Status: m.Status, Visibility: m.Visibility, Groups: nonNil(m.Groups),
		Participants: []ParticipantEntry{}, Attendance: []AttendanceDay{},
		Published: nonNil(m.Published), Live: m.Live, LiveSeq: m.LiveSeq, Version: m.Version,
		MyRole: m.roleOf(u.ID), Room: RoomName(m.ID), UpdatedAt: m.UpdatedAt,
		Can: Permissions{EditSessions: []string{}, LiveSessions: []string{}},
	}
	if u.ID != "" {
		v.Participants = nonNil(m.Participants)
		v.Attendance = nonNil(m.Attendance)
	} else if m.Live != nil {
		// Who moved the meeting on is for signed-in readers, like the participants list.
		live := *m.Live
		live.By, live.ByName = "", ""
		v.Live = &live
	}
	switch {
	case m.seesDraft(u):
		agenda := m.Agenda
		v.Agenda, v.AgendaShown, v.AgendaNumber = &agenda, "draft", len(m.Published)
		v.DraftChanged = m.PublishedAgenda == nil || !reflect.DeepEqual(m.Agenda, *m.PublishedAgenda)
	case m.PublishedAgenda != nil:
		v.Agenda, v.AgendaShown, v.AgendaNumber = m.PublishedAgenda, "published", len(m.Published)
	default:
		v.AgendaShown = "none"
	}
	v.Can.EditMeeting = u.IsSecretariat()
	for i := range m.Agenda.Sessions {
		sess := &m.Agenda.Sessions[i]
		if m.canEditSession(u, sess) {
			v.Can.EditSessions = append(v.Can.EditSessions, sess.ID)
		}
		if m.canRunLive(u, sess) {
			v.Can.LiveSessions = append(v.Can.LiveSessions, sess.ID)
		}
	}
	v.Can.Post = u.ID != "" && meetingAccess{m}.CanPost(u)
	return v
}

// viewFor is m as actor sees it, its organizing groups narrowed to those actor may see: a public
// group's name is for everyone, a private group is for its members and the secretariat.
func (s *Service) viewFor(ctx context.Context, actor accounts.User, m *meetingDoc) (View, error) {
	v := m.view(actor)
	v.ServerTime = s.now()
	if len(v.Groups) == 0 || actor.IsSecretariat() {
		return v, nil
	}
	shown := make([]GroupRef, 0, len(v.Groups))
	for _, g := range v.Groups {
		if g.Visibility != rooms.Public {
			if actor.ID == "" {
				continue
			}
			if _, err := s.groups.RoleIn(ctx, actor, g.ID); err != nil {
				if errs.CodeOf(err) == errs.NotFound {
					continue
				}
				return View{}, err
			}
		}
		shown = append(shown, g)
	}
	v.Groups = shown
	return v, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---- writing ----

// modify applies change to a meeting actor may read and stores it, bumping its version.
//
// base is the version an edit of the meeting or its agenda was based on: it is refused (conflict)
// when someone edited the meeting or its agenda after that version. Changes that are not edits
// (participants, attendance, the status moving when live mode starts) bump the version too, so
// that views reload, but do not make an editor's base stale: they cannot overwrite the edit.
// base < 0 marks such a change.
func (s *Service) modify(ctx context.Context, actor accounts.User, meetingID string, base int64, change func(*meetingDoc) error) (View, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	shared, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return View{}, err
	}
	if base >= 0 && (base < shared.Edited || base > shared.Version) {
		return View{}, errs.Errorf(errs.Conflict, staleMessage)
	}
	m := shared.clone()
	if err := change(m); err != nil {
		return View{}, err
	}
	if !reflect.DeepEqual(m.Live, shared.Live) {
		// The agenda change moved or ended the current item.
		if m.LiveSeq == shared.LiveSeq {
			m.LiveSeq++
		}
		if err := s.saveLive(ctx, m); err != nil {
			return View{}, err
		}
	}
	if err := s.store(ctx, m, base >= 0); err != nil {
		return View{}, err
	}
	return s.viewFor(ctx, actor, m)
}

// store writes a changed meeting conditionally on the version it was read at, then tells the
// meeting's room. edit marks an edit of the meeting or its agenda (see modify).
func (s *Service) store(ctx context.Context, m *meetingDoc, edit bool) error {
	read := m.Version
	m.Version++
	if edit {
		m.Edited = m.Version
	}
	m.UpdatedAt = s.now()
	res, err := s.meetings.ReplaceOne(ctx, s.versionFilter(m.ID, read), m)
	if err != nil {
		s.cache.drop(m.ID)
		return fmt.Errorf("update meeting %s: %w", m.ID, err)
	}
	if res.MatchedCount != 1 {
		return errs.Errorf(errs.Conflict, staleMessage)
	}
	s.cache.put(m.clone())
	s.announce(m)
	return nil
}

// versionFilter selects a meeting at a version: by _id and version on MongoDB, by _id alone on the
// embedded store, where mu already excludes concurrent writers and any other filter would scan.
func (s *Service) versionFilter(meetingID string, version int64) bson.D {
	if s.embedded {
		return bson.D{{Key: "_id", Value: meetingID}}
	}
	return bson.D{{Key: "_id", Value: meetingID}, {Key: "version", Value: version}}
}

// meetingEnvelope tells a meeting's room that it changed; views reload when version grows and
// apply live directly. It carries no agenda, because drafts are for editors only.
type meetingEnvelope struct {
	Type    string `json:"type"`
	Room    string `json:"room"`
	Version int64  `json:"version"`
	LiveSeq int64  `json:"live_seq"`
	Live    *Live  `json:"live"`
}

func (s *Service) announce(m *meetingDoc) {
	s.notifyWatchers(m)
	if s.rooms == nil {
		return
	}
	room := RoomName(m.ID)
	s.rooms.AccessChanged(room, meetingAccess{m})
	s.rooms.Announce(room, meetingEnvelope{Type: "meeting", Room: room, Version: m.Version, LiveSeq: m.LiveSeq, Live: m.Live})
}

// Create adds a meeting. Only the secretariat creates meetings.
func (s *Service) Create(ctx context.Context, actor accounts.User, in MeetingInput) (View, error) {
	return s.create(ctx, actor, in, nil)
}

// CreateWithAgenda adds a meeting with a whole agenda at once (demo data, imports). Ids of
// sessions and items are assigned here; the agenda is validated like any edit.
func (s *Service) CreateWithAgenda(ctx context.Context, actor accounts.User, in MeetingInput, agenda Agenda) (View, error) {
	return s.create(ctx, actor, in, &agenda)
}

func (s *Service) create(ctx context.Context, actor accounts.User, in MeetingInput, agenda *Agenda) (View, error) {
	if !actor.IsSecretariat() {
		return View{}, errs.Errorf(errs.Forbidden, "only the secretariat can create meetings")
	}
	for field, v := range map[string]*string{"title": in.Title, "start_date": in.StartDate, "end_date": in.EndDate,
		"time_zone": in.TimeZone, "visibility": in.Visibility} {
		if v == nil {
			return View{}, errs.Errorf(errs.Invalid, "%s: is required", field)
		}
	}
	if in.Status == nil {
		in.Status = ptr(StatusPlanned)
	}
	now := s.now()
	m := &meetingDoc{ID: id.New(), Status: StatusPlanned, Groups: []GroupRef{}, Participants: []ParticipantEntry{},
		Attendance: []AttendanceDay{}, Agenda: Agenda{Sessions: []Session{}}, Published: []PublishedVersion{},
		Version: 1, Revision: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.applyMeetingInput(ctx, actor, m, in, true); err != nil {
		return View{}, err
	}
	if agenda != nil {
		for _, sess := range agenda.Sessions {
			if len(m.Agenda.Sessions) >= maxSessions {
				return View{}, errs.Errorf(errs.Invalid, "agenda: at most %d sessions", maxSessions)
			}
			ns, err := s.newSession(ctx, m, sessionInputOf(sess))
			if err != nil {
				return View{}, fmt.Errorf("session %q: %w", sess.Title, err)
			}
			for _, it := range sess.Items {
				if len(ns.Items) >= maxItemsPerSess {
					return View{}, errs.Errorf(errs.Invalid, "items: at most %d per session", maxItemsPerSess)
				}
				item := Item{ID: id.New(), Kind: KindItem, Speakers: []Person{}, Contributions: []string{}}
				if err := s.applyItemInput(ctx, &item, itemInputOf(it), true); err != nil {
					return View{}, fmt.Errorf("item %q: %w", it.Title, err)
				}
				ns.Items = append(ns.Items, item)
			}
			m.Agenda.Sessions = append(m.Agenda.Sessions, ns)
		}
		if len(m.Agenda.Sessions) > 0 && m.Status == StatusPlanned {
			m.Status = StatusAgendaDraft
		}
	}
	if _, err := s.meetings.InsertOne(ctx, m); err != nil {
		return View{}, fmt.Errorf("insert meeting: %w", err)
	}
	s.cache.put(m.clone())
	return s.viewFor(ctx, actor, m)
}

func sessionInputOf(s Session) SessionInput {
	return SessionInput{Title: &s.Title, Chairs: &s.Chairs, Start: &s.Start, End: &s.End, Description: &s.Description, ArchiveURL: &s.ArchiveURL}
}

func itemInputOf(it Item) ItemInput {
	return ItemInput{Kind: &it.Kind, Title: &it.Title, Speakers: &it.Speakers, Duration: &it.Duration, Contributions: &it.Contributions, Notes: &it.Notes}
}

func ptr[T any](v T) *T { return &v }

// Update changes meeting fields (the secretariat's).
func (s *Service) Update(ctx context.Context, actor accounts.User, meetingID string, base int64, in MeetingInput) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		if !actor.IsSecretariat() {
			return errs.Errorf(errs.Forbidden, "only the secretariat can change the meeting's details")
		}
		return s.applyMeetingInput(ctx, actor, m, in, false)
	})
}

// ---- participants and attendance ----

// ParticipantInput names a person by account id or e-mail address, and their role.
type ParticipantInput struct {
	UserID, Email, Role string
}

// AddParticipant adds a person to a meeting (the secretariat).
func (s *Service) AddParticipant(ctx context.Context, actor accounts.User, meetingID string, in ParticipantInput) (View, error) {
	if err := checkRole(in.Role); err != nil {
		return View{}, err
	}
	if !actor.IsSecretariat() {
		if _, err := s.loadFor(ctx, actor, meetingID); err != nil {
			return View{}, err
		}
		return View{}, errs.Errorf(errs.Forbidden, "only the secretariat can change the participants")
	}
	person, err := s.findPerson(ctx, in.UserID, in.Email)
	if err != nil {
		return View{}, err
	}
	return s.modify(ctx, actor, meetingID, -1, func(m *meetingDoc) error {
		if m.participant(person.ID) != nil {
			return errs.Errorf(errs.Conflict, "%s already takes part in this meeting", person.Name)
		}
		if len(m.Participants) >= maxParticipants {
			return errs.Errorf(errs.Conflict, "the meeting has reached %d participants", maxParticipants)
		}
		m.Participants = append(m.Participants, ParticipantEntry{UserID: person.ID, Name: person.Name, Role: in.Role})
		slices.SortStableFunc(m.Participants, func(a, b ParticipantEntry) int {
			return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
		return nil
	})
}

// SetParticipantRole changes a participant's role (the secretariat).
func (s *Service) SetParticipantRole(ctx context.Context, actor accounts.User, meetingID, userID, role string) (View, error) {
	if err := checkRole(role); err != nil {
		return View{}, err
	}
	return s.modify(ctx, actor, meetingID, -1, func(m *meetingDoc) error {
		if !actor.IsSecretariat() {
			return errs.Errorf(errs.Forbidden, "only the secretariat can change the participants")
		}
		p := m.participant(userID)
		if p == nil {
			return errs.Errorf(errs.NotFound, "no such participant")
		}
		p.Role = role
		return nil
	})
}

// RemoveParticipant takes a person off a meeting (the secretariat). Their open connections to the
// meeting's room are cut off when they may no longer read it.
func (s *Service) RemoveParticipant(ctx context.Context, actor accounts.User, meetingID, userID string) (View, error) {
	return s.modify(ctx, actor, meetingID, -1, func(m *meetingDoc) error {
		if !actor.IsSecretariat() {
			return errs.Errorf(errs.Forbidden, "only the secretariat can change the participants")
		}
		i := slices.IndexFunc(m.Participants, func(p ParticipantEntry) bool { return p.UserID == userID })
		if i < 0 {
			return errs.Errorf(errs.NotFound, "no such participant")
		}
		m.Participants = slices.Delete(m.Participants, i, i+1)
		return nil
	})
}

// SetAttendance records who was present on one day of the meeting (the secretariat). present
// must list participants.
func (s *Service) SetAttendance(ctx context.Context, actor accounts.User, meetingID, date string, present []string) (View, error) {
	if len(present) > maxParticipants {
		return View{}, errs.Errorf(errs.Invalid, "present: at most %d people", maxParticipants)
	}
	return s.modify(ctx, actor, meetingID, -1, func(m *meetingDoc) error {
		if !actor.IsSecretariat() {
			return errs.Errorf(errs.Forbidden, "only the secretariat records attendance")
		}
		if !slices.Contains(m.days(), date) {
			return errs.Errorf(errs.Invalid, "date: must be a day of the meeting (%s to %s)", m.StartDate, m.EndDate)
		}
		seen := map[string]bool{}
		ids := []string{}
		for _, uid := range present {
			if m.participant(uid) == nil {
				return errs.Errorf(errs.Invalid, "present: %q is not a participant", uid)
			}
			if !seen[uid] {
				seen[uid] = true
				ids = append(ids, uid)
			}
		}
		i := slices.IndexFunc(m.Attendance, func(d AttendanceDay) bool { return d.Date == date })
		if i < 0 {
			m.Attendance = append(m.Attendance, AttendanceDay{Date: date, Present: ids})
			slices.SortFunc(m.Attendance, func(a, b AttendanceDay) int { return strings.Compare(a.Date, b.Date) })
		} else {
			m.Attendance[i].Present = ids
		}
		return nil
	})
}

// days lists the meeting's local dates.
func (m *meetingDoc) days() []string {
	from, err1 := time.Parse(dateLayout, m.StartDate)
	to, err2 := time.Parse(dateLayout, m.EndDate)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for d := from; !d.After(to) && len(out) <= maxMeetingDays; d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(dateLayout))
	}
	return out
}

func checkRole(role string) error {
	return check.OneOf("role", role, RoleChair, RoleParticipant, RoleObserver)
}

func (s *Service) findPerson(ctx context.Context, userID, email string) (accounts.User, error) {
	switch {
	case userID != "" && email != "":
		return accounts.User{}, errs.Errorf(errs.Invalid, "give either user_id or email, not both")
	case userID != "":
		if check.ID("user_id", userID) != nil {
			return accounts.User{}, errs.Errorf(errs.NotFound, "no such account")
		}
		return s.accounts.User(ctx, userID)
	case email != "":
		addr, err := check.Email("email", email)
		if err != nil {
			return accounts.User{}, err
		}
		return s.accounts.UserByEmail(ctx, addr)
	}
	return accounts.User{}, errs.Errorf(errs.Invalid, "user_id or email: is required")
}

// ---- room access ----

// meetingAccess gives a meeting's rules to its discussion room: signed-in readers of the meeting
// read, participants (not observers) and session chairs post, the secretariat and the meeting's
// chairs moderate.
type meetingAccess struct{ m *meetingDoc }

func (a meetingAccess) CanRead(u accounts.User) bool { return u.ID != "" && a.m.canRead(u) }

func (a meetingAccess) CanPost(u accounts.User) bool {
	if u.IsSecretariat() || a.m.chairsAnySession(u.ID) {
		return true
	}
	role := a.m.roleOf(u.ID)
	return role == RoleChair || role == RoleParticipant
}

func (a meetingAccess) CanModerate(u accounts.User) bool {
	return u.IsSecretariat() || a.m.roleOf(u.ID) == RoleChair
}

func (a meetingAccess) Members() map[string]string {
	out := make(map[string]string, len(a.m.Participants))
	for _, p := range a.m.Participants {
		out[p.UserID] = p.Name
	}
	for _, sess := range a.m.Agenda.Sessions {
		for _, c := range sess.Chairs {
			if c.UserID != "" {
				out[c.UserID] = c.Name
			}
		}
	}
	return out
}

func (s *Service) roomAccess(ctx context.Context, meetingID string) (rooms.RoomAccess, error) {
	m, err := s.load(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return meetingAccess{m}, nil
}
