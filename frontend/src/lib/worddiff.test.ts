import { describe, expect, it } from 'vitest';
import { condense, ELLIPSIS, side, tokenize, wordDiff, type Segment } from './worddiff';

const join = (segs: Segment[]) => segs.map((s) => s.text).join('');

describe('tokenize', () => {
  it('splits words, spaces and punctuation, and gives the text back when joined', () => {
    const s = 'Opening of the session: welcome, co-operation & l’agenda (2006)';
    expect(join(tokenize(s).map((text) => ({ kind: 'same' as const, text })))).toBe(s);
    expect(tokenize('Opening of the session:')).toEqual(['Opening', ' ', 'of', ' ', 'the', ' ', 'session', ':']);
    expect(tokenize('co-operation')).toEqual(['co-operation']);
  });

  it('keeps Arabic words with their marks whole and splits Han characters', () => {
    expect(tokenize('افتتاح الدورة')).toEqual(['افتتاح', ' ', 'الدورة']);
    expect(tokenize('会议开幕')).toEqual(['会', '议', '开', '幕']);
  });
});

describe('wordDiff', () => {
  it('marks the replaced word only', () => {
    expect(wordDiff('Opening of the session', 'Opening of the plenary')).toEqual([
      { kind: 'same', text: 'Opening of the ' },
      { kind: 'del', text: 'session' },
      { kind: 'ins', text: 'plenary' },
    ]);
  });

  it('marks an insertion and a deletion in the middle', () => {
    expect(wordDiff('Report of the group', 'Report of the working group')).toEqual([
      { kind: 'same', text: 'Report of the ' },
      { kind: 'ins', text: 'working ' },
      { kind: 'same', text: 'group' },
    ]);
    expect(wordDiff('Report of the working group', 'Report of the group')).toEqual([
      { kind: 'same', text: 'Report of the ' },
      { kind: 'del', text: 'working ' },
      { kind: 'same', text: 'group' },
    ]);
  });

  it('joins neighbouring changed words into one replacement', () => {
    expect(wordDiff('Adoption of the old plan today', 'Adoption of a new idea today')).toEqual([
      { kind: 'same', text: 'Adoption of ' },
      { kind: 'del', text: 'the old plan' },
      { kind: 'ins', text: 'a new idea' },
      { kind: 'same', text: ' today' },
    ]);
  });

  it('reads as the old text without insertions and as the new one without deletions', () => {
    const pairs = [
      ['', 'Closing'],
      ['Closing', ''],
      ['A b c d e', 'a B c D e f'],
      ['Mei Lin (Rapporteur, UNESCO); Omar Haddad', 'Omar Haddad; Mei Lin (Rapporteur, UNESCO)'],
      ['Coffee break', 'Coffee break'],
      ['تقرير الفريق', 'تقرير الفريق العامل'],
    ];
    for (const [a, b] of pairs) {
      const d = wordDiff(a, b);
      expect(join(side(d, 'old'))).toBe(a);
      expect(join(side(d, 'new'))).toBe(b);
      for (let i = 1; i < d.length; i++) expect(d[i].kind).not.toBe(d[i - 1].kind);
    }
  });

  it('shows equal texts as one unchanged segment and empty texts as nothing', () => {
    expect(wordDiff('Coffee break', 'Coffee break')).toEqual([{ kind: 'same', text: 'Coffee break' }]);
    expect(wordDiff('', '')).toEqual([]);
    expect(wordDiff('', 'New')).toEqual([{ kind: 'ins', text: 'New' }]);
  });

  it('replaces a very long changed middle whole instead of comparing it word by word', () => {
    const a = Array.from({ length: 2500 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 2500 }, (_, i) => `b${i}`).join(' ');
    const d = wordDiff(`Start ${a} end`, `Start ${b} end`);
    expect(d.map((s) => s.kind)).toEqual(['same', 'del', 'ins', 'same']);
    expect(join(side(d, 'new'))).toBe(`Start ${b} end`);
  });
});

describe('condense', () => {
  it('shortens long unchanged stretches around changes and keeps changes whole', () => {
    const long = 'x'.repeat(500);
    const segs: Segment[] = [
      { kind: 'same', text: long },
      { kind: 'del', text: 'old words' },
      { kind: 'ins', text: 'new words' },
      { kind: 'same', text: long },
      { kind: 'ins', text: 'more' },
      { kind: 'same', text: long },
    ];
    const out = condense(segs, 10);
    expect(out.map((s) => s.kind)).toEqual(segs.map((s) => s.kind));
    expect(out[0].text).toBe(ELLIPSIS + 'x'.repeat(10));
    expect(out[1].text).toBe('old words');
    expect(out[3].text).toBe('x'.repeat(10) + ELLIPSIS + 'x'.repeat(10));
    expect(out[5].text).toBe('x'.repeat(10) + ELLIPSIS);
  });

  it('leaves short stretches and never splits a character made of two UTF-16 units', () => {
    const segs: Segment[] = [
      { kind: 'same', text: 'short ' },
      { kind: 'ins', text: 'x' },
      { kind: 'same', text: '😀'.repeat(40) },
    ];
    const out = condense(segs, 3);
    expect(out[0].text).toBe('short ');
    expect(out[2].text).toBe('😀'.repeat(3) + ELLIPSIS);
    expect(condense([{ kind: 'same', text: 'all the same' }], 3)).toEqual([{ kind: 'same', text: ' … ' }]);
  });
});
