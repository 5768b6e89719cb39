package meetings

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
	"plenary/store"
)

// Calendar apps cannot send a bearer token, so a personal feed is addressed by a secret key in its
// URL. Two documents tie key and person together, both read by _id: "u:<user>" holds the key,
// "k:<key>" the user.
type calendarKeyDoc struct {
	ID   string `bson:"_id"`
	Key  string `bson:"key,omitempty"`
	User string `bson:"user,omitempty"`
}

// CalendarKey returns actor's personal feed key, creating it on first use.
func (s *Service) CalendarKey(ctx context.Context, actor accounts.User) (string, error) {
	if actor.ID == "" {
		return "", errs.Errorf(errs.Unauthorized, "sign in first")
	}
	var doc calendarKeyDoc
	err := s.calKeys.FindOne(ctx, bson.D{{Key: "_id", Value: "u:" + actor.ID}}).Decode(&doc)
	if err == nil {
		return doc.Key, nil
	}
	if err != mongo.ErrNoDocuments {
		return "", fmt.Errorf("load calendar key: %w", err)
	}
	return s.newCalendarKey(ctx, actor.ID, "")
}

// ResetCalendarKey replaces actor's feed key; the old address stops working.
func (s *Service) ResetCalendarKey(ctx context.Context, actor accounts.User) (string, error) {
	if actor.ID == "" {
		return "", errs.Errorf(errs.Unauthorized, "sign in first")
	}
	var doc calendarKeyDoc
	err := s.calKeys.FindOne(ctx, bson.D{{Key: "_id", Value: "u:" + actor.ID}}).Decode(&doc)
	if err != nil && err != mongo.ErrNoDocuments {
		return "", fmt.Errorf("load calendar key: %w", err)
	}
	return s.newCalendarKey(ctx, actor.ID, doc.Key)
}

func (s *Service) newCalendarKey(ctx context.Context, userID, old string) (string, error) {
	key := id.New() + id.New()
	if _, err := s.calKeys.InsertOne(ctx, calendarKeyDoc{ID: "k:" + key, User: userID}); err != nil {
		return "", fmt.Errorf("store calendar key: %w", err)
	}
	userDoc := calendarKeyDoc{ID: "u:" + userID, Key: key}
	if old == "" {
		_, err := s.calKeys.InsertOne(ctx, userDoc)
		if store.IsDuplicateKey(err) {
			// Created at the same moment by another request: keep that one.
			s.calKeys.DeleteOne(ctx, bson.D{{Key: "_id", Value: "k:" + key}})
			var doc calendarKeyDoc
			if err := s.calKeys.FindOne(ctx, bson.D{{Key: "_id", Value: "u:" + userID}}).Decode(&doc); err != nil {
				return "", fmt.Errorf("load calendar key: %w", err)
			}
			return doc.Key, nil
		}
		if err != nil {
			return "", fmt.Errorf("store calendar key: %w", err)
		}
		return key, nil
	}
	if _, err := s.calKeys.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "u:" + userID}}, userDoc); err != nil {
		return "", fmt.Errorf("store calendar key: %w", err)
	}
	if _, err := s.calKeys.DeleteOne(ctx, bson.D{{Key: "_id", Value: "k:" + old}}); err != nil {
		return "", fmt.Errorf("drop old calendar key: %w", err)
	}
	return key, nil
}

// userOfKey resolves a feed key; unknown keys are not_found.
func (s *Service) userOfKey(ctx context.Context, key string) (accounts.User, error) {
	if check.ID("key", key) != nil {
		return accounts.User{}, errs.Errorf(errs.NotFound, "no such calendar feed")
	}
	var doc calendarKeyDoc
	err := s.calKeys.FindOne(ctx, bson.D{{Key: "_id", Value: "k:" + key}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return accounts.User{}, errs.Errorf(errs.NotFound, "no such calendar feed")
	}
	if err != nil {
		return accounts.User{}, fmt.Errorf("load calendar key: %w", err)
	}
	u, err := s.accounts.User(ctx, doc.User)
	if errs.CodeOf(err) == errs.NotFound {
		return accounts.User{}, errs.Errorf(errs.NotFound, "no such calendar feed")
	}
	return u, err
}

// MeetingCalendar is the iCalendar feed of one meeting: the meeting and its published sessions.
// key, when not empty, is a personal feed key that stands for its owner (calendar apps cannot
// sign in).
func (s *Service) MeetingCalendar(ctx context.Context, actor accounts.User, meetingID, key string) ([]byte, error) {
	if key != "" {
		u, err := s.userOfKey(ctx, key)
		if err != nil {
			return nil, err
		}
		actor = u
	}
	m, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	return meetingCalendar(m, m.PublishedAgenda, s.now()), nil
}

// PersonalCalendar is the feed of the person owning key: the meetings they take part in with every
// published session, and the sessions they chair or speak in elsewhere.
func (s *Service) PersonalCalendar(ctx context.Context, key string) ([]byte, error) {
	u, err := s.userOfKey(ctx, key)
	if err != nil {
		return nil, err
	}
	docs, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	var entries []personalEntry
	for _, m := range docs {
		if !m.canRead(u) {
			continue
		}
		role := m.roleOf(u.ID)
		// A meeting without a published agenda still gives its participants its days (Agenda nil:
		// the meeting's event only); drafts never reach a feed.
		e := personalEntry{Meeting: m, Agenda: m.PublishedAgenda, Role: role}
		var published []Session
		if m.PublishedAgenda != nil {
			published = m.PublishedAgenda.Sessions
		}
		for i := range published {
			sess := &published[i]
			if role != "" || sess.chairedBy(u.ID) || sess.speaksIn(u.ID) {
				e.Sessions = append(e.Sessions, i)
			}
		}
		if role != "" || len(e.Sessions) > 0 {
			entries = append(entries, e)
		}
	}
	return personalCalendar(u.Name, entries, s.now()), nil
}
