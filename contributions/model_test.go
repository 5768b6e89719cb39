package contributions

import (
	"testing"
	"time"
)

func TestStateFollowsTheLatestRevisionButKeepsPublished(t *testing.T) {
	for _, tc := range []struct {
		states []string
		want   string
	}{
		{[]string{StateSubmitted}, StateSubmitted},
		{[]string{StateReturned}, StateReturned},
		{[]string{StatePublished}, StatePublished},
		{[]string{StatePublished, StateSubmitted}, StatePublished}, // a revision under review
		{[]string{StatePublished, StateReturned}, StatePublished},
		{[]string{StatePublished, StateWithdrawn}, StateWithdrawn},
		{[]string{StateWithdrawn, StateSubmitted}, StateSubmitted},
	} {
		c := &contributionDoc{}
		for i, s := range tc.states {
			c.Revisions = append(c.Revisions, revisionDoc{N: i, State: s})
		}
		if got := c.state(); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.states, got, tc.want)
		}
	}
}

func TestRevisionSymbols(t *testing.T) {
	for _, tc := range []struct {
		symbol string
		n      int
		want   string
	}{{"C5/2026/C/007", 0, "C5/2026/C/007"}, {"C5/2026/C/007", 2, "C5/2026/C/007/Rev.2"}, {"", 1, ""}} {
		if got := revisionSymbol(tc.symbol, tc.n); got != tc.want {
			t.Errorf("%q %d: %q, want %q", tc.symbol, tc.n, got, tc.want)
		}
	}
}

func TestFilterAndOrder(t *testing.T) {
	day := time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC)
	es := []Entry{
		{ID: "a", Symbol: "C5/2026/C/002", Title: "Legal measures", Kind: KindContribution, Language: "fr", State: StatePublished, Authors: []Author{{Name: "Amina Diallo"}}},
		{ID: "b", Title: "Draft on CERTs", Kind: KindPresentation, Language: "en", State: StateSubmitted, Updated: day, Authors: []Author{{Organization: "FIRST"}}},
		{ID: "c", Symbol: "C5/2026/C/001", Title: "Spam", Kind: KindContribution, Language: "ar", State: StatePublished, ItemID: "i1"},
		{ID: "d", Title: "Newer draft", Kind: KindReport, Language: "en", State: StateSubmitted, Updated: day.Add(time.Hour)},
	}
	sortEntries(es)
	order := ""
	for _, e := range es {
		order += e.ID
	}
	if order != "cadb" {
		t.Fatalf("order %s, want cadb (by symbol, then the newest without one)", order)
	}
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "cadb"},
		{Filter{Query: "first"}, "b"},
		{Filter{Query: "DIALLO"}, "a"},
		{Filter{Query: "c/001"}, "c"},
		{Filter{Kind: KindContribution, Language: "fr"}, "a"},
		{Filter{State: StateSubmitted}, "db"},
		{Filter{ItemID: "i1"}, "c"},
	} {
		got := ""
		for i := range es {
			if tc.f.match(&es[i]) {
				got += es[i].ID
			}
		}
		if got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.f, got, tc.want)
		}
	}
	if (Filter{Kind: "poem"}).validate() == nil || (Filter{Language: "xx"}).validate() == nil || (Filter{State: "lost"}).validate() == nil {
		t.Error("unknown filter values pass")
	}
}

func TestSymbolParts(t *testing.T) {
	for v, ok := range map[string]bool{"C5/2026": true, "WSIS-C5.2026": true, "": false, "C5 2026": false, "C5/$x": false, "تقرير": false} {
		if _, err := symbolPart("prefix", v, 40); (err == nil) != ok {
			t.Errorf("%q: %v", v, err)
		}
	}
}
