import { describe, expect, it } from 'vitest';
import { RoomState } from './chat.svelte';
import type { ChatMessage } from './realtime';

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
});
