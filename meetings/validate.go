package meetings

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
)

const (
	dateLayout      = "2006-01-02"
	localTimeLayout = "2006-01-02T15:04"
)

// location resolves an IANA zone name. "Local" and empty names are refused: a meeting's times must
// not depend on the server's configuration.
func location(field, name string) (*time.Location, error) { return check.Zone(field, name) }

func parseDate(field, v string) (time.Time, error) {
	d, err := time.Parse(dateLayout, v)
	if err != nil || d.Format(dateLayout) != v {
		return time.Time{}, errs.Errorf(errs.Invalid, "%s: must be a date YYYY-MM-DD", field)
	}
	return d, nil
}

// parseLocal reads "2006-05-15T09:30" in loc.
func parseLocal(field, v string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(localTimeLayout, v, loc)
	if err != nil || t.Format(localTimeLayout) != v {
		return time.Time{}, errs.Errorf(errs.Invalid, "%s: must be a local date and time YYYY-MM-DDTHH:MM", field)
	}
	return t, nil
}

// checkURL accepts empty or an absolute http(s) URL.
func checkURL(field, v string) (string, error) {
	v, err := check.Text(field, v, 0, maxURL, false)
	if err != nil || v == "" {
		return v, err
	}
	u, perr := url.Parse(v)
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(v, " <>\"") {
		return "", errs.Errorf(errs.Invalid, "%s: must be a web address starting with https://", field)
	}
	return v, nil
}

func text(field string, p *string, min, max int, multiline bool, dst *string) error {
	if p == nil {
		return nil
	}
	v, err := check.Text(field, *p, min, max, multiline)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

func (s *Service) applyMeetingInput(ctx context.Context, actor accounts.User, m *meetingDoc, in MeetingInput, creating bool) error {
	for _, f := range []struct {
		name      string
		p         *string
		min, max  int
		multiline bool
		dst       *string
	}{
		{"title", in.Title, 1, maxTitle, false, &m.Title},
		{"forum", in.Forum, 0, maxShort, false, &m.Forum},
		{"venue", in.Venue, 0, maxShort, false, &m.Venue},
		{"remote_instructions", in.RemoteInstructions, 0, maxLongText, true, &m.RemoteInstructions},
		{"description", in.Description, 0, maxLongText, true, &m.Description},
	} {
		if err := text(f.name, f.p, f.min, f.max, f.multiline, f.dst); err != nil {
			return err
		}
	}
	if in.RemoteURL != nil {
		v, err := checkURL("remote_url", *in.RemoteURL)
		if err != nil {
			return err
		}
		m.RemoteURL = v
	}
	if in.Visibility != nil {
		if err := check.OneOf("visibility", *in.Visibility, Public, Participants); err != nil {
			return err
		}
		m.Visibility = *in.Visibility
	}
	calendarChanged := in.Title != nil || in.Venue != nil || in.RemoteURL != nil || in.RemoteInstructions != nil || in.Forum != nil
	if in.TimeZone != nil {
		if _, err := location("time_zone", *in.TimeZone); err != nil {
			return err
		}
		calendarChanged = calendarChanged || m.TimeZone != *in.TimeZone
		m.TimeZone = *in.TimeZone
	}
	if in.StartDate != nil {
		m.StartDate = *in.StartDate
		calendarChanged = true
	}
	if in.EndDate != nil {
		m.EndDate = *in.EndDate
		calendarChanged = true
	}
	if in.StartDate != nil || in.EndDate != nil {
		from, err := parseDate("start_date", m.StartDate)
		if err != nil {
			return err
		}
		to, err := parseDate("end_date", m.EndDate)
		if err != nil {
			return err
		}
		if to.Before(from) {
			return errs.Errorf(errs.Invalid, "end_date: must not be before start_date")
		}
		if to.Sub(from) >= maxMeetingDays*24*time.Hour {
			return errs.Errorf(errs.Invalid, "end_date: a meeting lasts at most %d days", maxMeetingDays)
		}
	}
	if in.Status != nil {
		if err := check.OneOf("status", *in.Status, statusOrder...); err != nil {
			return err
		}
		if !creating {
			from, to := slices.Index(statusOrder, m.Status), slices.Index(statusOrder, *in.Status)
			if to < from-1 {
				return errs.Errorf(errs.Invalid, "status: can move back one step at most (from %s)", m.Status)
			}
		}
		m.Status = *in.Status
	}
	if in.Groups != nil {
		if len(*in.Groups) > maxGroups {
			return errs.Errorf(errs.Invalid, "groups: at most %d", maxGroups)
		}
		refs := []GroupRef{}
		for _, gid := range *in.Groups {
			if check.ID("groups", gid) != nil {
				return errs.Errorf(errs.Invalid, "groups: %q is not a group id", gid)
			}
			if slices.ContainsFunc(refs, func(r GroupRef) bool { return r.ID == gid }) {
				continue
			}
			g, err := s.groups.Group(ctx, actor, gid)
			if errs.CodeOf(err) == errs.NotFound {
				return errs.Errorf(errs.Invalid, "groups: no group %q", gid)
			}
			if err != nil {
				return err
			}
			refs = append(refs, GroupRef{ID: g.ID, Name: g.Name, Visibility: g.Visibility})
		}
		m.Groups = refs
	}
	if calendarChanged && !creating {
		m.Revision++
		for i := range m.Agenda.Sessions {
			m.Agenda.Sessions[i].Revision++
		}
		// The feeds show the published copy, whose events changed as well; bumping it alike also
		// keeps a draft that equals it equal (draft_changed stays false).
		if m.PublishedAgenda != nil {
			for i := range m.PublishedAgenda.Sessions {
				m.PublishedAgenda.Sessions[i].Revision++
			}
		}
	}
	return nil
}

// people validates chairs or speakers. An account id must name an existing account.
func (s *Service) people(ctx context.Context, field string, in []Person, max int) ([]Person, error) {
	if len(in) > max {
		return nil, errs.Errorf(errs.Invalid, "%s: at most %d", field, max)
	}
	out := make([]Person, 0, len(in))
	for i, p := range in {
		var err error
		var q Person
		name := func(f string) string { return field + "[" + itoa(i) + "]." + f }
		if q.Name, err = check.Text(name("name"), p.Name, 1, maxShort, false); err != nil {
			return nil, err
		}
		if q.Title, err = check.Text(name("title"), p.Title, 0, maxShort, false); err != nil {
			return nil, err
		}
		if q.Organization, err = check.Text(name("organization"), p.Organization, 0, maxShort, false); err != nil {
			return nil, err
		}
		if p.UserID != "" {
			if check.ID(name("user_id"), p.UserID) != nil {
				return nil, errs.Errorf(errs.Invalid, "%s: no such account", name("user_id"))
			}
			if _, err := s.accounts.User(ctx, p.UserID); err != nil {
				if errs.CodeOf(err) == errs.NotFound {
					return nil, errs.Errorf(errs.Invalid, "%s: no such account", name("user_id"))
				}
				return nil, err
			}
			q.UserID = p.UserID
		}
		out = append(out, q)
	}
	return out, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// newSession validates a new session; its id is assigned here.
func (s *Service) newSession(ctx context.Context, m *meetingDoc, in SessionInput) (Session, error) {
	if in.Title == nil {
		return Session{}, errs.Errorf(errs.Invalid, "title: is required")
	}
	if in.Start == nil || in.End == nil {
		return Session{}, errs.Errorf(errs.Invalid, "start and end: are required")
	}
	sess := Session{ID: id.New(), Chairs: []Person{}, Items: []Item{}, Revision: 1}
	if err := s.applySessionInput(ctx, m, &sess, in); err != nil {
		return Session{}, err
	}
	return sess, nil
}

func (s *Service) applySessionInput(ctx context.Context, m *meetingDoc, sess *Session, in SessionInput) error {
	if err := text("title", in.Title, 1, maxTitle, false, &sess.Title); err != nil {
		return err
	}
	if err := text("description", in.Description, 0, maxLongText, true, &sess.Description); err != nil {
		return err
	}
	if in.ArchiveURL != nil {
		v, err := checkURL("archive_url", *in.ArchiveURL)
		if err != nil {
			return err
		}
		sess.ArchiveURL = v
	}
	if in.Chairs != nil {
		chairs, err := s.people(ctx, "chairs", *in.Chairs, maxChairs)
		if err != nil {
			return err
		}
		sess.Chairs = chairs
	}
	if in.Start != nil {
		sess.Start = *in.Start
	}
	if in.End != nil {
		sess.End = *in.End
	}
	if in.Start != nil || in.End != nil {
		loc, err := location("time_zone", m.TimeZone)
		if err != nil {
			return err
		}
		start, err := parseLocal("start", sess.Start, loc)
		if err != nil {
			return err
		}
		end, err := parseLocal("end", sess.End, loc)
		if err != nil {
			return err
		}
		if !end.After(start) {
			return errs.Errorf(errs.Invalid, "end: must be after start")
		}
		days := m.days()
		if len(days) > 0 && (sess.Start[:10] < days[0] || sess.End[:10] > days[len(days)-1]) {
			return errs.Errorf(errs.Invalid, "start: the session must take place during the meeting (%s to %s)", m.StartDate, m.EndDate)
		}
	}
	sess.Revision++
	return nil
}

func (s *Service) applyItemInput(ctx context.Context, it *Item, in ItemInput, creating bool) error {
	if creating && in.Title == nil && (in.Kind == nil || *in.Kind != KindBreak) {
		return errs.Errorf(errs.Invalid, "title: is required")
	}
	if in.Kind != nil {
		if err := check.OneOf("kind", *in.Kind, KindItem, KindBreak); err != nil {
			return err
		}
		it.Kind = *in.Kind
	}
	minTitle := 1
	if it.Kind == KindBreak {
		minTitle = 0
	}
	if err := text("title", in.Title, minTitle, maxTitle, false, &it.Title); err != nil {
		return err
	}
	if it.Kind == KindItem && it.Title == "" {
		// An untitled break made an item without giving it a title.
		return errs.Errorf(errs.Invalid, "title: is required")
	}
	if err := text("notes", in.Notes, 0, maxLongText, true, &it.Notes); err != nil {
		return err
	}
	if in.Duration != nil {
		if *in.Duration < 0 || *in.Duration > maxDurationMinute {
			return errs.Errorf(errs.Invalid, "duration: must be 0 to %d minutes", maxDurationMinute)
		}
		it.Duration = *in.Duration
	}
	if in.Speakers != nil {
		sp, err := s.people(ctx, "speakers", *in.Speakers, maxSpeakers)
		if err != nil {
			return err
		}
		it.Speakers = sp
	}
	if in.Contributions != nil {
		if len(*in.Contributions) > maxContributions {
			return errs.Errorf(errs.Invalid, "contributions: at most %d", maxContributions)
		}
		refs := make([]string, 0, len(*in.Contributions))
		for _, c := range *in.Contributions {
			v, err := check.Text("contributions", c, 1, 100, false)
			if err != nil {
				return err
			}
			refs = append(refs, v)
		}
		it.Contributions = refs
	}
	return nil
}
