import { describe, expect, it } from 'vitest';
import type { AppNotification } from './api';
import { badgeCount, markedRead, safeLink, withNotification } from './notifications';

function n(id: string, at: string, read = false): AppNotification {
  return { id, kind: 'reply', title: `title ${id}`, body: '', link: `/reports/r?c=${id}`, at, read };
}

describe('withNotification', () => {
  it('puts a new notification first and keeps at most keep', () => {
    const list = [n('b', '2026-12-01T10:00:00Z'), n('a', '2026-12-01T09:00:00Z')];
    const out = withNotification(list, n('c', '2026-12-01T11:00:00Z'), 2);
    expect(out.map((x) => x.id)).toEqual(['c', 'b']);
    expect(list.map((x) => x.id)).toEqual(['b', 'a']); // not changed in place
  });

  it('replaces an older copy instead of showing it twice', () => {
    const out = withNotification([n('a', '2026-12-01T09:00:00Z', true)], n('a', '2026-12-01T09:00:00Z'));
    expect(out).toHaveLength(1);
    expect(out[0].read).toBe(false);
  });

  it('orders by time even when a push overtook the list, whatever the fraction digits', () => {
    const list = [n('a', '2026-12-01T09:30:00.12Z')];
    // 3 ms later than a, though it sorts before a as text.
    expect(withNotification(list, n('b', '2026-12-01T09:30:00.123Z')).map((x) => x.id)).toEqual(['b', 'a']);
    // Older than what the list answered: it goes after.
    expect(withNotification(list, n('c', '2026-12-01T09:29:59.9Z')).map((x) => x.id)).toEqual(['a', 'c']);
  });
});

describe('markedRead', () => {
  const list = [n('a', '2026-12-01T09:00:00Z'), n('b', '2026-12-01T08:00:00Z', true), n('c', '2026-12-01T07:00:00Z')];

  it('marks the given ids and counts only those that were unread', () => {
    const { items, changed } = markedRead(list, ['a', 'b', 'zzz']);
    expect(items.map((x) => x.read)).toEqual([true, true, false]);
    expect(changed).toBe(1);
    expect(list[0].read).toBe(false);
  });

  it('marks everything when no ids are given', () => {
    const { items, changed } = markedRead(list, []);
    expect(items.every((x) => x.read)).toBe(true);
    expect(changed).toBe(2);
  });
});

describe('badgeCount and safeLink', () => {
  it('caps the badge', () => {
    expect(badgeCount(0)).toBe('0');
    expect(badgeCount(7)).toBe('7');
    expect(badgeCount(100)).toBe('99+');
  });

  it('keeps links inside the app', () => {
    expect(safeLink('/reports/r1?tab=review')).toBe('/reports/r1?tab=review');
    expect(safeLink('//evil.example/x')).toBe('/');
    expect(safeLink('/\\evil.example')).toBe('/');
    expect(safeLink('https://evil.example/')).toBe('/');
    expect(safeLink('javascript:alert(1)')).toBe('/');
  });
});
