// The app-wide state of the discussion rooms, fed by the one realtime
// client (realtime.ts): one websocket per tab while signed in, every room of
// the person's groups subscribed (for the unread badges), messages, topics,
// presence, typing and read positions kept per room.
import { api, type GroupSummary, type User } from './api';
import {
  RealtimeClient,
  type ChatMessage,
  type ConnectionState,
  type MeetingEnvelope,
  type NotificationEnvelope,
  type OutboxEntry,
  type RealtimeOptions,
  type RealtimeError,
  type RoomEvent,
  type ServerEnvelope,
  type SubscribeAck,
  type TopicChange,
  type UserRef,
} from './realtime';

export const TYPING_TTL = 5000;
export const TYPING_EVERY = 3000;

export interface TopicState {
  name: string;
  resolved: boolean;
  last_seq: number;
  messages: number;
  unread: number;
  mentions: number;
}

export interface Typist {
  user: UserRef;
  topic: string;
  until: number;
}

/**
 * Someone interested in a room's announcements without its chat state (e.g. a meeting page
 * following its agenda and live item): chat.watch() subscribes the room for it.
 */
export interface RoomWatcher {
  /** A meeting announcement of the room. */
  onMeeting?: (env: MeetingEnvelope) => void;
  /** A subscribe ack of the room: the first one and each after a reconnect. */
  onSubscribed?: () => void;
  /** The server refused or ended the subscription. */
  onRevoked?: () => void;
}

/** Makes the realtime client for a signed-in user; tests pass one with a fake socket. */
export type ClientFactory = (user: User, defaults: Pick<RealtimeOptions, 'ticket' | 'userId' | 'onVersionMismatch'>) => RealtimeClient;

/** roomOf names the room of a group. */
export const roomOf = (groupId: string) => `group:${groupId}`;

export class RoomState {
  readonly room: string;
  topics = $state<TopicState[]>([]);
  /** Loaded messages, ascending by seq. */
  messages = $state<ChatMessage[]>([]);
  presence = $state<UserRef[]>([]);
  typing = $state<Typist[]>([]);
  read = $state<Record<string, number>>({});
  head = $state(0);
  /** A subscribe ack arrived (on this or an earlier connection). */
  ready = $state(false);
  revoked = $state(false);
  /** Whether older messages may exist than the oldest loaded. */
  hasMore = $state(true);
  loadingHistory = $state(false);
  historyLoaded = $state(false);
  /** head of the latest subscribe ack: events up to it are already counted in topics. */
  ackHead = 0;
  /** What the room view shows now (null: the view is closed). Not reactive. */
  viewing: { topic: string | null; atBottom: boolean } | null = null;
  private renameListeners = new Set<(from: string, to: string) => void>();

  constructor(room: string) {
    this.room = room;
  }

  get unread(): number {
    return this.topics.reduce((n, t) => n + t.unread, 0);
  }

  get mentions(): number {
    return this.topics.reduce((n, t) => n + t.mentions, 0);
  }

  topic(name: string): TopicState | undefined {
    return this.topics.find((t) => t.name === name);
  }

  ensureTopic(name: string): TopicState {
    let t = this.topic(name);
    if (!t) {
      this.topics.push({ name, resolved: false, last_seq: 0, messages: 0, unread: 0, mentions: 0 });
      t = this.topics[this.topics.length - 1];
    }
    return t;
  }

  /** upsert puts m in place by seq; keep=true leaves an already loaded copy alone. */
  upsert(m: ChatMessage, keep = false): void {
    const list = this.messages;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].seq < m.seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo < list.length && list[lo].seq === m.seq) {
      if (!keep) list[lo] = m;
    } else list.splice(lo, 0, m);
  }

  find(seq: number): ChatMessage | undefined {
    return this.messages.find((m) => m.seq === seq);
  }

  /** onRename calls fn(from, to) after a topic was renamed (or merged into another); returns the off switch. */
  onRename(fn: (from: string, to: string) => void): () => void {
    this.renameListeners.add(fn);
    return () => this.renameListeners.delete(fn);
  }

  /**
   * applyTopic applies a `topic` event: the resolved flag and, for a rename, the move of the old
   * topic to the new name (merged into an existing topic of that name): its messages, counts,
   * read position, typing indicators and what the view shows. Returns the read position that was
   * carried over to the new name when it moved it forward (for the server to store), else null.
   */
  applyTopic(tc: TopicChange): { topic: string; seq: number } | null {
    const to = tc.name;
    const from = tc.renamed_from;
    let carried: { topic: string; seq: number } | null = null;
    if (from && from !== to) {
      const src = this.topic(from);
      const into = this.topic(to);
      const readFrom = this.read[from];
      const readInto = this.read[to];
      if (src && into) {
        // The merged position may not pass a message still unread in either topic.
        const withUnread = [src, into].filter((t) => t.unread > 0).map((t) => this.read[t.name] ?? 0);
        const merged = withUnread.length ? Math.min(...withUnread) : Math.max(readFrom ?? 0, readInto ?? 0);
        into.unread += src.unread;
        into.mentions += src.mentions;
        into.messages += src.messages;
        into.last_seq = Math.max(into.last_seq, src.last_seq);
        this.topics = this.topics.filter((t) => t !== src);
        if (readFrom !== undefined || readInto !== undefined) this.read[to] = merged;
      } else {
        if (src) src.name = to;
        if (readFrom !== undefined) this.read[to] = Math.max(readInto ?? 0, readFrom);
      }
      if (readFrom !== undefined) {
        delete this.read[from];
        const seq = this.read[to] ?? 0;
        if (seq > (readInto ?? 0)) carried = { topic: to, seq };
      }
      for (const m of this.messages) if (m.topic === from) m.topic = to;
      for (const x of this.typing) if (x.topic === from) x.topic = to;
      if (this.viewing?.topic === from) this.viewing.topic = to;
    }
    this.ensureTopic(to).resolved = !!tc.resolved;
    if (from && from !== to) {
      for (const fn of this.renameListeners) {
        try {
          fn(from, to);
        } catch (e) {
          console.error(e);
        }
      }
    }
    return carried;
  }
}

export class Chat {
  state = $state<ConnectionState>('offline');
  outbox = $state<OutboxEntry[]>([]);
  rooms = $state<Record<string, RoomState>>({});
  /** Posts the server refused for good, shown once by the room view. */
  failures = $state<{ entry: OutboxEntry; code: string }[]>([]);
  me = $state<User | null>(null);
  private client: RealtimeClient | null = null;
  private offs: (() => void)[] = [];
  private sweep: ReturnType<typeof setInterval> | null = null;
  /** Watchers by room; they outlive a connection (views register them). Not reactive. */
  private readonly watchers = new Map<string, Set<RoomWatcher>>();
  private readonly reviewListeners = new Set<(reportID: string) => void>();
  private readonly notificationListeners = new Set<(env: NotificationEnvelope) => void>();
  private readonly makeClient: ClientFactory;

  constructor(makeClient: ClientFactory = (_user, defaults) => new RealtimeClient(defaults)) {
    this.makeClient = makeClient;
  }

  get connection(): RealtimeClient | null {
    return this.client;
  }

  get totalUnread(): number {
    let n = 0;
    for (const r of Object.values(this.rooms)) n += r.unread;
    return n;
  }

  unreadFor(groupId: string): number {
    return this.rooms[roomOf(groupId)]?.unread ?? 0;
  }

  mentionsFor(groupId: string): number {
    return this.rooms[roomOf(groupId)]?.mentions ?? 0;
  }

  /** start opens the connection for user (once per user) and follows their groups. */
  start(user: User): void {
    if (this.me?.id === user.id && this.client) return;
    this.stop();
    this.me = user;
    const client = this.makeClient(user, {
      ticket: async () => (await api.wsTicket()).ticket,
      userId: user.id,
      onVersionMismatch: () => location.reload(),
    });
    this.client = client;
    this.offs.push(
      client.onState((s) => {
        this.state = s;
        // Who is online is unknown while disconnected; the next subscribe ack tells again.
        if (s !== 'connected') for (const rs of Object.values(this.rooms)) {
          rs.presence = [];
          rs.typing = [];
        }
      }),
      client.onOutbox((o) => (this.outbox = [...o])),
      client.onSubscribed((room, ack) => this.onSubscribed(room, ack)),
      client.onEnvelope((env) => this.onEnvelope(env)),
      client.onPostFailed((entry, err: RealtimeError) => this.failures.push({ entry, code: err.code })),
    );
    client.start();
    for (const room of this.watchers.keys()) void client.subscribe(room);
    this.sweep = setInterval(() => this.expireTyping(), 1000);
    void this.followMyGroups();
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.client?.stop();
    this.client = null;
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    this.rooms = {};
    this.outbox = [];
    this.failures = [];
    this.me = null;
    this.state = 'offline';
  }

  /** followMyGroups subscribes the rooms of the groups the person belongs to (for unread badges). */
  async followMyGroups(groups?: GroupSummary[]): Promise<void> {
    try {
      const list = groups ?? (await api.listGroups());
      for (const g of list) if (g.my_role) this.follow(roomOf(g.id));
    } catch {
      // The badges are a convenience; the room view subscribes on its own.
    }
  }

  /** follow subscribes room (idempotent) and returns its state. */
  follow(room: string): RoomState {
    let rs = this.rooms[room];
    const fresh = !rs;
    if (!rs) {
      rs = new RoomState(room);
      this.rooms[room] = rs;
    }
    if (this.client && !this.client.isSubscribed(room)) {
      rs.revoked = false;
      void this.client.subscribe(room);
    } else if (this.client) {
      // Subscribed already for a watcher: the new room state needs an ack of its own.
      void (fresh ? this.client.resubscribe(room) : this.client.subscribe(room));
    }
    return rs;
  }

  /** unfollow stops following room (a group one is not a member of, when its view closes). */
  unfollow(room: string): void {
    if (!this.watchers.has(room)) this.client?.unsubscribe(room);
    delete this.rooms[room];
  }

  /**
   * watch subscribes room for w (meeting announcements, acks, revocation) without touching the
   * room's chat state, across reconnects and until the returned function is called. The room
   * stays subscribed while anyone follows or watches it.
   */
  watch(room: string, w: RoomWatcher): () => void {
    let set = this.watchers.get(room);
    if (!set) {
      set = new Set();
      this.watchers.set(room, set);
    }
    set.add(w);
    if (this.client) void this.client.subscribe(room);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const cur = this.watchers.get(room);
      if (!cur) return;
      cur.delete(w);
      if (cur.size === 0) {
        this.watchers.delete(room);
        if (!this.rooms[room]) this.client?.unsubscribe(room);
      }
    };
  }

  private notifyWatchers(room: string, fn: (w: RoomWatcher) => void): void {
    for (const w of [...(this.watchers.get(room) ?? [])]) {
      try {
        fn(w);
      } catch (e) {
        console.error(e);
      }
    }
  }

  private onSubscribed(room: string, ack: SubscribeAck): void {
    this.notifyWatchers(room, (w) => w.onSubscribed?.());
    const rs = this.rooms[room];
    if (!rs) return;
    rs.head = ack.head;
    rs.ackHead = ack.head;
    rs.read = { ...(ack.read?.topics ?? {}) };
    const drafts = rs.topics.filter((t) => t.last_seq === 0 && !ack.topics.some((a) => a.name === t.name));
    rs.topics = [
      ...ack.topics.map((t) => ({
        name: t.name,
        resolved: !!t.resolved,
        last_seq: t.last_seq,
        messages: t.messages,
        unread: t.unread,
        mentions: t.mentions,
      })),
      ...drafts,
    ];
    const seen = new Set<string>();
    rs.presence = ack.presence.filter((u) => !seen.has(u.id) && !!seen.add(u.id));
    rs.ready = true;
    rs.revoked = false;
    if (rs.head === 0 && rs.messages.length === 0) {
      // An empty room: there is no past to load.
      rs.hasMore = false;
      rs.historyLoaded = true;
    }
    // The view may be showing the bottom already.
    if (rs.viewing?.atBottom) this.markViewed(rs);
  }

  /** onReviewChanged calls fn with the report id of every review change announced (until the returned function is called). */
  onReviewChanged(fn: (reportID: string) => void): () => void {
    this.reviewListeners.add(fn);
    return () => this.reviewListeners.delete(fn);
  }

  /** onNotification calls fn with every notification pushed to this person (until the returned function is called). */
  onNotification(fn: (env: NotificationEnvelope) => void): () => void {
    this.notificationListeners.add(fn);
    return () => this.notificationListeners.delete(fn);
  }

  private onEnvelope(env: ServerEnvelope): void {
    if (env.type === 'hello') return;
    if (env.type === 'notification') {
      for (const fn of [...this.notificationListeners]) {
        try {
          fn(env);
        } catch (e) {
          console.error(e);
        }
      }
      return;
    }
    if (env.type === 'review.changed') {
      for (const fn of [...this.reviewListeners]) {
        try {
          fn(env.report_id);
        } catch (e) {
          console.error(e);
        }
      }
      return;
    }
    if (env.type === 'meeting') {
      this.notifyWatchers(env.room, (w) => w.onMeeting?.(env));
      return;
    }
    if (env.type === 'revoked') this.notifyWatchers(env.room, (w) => w.onRevoked?.());
    const rs = this.rooms[env.room];
    if (!rs) return;
    switch (env.type) {
      case 'event':
        this.applyEvent(rs, env);
        break;
      case 'presence':
        if (env.online) {
          if (!rs.presence.some((u) => u.id === env.user.id)) rs.presence.push(env.user);
        } else {
          rs.presence = rs.presence.filter((u) => u.id !== env.user.id);
          rs.typing = rs.typing.filter((x) => x.user.id !== env.user.id);
        }
        break;
      case 'typing': {
        if (env.user.id === this.me?.id) break;
        const until = Date.now() + TYPING_TTL;
        const i = rs.typing.findIndex((x) => x.user.id === env.user.id);
        if (i >= 0) rs.typing[i] = { user: env.user, topic: env.topic, until };
        else rs.typing.push({ user: env.user, topic: env.topic, until });
        break;
      }
      case 'read':
        this.applyRead(rs, env.topic, env.seq);
        break;
      case 'revoked':
        rs.revoked = true;
        rs.presence = [];
        rs.typing = [];
        for (const t of rs.topics) {
          t.unread = 0;
          t.mentions = 0;
        }
        break;
    }
  }

  private applyEvent(rs: RoomState, ev: RoomEvent): void {
    rs.head = Math.max(rs.head, ev.seq);
    const m = ev.message;
    switch (ev.kind) {
      case 'message': {
        if (!m) return;
        rs.upsert(m);
        const t = rs.ensureTopic(m.topic);
        // Events replayed after a re-subscribe are already in the ack's counts.
        const counted = ev.seq <= rs.ackHead;
        t.last_seq = Math.max(t.last_seq, m.seq);
        if (!counted) t.messages++;
        // Whoever wrote it stops typing.
        rs.typing = rs.typing.filter((x) => x.user.id !== m.author.id);
        if (m.author.id === this.me?.id) {
          // One's own message is read (and the server knows we wrote it).
          rs.read[m.topic] = Math.max(rs.read[m.topic] ?? 0, m.seq);
          break;
        }
        if (this.isReading(rs, m.topic)) {
          this.markTopicRead(rs, t);
        } else if (!counted && (rs.read[m.topic] ?? 0) < m.seq) {
          t.unread++;
          if (this.me && m.mentions?.includes(this.me.id)) t.mentions++;
        }
        break;
      }
      case 'edit':
      case 'delete':
      case 'reaction':
        if (m && rs.find(m.seq)) rs.upsert(m);
        break;
      case 'topic': {
        if (!ev.topic) return;
        const carried = rs.applyTopic(ev.topic);
        // The server keeps read positions under the name they were marked with: store the one
        // carried over under the new name too, so that it survives a reload.
        if (carried && this.client && this.me) this.client.markRead(rs.room, carried.topic, carried.seq);
        break;
      }
    }
  }

  private applyRead(rs: RoomState, topic: string, seq: number): void {
    rs.read[topic] = Math.max(rs.read[topic] ?? 0, seq);
    const t = rs.topic(topic);
    if (!t) return;
    if (seq >= t.last_seq) {
      t.unread = 0;
      t.mentions = 0;
      return;
    }
    // Count what is still unread among the loaded messages (the best we know).
    const me = this.me?.id;
    const left = rs.messages.filter((m) => m.topic === topic && m.seq > seq && m.author.id !== me && !m.deleted);
    t.unread = Math.min(t.unread, left.length);
    t.mentions = Math.min(t.mentions, left.filter((m) => me && m.mentions?.includes(me)).length);
  }

  private isReading(rs: RoomState, topic: string): boolean {
    const v = rs.viewing;
    if (!v || !v.atBottom || !rs.historyLoaded) return false;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return false;
    return v.topic === null || v.topic === topic;
  }

  private markTopicRead(rs: RoomState, t: TopicState): void {
    const seq = t.last_seq;
    t.unread = 0;
    t.mentions = 0;
    if (seq > 0 && (rs.read[t.name] ?? 0) < seq) {
      rs.read[t.name] = seq;
      this.client?.markRead(rs.room, t.name, seq);
    }
  }

  /** markViewed marks what the room view shows (at the bottom) as read. */
  markViewed(rs: RoomState): void {
    const v = rs.viewing;
    if (!v || !v.atBottom || !rs.ready || !rs.historyLoaded || rs.revoked) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    for (const t of rs.topics) {
      if (v.topic !== null && t.name !== v.topic) continue;
      if (t.unread > 0 || t.mentions > 0 || (rs.read[t.name] ?? 0) < t.last_seq) this.markTopicRead(rs, t);
    }
  }

  /** loadHistory loads up to 50 messages older than the oldest loaded one. */
  async loadHistory(rs: RoomState): Promise<void> {
    if (!rs.hasMore) {
      rs.historyLoaded = true;
      return;
    }
    if (!this.client || rs.loadingHistory || this.state !== 'connected') return;
    rs.loadingHistory = true;
    try {
      const before = rs.messages.length ? rs.messages[0].seq : undefined;
      const list = await this.client.history(rs.room, before, 50);
      for (const m of list) {
        rs.upsert(m, true);
        rs.ensureTopic(m.topic);
      }
      if (list.length < 50) rs.hasMore = false;
      rs.historyLoaded = true;
    } finally {
      rs.loadingHistory = false;
    }
  }

  post(rs: RoomState, topic: string, body: string, mentions: string[]): void {
    if (!this.client) return;
    rs.ensureTopic(topic);
    this.client.post(rs.room, topic, body, mentions);
  }

  private expireTyping(): void {
    const now = Date.now();
    for (const rs of Object.values(this.rooms)) {
      if (rs.typing.some((x) => x.until <= now)) rs.typing = rs.typing.filter((x) => x.until > now);
    }
  }
}

export const chat = new Chat();

/** The person the app is signed in as drives the connection: one per tab, closed on sign-out. */
export function bindChatToSession(): () => void {
  return api.onSession((u) => {
    if (u) chat.start(u);
    else chat.stop();
  });
}
