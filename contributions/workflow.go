package contributions

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
	"plenary/meetings"
)

// Submit checks the form and actor's right to submit before reading the file, then uploads it
// and records the new document, submitted. Nothing is visible unless everything succeeded.
func (s *Service) Submit(ctx context.Context, actor accounts.User, scope, scopeID string, in SubmitInput, f File) (View, error) {
	if actor.ID == "" {
		return View{}, errs.Errorf(errs.Unauthorized, "sign in to submit a document")
	}
	if err := in.validate(); err != nil {
		return View{}, err
	}
	r, err := s.rightsIn(ctx, actor, scope, scopeID)
	if err != nil {
		return View{}, err
	}
	if !r.submit {
		return View{}, errs.Errorf(errs.Forbidden, "only participants (meetings) and members (groups) submit documents; observers read")
	}
	if in.ItemID != "" {
		if scope != ScopeMeeting {
			return View{}, errs.Errorf(errs.Invalid, "item_id: only meeting documents relate to agenda items")
		}
		if !hasItem(r.meeting, in.SessionID, in.ItemID) {
			return View{}, errs.Errorf(errs.Invalid, "item_id: no such item in that session of the agenda")
		}
	}
	rev, err := s.store(ctx, actor, f)
	if err != nil {
		return View{}, err
	}
	now := s.now()
	rev.State = StateSubmitted
	c := &contributionDoc{ID: id.New(), Scope: scope, ScopeID: scopeID, SessionID: in.SessionID, ItemID: in.ItemID,
		Title: in.Title, Authors: in.Authors, Language: in.Language, Kind: in.Kind, Abstract: in.Abstract,
		Submitter: actor.ID, SubmitName: actor.Name, Created: now, Updated: now, Revisions: []revisionDoc{rev},
		Events: []eventDoc{{Action: "submitted", Revision: 0, By: actor.ID, ByName: actor.Name, At: now}}, Version: 1}
	if _, err := s.docs.InsertOne(ctx, c); err != nil {
		s.discard(ctx, rev)
		return View{}, fmt.Errorf("store contribution: %w", err)
	}
	if err := s.reindex(ctx, c); err != nil {
		// Not listed anywhere: take it back whole.
		if _, derr := s.docs.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: c.ID}}); derr != nil {
			s.log.Warn("delete unlisted contribution", "id", c.ID, "error", derr)
		}
		s.discard(ctx, rev)
		return View{}, err
	}
	s.settled(ctx, rev)
	return s.view(c, docRights{scopeRights: r, read: true, readAll: true, reviewer: r.reviews(c.SessionID), owner: true}), nil
}

func hasItem(m *meetings.View, sessionID, itemID string) bool {
	if m == nil || m.Agenda == nil {
		return false
	}
	for _, ss := range m.Agenda.Sessions {
		if ss.ID == sessionID {
			return slices.ContainsFunc(ss.Items, func(it meetings.Item) bool { return it.ID == itemID })
		}
	}
	return false
}

// Revise uploads a new revision of a document (its submitter, or a reviewer). The stable address
// keeps serving the newest published revision until the new one is published. A file identical to
// an existing revision (same SHA-256) is refused, naming that revision.
func (s *Service) Revise(ctx context.Context, actor accounts.User, docID, note string, f File) (View, error) {
	note, err := check.Text("note", note, 0, 1000, true)
	if err != nil {
		return View{}, err
	}
	c, r, err := s.loadFor(ctx, actor, docID)
	if err != nil {
		return View{}, err
	}
	if !s.view(c, r).Can.Revise {
		if !r.owner && !r.reviewer {
			return View{}, errs.Errorf(errs.Forbidden, "only the submitter and the reviewers send revisions")
		}
		return View{}, errs.Errorf(errs.Conflict, "the latest revision waits for a decision; withdraw it first, or wait")
	}
	rev, err := s.store(ctx, actor, f)
	if err != nil {
		return View{}, err
	}
	defer s.locks.lock("doc:" + docID)()
	if c, err = s.load(ctx, docID); err != nil {
		s.discard(ctx, rev)
		return View{}, err
	}
	if r, err = s.rightsOn(ctx, actor, c); err != nil || !(r.owner || r.reviewer) {
		s.discard(ctx, rev)
		if err == nil {
			err = errs.Errorf(errs.Forbidden, "only the submitter and the reviewers send revisions")
		}
		return View{}, err
	}
	if l := c.latest().State; l == StateSubmitted || l == StateAccepted {
		// Another revision arrived while this one was uploading.
		s.discard(ctx, rev)
		return View{}, errs.Errorf(errs.Conflict, "another revision was sent meanwhile and waits for a decision; nothing was changed")
	}
	for _, old := range c.Revisions {
		if old.SHA256 == rev.SHA256 {
			s.discard(ctx, rev)
			return View{}, errs.Errorf(errs.Conflict, "This file is identical to %s (same SHA-256); nothing was changed.", revisionName(c, old.N))
		}
	}
	rev.N, rev.State, rev.Note = c.latest().N+1, StateSubmitted, note
	c.Revisions = append(c.Revisions, rev)
	c.addEvent(eventDoc{Action: "revised", Revision: rev.N, By: actor.ID, ByName: actor.Name, At: rev.At, Note: note})
	c.Version++
	if err := s.save(ctx, c); err != nil {
		s.discard(ctx, rev)
		return View{}, err
	}
	s.settled(ctx, rev) // the document refers to the file from here on
	if err := s.reindex(ctx, c); err != nil {
		return View{}, err
	}
	return s.view(c, r), nil
}

func revisionName(c *contributionDoc, n int) string {
	if c.Symbol != "" {
		return revisionSymbol(c.Symbol, n)
	}
	if n == 0 {
		return "the original"
	}
	return "Rev." + fmt.Sprint(n)
}

func (c *contributionDoc) addEvent(e eventDoc) {
	c.Events = append(c.Events, e)
	if len(c.Events) > maxEvents {
		c.Events = slices.Delete(c.Events, 1, len(c.Events)-maxEvents+1) // keep the submission
	}
	c.Updated = e.At
}

// commit stores a changed document and its index entries. Callers hold the document's lock.
func (s *Service) commit(ctx context.Context, c *contributionDoc) error {
	c.Version++
	if err := s.save(ctx, c); err != nil {
		return err
	}
	return s.reindex(ctx, c)
}

// loadFor reads a document actor may see, with their rights; not_found otherwise.
func (s *Service) loadFor(ctx context.Context, actor accounts.User, docID string) (*contributionDoc, docRights, error) {
	c, err := s.load(ctx, docID)
	if err != nil {
		return nil, docRights{}, err
	}
	r, err := s.rightsOn(ctx, actor, c)
	if err != nil {
		return nil, docRights{}, err
	}
	if !r.read {
		return nil, docRights{}, errNotFound
	}
	return c, r, nil
}

// Actions of Transition.
const (
	ActionAccept   = "accept"
	ActionPublish  = "publish"
	ActionReturn   = "return"
	ActionWithdraw = "withdraw"
)

// Transition moves the latest revision on: accept (a reviewer; gives the document its symbol if
// it has none), publish (a reviewer; accepts first if needed), return (a reviewer, with a reason)
// or withdraw (the submitter). Every transition is recorded with who and when.
func (s *Service) Transition(ctx context.Context, actor accounts.User, docID, action, reason string) (View, error) {
	reason, err := check.Text("reason", reason, 0, 1000, true)
	if err != nil {
		return View{}, err
	}
	if err := check.OneOf("action", action, ActionAccept, ActionPublish, ActionReturn, ActionWithdraw); err != nil {
		return View{}, err
	}
	if action == ActionReturn && reason == "" {
		return View{}, errs.Errorf(errs.Invalid, "reason: say why the document is returned, so that its submitter can act on it")
	}
	defer s.locks.lock("doc:" + docID)()
	c, r, err := s.loadFor(ctx, actor, docID)
	if err != nil {
		return View{}, err
	}
	can := s.view(c, r).Can
	allowed := map[string]bool{ActionAccept: can.Accept, ActionPublish: can.Publish, ActionReturn: can.Return, ActionWithdraw: can.Withdraw}[action]
	if !allowed {
		if (action == ActionWithdraw && !r.owner) || (action != ActionWithdraw && !r.reviewer) {
			who := "the secretariat and the chairs"
			if action == ActionWithdraw {
				who = "its submitter"
			}
			return View{}, errs.Errorf(errs.Forbidden, "only %s may %s this document", who, action)
		}
		return View{}, errs.Errorf(errs.Conflict, "the document is %s; it cannot be %s now", c.latest().State, pastTense(action))
	}
	now := s.now()
	rev := c.latest()
	claimed := ""
	if (action == ActionAccept || action == ActionPublish) && c.Symbol == "" {
		if c.Symbol, err = s.assignSymbol(ctx, c); err != nil {
			return View{}, err
		}
		claimed = c.Symbol
	}
	if action == ActionPublish && rev.State == StateSubmitted {
		c.addEvent(eventDoc{Action: "accepted", Revision: rev.N, By: actor.ID, ByName: actor.Name, At: now})
	}
	rev.State = map[string]string{ActionAccept: StateAccepted, ActionPublish: StatePublished, ActionReturn: StateReturned, ActionWithdraw: StateWithdrawn}[action]
	if action == ActionReturn {
		rev.Reason = reason
	}
	c.addEvent(eventDoc{Action: pastTense(action), Revision: rev.N, By: actor.ID, ByName: actor.Name, At: now, Note: reason})
	if err := s.commit(ctx, c); err != nil {
		if claimed != "" { // not given after all: the series keeps no hole
			s.releaseSymbol(ctx, c, claimed)
		}
		return View{}, err
	}
	return s.view(c, r), nil
}

func pastTense(action string) string {
	switch action {
	case ActionAccept:
		return "accepted"
	case ActionPublish:
		return "published"
	case ActionReturn:
		return "returned"
	case ActionWithdraw:
		return "withdrawn"
	}
	return action
}

// Attach relates a meeting document to an agenda item and lists its symbol among the item's
// documents (and removes it from the item it was related to before). It needs the right to edit
// that session's items (the secretariat or the session's chairs) besides reviewing the document.
func (s *Service) Attach(ctx context.Context, actor accounts.User, docID, sessionID, itemID string) (View, error) {
	if err := check.ID("session_id", sessionID); err != nil {
		return View{}, err
	}
	if err := check.ID("item_id", itemID); err != nil {
		return View{}, err
	}
	defer s.locks.lock("doc:" + docID)()
	c, r, err := s.loadFor(ctx, actor, docID)
	if err != nil {
		return View{}, err
	}
	if !s.view(c, r).Can.Attach {
		if st := c.latest().State; r.reviewer && c.Scope == ScopeMeeting && (st == StateReturned || st == StateWithdrawn) {
			return View{}, errs.Errorf(errs.Conflict, "a %s document cannot be attached to the agenda", st)
		}
		return View{}, errs.Errorf(errs.Forbidden, "only the secretariat and the session's chairs attach meeting documents to agenda items")
	}
	if c.Symbol == "" {
		return View{}, errs.Errorf(errs.Conflict, "accept the document first: the agenda lists it by its symbol")
	}
	if !hasItem(r.meeting, sessionID, itemID) {
		return View{}, errs.Errorf(errs.Invalid, "item_id: no such item in that session of the agenda")
	}
	if !slices.Contains(r.reviewSessions, sessionID) {
		return View{}, errs.Errorf(errs.Forbidden, "only the secretariat and that session's chairs list documents on its items")
	}
	// The document first, then the agenda; if the agenda refuses, the document goes back.
	before := *c
	before.Events = slices.Clone(c.Events)
	c.SessionID, c.ItemID = sessionID, itemID
	c.addEvent(eventDoc{Action: "attached", Revision: c.latest().N, By: actor.ID, ByName: actor.Name, At: s.now()})
	if err := s.commit(ctx, c); err != nil {
		return View{}, err
	}
	if err := s.listOnItem(ctx, actor, &before, sessionID, itemID); err != nil {
		before.Version = c.Version + 1
		if _, rerr := s.docs.ReplaceOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: c.ID}, {Key: "version", Value: c.Version}}, &before); rerr != nil {
			s.log.Warn("undo attaching", "id", c.ID, "error", rerr)
		} else if rerr := s.reindex(context.WithoutCancel(ctx), &before); rerr != nil {
			s.log.Warn("undo attaching", "id", c.ID, "error", rerr)
		}
		return View{}, err
	}
	return s.Get(ctx, actor, docID) // with the agenda as it is now
}

// listOnItem adds the document's symbol to the item's documents, and takes it off the item it was
// on, through the meetings service (which checks the right to edit those sessions).
func (s *Service) listOnItem(ctx context.Context, actor accounts.User, c *contributionDoc, sessionID, itemID string) error {
	m, err := s.meetings.Get(ctx, actor, c.ScopeID)
	if err != nil {
		return err
	}
	change := func(sid, iid string, edit func([]string) []string) error {
		for _, ss := range m.Agenda.Sessions {
			for _, it := range ss.Items {
				if ss.ID != sid || it.ID != iid {
					continue
				}
				list := edit(slices.Clone(it.Contributions))
				if slices.Equal(list, it.Contributions) {
					return nil
				}
				m, err = s.meetings.UpdateItem(ctx, actor, c.ScopeID, m.Version, sid, iid, meetings.ItemInput{Contributions: &list})
				return err
			}
		}
		return nil
	}
	if c.ItemID != "" && (c.SessionID != sessionID || c.ItemID != itemID) {
		if err := change(c.SessionID, c.ItemID, func(l []string) []string {
			return slices.DeleteFunc(l, func(x string) bool { return x == c.Symbol })
		}); err != nil {
			return err
		}
	}
	return change(sessionID, itemID, func(l []string) []string {
		if !slices.Contains(l, c.Symbol) {
			l = append(l, c.Symbol)
		}
		return l
	})
}

// Settings are a meeting's or group's numbering scheme: symbols are Prefix/Code/NNN, e.g.
// C5/2026/C/007.
type Settings struct {
	Prefix string            `json:"prefix" bson:"prefix"`
	Codes  map[string]string `json:"codes" bson:"codes"`
}

type settingsDoc struct {
	ID       string `bson:"_id"`
	Settings `bson:",inline"`
}

// settingsOf returns the scheme of a scope: stored, or the default "DOC/<year>" with C, P, INF, R.
func (s *Service) settingsOf(ctx context.Context, scope, scopeID string) (Settings, error) {
	var d settingsDoc
	err := s.settings.FindOne(ctx, bson.D{{Key: "_id", Value: scopeKey(scope, scopeID)}}).Decode(&d)
	if err != nil && err != mongo.ErrNoDocuments {
		return Settings{}, fmt.Errorf("read numbering of %s: %w", scopeID, err)
	}
	out := Settings{Prefix: d.Prefix, Codes: map[string]string{}}
	if out.Prefix == "" {
		out.Prefix = fmt.Sprintf("DOC/%d", s.now().Year())
	}
	for k, v := range defaultCodes {
		out.Codes[k] = v
	}
	for k, v := range d.Codes {
		if v != "" {
			out.Codes[k] = v
		}
	}
	return out, nil
}

// GetSettings answers a scope's numbering scheme to those who may see the scope.
func (s *Service) GetSettings(ctx context.Context, actor accounts.User, scope, scopeID string) (Settings, error) {
	if _, err := s.rightsIn(ctx, actor, scope, scopeID); err != nil {
		return Settings{}, err
	}
	return s.settingsOf(ctx, scope, scopeID)
}

// SetSettings changes a scope's numbering scheme (the secretariat). Symbols already given stay.
func (s *Service) SetSettings(ctx context.Context, actor accounts.User, scope, scopeID string, in Settings) (Settings, error) {
	if _, err := s.rightsIn(ctx, actor, scope, scopeID); err != nil {
		return Settings{}, err
	}
	if !actor.IsSecretariat() {
		return Settings{}, errs.Errorf(errs.Forbidden, "only the secretariat sets the numbering of documents")
	}
	prefix, err := symbolPart("prefix", in.Prefix, 40)
	if err != nil {
		return Settings{}, err
	}
	codes := map[string]string{}
	for k, v := range in.Codes {
		if !slices.Contains(Kinds, k) {
			return Settings{}, errs.Errorf(errs.Invalid, "codes: kinds are %s", strings.Join(Kinds, ", "))
		}
		if codes[k], err = symbolPart("codes."+k, v, 8); err != nil {
			return Settings{}, err
		}
	}
	d := settingsDoc{ID: scopeKey(scope, scopeID), Settings: Settings{Prefix: prefix, Codes: codes}}
	if _, err := s.settings.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, replaceUpsert); err != nil {
		return Settings{}, fmt.Errorf("store numbering of %s: %w", scopeID, err)
	}
	return s.settingsOf(ctx, scope, scopeID)
}

// symbolPart checks a part of a symbol: letters, digits, '/', '-' and '.'.
func symbolPart(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > max {
		return "", errs.Errorf(errs.Invalid, "%s: 1 to %d characters", field, max)
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '/' || r == '-' || r == '.') {
			return "", errs.Errorf(errs.Invalid, "%s: letters, digits, '/', '-' and '.' only", field)
		}
	}
	return v, nil
}

// releaseSymbol gives back a number claimed for a document whose change failed.
func (s *Service) releaseSymbol(ctx context.Context, c *contributionDoc, sym string) {
	_, err := s.symbols.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: scopeKey(c.Scope, c.ScopeID) + ":" + sym}})
	if err != nil {
		s.log.Warn("release symbol", "symbol", sym, "error", err)
	}
}

// assignSymbol gives a document the next free number of its scope and kind. Numbers are claimed
// by inserting "<scope>:<id>:<prefix/code>:<n>": a duplicate key means taken, also by another
// process, and the next is tried. The search starts after the numbers the scope's index shows.
func (s *Service) assignSymbol(ctx context.Context, c *contributionDoc) (string, error) {
	st, err := s.settingsOf(ctx, c.Scope, c.ScopeID)
	if err != nil {
		return "", err
	}
	base := st.Prefix + "/" + st.Codes[c.Kind] + "/"
	d, err := s.readIndex(ctx, scopeKey(c.Scope, c.ScopeID))
	if err != nil {
		return "", err
	}
	n := 1
	for _, e := range d.Entries {
		if strings.HasPrefix(e.Symbol, base) {
			n++
		}
	}
	for range 1000 {
		sym := fmt.Sprintf("%s%03d", base, n)
		_, err := s.symbols.InsertOne(ctx, bson.D{{Key: "_id", Value: scopeKey(c.Scope, c.ScopeID) + ":" + sym}, {Key: "doc", Value: c.ID}})
		if err == nil {
			return sym, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return "", fmt.Errorf("claim symbol %s: %w", sym, err)
		}
		n++
	}
	return "", errs.Errorf(errs.Conflict, "no free document number found; try again")
}
