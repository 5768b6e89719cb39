// The agenda versions page: what its address asks for (?from=1&to=2 compares two versions,
// ?version=3 shows one), which comparison to start with, and reading the server's diff.
import type { DiffEnd, ItemDiff, SessionDiff } from './api';

/** parseEnd reads one end of a comparison: a version number from 1, or "draft". */
export function parseEnd(v: string | null): DiffEnd | null {
  if (v === null) return null;
  const s = v.trim().toLowerCase();
  if (s === 'draft') return 'draft';
  if (!/^\d{1,6}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 ? n : null;
}

export interface VersionsQuery {
  from: DiffEnd | null;
  to: DiffEnd | null;
  /** A version shown whole. */
  version: DiffEnd | null;
}

/** parseVersionsQuery reads a location.search such as "?from=1&to=draft" or "?version=2". */
export function parseVersionsQuery(search: string): VersionsQuery {
  const q = new URLSearchParams(search);
  return { from: parseEnd(q.get('from')), to: parseEnd(q.get('to')), version: parseEnd(q.get('version')) };
}

/** versionsHref is the address of the versions page of meeting id with a comparison or one version. */
export function versionsHref(id: string, q: { from?: DiffEnd; to?: DiffEnd; version?: DiffEnd } = {}): string {
  const p = new URLSearchParams();
  if (q.from !== undefined) p.set('from', String(q.from));
  if (q.to !== undefined) p.set('to', String(q.to));
  if (q.version !== undefined) p.set('version', String(q.version));
  const s = p.toString();
  return `/meetings/${encodeURIComponent(id)}/versions${s ? `?${s}` : ''}`;
}

/**
 * defaultComparison picks what to compare when the address names nothing: for editors whose
 * draft differs, the latest version with the draft; otherwise the two latest versions. Null
 * when there is nothing to compare.
 */
export function defaultComparison(numbers: readonly number[], draft: { visible: boolean; changed: boolean }): { from: DiffEnd; to: DiffEnd } | null {
  const sorted = [...numbers].sort((a, b) => a - b);
  const latest = sorted[sorted.length - 1];
  if (draft.visible && draft.changed && latest !== undefined) return { from: latest, to: 'draft' };
  if (sorted.length >= 2) return { from: sorted[sorted.length - 2], to: latest };
  return null;
}

/** isPlaceholder tells the entry left in an item's old session after it went to another one. */
export const isPlaceholder = (it: ItemDiff) => !!it.to_session;

/** sessionIsQuiet: nothing to show for a session but its title (it and all its items are unchanged). */
export function sessionIsQuiet(s: SessionDiff): boolean {
  return s.change === 'unchanged' && !s.moved && s.items.every((it) => it.change === 'unchanged' && !it.moved);
}

/** fieldText turns a diff field value into text (the server sends text; be lenient with the rest). */
export function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(fieldText).filter(Boolean).join('; ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string') {
      const extra = [o.title, o.organization].filter((x): x is string => typeof x === 'string' && x !== '');
      return extra.length ? `${o.name} (${extra.join(', ')})` : o.name;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** The fields a diff may name, each with its label key. */
export const DIFF_FIELDS = [
  'title',
  'chairs',
  'start',
  'end',
  'description',
  'archive_url',
  'kind',
  'speakers',
  'duration',
  'contributions',
  'notes',
] as const;
export type DiffField = (typeof DIFF_FIELDS)[number];

export function isDiffField(f: string): f is DiffField {
  return (DIFF_FIELDS as readonly string[]).includes(f);
}

/**
 * isolate wraps text typed by people (a session title) in Unicode isolation marks (FSI … PDI), so
 * that put into a sentence of another direction it neither reorders the sentence nor is reordered.
 */
export const isolate = (s: string) => `\u2068${s}\u2069`;
