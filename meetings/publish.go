package meetings

import (
	"context"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/store"
)

const maxNote = 500

func versionKey(meetingID string, n int) string { return meetingID + ":" + strconv.Itoa(n) }

// Publish makes the working agenda the next numbered version, with a short change note. Every
// published version stays readable. The version document is inserted under its natural key before
// the meeting records it, so two publishers (also in two processes) cannot both get number n.
func (s *Service) Publish(ctx context.Context, actor accounts.User, meetingID string, base int64, note string) (View, error) {
	note, err := check.Text("note", note, 1, maxNote, true)
	if err != nil {
		return View{}, err
	}
	return s.modify(ctx, actor, meetingID, base, func(m *meetingDoc) error {
		if !actor.IsSecretariat() {
			return secretariatOnly("publish the agenda")
		}
		if len(m.Published) >= maxPublished {
			return errs.Errorf(errs.Conflict, "the meeting has reached %d published versions", maxPublished)
		}
		if len(m.Agenda.Sessions) == 0 {
			return errs.Errorf(errs.Invalid, "the agenda is empty: add a session before publishing")
		}
		n := len(m.Published) + 1
		pv := PublishedVersion{Number: n, Note: note, At: s.now(), By: actor.ID, ByName: actor.Name}
		doc := agendaVersionDoc{ID: versionKey(m.ID, n), Meeting: m.ID, Version: pv, Agenda: m.Agenda, TimeZone: m.TimeZone}
		if _, err := s.versions.InsertOne(ctx, doc); err != nil {
			if !store.IsDuplicateKey(err) {
				return fmt.Errorf("insert agenda version: %w", err)
			}
			// Number n exists but the meeting does not list it: a publish that stopped between
			// its two writes. This meeting version is the one that lists it now.
			if _, err := s.versions.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc); err != nil {
				return fmt.Errorf("replace agenda version: %w", err)
			}
		}
		agenda := m.Agenda
		m.PublishedAgenda = &agenda
		m.Published = append(m.Published, pv)
		if m.Status == StatusPlanned || m.Status == StatusAgendaDraft {
			m.Status = StatusAgendaPublished
		}
		return nil
	})
}

// Versions lists the published versions, newest first.
func (s *Service) Versions(ctx context.Context, actor accounts.User, meetingID string) ([]PublishedVersion, error) {
	m, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	out := make([]PublishedVersion, 0, len(m.Published))
	for i := len(m.Published) - 1; i >= 0; i-- {
		out = append(out, m.Published[i])
	}
	return out, nil
}

// Version returns one published version.
func (s *Service) Version(ctx context.Context, actor accounts.User, meetingID string, n int) (AgendaVersion, error) {
	m, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return AgendaVersion{}, err
	}
	return s.version(ctx, m, n)
}

func (s *Service) version(ctx context.Context, m *meetingDoc, n int) (AgendaVersion, error) {
	if n < 1 || n > len(m.Published) {
		return AgendaVersion{}, errs.Errorf(errs.NotFound, "no agenda version %d", n)
	}
	var doc agendaVersionDoc
	err := s.versions.FindOne(ctx, bson.D{{Key: "_id", Value: versionKey(m.ID, n)}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return AgendaVersion{}, errs.Errorf(errs.NotFound, "no agenda version %d", n)
	}
	if err != nil {
		return AgendaVersion{}, fmt.Errorf("load agenda version %s:%d: %w", m.ID, n, err)
	}
	return AgendaVersion{PublishedVersion: m.Published[n-1], TimeZone: doc.TimeZone, Agenda: doc.Agenda}, nil
}

// VersionDiff is the answer to a diff request: what changed from one version to another.
type VersionDiff struct {
	From string `json:"from"`
	To   string `json:"to"`
	AgendaDiff
}

// Diff compares two versions of the agenda, each a published number or "draft" (editors only).
func (s *Service) Diff(ctx context.Context, actor accounts.User, meetingID, from, to string) (VersionDiff, error) {
	m, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return VersionDiff{}, err
	}
	a, err := s.agendaAt(ctx, actor, m, "from", from)
	if err != nil {
		return VersionDiff{}, err
	}
	b, err := s.agendaAt(ctx, actor, m, "to", to)
	if err != nil {
		return VersionDiff{}, err
	}
	return VersionDiff{From: from, To: to, AgendaDiff: DiffAgendas(a, b)}, nil
}

func (s *Service) agendaAt(ctx context.Context, actor accounts.User, m *meetingDoc, field, which string) (Agenda, error) {
	if which == "draft" {
		if !m.seesDraft(actor) {
			return Agenda{}, errs.Errorf(errs.Forbidden, "%s: the draft is visible to its editors only", field)
		}
		return m.Agenda, nil
	}
	n, err := strconv.Atoi(which)
	if err != nil || n < 1 {
		return Agenda{}, errs.Errorf(errs.Invalid, "%s: must be a version number or draft", field)
	}
	v, err := s.version(ctx, m, n)
	if err != nil {
		return Agenda{}, err
	}
	return v.Agenda, nil
}
