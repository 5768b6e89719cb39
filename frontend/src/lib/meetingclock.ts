// Times of a meeting: its agenda runs on local wall times in the meeting's zone
// ("2006-05-15T09:30"), the live view counts a timer down and shows the local time there. Pure
// functions; the views pass the current time and language in.

/** formatClock renders whole seconds as m:ss, or h:mm:ss from an hour on. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export interface TimerState {
  /** The text to show: "4:59" while counting down, "0:00" at the end, "+1:23" when overrunning. */
  text: string;
  /** Whole seconds left (0 once the time is up). */
  remaining: number;
  /** Whole seconds past the end (0 while time is left). */
  over: number;
  /** The time is up. */
  overrun: boolean;
  /** Share of the time used, 0 to 1. */
  used: number;
}

/**
 * timerState is a countdown of timerSeconds started at startedAt (RFC 3339), at nowMs. The
 * remaining time is rounded up, so the display reaches 0:00 exactly when the time is up; from
 * then on the time past the end counts up as "+m:ss". Null without a timer.
 */
export function timerState(timerSeconds: number, startedAt: string, nowMs: number): TimerState | null {
  if (!(timerSeconds > 0)) return null;
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) return null;
  const elapsed = Math.max(0, (nowMs - start) / 1000);
  const left = timerSeconds - elapsed;
  if (left > 0) {
    const remaining = Math.ceil(left);
    return { text: formatClock(remaining), remaining, over: 0, overrun: false, used: Math.min(1, elapsed / timerSeconds) };
  }
  const over = Math.max(0, Math.floor(-left));
  return { text: over === 0 ? formatClock(0) : `+${formatClock(over)}`, remaining: 0, over, overrun: true, used: 1 };
}

/** elapsedClock renders the time since an RFC 3339 moment, for an item that runs without a timer. */
export function elapsedClock(since: string, nowMs: number): string {
  const start = Date.parse(since);
  if (Number.isNaN(start)) return '';
  return formatClock((nowMs - start) / 1000);
}

// ---- wall times ----

const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** wallToUTC reads a wall time "YYYY-MM-DDTHH:MM" as if it were UTC (for arithmetic and formatting). */
export function wallToUTC(wall: string): Date | null {
  const m = WALL.exec(wall);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** utcToWall is the inverse of wallToUTC. */
export function utcToWall(d: Date): string {
  return d.toISOString().slice(0, 16);
}

/** addMinutes moves a wall time by minutes ("" when it is not a wall time). */
export function addMinutes(wall: string, minutes: number): string {
  const d = wallToUTC(wall);
  return d ? utcToWall(new Date(d.getTime() + minutes * 60_000)) : '';
}

/** wallDate is the date part of a wall time. */
export const wallDate = (wall: string) => wall.slice(0, 10);

/** wallNow is the wall time at nowMs in time zone (IANA name), as "YYYY-MM-DDTHH:MM". */
export function wallNow(timeZone: string, nowMs: number): string {
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    return utcToWall(new Date(nowMs));
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(nowMs))) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export interface ItemLike {
  id: string;
  duration: number;
}

/**
 * itemTimes gives every item of a session its start and end wall times: the session's start
 * plus the durations of the items before it. An item without a duration has start === end.
 */
export function itemTimes(sessionStart: string, items: readonly ItemLike[]): Map<string, { start: string; end: string }> {
  const out = new Map<string, { start: string; end: string }>();
  const base = wallToUTC(sessionStart);
  if (!base) return out;
  let t = base.getTime();
  for (const it of items) {
    const end = t + Math.max(0, it.duration || 0) * 60_000;
    out.set(it.id, { start: utcToWall(new Date(t)), end: utcToWall(new Date(end)) });
    t = end;
  }
  return out;
}

// ---- formatting in a language ----

const formats = new Map<string, Intl.DateTimeFormat>();

function fmt(lang: string, key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${lang}|${key}`;
  let f = formats.get(k);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang, opts);
    } catch {
      // An unknown time zone: show the time as UTC rather than fail.
      f = new Intl.DateTimeFormat(lang, { ...opts, timeZone: 'UTC' });
    }
    formats.set(k, f);
  }
  return f;
}

/** formatWallTime renders the clock time of a wall time ("09:30" in the language's style). */
export function formatWallTime(wall: string, lang: string): string {
  const d = wallToUTC(wall);
  if (!d) return wall;
  return fmt(lang, 'wt', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** formatWallDay renders the date of a wall time or date, with the weekday ("Monday 15 May 2006"). */
export function formatWallDay(wallOrDate: string, lang: string): string {
  const d = wallToUTC(wallOrDate.length === 10 ? `${wallOrDate}T00:00` : wallOrDate);
  if (!d) return wallOrDate;
  return fmt(lang, 'wd', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

/** formatDateRange renders a meeting's first and last day ("15–19 May 2006"). */
export function formatDateRange(start: string, end: string, lang: string): string {
  const a = wallToUTC(`${start}T00:00`);
  const b = wallToUTC(`${end}T00:00`);
  if (!a) return start;
  const f = fmt(lang, 'dr', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
  if (!b || b.getTime() === a.getTime()) return f.format(a);
  return f.formatRange(a, b);
}

/** formatZoneTime renders the clock time at nowMs in time zone. */
export function formatZoneTime(nowMs: number, timeZone: string, lang: string): string {
  return fmt(lang, `zt|${timeZone}`, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(nowMs));
}

/** zoneOffset names the UTC offset of time zone on a date ("UTC+02:00"), or "" when unknown. */
export function zoneOffset(timeZone: string, date: string): string {
  const d = wallToUTC(`${date}T12:00`) ?? new Date();
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(d)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (!part) return '';
    return part === 'GMT' || part === 'GMT+00:00' ? 'UTC' : part.replace(/^GMT/, 'UTC');
  } catch {
    return '';
  }
}

/** zoneCity is the readable place of an IANA zone name ("America/New_York" → "New York"). */
export function zoneCity(timeZone: string): string {
  const last = timeZone.split('/').pop() ?? timeZone;
  return last.replace(/_/g, ' ');
}

/**
 * estimateSkew guesses how far this device's clock is ahead of the server's (ms, negative when
 * behind) from a live change received over the realtime connection at receivedAt: the server
 * stamped it `since` a moment before. Differences within tolerance are taken as transit time.
 */
export function estimateSkew(receivedAt: number, since: string, tolerance = 1500): number {
  const at = Date.parse(since);
  if (Number.isNaN(at)) return 0;
  const d = receivedAt - at;
  return Math.abs(d) <= tolerance ? 0 : d;
}
