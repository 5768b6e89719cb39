package meetings

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The tests read the feeds back with the small, independent iCalendar parser below rather than
// comparing text, and resolve local times with the feed's own VTIMEZONE, as a client would.

// icsProp is one content line: Value is as written (still escaped).
type icsProp struct {
	Name   string
	Params map[string]string
	Value  string
}

// icsComp is a component (VCALENDAR, VEVENT, ...) with its properties and sub-components.
type icsComp struct {
	Name     string
	Props    []icsProp
	Children []*icsComp
}

// parseICS checks the raw form (CRLF line ends, lines of at most 75 octets that are whole UTF-8)
// and parses the feed into its VCALENDAR.
func parseICS(t *testing.T, data []byte) *icsComp {
	t.Helper()
	for i, b := range data {
		if b == '\n' && (i == 0 || data[i-1] != '\r') {
			t.Fatalf("bare LF at octet %d", i)
		}
		if b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			t.Fatalf("bare CR at octet %d", i)
		}
	}
	s := string(data)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("feed does not end with CRLF")
	}
	var logical []string
	for n, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", n+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not valid UTF-8 (a sequence was split): %q", n+1, line)
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if len(logical) == 0 {
				t.Fatalf("feed starts with a continuation line")
			}
			logical[len(logical)-1] += line[1:]
			continue
		}
		logical = append(logical, line)
	}

	root := &icsComp{}
	stack := []*icsComp{root}
	for _, line := range logical {
		p, err := parseICSLine(line)
		if err != nil {
			t.Fatalf("%v in %q", err, line)
		}
		top := stack[len(stack)-1]
		switch p.Name {
		case "BEGIN":
			c := &icsComp{Name: p.Value}
			top.Children = append(top.Children, c)
			stack = append(stack, c)
		case "END":
			if len(stack) == 1 || top.Name != p.Value {
				t.Fatalf("END:%s closes %q", p.Value, top.Name)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 1 {
				t.Fatalf("property outside any component: %q", line)
			}
			top.Props = append(top.Props, p)
		}
	}
	if len(stack) != 1 {
		t.Fatalf("component %s not closed", stack[len(stack)-1].Name)
	}
	if len(root.Children) != 1 || root.Children[0].Name != "VCALENDAR" {
		t.Fatalf("feed is not one VCALENDAR")
	}
	return root.Children[0]
}

// parseICSLine splits name *(";" param "=" value) ":" value; parameter values may be quoted.
func parseICSLine(line string) (icsProp, error) {
	i := strings.IndexAny(line, ";:")
	if i <= 0 {
		return icsProp{}, fmt.Errorf("no property name")
	}
	p := icsProp{Name: strings.ToUpper(line[:i]), Params: map[string]string{}}
	rest := line[i:]
	for rest[0] == ';' {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return p, fmt.Errorf("parameter without name or value")
		}
		name := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return p, fmt.Errorf("unterminated quoted parameter")
			}
			p.Params[name] = rest[1 : 1+end]
			rest = rest[end+2:]
		} else {
			j := strings.IndexAny(rest, ";:")
			if j < 0 {
				return p, fmt.Errorf("parameter runs to the end of the line")
			}
			p.Params[name] = rest[:j]
			rest = rest[j:]
		}
		if rest == "" {
			return p, fmt.Errorf("no value")
		}
	}
	if rest[0] != ':' {
		return p, fmt.Errorf("no colon before the value")
	}
	p.Value = rest[1:]
	return p, nil
}

// unescapeICS decodes a single TEXT value; an unescaped comma or semicolon is an error, since in a
// single value it would separate list items.
func unescapeICS(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ',' || c == ';' {
			return "", fmt.Errorf("unescaped %q at %d in %q", c, i, v)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(v) {
			return "", fmt.Errorf("trailing backslash in %q", v)
		}
		switch v[i] {
		case '\\', ';', ',':
			b.WriteByte(v[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			return "", fmt.Errorf("bad escape \\%c in %q", v[i], v)
		}
	}
	return b.String(), nil
}

func (c *icsComp) all(name string) []icsProp {
	var out []icsProp
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// prop is the property name, which must occur exactly once.
func (c *icsComp) prop(t *testing.T, name string) icsProp {
	t.Helper()
	ps := c.all(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s, want 1", c.Name, len(ps), name)
	}
	return ps[0]
}

// text is the unescaped value of the property name, "" when it is missing.
func (c *icsComp) text(t *testing.T, name string) string {
	t.Helper()
	ps := c.all(name)
	if len(ps) == 0 {
		return ""
	}
	s, err := unescapeICS(ps[0].Value)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Name, name, err)
	}
	return s
}

func (c *icsComp) children(name string) []*icsComp {
	var out []*icsComp
	for _, k := range c.Children {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// icsEvents checks what every feed must have and returns its events by UID.
func icsEvents(t *testing.T, cal *icsComp) map[string]*icsComp {
	t.Helper()
	for name, want := range map[string]string{"VERSION": "2.0", "PRODID": "-//Plenary//Meetings//EN", "CALSCALE": "GREGORIAN", "METHOD": "PUBLISH"} {
		if got := cal.prop(t, name).Value; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	cal.prop(t, "X-WR-CALNAME")

	zones := map[string]bool{}
	for _, z := range cal.children("VTIMEZONE") {
		tzid := z.prop(t, "TZID").Value
		if zones[tzid] {
			t.Errorf("VTIMEZONE %s twice", tzid)
		}
		zones[tzid] = true
		if len(z.Children) == 0 {
			t.Errorf("VTIMEZONE %s has no observance", tzid)
		}
	}

	events := map[string]*icsComp{}
	used := map[string]bool{}
	for _, e := range cal.children("VEVENT") {
		uid := e.text(t, "UID")
		if events[uid] != nil {
			t.Errorf("UID %s twice", uid)
		}
		events[uid] = e
		if st := e.prop(t, "DTSTAMP").Value; !strings.HasSuffix(st, "Z") {
			t.Errorf("%s: DTSTAMP %q not in UTC", uid, st)
		}
		e.prop(t, "DTSTART")
		if _, err := strconv.Atoi(e.prop(t, "SEQUENCE").Value); err != nil {
			t.Errorf("%s: SEQUENCE %v", uid, err)
		}
		for _, p := range append(e.all("DTSTART"), e.all("DTEND")...) {
			if tzid, ok := p.Params["TZID"]; ok {
				used[tzid] = true
				if !zones[tzid] {
					t.Errorf("%s: %s uses TZID %s without a VTIMEZONE", uid, p.Name, tzid)
				}
			}
		}
	}
	for z := range zones {
		if !used[z] {
			t.Errorf("VTIMEZONE %s is not used", z)
		}
	}
	return events
}

// icsZone resolves local times with the observances of one parsed VTIMEZONE, sorted by onset.
type icsZone []icsObservance

type icsObservance struct {
	kind   string
	onset  time.Time // UTC instant
	to     int
	tzname string
}

func parseICSZone(t *testing.T, vtz *icsComp) icsZone {
	t.Helper()
	var z icsZone
	for _, o := range vtz.Children {
		if o.Name != "STANDARD" && o.Name != "DAYLIGHT" {
			t.Fatalf("VTIMEZONE holds %s", o.Name)
		}
		if len(o.all("RRULE")) > 0 || len(o.all("RDATE")) > 0 {
			t.Fatalf("this resolver handles explicit onsets only")
		}
		wall, err := time.Parse("20060102T150405", o.prop(t, "DTSTART").Value)
		if err != nil {
			t.Fatalf("observance DTSTART: %v", err)
		}
		from := parseICSOffset(t, o.prop(t, "TZOFFSETFROM").Value)
		to := parseICSOffset(t, o.prop(t, "TZOFFSETTO").Value)
		// DTSTART is local time in the offset in force before the onset.
		z = append(z, icsObservance{o.Name, wall.Add(-time.Duration(from) * time.Second), to, o.text(t, "TZNAME")})
	}
	sort.Slice(z, func(i, j int) bool { return z[i].onset.Before(z[j].onset) })
	return z
}

func parseICSOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		t.Fatalf("bad UTC offset %q", s)
	}
	n := 0
	for i, unit := range []int{3600, 60, 1} {
		if 1+2*i >= len(s) {
			break
		}
		v, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil {
			t.Fatalf("bad UTC offset %q", s)
		}
		n += v * unit
	}
	if s[0] == '-' {
		n = -n
	}
	return n
}

// observanceAt is the observance in force at instant u: the last one with its onset at or before.
func (z icsZone) observanceAt(u time.Time) (icsObservance, bool) {
	var found icsObservance
	ok := false
	for _, o := range z {
		if !o.onset.After(u) {
			found, ok = o, true
		}
	}
	return found, ok
}

// toUTC converts a local DATE-TIME value: the observance in force is the last one whose onset is
// not after the instant that its offset gives.
func (z icsZone) toUTC(t *testing.T, local string) time.Time {
	t.Helper()
	wall, err := time.Parse("20060102T150405", local)
	if err != nil {
		t.Fatalf("local time %q: %v", local, err)
	}
	var u time.Time
	for _, o := range z {
		if c := wall.Add(-time.Duration(o.to) * time.Second); !c.Before(o.onset) {
			u = c
		}
	}
	if u.IsZero() {
		t.Fatalf("%s is before every observance", local)
	}
	return u
}

// icsZoneOf parses the VTIMEZONE named tzid.
func icsZoneOf(t *testing.T, cal *icsComp, tzid string) icsZone {
	t.Helper()
	for _, z := range cal.children("VTIMEZONE") {
		if z.prop(t, "TZID").Value == tzid {
			return parseICSZone(t, z)
		}
	}
	t.Fatalf("no VTIMEZONE %s", tzid)
	return nil
}

// icsStartUTC is an event's DTSTART as an instant, resolved with the feed's VTIMEZONE.
func icsStartUTC(t *testing.T, cal *icsComp, ev *icsComp) time.Time {
	t.Helper()
	p := ev.prop(t, "DTSTART")
	tzid, ok := p.Params["TZID"]
	if !ok {
		t.Fatalf("DTSTART %q has no TZID", p.Value)
	}
	return icsZoneOf(t, cal, tzid).toUTC(t, p.Value)
}

var icalNow = time.Date(2026, 2, 10, 15, 4, 5, 0, time.FixedZone("X", 3600))

func icalMeeting(id, zone, start, end string, sessions ...Session) *meetingDoc {
	return &meetingDoc{
		ID: id, Title: "Meeting " + id, Forum: "Study Group 5", StartDate: start, EndDate: end,
		TimeZone: zone, Venue: "CICG, Room 2", RemoteURL: "https://meet.example.org/sg5?x=1,2",
		RemoteInstructions: "Register first.\nThen join.", Revision: 3,
		Agenda: Agenda{Sessions: sessions},
	}
}

func icalSession(id, start, end string) Session {
	return Session{ID: id, Title: "Title " + id, Start: start, End: end, Revision: 1}
}

func TestICalMeetingFeedStructure(t *testing.T) {
	s1 := icalSession("s1", "2026-05-11T09:30", "2026-05-11T12:30")
	s1.Chairs = []Person{{Name: "Ana Lopez", Title: "Chair", Organization: "ITU"}, {Name: "Bo Li"}}
	s1.Items = []Item{
		{ID: "i1", Kind: KindItem, Title: "Opening", Duration: 20, Speakers: []Person{{Name: "Alice Smith", Title: "Director", Organization: "TSB"}}},
		{ID: "i2", Kind: KindBreak, Title: "Coffee", Duration: 30},
		{ID: "i3", Kind: KindItem, Title: "Reports", Duration: 60},
	}
	s1.ArchiveURL = "https://archive.example.org/s1"
	s2 := icalSession("s2", "2026-05-12T14:00", "2026-05-12T17:00")
	m := icalMeeting("m1", "Europe/Zurich", "2026-05-11", "2026-05-13", s1, s2)
	m.Description = "Annual meeting"

	cal := parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
	events := icsEvents(t, cal)
	if len(events) != 3 {
		t.Fatalf("%d events, want 3", len(events))
	}
	if got := cal.text(t, "X-WR-CALNAME"); got != "Meeting m1" {
		t.Errorf("X-WR-CALNAME = %q", got)
	}
	if got := cal.prop(t, "X-WR-TIMEZONE").Value; got != "Europe/Zurich" {
		t.Errorf("X-WR-TIMEZONE = %q", got)
	}

	me := events["meeting-m1@plenary"]
	if me == nil {
		t.Fatalf("no meeting event in %v", events)
	}
	start, end := me.prop(t, "DTSTART"), me.prop(t, "DTEND")
	if start.Params["VALUE"] != "DATE" || start.Value != "20260511" || end.Params["VALUE"] != "DATE" || end.Value != "20260514" {
		t.Errorf("meeting days %v .. %v, want DATE 20260511 .. 20260514", start, end)
	}
	for name, want := range map[string]string{"SEQUENCE": "3", "DTSTAMP": "20260210T140405Z"} {
		if got := me.prop(t, name).Value; got != want {
			t.Errorf("meeting %s = %q, want %q", name, got, want)
		}
	}
	if got := me.text(t, "SUMMARY"); got != "Meeting m1" {
		t.Errorf("meeting SUMMARY = %q", got)
	}
	if got := me.text(t, "LOCATION"); got != "CICG, Room 2" {
		t.Errorf("meeting LOCATION = %q", got)
	}
	desc := me.text(t, "DESCRIPTION")
	for _, want := range []string{"Study Group 5", "Annual meeting", "https://meet.example.org/sg5?x=1,2", "Register first.\nThen join."} {
		if !strings.Contains(desc, want) {
			t.Errorf("meeting DESCRIPTION %q lacks %q", desc, want)
		}
	}
	if got := me.prop(t, "URL").Value; got != "https://meet.example.org/sg5?x=1,2" {
		t.Errorf("meeting URL = %q", got)
	}

	se := events["session-m1-s1@plenary"]
	if se == nil {
		t.Fatalf("no event for s1 in %v", events)
	}
	for name, want := range map[string]string{"DTSTART": "20260511T093000", "DTEND": "20260511T123000"} {
		p := se.prop(t, name)
		if p.Value != want || p.Params["TZID"] != "Europe/Zurich" {
			t.Errorf("session %s = %v, want TZID=Europe/Zurich:%s", name, p, want)
		}
	}
	if got := se.text(t, "SUMMARY"); got != "Session 1: Title s1" {
		t.Errorf("session SUMMARY = %q", got)
	}
	if got := events["session-m1-s2@plenary"].text(t, "SUMMARY"); got != "Session 2: Title s2" {
		t.Errorf("second session SUMMARY = %q", got)
	}
	if got := se.prop(t, "SEQUENCE").Value; got != "1" {
		t.Errorf("session SEQUENCE = %q", got)
	}
	if got := se.text(t, "LOCATION"); got != "CICG, Room 2" {
		t.Errorf("session LOCATION = %q", got)
	}
	if got := se.prop(t, "URL").Value; got != "https://archive.example.org/s1" {
		t.Errorf("session URL = %q", got)
	}
	desc = se.text(t, "DESCRIPTION")
	for _, want := range []string{
		"Chairs: Ana Lopez, Chair, ITU; Bo Li",
		"09:30 Opening\n    Alice Smith, Director, TSB",
		"09:50 Coffee",
		"10:20 Reports",
		"Recording: https://archive.example.org/s1",
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("session DESCRIPTION %q lacks %q", desc, want)
		}
	}
}

func TestICalNoAgendaAndBadData(t *testing.T) {
	m := icalMeeting("m1", "Europe/Zurich", "2026-05-11", "2026-05-11", icalSession("s1", "2026-05-11T09:30", "2026-05-11T10:00"))
	cal := parseICS(t, meetingCalendar(m, nil, icalNow))
	events := icsEvents(t, cal)
	if len(events) != 1 || events["meeting-m1@plenary"] == nil {
		t.Fatalf("without an agenda the feed has %d events, want the meeting's only", len(events))
	}
	if got := events["meeting-m1@plenary"].prop(t, "DTEND").Value; got != "20260512" {
		t.Errorf("one-day meeting DTEND = %q, want 20260512", got)
	}
	if n := len(cal.children("VTIMEZONE")); n != 0 {
		t.Errorf("%d VTIMEZONEs without sessions", n)
	}

	// Sessions with unreadable times are left out; one ending before it starts has no DTEND.
	m.Agenda.Sessions = []Session{
		icalSession("bad1", "", "2026-05-11T10:00"),
		icalSession("bad2", "2026-05-11T09:30", "tomorrow"),
		icalSession("bad3", "2026-05-11 09:30", "2026-05-11T10:00"),
		icalSession("ok", "2026-05-11T11:00", "2026-05-11T10:00"),
	}
	events = icsEvents(t, parseICS(t, meetingCalendar(m, &m.Agenda, icalNow)))
	if len(events) != 2 || events["session-m1-ok@plenary"] == nil {
		t.Fatalf("events %v, want the meeting and session ok", events)
	}
	if got := events["session-m1-ok@plenary"].text(t, "SUMMARY"); got != "Session 4: Title ok" {
		t.Errorf("SUMMARY = %q: the number is the position in the agenda", got)
	}
	if n := len(events["session-m1-ok@plenary"].all("DTEND")); n != 0 {
		t.Errorf("session ending before its start has %d DTEND", n)
	}

	// A zone that does not exist gives floating times and no VTIMEZONE; no start date, no
	// meeting event.
	m.TimeZone = "Mars/Olympus_Mons"
	m.StartDate = ""
	cal = parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
	events = icsEvents(t, cal)
	if len(events) != 1 {
		t.Fatalf("%d events, want session ok only", len(events))
	}
	p := events["session-m1-ok@plenary"].prop(t, "DTSTART")
	if p.Value != "20260511T110000" || len(p.Params) != 0 {
		t.Errorf("DTSTART in an unknown zone = %v, want floating 20260511T110000", p)
	}
	if n := len(cal.all("X-WR-TIMEZONE")); n != 0 {
		t.Errorf("X-WR-TIMEZONE set for an unknown zone")
	}

	if n := len(icsEvents(t, parseICS(t, meetingCalendar(nil, nil, icalNow)))); n != 0 {
		t.Errorf("nil meeting: %d events", n)
	}
}

func TestICalLineFoldingAndUnicode(t *testing.T) {
	titles := []string{
		strings.Repeat("اجتماع لجنة الدراسات الخامسة حول البيئة والاقتصاد الدائري ", 6),
		strings.Repeat("国际电信联盟第五研究组全体会议关于环境与循环经济", 8),
		strings.Repeat("🌍🇨🇭👩🏽‍💻 climate ", 12),
		strings.Repeat("x", 200),
	}
	s := icalSession("s1", "2026-05-11T09:30", "2026-05-11T10:00")
	s.Title = titles[1]
	s.Chairs = []Person{{Name: titles[2], Organization: titles[0]}}
	s.Items = []Item{{ID: "i", Title: titles[0], Duration: 10}}
	m := icalMeeting("m1", "Asia/Tokyo", "2026-05-11", "2026-05-11", s)
	m.Title = titles[0]
	m.Venue = titles[2]
	m.Description = titles[3]

	data := meetingCalendar(m, &m.Agenda, icalNow)
	cal := parseICS(t, data) // checks CRLF, 75 octets and whole UTF-8 on every line
	if !bytes.Contains(data, []byte("\r\n ")) {
		t.Fatalf("nothing was folded")
	}
	events := icsEvents(t, cal)
	me, se := events["meeting-m1@plenary"], events["session-m1-s1@plenary"]
	if got := me.text(t, "SUMMARY"); got != titles[0] {
		t.Errorf("Arabic SUMMARY did not round-trip: %q", got)
	}
	if got := me.text(t, "LOCATION"); got != titles[2] {
		t.Errorf("emoji LOCATION did not round-trip: %q", got)
	}
	if got := se.text(t, "SUMMARY"); got != "Session 1: "+titles[1] {
		t.Errorf("Chinese SUMMARY did not round-trip: %q", got)
	}
	if got := se.text(t, "DESCRIPTION"); !strings.Contains(got, "Chair: "+strings.TrimSpace(titles[2])+", "+strings.TrimSpace(titles[0])) {
		t.Errorf("chair did not round-trip in %q", got)
	}
}

func TestICalFoldBoundaries(t *testing.T) {
	for _, line := range []string{
		strings.Repeat("a", 74), strings.Repeat("a", 75), strings.Repeat("a", 76), strings.Repeat("a", 300),
		"S:" + strings.Repeat("é", 100), "S:" + strings.Repeat("€", 100), "SU:" + strings.Repeat("😀", 60),
		"S:" + strings.Repeat("a", 72) + "😀" + strings.Repeat("b", 80),
	} {
		var w bytes.Buffer
		icalFold(&w, line)
		out := w.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("fold of %d octets does not end with CRLF", len(line))
		}
		physical := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		for i, p := range physical {
			if len(p) > 75 || !utf8.ValidString(p) || i > 0 && p[0] != ' ' {
				t.Errorf("fold of %d octets: bad line %d %q", len(line), i, p)
			}
			if i < len(physical)-1 && len(p) < 72 {
				t.Errorf("fold of %d octets: line %d needlessly short (%d octets)", len(line), i, len(p))
			}
		}
		if len(line) <= 75 && len(physical) != 1 {
			t.Errorf("line of %d octets was folded", len(line))
		}
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != line {
			t.Errorf("unfolding gives %q, want %q", got, line)
		}
	}
}

func TestICalEscapingRoundTrip(t *testing.T) {
	tricky := []string{
		`Budget, plans; and C:\path\to\file`,
		"Line one\nLine two\r\nLine three\\n (not a break)",
		`;;,,\\`,
		"tab\tkept, bell\a dropped",
	}
	want := []string{tricky[0], "Line one\nLine two\nLine three\\n (not a break)", tricky[2], "tab\tkept, bell dropped"}
	for i, s := range tricky {
		sess := icalSession("s1", "2026-05-11T09:30", "2026-05-11T10:00")
		sess.Title = s
		sess.Chairs = []Person{{Name: s}}
		m := icalMeeting("m,1;\\", "Europe/Zurich", "2026-05-11", "2026-05-11", sess)
		m.Title, m.Venue = s, s

		cal := parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
		if got := cal.text(t, "X-WR-CALNAME"); got != want[i] {
			t.Errorf("X-WR-CALNAME = %q, want %q", got, want[i])
		}
		events := icsEvents(t, cal)
		me, se := events[`meeting-m,1;\@plenary`], events[`session-m,1;\-s1@plenary`]
		if me == nil || se == nil {
			t.Fatalf("UIDs did not round-trip: %v", events)
		}
		for _, c := range []struct {
			ev         *icsComp
			prop, want string
		}{
			{me, "SUMMARY", want[i]}, {me, "LOCATION", want[i]}, {se, "SUMMARY", "Session 1: " + want[i]}, {se, "LOCATION", want[i]},
		} {
			if got := c.ev.text(t, c.prop); got != c.want {
				t.Errorf("%s = %q, want %q", c.prop, got, c.want)
			}
		}
		if got := se.text(t, "DESCRIPTION"); !strings.Contains(got, "Chair: "+strings.TrimSpace(want[i])) {
			t.Errorf("DESCRIPTION %q lacks the chair %q", got, want[i])
		}
	}
	if got := icalText("a,b;c\\d\ne"); got != `a\,b\;c\\d\ne` {
		t.Errorf("icalText = %q", got)
	}
}

func TestICalStableUIDsAndSequence(t *testing.T) {
	a := icalSession("alpha", "2026-05-11T09:30", "2026-05-11T12:30")
	b := icalSession("beta", "2026-05-12T09:30", "2026-05-12T12:30")
	m := icalMeeting("m1", "Europe/Zurich", "2026-05-11", "2026-05-12", a, b)
	before := icsEvents(t, parseICS(t, meetingCalendar(m, &m.Agenda, icalNow)))

	// Reorder, and change the second session and the meeting: their revisions go up.
	m.Agenda.Sessions = []Session{b, a}
	m.Agenda.Sessions[0].Revision = 5
	m.Revision = 4
	after := icsEvents(t, parseICS(t, meetingCalendar(m, &m.Agenda, icalNow)))

	if len(after) != len(before) {
		t.Fatalf("%d events after reordering, %d before", len(after), len(before))
	}
	for uid, ev := range before {
		ev2 := after[uid]
		if ev2 == nil {
			t.Fatalf("UID %s gone after reordering; now %v", uid, after)
		}
		if ev.prop(t, "DTSTART").Value != ev2.prop(t, "DTSTART").Value {
			t.Errorf("%s moved in time", uid)
		}
	}
	for uid, want := range map[string][2]string{
		"session-m1-alpha@plenary": {"Session 1: Title alpha", "Session 2: Title alpha"},
		"session-m1-beta@plenary":  {"Session 2: Title beta", "Session 1: Title beta"},
	} {
		if got := before[uid].text(t, "SUMMARY"); got != want[0] {
			t.Errorf("%s before: SUMMARY %q, want %q", uid, got, want[0])
		}
		if got := after[uid].text(t, "SUMMARY"); got != want[1] {
			t.Errorf("%s after: SUMMARY %q, want %q", uid, got, want[1])
		}
	}
	for uid, want := range map[string][2]string{
		"meeting-m1@plenary":       {"3", "4"},
		"session-m1-alpha@plenary": {"1", "1"},
		"session-m1-beta@plenary":  {"1", "5"},
	} {
		if got := [2]string{before[uid].prop(t, "SEQUENCE").Value, after[uid].prop(t, "SEQUENCE").Value}; got != want {
			t.Errorf("%s SEQUENCE %v, want %v", uid, got, want)
		}
	}
}

// TestTZZurichAcrossDST resolves the sessions on either side of the change to summer time on 29
// March 2026 with nothing but the feed's VTIMEZONE.
func TestTZZurichAcrossDST(t *testing.T) {
	m := icalMeeting("z", "Europe/Zurich", "2026-03-28", "2026-03-30",
		icalSession("sat", "2026-03-28T09:00", "2026-03-28T12:00"),
		icalSession("mon", "2026-03-30T09:00", "2026-03-30T12:00"))
	cal := parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
	events := icsEvents(t, cal)
	for uid, want := range map[string]time.Time{
		"session-z-sat@plenary": time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC),
		"session-z-mon@plenary": time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC),
	} {
		if got := icsStartUTC(t, cal, events[uid]); !got.Equal(want) {
			t.Errorf("%s starts %s, want %s", uid, got, want)
		}
	}
	var dst icsComp
	for _, o := range cal.children("VTIMEZONE")[0].Children {
		if o.prop(t, "DTSTART").Value == "20260329T020000" {
			dst = *o
		}
	}
	if dst.Name != "DAYLIGHT" || dst.prop(t, "TZOFFSETFROM").Value != "+0100" || dst.prop(t, "TZOFFSETTO").Value != "+0200" || dst.text(t, "TZNAME") != "CEST" {
		t.Errorf("transition of 29 March 2026 = %+v, want DAYLIGHT +0100 -> +0200 CEST", dst)
	}
	z := icsZoneOf(t, cal, "Europe/Zurich")
	if o, _ := z.observanceAt(time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC)); o.kind != "STANDARD" || o.to != 3600 || o.tzname != "CET" {
		t.Errorf("observance from 25 October 2026 01:00Z = %+v, want STANDARD +0100 CET", o)
	}
}

func TestTZNewYorkAcrossNovember(t *testing.T) {
	m := icalMeeting("ny", "America/New_York", "2026-10-31", "2026-11-02",
		icalSession("sat", "2026-10-31T09:00", "2026-10-31T12:00"),
		icalSession("mon", "2026-11-02T09:00", "2026-11-02T12:00"))
	cal := parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
	events := icsEvents(t, cal)
	for uid, want := range map[string]time.Time{
		"session-ny-sat@plenary": time.Date(2026, 10, 31, 13, 0, 0, 0, time.UTC),
		"session-ny-mon@plenary": time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC),
	} {
		if got := icsStartUTC(t, cal, events[uid]); !got.Equal(want) {
			t.Errorf("%s starts %s, want %s", uid, got, want)
		}
	}
	z := icsZoneOf(t, cal, "America/New_York")
	o, _ := z.observanceAt(time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC))
	if o.kind != "STANDARD" || o.to != -5*3600 || o.tzname != "EST" || !o.onset.Equal(time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("observance at 1 November 2026 06:00Z = %+v, want STANDARD -0500 EST from then", o)
	}
}

func TestTZFixedOffsetZones(t *testing.T) {
	for zone, want := range map[string]struct {
		offset, utc string
	}{
		"Asia/Tokyo":   {"+0900", "2026-05-11T00:00:00Z"},
		"UTC":          {"+0000", "2026-05-11T09:00:00Z"},
		"Asia/Kolkata": {"+0530", "2026-05-11T03:30:00Z"},
	} {
		m := icalMeeting("f", zone, "2026-05-11", "2026-05-11", icalSession("s", "2026-05-11T09:00", "2026-05-11T10:00"))
		cal := parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
		events := icsEvents(t, cal)
		vtz := cal.children("VTIMEZONE")
		if len(vtz) != 1 || len(vtz[0].Children) != 1 {
			t.Fatalf("%s: want one VTIMEZONE with one observance", zone)
		}
		o := vtz[0].Children[0]
		if o.Name != "STANDARD" || o.prop(t, "DTSTART").Value != "19700101T000000" ||
			o.prop(t, "TZOFFSETFROM").Value != want.offset || o.prop(t, "TZOFFSETTO").Value != want.offset {
			t.Errorf("%s: observance %+v, want STANDARD from 19700101T000000 at %s", zone, o, want.offset)
		}
		if got := icsStartUTC(t, cal, events["session-f-s@plenary"]).Format(time.RFC3339); got != want.utc {
			t.Errorf("%s: session starts %s, want %s", zone, got, want.utc)
		}
	}
}

// TestTZMatchesGoDatabase checks every generated VTIMEZONE against Go's zone database hour by
// hour over the whole span it covers, for zones with unusual rules.
func TestTZMatchesGoDatabase(t *testing.T) {
	cases := []struct{ zone, date string }{
		{"Europe/Zurich", "2026-03-28"},
		{"America/New_York", "2026-11-01"},
		{"Australia/Sydney", "2026-04-05"},    // southern hemisphere: summer at new year
		{"Europe/Dublin", "2026-06-01"},       // the database marks winter as DST
		{"Australia/Lord_Howe", "2026-10-04"}, // half-hour DST
		{"America/Sao_Paulo", "2019-06-01"},   // DST abolished in 2019
		{"Europe/Moscow", "2014-06-01"},       // standard offset changed in October 2014
		{"Africa/Casablanca", "2026-02-15"},   // DST suspended during Ramadan
		{"Europe/Zurich", "2045-07-01"},       // beyond the database's explicit transitions
		{"America/St_Johns", "2026-03-08"},    // -0330
		{"Pacific/Chatham", "2026-04-05"},     // +1245 / +1345
	}
	for _, c := range cases {
		m := icalMeeting("g", c.zone, c.date, c.date, icalSession("s", c.date+"T10:00", c.date+"T11:00"))
		cal := parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))
		icsEvents(t, cal)
		z := icsZoneOf(t, cal, c.zone)
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		year, _ := strconv.Atoi(c.date[:4])
		from := time.Date(year-1, 1, 1, 0, 0, 0, 0, loc)
		to := time.Date(year+2, 1, 1, 0, 0, 0, 0, loc)
		mismatches := 0
		for u := from; u.Before(to); u = u.Add(time.Hour) {
			o, ok := z.observanceAt(u)
			_, want := u.In(loc).Zone()
			if !ok || o.to != want {
				if mismatches++; mismatches <= 3 {
					t.Errorf("%s at %s: VTIMEZONE gives %+v (found %v), Go %d", c.zone, u.UTC(), o, ok, want)
				}
			}
		}
		// Daylight is the larger offset of a year that has two.
		switch c.zone {
		case "Europe/Dublin":
			for _, o := range z {
				if (o.to == 3600) != (o.kind == "DAYLIGHT") {
					t.Errorf("Dublin: %s at offset %d; summer (+0100) must be DAYLIGHT, winter STANDARD", o.kind, o.to)
				}
			}
		case "Australia/Sydney":
			for _, o := range z {
				if (o.to == 11*3600) != (o.kind == "DAYLIGHT") {
					t.Errorf("Sydney: %s at offset %d; +1100 must be DAYLIGHT", o.kind, o.to)
				}
			}
		}
	}
}

func TestPersonalCalendarTwoZones(t *testing.T) {
	zs := icalSession("zs", "2026-03-28T09:00", "2026-03-28T12:00")
	zs.Items = []Item{{ID: "i", Title: "Talk", Duration: 15, Speakers: []Person{{UserID: "u1", Name: "Kim Park"}}}}
	zurich := icalMeeting("zu", "Europe/Zurich", "2026-03-28", "2026-03-30", zs,
		icalSession("zt", "2026-03-30T09:00", "2026-03-30T12:00"))
	tokyo := icalMeeting("tk", "Asia/Tokyo", "2027-01-12", "2027-01-14",
		icalSession("t1", "2027-01-12T10:00", "2027-01-12T12:00"),
		icalSession("t2", "2027-01-13T10:00", "2027-01-13T12:00"))

	data := personalCalendar("Kim Park, calendar", []personalEntry{
		{Meeting: zurich, Agenda: &zurich.Agenda, Sessions: []int{0, 0, 7, -1}, Role: "speaker"},
		{Meeting: tokyo, Agenda: &tokyo.Agenda, Sessions: []int{1}, Role: RoleChair},
		{Meeting: nil},
	}, icalNow)
	cal := parseICS(t, data)
	events := icsEvents(t, cal)
	want := []string{"meeting-zu@plenary", "session-zu-zs@plenary", "meeting-tk@plenary", "session-tk-t2@plenary"}
	if len(events) != len(want) {
		t.Errorf("%d events, want %v", len(events), want)
	}
	if got := cal.text(t, "X-WR-CALNAME"); got != "Kim Park, calendar" {
		t.Errorf("X-WR-CALNAME = %q", got)
	}
	if n := len(cal.all("X-WR-TIMEZONE")); n != 0 {
		t.Errorf("a feed across two zones has X-WR-TIMEZONE")
	}
	var tzids []string
	for _, z := range cal.children("VTIMEZONE") {
		tzids = append(tzids, z.prop(t, "TZID").Value)
	}
	sort.Strings(tzids)
	if !reflect.DeepEqual(tzids, []string{"Asia/Tokyo", "Europe/Zurich"}) {
		t.Errorf("VTIMEZONEs %v, want Asia/Tokyo and Europe/Zurich", tzids)
	}
	if got := icsStartUTC(t, cal, events["session-zu-zs@plenary"]); !got.Equal(time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("Zurich session starts %s", got)
	}
	if got := icsStartUTC(t, cal, events["session-tk-t2@plenary"]); !got.Equal(time.Date(2027, 1, 13, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("Tokyo session starts %s", got)
	}
	for uid, zone := range map[string]string{"session-zu-zs@plenary": "Europe/Zurich", "session-tk-t2@plenary": "Asia/Tokyo"} {
		if got := events[uid].prop(t, "DTSTART").Params["TZID"]; got != zone {
			t.Errorf("%s TZID %q, want %q", uid, got, zone)
		}
	}

	// Each event is the same as in its meeting's feed, so subscribing to both shows it once.
	for _, m := range []*meetingDoc{zurich, tokyo} {
		for uid, ev := range icsEvents(t, parseICS(t, meetingCalendar(m, &m.Agenda, icalNow))) {
			if p := events[uid]; p != nil && !reflect.DeepEqual(p, ev) {
				t.Errorf("%s differs between the feeds:\npersonal %+v\nmeeting  %+v", uid, p, ev)
			}
		}
	}
}

func TestICalOffsetFormat(t *testing.T) {
	for sec, want := range map[int]string{0: "+0000", 3600: "+0100", -5 * 3600: "-0500", 19800: "+0530", -12600: "-0330", 1172: "+001932", -(3600 + 61): "-010101"} {
		if got := icalOffset(sec); got != want {
			t.Errorf("icalOffset(%d) = %q, want %q", sec, got, want)
		}
	}
}
