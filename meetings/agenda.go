package meetings

import (
	"context"
	"slices"

	"plenary/accounts"
	"plenary/errs"
	"plenary/id"
)

// agendaEdited moves a planned meeting to agenda_draft on its first agenda change.
func agendaEdited(m *meetingDoc) {
	if m.Status == StatusPlanned {
		m.Status = StatusAgendaDraft
	}
}

// endLive clears a live state whose item or session was removed; live_seq moves, so clients that
// keep the newest live state take the cleared one.
func endLive(m *meetingDoc) {
	m.Live = nil
	m.LiveSeq++
}

func forbiddenSession() error {
	return errs.Errorf(errs.Forbidden, "only the secretariat and this session's chairs can change it")
}

func secretariatOnly(what string) error {
	return errs.Errorf(errs.Forbidden, "only the secretariat can %s", what)
}

// findSession returns a session of the working agenda or not_found.
func findSession(m *meetingDoc, sessionID string) (int, *Session, error) {
	i, sess := m.session(sessionID)
	if sess == nil {
		return -1, nil, errs.Errorf(errs.NotFound, "no such session in this agenda")
	}
	return i, sess, nil
}

// position clamps an insertion index; nil means the end.
func position(index *int, n int) int {
	if index == nil || *index > n {
		return n
	}
	return max(*index, 0)
}

// AddSession inserts a session at index (nil: the end). The secretariat's.
func (s *Service) AddSession(ctx context.Context, actor accounts.User, meetingID string, base int64, index *int, in SessionInput) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		if !actor.IsSecretariat() {
			return secretariatOnly("add sessions")
		}
		if len(m.Agenda.Sessions) >= maxSessions {
			return errs.Errorf(errs.Conflict, "the agenda has reached %d sessions", maxSessions)
		}
		sess, err := s.newSession(ctx, m, in)
		if err != nil {
			return err
		}
		m.Agenda.Sessions = slices.Insert(m.Agenda.Sessions, position(index, len(m.Agenda.Sessions)), sess)
		agendaEdited(m)
		return nil
	})
}

// UpdateSession changes a session. A session's chair may change its title, description and
// archive link; chairs and times are the secretariat's.
func (s *Service) UpdateSession(ctx context.Context, actor accounts.User, meetingID string, base int64, sessionID string, in SessionInput) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		_, sess, err := findSession(m, sessionID)
		if err != nil {
			return err
		}
		if !m.canEditSession(actor, sess) {
			return forbiddenSession()
		}
		if !actor.IsSecretariat() && (in.Chairs != nil || in.Start != nil || in.End != nil) {
			return errs.Errorf(errs.Forbidden, "a session's chairs and times are set by the secretariat")
		}
		if err := s.applySessionInput(ctx, m, sess, in); err != nil {
			return err
		}
		agendaEdited(m)
		return nil
	})
}

// DeleteSession removes a session with its items. The secretariat's. A live state in it is
// cleared.
func (s *Service) DeleteSession(ctx context.Context, actor accounts.User, meetingID string, base int64, sessionID string) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		i, _, err := findSession(m, sessionID)
		if err != nil {
			return err
		}
		if !actor.IsSecretariat() {
			return secretariatOnly("remove sessions")
		}
		m.Agenda.Sessions = slices.Delete(m.Agenda.Sessions, i, i+1)
		if m.Live != nil && m.Live.SessionID == sessionID {
			endLive(m)
		}
		agendaEdited(m)
		return nil
	})
}

// AddItem inserts an item or break into a session at index (nil: the end).
func (s *Service) AddItem(ctx context.Context, actor accounts.User, meetingID string, base int64, sessionID string, index *int, in ItemInput) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		_, sess, err := findSession(m, sessionID)
		if err != nil {
			return err
		}
		if !m.canEditSession(actor, sess) {
			return forbiddenSession()
		}
		if len(sess.Items) >= maxItemsPerSess {
			return errs.Errorf(errs.Conflict, "the session has reached %d items", maxItemsPerSess)
		}
		item := Item{ID: id.New(), Kind: KindItem, Speakers: []Person{}, Contributions: []string{}}
		if err := s.applyItemInput(ctx, &item, in, true); err != nil {
			return err
		}
		sess.Items = slices.Insert(sess.Items, position(index, len(sess.Items)), item)
		sess.Revision++
		agendaEdited(m)
		return nil
	})
}

// UpdateItem changes an item.
func (s *Service) UpdateItem(ctx context.Context, actor accounts.User, meetingID string, base int64, sessionID, itemID string, in ItemInput) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		_, sess, err := findSession(m, sessionID)
		if err != nil {
			return err
		}
		if !m.canEditSession(actor, sess) {
			return forbiddenSession()
		}
		_, it := sess.item(itemID)
		if it == nil {
			return errs.Errorf(errs.NotFound, "no such item in this session")
		}
		if err := s.applyItemInput(ctx, it, in, false); err != nil {
			return err
		}
		sess.Revision++
		agendaEdited(m)
		return nil
	})
}

// DeleteItem removes an item. A live state pointing at it is cleared.
func (s *Service) DeleteItem(ctx context.Context, actor accounts.User, meetingID string, base int64, sessionID, itemID string) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		_, sess, err := findSession(m, sessionID)
		if err != nil {
			return err
		}
		if !m.canEditSession(actor, sess) {
			return forbiddenSession()
		}
		i, _ := sess.item(itemID)
		if i < 0 {
			return errs.Errorf(errs.NotFound, "no such item in this session")
		}
		sess.Items = slices.Delete(sess.Items, i, i+1)
		if m.Live != nil && m.Live.SessionID == sess.ID && m.Live.ItemID == itemID {
			endLive(m)
		}
		sess.Revision++
		agendaEdited(m)
		return nil
	})
}

// Move reorders the agenda: a session among sessions (the secretariat), or an item within its
// session or into another one (whoever may edit both sessions).
func (s *Service) Move(ctx context.Context, actor accounts.User, meetingID string, base int64, in MoveInput) (View, error) {
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		from, sess, err := findSession(m, in.SessionID)
		if err != nil {
			return err
		}
		if in.ToIndex < 0 {
			return errs.Errorf(errs.Invalid, "to_index: must be 0 or more")
		}
		if in.ItemID == "" {
			if in.ToSession != "" {
				return errs.Errorf(errs.Invalid, "to_session: only items move into another session")
			}
			if !actor.IsSecretariat() {
				return secretariatOnly("reorder sessions")
			}
			moved := *sess
			m.Agenda.Sessions = slices.Delete(m.Agenda.Sessions, from, from+1)
			to := min(in.ToIndex, len(m.Agenda.Sessions))
			m.Agenda.Sessions = slices.Insert(m.Agenda.Sessions, to, moved)
			agendaEdited(m)
			return nil
		}
		i, it := sess.item(in.ItemID)
		if it == nil {
			return errs.Errorf(errs.NotFound, "no such item in this session")
		}
		target := sess
		if in.ToSession != "" && in.ToSession != in.SessionID {
			if _, target, err = findSession(m, in.ToSession); err != nil {
				return err
			}
		}
		if !m.canEditSession(actor, sess) || !m.canEditSession(actor, target) {
			return errs.Errorf(errs.Forbidden, "moving an item needs the right to edit both sessions")
		}
		if target != sess && len(target.Items) >= maxItemsPerSess {
			return errs.Errorf(errs.Conflict, "the session has reached %d items", maxItemsPerSess)
		}
		moved := *it
		sess.Items = slices.Delete(sess.Items, i, i+1)
		to := min(in.ToIndex, len(target.Items))
		target.Items = slices.Insert(target.Items, to, moved)
		sess.Revision++
		if target != sess {
			target.Revision++
			if m.Live != nil && m.Live.ItemID == moved.ID {
				m.Live.SessionID = target.ID
			}
		}
		agendaEdited(m)
		return nil
	})
}
