import { describe, expect, it } from 'vitest';
import {
  draftLines,
  agendaDays,
  cleanPeople,
  dropIndex,
  effectiveBase,
  errorFieldOf,
  isConflict,
  keyMove,
  linesToList,
  moveItemLocally,
  overrun,
  personLine,
  samePeople,
  sessionRights,
  timedItems,
} from './agenda';
import { ApiError, type AgendaItem, type Session } from './api';

const item = (id: string, duration: number, kind: 'item' | 'break' = 'item'): AgendaItem => ({
  id,
  kind,
  title: id,
  speakers: [],
  duration,
  contributions: [],
  notes: '',
});

const session = (id: string, start: string, end: string, items: AgendaItem[] = []): Session => ({
  id,
  title: id,
  chairs: [],
  start,
  end,
  description: '',
  archive_url: '',
  items,
  revision: 1,
});

describe('agendaDays', () => {
  it('numbers sessions 1..n and groups them by day, in agenda order', () => {
    const days = agendaDays([
      session('a', '2006-05-15T09:30', '2006-05-15T10:00'),
      session('b', '2006-05-15T10:00', '2006-05-15T11:00'),
      session('c', '2006-05-16T09:30', '2006-05-16T10:45'),
      session('d', '2006-05-15T16:00', '2006-05-15T17:00'),
    ]);
    expect(days.map((d) => [d.date, d.sessions.map((s) => `${s.number}${s.session.id}`)])).toEqual([
      ['2006-05-15', ['1a', '2b']],
      ['2006-05-16', ['3c']],
      ['2006-05-15', ['4d']],
    ]);
    expect(agendaDays([])).toEqual([]);
  });
});

describe('timedItems', () => {
  it('starts each item at the session start plus the durations before it, breaks included', () => {
    const s = session('s', '2006-05-15T11:00', '2006-05-15T12:30', [item('a', 25), item('b', 15, 'break'), item('c', 0), item('d', 40)]);
    expect(timedItems(s).map((x) => [x.item.id, x.start, x.end])).toEqual([
      ['a', '2006-05-15T11:00', '2006-05-15T11:25'],
      ['b', '2006-05-15T11:25', '2006-05-15T11:40'],
      ['c', '2006-05-15T11:40', '2006-05-15T11:40'],
      ['d', '2006-05-15T11:40', '2006-05-15T12:20'],
    ]);
    expect(overrun(s)).toBe(0);
  });

  it('crosses midnight and reports an overrun of the session end', () => {
    const s = session('s', '2006-05-15T23:30', '2006-05-16T00:15', [item('a', 45), item('b', 30)]);
    expect(timedItems(s).map((x) => x.start)).toEqual(['2006-05-15T23:30', '2006-05-16T00:15']);
    expect(overrun(s)).toBe(30);
  });

  it('has no times without a session start', () => {
    expect(timedItems(session('s', '', '', [item('a', 10)]))[0].start).toBe('');
  });
});

describe('people', () => {
  it('personLine joins name, title and organization, leaving out empty parts', () => {
    expect(personLine({ name: 'Tim Kelly', title: 'Head, Strategy and Policy Unit', organization: 'ITU' })).toBe(
      'Tim Kelly, Head, Strategy and Policy Unit, ITU',
    );
    expect(personLine({ name: 'Tim Kelly', title: ' ', organization: 'ITU' })).toBe('Tim Kelly, ITU');
  });

  it('cleanPeople trims rows and drops empty ones; samePeople compares', () => {
    const rows = [
      { user_id: '', name: ' Ana ', title: '', organization: ' ITU ' },
      { user_id: '', name: '', title: ' ', organization: '' },
      { user_id: 'u2', name: '', title: '', organization: '' },
    ];
    const clean = cleanPeople(rows);
    expect(clean).toEqual([
      { user_id: '', name: 'Ana', title: '', organization: 'ITU' },
      { user_id: 'u2', name: '', title: '', organization: '' },
    ]);
    expect(samePeople(clean, clean.map((p) => ({ ...p })))).toBe(true);
    expect(samePeople(clean, [clean[0]])).toBe(false);
    expect(samePeople(clean, [clean[0], { ...clean[1], user_id: 'u3' }])).toBe(false);
  });

  it('linesToList keeps one entry per non-empty line', () => {
    expect(linesToList(' C5/2006/C/007 \n\n  C5/2006/C/008\n')).toEqual(['C5/2006/C/007', 'C5/2006/C/008']);
  });
});

describe('sessionRights', () => {
  it('the secretariat manages every session; a chair edits and runs only their own', () => {
    const sec = { can: { edit_meeting: true, edit_sessions: ['s1', 's2'], live_sessions: ['s1', 's2'], post: true } };
    const chair = { can: { edit_meeting: false, edit_sessions: ['s1'], live_sessions: ['s1'], post: true } };
    const reader = { can: { edit_meeting: false, edit_sessions: [], live_sessions: [], post: false } };
    expect(sessionRights(sec, 's2')).toEqual({ edit: true, manage: true, live: true });
    expect(sessionRights(chair, 's1')).toEqual({ edit: true, manage: false, live: true });
    expect(sessionRights(chair, 's2')).toEqual({ edit: false, manage: false, live: false });
    expect(sessionRights(reader, 's1')).toEqual({ edit: false, manage: false, live: false });
  });
});

describe('moves', () => {
  it('keyMove goes one step and stops at the ends', () => {
    expect(keyMove(0, 3, -1)).toBeNull();
    expect(keyMove(0, 3, 1)).toBe(1);
    expect(keyMove(2, 3, 1)).toBeNull();
    expect(keyMove(2, 3, -1)).toBe(1);
  });

  it('dropIndex is the final position after the entry left its place', () => {
    // [a b c d]: a dropped after c ends at index 2, d dropped before b at 1.
    expect(dropIndex(0, 2, true)).toBe(2);
    expect(dropIndex(3, 1, false)).toBe(1);
    expect(dropIndex(1, 1, false)).toBeNull();
    expect(dropIndex(1, 0, true)).toBeNull();
    expect(dropIndex(1, 2, false)).toBeNull();
    // From another list nothing shifts.
    expect(dropIndex(null, 0, false)).toBe(0);
    expect(dropIndex(null, 2, true)).toBe(3);
  });

  it('moveItemLocally does what the server does with to_index', () => {
    const sessions = [session('s1', '', '', [item('a', 1), item('b', 1), item('c', 1)]), session('s2', '', '', [item('x', 1)])];
    const ids = (ss: Session[]) => ss.map((s) => `${s.id}:${s.items.map((i) => i.id).join('')}`).join(' ');
    expect(ids(moveItemLocally(sessions, { session_id: 's1', item_id: 'a', to_index: dropIndex(0, 2, true)! }))).toBe('s1:bca s2:x');
    expect(ids(moveItemLocally(sessions, { session_id: 's1', item_id: 'b', to_session: 's2', to_index: 0 }))).toBe('s1:ac s2:bx');
    expect(ids(moveItemLocally(sessions, { session_id: 's2', to_index: 0 }))).toBe('s2:x s1:abc');
    // The original is left alone.
    expect(ids(sessions)).toBe('s1:abc s2:x');
  });
});

describe('effectiveBase', () => {
  it('skips versions this browser made, stops at someone else’s', () => {
    expect(effectiveBase(4, new Set([5, 6, 8]))).toBe(6);
    expect(effectiveBase(4, new Set())).toBe(4);
    expect(effectiveBase(6, new Set([5, 6, 8]))).toBe(6);
  });
});

describe('errors', () => {
  it('errorFieldOf reads the field, row and sub-field from the message', () => {
    expect(errorFieldOf(new ApiError(400, 'invalid', 'title: is required'))).toEqual({ field: 'title', row: null, sub: null });
    expect(errorFieldOf(new ApiError(400, 'invalid', 'chairs[1].name: must be 1-200 characters'))).toEqual({
      field: 'chairs',
      row: 1,
      sub: 'name',
    });
    expect(errorFieldOf(new ApiError(400, 'invalid', 'start and end: are required'))).toEqual({ field: 'start', row: null, sub: null });
    expect(errorFieldOf(new ApiError(403, 'forbidden', 'title: no'))).toBeNull();
    expect(errorFieldOf(new Error('title: x'))).toBeNull();
  });

  it('isConflict tells a stale version from other conflicts', () => {
    expect(isConflict(new ApiError(409, 'conflict', 'Someone else changed this meeting since you loaded it. Reload to see their changes, then make yours again.'))).toBe(true);
    expect(isConflict(new ApiError(409, 'conflict', 'the session has reached 60 items'))).toBe(false);
    expect(isConflict(new ApiError(400, 'invalid', 'version: is required'))).toBe(false);
  });
});

describe('draftLines', () => {
  it('lists the filled fields as "Label: value", trimmed, in order', () => {
    expect(
      draftLines([
        ['Title', '  Closing remarks '],
        ['Speakers', ''],
        ['Notes', 'Thank the hosts'],
      ]),
    ).toBe('Title: Closing remarks\nNotes: Thank the hosts');
    expect(draftLines([['Title', '   ']])).toBe('');
  });
});
