// The tab's one ShareDB connection to /api/sharedb (docs/protocol.md, "ShareDB
// endpoint"), and the truthful sync state of an open report.
//
// sharedb's Connection keeps its pending and in-flight ops across sockets and
// resends them after a reconnect; this module only supplies sockets: a fresh
// single-use ticket per connection, exponential backoff with jitter, and a
// quick retry when the browser comes back online.

import ShareDB, { type Connection, type Doc, type SocketLike } from 'sharedb/lib/client/index.js';
import { type as textUnicode } from 'ot-text-unicode';
import { api } from './api';
import { backoffDelay } from './realtime';
import type { TextOp } from './textops';

export const REPORTS = 'reports';

/** A presence value: the sender's selection [anchor, focus] in code points; the server adds `user`. */
export interface ReportPresence {
  sel?: [number, number];
  user?: { id: string; name: string };
}

/** The number of cursor colours (classes cm-remote-c0 … and c0 … in the page). */
export const COLORS = 6;

/** colorOf picks a stable colour index for a user id. */
export function colorOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % COLORS;
}

let registered = false;

/** registerType registers ot-text-unicode with a transformPresence that moves `sel` as the server does. */
export function registerType(): void {
  if (registered) return;
  registered = true;
  const type = textUnicode as unknown as {
    transformSelection(sel: [number, number], op: TextOp): [number, number];
    transformPresence?: (value: unknown, op: TextOp, isOwnOp: boolean) => unknown;
  };
  type.transformPresence = (value, op) => {
    const v = value as ReportPresence | null;
    if (!v || !Array.isArray(v.sel)) return v;
    return { ...v, sel: type.transformSelection(v.sel, op) };
  };
  ShareDB.types.register(textUnicode as never);
}

/** A closed stand-in socket, so that the Connection can exist before the first ticket. */
function closedSocket(): SocketLike {
  return { readyState: 3, send() {}, close() {}, onopen: null, onmessage: null, onclose: null, onerror: null };
}

function socketURL(ticket: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/sharedb?ticket=${encodeURIComponent(ticket)}`;
}

/** ReportConnection owns the Connection and keeps giving it sockets while anything uses it. */
class ReportConnection {
  readonly conn: Connection;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private connecting = false;
  private stopped = false;
  private readonly onOnline = () => this.reconnectNow();
  private readonly onOffline = () => this.conn.socket.close();

  constructor() {
    registerType();
    this.conn = new ShareDB.Connection(closedSocket());
    this.conn.on('state', (state) => {
      if (state === 'connected') this.attempt = 0;
    });
    // Errors of the connection itself (e.g. a refused message) must not be thrown as uncaught.
    this.conn.on('error', () => {});
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    void this.connect();
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null) return;
    const delay = backoffDelay(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private reconnectNow(): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    if (this.conn.socket.readyState > 1) void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return; // 'online' brings us back
    this.connecting = true;
    let ws: WebSocket;
    try {
      const { ticket } = await api.wsTicket();
      // Gone offline while the ticket came: 'online' brings us back.
      if (this.stopped || navigator.onLine === false) return;
      ws = new WebSocket(socketURL(ticket));
    } catch {
      this.schedule();
      return;
    } finally {
      this.connecting = false;
    }
    // sharedb sets ws.onclose; a listener of our own brings the next socket.
    ws.addEventListener('close', () => {
      if (this.conn.socket === (ws as unknown as SocketLike)) this.schedule();
    });
    this.conn.bindToSocket(ws as unknown as SocketLike);
  }

  close(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.conn.close();
  }
}

let shared: ReportConnection | null = null;

/** reportConnection answers the tab's one ShareDB connection, opening it on first use; it closes on sign-out. */
export function reportConnection(): Connection {
  if (!shared) {
    shared = new ReportConnection();
    const off = api.onSession((user) => {
      if (user) return;
      off();
      shared?.close();
      shared = null;
    });
  }
  return shared.conn;
}

export type SyncState = 'connecting' | 'saved' | 'saving' | 'offline';

export interface SyncStatus {
  state: SyncState;
  /** Local changes not yet acknowledged by the server. */
  unsent: number;
}

/**
 * syncStatus says what is true of doc now: offline (not connected, after
 * having been), saving (connected with ops in flight or queued) or saved.
 */
export function syncStatus(connState: string, everConnected: boolean, writePending: boolean, unsent: number): SyncStatus {
  if (connState !== 'connected') return { state: everConnected || unsent > 0 ? 'offline' : 'connecting', unsent };
  return { state: writePending ? 'saving' : 'saved', unsent };
}

/**
 * watchSync calls fn with the sync status of doc whenever it may have changed;
 * countLocal must be called for each local op submitted. Answers a stop function.
 */
export function watchSync(conn: Connection, doc: Doc, fn: (s: SyncStatus) => void): { countLocal: () => void; stop: () => void } {
  let unsent = 0;
  let ever = conn.state === 'connected';
  const report = () => fn(syncStatus(conn.state, ever, doc.hasWritePending(), unsent));
  const onState = (state: string) => {
    if (state === 'connected') ever = true;
    report();
  };
  const onNothing = () => {
    unsent = 0;
    report();
  };
  conn.on('state', onState);
  doc.on('no write pending', onNothing);
  doc.on('op', report);
  report();
  return {
    countLocal() {
      unsent++;
      report();
    },
    stop() {
      conn.off('state', onState);
      doc.off('no write pending', onNothing);
      doc.off('op', report);
    },
  };
}
