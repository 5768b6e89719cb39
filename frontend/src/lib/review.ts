// Pure helpers of a report's review (docs/api.md "Report review"): the deadline in two zones and
// the time left, default version names, comment filters, the round shown and who may be mentioned,
// mapping a text selection in the rendered report to code-point offsets of its Markdown, and
// pairing the paragraphs of two versions for a diff. No Svelte and no DOM: callers pass the current
// time and the texts.
import type { Member, NamedVersion, RenderedParagraph, Review, ReviewComment, ReviewRound, UserRef } from './api';
import type { Mentionable } from './mentions';
import { dateInZone, isTimeZone } from './meetingtime';

// ---- code points ----

/** cpLength counts the code points of s (the unit of report offsets). */
export function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** cpSlice cuts s between code-point offsets from and to. */
export function cpSlice(s: string, from: number, to?: number): string {
  return Array.from(s).slice(from, to).join('');
}

// ---- deadline ----

const formats = new Map<string, Intl.DateTimeFormat>();

function deadlineFormat(lang: string, zone: string): Intl.DateTimeFormat {
  const key = `${lang}|${zone}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      timeZone: isTimeZone(zone) ? zone : 'UTC',
      weekday: 'short',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formats.set(key, f);
  }
  return f;
}

/** formatInZone renders an instant (RFC 3339) as a date and time in zone, with the zone's short name. */
export function formatInZone(iso: string, zone: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return deadlineFormat(lang, zone).format(d);
}

/** sameOffset reports whether two zones show the same clock time at the instant iso. */
export function sameOffset(iso: string, a: string, b: string): boolean {
  if (a === b) return true;
  const d = new Date(iso);
  const wall = (z: string) =>
    new Intl.DateTimeFormat('en-US', { timeZone: isTimeZone(z) ? z : 'UTC', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).format(d);
  return wall(a) === wall(b);
}

export interface TimeLeft {
  past: boolean;
  value: number;
  unit: 'day' | 'hour' | 'minute';
}

/**
 * timeLeft says how long until the deadline, rounded down to a readable unit: days from two days
 * on, hours from two hours on, minutes below that (at least 1 while not past).
 */
export function timeLeft(deadlineMs: number, nowMs: number): TimeLeft {
  const ms = deadlineMs - nowMs;
  if (ms <= 0) return { past: true, value: 0, unit: 'minute' };
  const minutes = Math.floor(ms / 60_000);
  if (minutes >= 48 * 60) return { past: false, value: Math.floor(minutes / (24 * 60)), unit: 'day' };
  if (minutes >= 120) return { past: false, value: Math.floor(minutes / 60), unit: 'hour' };
  return { past: false, value: Math.max(1, minutes), unit: 'minute' };
}

/** formatTimeLeft renders a time left in the language ("in 3 days"). */
export function formatTimeLeft(left: TimeLeft, lang: string): string {
  return new Intl.RelativeTimeFormat(lang, { numeric: 'always' }).format(left.value, left.unit);
}

/** defaultDeadline proposes a deadline two weeks after now at 17:00 in zone, as "YYYY-MM-DDTHH:MM". */
export function defaultDeadline(nowMs: number, zone: string, days = 14): string {
  return `${dateInZone(zone, nowMs + days * 86_400_000)}T17:00`;
}

// ---- version names ----

const VERSION_NAME = /^v?(\d+)(?:\.(\d+))?/i;

function parseName(name: string): [number, number] | null {
  const m = VERSION_NAME.exec(name.trim());
  return m ? [Number(m[1]), m[2] ? Number(m[2]) : 0] : null;
}

function highest(versions: readonly NamedVersion[]): [number, number] | null {
  let best: [number, number] | null = null;
  for (const v of versions) {
    const p = parseName(v.name);
    if (p && (!best || p[0] > best[0] || (p[0] === best[0] && p[1] > best[1]))) best = p;
  }
  return best;
}

/** nextRoundName proposes the name of the next circulated version: "v1.0", then the next minor of the highest ("v2.0" → "v2.1"). */
export function nextRoundName(versions: readonly NamedVersion[]): string {
  const h = highest(versions);
  return h ? `v${h[0]}.${h[1] + 1}` : 'v1.0';
}

/** nextFinalName proposes the final version's name: the next major after the highest ("v1.0" → "v2.0"). */
export function nextFinalName(versions: readonly NamedVersion[]): string {
  const h = highest(versions);
  return h ? `v${h[0] + 1}.0` : 'v1.0';
}

// ---- comments ----

export type CommentFilter = 'open' | 'disposed' | 'mine' | 'all';
export const COMMENT_FILTERS: readonly CommentFilter[] = ['open', 'disposed', 'mine', 'all'];

/** isOpen: the chair has not yet disposed of the comment nor decided the suggestion. */
export function isOpen(c: ReviewComment): boolean {
  if (c.disposition) return false;
  return c.kind !== 'suggestion' || c.suggestion === 'pending' || c.suggestion === '';
}

export function matchesFilter(c: ReviewComment, f: CommentFilter): boolean {
  switch (f) {
    case 'open':
      return isOpen(c);
    case 'disposed':
      return !isOpen(c);
    case 'mine':
      return c.mine;
    default:
      return true;
  }
}

/** filterComments keeps the comments of a filter, by paragraph then number. */
export function filterComments(list: readonly ReviewComment[], f: CommentFilter): ReviewComment[] {
  return list.filter((c) => matchesFilter(c, f)).sort((a, b) => a.para - b.para || a.n - b.n);
}

export function filterCounts(list: readonly ReviewComment[]): Record<CommentFilter, number> {
  const out = { open: 0, disposed: 0, mine: 0, all: 0 };
  for (const f of COMMENT_FILTERS) out[f] = list.filter((c) => matchesFilter(c, f)).length;
  return out;
}

/** byParagraph groups comments by their paragraph number (0: not in a numbered paragraph). */
export function byParagraph(list: readonly ReviewComment[]): Map<number, ReviewComment[]> {
  const m = new Map<number, ReviewComment[]>();
  for (const c of list) {
    const k = c.para > 0 ? c.para : 0;
    const l = m.get(k);
    if (l) l.push(c);
    else m.set(k, [c]);
  }
  return m;
}

/** withoutDisposition counts the comments the chair has not given a disposition. */
export function withoutDisposition(list: readonly ReviewComment[]): number {
  return list.filter((c) => !c.disposition).length;
}

// ---- rounds and people ----

/**
 * shownRound is the round the Review tab shows: the chosen one when the review has it, else the
 * latest. past says it is an earlier round, which is read-only.
 */
export function shownRound(review: Pick<Review, 'round' | 'rounds'>, chosen: number | null): { round: ReviewRound | null; past: boolean } {
  const latest = review.round;
  const picked = chosen === null ? undefined : review.rounds.find((r) => r.n === chosen);
  if (!picked || !latest || picked.n === latest.n) return { round: latest, past: false };
  return { round: picked, past: true };
}

/**
 * mentionable lists who may be mentioned in a report's comments: the members of its group (any
 * role) and its drafters, each once, by name, without the writer (me).
 */
export function mentionable(members: readonly Pick<Member, 'user_id' | 'name'>[], drafters: readonly UserRef[], me: string): Mentionable[] {
  const out: Mentionable[] = [];
  const add = (user_id: string, name: string) => {
    if (user_id && user_id !== me && name.trim() && !out.some((p) => p.user_id === user_id)) out.push({ user_id, name });
  };
  for (const m of members) add(m.user_id, m.name);
  for (const d of drafters) add(d.id, d.name);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// ---- selection → offsets ----

/** What a new comment is about: a range of the circulated version, in code points. */
export interface CommentTarget {
  para: number;
  from: number;
  to: number;
  /** The source text of the range ("" for a whole paragraph: from equals to). */
  quote: string;
}

export interface Anchor {
  from: number;
  to: number;
  /** false when the selected text was not found in the source: the whole paragraph is meant. */
  found: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// What Markdown may put between two rendered characters: emphasis and code marks, brackets of a
// link and its target.
const MARKUP = String.raw`(?:\]\([^)]*\)|[*_~` + '`' + String.raw`\[\]])*`;

/**
 * locateSelection maps text selected in a rendered paragraph to a range of the Markdown source.
 * paraSource is the paragraph's source (the slice [paraFrom, paraTo) in code points); approx is
 * the code-point offset of the selection within the paragraph's rendered text. The occurrence of
 * the selected text at or after approx is used (rendering only removes characters), else the last
 * one before; Markdown marks between characters are allowed. When the text cannot be found, the
 * answer is the paragraph's start with found false (a comment on the whole paragraph).
 */
export function locateSelection(paraSource: string, paraFrom: number, selected: string, approx: number): Anchor {
  const whole: Anchor = { from: paraFrom, to: paraFrom, found: false };
  const sel = selected.replace(/\s+/gu, ' ').trim();
  if (!sel) return whole;
  const starts: { at: number; len: number }[] = [];
  const exact = new RegExp(escapeRegExp(sel).replace(/ /g, String.raw`\s+`), 'gu');
  for (const m of paraSource.matchAll(exact)) starts.push({ at: m.index, len: m[0].length });
  if (starts.length === 0) {
    const chars = Array.from(sel).map((ch) => (ch === ' ' ? String.raw`\s+` : escapeRegExp(ch)));
    let fuzzy: RegExp;
    try {
      fuzzy = new RegExp(chars.join(MARKUP), 'gu');
    } catch {
      return whole;
    }
    for (const m of paraSource.matchAll(fuzzy)) starts.push({ at: m.index, len: m[0].length });
  }
  if (starts.length === 0) return whole;
  const cp = starts.map((s) => ({ from: cpLength(paraSource.slice(0, s.at)), len: cpLength(paraSource.slice(s.at, s.at + s.len)) }));
  const pick = cp.find((s) => s.from >= approx) ?? cp[cp.length - 1];
  return { from: paraFrom + pick.from, to: paraFrom + pick.from + pick.len, found: true };
}

// ---- paragraphs of two versions ----

/** A block of a version's source: a numbered paragraph (para > 0) or the text between two (headings…). */
export interface Block {
  para: number;
  text: string;
}

/** blocksOf cuts a version's Markdown into its numbered paragraphs and the non-blank text between them. */
export function blocksOf(text: string, paragraphs: readonly RenderedParagraph[]): Block[] {
  const cps = Array.from(text);
  const out: Block[] = [];
  let at = 0;
  const gap = (to: number) => {
    const s = cps.slice(at, to).join('').trim();
    if (s) out.push({ para: 0, text: s });
  };
  for (const p of paragraphs) {
    if (p.from < at) continue;
    gap(p.from);
    out.push({ para: p.n, text: cps.slice(p.from, p.to).join('') });
    at = p.to;
  }
  gap(cps.length);
  return out;
}

function words(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

/** similarity is the Dice coefficient of the two texts' words, from 0 (nothing shared) to 1. */
export function similarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  let na = 0;
  let nb = 0;
  let both = 0;
  for (const n of wa.values()) na += n;
  for (const [w, n] of wb) {
    nb += n;
    both += Math.min(n, wa.get(w) ?? 0);
  }
  if (na + nb === 0) return a.trim() === b.trim() ? 1 : 0;
  return (2 * both) / (na + nb);
}

export type PairKind = 'same' | 'changed' | 'removed' | 'added';

export interface Pair {
  kind: PairKind;
  a?: Block;
  b?: Block;
}

/** Below this similarity two blocks are a removal and an addition rather than one changed block. */
export const PAIR_THRESHOLD = 0.3;

/**
 * pairBlocks aligns the blocks of two versions: identical ones first (a longest common
 * subsequence), then within each stretch between them the most similar ones in order; what is
 * left is removed (only in a) or added (only in b). The result follows both orders.
 */
export function pairBlocks(a: readonly Block[], b: readonly Block[]): Pair[] {
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i * w + j] = a[i].text === b[j].text ? len[(i + 1) * w + j + 1] + 1 : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
  const out: Pair[] = [];
  let i = 0;
  let j = 0;
  let gi = 0;
  let gj = 0;
  const flush = () => {
    out.push(...alignGap(a.slice(gi, i), b.slice(gj, j)));
  };
  while (i < n && j < m) {
    if (a[i].text === b[j].text) {
      flush();
      out.push({ kind: 'same', a: a[i], b: b[j] });
      gi = ++i;
      gj = ++j;
    } else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) i++;
    else j++;
  }
  i = n;
  j = m;
  flush();
  return out;
}

/** alignGap pairs blocks of two stretches with no identical blocks, maximizing the similarity of pairs in order. */
function alignGap(a: readonly Block[], b: readonly Block[]): Pair[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((x) => ({ kind: 'added', b: x }));
  if (m === 0) return a.map((x) => ({ kind: 'removed', a: x }));
  const w = m + 1;
  const score = new Float64Array((n + 1) * w);
  const sim = (i: number, j: number) => similarity(a[i].text, b[j].text);
  const sims = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) sims[i * m + j] = sim(i, j);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) {
      const s = sims[i * m + j];
      const take = s >= PAIR_THRESHOLD ? s + score[(i + 1) * w + j + 1] : -1;
      score[i * w + j] = Math.max(score[(i + 1) * w + j], score[i * w + j + 1], take);
    }
  const out: Pair[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = sims[i * m + j];
    if (s >= PAIR_THRESHOLD && score[i * w + j] === s + score[(i + 1) * w + j + 1]) {
      out.push({ kind: 'changed', a: a[i++], b: b[j++] });
    } else if (score[i * w + j] === score[(i + 1) * w + j]) out.push({ kind: 'removed', a: a[i++] });
    else out.push({ kind: 'added', b: b[j++] });
  }
  while (i < n) out.push({ kind: 'removed', a: a[i++] });
  while (j < m) out.push({ kind: 'added', b: b[j++] });
  return out;
}
