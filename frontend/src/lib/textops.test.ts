import { describe, expect, it } from 'vitest';
import { type as textUnicode } from 'ot-text-unicode';
import { EditorState, type ChangeSpec } from '@codemirror/state';
import { changesToOp, codePoints, opToChanges, utf16Offset, type Utf16Change } from './textops';
import { syncStatus } from './reportsync';

const apply = (s: string, changes: Utf16Change[]) => {
  let out = s;
  for (const c of [...changes].sort((a, b) => b.from - a.from)) out = out.slice(0, c.from) + c.insert + out.slice(c.to);
  return out;
};

/** cmChanges runs specs through a real CodeMirror state and answers its changes as iterChanges gives them. */
function cmChanges(doc: string, specs: ChangeSpec): { after: string; changes: Utf16Change[] } {
  const tr = EditorState.create({ doc }).update({ changes: specs });
  const changes: Utf16Change[] = [];
  tr.changes.iterChanges((fromA, toA, _fb, _tb, ins) => changes.push({ from: fromA, to: toA, insert: ins.toString() }));
  return { after: tr.state.doc.toString(), changes };
}

describe('code points and UTF-16 offsets', () => {
  it('count astral characters once', () => {
    expect(codePoints('a🙂b')).toBe(3);
    expect(codePoints('👩‍👩‍👧')).toBe(5); // three people and two joiners
    expect(codePoints('a🙂b', 0, 3)).toBe(2);
    expect(utf16Offset('a🙂b', 2)).toBe(3);
    expect(utf16Offset('🙂🙂', 1)).toBe(2);
    expect(utf16Offset('ab', 9)).toBe(2);
  });
});

describe('changesToOp', () => {
  it('inserts after an emoji by code points', () => {
    const { after, changes } = cmChanges('🙂x', { from: 2, insert: 'Y' });
    const op = changesToOp('🙂x', changes);
    expect(op).toEqual([1, 'Y']);
    expect(textUnicode.apply('🙂x', op!)).toBe(after);
  });

  it('deletes an astral character as one code point', () => {
    const op = changesToOp('a😀b', [{ from: 1, to: 3, insert: '' }]);
    expect(op).toEqual([1, { d: 1 }]);
    expect(textUnicode.apply('a😀b', op!)).toBe('ab');
  });

  it('turns several changes of one transaction into one op', () => {
    const doc = 'سلام 🙂 world 中文 👩‍👩‍👧 end';
    const { after, changes } = cmChanges(doc, [
      { from: 0, to: 4, insert: 'مرحبا' },
      { from: 5, to: 7, insert: '🎉🎉' },
      { from: doc.indexOf('中'), to: doc.indexOf('中') + 2 },
      { from: doc.length, insert: ' 🏁' },
    ]);
    const op = changesToOp(doc, changes);
    expect(textUnicode.apply(doc, op!)).toBe(after);
  });

  it('answers null for no change', () => {
    expect(changesToOp('abc', [])).toBeNull();
  });
});

describe('opToChanges', () => {
  it('places remote ops after astral characters', () => {
    const doc = '🙂🙂 ab';
    const op = [2, 'X', 1, { d: 1 }];
    const changes = opToChanges(doc, op);
    expect(changes).toEqual([
      { from: 4, to: 4, insert: 'X' },
      { from: 5, to: 6, insert: '' },
    ]);
    expect(apply(doc, changes)).toBe(textUnicode.apply(doc, op));
  });

  it('merges an insert and a delete at one place and accepts string deletes', () => {
    const changes = opToChanges('a👩‍👩‍👧b', [1, 'Z', { d: '👩‍👩‍👧' }]);
    expect(changes).toEqual([{ from: 1, to: 9, insert: 'Z' }]);
  });

  it('round-trips random edits on text with astral characters', () => {
    const samples = ['a', '🙂', 'é', 'ب', '中', '👩‍👩‍👧', '\n', '𝔸'];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let doc = '';
    for (let i = 0; i < 300; i++) {
      const cps = [...doc];
      const at = rand(cps.length + 1);
      const del = cps.length > at && rand(3) === 0 ? 1 + rand(Math.min(3, cps.length - at)) : 0;
      const ins = rand(4) === 0 ? '' : samples[rand(samples.length)];
      const from = cps.slice(0, at).join('').length;
      const to = from + cps.slice(at, at + del).join('').length;
      if (!ins && from === to) continue;
      const changes = [{ from, to, insert: ins }];
      const op = changesToOp(doc, changes)!;
      const next = apply(doc, changes);
      expect(textUnicode.apply(doc, op)).toBe(next);
      expect(apply(doc, opToChanges(doc, op))).toBe(next);
      doc = next;
    }
  });
});

describe('syncStatus', () => {
  it('tells saved, saving, offline and connecting apart', () => {
    expect(syncStatus('connected', true, false, 0).state).toBe('saved');
    expect(syncStatus('connected', true, true, 2).state).toBe('saving');
    expect(syncStatus('disconnected', true, true, 3)).toEqual({ state: 'offline', unsent: 3 });
    expect(syncStatus('connecting', false, false, 0).state).toBe('connecting');
    expect(syncStatus('connecting', false, true, 1).state).toBe('offline');
  });
});
