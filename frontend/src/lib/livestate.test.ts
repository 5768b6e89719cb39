import { describe, expect, it } from 'vitest';
import { findLive, nextItem, upcomingSession } from './livestate';

const item = (id: string, kind = 'item') => ({ id, kind });
const sessions = [
  { id: 's1', start: '2006-05-15T09:30', end: '2006-05-15T11:00', items: [item('a'), item('b', 'break')] },
  { id: 's2', start: '2006-05-15T11:30', end: '2006-05-15T13:00', items: [] },
  { id: 's3', start: '2006-05-16T09:30', end: '2006-05-16T11:00', items: [item('c')] },
];

describe('findLive', () => {
  it('finds the session and item named by live', () => {
    const p = findLive(sessions, { session_id: 's1', item_id: 'b' });
    expect(p).toMatchObject({ sessionIndex: 0, itemIndex: 1, item: { id: 'b' } });
  });

  it('is null when nothing is live or what it names is gone', () => {
    expect(findLive(sessions, null)).toBeNull();
    expect(findLive(sessions, { session_id: 's9', item_id: 'a' })).toBeNull();
    expect(findLive(sessions, { session_id: 's1', item_id: 'c' })).toBeNull();
  });
});

describe('nextItem', () => {
  it('is the next item of the session, else the first item of a later session with items', () => {
    const a = findLive(sessions, { session_id: 's1', item_id: 'a' });
    expect(nextItem(sessions, a!)?.item.id).toBe('b');
    const b = findLive(sessions, { session_id: 's1', item_id: 'b' });
    expect(nextItem(sessions, b!)).toMatchObject({ sessionIndex: 2, itemIndex: 0, item: { id: 'c' } });
    const c = findLive(sessions, { session_id: 's3', item_id: 'c' });
    expect(nextItem(sessions, c!)).toBeNull();
  });
});

describe('upcomingSession', () => {
  it('is the first session that has not ended yet', () => {
    expect(upcomingSession(sessions, '2006-05-14T12:00')?.id).toBe('s1');
    expect(upcomingSession(sessions, '2006-05-15T10:00')?.id).toBe('s1');
    expect(upcomingSession(sessions, '2006-05-15T11:00')?.id).toBe('s2');
    expect(upcomingSession(sessions, '2006-05-15T18:00')?.id).toBe('s3');
    expect(upcomingSession(sessions, '2006-05-17T09:00')).toBeNull();
  });
});
