// Pure helpers for contributions (documents sent to a meeting or a group): sizes, hashes, default
// titles, the agenda items a document may relate to, and error messages of refused uploads.
import { ApiError, UploadAborted, type Agenda, type ContributionAuthor } from './api';

const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/** formatSize renders a byte count with a binary unit in the language's number format, e.g. "2.4 MB". */
export function formatSize(bytes: number, lang = 'en'): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : 1;
  const n = new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
  return `${n} ${UNITS[u]}`;
}

/** shortHash shows the start of a SHA-256 (the full value goes in a title and a copy button). */
export function shortHash(sha: string, n = 12): string {
  return sha.length > n ? `${sha.slice(0, n)}…` : sha;
}

/** titleFromFilename proposes a title: the file name without its extension, separators as spaces. */
export function titleFromFilename(name: string): string {
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const spaced = base.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return (spaced || name).slice(0, 300);
}

/** cleanAuthors trims authors and drops empty rows (the server wants a name, an organization or both). */
export function cleanAuthors(list: ContributionAuthor[]): ContributionAuthor[] {
  return list
    .map((a) => ({ name: a.name.trim(), organization: a.organization.trim() }))
    .filter((a) => a.name !== '' || a.organization !== '');
}

/** authorsLine renders authors as "Name (Organization), Name". */
export function authorsLine(list: ContributionAuthor[]): string {
  return list
    .map((a) => (a.name && a.organization ? `${a.name} (${a.organization})` : a.name || a.organization))
    .filter(Boolean)
    .join(', ');
}

export interface ItemChoice {
  /** The value of the option: "<session id> <item id>" (ids have no spaces). */
  value: string;
  session_id: string;
  item_id: string;
  label: string;
}

export interface SessionChoices {
  label: string;
  items: ItemChoice[];
}

/** agendaChoices lists the agenda's items (not breaks) grouped by session, numbered like the agenda. */
export function agendaChoices(agenda: Agenda | null, untitled = '—'): SessionChoices[] {
  if (!agenda) return [];
  return agenda.sessions
    .map((s, si) => ({
      label: `${si + 1}. ${s.title || untitled}`,
      items: s.items
        .map((it, ii) => ({ it, n: ii + 1 }))
        .filter(({ it }) => it.kind !== 'break')
        .map(({ it, n }) => ({ value: `${s.id} ${it.id}`, session_id: s.id, item_id: it.id, label: `${si + 1}.${n} ${it.title || untitled}` })),
    }))
    .filter((s) => s.items.length > 0);
}

/** splitChoice reads an option value back into its session and item ids ("" for none). */
export function splitChoice(value: string): { session_id: string; item_id: string } {
  const i = value.indexOf(' ');
  if (i < 0) return { session_id: '', item_id: '' };
  return { session_id: value.slice(0, i), item_id: value.slice(i + 1) };
}

/** isAborted reports whether err is the end of an upload the person cancelled. */
export function isAborted(err: unknown): boolean {
  return err instanceof UploadAborted;
}

/**
 * refusalDetail answers the server's own words for a refused upload, which name the reason (size,
 * format, HTML, macros, quota, an identical earlier revision…); "" when there are none worth
 * showing (network failures, server errors).
 */
export function refusalDetail(err: unknown): string {
  if (!(err instanceof ApiError)) return '';
  if (err.status < 400 || err.status >= 500) return '';
  if (err.code === 'unauthorized' || err.code === 'rate_limited') return '';
  return err.message;
}

/** around splits a translated sentence at its placeholder, so user text can go in a <bdi> between. */
export function around(sentence: string, placeholder: string): [string, string] {
  const i = sentence.indexOf(placeholder);
  return i < 0 ? [sentence, ''] : [sentence.slice(0, i), sentence.slice(i + placeholder.length)];
}
