import { describe, expect, it } from 'vitest';
import { Chat, RoomState, type RoomWatcher } from './chat.svelte';
import { RealtimeClient, type ChatMessage, type SocketLike } from './realtime';

function m(seq: number, body = `m${seq}`, topic = 'Agenda'): ChatMessage {
  return {
    seq,
    topic,
    author: { id: 'u2', name: 'Mei Lin' },
    body,
    html: `<p>${body}</p>`,
    mentions: [],
    at: '2026-11-25T10:00:00Z',
    edited_at: null,
    deleted: false,
    reactions: {},
  };
}

describe('RoomState', () => {
  it('keeps messages ordered by seq, each once', () => {
    const rs = new RoomState('group:a');
    for (const seq of [5, 2, 9, 2, 7, 5]) rs.upsert(m(seq));
    expect(rs.messages.map((x) => x.seq)).toEqual([2, 5, 7, 9]);
  });

  it('replaces a message on an event, but history does not overwrite a newer copy', () => {
    const rs = new RoomState('group:a');
    rs.upsert(m(3, 'first'));
    rs.upsert({ ...m(3, 'edited'), edited_at: '2026-11-25T10:01:00Z' });
    rs.upsert(m(3, 'first'), true); // an older history page arriving late
    expect(rs.messages.length).toBe(1);
    expect(rs.find(3)?.body).toBe('edited');
  });

  it('sums unread and mentions over topics', () => {
    const rs = new RoomState('group:a');
    rs.ensureTopic('Agenda').unread = 2;
    const b = rs.ensureTopic('Budget');
    b.unread = 1;
    b.mentions = 1;
    rs.ensureTopic('Agenda');
    expect(rs.topics.length).toBe(2);
    expect(rs.unread).toBe(3);
    expect(rs.mentions).toBe(1);
  });

  describe('applyTopic (a topic event)', () => {
    function room(): RoomState {
      const rs = new RoomState('group:a');
      rs.topics = [
        { name: 'Agenda', resolved: false, last_seq: 4, messages: 3, unread: 2, mentions: 1 },
        { name: 'Budget', resolved: true, last_seq: 6, messages: 2, unread: 1, mentions: 0 },
        { name: 'Venue', resolved: false, last_seq: 5, messages: 1, unread: 0, mentions: 0 },
      ];
      for (const x of [m(1), m(2), m(3, 'b3', 'Budget'), m(4), m(5, 'v5', 'Venue'), m(6, 'b6', 'Budget')]) rs.upsert(x);
      rs.read = { Agenda: 2, Budget: 3, Venue: 5 };
      return rs;
    }

    it('sets the resolved flag', () => {
      const rs = room();
      expect(rs.applyTopic({ name: 'Agenda', resolved: true })).toBeNull();
      expect(rs.topic('Agenda')?.resolved).toBe(true);
      expect(rs.topics.length).toBe(3);
    });

    it('renames a topic: messages, counts, read position, typing, the view and listeners follow', () => {
      const rs = room();
      rs.typing = [{ user: { id: 'u3', name: 'Omar' }, topic: 'Agenda', until: Date.now() + 5000 }];
      rs.viewing = { topic: 'Agenda', atBottom: true };
      const seen: [string, string][] = [];
      const off = rs.onRename((from, to) => seen.push([from, to]));

      const carried = rs.applyTopic({ name: 'Programme', resolved: false, renamed_from: 'Agenda' });

      expect(rs.topic('Agenda')).toBeUndefined();
      expect(rs.topic('Programme')).toEqual({ name: 'Programme', resolved: false, last_seq: 4, messages: 3, unread: 2, mentions: 1 });
      expect(rs.messages.filter((x) => x.topic === 'Programme').map((x) => x.seq)).toEqual([1, 2, 4]);
      expect(rs.messages.some((x) => x.topic === 'Agenda')).toBe(false);
      expect(rs.read).toEqual({ Programme: 2, Budget: 3, Venue: 5 });
      expect(carried).toEqual({ topic: 'Programme', seq: 2 });
      expect(rs.typing[0].topic).toBe('Programme');
      expect(rs.viewing.topic).toBe('Programme');
      expect(rs.unread).toBe(3);
      expect(seen).toEqual([['Agenda', 'Programme']]);

      off();
      rs.applyTopic({ name: 'Agenda', resolved: false, renamed_from: 'Programme' });
      expect(seen.length).toBe(1);
      expect(rs.topic('Agenda')?.messages).toBe(3);
    });

    it('merges into an existing topic of the new name', () => {
      const rs = room();
      const carried = rs.applyTopic({ name: 'Budget', resolved: true, renamed_from: 'Agenda' });
      expect(rs.topics.map((x) => x.name)).toEqual(['Budget', 'Venue']);
      expect(rs.topic('Budget')).toEqual({ name: 'Budget', resolved: true, last_seq: 6, messages: 5, unread: 3, mentions: 1 });
      expect(rs.messages.filter((x) => x.topic === 'Budget').map((x) => x.seq)).toEqual([1, 2, 3, 4, 6]);
      // Both had unread messages: the merged position stays below the first of them.
      expect(rs.read).toEqual({ Budget: 2, Venue: 5 });
      expect(carried).toBeNull();
      expect(rs.unread).toBe(3);
      expect(rs.mentions).toBe(1);
    });

    it('a merge of read topics keeps the furthest read position', () => {
      const rs = room();
      rs.topic('Budget')!.unread = 0;
      rs.read.Budget = 6;
      const carried = rs.applyTopic({ name: 'Agenda', resolved: false, renamed_from: 'Venue' });
      // Agenda still has unread messages, so its position holds.
      expect(rs.read).toEqual({ Agenda: 2, Budget: 6 });
      expect(carried).toBeNull();
      const again = rs.applyTopic({ name: 'Venue', resolved: false, renamed_from: 'Budget' });
      expect(again).toEqual({ topic: 'Venue', seq: 6 });
      expect(rs.topic('Venue')).toBeDefined();
      expect(rs.read.Venue).toBe(6);
      expect(rs.unread).toBe(2);
    });

    it('a replayed rename after a re-subscribe (the ack already has the new name) only moves what is left', () => {
      const rs = room();
      rs.topics = rs.topics.filter((x) => x.name !== 'Agenda');
      rs.ensureTopic('Programme').last_seq = 4;
      rs.applyTopic({ name: 'Programme', resolved: false, renamed_from: 'Agenda' });
      expect(rs.topics.map((x) => x.name).sort()).toEqual(['Budget', 'Programme', 'Venue']);
      expect(rs.messages.some((x) => x.topic === 'Agenda')).toBe(false);
      expect(rs.read.Programme).toBe(2);
    });

    it('a rename to the same name changes nothing but the flag', () => {
      const rs = room();
      const seen: string[] = [];
      rs.onRename((f) => seen.push(f));
      rs.applyTopic({ name: 'Venue', resolved: true, renamed_from: 'Venue' });
      expect(rs.topic('Venue')?.resolved).toBe(true);
      expect(seen).toEqual([]);
      expect(rs.read.Venue).toBe(5);
    });
  });
});

/** A test double of the server end of a websocket. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  accept(): void {
    this.readyState = 1;
    this.frame({ type: 'hello', v: 1, user: { id: 'u1', name: 'Ana' } });
  }
  frame(...envs: unknown[]): void {
    this.onmessage?.({ data: envs.map((e) => JSON.stringify(e)).join('\n') });
  }
  subs(type = 'subscribe'): Record<string, unknown>[] {
    return this.sent.filter((e) => e.type === type);
  }
  ack(req: Record<string, unknown>, head = 0): void {
    this.frame({ type: 'ack', id: req.id, head, read: { topics: {} }, topics: [], presence: [] });
  }
}

async function flush() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('Chat.watch (a room followed for its announcements only)', () => {
  function setup() {
    const sockets: FakeSocket[] = [];
    const chat = new Chat(
      (_u, d) =>
        new RealtimeClient({
          ...d,
          ticket: async () => 't',
          url: (t) => t,
          connect: () => {
            const s = new FakeSocket();
            sockets.push(s);
            return s;
          },
          storage: null,
          network: null,
          isOnline: () => true,
          pingInterval: 0,
        }),
    );
    return { chat, sock: () => sockets[sockets.length - 1] };
  }
  const user = { id: 'u1', email: 'a@example.org', name: 'Ana', role: 'user' as const };

  it('subscribes watched rooms (also those watched before sign-in), forwards their news and leaves chat state alone', async () => {
    const { chat, sock } = setup();
    const got: string[] = [];
    const w: RoomWatcher = {
      onMeeting: (e) => got.push(`meeting ${e.version}/${e.live_seq}`),
      onSubscribed: () => got.push('ack'),
      onRevoked: () => got.push('revoked'),
    };
    const off = chat.watch('meeting:m1', w);
    chat.start(user);
    await flush();
    sock().accept();
    const sub = sock().subs().find((e) => e.room === 'meeting:m1')!;
    expect(sub).toBeTruthy();
    sock().ack(sub, 7);
    await flush();
    sock().frame(
      { type: 'meeting', room: 'meeting:m1', version: 3, live_seq: 1, live: null },
      { type: 'meeting', room: 'meeting:m2', version: 4, live_seq: 1, live: null },
    );
    expect(got).toEqual(['ack', 'meeting 3/1']);
    expect(chat.rooms['meeting:m1']).toBeUndefined();

    off();
    off(); // twice is harmless
    expect(sock().subs('unsubscribe').map((e) => e.room)).toEqual(['meeting:m1']);
    chat.stop();
  });

  it('keeps the room subscribed while a room view or a watcher still needs it, and gives a late room view its own ack', async () => {
    const { chat, sock } = setup();
    chat.start(user);
    await flush();
    sock().accept();
    const off = chat.watch('meeting:m1', {});
    sock().ack(sock().subs().find((e) => e.room === 'meeting:m1')!, 5);
    await flush();

    // The discussion view opens after the watcher: its state gets an ack of its own.
    const rs = chat.follow('meeting:m1');
    const again = sock().subs().filter((e) => e.room === 'meeting:m1');
    expect(again.length).toBe(2);
    expect(again[1].since).toBe(5);
    sock().ack(again[1], 5);
    await flush();
    expect(rs.ready).toBe(true);

    off(); // the view still follows it
    expect(sock().subs('unsubscribe')).toEqual([]);
    const off2 = chat.watch('meeting:m1', {});
    chat.unfollow('meeting:m1'); // the watcher still needs it
    expect(sock().subs('unsubscribe')).toEqual([]);
    off2();
    expect(sock().subs('unsubscribe').map((e) => e.room)).toEqual(['meeting:m1']);
    chat.stop();
  });

  it('tells watchers when the server refuses the room', async () => {
    const { chat, sock } = setup();
    chat.start(user);
    await flush();
    sock().accept();
    let revoked = 0;
    chat.watch('meeting:secret', { onRevoked: () => revoked++ });
    const sub = sock().subs().find((e) => e.room === 'meeting:secret')!;
    sock().frame({ type: 'error', id: sub.id, code: 'not_found', message: 'no' });
    await flush();
    expect(revoked).toBe(1);
    chat.stop();
  });
});
