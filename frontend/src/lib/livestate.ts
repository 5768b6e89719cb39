// Where a running meeting stands on its agenda: the current session and item named by `live`,
// the item after it, and, when nothing is live, the next session on the timetable.

interface SessionLike<I> {
  id: string;
  start: string;
  end: string;
  items: I[];
}

interface ItemRef {
  id: string;
  kind: string;
}

export interface Position<S, I> {
  session: S;
  item: I;
  /** Positions from 0. */
  sessionIndex: number;
  itemIndex: number;
}

/** findLive locates live's session and item in the sessions; null when either is gone. */
export function findLive<I extends ItemRef, S extends SessionLike<I>>(
  sessions: readonly S[],
  live: { session_id: string; item_id: string } | null | undefined,
): Position<S, I> | null {
  if (!live) return null;
  const sessionIndex = sessions.findIndex((s) => s.id === live.session_id);
  if (sessionIndex < 0) return null;
  const session = sessions[sessionIndex];
  const itemIndex = session.items.findIndex((i) => i.id === live.item_id);
  if (itemIndex < 0) return null;
  return { session, item: session.items[itemIndex], sessionIndex, itemIndex };
}

/** nextItem is the item after pos: the next one in its session, else the first of a later session. */
export function nextItem<I extends ItemRef, S extends SessionLike<I>>(sessions: readonly S[], pos: Position<S, I>): Position<S, I> | null {
  if (pos.itemIndex + 1 < pos.session.items.length) {
    return { ...pos, item: pos.session.items[pos.itemIndex + 1], itemIndex: pos.itemIndex + 1 };
  }
  for (let k = pos.sessionIndex + 1; k < sessions.length; k++) {
    const s = sessions[k];
    if (s.items.length) return { session: s, item: s.items[0], sessionIndex: k, itemIndex: 0 };
  }
  return null;
}

/**
 * upcomingSession is the first session (in agenda order) that has not ended at nowWall, a wall
 * time in the meeting's zone ("2006-05-15T09:30"); sessions without times count as upcoming.
 */
export function upcomingSession<S extends { start: string; end: string }>(sessions: readonly S[], nowWall: string): S | null {
  for (const s of sessions) {
    const end = s.end || s.start;
    if (!end || end > nowWall) return s;
  }
  return null;
}
