package review

import (
	"context"
	"fmt"
	"time"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
)

// CirculateInput opens a round.
type CirculateInput struct {
	Name string // the version circulated, e.g. "v1.0"
	// Deadline is a local date-time, "2026-12-10T17:00" (seconds allowed), in Zone.
	Deadline string
	Zone     string // IANA, e.g. "Europe/Zurich"
	Message  string
}

var deadlineLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

func parseDeadline(in CirculateInput, now time.Time) (time.Time, string, error) {
	loc, err := check.Zone("zone", in.Zone)
	if err != nil {
		return time.Time{}, "", err
	}
	for _, layout := range deadlineLayouts {
		t, err := time.ParseInLocation(layout, in.Deadline, loc)
		if err != nil {
			continue
		}
		switch {
		case !t.After(now):
			return time.Time{}, "", errs.Errorf(errs.Invalid, "deadline: must be in the future (it is now %s in %s)",
				now.In(loc).Format("2006-01-02 15:04"), in.Zone)
		case t.Sub(now) > maxDeadlineAhead:
			return time.Time{}, "", errs.Errorf(errs.Invalid, "deadline: at most a year ahead")
		}
		return t.UTC(), loc.String(), nil
	}
	return time.Time{}, "", errs.Errorf(errs.Invalid, "deadline: a date and time YYYY-MM-DDTHH:MM")
}

// Circulate opens a review round on the report's current version, named in.Name, for comments
// until the deadline: from a draft, or from a final version (a new round, which unlocks the
// report). The secretariat and the group's chairs only. The group is notified.
func (s *Service) Circulate(ctx context.Context, actor accounts.User, reportID string, in CirculateInput) (Review, error) {
	a, e, err := s.begin(ctx, actor, reportID, true)
	if err != nil {
		return Review{}, err
	}
	defer e.mu.Unlock()
	d := &e.state
	switch {
	case e.publishing:
		return Review{}, errs.Errorf(errs.Conflict, "the final version is being published; open the next round once it is")
	case d.State == StateDraft, d.State == StateFinal, d.State == StatePublished:
	default:
		return Review{}, errs.Errorf(errs.Conflict, "a round is already open (%s): close it and finalize before opening another", d.round().Name)
	}
	now := s.now()
	deadline, zone, err := parseDeadline(in, now)
	if err != nil {
		return Review{}, err
	}
	name, err := checkName(d, in.Name)
	if err != nil {
		return Review{}, err
	}
	message, err := check.Text("message", in.Message, 0, maxMessage, true)
	if err != nil {
		return Review{}, err
	}
	// A final version is locked; the new round opens it again. Decided on the review's state,
	// read under its lock: what the report said before may be stale.
	reopen := d.State == StateFinal || d.State == StatePublished
	if reopen {
		if err := s.reports.SetLocked(ctx, reportID, false); err != nil {
			return Review{}, err
		}
	}
	relock := func() {
		if reopen {
			if err := s.reports.SetLocked(context.WithoutCancel(ctx), reportID, true); err != nil {
				s.log.Error("lock the final report again after a failed circulation", "report", reportID, "error", err)
			}
		}
	}
	head, err := s.reports.Head(ctx, reportID)
	if err != nil {
		relock()
		return Review{}, err
	}
	by := personOf(actor)
	d.GroupID = a.report.GroupID
	d.State = StateCirculated
	d.Rounds = append(d.Rounds, roundDoc{N: len(d.Rounds) + 1, Name: name, V: head, Deadline: deadline, Zone: zone,
		Message: message, OpenedBy: by, OpenedAt: now})
	d.Versions = append(d.Versions, versionDoc{Name: name, V: head, Kind: VersionCirculated, By: by, At: now})
	d.Transitions = append(d.Transitions, transitionDoc{Action: "circulated", By: by, At: now, Note: name})
	// A deadline within a day is announced with the round: no reminder just after it.
	d.Rounds[len(d.Rounds)-1].Reminded = deadline.Sub(now) <= reminderBefore
	e.circulated = nil
	if err := s.save(ctx, e); err != nil {
		relock()
		return Review{}, err
	}
	if a, err = s.accessOf(ctx, actor, reportID); err != nil { // whether actor may edit now
		return Review{}, err
	}
	s.watch(reportID, deadline)
	loc, _ := time.LoadLocation(zone)
	s.notify(ctx, s.recipients(ctx, a.report, actor.ID), Notice{Kind: "round_opened", ReportID: reportID,
		Title: fmt.Sprintf("Comments invited on %q %s until %s", a.report.Title, name, deadline.In(loc).Format("2 Jan 2006 15:04")+" "+zone),
		Body:  message, Link: reportLink(reportID, "review")})
	s.changed(reportID)
	return s.view(e, a), nil
}

// manager returns actor's access to a report they must manage (the secretariat, the group's
// chairs).
func (s *Service) manager(ctx context.Context, actor accounts.User, reportID string) (access, error) {
	a, err := s.accessOf(ctx, actor, reportID)
	if err != nil {
		return access{}, err
	}
	if !a.manage {
		return access{}, errs.Errorf(errs.Forbidden, "only the secretariat and the group's chairs run the review")
	}
	return a, nil
}

// CloseComments closes the open round before its deadline. Managers only.
func (s *Service) CloseComments(ctx context.Context, actor accounts.User, reportID string) (Review, error) {
	a, e, err := s.begin(ctx, actor, reportID, true)
	if err != nil {
		return Review{}, err
	}
	defer e.mu.Unlock()
	if e.state.State != StateCirculated {
		return Review{}, errs.Errorf(errs.Conflict, "no round is open for comments")
	}
	by := personOf(actor)
	if err := s.closeRound(ctx, e, &by); err != nil {
		return Review{}, err
	}
	return s.view(e, a), nil
}

// closeRound closes the open round, by a person or (nil) at its deadline. e is locked.
func (s *Service) closeRound(ctx context.Context, e *entry, by *person) error {
	d := &e.state
	r := d.round()
	now := s.now()
	if by == nil {
		// Closed by the clock: recorded at the deadline itself, whenever the loop noticed.
		now = r.Deadline
	}
	d.State = StateClosed
	r.ClosedAt, r.ClosedBy = &now, by
	t := transitionDoc{Action: "closed", At: now, Note: r.Name}
	if by != nil {
		t.By = *by
	} else {
		t.Note = r.Name + ": deadline reached"
	}
	d.Transitions = append(d.Transitions, t)
	if err := s.save(ctx, e); err != nil {
		return err
	}
	s.unwatch(d.ID)
	s.changed(d.ID)
	return nil
}

// Finalize makes the report's current version final under a name (e.g. "v2.0") once the round's
// comments are closed, and locks the report against edits. Managers only. The group is notified.
func (s *Service) Finalize(ctx context.Context, actor accounts.User, reportID, name string) (Review, error) {
	a, e, err := s.begin(ctx, actor, reportID, true)
	if err != nil {
		return Review{}, err
	}
	defer e.mu.Unlock()
	d := &e.state
	if d.State != StateClosed {
		return Review{}, errs.Errorf(errs.Conflict, "only a round whose comments are closed can be finalized (the review is %s)", d.State)
	}
	if name, err = checkName(d, name); err != nil {
		return Review{}, err
	}
	if err := s.reports.SetLocked(ctx, reportID, true); err != nil {
		return Review{}, err
	}
	unlock := func() {
		if err := s.reports.SetLocked(context.WithoutCancel(ctx), reportID, false); err != nil {
			s.log.Error("unlock the report after a failed finalization", "report", reportID, "error", err)
		}
	}
	a.edit = false
	head, err := s.reports.Head(ctx, reportID)
	if err != nil {
		unlock()
		return Review{}, err
	}
	by, now := personOf(actor), s.now()
	r := d.round()
	r.FinalName, r.FinalV = name, head
	d.State = StateFinal
	d.Versions = append(d.Versions, versionDoc{Name: name, V: head, Kind: VersionFinal, By: by, At: now})
	d.Transitions = append(d.Transitions, transitionDoc{Action: "finalized", By: by, At: now, Note: name})
	if err := s.save(ctx, e); err != nil {
		unlock()
		return Review{}, err
	}
	s.notify(ctx, s.recipients(ctx, a.report, actor.ID), Notice{Kind: "final", ReportID: reportID,
		Title: fmt.Sprintf("%q is final: %s", a.report.Title, name), Link: reportLink(reportID, "review")})
	s.changed(reportID)
	return s.view(e, a), nil
}

func (s *Service) watch(reportID string, deadline time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open[reportID] = deadline
}

func (s *Service) unwatch(reportID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, reportID)
}

// deadlineLoop closes rounds at their deadline and reminds recipients a day before it.
func (s *Service) deadlineLoop() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.CheckDeadlines(context.Background())
		}
	}
}

// CheckDeadlines closes the rounds whose deadline has passed and sends the reminders due. The
// deadline loop calls it; tests call it to avoid waiting for a tick.
func (s *Service) CheckDeadlines(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	var due []string
	for id, deadline := range s.open {
		if !now.Before(deadline.Add(-reminderBefore)) {
			due = append(due, id)
		}
	}
	s.mu.Unlock()
	for _, id := range due {
		if err := s.checkDeadline(ctx, id, now); err != nil {
			s.log.Warn("review deadline", "report", id, "error", err)
		}
	}
}

func (s *Service) checkDeadline(ctx context.Context, reportID string, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	d := &e.state
	if d.State != StateCirculated {
		s.unwatch(reportID)
		return nil
	}
	r := d.round()
	if !now.Before(r.Deadline) {
		return s.closeRound(ctx, e, nil)
	}
	if r.Reminded {
		return nil
	}
	r.Reminded = true
	if err := s.save(ctx, e); err != nil {
		return err
	}
	rep, err := s.reports.Access(ctx, system, reportID)
	if err != nil {
		return err
	}
	loc, _ := time.LoadLocation(r.Zone)
	s.notify(ctx, s.recipients(ctx, rep, ""), Notice{Kind: "deadline_soon", ReportID: reportID,
		Title: fmt.Sprintf("Comments on %q %s close on %s", rep.Title, r.Name, r.Deadline.In(loc).Format("2 Jan 2006 15:04")+" "+r.Zone),
		Link:  reportLink(reportID, "review")})
	return nil
}
