import { describe, expect, it } from 'vitest';
import { insertMention, matchPeople, mentionKey, mentionPieces, mentionQuery, mentionsIn, mentionText, plainMentions } from './mentions';

const people = [
  { user_id: 'u1', name: 'Mei Lin' },
  { user_id: 'u2', name: 'Omar Haddad' },
  { user_id: 'u3', name: 'Linus Berg' },
];

describe('typing a mention', () => {
  it('finds the query before the caret', () => {
    expect(mentionQuery('hi @me', 6)).toEqual({ start: 3, query: 'me' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('hi @mei\nx', 9)).toBeNull();
    expect(mentionQuery('مرحبا @عم', 9)).toEqual({ start: 6, query: 'عم' });
  });
  it('matches names by start, then by word', () => {
    expect(matchPeople(people, 'lin').map((p) => p.user_id)).toEqual(['u3', 'u1']);
    expect(matchPeople(people, '').length).toBe(3);
    expect(matchPeople([{ user_id: 'a', name: 'عمر حداد' }], 'حد').map((p) => p.user_id)).toEqual(['a']);
  });
  it('moves, picks and closes with the keys of a list', () => {
    expect(mentionKey('ArrowDown', 0, 3)).toEqual({ kind: 'move', index: 1 });
    expect(mentionKey('ArrowDown', 2, 3)).toEqual({ kind: 'move', index: 0 });
    expect(mentionKey('ArrowUp', 0, 3)).toEqual({ kind: 'move', index: 2 });
    expect(mentionKey('Enter', 1, 3)).toEqual({ kind: 'pick', index: 1 });
    expect(mentionKey('Tab', 5, 3)).toEqual({ kind: 'pick', index: 2 });
    expect(mentionKey('Escape', 0, 3)).toEqual({ kind: 'close' });
    expect(mentionKey('a', 0, 3)).toBeNull();
    expect(mentionKey('Enter', 0, 0)).toBeNull();
  });
});

describe('Markdown mentions (the rooms)', () => {
  it('inserts a mention and collects ids from the body', () => {
    const r = insertMention('hi @me there', 3, 6, 'Mei Lin');
    expect(r.text).toBe('hi @**Mei Lin**  there');
    expect(r.caret).toBe(16);
    expect(mentionsIn(r.text + ' @**Omar Haddad** @**Mei Lin**', people)).toEqual(['u1', 'u2']);
  });
});

describe('plain mentions (the review)', () => {
  it('inserts @Name and a space', () => {
    const r = insertMention('see @om', 4, 7, 'Omar Haddad', 'plain');
    expect(r).toEqual({ text: 'see @Omar Haddad ', caret: 17 });
    expect(mentionText('Mei Lin', 'plain')).toBe('@Mei Lin');
  });
  it('collects who is still named, whole names only', () => {
    expect(mentionsIn('@Omar Haddad, and @Mei Lin.', people, 'plain')).toEqual(['u1', 'u2']);
    expect(mentionsIn('@Mei Linda and mail@Omar Haddad', people, 'plain')).toEqual([]);
    expect(mentionsIn('Omar Haddad without the at', people, 'plain')).toEqual([]);
    expect(mentionsIn('(@Linus Berg)', people, 'plain')).toEqual(['u3']);
  });
  it('takes the longest of overlapping names', () => {
    const two = [
      { user_id: 'short', name: 'Mei' },
      { user_id: 'long', name: 'Mei Lin' },
    ];
    expect(mentionsIn('@Mei Lin agrees', two, 'plain')).toEqual(['long']);
    expect(mentionsIn('@Mei agrees', two, 'plain')).toEqual(['short']);
    expect(plainMentions('@Mei Lin and @Mei', two).map((m) => [m.from, m.to, m.person.user_id])).toEqual([
      [0, 8, 'long'],
      [13, 17, 'short'],
    ]);
  });
  it('finds Arabic names in right-to-left text', () => {
    const ar = [{ user_id: 'a', name: 'عمر حداد' }];
    expect(mentionsIn('شكرا @عمر حداد على التعليق', ar, 'plain')).toEqual(['a']);
    expect(mentionsIn('@عمر حدادي', ar, 'plain')).toEqual([]);
  });
  it('cuts text into pieces around the mentions', () => {
    expect(mentionPieces('Ask @Mei Lin and @Omar Haddad.', ['Mei Lin', 'Omar Haddad'])).toEqual([
      { text: 'Ask ', mention: false },
      { text: '@Mei Lin', mention: true },
      { text: ' and ', mention: false },
      { text: '@Omar Haddad', mention: true },
      { text: '.', mention: false },
    ]);
    expect(mentionPieces('@Mei Lin', ['Mei Lin'])).toEqual([{ text: '@Mei Lin', mention: true }]);
    expect(mentionPieces('no one', [])).toEqual([{ text: 'no one', mention: false }]);
    expect(mentionPieces('', ['Mei Lin'])).toEqual([{ text: '', mention: false }]);
  });
});
