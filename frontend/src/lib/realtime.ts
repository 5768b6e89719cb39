// The one client of the realtime protocol (docs/protocol.md): a single
// websocket per tab that carries every room the person follows.
//
// It fetches a ticket, connects, splits server frames into envelopes,
// matches answers to requests by id, keeps per room the last event seq seen
// (and re-subscribes with `since` after a reconnect, so nothing is lost or
// applied twice), reconnects with exponential backoff and jitter, and keeps
// an outbox of posts that are not yet acknowledged (persisted per user, so a
// reload keeps them; the server dedupes by cmid, so resending is safe).
//
// Plain TypeScript without Svelte, so that it can be tested against a fake
// WebSocket; src/lib/chat.svelte.ts turns its callbacks into UI state.

import type { AppNotification, Live } from './api';

export const PROTOCOL_VERSION = 1;

export type ConnectionState = 'connected' | 'connecting' | 'offline';

export interface UserRef {
  id: string;
  name: string;
}

export interface ChatMessage {
  seq: number;
  topic: string;
  author: UserRef;
  body: string;
  html: string;
  mentions: string[];
  cmid?: string;
  at: string;
  edited_at: string | null;
  deleted: boolean;
  reactions: Record<string, string[]>;
}

export interface TopicChange {
  name: string;
  resolved: boolean;
  renamed_from?: string;
}

export type EventKind = 'message' | 'edit' | 'delete' | 'reaction' | 'topic';

export interface RoomEvent {
  type: 'event';
  room: string;
  seq: number;
  at: string;
  kind: EventKind;
  message?: ChatMessage;
  topic?: TopicChange;
}

export interface TopicSummary {
  name: string;
  resolved: boolean;
  last_seq: number;
  messages: number;
  unread: number;
  mentions: number;
}

export interface SubscribeAck {
  head: number;
  read: { topics: Record<string, number> };
  topics: TopicSummary[];
  presence: UserRef[];
}

export interface PresenceEnvelope {
  type: 'presence';
  room: string;
  user: UserRef;
  online: boolean;
}
export interface TypingEnvelope {
  type: 'typing';
  room: string;
  topic: string;
  user: UserRef;
}
export interface ReadEnvelope {
  type: 'read';
  room: string;
  topic: string;
  seq: number;
}
export interface RevokedEnvelope {
  type: 'revoked';
  room: string;
  reason: string;
}
/** A stored change of a meeting, announced in its room `meeting:<id>` (docs/api.md, Realtime). */
export interface MeetingEnvelope {
  type: 'meeting';
  room: string;
  version: number;
  live_seq: number;
  live: Live | null;
}
/** A report's review changed (state, comments, dispositions): readers re-fetch it. Not tied to a room. */
export interface ReviewChangedEnvelope {
  type: 'review.changed';
  report_id: string;
}
/** A notification stored for the signed-in person (docs/protocol.md, Notifications). Not tied to a room. */
export interface NotificationEnvelope {
  type: 'notification';
  notification: AppNotification;
  unread: number;
}
export interface HelloEnvelope {
  type: 'hello';
  v: number;
  user: UserRef;
  limits?: { body: number; frame: number };
}

/** Envelopes delivered to listeners (answers are consumed by the request that asked). */
export type ServerEnvelope =
  | RoomEvent
  | PresenceEnvelope
  | TypingEnvelope
  | ReadEnvelope
  | RevokedEnvelope
  | HelloEnvelope
  | MeetingEnvelope
  | ReviewChangedEnvelope
  | NotificationEnvelope;

/** A post waiting for its ack. */
export interface OutboxEntry {
  cmid: string;
  room: string;
  topic: string;
  body: string;
  mentions: string[];
  /** When it was written (ISO); shown while it waits. */
  at: string;
  /**
   * Whether it may have reached the server already: set before its first send, and for every
   * entry read back from storage. Resends say `retry`, so the server also looks for it among
   * posts stored before a restart.
   */
  sent?: boolean;
}

/** An `error` answer, or a request that could not be answered (code "network"). */
export class RealtimeError extends Error {
  readonly code: string;
  readonly retryAfter: number | null;
  constructor(code: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'RealtimeError';
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** The subset of WebSocket the client uses; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Something that fires `online` and `offline` (the window). */
export interface NetworkEvents {
  addEventListener(type: 'online' | 'offline', fn: () => void): void;
  removeEventListener(type: 'online' | 'offline', fn: () => void): void;
}

export interface RealtimeOptions {
  /** Returns a fresh single-use ticket (POST /api/ws-ticket). */
  ticket: () => Promise<string>;
  /** Builds the websocket URL for a ticket; defaults to /api/ws on this page's host. */
  url?: (ticket: string) => string;
  /** Opens a socket; defaults to the browser's WebSocket. */
  connect?: (url: string) => SocketLike;
  /** The signed-in user: the outbox is kept per user. */
  userId: string;
  /** Defaults to localStorage when there is one. */
  storage?: StorageLike | null;
  /** Defaults to window when there is one. */
  network?: NetworkEvents | null;
  /** Whether the browser believes it is online; defaults to navigator.onLine. */
  isOnline?: () => boolean;
  random?: () => number;
  /** How long a request waits for its answer (ms). */
  requestTimeout?: number;
  /** Interval of the client's liveness ping (ms); 0 disables it. */
  pingInterval?: number;
  /** Called when the server speaks a protocol version this client does not know. */
  onVersionMismatch?: () => void;
  /** Called when the server closes with 4001 (the account is gone). */
  onUnauthorized?: () => void;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: RealtimeError) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface RoomSub {
  /** Last event seq applied, or null before the first subscribe ack. */
  lastSeq: number | null;
  /** Whether the subscribe on the current connection was acknowledged. */
  ready: boolean;
  /** The subscribe in flight on the current connection. */
  inflight: Promise<SubscribeAck | null> | null;
}

const OPEN = 1;
export const BACKOFF_MIN = 500;
export const BACKOFF_MAX = 10_000;

/** splitFrame parses a server frame: one or more JSON objects separated by newlines. */
export function splitFrame(data: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of data.split('\n')) {
    const s = line.trim();
    if (!s) continue;
    try {
      const v: unknown = JSON.parse(s);
      if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string') {
        out.push(v as Record<string, unknown>);
      }
    } catch {
      // A broken line is skipped; the others in the frame still count.
    }
  }
  return out;
}

/** isNotification checks the fields the app relies on before a notification reaches the UI. */
export function isNotification(v: unknown): v is AppNotification {
  if (!v || typeof v !== 'object') return false;
  const n = v as Record<string, unknown>;
  return (
    typeof n.id === 'string' &&
    typeof n.kind === 'string' &&
    typeof n.title === 'string' &&
    typeof n.link === 'string' &&
    typeof n.at === 'string' &&
    typeof n.read === 'boolean'
  );
}

/** backoffDelay is the wait before reconnect attempt n (0-based): 0.5 s doubling to 10 s, with jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.min(attempt, 16));
  // "Equal jitter": between half the step and the full step.
  return Math.round(base / 2 + (random() * base) / 2);
}

function defaultURL(ticket: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/ws?ticket=${encodeURIComponent(ticket)}`;
}

function newCmid(random: () => number): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return `c-${c.randomUUID()}`;
  return `c-${Date.now().toString(36)}-${Math.floor(random() * 2 ** 48).toString(36)}`;
}

/** The request errors after which a post will never succeed and leaves the outbox. */
const FATAL_POST_CODES = new Set(['invalid', 'forbidden', 'not_found', 'too_large', 'unauthorized', 'conflict']);

export type EnvelopeListener = (env: ServerEnvelope) => void;
export type SubscribedListener = (room: string, ack: SubscribeAck, resumed: boolean) => void;
export type OutboxListener = (entries: readonly OutboxEntry[]) => void;
export type PostFailedListener = (entry: OutboxEntry, err: RealtimeError) => void;

export class RealtimeClient {
  private readonly opts: Required<Omit<RealtimeOptions, 'onVersionMismatch' | 'onUnauthorized' | 'storage' | 'network'>> &
    Pick<RealtimeOptions, 'onVersionMismatch' | 'onUnauthorized'>;
  private readonly storage: StorageLike | null;
  private readonly network: NetworkEvents | null;
  private socket: SocketLike | null = null;
  private _state: ConnectionState = 'offline';
  private running = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly rooms = new Map<string, RoomSub>();
  private outbox: OutboxEntry[] = [];
  /** cmids sent on the current connection (not sent twice on one connection). */
  private readonly inFlight = new Set<string>();
  /** Waiters of post(): resolved with the message seq once acknowledged. */
  private readonly postWaiters = new Map<string, { resolve: (seq: number) => void; reject: (e: RealtimeError) => void }>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private readonly envelopeListeners = new Set<EnvelopeListener>();
  private readonly subscribedListeners = new Set<SubscribedListener>();
  private readonly outboxListeners = new Set<OutboxListener>();
  private readonly failedListeners = new Set<PostFailedListener>();
  private retryPostsTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = 0;
  private lastPingAt = 0;
  /** The user as the server knows it (from hello). */
  user: UserRef | null = null;

  constructor(opts: RealtimeOptions) {
    const hasWindow = typeof window !== 'undefined';
    this.opts = {
      ticket: opts.ticket,
      url: opts.url ?? defaultURL,
      connect: opts.connect ?? ((u) => new WebSocket(u) as unknown as SocketLike),
      userId: opts.userId,
      isOnline: opts.isOnline ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false)),
      random: opts.random ?? Math.random,
      requestTimeout: opts.requestTimeout ?? 15_000,
      pingInterval: opts.pingInterval ?? 20_000,
      onVersionMismatch: opts.onVersionMismatch,
      onUnauthorized: opts.onUnauthorized,
    };
    this.storage = opts.storage !== undefined ? opts.storage : hasWindow ? safeLocalStorage() : null;
    this.network = opts.network !== undefined ? opts.network : hasWindow ? window : null;
    this.outbox = this.loadOutbox();
  }

  // ---- observation ----

  get state(): ConnectionState {
    return this._state;
  }

  /** onState calls fn now and on every change of the connection state. */
  onState(fn: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(fn);
    fn(this._state);
    return () => this.stateListeners.delete(fn);
  }

  /** onEnvelope receives events (after the seq guard), presence, typing, read, revoked and hello. */
  onEnvelope(fn: EnvelopeListener): () => void {
    this.envelopeListeners.add(fn);
    return () => this.envelopeListeners.delete(fn);
  }

  /** onSubscribed receives every subscribe ack; resumed is true when it was a re-subscribe with since. */
  onSubscribed(fn: SubscribedListener): () => void {
    this.subscribedListeners.add(fn);
    return () => this.subscribedListeners.delete(fn);
  }

  /** onOutbox calls fn now and whenever the outbox changes. */
  onOutbox(fn: OutboxListener): () => void {
    this.outboxListeners.add(fn);
    fn(this.outbox);
    return () => this.outboxListeners.delete(fn);
  }

  /** onPostFailed is told about posts the server refused for good (they leave the outbox). */
  onPostFailed(fn: PostFailedListener): () => void {
    this.failedListeners.add(fn);
    return () => this.failedListeners.delete(fn);
  }

  get pendingPosts(): readonly OutboxEntry[] {
    return this.outbox;
  }

  /** lastSeq is the last event seq applied for room (null before its first subscribe ack). */
  lastSeq(room: string): number | null {
    return this.rooms.get(room)?.lastSeq ?? null;
  }

  isSubscribed(room: string): boolean {
    return this.rooms.has(room);
  }

  // ---- lifecycle ----

  /** start connects and keeps the connection up until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.network?.addEventListener('online', this.onOnline);
    this.network?.addEventListener('offline', this.onOffline);
    if (this.opts.isOnline()) void this.open();
    else this.setState('offline');
  }

  /** stop closes the connection for good (sign-out). The outbox stays stored for the user. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.network?.removeEventListener('online', this.onOnline);
    this.network?.removeEventListener('offline', this.onOffline);
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      detach(s);
      try {
        s.close(1000, 'bye');
      } catch {
        // already closed
      }
    }
    this.failPending('closed');
    this.setState('offline');
  }

  /** reconnectNow skips the backoff wait (e.g. a "retry" button). */
  reconnectNow(): void {
    if (!this.running || this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    void this.open();
  }

  private readonly onOnline = () => {
    if (!this.running) return;
    if (this.socket) return;
    this.reconnectNow();
  };

  private readonly onOffline = () => {
    if (!this.running) return;
    // The socket may linger for a while without noticing; drop it now, so
    // that posts go to the outbox and the person sees the true state.
    this.drop();
    this.setState('offline');
  };

  private setState(s: ConnectionState): void {
    if (s === this._state) return;
    this._state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.retryPostsTimer) clearTimeout(this.retryPostsTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    this.retryPostsTimer = null;
  }

  private async open(): Promise<void> {
    if (!this.running || this.socket) return;
    this.setState('connecting');
    let ticket: string;
    try {
      ticket = await this.opts.ticket();
    } catch {
      if (!this.running) return;
      this.scheduleReconnect();
      return;
    }
    if (!this.running || this.socket) return;
    let s: SocketLike;
    try {
      s = this.opts.connect(this.opts.url(ticket));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = s;
    s.onmessage = (ev) => {
      if (this.socket !== s) return;
      if (typeof ev.data === 'string') this.onFrame(ev.data);
    };
    s.onclose = (ev) => {
      if (this.socket !== s) return;
      this.onSocketClosed(ev.code);
    };
    s.onerror = () => {
      // onclose follows.
    };
  }

  /** drop forgets the current socket (without waiting for its close) and plans a reconnect. */
  private drop(): void {
    const s = this.socket;
    if (!s) return;
    this.socket = null;
    detach(s);
    try {
      s.close(1000, 'bye');
    } catch {
      // ignore
    }
    this.afterDisconnect();
  }

  private onSocketClosed(code: number): void {
    this.socket = null;
    this.afterDisconnect();
    if (code === 4001) {
      this.running = false;
      this.setState('offline');
      this.opts.onUnauthorized?.();
      return;
    }
  }

  private afterDisconnect(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.inFlight.clear();
    for (const r of this.rooms.values()) {
      r.ready = false;
      r.inflight = null;
    }
    this.failPending('network');
    if (this.running) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.setState(this.opts.isOnline() ? 'connecting' : 'offline');
    const delay = backoffDelay(this.attempt++, this.opts.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.opts.isOnline()) void this.open();
      else this.scheduleReconnect();
    }, delay);
  }

  private failPending(code: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(new RealtimeError(code, 'the connection closed before the answer'));
    }
  }

  // ---- frames ----

  private onFrame(data: string): void {
    this.lastFrameAt = Date.now();
    for (const env of splitFrame(data)) this.onEnvelopeIn(env);
  }

  private onEnvelopeIn(env: Record<string, unknown>): void {
    const type = env.type as string;
    const id = typeof env.id === 'string' ? env.id : null;
    if (id !== null && (type === 'ack' || type === 'error' || type === 'pong')) {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (type === 'error') {
        const ra = typeof env.retry_after === 'number' ? env.retry_after : null;
        p.reject(new RealtimeError(String(env.code ?? 'internal'), String(env.message ?? ''), ra));
      } else p.resolve(env);
      return;
    }
    switch (type) {
      case 'hello':
        this.onHello(env as unknown as HelloEnvelope);
        return;
      case 'event': {
        const ev = env as unknown as RoomEvent;
        const sub = this.rooms.get(ev.room);
        if (!sub || typeof ev.seq !== 'number') return;
        // Defensive: never apply an event twice.
        if (sub.lastSeq !== null && ev.seq <= sub.lastSeq) return;
        sub.lastSeq = ev.seq;
        this.emit(ev);
        return;
      }
      case 'revoked': {
        const r = env as unknown as RevokedEnvelope;
        this.rooms.delete(r.room);
        this.emit(r);
        return;
      }
      case 'meeting': {
        // Not sequenced: listeners keep the newest by version and live_seq.
        const m = env as Partial<MeetingEnvelope>;
        if (typeof m.room === 'string' && this.rooms.has(m.room) && typeof m.version === 'number') {
          this.emit({
            type: 'meeting',
            room: m.room,
            version: m.version,
            live_seq: typeof m.live_seq === 'number' ? m.live_seq : 0,
            live: m.live && typeof m.live === 'object' ? m.live : null,
          });
        }
        return;
      }
      case 'review.changed': {
        const r = env as Partial<ReviewChangedEnvelope>;
        if (typeof r.report_id === 'string') this.emit({ type: 'review.changed', report_id: r.report_id });
        return;
      }
      case 'notification': {
        const n = env as Partial<NotificationEnvelope>;
        if (isNotification(n.notification)) {
          this.emit({ type: 'notification', notification: n.notification, unread: typeof n.unread === 'number' ? n.unread : 0 });
        }
        return;
      }
      case 'presence':
      case 'typing':
      case 'read': {
        const room = (env as { room?: unknown }).room;
        if (typeof room === 'string' && this.rooms.has(room)) this.emit(env as unknown as ServerEnvelope);
        return;
      }
      default:
      // Unknown envelopes are ignored (forward compatibility).
    }
  }

  private emit(env: ServerEnvelope): void {
    for (const fn of this.envelopeListeners) {
      try {
        fn(env);
      } catch (e) {
        console.error(e);
      }
    }
  }

  private onHello(h: HelloEnvelope): void {
    if (h.v !== PROTOCOL_VERSION) {
      this.opts.onVersionMismatch?.();
      return;
    }
    this.user = h.user ?? null;
    this.attempt = 0;
    this.setState('connected');
    this.emit(h);
    if (this.opts.pingInterval > 0) {
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.lastPingAt = 0;
      this.pingTimer = setInterval(() => this.ping(), this.opts.pingInterval);
    }
    for (const room of this.rooms.keys()) void this.sendSubscribe(room);
    this.flushOutbox();
  }

  /**
   * ping checks that the connection still answers: every interval it sends
   * a ping, and drops the connection when nothing at all arrived since the
   * previous one (the browser answers the server's pings itself, so a
   * half-open connection is otherwise invisible here).
   */
  private ping(): void {
    if (!this.socket) return;
    if (this.lastPingAt > 0 && this.lastFrameAt < this.lastPingAt) {
      this.drop();
      return;
    }
    this.lastPingAt = Date.now();
    this.sendRaw({ type: 'ping', id: `p${this.nextId++}` });
  }

  private get open_(): boolean {
    return this._state === 'connected' && this.socket !== null && this.socket.readyState === OPEN;
  }

  private sendRaw(env: Record<string, unknown>): boolean {
    if (!this.open_ || !this.socket) return false;
    try {
      this.socket.send(JSON.stringify(env));
      return true;
    } catch {
      return false;
    }
  }

  /** request sends env with a fresh id and resolves with the ack (rejects with RealtimeError). */
  request<T = Record<string, unknown>>(env: Record<string, unknown>, timeout = this.opts.requestTimeout): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.open_) {
        reject(new RealtimeError('network', 'not connected'));
        return;
      }
      const id = `r${this.nextId++}`;
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) reject(new RealtimeError('timeout', 'no answer'));
      }, timeout);
      this.pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject, timer });
      if (!this.sendRaw({ ...env, id })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new RealtimeError('network', 'not connected'));
      }
    });
  }

  // ---- rooms ----

  /**
   * subscribe follows room from now on, across reconnects. The ack goes to
   * onSubscribed listeners (and resolves the promise when connected now).
   */
  subscribe(room: string): Promise<SubscribeAck | null> {
    let sub = this.rooms.get(room);
    if (!sub) {
      sub = { lastSeq: null, ready: false, inflight: null };
      this.rooms.set(room, sub);
    }
    if (!this.open_ || sub.ready) return Promise.resolve(null);
    return sub.inflight ?? this.sendSubscribe(room);
  }

  /**
   * resubscribe asks for a fresh subscribe ack of a room that is already
   * followed (for a listener that starts caring after the first ack); it
   * resumes from the last seq, so no event is delivered twice.
   */
  resubscribe(room: string): Promise<SubscribeAck | null> {
    const sub = this.rooms.get(room);
    if (!sub) return this.subscribe(room);
    if (!this.open_) return Promise.resolve(null);
    if (sub.inflight) return sub.inflight;
    sub.ready = false;
    return this.sendSubscribe(room);
  }

  unsubscribe(room: string): void {
    if (!this.rooms.delete(room)) return;
    if (this.open_) this.request({ type: 'unsubscribe', room }).catch(() => {});
  }

  private sendSubscribe(room: string): Promise<SubscribeAck | null> {
    const sub = this.rooms.get(room);
    if (!sub) return Promise.resolve(null);
    const p = this.doSubscribe(room, sub);
    sub.inflight = p;
    return p;
  }

  private async doSubscribe(room: string, sub: RoomSub): Promise<SubscribeAck | null> {
    const since = sub.lastSeq;
    const env: Record<string, unknown> = { type: 'subscribe', room };
    if (since !== null) env.since = since;
    try {
      const ack = await this.request<SubscribeAck & Record<string, unknown>>(env);
      const cur = this.rooms.get(room);
      if (cur !== sub) return null;
      cur.inflight = null;
      // Without since, only live events follow: they start after head.
      if (cur.lastSeq === null) cur.lastSeq = ack.head;
      cur.ready = true;
      for (const fn of this.subscribedListeners) {
        try {
          fn(room, ack, since !== null);
        } catch (e) {
          console.error(e);
        }
      }
      return ack;
    } catch (e) {
      if (sub.inflight) sub.inflight = null;
      if (e instanceof RealtimeError && (e.code === 'forbidden' || e.code === 'not_found' || e.code === 'unauthorized')) {
        this.rooms.delete(room);
        this.emit({ type: 'revoked', room, reason: e.code });
      }
      return null;
    }
  }

  // ---- requests of the rooms ----

  history(room: string, before?: number, limit = 50): Promise<ChatMessage[]> {
    const env: Record<string, unknown> = { type: 'history', room, limit };
    if (before !== undefined) env.before = before;
    return this.request<{ messages: ChatMessage[] }>(env).then((a) => a.messages ?? []);
  }

  edit(room: string, seq: number, body: string, mentions: string[] = []): Promise<number> {
    return this.request<{ seq: number }>({ type: 'edit', room, seq, body, mentions }).then((a) => a.seq);
  }

  delete(room: string, seq: number): Promise<number> {
    return this.request<{ seq: number }>({ type: 'delete', room, seq }).then((a) => a.seq);
  }

  react(room: string, seq: number, emoji: string, on: boolean): Promise<number> {
    return this.request<{ seq: number }>({ type: 'react', room, seq, emoji, on }).then((a) => a.seq);
  }

  topic(room: string, topic: string, change: { rename_to?: string; resolved?: boolean }): Promise<number> {
    return this.request<{ seq: number }>({ type: 'topic', room, topic, ...change }).then((a) => a.seq);
  }

  markRead(room: string, topic: string, seq: number): void {
    this.request({ type: 'read', room, topic, seq }).catch(() => {});
  }

  /** typing sends the typing signal (callers limit it to one per 3 s). */
  typing(room: string, topic: string): void {
    this.sendRaw({ type: 'typing', room, topic });
  }

  // ---- outbox ----

  /**
   * post puts a message into the outbox and sends it when connected. The
   * promise resolves with the message seq once the server acknowledged it;
   * it rejects only when the server refuses the post for good.
   */
  post(room: string, topic: string, body: string, mentions: string[] = []): { cmid: string; done: Promise<number> } {
    const entry: OutboxEntry = { cmid: newCmid(this.opts.random), room, topic, body, mentions, at: new Date().toISOString() };
    this.outbox = [...this.outbox, entry];
    this.saveOutbox();
    const done = new Promise<number>((resolve, reject) => this.postWaiters.set(entry.cmid, { resolve, reject }));
    done.catch(() => {});
    this.sendPost(entry);
    return { cmid: entry.cmid, done };
  }

  /** discard removes an unsent post from the outbox (the person gave up on it). */
  discard(cmid: string): void {
    if (!this.outbox.some((e) => e.cmid === cmid)) return;
    this.outbox = this.outbox.filter((e) => e.cmid !== cmid);
    this.saveOutbox();
  }

  private flushOutbox(): void {
    for (const e of this.outbox) this.sendPost(e);
  }

  private sendPost(e: OutboxEntry): void {
    if (!this.open_ || this.inFlight.has(e.cmid)) return;
    this.inFlight.add(e.cmid);
    const env: Record<string, unknown> = { type: 'post', room: e.room, topic: e.topic, body: e.body, cmid: e.cmid };
    if (e.mentions.length) env.mentions = e.mentions;
    if (e.sent) env.retry = true;
    else {
      this.outbox = this.outbox.map((x) => (x.cmid === e.cmid ? { ...x, sent: true } : x));
      this.saveOutbox();
    }
    this.request<{ seq: number }>(env).then(
      (ack) => this.settle(e.cmid, ack.seq, null),
      (err: RealtimeError) => {
        this.inFlight.delete(e.cmid);
        if (FATAL_POST_CODES.has(err.code)) this.settle(e.cmid, 0, err);
        else if (err.code === 'rate_limited' || err.code === 'timeout' || err.code === 'internal') {
          // Try again later on this connection; a reconnect also resends.
          const wait = err.retryAfter !== null ? err.retryAfter * 1000 : 2000;
          if (this.retryPostsTimer) clearTimeout(this.retryPostsTimer);
          this.retryPostsTimer = setTimeout(() => {
            this.retryPostsTimer = null;
            this.flushOutbox();
          }, wait);
        }
        // "network": the reconnect resends it.
      },
    );
  }

  private settle(cmid: string, seq: number, err: RealtimeError | null): void {
    const entry = this.outbox.find((x) => x.cmid === cmid);
    this.inFlight.delete(cmid);
    if (entry) {
      this.outbox = this.outbox.filter((x) => x.cmid !== cmid);
      this.saveOutbox();
    }
    const w = this.postWaiters.get(cmid);
    this.postWaiters.delete(cmid);
    if (err) {
      if (entry) for (const fn of this.failedListeners) fn(entry, err);
      w?.reject(err);
    } else w?.resolve(seq);
  }

  private get storageKey(): string {
    return `plenary.outbox.${this.opts.userId}`;
  }

  private loadOutbox(): OutboxEntry[] {
    if (!this.storage) return [];
    try {
      const raw = this.storage.getItem(this.storageKey);
      if (!raw) return [];
      const v: unknown = JSON.parse(raw);
      if (!Array.isArray(v)) return [];
      return v.filter(
        (e): e is OutboxEntry =>
          !!e && typeof e.cmid === 'string' && typeof e.room === 'string' && typeof e.topic === 'string' && typeof e.body === 'string',
      ).map((e) => ({
        ...e,
        mentions: Array.isArray(e.mentions) ? e.mentions : [],
        at: typeof e.at === 'string' ? e.at : '',
        // Whether an earlier page sent it before it was closed cannot be known.
        sent: true,
      }));
    } catch {
      return [];
    }
  }

  private saveOutbox(): void {
    if (this.storage) {
      try {
        if (this.outbox.length) this.storage.setItem(this.storageKey, JSON.stringify(this.outbox));
        else this.storage.removeItem(this.storageKey);
      } catch {
        // Storage full or disabled: the outbox still lives in memory.
      }
    }
    for (const fn of this.outboxListeners) fn(this.outbox);
  }
}

function detach(s: SocketLike): void {
  s.onopen = null;
  s.onmessage = null;
  s.onclose = null;
  s.onerror = null;
}

function safeLocalStorage(): StorageLike | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
