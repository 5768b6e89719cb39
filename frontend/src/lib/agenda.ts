// The meeting page's agenda logic, kept out of the components so that it can be tested: day
// groups and numbers of sessions, item start times, who may edit what, moves by keyboard and by
// drag and drop, people on the agenda, and reading which form field an API error is about.
import { ApiError, type AgendaItem, type AgendaPerson, type Meeting, type Session } from './api';
import { itemTimes } from './meetingclock';

export interface NumberedSession {
  session: Session;
  /** Position from 1 in the agenda. */
  number: number;
  /** Position from 0. */
  index: number;
}

export interface AgendaDay {
  /** "YYYY-MM-DD", or "" for sessions without a time. */
  date: string;
  sessions: NumberedSession[];
}

/**
 * agendaDays numbers the sessions 1..n in agenda order and groups consecutive sessions of the
 * same day under one heading (a session that goes back to an earlier day starts a new group).
 */
export function agendaDays(sessions: readonly Session[]): AgendaDay[] {
  const out: AgendaDay[] = [];
  sessions.forEach((session, index) => {
    const date = session.start.slice(0, 10);
    const last = out[out.length - 1];
    const entry = { session, number: index + 1, index };
    if (last && last.date === date) last.sessions.push(entry);
    else out.push({ date, sessions: [entry] });
  });
  return out;
}

export interface TimedItem {
  item: AgendaItem;
  index: number;
  /** Wall times in the meeting's zone; "" when the session has no start. */
  start: string;
  end: string;
}

/** timedItems gives each item its start (session start plus the durations before it) and end. */
export function timedItems(session: Pick<Session, 'start' | 'items'>): TimedItem[] {
  const times = itemTimes(session.start, session.items);
  return session.items.map((item, index) => ({
    item,
    index,
    start: times.get(item.id)?.start ?? '',
    end: times.get(item.id)?.end ?? '',
  }));
}

/** overrun is by how many minutes the items of a session run past its end (0 when they fit). */
export function overrun(session: Pick<Session, 'start' | 'end' | 'items'>): number {
  const items = timedItems(session);
  if (!items.length || !session.end) return 0;
  const last = items[items.length - 1].end;
  if (!last) return 0;
  const diff = (Date.parse(`${last}:00Z`) - Date.parse(`${session.end}:00Z`)) / 60_000;
  return Number.isFinite(diff) && diff > 0 ? diff : 0;
}

/** personLine renders a chair or speaker as "name, title, organization", leaving out what is empty. */
export function personLine(p: Pick<AgendaPerson, 'name' | 'title' | 'organization'>): string {
  return [p.name, p.title, p.organization].map((s) => s.trim()).filter(Boolean).join(', ');
}

/** What a viewer may do with one session, from the meeting's `can`. */
export interface SessionRights {
  /** Title, description and items (the session's chairs and the secretariat). */
  edit: boolean;
  /** Chairs, times, deleting and reordering sessions (the secretariat). */
  manage: boolean;
  /** Marking its items current. */
  live: boolean;
}

export function sessionRights(m: Pick<Meeting, 'can'>, sessionID: string): SessionRights {
  return {
    edit: m.can.edit_meeting || m.can.edit_sessions.includes(sessionID),
    manage: m.can.edit_meeting,
    live: m.can.live_sessions.includes(sessionID),
  };
}

/** isEditor: the viewer may change something of the agenda. */
export function isEditor(m: Pick<Meeting, 'can'>): boolean {
  return m.can.edit_meeting || m.can.edit_sessions.length > 0;
}

/** A move as POST /agenda/move takes it (to_index is the final position, from 0). */
export interface Move {
  session_id: string;
  item_id?: string;
  to_session?: string;
  to_index: number;
}

/** keyMove is the move of the entry at index one step up (-1) or down (+1) in a list of length n; null at the ends. */
export function keyMove(index: number, n: number, step: -1 | 1): number | null {
  const to = index + step;
  return to < 0 || to >= n ? null : to;
}

/**
 * dropIndex is the final position of an entry dragged from index `from` (null when it comes from
 * another list) and dropped before (after = false) or after the entry at `target` of the list.
 * Null when the drop changes nothing.
 */
export function dropIndex(from: number | null, target: number, after: boolean): number | null {
  let to = after ? target + 1 : target;
  if (from !== null && from < to) to -= 1;
  if (from !== null && to === from) return null;
  return to;
}

/** moveItemLocally applies an item move to a copy of the sessions (what the server will do), for an immediate display. */
export function moveItemLocally(sessions: readonly Session[], mv: Move): Session[] {
  const out = sessions.map((s) => ({ ...s, items: [...s.items] }));
  if (!mv.item_id) {
    const from = out.findIndex((s) => s.id === mv.session_id);
    if (from < 0) return out;
    const [s] = out.splice(from, 1);
    out.splice(Math.min(mv.to_index, out.length), 0, s);
    return out;
  }
  const src = out.find((s) => s.id === mv.session_id);
  const dst = out.find((s) => s.id === (mv.to_session || mv.session_id));
  if (!src || !dst) return out;
  const i = src.items.findIndex((it) => it.id === mv.item_id);
  if (i < 0) return out;
  const [it] = src.items.splice(i, 1);
  dst.items.splice(Math.min(mv.to_index, dst.items.length), 0, it);
  return out;
}

/**
 * effectiveBase is the version an open form may send: the version it was opened on, carried
 * forward over the versions this browser produced itself since (so one's own other changes do
 * not refuse a form), but never over someone else's change.
 */
export function effectiveBase(base: number, own: ReadonlySet<number>): number {
  let v = base;
  while (own.has(v + 1)) v++;
  return v;
}

/** A form field an API error names: "title", or "chairs" with the row index for "chairs[1].name". */
export interface ErrorField {
  field: string;
  row: number | null;
  sub: string | null;
}

/** errorFieldOf reads the field an `invalid` or `conflict` answer is about ("speakers[0].name: …"). */
export function errorFieldOf(err: unknown): ErrorField | null {
  if (!(err instanceof ApiError) || (err.code !== 'invalid' && err.code !== 'conflict')) return null;
  const m = /^([a-z_]+)(?:\[(\d+)\](?:\.([a-z_]+))?)?(?: and [a-z_]+)?:/.exec(err.message);
  if (!m) return null;
  return { field: m[1], row: m[2] !== undefined ? Number(m[2]) : null, sub: m[3] ?? null };
}

/** isConflict: the server refused a change because the meeting changed since it was loaded. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'conflict' && /changed|version|reload/i.test(err.message);
}

/** linesToList turns a textarea of one entry per line into the list (trimmed, no empty lines). */
export function linesToList(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** cleanPeople trims the rows of a people editor and drops rows left entirely empty. */
export function cleanPeople(rows: readonly AgendaPerson[]): AgendaPerson[] {
  return rows
    .map((p) => ({ user_id: p.user_id, name: p.name.trim(), title: p.title.trim(), organization: p.organization.trim() }))
    .filter((p) => p.name || p.title || p.organization || p.user_id);
}

/** samePeople compares two lists of people field by field. */
export function samePeople(a: readonly AgendaPerson[], b: readonly AgendaPerson[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.user_id === b[i].user_id && p.name === b[i].name && p.title === b[i].title && p.organization === b[i].organization)
  );
}

/** A form's values as readable lines ("Label: value"), skipping empty ones; for kept drafts. */
export function draftLines(fields: [label: string, value: string][]): string {
  return fields
    .map(([label, value]) => [label, value.trim()] as const)
    .filter(([, value]) => value !== '')
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}
