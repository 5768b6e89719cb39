import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  RealtimeClient,
  splitFrame,
  type NetworkEvents,
  type ServerEnvelope,
  type SocketLike,
  type StorageLike,
} from './realtime';

/** FakeSocket is our test double of a browser WebSocket talking to the server. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  // server side
  accept(user = { id: 'u1', name: 'Ana' }): void {
    this.readyState = 1;
    this.onopen?.({});
    this.frame({ type: 'hello', v: 1, user, limits: { body: 16000, frame: 65536 } });
  }
  frame(...envs: unknown[]): void {
    this.onmessage?.({ data: envs.map((e) => JSON.stringify(e)).join('\n') });
  }
  serverClose(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  last(type: string): Record<string, unknown> {
    const all = this.sent.filter((e) => e.type === type);
    if (!all.length) throw new Error(`nothing of type ${type} sent`);
    return all[all.length - 1];
  }
  answer(req: Record<string, unknown>, fields: Record<string, unknown> = {}): void {
    this.frame({ type: 'ack', id: req.id, ...fields });
  }
}

class MemoryStorage implements StorageLike {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

class FakeNetwork implements NetworkEvents {
  online = true;
  private fns = new Map<string, Set<() => void>>();
  addEventListener(t: string, fn: () => void) {
    if (!this.fns.has(t)) this.fns.set(t, new Set());
    this.fns.get(t)!.add(fn);
  }
  removeEventListener(t: string, fn: () => void) {
    this.fns.get(t)?.delete(fn);
  }
  fire(t: 'online' | 'offline') {
    this.online = t === 'online';
    for (const fn of this.fns.get(t) ?? []) fn();
  }
}

const ack0 = { head: 0, read: { topics: {} }, topics: [], presence: [] };

function setup(storage: StorageLike = new MemoryStorage()) {
  const sockets: FakeSocket[] = [];
  const network = new FakeNetwork();
  let tickets = 0;
  const client = new RealtimeClient({
    ticket: async () => `t${++tickets}`,
    url: (t) => `ws://test/api/ws?ticket=${t}`,
    connect: (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    userId: 'u1',
    storage,
    network,
    isOnline: () => network.online,
    random: () => 0.5,
    pingInterval: 0,
  });
  const got: ServerEnvelope[] = [];
  client.onEnvelope((e) => got.push(e));
  const states: string[] = [];
  client.onState((s) => states.push(s));
  return { client, sockets, network, got, states, storage, sock: () => sockets[sockets.length - 1] };
}

async function flush() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function msg(room: string, seq: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'event',
    room,
    seq,
    at: '2026-11-25T10:00:00Z',
    kind: 'message',
    message: {
      seq,
      topic: 'Agenda',
      author: { id: 'u2', name: 'Mei Lin' },
      body: `m${seq}`,
      html: `<p>m${seq}</p>`,
      mentions: [],
      at: '2026-11-25T10:00:00Z',
      edited_at: null,
      deleted: false,
      reactions: {},
      ...extra,
    },
  };
}

describe('splitFrame', () => {
  it('splits newline-separated envelopes and skips broken lines', () => {
    expect(splitFrame('{"type":"a"}\n{"type":"b","x":1}\n')).toEqual([{ type: 'a' }, { type: 'b', x: 1 }]);
    expect(splitFrame('{"type":"a"}\nnot json\n[1]\n{"no":"type"}\n\n{"type":"c"}')).toEqual([{ type: 'a' }, { type: 'c' }]);
    expect(splitFrame('')).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('grows from 0.5 s to at most 10 s, with jitter', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(1, () => 1)).toBe(1000);
    expect(backoffDelay(5, () => 1)).toBe(10_000);
    expect(backoffDelay(50, () => 1)).toBe(10_000);
    expect(backoffDelay(50, () => 0)).toBe(5_000);
  });
});

describe('RealtimeClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects with a ticket and becomes connected on hello', async () => {
    const { client, sock, states } = setup();
    client.start();
    await flush();
    expect(sock().url).toBe('ws://test/api/ws?ticket=t1');
    expect(client.state).toBe('connecting');
    sock().accept();
    expect(client.state).toBe('connected');
    expect(client.user).toEqual({ id: 'u1', name: 'Ana' });
    expect(states).toEqual(['offline', 'connecting', 'connected']);
    client.stop();
    expect(sock().closed).toBe(true);
    expect(client.state).toBe('offline');
  });

  it('matches answers to requests by id, even in one frame with other envelopes', async () => {
    const { client, sock } = setup();
    client.start();
    await flush();
    sock().accept();
    const h1 = client.history('group:a', 10);
    const h2 = client.history('group:a');
    const [r1, r2] = sock().sent.filter((e) => e.type === 'history');
    expect(r1.id).not.toBe(r2.id);
    expect(r1.before).toBe(10);
    expect(r2.before).toBeUndefined();
    // The second is answered first, together with an unrelated envelope.
    sock().frame(
      { type: 'ack', id: r2.id, messages: [{ seq: 2 }] },
      { type: 'pong' },
      { type: 'error', id: r1.id, code: 'forbidden', message: 'no' },
    );
    expect(await h2).toEqual([{ seq: 2 }]);
    await expect(h1).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('delivers events in order and ignores a seq already seen', async () => {
    const { client, sock, got } = setup();
    client.start();
    await flush();
    sock().accept();
    const p = client.subscribe('group:a');
    sock().answer(sock().last('subscribe'), { ...ack0, head: 5 });
    await p;
    expect(client.lastSeq('group:a')).toBe(5);
    sock().frame(msg('group:a', 5), msg('group:a', 6), msg('group:a', 6), msg('group:a', 7));
    sock().frame(msg('group:a', 3), msg('group:b', 8));
    expect(got.filter((e) => e.type === 'event').map((e) => (e as { seq: number }).seq)).toEqual([6, 7]);
    expect(client.lastSeq('group:a')).toBe(7);
  });

  it('reconnects with backoff and re-subscribes with since', async () => {
    const { client, sock, sockets, got } = setup();
    client.start();
    await flush();
    sock().accept();
    void client.subscribe('group:a');
    void client.subscribe('group:b');
    void client.subscribe('group:a'); // a second call does not subscribe twice
    expect(sock().sent.filter((e) => e.type === 'subscribe').map((e) => e.room)).toEqual(['group:a', 'group:b']);
    for (const r of sock().sent.filter((e) => e.type === 'subscribe')) sock().answer(r, { ...ack0, head: r.room === 'group:a' ? 10 : 3 });
    await flush();
    sock().frame(msg('group:a', 11), msg('group:a', 12));

    sock().serverClose(1006);
    expect(client.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(374); // attempt 0: 250..500 ms, 375 with random 0.5
    expect(sockets.length).toBe(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(sockets.length).toBe(2);
    expect(sock().url).toContain('ticket=t2');
    sock().accept();
    const subs = sock().sent.filter((e) => e.type === 'subscribe');
    expect(subs.map((e) => [e.room, e.since])).toEqual([
      ['group:a', 12],
      ['group:b', 3],
    ]);
    let resumed: boolean | null = null;
    client.onSubscribed((_r, _a, res) => (resumed = res));
    sock().answer(subs[0], { ...ack0, head: 14 });
    await flush();
    expect(resumed).toBe(true);
    // The missed events follow the ack; one the client already had is skipped.
    sock().frame(msg('group:a', 12), msg('group:a', 13), msg('group:a', 14));
    expect(got.filter((e) => e.type === 'event').map((e) => (e as { seq: number }).seq)).toEqual([11, 12, 13, 14]);
  });

  it('backs off exponentially up to 10 s and retries at once when the browser comes online', async () => {
    const { client, sockets, network, sock } = setup();
    client.start();
    await flush();
    for (const wait of [375, 750, 1500, 3000, 6000, 7500, 7500]) {
      sock().serverClose(1006);
      await vi.advanceTimersByTimeAsync(wait - 1);
      const n = sockets.length;
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets.length).toBe(n + 1);
    }
    network.fire('offline');
    expect(client.state).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    const n = sockets.length;
    network.fire('online');
    await flush();
    expect(sockets.length).toBe(n + 1);
    sock().accept();
    expect(client.state).toBe('connected');
  });

  it('keeps posts made offline, persists them and sends them once connected', async () => {
    const storage = new MemoryStorage();
    const { client, sock, network } = setup(storage);
    network.fire('offline');
    client.start();
    expect(client.state).toBe('offline');
    const { cmid, done } = client.post('group:a', 'Agenda', 'hello', ['u2']);
    expect(client.pendingPosts.map((e) => e.cmid)).toEqual([cmid]);
    expect(JSON.parse(storage.getItem('plenary.outbox.u1')!)[0]).toMatchObject({ cmid, body: 'hello', mentions: ['u2'] });

    network.fire('online');
    await flush();
    sock().accept();
    const post = sock().last('post');
    expect(post).toMatchObject({ room: 'group:a', topic: 'Agenda', body: 'hello', cmid, mentions: ['u2'] });
    sock().answer(post, { seq: 9 });
    expect(await done).toBe(9);
    expect(client.pendingPosts).toEqual([]);
    expect(storage.getItem('plenary.outbox.u1')).toBeNull();
  });

  it('resends an unanswered post with the same cmid after a reconnect, and forgets it on ack', async () => {
    const { client, sock, sockets } = setup();
    client.start();
    await flush();
    sock().accept();
    const { cmid, done } = client.post('group:a', 'Agenda', 'hello');
    expect(sockets[0].last('post').cmid).toBe(cmid);
    expect(sockets[0].last('post').retry).toBeUndefined(); // a first send
    sock().serverClose(1006); // the answer is lost
    expect(client.pendingPosts.length).toBe(1);
    await vi.advanceTimersByTimeAsync(400);
    sock().accept();
    const again = sock().sent.filter((e) => e.type === 'post');
    expect(again.map((e) => e.cmid)).toEqual([cmid]);
    expect(again[0].retry).toBe(true);
    // The server dedupes by cmid and answers with the original seq.
    sock().answer(again[0], { seq: 4 });
    expect(await done).toBe(4);
    expect(client.pendingPosts).toEqual([]);
    // A further reconnect sends nothing again.
    sock().serverClose(1006);
    await vi.advanceTimersByTimeAsync(400);
    sock().accept();
    expect(sock().sent.filter((e) => e.type === 'post')).toEqual([]);
  });

  it('restores the outbox of the same user after a reload', async () => {
    const storage = new MemoryStorage();
    const first = setup(storage);
    first.network.fire('offline');
    first.client.start();
    const { cmid } = first.client.post('group:a', 'Agenda', 'kept');
    first.client.stop();

    const second = setup(storage);
    expect(second.client.pendingPosts.map((e) => e.cmid)).toEqual([cmid]);
    second.client.start();
    await flush();
    second.sock().accept();
    // It may have been sent before the reload: the server is told to look for it.
    expect(second.sock().last('post')).toMatchObject({ cmid, body: 'kept', retry: true });
  });

  it('drops a post the server refuses for good and reports it', async () => {
    const { client, sock } = setup();
    client.start();
    await flush();
    sock().accept();
    const failed: string[] = [];
    client.onPostFailed((e, err) => failed.push(`${e.body}:${err.code}`));
    const { done } = client.post('group:a', 'Agenda', 'x');
    sock().frame({ type: 'error', id: sock().last('post').id, code: 'forbidden', message: 'observer' });
    await expect(done).rejects.toMatchObject({ code: 'forbidden' });
    expect(failed).toEqual(['x:forbidden']);
    expect(client.pendingPosts).toEqual([]);
  });

  it('retries a rate-limited post after retry_after', async () => {
    const { client, sock } = setup();
    client.start();
    await flush();
    sock().accept();
    const { done } = client.post('group:a', 'Agenda', 'x');
    sock().frame({ type: 'error', id: sock().last('post').id, code: 'rate_limited', message: 'slow', retry_after: 2 });
    await flush();
    expect(sock().sent.filter((e) => e.type === 'post').length).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    const posts = sock().sent.filter((e) => e.type === 'post');
    expect(posts.length).toBe(2);
    expect(posts[1].cmid).toBe(posts[0].cmid);
    sock().answer(posts[1], { seq: 3 });
    expect(await done).toBe(3);
  });

  it('closes the socket when the browser goes offline and fails pending requests', async () => {
    const { client, sock, network } = setup();
    client.start();
    await flush();
    sock().accept();
    const h = client.history('group:a');
    network.fire('offline');
    expect(sock().closed).toBe(true);
    expect(client.state).toBe('offline');
    await expect(h).rejects.toMatchObject({ code: 'network' });
  });

  it('forwards presence, typing and read of subscribed rooms, and forgets a revoked room', async () => {
    const { client, sock, got } = setup();
    client.start();
    await flush();
    sock().accept();
    void client.subscribe('group:a');
    sock().answer(sock().last('subscribe'), ack0);
    await flush();
    const u = { id: 'u2', name: 'Mei Lin' };
    sock().frame(
      { type: 'presence', room: 'group:a', user: u, online: true },
      { type: 'typing', room: 'group:a', topic: 'Agenda', user: u },
      { type: 'read', room: 'group:a', topic: 'Agenda', seq: 3 },
      { type: 'typing', room: 'group:zzz', topic: 'Agenda', user: u },
      { type: 'revoked', room: 'group:a', reason: 'removed' },
      msg('group:a', 1),
    );
    expect(got.filter((e) => e.type !== 'hello').map((e) => e.type)).toEqual(['presence', 'typing', 'read', 'revoked']);
    expect(client.isSubscribed('group:a')).toBe(false);
  });

  it('forwards meeting announcements of subscribed rooms only, with defaults for missing fields', async () => {
    const { client, sock, got } = setup();
    client.start();
    await flush();
    sock().accept();
    void client.subscribe('meeting:m1');
    sock().answer(sock().last('subscribe'), ack0);
    await flush();
    const live = { session_id: 's1', item_id: 'i1', since: 'x', timer_seconds: 0, timer_started: 'x', by: 'u', by_name: 'U' };
    sock().frame(
      { type: 'meeting', room: 'meeting:m1', version: 4, live_seq: 2, live },
      { type: 'meeting', room: 'meeting:other', version: 9, live_seq: 9, live: null },
      { type: 'meeting', room: 'meeting:m1', version: 5 },
      { type: 'meeting', room: 'meeting:m1', version: 'x' },
    );
    expect(got.filter((e) => e.type === 'meeting')).toEqual([
      { type: 'meeting', room: 'meeting:m1', version: 4, live_seq: 2, live },
      { type: 'meeting', room: 'meeting:m1', version: 5, live_seq: 0, live: null },
    ]);
    // A meeting announcement is no room event: it does not move the room's seq.
    expect(client.lastSeq('meeting:m1')).toBe(0);
  });

  it('forwards review changes of any report, without a room, and drops malformed ones', async () => {
    const { client, sock, got } = setup();
    client.start();
    await flush();
    sock().accept();
    sock().frame({ type: 'review.changed', report_id: 'r1' }, { type: 'review.changed' }, { type: 'review.changed', report_id: 7 });
    expect(got.filter((e) => e.type === 'review.changed')).toEqual([{ type: 'review.changed', report_id: 'r1' }]);
  });

  it('forwards notifications, without a room, and drops malformed ones', async () => {
    const { client, sock, got } = setup();
    client.start();
    await flush();
    sock().accept();
    const n = { id: 'n1', kind: 'reply', title: 'A reply', body: '', link: '/reports/r1', at: '2026-12-01T09:00:00Z', read: false };
    sock().frame(
      { type: 'notification', notification: n, unread: 2 },
      { type: 'notification', unread: 3 },
      { type: 'notification', notification: { ...n, link: 7 }, unread: 4 },
    );
    expect(got.filter((e) => e.type === 'notification')).toEqual([{ type: 'notification', notification: n, unread: 2 }]);
  });

  it('resubscribe asks again for an ack of a followed room, resuming from its seq', async () => {
    const { client, sock } = setup();
    client.start();
    await flush();
    sock().accept();
    void client.subscribe('group:a');
    sock().answer(sock().last('subscribe'), { ...ack0, head: 4 });
    await flush();
    const acks: [string, boolean][] = [];
    client.onSubscribed((room, _ack, resumed) => acks.push([room, resumed]));
    // subscribe on an acknowledged room sends nothing; resubscribe does.
    expect(await client.subscribe('group:a')).toBeNull();
    expect(sock().sent.filter((e) => e.type === 'subscribe').length).toBe(1);
    const p = client.resubscribe('group:a');
    expect(sock().last('subscribe')).toMatchObject({ room: 'group:a', since: 4 });
    sock().answer(sock().last('subscribe'), { ...ack0, head: 4 });
    expect(await p).toMatchObject({ head: 4 });
    expect(acks).toEqual([['group:a', true]]);
    // An unknown room is simply subscribed.
    void client.resubscribe('group:b');
    expect(sock().last('subscribe')).toEqual({ type: 'subscribe', room: 'group:b', id: expect.any(String) });
  });

  it('sends a ping when quiet and drops a connection that stays silent', async () => {
    const sockets: FakeSocket[] = [];
    const client = new RealtimeClient({
      ticket: async () => 't',
      url: (t) => t,
      connect: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s;
      },
      userId: 'u1',
      storage: null,
      network: null,
      isOnline: () => true,
      random: () => 0.5,
      pingInterval: 1000,
    });
    client.start();
    await flush();
    sockets[0].accept();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets[0].last('ping')).toBeTruthy();
    sockets[0].frame({ type: 'pong', id: sockets[0].last('ping').id });
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets[0].closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1000); // no answer to the second ping
    expect(sockets[0].closed).toBe(true);
    expect(client.state).toBe('connecting');
    client.stop();
  });

  it('asks for a reload on an unknown protocol version', async () => {
    let reload = 0;
    const sockets: FakeSocket[] = [];
    const client = new RealtimeClient({
      ticket: async () => 't',
      url: (t) => t,
      connect: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s;
      },
      userId: 'u1',
      storage: null,
      network: null,
      isOnline: () => true,
      onVersionMismatch: () => reload++,
    });
    client.start();
    await flush();
    sockets[0].readyState = 1;
    sockets[0].frame({ type: 'hello', v: 2, user: { id: 'u1', name: 'A' } });
    expect(reload).toBe(1);
    expect(client.state).not.toBe('connected');
    client.stop();
  });
});
