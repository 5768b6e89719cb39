package review

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"plenary/accounts"
	"plenary/check"
	"plenary/documents/ot"
	"plenary/documents/render"
	"plenary/documents/reports"
	"plenary/errs"
)

// circulatedText is the current round's version: its text as code points and its numbered
// paragraphs, which comments cite.
type circulatedText struct {
	round int
	text  []rune
	paras []render.Paragraph
}

// circulated returns the open round's version, rendered once per round. e is locked.
func (s *Service) circulated(ctx context.Context, e *entry, r *roundDoc) (*circulatedText, error) {
	if c := e.circulated; c != nil && c.round == r.N {
		return c, nil
	}
	snap, err := s.reports.Text(ctx, e.state.ID, r.V)
	if err != nil {
		return nil, err
	}
	c := &circulatedText{round: r.N, text: []rune(snap.Data), paras: render.Report(snap.Data).Paragraphs}
	e.circulated = c
	return c, nil
}

// paragraphAt returns the numbered paragraph holding code point pos (at its end included), or
// a zero Paragraph.
func (c *circulatedText) paragraphAt(pos int) render.Paragraph {
	for _, p := range c.paras {
		if pos >= p.From && pos <= p.To {
			return p
		}
	}
	return render.Paragraph{}
}

// CommentInput is a new comment or suggestion on the open round's version.
type CommentInput struct {
	// From and To are code points in the circulated version; From == To comments the whole
	// paragraph at From.
	From, To    int
	Kind        string // comment (default) or suggestion
	Text        string
	Replacement string   // a suggestion's proposed text for [From, To)
	Mentions    []string // user ids
}

// AddComment records a comment or a suggestion during the open round, before its deadline by
// the server's clock. Members, chairs and drafters; observers only read. Mentioned people are
// notified.
func (s *Service) AddComment(ctx context.Context, actor accounts.User, reportID string, in CommentInput) (Comment, error) {
	a, e, err := s.begin(ctx, actor, reportID, false)
	if err != nil {
		return Comment{}, err
	}
	defer e.mu.Unlock()
	r, err := s.openRound(e, a)
	if err != nil {
		return Comment{}, err
	}
	if err := s.writes.Allow(actor.ID, s.now()); err != nil {
		return Comment{}, err
	}
	if e.state.Comments >= maxComments {
		return Comment{}, errs.Errorf(errs.Invalid, "the report has reached %d comments", maxComments)
	}
	c := &commentDoc{Report: reportID, Round: r.N, Kind: in.Kind, Author: personOf(actor), CreatedAt: s.now(),
		VersionName: r.Name, Replies: []replyDoc{}}
	switch in.Kind {
	case "", KindComment:
		c.Kind = KindComment
		if c.Text, err = check.Text("text", in.Text, 1, maxCommentText, true); err != nil {
			return Comment{}, err
		}
	case KindSuggestion:
		c.Suggestion = SuggestionPending
		if c.Text, err = check.Text("text", in.Text, 0, maxCommentText, true); err != nil {
			return Comment{}, err
		}
		if c.Replacement, err = checkReplacement(in.Replacement); err != nil {
			return Comment{}, err
		}
	default:
		return Comment{}, errs.Errorf(errs.Invalid, "kind: comment or suggestion")
	}
	text, err := s.circulated(ctx, e, r)
	if err != nil {
		return Comment{}, err
	}
	if in.From < 0 || in.To < in.From || in.To > len(text.text) {
		return Comment{}, errs.Errorf(errs.Invalid, "from, to: a range within the %d characters of %s", len(text.text), r.Name)
	}
	p := text.paragraphAt(in.From)
	if in.From == in.To {
		if p.N == 0 {
			return Comment{}, errs.Errorf(errs.Invalid, "from: not within a numbered paragraph of %s", r.Name)
		}
		in.From, in.To = p.From, p.To
	}
	if c.Kind == KindSuggestion && c.Replacement == string(text.text[in.From:in.To]) {
		return Comment{}, errs.Errorf(errs.Invalid, "replacement: it is the text already there")
	}
	if c.Mentions, err = s.mentions(ctx, a.report, in.Mentions); err != nil {
		return Comment{}, err
	}
	c.Para = p.N
	c.Quote = string(text.text[in.From:min(in.To, in.From+maxQuote)])
	c.Base = anchorDoc{From: in.From, To: in.To, V: r.V}
	c.Anchor = c.Base
	// The number is taken first: a crash before the comment is written leaves a gap, never two
	// comments under one number.
	e.state.Comments++
	c.N = e.state.Comments
	c.ID = commentKey(reportID, c.N)
	e.state.GroupID = a.report.GroupID
	if err := s.save(ctx, e); err != nil {
		return Comment{}, err
	}
	if _, err := s.comments.InsertOne(ctx, c); err != nil {
		e.loaded = false
		return Comment{}, fmt.Errorf("store comment: %w", err)
	}
	e.storedV[c.N] = c.Anchor.V
	e.comments = append(e.comments, c)
	s.notifyMentions(ctx, a.report, actor, c.Mentions, c, c.Text)
	s.changed(reportID)
	return s.commentView(c, actor), nil
}

func checkReplacement(v string) (string, error) {
	// Not trimmed: spaces around a replacement are part of the text it proposes.
	if _, err := check.Text("replacement", v, 0, maxReplacement, true); err != nil {
		return "", err
	}
	return v, nil
}

// openRound returns the round comments go to now, or why there is none. e is locked.
func (s *Service) openRound(e *entry, a access) (*roundDoc, error) {
	r := e.state.round()
	switch {
	case !a.comment:
		return nil, errs.Errorf(errs.Forbidden, "only the group's members, chairs and the report's drafters comment; observers read")
	case e.state.State != StateCirculated || r == nil:
		return nil, errs.Errorf(errs.Conflict, "the report is not circulated for comments")
	case !s.now().Before(r.Deadline):
		return nil, errs.Errorf(errs.Conflict, "comments on %s closed at the deadline, %s UTC", r.Name, r.Deadline.Format("2006-01-02 15:04"))
	}
	return r, nil
}

// mentions resolves mentioned user ids to the group's members and the report's drafters.
func (s *Service) mentions(ctx context.Context, r reports.Report, ids []string) ([]person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > maxMentions {
		return nil, errs.Errorf(errs.Invalid, "mentions: at most %d people", maxMentions)
	}
	g, err := s.rooms.Group(ctx, system, r.GroupID)
	if err != nil {
		return nil, err
	}
	known := map[string]string{}
	for _, m := range g.Members {
		known[m.UserID] = m.Name
	}
	for _, d := range r.Drafters {
		known[d.ID] = d.Name
	}
	var out []person
	for _, id := range ids {
		name, ok := known[id]
		if !ok {
			return nil, errs.Errorf(errs.Invalid, "mentions: %q is not a member of the report's group", id)
		}
		if !slices.ContainsFunc(out, func(p person) bool { return p.ID == id }) {
			out = append(out, person{ID: id, Name: name})
		}
	}
	return out, nil
}

func (s *Service) notifyMentions(ctx context.Context, r reports.Report, actor accounts.User, ms []person, c *commentDoc, text string) {
	var ids []string
	for _, m := range ms {
		if m.ID != actor.ID {
			ids = append(ids, m.ID)
		}
	}
	s.notify(ctx, ids, Notice{Kind: "mention", ReportID: r.ID, Body: text, Link: reportLink(r.ID, "review"),
		Title: fmt.Sprintf("%s mentioned you in comment %d on %q (paragraph %d of %s)", actor.Name, c.N, r.Title, c.Para, c.VersionName)})
}

// find returns comment n. e is locked.
func (e *entry) find(n int) (*commentDoc, error) {
	for _, c := range e.comments {
		if c.N == n {
			return c, nil
		}
	}
	return nil, errs.Errorf(errs.NotFound, "no comment %d", n)
}

// Reply adds a reply to a comment's thread while its round is open. The comment's author and the
// people who replied before are notified, as are the people mentioned.
func (s *Service) Reply(ctx context.Context, actor accounts.User, reportID string, n int, text string, mentionIDs []string) (Comment, error) {
	a, e, c, err := s.beginComment(ctx, actor, reportID, n, false)
	if err != nil {
		return Comment{}, err
	}
	defer e.mu.Unlock()
	// The chair answers comments while disposing of them, after the round closed too.
	if !a.manage {
		r, err := s.openRound(e, a)
		if err != nil {
			return Comment{}, err
		}
		if c.Round != r.N {
			return Comment{}, errs.Errorf(errs.Conflict, "comment %d belongs to an earlier round", n)
		}
	}
	if err := s.writes.Allow(actor.ID, s.now()); err != nil {
		return Comment{}, err
	}
	if len(c.Replies) >= maxReplies {
		return Comment{}, errs.Errorf(errs.Invalid, "a comment holds at most %d replies", maxReplies)
	}
	if text, err = check.Text("text", text, 1, maxCommentText, true); err != nil {
		return Comment{}, err
	}
	ms, err := s.mentions(ctx, a.report, mentionIDs)
	if err != nil {
		return Comment{}, err
	}
	reply := replyDoc{ID: len(c.Replies) + 1, Author: personOf(actor), Text: text, Mentions: ms, At: s.now()}
	c.Replies = append(c.Replies, reply)
	if err := s.saveComment(ctx, e, c); err != nil {
		return Comment{}, err
	}
	// Everyone in the thread hears of the reply, except its author and the people mentioned
	// (they get the mention instead).
	thread := []string{c.Author.ID}
	for _, r := range c.Replies[:len(c.Replies)-1] {
		thread = append(thread, r.Author.ID)
	}
	var ids []string
	for _, id := range thread {
		if id != actor.ID && !slices.Contains(ids, id) && !slices.ContainsFunc(ms, func(p person) bool { return p.ID == id }) {
			ids = append(ids, id)
		}
	}
	s.notify(ctx, ids, Notice{Kind: "reply", ReportID: reportID, Body: text, Link: reportLink(reportID, "review"),
		Title: fmt.Sprintf("%s replied to comment %d on %q", actor.Name, c.N, a.report.Title)})
	s.notifyMentions(ctx, a.report, actor, ms, c, text)
	s.changed(reportID)
	return s.commentView(c, actor), nil
}

// Dispose records the chair's disposition of a comment: accepted, accepted with modification,
// rejected (with a reason) or noted. It may be changed until the version is final. The comment's
// author is notified.
func (s *Service) Dispose(ctx context.Context, actor accounts.User, reportID string, n int, kind, note string) (Comment, error) {
	a, e, c, err := s.beginComment(ctx, actor, reportID, n, true)
	if err != nil {
		return Comment{}, err
	}
	defer e.mu.Unlock()
	if err := s.disposable(e, c); err != nil {
		return Comment{}, err
	}
	if !slices.Contains(Dispositions, kind) {
		return Comment{}, errs.Errorf(errs.Invalid, "kind: one of accepted, modified, rejected, noted")
	}
	accepting := kind == DispAccepted || kind == DispModified
	switch {
	case c.Kind != KindSuggestion:
	case c.Suggestion == SuggestionPending && accepting:
		return Comment{}, errs.Errorf(errs.Conflict, "accept the suggestion itself to apply its text, or give it another disposition")
	case c.Suggestion == SuggestionAccepted && !accepting:
		return Comment{}, errs.Errorf(errs.Conflict, "suggestion %d was applied to the report: its disposition stays accepted", c.N)
	case c.Suggestion == SuggestionRejected && accepting:
		return Comment{}, errs.Errorf(errs.Conflict, "suggestion %d was rejected and not applied: it cannot be accepted now", c.N)
	}
	minNote := 0
	if kind == DispRejected {
		minNote = 1
	}
	if note, err = check.Text("note", note, minNote, maxCommentText, true); err != nil {
		if minNote == 1 && note == "" {
			return Comment{}, errs.Errorf(errs.Invalid, "note: a rejection needs a reason")
		}
		return Comment{}, err
	}
	c.Disposition = &dispositionDoc{Kind: kind, Note: note, By: personOf(actor), At: s.now()}
	if c.Kind == KindSuggestion && c.Suggestion == SuggestionPending && kind == DispRejected {
		c.Suggestion = SuggestionRejected
	}
	if err := s.saveComment(ctx, e, c); err != nil {
		return Comment{}, err
	}
	s.notifyDisposition(ctx, a, actor, c)
	s.changed(reportID)
	return s.commentView(c, actor), nil
}

// disposable tells whether the chair may still dispose of c: a comment of the current round,
// before its version is final.
func (s *Service) disposable(e *entry, c *commentDoc) error {
	r := e.state.round()
	if r == nil || c.Round != r.N {
		return errs.Errorf(errs.Conflict, "comment %d belongs to an earlier round", c.N)
	}
	if e.state.State == StateFinal || e.state.State == StatePublished {
		return errs.Errorf(errs.Conflict, "%s is final: its dispositions are settled", r.FinalName)
	}
	return nil
}

var dispositionWords = map[string]string{DispAccepted: "accepted", DispModified: "accepted with modification",
	DispRejected: "rejected", DispNoted: "noted"}

func (s *Service) notifyDisposition(ctx context.Context, a access, actor accounts.User, c *commentDoc) {
	if c.Author.ID == actor.ID {
		return
	}
	s.notify(ctx, []string{c.Author.ID}, Notice{Kind: "disposition", ReportID: a.report.ID, Body: c.Disposition.Note,
		Link:  reportLink(a.report.ID, "review"),
		Title: fmt.Sprintf("Your comment %d on %q was %s", c.N, a.report.Title, dispositionWords[c.Disposition.Kind])})
}

// DecideSuggestion accepts or rejects a suggestion. Accepting applies its replacement to the
// report as an edit by the chair through the report's authority (transformed through every edit
// since the circulated version, like any editor's op) and disposes of it as accepted; rejecting
// needs a reason. Managers only, before the version is final.
func (s *Service) DecideSuggestion(ctx context.Context, actor accounts.User, reportID string, n int, accept bool, note string) (Comment, error) {
	a, err := s.manager(ctx, actor, reportID)
	if err != nil {
		return Comment{}, err
	}
	if !accept {
		return s.Dispose(ctx, actor, reportID, n, DispRejected, note)
	}
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return Comment{}, err
	}
	defer e.mu.Unlock()
	c, err := e.find(n)
	if err != nil {
		return Comment{}, err
	}
	if c.Kind != KindSuggestion {
		return Comment{}, errs.Errorf(errs.Invalid, "comment %d is not a suggestion", n)
	}
	if c.Suggestion != SuggestionPending {
		return Comment{}, errs.Errorf(errs.Conflict, "suggestion %d was already %s", n, c.Suggestion)
	}
	if err := s.disposable(e, c); err != nil {
		return Comment{}, err
	}
	if note, err = check.Text("note", note, 0, maxCommentText, true); err != nil {
		return Comment{}, err
	}
	op := ot.Normalize(ot.Op{ot.Skip(c.Base.From), ot.Delete(c.Base.To - c.Base.From), ot.Insert(c.Replacement)})
	v, err := s.reports.ApplyAt(ctx, actor, reportID, c.Base.V, op, "suggestion:"+strconv.Itoa(c.N))
	if err != nil {
		return Comment{}, err
	}
	c.Suggestion, c.AppliedV = SuggestionAccepted, v
	c.Disposition = &dispositionDoc{Kind: DispAccepted, Note: note, By: personOf(actor), At: s.now()}
	if err := s.saveComment(ctx, e, c); err != nil {
		return Comment{}, err
	}
	s.notifyDisposition(ctx, a, actor, c)
	s.changed(reportID)
	return s.commentView(c, actor), nil
}

// Comments lists a round's comments (round 0: the latest), with their anchors followed to the
// report's latest version.
func (s *Service) Comments(ctx context.Context, actor accounts.User, reportID string, round int) ([]Comment, error) {
	if _, err := s.accessOf(ctx, actor, reportID); err != nil {
		return nil, err
	}
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	cs := e.roundComments(round)
	if err := s.follow(ctx, e, cs); err != nil {
		return nil, err
	}
	out := make([]Comment, 0, len(cs))
	for _, c := range cs {
		out = append(out, s.commentView(c, actor))
	}
	return out, nil
}

// roundComments returns the comments of round n (0: the latest round). e is locked.
func (e *entry) roundComments(n int) []*commentDoc {
	if n <= 0 {
		if r := e.state.round(); r != nil {
			n = r.N
		}
	}
	var out []*commentDoc
	for _, c := range e.comments {
		if c.Round == n {
			out = append(out, c)
		}
	}
	return out
}

// anchorWriteEvery is how far (in versions) an anchor is followed in memory before it is
// written back, so that a restarted server does not follow it from its base again.
const anchorWriteEvery = 200

// follow moves the comments' anchors through the edits made since they were last followed.
// e is locked.
func (s *Service) follow(ctx context.Context, e *entry, cs []*commentDoc) error {
	ranges := make([]*reports.Range, 0, len(cs))
	for _, c := range cs {
		ranges = append(ranges, &reports.Range{From: c.Anchor.From, To: c.Anchor.To, V: c.Anchor.V, Gone: c.Anchor.Gone})
	}
	if _, err := s.reports.Follow(ctx, e.state.ID, ranges); err != nil {
		return err
	}
	for i, c := range cs {
		r := ranges[i]
		c.Anchor = anchorDoc{From: r.From, To: r.To, V: r.V, Gone: r.Gone}
		if c.Anchor.V-e.storedV[c.N] >= anchorWriteEvery {
			if err := s.saveComment(ctx, e, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// DispositionLog returns a round's disposition log (round 0: the latest), in paragraph order.
func (s *Service) DispositionLog(ctx context.Context, actor accounts.User, reportID string, round int) ([]LogEntry, error) {
	if _, err := s.accessOf(ctx, actor, reportID); err != nil {
		return nil, err
	}
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	return dispositionLog(e.roundComments(round)), nil
}

func dispositionLog(cs []*commentDoc) []LogEntry {
	out := make([]LogEntry, 0, len(cs))
	for _, c := range cs {
		text := c.Text
		if c.Kind == KindSuggestion {
			text = fmt.Sprintf("Suggests replacing %q with %q. %s", c.Quote, c.Replacement, c.Text)
		}
		l := LogEntry{Para: c.Para, N: c.N, Comment: text, Commenter: c.Author.Name}
		if d := c.Disposition; d != nil {
			l.Kind, l.Note = d.Kind, d.Note
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b LogEntry) int {
		if a.Para != b.Para {
			return a.Para - b.Para
		}
		return a.N - b.N
	})
	return out
}

func (s *Service) commentView(c *commentDoc, viewer accounts.User) Comment {
	out := Comment{N: c.N, Round: c.Round, Kind: c.Kind, Author: c.Author, CreatedAt: c.CreatedAt, Text: c.Text,
		Mentions: orEmpty(c.Mentions), Quote: c.Quote, Para: c.Para, VersionName: c.VersionName, Base: c.Base,
		Anchor: c.Anchor, Replacement: c.Replacement, Suggestion: c.Suggestion, AppliedV: c.AppliedV,
		Replies: make([]Reply, 0, len(c.Replies)), Mine: c.Author.ID == viewer.ID}
	for _, r := range c.Replies {
		out.Replies = append(out.Replies, Reply{ID: r.ID, Author: r.Author, Text: r.Text, Mentions: orEmpty(r.Mentions), At: r.At})
	}
	if d := c.Disposition; d != nil {
		out.Disposition = &Disposition{Kind: d.Kind, Note: d.Note, By: d.By, At: d.At}
	}
	return out
}

func orEmpty(ps []person) []person {
	if ps == nil {
		return []person{}
	}
	return ps
}
