// Time zones of meetings. A meeting's dates and agenda times are wall times in its IANA zone
// ("2006-05-15T09:30" in Europe/Zurich); the page shows them as they are and, on hover or focus,
// the same moment in the viewer's own zone. Pure functions: callers pass the current time.

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

const partsFormats = new Map<string, Intl.DateTimeFormat | null>();

function partsFormat(zone: string): Intl.DateTimeFormat | null {
  let f = partsFormats.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      f = null;
    }
    partsFormats.set(zone, f);
  }
  return f;
}

/** isTimeZone reports whether the runtime knows the IANA zone name. */
export function isTimeZone(zone: string): boolean {
  return zone !== '' && partsFormat(zone) !== null;
}

/** zoneOffsetMinutes is the offset of zone from UTC at the instant ms (Zurich in summer: 120); null for an unknown zone. */
export function zoneOffsetMinutes(zone: string, ms: number): number | null {
  const f = partsFormat(zone);
  if (!f) return null;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUTC = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * wallToInstant is the moment a wall time ("YYYY-MM-DDTHH:MM", or a date for its midnight) has in
 * zone. A time skipped by a daylight-saving change is read with the offset before the change (02:30
 * on a spring-forward night becomes 03:30); a repeated one is its first occurrence.
 */
export function wallToInstant(wall: string, zone: string): Date | null {
  const m = WALL.exec(wall);
  if (!m) return null;
  const asUTC = Date.UTC(+m[1], +m[2] - 1, +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0);
  if (Number.isNaN(asUTC)) return null;
  const before = zoneOffsetMinutes(zone, asUTC - 86_400_000);
  const after = zoneOffsetMinutes(zone, asUTC + 86_400_000);
  if (before === null || after === null) return null;
  // Try both offsets around the wall time; keep those that read back to the same wall time.
  const candidates = [...new Set([before, after])]
    .map((off) => asUTC - off * 60_000)
    .filter((t) => zoneOffsetMinutes(zone, t) === Math.round((asUTC - t) / 60_000))
    .sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]);
  // In a gap: use the offset in force before it.
  return new Date(asUTC - before * 60_000);
}

/** dateInZone is the local date ("YYYY-MM-DD") at the instant ms in zone (UTC for an unknown zone). */
export function dateInZone(zone: string, ms: number): string {
  const off = zoneOffsetMinutes(zone, ms) ?? 0;
  return new Date(ms + off * 60_000).toISOString().slice(0, 10);
}

/** viewerZone is the browser's own time zone, or UTC. */
export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** timeZoneNames lists the IANA zones the browser knows, with fallback always present and UTC first. */
export function timeZoneNames(fallback: string): string[] {
  let list: string[] = [];
  try {
    const sv = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    if (sv) list = sv('timeZone');
  } catch {
    list = [];
  }
  const set = new Set(list);
  set.delete('UTC');
  if (fallback && fallback !== 'UTC') set.add(fallback);
  return ['UTC', ...[...set].sort()];
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(lang: string, zone: string, key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${lang}|${zone}|${key}`;
  let f = formats.get(k);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang, { ...opts, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat(lang, { ...opts, timeZone: 'UTC' });
    }
    formats.set(k, f);
  }
  return f;
}

/** zoneLongName names a zone in a language ("Central European Time"), or "" when Intl cannot. */
export function zoneLongName(zone: string, lang: string, atMs: number): string {
  if (!isTimeZone(zone)) return '';
  for (const style of ['longGeneric', 'long'] as const) {
    try {
      const name = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: style })
        .formatToParts(new Date(atMs))
        .find((p) => p.type === 'timeZoneName')?.value;
      if (name && !/^GMT[+-−]/.test(name)) return name;
    } catch {
      // try the next style
    }
  }
  return '';
}

/**
 * elsewhere renders the moment of a wall time of zone as seen in another zone, with the day
 * ("Mon 15 May, 03:30"), for the hover text that shows a viewer their own time. "" when either zone
 * is unknown or the wall time is malformed.
 */
export function elsewhere(wall: string, zone: string, otherZone: string, lang: string, withDay = true): string {
  const at = wallToInstant(wall, zone);
  if (!at || !isTimeZone(otherZone)) return '';
  const opts: Intl.DateTimeFormatOptions = withDay
    ? { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return format(lang, otherZone, withDay ? 'else' : 'elseTime', opts).format(at);
}

/** sameClock reports whether the two zones show the same wall time at that moment (no hover needed). */
export function sameClock(wall: string, zone: string, otherZone: string): boolean {
  const at = wallToInstant(wall, zone);
  if (!at) return true;
  return zoneOffsetMinutes(zone, at.getTime()) === zoneOffsetMinutes(otherZone, at.getTime());
}

export interface DatedMeeting {
  start_date: string;
  end_date: string;
  time_zone: string;
}

/** Where a meeting stands on a day: before, during or after its dates (in its own zone). */
export type MeetingPhase = 'upcoming' | 'ongoing' | 'past';

export function meetingPhase(m: DatedMeeting, nowMs: number): MeetingPhase {
  const today = dateInZone(m.time_zone, nowMs);
  if (m.end_date < today) return 'past';
  if (m.start_date > today) return 'upcoming';
  return 'ongoing';
}

/**
 * splitMeetings separates meetings still to come or running (their end date is today or later in
 * their own zone) from past ones: upcoming soonest first, past most recent first.
 */
export function splitMeetings<T extends DatedMeeting & { title?: string }>(list: readonly T[], nowMs: number): { upcoming: T[]; past: T[] } {
  const upcoming: T[] = [];
  const past: T[] = [];
  for (const m of list) (meetingPhase(m, nowMs) === 'past' ? past : upcoming).push(m);
  const byTitle = (a: T, b: T) => (a.title ?? '').localeCompare(b.title ?? '');
  upcoming.sort((a, b) => a.start_date.localeCompare(b.start_date) || a.end_date.localeCompare(b.end_date) || byTitle(a, b));
  past.sort((a, b) => b.end_date.localeCompare(a.end_date) || b.start_date.localeCompare(a.start_date) || byTitle(a, b));
  return { upcoming, past };
}

/** meetingDays lists the dates from start to end ("YYYY-MM-DD"), at most 62 of them. */
export function meetingDays(start: string, end: string): string[] {
  const a = WALL.exec(start);
  const b = WALL.exec(end);
  if (!a || !b) return [];
  const out: string[] = [];
  let t = Date.UTC(+a[1], +a[2] - 1, +a[3]);
  const last = Date.UTC(+b[1], +b[2] - 1, +b[3]);
  while (t <= last && out.length < 62) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 86_400_000;
  }
  return out;
}

/** addDays moves a date "YYYY-MM-DD" by n days. */
export function addDays(date: string, n: number): string {
  const a = WALL.exec(date);
  if (!a) return date;
  return new Date(Date.UTC(+a[1], +a[2] - 1, +a[3] + n)).toISOString().slice(0, 10);
}
