// What the meeting page shares with the agenda components below it: the meeting as shown, the
// way to change it (every change carries the version it was based on), and a few page-wide
// states (the viewer's zone, the account list for linking chairs and speakers, drag and drop).
import { getContext, setContext } from 'svelte';
import type { Meeting, User } from '../../lib/api';

export type Change = (version: number) => Promise<Meeting>;

/** What a drag carries: a session, or an item of a session. */
export type DragSource = { kind: 'session'; sessionId: string; index: number } | { kind: 'item'; sessionId: string; itemId: string; index: number };

export interface AgendaContext {
  /** The meeting as shown now. */
  readonly meeting: Meeting;
  /** The viewer's own IANA zone (for the hover times). */
  readonly viewerZone: string;
  /** The current time (ms), ticking each second while something counts down. */
  readonly now: number;
  /** Accounts to link chairs and speakers to (the secretariat only), null until loaded. */
  readonly users: User[] | null;
  loadUsers(): void;
  /**
   * change runs a change based on version `base` (default: the version shown) and shows its
   * answer. Resolves null when it worked, else the error (a stale version is a `conflict`).
   */
  change(op: Change, base?: number): Promise<unknown>;
  /**
   * act runs an immediate change (a move, a deletion, the live item) on the version shown; the
   * page reports a failure (and offers a reload after a conflict). Resolves whether it worked.
   */
  act(op: Change): Promise<boolean>;
  /** reload loads the meeting again (after a conflict). */
  reload(): Promise<void>;
  /** baseFor is the version a form opened on `opened` may send (skipping this browser's own later changes). */
  baseFor(opened: number): number;
  /**
   * keepUnsaved is told by a form that disappears with unsaved text (someone else removed what
   * it edited): the page shows the text so that nothing typed is lost.
   */
  keepUnsaved(heading: string, text: string): void;
  /** The entry being dragged, if any. */
  drag: DragSource | null;
  /** Timer minutes for the next "Mark current" (empty: no timer). */
  timerMinutes: string;
}

const KEY = Symbol('agenda');

export function setAgendaContext(ctx: AgendaContext): void {
  setContext(KEY, ctx);
}

export function agendaContext(): AgendaContext {
  const ctx = getContext<AgendaContext | undefined>(KEY);
  if (!ctx) throw new Error('agenda components need the meeting page');
  return ctx;
}
