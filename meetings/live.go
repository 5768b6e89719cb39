package meetings

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/accounts"
	"plenary/errs"
)

// SetLive marks the current item of a running meeting, optionally starting its countdown. The
// secretariat and the meeting's chairs may do so for every session, a session's chair for that
// session. A meeting not yet in session moves to in_session.
//
// Live changes do not take a version and do not bump it: an editor fixing the agenda while the
// meeting runs must not be told that someone else changed it each time the chair moves on. They
// are stored in the meeting's small live document, so they never overwrite an agenda edit.
func (s *Service) SetLive(ctx context.Context, actor accounts.User, meetingID string, in LiveInput) (View, error) {
	if in.TimerSeconds < 0 || in.TimerSeconds > maxTimerSeconds {
		return View{}, errs.Errorf(errs.Invalid, "timer_seconds: must be 0 to %d", maxTimerSeconds)
	}
	return s.changeLive(ctx, actor, meetingID, func(m *meetingDoc) error {
		_, sess, err := findSession(m, in.SessionID)
		if err != nil {
			return err
		}
		if !m.canRunLive(actor, sess) {
			return errs.Errorf(errs.Forbidden, "only the secretariat, the meeting's chairs and this session's chairs can run it live")
		}
		_, it := sess.item(in.ItemID)
		if it == nil {
			return errs.Errorf(errs.NotFound, "no such item in this session")
		}
		now := s.now()
		live := &Live{SessionID: sess.ID, ItemID: it.ID, Since: now, TimerSeconds: in.TimerSeconds, By: actor.ID, ByName: actor.Name}
		if in.TimerSeconds > 0 {
			live.TimerStarted = now
		}
		m.Live = live
		return nil
	})
}

// ClearLive ends live mode (nothing is current any more).
func (s *Service) ClearLive(ctx context.Context, actor accounts.User, meetingID string) (View, error) {
	return s.changeLive(ctx, actor, meetingID, func(m *meetingDoc) error {
		var sess *Session
		if m.Live != nil {
			_, sess = m.session(m.Live.SessionID)
		}
		if !m.canRunLive(actor, sess) {
			return errs.Errorf(errs.Forbidden, "only the secretariat, the meeting's chairs and the current session's chairs can stop live mode")
		}
		m.Live = nil
		return nil
	})
}

func (s *Service) changeLive(ctx context.Context, actor accounts.User, meetingID string, change func(*meetingDoc) error) (View, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	shared, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return View{}, err
	}
	m := shared.clone()
	if err := change(m); err != nil {
		return View{}, err
	}
	m.LiveSeq++
	if err := s.saveLive(ctx, m); err != nil {
		return View{}, err
	}
	if m.Live != nil && m.Status != StatusInSession {
		// Starting the meeting is a visible change of the meeting: its version moves too.
		m.Status = StatusInSession
		m.Version++
		m.UpdatedAt = s.now()
		set := bson.D{{Key: "status", Value: m.Status}, {Key: "version", Value: m.Version}, {Key: "updated_at", Value: m.UpdatedAt}}
		if _, err := s.meetings.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, bson.D{{Key: "$set", Value: set}}); err != nil {
			s.cache.drop(m.ID)
			return View{}, fmt.Errorf("start meeting %s: %w", m.ID, err)
		}
	}
	s.cache.put(m.clone())
	s.announce(m)
	return s.viewFor(ctx, actor, m)
}
