package demo

import (
	"context"
	"fmt"
	"strings"

	"plenary/accounts"
	"plenary/contributions"
	"plenary/meetings"
)

// The documents the 2006 Chairman's Report mentions: two written contributions and a study,
// published under the meeting's symbols C5/2006/…. Their text is not reproduced: each demo file
// says what the original was.

type demoDocument struct {
	title, kind, language, org, item, text string
}

var documents = []demoDocument{
	{title: "Contribution from the Russian Federation", kind: contributions.KindContribution, language: "en",
		org: "Russian Federation", item: "Statement by the Russian Federation",
		text: "The Russian Federation asked for international information security to be treated as a whole, " +
			"from spam and cybercrime to the hostile use of ICTs by states."},
	{title: "Contribution from Indonesia", kind: contributions.KindContribution, language: "en", org: "Indonesia",
		text: "Indonesia sent a written contribution to the meeting."},
	{title: "Measuring the capability to counter cybersecurity offences", kind: contributions.KindInformation,
		language: "en", org: "ITU",
		text: "A study on how to measure a country's capability to counter cybersecurity offences, submitted to the meeting."},
}

// LoadDocuments numbers the demo meeting's documents C5/2006/… and publishes the documents above,
// sent by the secretariat. Call it after Load.
func LoadDocuments(ctx context.Context, acc *accounts.Service, ms *meetings.Service, cs *contributions.Service) error {
	sec, err := acc.UserByEmail(ctx, people[0].email)
	if err != nil {
		return err
	}
	m, err := demoMeeting(ctx, ms, sec)
	if err != nil {
		return err
	}
	if _, err := cs.SetSettings(ctx, sec, contributions.ScopeMeeting, m.ID, contributions.Settings{Prefix: "C5/2006"}); err != nil {
		return fmt.Errorf("demo numbering: %w", err)
	}
	for _, d := range documents {
		in := contributions.SubmitInput{Title: d.title, Authors: []contributions.Author{{Organization: d.org}},
			Language: d.language, Kind: d.kind, Abstract: d.text}
		if d.item != "" {
			in.SessionID, in.ItemID = findItem(m, d.item)
		}
		body := "# " + d.title + "\n\n" + d.text + "\n\n_Demo document: the original's text is not reproduced here._\n"
		v, err := cs.Submit(ctx, sec, contributions.ScopeMeeting, m.ID, in,
			contributions.File{Filename: strings.ReplaceAll(d.title, " ", "-") + ".md", DeclaredType: "text/markdown", Body: strings.NewReader(body)})
		if err != nil {
			return fmt.Errorf("demo document %q: %w", d.title, err)
		}
		if _, err := cs.Transition(ctx, sec, v.ID, contributions.ActionPublish, ""); err != nil {
			return fmt.Errorf("publish demo document %q: %w", d.title, err)
		}
	}
	return nil
}

func demoMeeting(ctx context.Context, ms *meetings.Service, sec accounts.User) (meetings.View, error) {
	title, _ := meeting2006()
	list, err := ms.List(ctx, sec)
	if err != nil {
		return meetings.View{}, err
	}
	for _, s := range list {
		if s.Title == *title.Title {
			return ms.Get(ctx, sec, s.ID)
		}
	}
	return meetings.View{}, fmt.Errorf("the demo meeting is missing")
}

func findItem(m meetings.View, title string) (sessionID, itemID string) {
	for _, s := range m.Agenda.Sessions {
		for _, it := range s.Items {
			if it.Title == title {
				return s.ID, it.ID
			}
		}
	}
	return "", ""
}
