package demo

import (
	"strings"
	"testing"
	"time"

	"plenary/meetings"
)

const localLayout = "2006-01-02T15:04"

// TestMeeting2006Input checks the meeting's own fields.
func TestMeeting2006Input(t *testing.T) {
	in, _ := meeting2006()
	want := map[string]*string{
		"2006-05-15":                            in.StartDate,
		"2006-05-16":                            in.EndDate,
		"Europe/Zurich":                         in.TimeZone,
		"ITU Headquarters, Geneva, Switzerland": in.Venue,
		meetings.Public:                         in.Visibility,
		"WSIS Action Line C5: Building confidence and security in the use of ICTs": in.Forum,
	}
	for w, got := range want {
		if got == nil || *got != w {
			t.Errorf("want %q, got %v", w, got)
		}
	}
	if in.Title == nil || !strings.Contains(*in.Title, "Action Line C5") {
		t.Errorf("title %v", in.Title)
	}
	if in.Description == nil || *in.Description == "" || len(*in.Description) > 4000 {
		t.Errorf("description missing or too long")
	}
}

// TestMeeting2006Agenda checks the agenda's shape. The report numbers ten sessions, the opening
// (Session 1) and the close (Session 10) among them, so there are exactly ten.
func TestMeeting2006Agenda(t *testing.T) {
	_, ag := meeting2006()
	if len(ag.Sessions) != 10 {
		t.Fatalf("%d sessions, want 10", len(ag.Sessions))
	}
	first := time.Date(2006, 5, 15, 0, 0, 0, 0, time.UTC)
	last := time.Date(2006, 5, 17, 0, 0, 0, 0, time.UTC) // exclusive
	titles := map[string]bool{}
	var prevEnd time.Time
	for i, s := range ag.Sessions {
		n := i + 1
		if s.ID != "" {
			t.Errorf("session %d has ID %q; the service assigns IDs", n, s.ID)
		}
		if strings.TrimSpace(s.Title) == "" {
			t.Errorf("session %d has no title", n)
		}
		if titles[s.Title] {
			t.Errorf("session %d repeats the title %q", n, s.Title)
		}
		titles[s.Title] = true
		if s.Description == "" {
			t.Errorf("session %d has no description", n)
		}
		if s.Chairs == nil || len(s.Chairs) == 0 {
			t.Errorf("session %d has no chair", n)
		}
		for _, c := range s.Chairs {
			checkPerson(t, n, "chair", c)
		}
		start, err1 := time.Parse(localLayout, s.Start)
		end, err2 := time.Parse(localLayout, s.End)
		if err1 != nil || err2 != nil {
			t.Errorf("session %d times %q–%q: %v %v", n, s.Start, s.End, err1, err2)
			continue
		}
		if !start.Before(end) {
			t.Errorf("session %d starts %s, not before its end %s", n, s.Start, s.End)
		}
		if start.Before(first) || !end.Before(last) {
			t.Errorf("session %d (%s–%s) is outside 15–16 May 2006", n, s.Start, s.End)
		}
		if start.YearDay() != end.YearDay() {
			t.Errorf("session %d runs over midnight", n)
		}
		if start.Before(prevEnd) {
			t.Errorf("session %d starts before session %d ends", n, n-1)
		}
		prevEnd = end

		if s.Items == nil || len(s.Items) == 0 {
			t.Errorf("session %d has no items", n)
		}
		total := 0
		for j, it := range s.Items {
			if it.Speakers == nil || it.Contributions == nil {
				t.Errorf("session %d item %d has a nil slice", n, j+1)
			}
			if it.ID != "" {
				t.Errorf("session %d item %d has ID %q", n, j+1, it.ID)
			}
			if it.Duration <= 0 {
				t.Errorf("session %d item %d lasts %d minutes", n, j+1, it.Duration)
			}
			total += it.Duration
			switch it.Kind {
			case meetings.KindItem:
				if strings.TrimSpace(it.Title) == "" {
					t.Errorf("session %d item %d has no title", n, j+1)
				}
			case meetings.KindBreak:
				if len(it.Speakers) != 0 {
					t.Errorf("session %d: a break with speakers", n)
				}
			default:
				t.Errorf("session %d item %d has kind %q", n, j+1, it.Kind)
			}
			for _, sp := range it.Speakers {
				checkPerson(t, n, "speaker", sp)
			}
		}
		if span := int(end.Sub(start).Minutes()); total != span {
			t.Errorf("session %d: items last %d minutes, the session %d", n, total, span)
		}
	}
}

// checkPerson: real people appear by name only, with the organization the report gives.
func checkPerson(t *testing.T, session int, role string, p meetings.Person) {
	t.Helper()
	if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Organization) == "" {
		t.Errorf("session %d: %s %+v lacks a name or an organization", session, role, p)
	}
	if p.UserID != "" {
		t.Errorf("session %d: %s %s has a user ID", session, role, p.Name)
	}
	if len(p.Name) > 200 || len(p.Title) > 200 || len(p.Organization) > 200 {
		t.Errorf("session %d: %s %s has an overlong field", session, role, p.Name)
	}
}
