// Word-level differences between two texts, for showing what an agenda change did to a title,
// a description or a list of speakers: the old text with what went away marked, the new one
// with what came in marked.

export type SegmentKind = 'same' | 'del' | 'ins';

export interface Segment {
  kind: SegmentKind;
  text: string;
}

// Words (letters, digits and combining marks, e.g. Arabic with its vowel signs), runs of white
// space, and every other character on its own. Han and kana characters are words by themselves,
// as those scripts do not separate words with spaces.
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}_'’-]+|\s+|[^\s]/gu;

/** tokenize splits s into words, white space and single other characters; joined, they give s back. */
export function tokenize(s: string): string[] {
  return s.match(TOKEN) ?? [];
}

/** Above this many comparisons the changed middle is shown as replaced whole. */
const MAX_CELLS = 4_000_000;

/**
 * wordDiff compares old and new word by word. The result reads as old when the ins segments are
 * left out and as new when the del segments are left out; neighbouring segments never share a
 * kind, and within a change the deleted text comes before the inserted text.
 */
export function wordDiff(oldText: string, newText: string): Segment[] {
  const a = tokenize(oldText);
  const b = tokenize(newText);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);

  const ops: { kind: SegmentKind; text: string }[] = [];
  for (const tok of a.slice(0, pre)) ops.push({ kind: 'same', text: tok });
  if (am.length * bm.length > MAX_CELLS) {
    for (const tok of am) ops.push({ kind: 'del', text: tok });
    for (const tok of bm) ops.push({ kind: 'ins', text: tok });
  } else {
    ops.push(...lcsOps(am, bm));
  }
  for (const tok of a.slice(a.length - suf)) ops.push({ kind: 'same', text: tok });
  return tidy(ops);
}

/** lcsOps aligns a and b on a longest common subsequence of tokens. */
function lcsOps(a: string[], b: string[]): Segment[] {
  const n = a.length;
  const m = b.length;
  // len[i][j]: the longest common subsequence of a[i:] and b[j:], in one flat array.
  const w = m + 1;
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i * w + j] = a[i] === b[j] ? len[(i + 1) * w + j + 1] + 1 : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
    }
  }
  const out: Segment[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) {
      out.push({ kind: 'del', text: a[i++] });
    } else {
      out.push({ kind: 'ins', text: b[j++] });
    }
  }
  while (i < n) out.push({ kind: 'del', text: a[i++] });
  while (j < m) out.push({ kind: 'ins', text: b[j++] });
  return out;
}

const isBlank = (s: string) => /^\s*$/u.test(s);

/**
 * tidy makes the result readable: white space or a lone punctuation mark left in common between
 * two changes joins them (so "the old plan" → "a new idea" reads as one replacement, not
 * alternating words), each run of changes is put as its deletions then its insertions, and
 * neighbouring segments of one kind are merged.
 */
function tidy(ops: Segment[]): Segment[] {
  // Runs: alternating common parts and changes.
  type Run = { same: string } | { del: string; ins: string };
  const runs: Run[] = [];
  for (const op of ops) {
    const last = runs[runs.length - 1];
    if (op.kind === 'same') {
      if (last && 'same' in last) last.same += op.text;
      else runs.push({ same: op.text });
    } else {
      const ch = last && !('same' in last) ? last : (runs.push({ del: '', ins: '' }), runs[runs.length - 1] as { del: string; ins: string });
      if (op.kind === 'del') ch.del += op.text;
      else ch.ins += op.text;
    }
  }
  // A small common part between two changes becomes part of one bigger change.
  for (let k = 1; k < runs.length - 1; k++) {
    const mid = runs[k];
    const before = runs[k - 1];
    const after = runs[k + 1];
    if ('same' in mid && !('same' in before) && !('same' in after) && (isBlank(mid.same) || /^\s*[^\s\p{L}\p{N}]\s*$/u.test(mid.same))) {
      before.del += mid.same + after.del;
      before.ins += mid.same + after.ins;
      runs.splice(k, 2);
      k--;
    }
  }
  const out: Segment[] = [];
  for (const r of runs) {
    if ('same' in r) {
      if (r.same) out.push({ kind: 'same', text: r.same });
    } else {
      if (r.del) out.push({ kind: 'del', text: r.del });
      if (r.ins) out.push({ kind: 'ins', text: r.ins });
    }
  }
  return out;
}

/** side keeps what one side of a diff shows: the old text (same and del) or the new one (same and ins). */
export function side(segments: readonly Segment[], which: 'old' | 'new'): Segment[] {
  const drop: SegmentKind = which === 'old' ? 'ins' : 'del';
  return segments.filter((s) => s.kind !== drop);
}

/** The mark standing for unchanged text left out by condense. */
export const ELLIPSIS = ' … ';

/**
 * condense shortens the unchanged stretches of a long diff to `context` characters (code points)
 * on each side of a change, so that a few edits in a long report read at a glance. Changes are
 * kept whole.
 */
export function condense(segments: readonly Segment[], context: number): Segment[] {
  return segments.map((s, i) => {
    if (s.kind !== 'same') return s;
    const chars = Array.from(s.text);
    const keepBefore = i > 0 ? context : 0; // after a change
    const keepAfter = i < segments.length - 1 ? context : 0; // before a change
    if (chars.length <= keepBefore + keepAfter + ELLIPSIS.length) return s;
    const head = chars.slice(0, keepBefore).join('');
    const tail = chars.slice(chars.length - keepAfter).join('');
    return { kind: 'same', text: head + ELLIPSIS + tail };
  });
}
