import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Live, Meeting } from './api';
import type { RoomWatcher } from './chat.svelte';
import { followMeetingWith, newestLive, reconcile, type FeedSource, type MeetingChange, type StreamHandlers } from './meetingfeed.svelte';

const live = (item: string): Live => ({
  session_id: 's1',
  item_id: item,
  since: '2026-05-15T07:30:00Z',
  timer_seconds: 0,
  timer_started: '2026-05-15T07:30:00Z',
  by: 'u1',
  by_name: 'Ana',
});

function meeting(version: number, live_seq = 0, l: Live | null = null): Meeting {
  return {
    id: 'm1',
    title: 'Meeting',
    forum: '',
    start_date: '2026-05-15',
    end_date: '2026-05-16',
    time_zone: 'Europe/Zurich',
    venue: '',
    status: 'agenda_published',
    visibility: 'public',
    my_role: '',
    remote_url: '',
    remote_instructions: '',
    description: '',
    groups: [],
    participants: [],
    attendance: [],
    agenda: { sessions: [] },
    agenda_shown: 'published',
    agenda_number: 1,
    draft_changed: false,
    published: [],
    live: l,
    live_seq,
    version,
    can: { edit_meeting: false, edit_sessions: [], live_sessions: [], post: false },
    room: 'meeting:m1',
    updated_at: '2026-05-15T07:30:00Z',
    server_time: '2026-05-15T07:30:00Z',
  };
}

/** A test double of the app: session, chat watchers and the HTTP load, all under the test's control. */
class FakeSource implements FeedSource {
  user = false;
  hiddenPage = false;
  pollInterval = 10_000;
  stream?: FeedSource['stream'];
  watchers = new Map<string, Set<RoomWatcher>>();
  sessionFns = new Set<() => void>();
  loads = 0;
  next: Meeting | Error = meeting(1);
  signedIn() {
    return this.user;
  }
  onSession(fn: () => void) {
    this.sessionFns.add(fn);
    return () => this.sessionFns.delete(fn);
  }
  watch(room: string, w: RoomWatcher) {
    if (!this.watchers.has(room)) this.watchers.set(room, new Set());
    this.watchers.get(room)!.add(w);
    return () => this.watchers.get(room)?.delete(w);
  }
  async load(id: string) {
    expect(id).toBe('m1');
    this.loads++;
    if (this.next instanceof Error) throw this.next;
    return this.next;
  }
  hidden() {
    return this.hiddenPage;
  }
  setUser(on: boolean) {
    this.user = on;
    for (const fn of this.sessionFns) fn();
  }
  each(room: string, fn: (w: RoomWatcher) => void) {
    for (const w of this.watchers.get(room) ?? []) fn(w);
  }
  count(room = 'meeting:m1') {
    return this.watchers.get(room)?.size ?? 0;
  }
}

async function flush() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('followMeeting', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('signed in: passes each announcement of the meeting room on, and the loaded meeting after every ack', async () => {
    const src = new FakeSource();
    src.user = true;
    const got: MeetingChange[] = [];
    const stop = followMeetingWith(src, 'm1', (e) => got.push(e));
    expect(src.count()).toBe(1);
    src.each('meeting:m1', (w) => w.onMeeting?.({ type: 'meeting', room: 'meeting:m1', version: 3, live_seq: 1, live: live('i1') }));
    expect(got).toEqual([{ version: 3, live_seq: 1, live: live('i1') }]);

    // A reconnect: the ack makes the feed load what was missed.
    src.next = meeting(5, 2, live('i2'));
    src.each('meeting:m1', (w) => w.onSubscribed?.());
    await flush();
    expect(src.loads).toBe(1);
    expect(got[1]).toEqual({ version: 5, live_seq: 2, live: live('i2'), meeting: src.next });

    // No polling while signed in.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(src.loads).toBe(1);

    stop();
    expect(src.count()).toBe(0);
    src.each('meeting:m1', (w) => w.onMeeting?.({ type: 'meeting', room: 'meeting:m1', version: 9, live_seq: 9, live: null }));
    expect(got.length).toBe(2);
  });

  it('a failed load after an ack is ignored', async () => {
    const src = new FakeSource();
    src.user = true;
    const got: MeetingChange[] = [];
    followMeetingWith(src, 'm1', (e) => got.push(e));
    src.next = new Error('offline');
    src.each('meeting:m1', (w) => w.onSubscribed?.());
    await flush();
    expect(got).toEqual([]);
  });

  it('anonymous: polls every 10 s, pauses while the page is hidden, and stops when asked', async () => {
    const src = new FakeSource();
    const got: MeetingChange[] = [];
    const stop = followMeetingWith(src, 'm1', (e) => got.push(e));
    expect(src.count()).toBe(0);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(src.loads).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(src.loads).toBe(1);
    expect(got[0]).toMatchObject({ version: 1, live_seq: 0, live: null });
    src.hiddenPage = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(src.loads).toBe(1);
    src.hiddenPage = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(src.loads).toBe(2);
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(src.loads).toBe(2);
  });

  it('anonymous with an event stream: applies its announcements, reloads on (re)connection, polls only as a backstop', async () => {
    const src = new FakeSource();
    let handlers: StreamHandlers | null = null;
    let closed = 0;
    src.stream = (id, h) => {
      expect(id).toBe('m1');
      handlers = h;
      return () => closed++;
    };
    const got: MeetingChange[] = [];
    const stop = followMeetingWith(src, 'm1', (e) => got.push(e));
    expect(handlers).not.toBeNull();
    handlers!.onOpen();
    await vi.advanceTimersByTimeAsync(0);
    expect(src.loads).toBe(1);
    const live = { session_id: 's', item_id: 'i', since: '', timer_seconds: 0, timer_started: '', by: '', by_name: '' };
    handlers!.onPulse({ version: 1, live_seq: 1, live });
    expect(got.at(-1)).toEqual({ version: 1, live_seq: 1, live });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(src.loads).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(src.loads).toBe(2);
    stop();
    expect(closed).toBe(1);
  });

  it('switches from polling to the room on sign-in and back on sign-out', async () => {
    const src = new FakeSource();
    const got: MeetingChange[] = [];
    const stop = followMeetingWith(src, 'm1', (e) => got.push(e));
    src.setUser(true);
    expect(src.count()).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(src.loads).toBe(0);
    // A token refresh announces the same user again: nothing changes.
    src.setUser(true);
    expect(src.count()).toBe(1);

    src.setUser(false);
    expect(src.count()).toBe(0);
    await flush();
    expect(src.loads).toBe(1); // at once, to show what anonymous readers see
    await vi.advanceTimersByTimeAsync(10_000);
    expect(src.loads).toBe(2);
    stop();
    expect(src.sessionFns.size).toBe(0);
  });

  it('falls back to polling when the room is refused', async () => {
    const src = new FakeSource();
    src.user = true;
    followMeetingWith(src, 'm1', () => {});
    src.each('meeting:m1', (w) => w.onRevoked?.());
    expect(src.count()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(src.loads).toBe(1);
  });
});

describe('newestLive', () => {
  it('keeps the state with the higher live_seq, the current one on a tie', () => {
    type S = { live_seq: number; live: Live | null };
    const a: S = { live_seq: 3, live: live('a') };
    const b: S = { live_seq: 4, live: null };
    const c: S = { live_seq: 3, live: live('c') };
    expect(newestLive(a, b)).toBe(b);
    expect(newestLive(b, a)).toBe(b);
    expect(newestLive(a, c)).toBe(a);
  });
});

describe('reconcile', () => {
  it('applies a newer live state from an announcement and asks for a reload when the version grew', () => {
    const cur = meeting(4, 2, live('i1'));
    let r = reconcile(cur, { version: 4, live_seq: 3, live: live('i2') });
    expect(r.reload).toBe(false);
    expect(r.meeting.live?.item_id).toBe('i2');
    expect(r.meeting.live_seq).toBe(3);
    r = reconcile(r.meeting, { version: 5, live_seq: 3, live: live('i2') });
    expect(r.reload).toBe(true);
    // An older live state (a late announcement) is ignored.
    r = reconcile(r.meeting, { version: 4, live_seq: 1, live: null });
    expect(r.meeting.live?.item_id).toBe('i2');
    expect(r.reload).toBe(false);
  });

  it('takes a loaded meeting that is newer, but keeps the newest live state of both', () => {
    const cur = meeting(4, 5, live('i5'));
    const loaded = meeting(6, 4, live('i4'));
    const r = reconcile(cur, { version: 6, live_seq: 4, live: live('i4'), meeting: loaded });
    expect(r.reload).toBe(false);
    expect(r.meeting.version).toBe(6);
    expect(r.meeting.live?.item_id).toBe('i5');
    expect(r.meeting.live_seq).toBe(5);
  });

  it('keeps the shown meeting when the loaded one is older, taking only a newer live state', () => {
    const cur = meeting(6, 1, null);
    const r = reconcile(cur, { version: 5, live_seq: 2, live: live('x'), meeting: meeting(5, 2, live('x')) });
    expect(r.meeting.version).toBe(6);
    expect(r.meeting.live?.item_id).toBe('x');
    expect(reconcile(cur, { version: 6, live_seq: 1, live: null, meeting: meeting(6, 1) }).meeting).toBe(cur);
  });
});
