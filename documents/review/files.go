package review

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"plenary/accounts"
	"plenary/contributions"
	"plenary/documents/export"
	"plenary/errs"
)

// File is an exported report.
type File struct {
	Filename    string
	ContentType string
	Body        []byte
}

// Export formats.
const (
	FormatHTML = "html"
	FormatDOCX = "docx"
	FormatPDF  = "pdf"
)

var contentTypes = map[string]string{
	FormatHTML: "text/html; charset=utf-8",
	FormatDOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	FormatPDF:  "application/pdf",
}

// ExportInput chooses what to export.
type ExportInput struct {
	Format string
	V      *int64 // nil: the latest version
	// Annex appends the disposition log of the round the version belongs to.
	Annex bool
}

// Export renders a version of the report as HTML, DOCX or PDF, with a header naming the report,
// its group, the version and its status. Anyone who may read the report.
func (s *Service) Export(ctx context.Context, actor accounts.User, reportID string, in ExportInput) (File, error) {
	a, err := s.accessOf(ctx, actor, reportID)
	if err != nil {
		return File{}, err
	}
	ct, ok := contentTypes[in.Format]
	if !ok {
		return File{}, errs.Errorf(errs.Invalid, "format: html, docx or pdf")
	}
	doc, name, err := s.exportInput(ctx, a, in)
	if err != nil {
		return File{}, err
	}
	var body []byte
	switch in.Format {
	case FormatHTML:
		body = export.HTML(doc)
	case FormatDOCX:
		body, err = s.cfg.Converter.DOCX(ctx, doc)
	case FormatPDF:
		body, err = s.cfg.Converter.PDF(ctx, doc)
	}
	if err != nil {
		return File{}, converterError(err)
	}
	return File{Filename: fileName(a.report.Title, name, in.Format), ContentType: ct, Body: body}, nil
}

// converterError keeps a missing converter's message (it says what to install) and hides the
// details of other failures.
func converterError(err error) error {
	if err == nil || errs.As(err) != nil {
		return err
	}
	if strings.Contains(err.Error(), export.ErrUnavailable.Error()) {
		return errs.Errorf(errs.Internal, "%s", err.Error())
	}
	return fmt.Errorf("export: %w", err)
}

// exportInput gathers the text, header and annex of one version.
func (s *Service) exportInput(ctx context.Context, a access, in ExportInput) (export.Input, string, error) {
	e, err := s.lock(ctx, a.report.ID)
	if err != nil {
		return export.Input{}, "", err
	}
	defer e.mu.Unlock()
	head, err := s.reports.Head(ctx, a.report.ID)
	if err != nil {
		return export.Input{}, "", err
	}
	v := head
	if in.V != nil {
		if *in.V < 1 || *in.V > head {
			return export.Input{}, "", errs.Errorf(errs.Invalid, "v: the report has versions 1 to %d", head)
		}
		v = *in.V
	}
	snap, err := s.reports.Text(ctx, a.report.ID, v)
	if err != nil {
		return export.Input{}, "", err
	}
	name := fmt.Sprintf("version %d", v)
	status := "Draft"
	for _, nv := range e.state.Versions {
		if nv.V == v {
			name = nv.Name
		}
	}
	// The round the version belongs to: the latest one circulated at or before it.
	var round *roundDoc
	for i := range e.state.Rounds {
		if r := &e.state.Rounds[i]; r.V <= v {
			round = r
		}
	}
	if round != nil {
		switch {
		case round.FinalName != "" && round.FinalV == v:
			status = "Final"
		case round.V == v:
			loc, _ := time.LoadLocation(round.Zone)
			status = fmt.Sprintf("Draft circulated for comments until %s (%s)", round.Deadline.In(loc).Format("2 January 2006 15:04"), round.Zone)
		}
	}
	meeting := ""
	if g, err := s.rooms.Group(ctx, system, a.report.GroupID); err == nil {
		meeting = g.Name
	}
	doc := export.Input{Meta: export.Meta{Title: a.report.Title, Meeting: meeting, Version: name, Status: status,
		Language: "English", Date: s.now()}, Markdown: snap.Data}
	if in.Annex && round != nil {
		for _, l := range dispositionLog(e.roundComments(round.N)) {
			doc.Dispositions = append(doc.Dispositions, export.Disposition{Para: l.Para, Comment: l.Comment,
				Commenter: l.Commenter, Kind: l.Kind, Note: l.Note})
		}
	}
	return doc, name, nil
}

// fileName is "<title> <version>.<ext>", kept to letters, digits and a few separators.
func fileName(title, version, ext string) string {
	var b strings.Builder
	for _, r := range title + " " + version {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '_':
			b.WriteRune(r)
		case r < 0x20 || strings.ContainsRune(`/\:*?"<>|`+"\u202e\u202d\u200e\u200f", r):
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Join(strings.Fields(b.String()), " ")
	if name == "" {
		name = "report"
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	return name + "." + ext
}

// PublishInput publishes the final version.
type PublishInput struct {
	// MeetingID names the meeting whose documents receive the report; "" publishes it among the
	// group's documents.
	MeetingID string
	Format    string // pdf (default) or docx
	Annex     bool
}

// Publish exports the final version and submits it as a report among the meeting's (or the
// group's) documents, published at once where the publisher reviews that meeting's documents,
// otherwise waiting in its queue. Managers only, once the version is final.
func (s *Service) Publish(ctx context.Context, actor accounts.User, reportID string, in PublishInput) (Review, error) {
	a, err := s.manager(ctx, actor, reportID)
	if err != nil {
		return Review{}, err
	}
	if in.Format == "" {
		in.Format = FormatPDF
	}
	if in.Format != FormatPDF && in.Format != FormatDOCX {
		return Review{}, errs.Errorf(errs.Invalid, "format: pdf or docx")
	}
	if s.contribs == nil {
		return Review{}, errs.Errorf(errs.Internal, "documents are not available on this server")
	}
	e, err := s.lock(ctx, reportID)
	if err != nil {
		return Review{}, err
	}
	r := e.state.round()
	state, busy := e.state.State, e.publishing
	if state == StateFinal && r != nil && !busy {
		e.publishing = true
		defer func() {
			e.mu.Lock()
			e.publishing = false
			e.mu.Unlock()
		}()
	}
	e.mu.Unlock()
	switch {
	case busy:
		return Review{}, errs.Errorf(errs.Conflict, "the final version is being published already")
	case state != StateFinal || r == nil:
		return Review{}, errs.Errorf(errs.Conflict, "only a final version is published (the review is %s)", state)
	}
	finalV := r.FinalV
	f, err := s.Export(ctx, actor, reportID, ExportInput{Format: in.Format, V: &finalV, Annex: in.Annex})
	if err != nil {
		return Review{}, err
	}
	scope, scopeID := contributions.ScopeMeeting, in.MeetingID
	if scopeID == "" {
		scope, scopeID = contributions.ScopeGroup, a.report.GroupID
	}
	doc, err := s.contribs.Submit(ctx, actor, scope, scopeID, contributions.SubmitInput{
		Title:    a.report.Title + " (" + r.FinalName + ")",
		Authors:  []contributions.Author{{Name: "Chairman", Organization: ""}},
		Language: "en", Kind: contributions.KindReport,
		Abstract: fmt.Sprintf("Final version %s of the report, after the review round %s.", r.FinalName, r.Name),
	}, contributions.File{Filename: f.Filename, DeclaredType: strings.Split(f.ContentType, ";")[0], Body: bytes.NewReader(f.Body)})
	if err != nil {
		return Review{}, err
	}
	published, err := s.contribs.Transition(ctx, actor, doc.ID, contributions.ActionPublish, "")
	switch {
	case err == nil:
		doc = published
	case errs.CodeOf(err) == errs.Forbidden:
		// Not a reviewer of those documents: the secretariat publishes it from its queue.
	default:
		return Review{}, err
	}
	if e, err = s.lock(ctx, reportID); err != nil {
		return Review{}, err
	}
	defer e.mu.Unlock()
	if e.state.State != StateFinal {
		return Review{}, errs.Errorf(errs.Conflict, "the review changed meanwhile (it is %s); document %s was submitted", e.state.State, doc.ID)
	}
	r = e.state.round()
	r.PublishedDoc = doc.ID
	by, now := personOf(actor), s.now()
	e.state.State = StatePublished
	e.state.Transitions = append(e.state.Transitions, transitionDoc{Action: "published", By: by, At: now, Note: r.FinalName + " as " + doc.ID})
	if err := s.save(ctx, e); err != nil {
		return Review{}, err
	}
	s.changed(reportID)
	return s.view(e, a), nil
}
