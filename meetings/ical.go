package meetings

// iCalendar (RFC 5545) feeds: one meeting's feed and a person's feed across meetings. Both write
// every event with the same function, so an event that appears in both feeds has the same UID,
// SEQUENCE and content and calendar applications that subscribe to both show it once.

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	icalProdID = "-//Plenary//Meetings//EN"
	// Layouts of the stored dates and local date-times, and of their iCalendar forms.
	icalStoredDate  = "2006-01-02"
	icalStoredLocal = "2006-01-02T15:04"
	icalDate        = "20060102"
	icalLocal       = "20060102T150405"
	icalUTC         = "20060102T150405Z"
	// Longest content line in octets, CRLF excluded (RFC 5545 3.1).
	icalLineOctets = 75
)

// personalEntry is one meeting in a person's feed: the meeting's all-day event and the sessions of
// Agenda at the indexes in Sessions (the ones the person chairs or speaks in, say). Agenda is the
// version the person may see; nil gives the meeting's event only. Role is the person's part in the
// meeting for the caller's use; it is deliberately not written into the events, which must stay
// identical to the meeting feed's events with the same UID.
type personalEntry struct {
	Meeting  *meetingDoc
	Agenda   *Agenda
	Sessions []int
	Role     string
}

// meetingCalendar is the feed of one meeting: its all-day event and one event per session of
// agenda (nil when nothing is published: the meeting's event only). now is the DTSTAMP.
func meetingCalendar(m *meetingDoc, agenda *Agenda, now time.Time) []byte {
	c := newICalBuilder(now)
	if m == nil {
		return c.finish("", "")
	}
	c.addMeeting(m)
	if agenda != nil {
		for i := range agenda.Sessions {
			c.addSession(m, i, &agenda.Sessions[i])
		}
	}
	zone := ""
	if _, ok := c.zone(m.TimeZone); ok {
		zone = m.TimeZone
	}
	return c.finish(m.Title, zone)
}

// personalCalendar is one person's feed across meetings, named name.
func personalCalendar(name string, entries []personalEntry, now time.Time) []byte {
	c := newICalBuilder(now)
	zones := map[string]bool{}
	for _, e := range entries {
		if e.Meeting == nil {
			continue
		}
		if _, ok := c.zone(e.Meeting.TimeZone); ok {
			zones[e.Meeting.TimeZone] = true
		}
		c.addMeeting(e.Meeting)
		if e.Agenda == nil {
			continue
		}
		for _, i := range e.Sessions {
			if i >= 0 && i < len(e.Agenda.Sessions) {
				c.addSession(e.Meeting, i, &e.Agenda.Sessions[i])
			}
		}
	}
	// X-WR-TIMEZONE is the calendar's default zone; a feed spanning several zones has none.
	zone := ""
	if len(zones) == 1 {
		for z := range zones {
			zone = z
		}
	}
	return c.finish(name, zone)
}

// icalBuilder collects the events of a feed and the zones they use. The VTIMEZONEs go before the
// events, but which zones and years they must cover is known only once every event is written.
type icalBuilder struct {
	stamp  string // DTSTAMP of every event: when the feed was generated
	events bytes.Buffer
	uids   map[string]bool // written events, so that an entry listed twice appears once
	locs   map[string]*time.Location
	years  map[string]map[int]bool // zone name -> years of the local times that use it
}

func newICalBuilder(now time.Time) *icalBuilder {
	return &icalBuilder{
		stamp: now.UTC().Format(icalUTC),
		uids:  map[string]bool{},
		locs:  map[string]*time.Location{},
		years: map[string]map[int]bool{},
	}
}

// zone loads an IANA zone name. ok is false for names that are no such zone; their sessions get
// floating times (the stored wall clock with no zone), which is still the right time for everyone
// at the venue. "" and "Local" are refused although Go loads them, as they are not IANA names.
func (c *icalBuilder) zone(name string) (*time.Location, bool) {
	if loc, ok := c.locs[name]; ok {
		return loc, loc != nil
	}
	var loc *time.Location
	if icalZoneName(name) {
		if l, err := time.LoadLocation(name); err == nil {
			loc = l
		}
	}
	c.locs[name] = loc
	return loc, loc != nil
}

// icalZoneName tells whether name looks like an IANA zone name. It also keeps TZID parameter
// values free of characters (":", ";", ",", quotes) that would need quoting.
func icalZoneName(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	for _, r := range name {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return false
		}
	}
	return true
}

// claim reports whether the event uid is still to be written, and marks it written.
func (c *icalBuilder) claim(uid string) bool {
	if c.uids[uid] {
		return false
	}
	c.uids[uid] = true
	return true
}

// addMeeting writes the meeting's all-day event, from its first to its last day. A meeting
// without a readable start date has no event: there is nothing to place in a calendar.
func (c *icalBuilder) addMeeting(m *meetingDoc) {
	start, err := time.Parse(icalStoredDate, m.StartDate)
	if err != nil {
		return
	}
	end, err := time.Parse(icalStoredDate, m.EndDate)
	if err != nil || end.Before(start) {
		end = start
	}
	uid := "meeting-" + m.ID + "@plenary"
	if !c.claim(uid) {
		return
	}
	w := &c.events
	icalLine(w, "BEGIN", "VEVENT")
	icalLine(w, "UID", icalText(uid))
	icalLine(w, "DTSTAMP", c.stamp)
	icalLine(w, "SEQUENCE", strconv.Itoa(max(m.Revision, 0)))
	icalLine(w, "DTSTART;VALUE=DATE", start.Format(icalDate))
	// DTEND of an all-day event is exclusive: the day after the last day.
	icalLine(w, "DTEND;VALUE=DATE", end.AddDate(0, 0, 1).Format(icalDate))
	icalLine(w, "SUMMARY", icalText(m.Title))
	if m.Venue != "" {
		icalLine(w, "LOCATION", icalText(m.Venue))
	}
	desc := icalBlocks(
		icalLabeled("Forum: ", m.Forum),
		m.Description,
		icalLines(icalLabeled("Remote participation: ", m.RemoteURL), m.RemoteInstructions),
	)
	if desc != "" {
		icalLine(w, "DESCRIPTION", icalText(desc))
	}
	if u := icalURL(m.RemoteURL); u != "" {
		icalLine(w, "URL", u)
	}
	// The days are shown as a banner above the sessions; they do not make the person busy, the
	// sessions do.
	icalLine(w, "TRANSP", "TRANSPARENT")
	icalLine(w, "END", "VEVENT")
}

// addSession writes the event of the session at index of the meeting's agenda. The UID holds the
// session's id, not its number, so it survives reordering; the number is in the SUMMARY only.
func (c *icalBuilder) addSession(m *meetingDoc, index int, s *Session) {
	// Parsed as wall clocks: DTSTART carries the local time exactly as stored, even one that falls
	// into a DST gap (Go would move it).
	start, err := time.Parse(icalStoredLocal, s.Start)
	if err != nil {
		return
	}
	end, err := time.Parse(icalStoredLocal, s.End)
	if err != nil {
		return
	}
	uid := "session-" + m.ID + "-" + s.ID + "@plenary"
	if !c.claim(uid) {
		return
	}
	loc, zoned := c.zone(m.TimeZone)
	if !zoned {
		loc = time.UTC
	}
	dateTime := func(name string, t time.Time) {
		if !zoned {
			icalLine(&c.events, name, t.Format(icalLocal))
			return
		}
		icalLine(&c.events, name+";TZID="+m.TimeZone, t.Format(icalLocal))
		if c.years[m.TimeZone] == nil {
			c.years[m.TimeZone] = map[int]bool{}
		}
		c.years[m.TimeZone][t.Year()] = true
	}

	w := &c.events
	icalLine(w, "BEGIN", "VEVENT")
	icalLine(w, "UID", icalText(uid))
	icalLine(w, "DTSTAMP", c.stamp)
	icalLine(w, "SEQUENCE", strconv.Itoa(max(s.Revision, 0)))
	dateTime("DTSTART", start)
	// RFC 5545 requires DTEND after DTSTART; without DTEND the event ends when it starts.
	if end.After(start) {
		dateTime("DTEND", end)
	}
	summary := fmt.Sprintf("Session %d", index+1)
	if s.Title != "" {
		summary += ": " + s.Title
	}
	icalLine(w, "SUMMARY", icalText(summary))
	if m.Venue != "" {
		icalLine(w, "LOCATION", icalText(m.Venue))
	}
	if desc := icalSessionDescription(m, s, start, loc); desc != "" {
		icalLine(w, "DESCRIPTION", icalText(desc))
	}
	// The one link someone opening the event wants: the recording once it exists, before that
	// the way to join remotely.
	if u := icalURL(s.ArchiveURL); u != "" {
		icalLine(w, "URL", u)
	} else if u := icalURL(m.RemoteURL); u != "" {
		icalLine(w, "URL", u)
	}
	icalLine(w, "END", "VEVENT")
}

// icalSessionDescription lists the session's chairs, its description, its items with their local start
// times and speakers, and its links.
func icalSessionDescription(m *meetingDoc, s *Session, start time.Time, loc *time.Location) string {
	var chairs string
	if len(s.Chairs) > 0 {
		label := "Chairs: "
		if len(s.Chairs) == 1 {
			label = "Chair: "
		}
		names := make([]string, len(s.Chairs))
		for i, p := range s.Chairs {
			names[i] = icalPerson(p)
		}
		chairs = label + strings.Join(names, "; ")
	}

	// An item starts after the durations of the items before it, counted as elapsed time: in a
	// session that runs across a DST change the local clock jumps with it.
	at := time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), start.Minute(), 0, 0, loc)
	var items []string
	for _, it := range s.Items {
		line := at.In(loc).Format("15:04") + " " + it.Title
		for _, sp := range it.Speakers {
			line += "\n    " + icalPerson(sp)
		}
		items = append(items, line)
		at = at.Add(time.Duration(max(it.Duration, 0)) * time.Minute)
	}

	return icalBlocks(
		chairs,
		s.Description,
		icalLines(items...),
		icalLines(icalLabeled("Remote participation: ", m.RemoteURL), icalLabeled("Recording: ", s.ArchiveURL)),
	)
}

// icalPerson is "name, title, organization" without the parts that are empty.
func icalPerson(p Person) string {
	var parts []string
	for _, s := range []string{p.Name, p.Title, p.Organization} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func icalLabeled(label, value string) string {
	if value == "" {
		return ""
	}
	return label + value
}

// icalBlocks joins the non-empty parts of a description with a blank line between them.
func icalBlocks(parts ...string) string {
	return icalJoin(parts, "\n\n")
}

// icalLines joins the non-empty parts of a description with a line break between them.
func icalLines(parts ...string) string {
	return icalJoin(parts, "\n")
}

func icalJoin(parts []string, sep string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// icalURL returns an http(s) address in its escaped form, or "" for anything else: a URI value is
// not escaped like text, so it must not carry spaces or line breaks.
func icalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// icalText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma get a backslash,
// line breaks become \n, and other control characters, which TEXT may not contain, are dropped.
func icalText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < 0x20 && r != '\t' || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icalLine writes the content line "name:value", folded, with CRLF. name may carry parameters.
func icalLine(w *bytes.Buffer, name, value string) {
	icalFold(w, name+":"+value)
}

// icalFold writes line folded into lines of at most 75 octets (RFC 5545 3.1): a break is CRLF
// plus a space, which the next line's octets include. A break never falls inside a UTF-8 sequence.
func icalFold(w *bytes.Buffer, line string) {
	limit := icalLineOctets
	for len(line) > limit {
		cut := limit
		for !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
		limit = icalLineOctets - 1
	}
	w.WriteString(line)
	w.WriteString("\r\n")
}

// finish wraps the events, after the VTIMEZONEs they use, in the VCALENDAR.
func (c *icalBuilder) finish(name, zone string) []byte {
	var w bytes.Buffer
	icalLine(&w, "BEGIN", "VCALENDAR")
	icalLine(&w, "VERSION", "2.0")
	icalLine(&w, "PRODID", icalProdID)
	icalLine(&w, "CALSCALE", "GREGORIAN")
	icalLine(&w, "METHOD", "PUBLISH")
	icalLine(&w, "X-WR-CALNAME", icalText(name))
	if zone != "" {
		icalLine(&w, "X-WR-TIMEZONE", zone)
	}
	names := make([]string, 0, len(c.years))
	for name := range c.years {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		writeICalTimezone(&w, name, c.locs[name], c.years[name])
	}
	w.Write(c.events.Bytes())
	icalLine(&w, "END", "VCALENDAR")
	return w.Bytes()
}

// icalObservance is one STANDARD or DAYLIGHT part of a VTIMEZONE: from instant at on, the zone's
// offset is to (seconds east of UTC) and its abbreviation name; before, it was from.
type icalObservance struct {
	at       time.Time
	from, to int
	name     string
	daylight bool
}

// writeICalTimezone writes the VTIMEZONE of the zone tzid for local times in years. Go does not
// expose a zone's transitions, so they are found by scanning, and written one by one rather than
// as RRULEs: that is exact for any zone, including ones whose rules changed.
func writeICalTimezone(w *bytes.Buffer, tzid string, loc *time.Location, years map[int]bool) {
	obs := icalObservances(loc, years)
	icalLine(w, "BEGIN", "VTIMEZONE")
	icalLine(w, "TZID", tzid)
	for _, o := range obs {
		kind := "STANDARD"
		if o.daylight {
			kind = "DAYLIGHT"
		}
		// DTSTART is the onset in the local time that was in force before it (RFC 5545 3.6.5).
		start := o.at.UTC().Add(time.Duration(o.from) * time.Second).Format(icalLocal)
		if len(obs) == 1 {
			// No transitions in the span: a fixed offset, conventionally from 1970.
			start = "19700101T000000"
		}
		icalLine(w, "BEGIN", kind)
		icalLine(w, "DTSTART", start)
		icalLine(w, "TZOFFSETFROM", icalOffset(o.from))
		icalLine(w, "TZOFFSETTO", icalOffset(o.to))
		if o.name != "" {
			icalLine(w, "TZNAME", icalText(o.name))
		}
		icalLine(w, "END", kind)
	}
	icalLine(w, "END", "VTIMEZONE")
}

// icalObservances returns the observances covering years, each widened by a year on either side
// so that a client has the transitions around the events. Each run of consecutive years starts with
// an observance for the offset in force on its first January 1 (from = to), so that local times
// before the run's first transition are defined too, also in zones that change only rarely.
func icalObservances(loc *time.Location, years map[int]bool) []icalObservance {
	covered := map[int]bool{}
	for y := range years {
		covered[y-1], covered[y], covered[y+1] = true, true, true
	}
	ys := make([]int, 0, len(covered))
	for y := range covered {
		ys = append(ys, y)
	}
	sort.Ints(ys)

	var obs []icalObservance
	for i, y := range ys {
		from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		to := time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
		name, off := from.Zone()
		var year []icalObservance
		if (i == 0 || ys[i-1] != y-1) && (len(obs) == 0 || obs[len(obs)-1].to != off) {
			year = append(year, icalObservance{at: from, from: off, to: off, name: name})
		}
		year = append(year, icalTransitions(loc, from, to)...)

		// Daylight is the larger offset of a year that has two (or more): zones such as
		// Europe/Dublin mark winter as their DST in the database, but calendars expect summer.
		high, low := off, off
		for _, o := range year {
			high, low = max(high, o.to), min(low, o.to)
		}
		for j := range year {
			year[j].daylight = high != low && year[j].to == high
		}
		obs = append(obs, year...)
	}
	return obs
}

// icalTransitions finds the instants in [from, to] where loc's offset changes: it steps a day at a
// time (no zone changes twice within a day) and bisects a step that changed to the exact second
// (transitions in the database fall on whole seconds).
func icalTransitions(loc *time.Location, from, to time.Time) []icalObservance {
	offset := func(t time.Time) int {
		_, off := t.In(loc).Zone()
		return off
	}
	var out []icalObservance
	prev, prevOff := from, offset(from)
	for prev.Before(to) {
		next := prev.Add(24 * time.Hour)
		if next.After(to) {
			next = to
		}
		if offset(next) == prevOff {
			prev = next
			continue
		}
		lo, hi := prev.Unix(), next.Unix() // offset(lo) is the old one, offset(hi) not
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if offset(time.Unix(mid, 0)) == prevOff {
				lo = mid
			} else {
				hi = mid
			}
		}
		at := time.Unix(hi, 0).In(loc)
		name, off := at.Zone()
		out = append(out, icalObservance{at: at, from: prevOff, to: off, name: name})
		prev, prevOff = at, off
	}
	return out
}

// icalOffset formats a UTC offset in seconds as RFC 5545's utc-offset: +hhmm, or +hhmmss when it
// has seconds (as some historical zones do).
func icalOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, h, m)
}
