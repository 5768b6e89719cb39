// Conversion between CodeMirror's changes, which count UTF-16 code units, and
// ot-text-unicode ops, which count Unicode code points (docs/protocol.md,
// "ShareDB endpoint"). Plain functions, so that they can be tested without a
// browser; src/lib/reporteditor.ts binds them to an editor and a sharedb doc.

/** One component of a text-unicode op: skip n code points, insert a string, or delete n code points. */
export type TextOpComponent = number | string | { d: number | string };
export type TextOp = TextOpComponent[];

/** A change in UTF-16 offsets of the text before it, as CodeMirror's ChangeSpec. */
export interface Utf16Change {
  from: number;
  to: number;
  insert: string;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** codePoints counts the code points of s between the UTF-16 offsets from and to (a lone surrogate counts as one). */
export function codePoints(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (isHigh(s.charCodeAt(i)) && i + 1 < to && isLow(s.charCodeAt(i + 1))) i++;
    n++;
  }
  return n;
}

/** utf16Offset answers the UTF-16 offset of code point cp in s (clamped to s's end). */
export function utf16Offset(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    i += isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** A walker over a string that moves forward by code points or UTF-16 units, remembering both counts. */
class Cursor {
  utf16 = 0;
  cp = 0;
  constructor(private readonly s: string) {}
  /** toUtf16 moves to UTF-16 offset at (not before the current one). */
  toUtf16(at: number): void {
    this.cp += codePoints(this.s, this.utf16, at);
    this.utf16 = at;
  }
  /** byCodePoints moves forward n code points and answers the new UTF-16 offset. */
  byCodePoints(n: number): number {
    for (let k = 0; k < n && this.utf16 < this.s.length; k++) {
      const c = this.s.charCodeAt(this.utf16);
      this.utf16 += isHigh(c) && this.utf16 + 1 < this.s.length && isLow(this.s.charCodeAt(this.utf16 + 1)) ? 2 : 1;
    }
    this.cp += n;
    return this.utf16;
  }
}

/**
 * changesToOp turns changes to before (UTF-16 offsets into before, sorted and
 * not overlapping, as CodeMirror's iterChanges gives them) into one
 * text-unicode op. Answers null when nothing changes.
 */
export function changesToOp(before: string, changes: readonly Utf16Change[]): TextOp | null {
  const op: TextOp = [];
  const push = (c: TextOpComponent) => {
    const last = op[op.length - 1];
    if (typeof c === 'number' && typeof last === 'number') op[op.length - 1] = last + c;
    else if (typeof c === 'string' && typeof last === 'string') op[op.length - 1] = last + c;
    else op.push(c);
  };
  const cur = new Cursor(before);
  let doneCp = 0; // code points of before already covered by op
  for (const ch of changes) {
    cur.toUtf16(ch.from);
    if (cur.cp > doneCp) push(cur.cp - doneCp);
    const startCp = cur.cp;
    cur.toUtf16(ch.to);
    if (ch.insert) push(ch.insert);
    if (cur.cp > startCp) op.push({ d: cur.cp - startCp });
    doneCp = cur.cp;
  }
  return op.length ? op : null;
}

/**
 * opToChanges turns a text-unicode op applied to before into changes in
 * UTF-16 offsets of before (for one CodeMirror transaction).
 */
export function opToChanges(before: string, op: TextOp): Utf16Change[] {
  const out: Utf16Change[] = [];
  const cur = new Cursor(before);
  for (const c of op) {
    if (typeof c === 'number') {
      cur.byCodePoints(c);
    } else if (typeof c === 'string') {
      if (c) out.push({ from: cur.utf16, to: cur.utf16, insert: c });
    } else {
      const n = typeof c.d === 'number' ? c.d : codePoints(c.d);
      const from = cur.utf16;
      const to = cur.byCodePoints(n);
      const last = out[out.length - 1];
      // An insert followed by a delete at the same place is one replacement.
      if (last && last.from === from && last.to === from) last.to = to;
      else out.push({ from, to, insert: '' });
    }
  }
  return out;
}
