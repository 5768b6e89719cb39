package rooms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
)

// Group visibility.
const (
	Public  = "public"
	Private = "private"
)

// Group roles.
const (
	RoleChair    = "chair"
	RoleMember   = "member"
	RoleObserver = "observer"
)

// Bounds. Members are embedded in their group (STORAGE.md rule 2), so a group has a ceiling;
// groups are working groups of a process, a few dozen to a few hundred.
const (
	MaxMembers   = 1000
	maxGroups    = 2000
	maxRetries   = 8
	maxDescLen   = 4000
	maxGroupName = 200
)

// GroupSummary is a group as it appears in lists.
type GroupSummary struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	FocusArea     string `json:"focus_area"`
	FocusAreaName string `json:"focus_area_name"`
	Description   string `json:"description"`
	Visibility    string `json:"visibility"`
	MemberCount   int    `json:"member_count"`
	// MyRole is the acting user's role in the group, or "".
	MyRole string `json:"my_role"`
}

// Member is a person in a group. Email is shown only to those who manage the group.
type Member struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
}

// Group is a group with its members, as seen by one user.
type Group struct {
	GroupSummary
	Members []Member `json:"members"`
	// CanManage tells whether the acting user may change membership.
	CanManage bool `json:"can_manage"`
}

type memberDoc struct {
	UserID  string    `bson:"user_id"`
	Name    string    `bson:"name"`
	Email   string    `bson:"email"`
	Role    string    `bson:"role"`
	AddedAt time.Time `bson:"added_at"`
}

type groupDoc struct {
	ID          string      `bson:"_id"`
	Name        string      `bson:"name"`
	FocusArea   string      `bson:"focus_area"`
	Description string      `bson:"description"`
	Visibility  string      `bson:"visibility"`
	Members     []memberDoc `bson:"members"`
	// Version increases with every change; updates are conditional on it so that concurrent
	// membership changes never overwrite each other.
	Version   int64     `bson:"version"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func (g *groupDoc) roleOf(userID string) string {
	for _, m := range g.Members {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

func (g *groupDoc) canSee(u accounts.User) bool {
	return u.IsSecretariat() || g.Visibility == Public || g.roleOf(u.ID) != ""
}

func (g *groupDoc) canManage(u accounts.User) bool {
	return u.IsSecretariat() || g.roleOf(u.ID) == RoleChair
}

func (g *groupDoc) summary(u accounts.User, focusAreaName string) GroupSummary {
	return GroupSummary{
		ID: g.ID, Name: g.Name, FocusArea: g.FocusArea, FocusAreaName: focusAreaName,
		Description: g.Description, Visibility: g.Visibility, MemberCount: len(g.Members), MyRole: g.roleOf(u.ID),
	}
}

func (g *groupDoc) view(u accounts.User, focusAreaName string) Group {
	manage := g.canManage(u)
	members := make([]Member, 0, len(g.Members))
	for _, m := range g.Members {
		email := ""
		if manage {
			email = m.Email
		}
		members = append(members, Member{UserID: m.UserID, Name: m.Name, Email: email, Role: m.Role})
	}
	slices.SortStableFunc(members, func(a, b Member) int {
		if ra, rb := roleRank(a.Role), roleRank(b.Role); ra != rb {
			return ra - rb
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return Group{GroupSummary: g.summary(u, focusAreaName), Members: members, CanManage: manage}
}

func roleRank(role string) int {
	switch role {
	case RoleChair:
		return 0
	case RoleMember:
		return 1
	default:
		return 2
	}
}

// GroupInput creates a group; in an update, nil fields stay as they are.
type GroupInput struct {
	Name, FocusArea, Description, Visibility *string
}

// Groups lists the groups actor may see, by name: every group for the secretariat, otherwise the
// public groups and the private groups actor belongs to.
func (s *Service) Groups(ctx context.Context, actor accounts.User) ([]GroupSummary, error) {
	// Reads the whole groups collection (bounded by maxGroups). Visibility depends on each
	// group's embedded member list, so there is no narrower read by _id.
	cur, err := s.groups.Find(ctx, bson.D{}, options.Find().SetLimit(maxGroups))
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	var docs []groupDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	names, err := s.focusAreaNames(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]GroupSummary, 0, len(docs))
	for i := range docs {
		if docs[i].canSee(actor) {
			out = append(out, docs[i].summary(actor, names[docs[i].FocusArea]))
		}
	}
	sortByName(out, func(g GroupSummary) string { return g.Name })
	return out, nil
}

func (s *Service) focusAreaNames(ctx context.Context, actor accounts.User) (map[string]string, error) {
	areas, err := s.FocusAreas(ctx, actor)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(areas))
	for _, a := range areas {
		names[a.ID] = a.Name
	}
	return names, nil
}

// loadGroup reads a group that actor may see. Returns not_found for an unknown group and also for
// a private group actor may not see, so that its existence does not leak.
func (s *Service) loadGroup(ctx context.Context, actor accounts.User, groupID string) (*groupDoc, error) {
	if err := check.ID("group_id", groupID); err != nil {
		return nil, errs.Errorf(errs.NotFound, "group not found")
	}
	var g groupDoc
	err := s.groups.FindOne(ctx, bson.D{{Key: "_id", Value: groupID}}).Decode(&g)
	if err == mongo.ErrNoDocuments {
		return nil, errs.Errorf(errs.NotFound, "group not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load group %s: %w", groupID, err)
	}
	if !g.canSee(actor) {
		return nil, errs.Errorf(errs.NotFound, "group not found")
	}
	return &g, nil
}

// Group returns a group with its members. Returns not_found if it does not exist or actor may not
// see it.
func (s *Service) Group(ctx context.Context, actor accounts.User, groupID string) (Group, error) {
	g, err := s.loadGroup(ctx, actor, groupID)
	if err != nil {
		return Group{}, err
	}
	return s.groupView(ctx, actor, g)
}

func (s *Service) groupView(ctx context.Context, actor accounts.User, g *groupDoc) (Group, error) {
	f, err := s.focusArea(ctx, g.FocusArea)
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		return Group{}, err
	}
	return g.view(actor, f.Name), nil
}

// versionFilter selects a group at a version: by _id and version on MongoDB, by _id alone on the
// embedded store, where groupMu already excludes concurrent writers (see modifyGroup).
func (s *Service) versionFilter(groupID string, version int64) bson.D {
	if s.embedded {
		return bson.D{{Key: "_id", Value: groupID}}
	}
	return bson.D{{Key: "_id", Value: groupID}, {Key: "version", Value: version}}
}

// rawGroup reads a group without authorization, for the discussion's own checks.
func (s *Service) rawGroup(ctx context.Context, groupID string) (*groupDoc, error) {
	system := accounts.User{ID: "system", Role: accounts.RoleSecretariat}
	return s.loadGroup(ctx, system, groupID)
}

// setGroupObserver adds a function told of every stored change of a group.
func (s *Service) setGroupObserver(f func(*groupDoc)) {
	s.observerMu.Lock()
	defer s.observerMu.Unlock()
	s.groupObservers = append(s.groupObservers, f)
}

// WatchGroups registers f to be told the id of every group whose stored membership, roles or
// visibility changed in this process, so that other packages can re-check access they granted.
// f must not block.
func (s *Service) WatchGroups(f func(groupID string)) {
	s.setGroupObserver(func(g *groupDoc) { f(g.ID) })
}

func (s *Service) notifyGroupChanged(g *groupDoc) {
	s.observerMu.Lock()
	obs := s.groupObservers
	s.observerMu.Unlock()
	for _, f := range obs {
		f(g)
	}
}

// RoleIn returns actor's role in a group ("" for none). Returns not_found if actor may not see it.
func (s *Service) RoleIn(ctx context.Context, actor accounts.User, groupID string) (string, error) {
	g, err := s.loadGroup(ctx, actor, groupID)
	if err != nil {
		return "", err
	}
	return g.roleOf(actor.ID), nil
}

// CreateGroup adds a working group to a focus area. Returns forbidden unless actor is
// secretariat, invalid for bad fields and not_found for an unknown focus area.
func (s *Service) CreateGroup(ctx context.Context, actor accounts.User, in GroupInput) (Group, error) {
	if !actor.IsSecretariat() {
		return Group{}, errs.Errorf(errs.Forbidden, "only the secretariat can create groups")
	}
	if in.Name == nil {
		return Group{}, errs.Errorf(errs.Invalid, "name: is required")
	}
	if in.FocusArea == nil {
		return Group{}, errs.Errorf(errs.Invalid, "focus_area: is required")
	}
	if in.Visibility == nil {
		return Group{}, errs.Errorf(errs.Invalid, "visibility: is required (public or private)")
	}
	now := time.Now().UTC()
	g := &groupDoc{ID: id.New(), Members: []memberDoc{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.applyGroupInput(ctx, g, in); err != nil {
		return Group{}, err
	}
	if _, err := s.groups.InsertOne(ctx, g); err != nil {
		return Group{}, fmt.Errorf("insert group: %w", err)
	}
	return s.groupView(ctx, actor, g)
}

func (s *Service) applyGroupInput(ctx context.Context, g *groupDoc, in GroupInput) error {
	if in.Name != nil {
		name, err := check.Text("name", *in.Name, 1, maxGroupName, false)
		if err != nil {
			return err
		}
		g.Name = name
	}
	if in.Description != nil {
		d, err := check.Text("description", *in.Description, 0, maxDescLen, true)
		if err != nil {
			return err
		}
		g.Description = d
	}
	if in.Visibility != nil {
		if err := check.OneOf("visibility", *in.Visibility, Public, Private); err != nil {
			return err
		}
		g.Visibility = *in.Visibility
	}
	if in.FocusArea != nil {
		if _, err := s.focusArea(ctx, *in.FocusArea); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return errs.Errorf(errs.Invalid, "focus_area: no such focus area")
			}
			return err
		}
		g.FocusArea = *in.FocusArea
	}
	return nil
}

// UpdateGroup changes a group. The secretariat may change every field; a chair of the group may
// change its description. Returns not_found, forbidden or invalid.
func (s *Service) UpdateGroup(ctx context.Context, actor accounts.User, groupID string, in GroupInput) (Group, error) {
	return s.modifyGroup(ctx, actor, groupID, func(g *groupDoc) error {
		if !actor.IsSecretariat() {
			if g.roleOf(actor.ID) != RoleChair {
				return errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs can change the group")
			}
			if in.Name != nil || in.FocusArea != nil || in.Visibility != nil {
				return errs.Errorf(errs.Forbidden, "chairs may change the description; the name, focus area and visibility are the secretariat's")
			}
		}
		return s.applyGroupInput(ctx, g, in)
	})
}

// MemberInput names a person to add, by account id or e-mail address, and their role.
type MemberInput struct {
	UserID, Email, Role string
}

// AddMember adds a person to a group. The secretariat and the group's chairs may add members.
// Returns not_found for an unknown group or person, forbidden, invalid for a bad role, and
// conflict if the person is already a member or the group is full.
func (s *Service) AddMember(ctx context.Context, actor accounts.User, groupID string, in MemberInput) (Group, error) {
	if err := checkRole("role", in.Role); err != nil {
		return Group{}, err
	}
	g, err := s.loadGroup(ctx, actor, groupID)
	if err != nil {
		return Group{}, err
	}
	// Authorize before looking the person up, so that the answer does not tell a non-manager
	// which addresses have accounts.
	if !g.canManage(actor) {
		return Group{}, errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs can add members")
	}
	person, err := s.findPerson(ctx, in)
	if err != nil {
		return Group{}, err
	}
	return s.modifyGroup(ctx, actor, groupID, func(g *groupDoc) error {
		if !g.canManage(actor) {
			return errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs can add members")
		}
		return addMember(g, person, in.Role)
	})
}

func addMember(g *groupDoc, person accounts.User, role string) error {
	if g.roleOf(person.ID) != "" {
		return errs.Errorf(errs.Conflict, "%s is already in this group", person.Name)
	}
	if len(g.Members) >= MaxMembers {
		return errs.Errorf(errs.Conflict, "the group has reached %d members", MaxMembers)
	}
	g.Members = append(g.Members, memberDoc{UserID: person.ID, Name: person.Name, Email: person.Email, Role: role, AddedAt: time.Now().UTC()})
	return nil
}

func (s *Service) findPerson(ctx context.Context, in MemberInput) (accounts.User, error) {
	switch {
	case in.UserID != "" && in.Email != "":
		return accounts.User{}, errs.Errorf(errs.Invalid, "give either user_id or email, not both")
	case in.UserID != "":
		if err := check.ID("user_id", in.UserID); err != nil {
			return accounts.User{}, err
		}
		return s.accounts.User(ctx, in.UserID)
	case in.Email != "":
		return s.accounts.UserByEmail(ctx, in.Email)
	}
	return accounts.User{}, errs.Errorf(errs.Invalid, "email: is required")
}

// SetMemberRole changes a member's role. The secretariat and the group's chairs may do it.
// Returns not_found, forbidden or invalid.
func (s *Service) SetMemberRole(ctx context.Context, actor accounts.User, groupID, userID, role string) (Group, error) {
	if err := checkRole("role", role); err != nil {
		return Group{}, err
	}
	return s.modifyGroup(ctx, actor, groupID, func(g *groupDoc) error {
		if !g.canManage(actor) {
			return errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs can change roles")
		}
		for i := range g.Members {
			if g.Members[i].UserID == userID {
				g.Members[i].Role = role
				return nil
			}
		}
		return errs.Errorf(errs.NotFound, "this person is not a member of the group")
	})
}

// RemoveMember takes a person out of a group. The secretariat and the group's chairs may remove
// anyone; a member may leave. Returns not_found or forbidden.
func (s *Service) RemoveMember(ctx context.Context, actor accounts.User, groupID, userID string) (Group, error) {
	return s.modifyGroup(ctx, actor, groupID, func(g *groupDoc) error {
		if !g.canManage(actor) && actor.ID != userID {
			return errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs can remove members")
		}
		i := slices.IndexFunc(g.Members, func(m memberDoc) bool { return m.UserID == userID })
		if i < 0 {
			return errs.Errorf(errs.NotFound, "this person is not a member of the group")
		}
		g.Members = slices.Delete(g.Members, i, i+1)
		return nil
	})
}

// modifyGroup applies change to the current version of a group and writes it back only if nobody
// changed the group in between, retrying from a fresh read otherwise.
//
// Two guards, for the two stores. On MongoDB a conditional replace on {_id, version} is atomic, so
// several server processes cannot overwrite each other. The embedded store (FerretDB v1) reads the
// matching document and writes it back in separate steps, so two writers could both match the same
// version; it only ever runs in one process, and groupMu serializes group changes within it. There
// the filter is {_id} alone: FerretDB answers only that shape from an index, and a two-field filter
// would decode every group on each change.
func (s *Service) modifyGroup(ctx context.Context, actor accounts.User, groupID string, change func(*groupDoc) error) (Group, error) {
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	for range maxRetries {
		g, err := s.loadGroup(ctx, actor, groupID)
		if err != nil {
			return Group{}, err
		}
		if err := change(g); err != nil {
			return Group{}, err
		}
		base := g.Version
		g.Version++
		g.UpdatedAt = time.Now().UTC()
		res, err := s.groups.ReplaceOne(ctx, s.versionFilter(g.ID, base), g)
		if err != nil {
			return Group{}, fmt.Errorf("update group %s: %w", g.ID, err)
		}
		if res.MatchedCount == 1 {
			s.notifyGroupChanged(g)
			// The actor may have just left a private group; show what they can still see.
			if !g.canSee(actor) {
				return Group{GroupSummary: GroupSummary{ID: g.ID}}, nil
			}
			return s.groupView(ctx, actor, g)
		}
	}
	return Group{}, errs.Errorf(errs.Conflict, "the group is being changed by others; try again")
}

// joinOnInvitation adds a newly registered person to the group their invitation named. It is a
// system action taken on the secretariat's earlier decision, so it does not authorize again.
func (s *Service) joinOnInvitation(ctx context.Context, person accounts.User, groupID, role string) error {
	system := accounts.User{ID: "system", Role: accounts.RoleSecretariat}
	_, err := s.modifyGroup(ctx, system, groupID, func(g *groupDoc) error {
		err := addMember(g, person, role)
		if errs.CodeOf(err) == errs.Conflict && g.roleOf(person.ID) != "" {
			return nil
		}
		return err
	})
	return err
}
