package contributions

import (
	"context"
	"slices"

	"plenary/accounts"
	"plenary/errs"
	"plenary/meetings"
	"plenary/rooms"
)

// scopeRights are what one person may do with the documents of one meeting or group.
type scopeRights struct {
	name   string // the meeting's title or the group's name
	submit bool   // send documents
	review bool   // accept, return, publish and attach every document of the scope
	// reviewSessions are the meeting sessions whose documents the person reviews as their chair.
	reviewSessions []string
	// meeting is the meeting as the person sees it (nil for a group): its agenda names the items
	// documents relate to.
	meeting *meetings.View
}

// reviews tells whether the rights cover a document related to session sessionID ("" for none).
func (r scopeRights) reviews(sessionID string) bool {
	return r.review || (sessionID != "" && slices.Contains(r.reviewSessions, sessionID))
}

// rightsIn decides, through the meetings and rooms services (which own visibility): in a meeting
// the secretariat and the meeting's chairs review everything and a session's chairs the
// documents of their session's items; chairs and participants submit; observers and other
// readers only read. In a group the secretariat and the group's chairs review; chairs and members
// submit. Returns not_found when the person may not see the meeting or group.
func (s *Service) rightsIn(ctx context.Context, actor accounts.User, scope, scopeID string) (scopeRights, error) {
	switch scope {
	case ScopeMeeting:
		m, err := s.meetings.Get(ctx, actor, scopeID)
		if err != nil {
			return scopeRights{}, err
		}
		// The sessions the person edits (all for the secretariat): their documents they review,
		// and to those sessions' items they attach documents.
		r := scopeRights{name: m.Title, meeting: &m, reviewSessions: m.Can.EditSessions}
		if actor.IsSecretariat() {
			r.submit, r.review = true, true
			return r, nil
		}
		for _, p := range m.Participants {
			if p.UserID == actor.ID && actor.ID != "" {
				r.submit = p.Role == meetings.RoleChair || p.Role == meetings.RoleParticipant
				r.review = p.Role == meetings.RoleChair
			}
		}
		return r, nil
	case ScopeGroup:
		g, err := s.groups.Group(ctx, actor, scopeID)
		if err != nil {
			return scopeRights{}, err
		}
		r := scopeRights{name: g.Name}
		if actor.IsSecretariat() {
			r.submit, r.review = true, true
			return r, nil
		}
		role, err := s.groups.RoleIn(ctx, actor, scopeID)
		if err != nil {
			return scopeRights{}, err
		}
		r.submit = role == rooms.RoleChair || role == rooms.RoleMember
		r.review = role == rooms.RoleChair
		return r, nil
	}
	return scopeRights{}, errs.Errorf(errs.NotFound, "no such meeting or group")
}

// docRights are what one person may do with one document.
type docRights struct {
	scopeRights
	read     bool // the document page and its published revisions
	readAll  bool // every revision, whatever its state (submitter and reviewers)
	reviewer bool
	owner    bool
}

// rightsOn decides for one document: reviewers and the submitter see everything; others see a
// document once a revision of it is published, and only its published revisions.
func (s *Service) rightsOn(ctx context.Context, actor accounts.User, c *contributionDoc) (docRights, error) {
	sr, err := s.rightsIn(ctx, actor, c.Scope, c.ScopeID)
	if err != nil {
		return docRights{}, err
	}
	d := docRights{scopeRights: sr, reviewer: sr.reviews(c.SessionID), owner: actor.ID != "" && actor.ID == c.Submitter}
	d.readAll = d.reviewer || d.owner
	d.read = d.readAll || c.published() != nil
	return d, nil
}

// canReadRevision tells whether the person may download revision r.
func (d docRights) canReadRevision(r *revisionDoc) bool {
	return d.readAll || r.State == StatePublished
}
