// Follows one meeting's changes for an open view: over the app's realtime connection while
// signed in (the room `meeting:<id>` announces every stored change as
// {"type":"meeting","room","version","live_seq","live"}), and for anonymous readers of public
// meetings over the server-sent events of GET /api/meetings/<id>/events (the same envelopes),
// with polling GET /api/meetings/<id> as a backstop. Views reload the meeting when `version` grows and
// apply `live` directly, keeping the newest by `live_seq` (see reconcile).
import { api, type Meeting, type MeetingPulse } from './api';
import { chat, type RoomWatcher } from './chat.svelte';

/** What onChange receives: an announcement, or a freshly loaded meeting (then `meeting` is set). */
export interface MeetingChange extends MeetingPulse {
  /** Present when the feed loaded the whole meeting (after a subscribe ack, or when polling). */
  meeting?: Meeting;
}

export const POLL_INTERVAL = 10_000;
/** While an event stream is open, polling is only a backstop. */
export const STREAM_BACKSTOP = 30_000;

/** Handlers of an event stream: each announcement, and each (re)connection. */
export interface StreamHandlers {
  onPulse(p: MeetingPulse): void;
  onOpen(): void;
}

/** Where the feed gets its news; followMeeting uses the app's, tests pass their own. */
export interface FeedSource {
  signedIn(): boolean;
  /** Calls fn whenever the signed-in user may have changed. */
  onSession(fn: () => void): () => void;
  watch(room: string, w: RoomWatcher): () => void;
  load(id: string): Promise<Meeting>;
  /** Whether the page is hidden (polling pauses then). */
  hidden?(): boolean;
  pollInterval?: number;
  /** Opens the meeting's event stream for an anonymous reader; returns a close function. */
  stream?(id: string, h: StreamHandlers): () => void;
}

/** eventStream follows GET /api/meetings/<id>/events with the browser's EventSource. */
export function eventStream(id: string, h: StreamHandlers): () => void {
  if (typeof EventSource === 'undefined') return () => {};
  const es = new EventSource(`/api/meetings/${encodeURIComponent(id)}/events`);
  es.onopen = () => h.onOpen();
  es.onmessage = (ev: MessageEvent<string>) => {
    try {
      const d = JSON.parse(ev.data) as MeetingPulse & { type?: string };
      if (d.type === 'meeting') h.onPulse({ version: d.version, live_seq: d.live_seq, live: d.live });
    } catch {
      // Not ours; the backstop poll keeps the view right.
    }
  };
  return () => es.close();
}

const appSource: FeedSource = {
  signedIn: () => api.signedIn,
  onSession: (fn) => api.onSession(() => fn()),
  watch: (room, w) => chat.watch(room, w),
  load: (id) => api.getMeeting(id),
  hidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
  stream: eventStream,
};

/** meetingRoom names the realtime room of a meeting. */
export const meetingRoom = (id: string) => `meeting:${id}`;

/**
 * followMeeting calls onChange for every change of meeting id until the returned function is
 * called: each realtime announcement while signed in, plus the meeting as loaded after every
 * (re)subscribe ack (so a view catches up on what it missed offline); every 10 s the meeting as
 * polled for anonymous viewers. It switches between the two when the person signs in or out.
 */
export function followMeeting(id: string, onChange: (e: MeetingChange) => void): () => void {
  return followMeetingWith(appSource, id, onChange);
}

export function followMeetingWith(src: FeedSource, id: string, onChange: (e: MeetingChange) => void): () => void {
  const room = meetingRoom(id);
  const every = src.pollInterval ?? POLL_INTERVAL;
  let mode: 'watch' | 'poll' | null = null;
  let stopMode: (() => void) | null = null;
  let closed = false;

  const emit = (e: MeetingChange) => {
    if (closed) return;
    try {
      onChange(e);
    } catch (err) {
      console.error(err);
    }
  };

  async function loadNow(): Promise<void> {
    try {
      const m = await src.load(id);
      emit({ version: m.version, live_seq: m.live_seq, live: m.live, meeting: m });
    } catch {
      // The next announcement or poll tries again.
    }
  }

  function watch(): void {
    mode = 'watch';
    const off = src.watch(room, {
      onMeeting: (env) => emit({ version: env.version, live_seq: env.live_seq, live: env.live }),
      onSubscribed: () => void loadNow(),
      onRevoked: () => {
        // The realtime side refused the room: keep the view fresh by polling instead.
        if (closed || mode !== 'watch') return;
        off();
        poll();
      },
    });
    stopMode = off;
  }

  function poll(): void {
    mode = 'poll';
    // An event stream brings changes at once; polling then only backs it up.
    const closeStream = src.stream?.(id, {
      onPulse: (p) => emit({ version: p.version, live_seq: p.live_seq, live: p.live }),
      onOpen: () => void loadNow(),
    });
    const timer = setInterval(
      () => {
        if (!src.hidden?.()) void loadNow();
      },
      closeStream ? Math.max(every, STREAM_BACKSTOP) : every,
    );
    stopMode = () => {
      clearInterval(timer);
      closeStream?.();
    };
  }

  function choose(initial: boolean): void {
    const want = src.signedIn() ? 'watch' : 'poll';
    if (want === mode) return;
    stopMode?.();
    stopMode = null;
    if (want === 'watch') watch();
    else {
      poll();
      // Signed out while viewing: show at once what an anonymous reader sees.
      if (!initial) void loadNow();
    }
  }

  choose(true);
  const offSession = src.onSession(() => {
    if (!closed) choose(false);
  });
  return () => {
    closed = true;
    offSession();
    stopMode?.();
    stopMode = null;
  };
}

/** newestLive picks the newer of two live states by live_seq (the current one on a tie). */
export function newestLive<T extends { live_seq: number }>(current: T, incoming: T): T {
  return incoming.live_seq > current.live_seq ? incoming : current;
}

/**
 * reconcile applies a change to the meeting a view shows: a loaded meeting replaces it unless it
 * is older; an announcement updates the live state when newer, and asks for a reload (reload:
 * true) when the version grew.
 */
export function reconcile(current: Meeting, e: MeetingChange): { meeting: Meeting; reload: boolean } {
  const withLive = (m: Meeting, from: MeetingPulse): Meeting =>
    newestLive(m, from) === m ? m : { ...m, live: from.live, live_seq: from.live_seq };
  if (e.meeting) {
    // The newer content wins; the live state is the newest of both (live changes take no version).
    if (e.meeting.version > current.version) return { meeting: withLive(e.meeting, current), reload: false };
    return { meeting: withLive(current, e.meeting), reload: false };
  }
  return { meeting: withLive(current, e), reload: e.version > current.version };
}
