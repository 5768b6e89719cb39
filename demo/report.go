package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"plenary/accounts"
	"plenary/documents/ot"
	"plenary/documents/reports"
	"plenary/documents/review"
	"plenary/rooms"
)

// reportDraft is a short Chairman's Report of the 2006 meeting, in our own words.
const reportDraft = `# Chairman's Report (draft)

## Opening

The first facilitation meeting for WSIS Action Line C5, building confidence and security in the use of ICTs, took place in Geneva on 15 and 16 May 2006, with ITU as facilitator.[^1]

Participants from governments, the private sector, civil society and international organizations took part in person and remotely.

## Sessions

Over ten sessions, speakers presented national approaches to cybersecurity, legal measures against cybercrime, and national capabilities for watch, warning and incident response.

## Focus areas

At the close of the meeting, three initial focus areas were proposed: sharing national approaches and good practice towards a model national framework; capacity building for harmonized cybercrime legislation; and watch, warning and incident response.

## Follow-up

The chair will circulate this report to the participants for review and comments, and a more detailed proposal for following up the three focus areas will be prepared.

[^1]: The agenda and the documents of the meeting are on its page.
`

// LoadReport writes the draft report in the first demo group as its chair, circulates it as v1.0
// for comments until two weeks from now, and adds a member's comment and suggestion. Call it
// after Load.
func LoadReport(ctx context.Context, acc *accounts.Service, rs *rooms.Service, reps *reports.Service, rev *review.Service) error {
	chair, err := acc.UserByEmail(ctx, people[1].email)
	if err != nil {
		return err
	}
	member, err := acc.UserByEmail(ctx, people[2].email)
	if err != nil {
		return err
	}
	groupID, err := groupNamed(ctx, rs, chair, areas[0].group)
	if err != nil {
		return err
	}
	r, err := reps.Create(ctx, chair, reports.CreateInput{Title: "Chairman's Report of the 2006 facilitation meeting", GroupID: groupID})
	if err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	if _, err := reps.ApplyAt(ctx, chair, r.ID, 1, ot.Op{ot.Insert(reportDraft)}, "demo"); err != nil {
		return fmt.Errorf("demo report text: %w", err)
	}
	deadline := time.Now().AddDate(0, 0, 14).Format("2006-01-02") + "T17:00"
	if _, err := rev.Circulate(ctx, chair, r.ID, review.CirculateInput{Name: "v1.0", Deadline: deadline, Zone: "Europe/Zurich",
		Message: "Please send your comments on this draft before the deadline."}); err != nil {
		return fmt.Errorf("demo review round: %w", err)
	}
	from, to := span(reportDraft, "three initial focus areas were proposed")
	if _, err := rev.AddComment(ctx, member, r.ID, review.CommentInput{From: from, To: to,
		Text: "Could the report say which organizations offered to lead each focus area?"}); err != nil {
		return fmt.Errorf("demo comment: %w", err)
	}
	from, to = span(reportDraft, "in person and remotely")
	if _, err := rev.AddComment(ctx, member, r.ID, review.CommentInput{From: from, To: to, Kind: review.KindSuggestion,
		Replacement: "in person and through remote participation", Text: "Remote participation is the term the agenda uses."}); err != nil {
		return fmt.Errorf("demo suggestion: %w", err)
	}
	return nil
}

// span returns the code point range of the first s in text.
func span(text, s string) (int, int) {
	i := strings.Index(text, s)
	from := len([]rune(text[:i]))
	return from, from + len([]rune(s))
}

func groupNamed(ctx context.Context, rs *rooms.Service, u accounts.User, name string) (string, error) {
	gs, err := rs.Groups(ctx, u)
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if g.Name == name {
			return g.ID, nil
		}
	}
	return "", fmt.Errorf("demo group %q not found", name)
}
