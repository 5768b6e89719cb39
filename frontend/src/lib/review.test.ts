import { describe, expect, it } from 'vitest';
import type { NamedVersion, ReviewComment, ReviewRound } from './api';
import {
  blocksOf,
  byParagraph,
  cpLength,
  cpSlice,
  defaultDeadline,
  filterComments,
  filterCounts,
  formatInZone,
  formatTimeLeft,
  locateSelection,
  mentionable,
  nextFinalName,
  nextRoundName,
  pairBlocks,
  sameOffset,
  shownRound,
  similarity,
  timeLeft,
  withoutDisposition,
} from './review';

const HOUR = 3_600_000;

describe('code points', () => {
  it('counts and cuts by code point, not UTF-16 unit', () => {
    expect(cpLength('a🙂b')).toBe(3);
    expect(cpSlice('a🙂bc', 1, 3)).toBe('🙂b');
  });
});

describe('deadline', () => {
  const iso = '2026-12-10T16:00:00Z';
  it('shows the moment in the round zone and in another one', () => {
    expect(formatInZone(iso, 'Europe/Zurich', 'en-GB')).toMatch(/10 December 2026.*17:00/);
    expect(formatInZone(iso, 'Asia/Tokyo', 'en-GB')).toMatch(/11 December 2026.*01:00/);
    expect(formatInZone(iso, 'America/New_York', 'en-GB')).toMatch(/10 December 2026.*11:00/);
  });
  it('falls back to UTC for an unknown zone', () => {
    expect(formatInZone(iso, 'Nowhere/Atlantis', 'en-GB')).toMatch(/16:00/);
  });
  it('knows when two zones show the same clock', () => {
    expect(sameOffset(iso, 'Europe/Zurich', 'Europe/Paris')).toBe(true);
    expect(sameOffset(iso, 'Europe/Zurich', 'UTC')).toBe(false);
    // Summer: London is UTC+1, Lisbon too.
    expect(sameOffset('2026-07-01T12:00:00Z', 'Europe/London', 'Europe/Lisbon')).toBe(true);
  });
  it('says the time left in a readable unit', () => {
    const d = Date.parse(iso);
    expect(timeLeft(d, d - 5 * 24 * HOUR - HOUR)).toEqual({ past: false, value: 5, unit: 'day' });
    expect(timeLeft(d, d - 47 * HOUR)).toEqual({ past: false, value: 47, unit: 'hour' });
    expect(timeLeft(d, d - 90 * 60_000)).toEqual({ past: false, value: 90, unit: 'minute' });
    expect(timeLeft(d, d - 10_000)).toEqual({ past: false, value: 1, unit: 'minute' });
    expect(timeLeft(d, d).past).toBe(true);
    expect(formatTimeLeft({ past: false, value: 3, unit: 'day' }, 'en')).toBe('in 3 days');
    expect(formatTimeLeft({ past: false, value: 3, unit: 'day' }, 'fr')).toBe('dans 3 jours');
  });
  it('proposes a deadline two weeks on at 17:00 in the zone', () => {
    // 23:30 UTC on 1 March is already 2 March in Tokyo.
    const now = Date.parse('2026-03-01T23:30:00Z');
    expect(defaultDeadline(now, 'Asia/Tokyo')).toBe('2026-03-16T17:00');
    expect(defaultDeadline(now, 'America/New_York')).toBe('2026-03-15T17:00');
  });
});

describe('version names', () => {
  const v = (name: string): NamedVersion => ({ name, v: 1, kind: 'named', by: { id: '', name: '' }, at: '' });
  it('starts at v1.0 and goes on from the highest', () => {
    expect(nextRoundName([])).toBe('v1.0');
    expect(nextFinalName([v('v1.0')])).toBe('v2.0');
    expect(nextRoundName([v('v1.0'), v('v2.0'), v('draft for the bureau')])).toBe('v2.1');
    expect(nextFinalName([v('v1.0'), v('v2.0'), v('v2.1')])).toBe('v3.0');
    expect(nextRoundName([v('V1.10'), v('v1.9')])).toBe('v1.11');
  });
});

function comment(n: number, over: Partial<ReviewComment> = {}): ReviewComment {
  return {
    n,
    round: 1,
    kind: 'comment',
    author: { id: 'u', name: 'U' },
    created_at: '',
    text: '',
    mentions: [],
    quote: '',
    para: 1,
    version_name: 'v1.0',
    base: { from: 0, to: 0, v: 1 },
    anchor: { from: 0, to: 0, v: 1 },
    replacement: '',
    suggestion: '',
    applied_v: 0,
    replies: [],
    disposition: null,
    mine: false,
    ...over,
  };
}

describe('comment filters', () => {
  const disposed = { kind: 'noted' as const, note: '', by: { id: 'c', name: 'C' }, at: '' };
  const list = [
    comment(1, { para: 3 }),
    comment(2, { para: 1, mine: true, disposition: disposed }),
    comment(3, { para: 1, kind: 'suggestion', suggestion: 'pending', mine: true }),
    comment(4, { para: 2, kind: 'suggestion', suggestion: 'accepted' }),
  ];
  it('keeps open, disposed, mine or all, by paragraph', () => {
    expect(filterComments(list, 'open').map((c) => c.n)).toEqual([3, 1]);
    expect(filterComments(list, 'disposed').map((c) => c.n)).toEqual([2, 4]);
    expect(filterComments(list, 'mine').map((c) => c.n)).toEqual([2, 3]);
    expect(filterComments(list, 'all').map((c) => c.n)).toEqual([2, 3, 4, 1]);
    expect(filterCounts(list)).toEqual({ open: 2, disposed: 2, mine: 2, all: 4 });
  });
  it('counts those without a disposition (a decided suggestion still needs one)', () => {
    expect(withoutDisposition(list)).toBe(3);
  });
  it('groups by paragraph', () => {
    const m = byParagraph(list);
    expect(m.get(1)?.map((c) => c.n)).toEqual([2, 3]);
    expect(m.get(3)?.map((c) => c.n)).toEqual([1]);
  });
});

describe('rounds and people', () => {
  const round = (n: number, name: string): ReviewRound => ({ ...({} as ReviewRound), n, name, v: n * 10 });
  const r1 = round(1, 'v1.0');
  const r2 = round(2, 'v3.0');
  it('shows the latest round unless an earlier one is chosen', () => {
    const review = { round: r2, rounds: [r1, r2] };
    expect(shownRound(review, null)).toEqual({ round: r2, past: false });
    expect(shownRound(review, 2)).toEqual({ round: r2, past: false });
    expect(shownRound(review, 1)).toEqual({ round: r1, past: true });
    expect(shownRound(review, 7)).toEqual({ round: r2, past: false });
    expect(shownRound({ round: null, rounds: [] }, 1)).toEqual({ round: null, past: false });
  });
  it('lists the members and the drafters once, by name, without the writer', () => {
    const members = [
      { user_id: 'c', name: 'Amina Diallo' },
      { user_id: 'm', name: 'Mei Lin' },
      { user_id: 'p', name: 'Pierre Martin' },
    ];
    const drafters = [
      { id: 'p', name: 'Pierre Martin' },
      { id: 'd', name: 'Dara Okafor' },
    ];
    expect(mentionable(members, drafters, 'm').map((p) => p.user_id)).toEqual(['c', 'd', 'p']);
    expect(mentionable([], drafters, '')).toEqual([
      { user_id: 'd', name: 'Dara Okafor' },
      { user_id: 'p', name: 'Pierre Martin' },
    ]);
  });
});

describe('locateSelection', () => {
  // "Intro 🙂\n\nThe **meeting** agreed on the [plan](http://x) and the plan.\n"
  const text = 'Intro 🙂\n\nThe **meeting** agreed on the [plan](http://x) and the plan.\n';
  const from = 9; // code points: "Intro 🙂\n\n"
  const para = cpSlice(text, from, cpLength(text) - 1);

  it('finds plain text, in code points of the whole text', () => {
    const a = locateSelection(para, from, 'agreed on', 12);
    expect(a.found).toBe(true);
    expect(cpSlice(text, a.from, a.to)).toBe('agreed on');
  });
  it('skips Markdown marks between rendered characters', () => {
    const a = locateSelection(para, from, 'The meeting agreed', 0);
    expect(cpSlice(text, a.from, a.to)).toBe('The **meeting** agreed');
    const b = locateSelection(para, from, 'the plan and', 20);
    expect(cpSlice(text, b.from, b.to)).toBe('the [plan](http://x) and');
  });
  it('picks the occurrence at or after the rendered offset', () => {
    // Rendered: "The meeting agreed on the plan and the plan." — the second "the plan" starts at 35.
    const a = locateSelection(para, from, 'plan', 35);
    expect(a.from - from).toBe(cpLength('The **meeting** agreed on the [plan](http://x) and the '));
    const first = locateSelection(para, from, 'plan', 26);
    expect(first.from - from).toBe(cpLength('The **meeting** agreed on the ['));
  });
  it('tolerates white space differences', () => {
    const a = locateSelection('one\ntwo three', 0, 'one two', 0);
    expect(a).toEqual({ from: 0, to: 7, found: true });
  });
  it('comments on the whole paragraph when the text is not in the source', () => {
    expect(locateSelection(para, from, 'nowhere', 0)).toEqual({ from, to: from, found: false });
    expect(locateSelection(para, from, '   ', 0)).toEqual({ from, to: from, found: false });
  });
  it('escapes regular expression characters', () => {
    const a = locateSelection('cost (in $) is 3.5*2', 0, '(in $) is 3.5', 0);
    expect(a).toEqual({ from: 5, to: 18, found: true });
  });
});

describe('paragraphs of two versions', () => {
  const text = '# Title\n\nFirst 🙂 paragraph.\n\n## Part\n\nSecond one.\n';
  const paras = [
    { n: 1, from: 9, to: 27 },
    { n: 2, from: 38, to: 49 },
  ];
  it('cuts a version into numbered paragraphs and what lies between', () => {
    expect(blocksOf(text, paras)).toEqual([
      { para: 0, text: '# Title' },
      { para: 1, text: 'First 🙂 paragraph.' },
      { para: 0, text: '## Part' },
      { para: 2, text: 'Second one.' },
    ]);
  });
  it('measures similarity by shared words', () => {
    expect(similarity('the plan was agreed', 'the plan was agreed')).toBe(1);
    expect(similarity('the plan was agreed', 'totally different')).toBe(0);
    expect(similarity('a b c d', 'a b c e')).toBeCloseTo(0.75);
  });
  it('pairs identical, changed, removed and added paragraphs in order', () => {
    const p = (para: number, t: string) => ({ para, text: t });
    const a = [p(1, 'Opening of the session by the chair.'), p(2, 'The agenda was adopted.'), p(3, 'A paragraph that goes.'), p(4, 'Closing.')];
    const b = [
      p(1, 'Opening of the session by the vice-chair.'),
      p(2, 'The agenda was adopted.'),
      p(3, 'Something entirely new here.'),
      p(4, 'Closing.'),
      p(5, 'Annex follows.'),
    ];
    const pairs = pairBlocks(a, b);
    expect(pairs.map((x) => [x.kind, x.a?.para ?? null, x.b?.para ?? null])).toEqual([
      ['changed', 1, 1],
      ['same', 2, 2],
      ['removed', 3, null],
      ['added', null, 3],
      ['same', 4, 4],
      ['added', null, 5],
    ]);
  });
  it('pairs an inserted paragraph as added, not as a change of every one after it', () => {
    const p = (para: number, t: string) => ({ para, text: t });
    const a = [p(1, 'alpha beta gamma'), p(2, 'delta epsilon zeta')];
    const b = [p(1, 'new words here'), p(2, 'alpha beta gamma'), p(3, 'delta epsilon zeta eta')];
    expect(pairBlocks(a, b).map((x) => x.kind)).toEqual(['added', 'same', 'changed']);
  });
  it('handles empty versions', () => {
    expect(pairBlocks([], [])).toEqual([]);
    expect(pairBlocks([{ para: 1, text: 'x' }], []).map((x) => x.kind)).toEqual(['removed']);
  });
});
