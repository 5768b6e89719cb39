// @mentions in what people write, shared by the discussion rooms and the report review: finding
// the mention being typed, matching people, inserting a mention, the keys of the completion list,
// collecting who is still mentioned when the text is sent, and cutting text around mentions to
// highlight them. The rooms write Markdown (`@**Name**`); review comments are plain text (`@Name`).

export interface Mentionable {
  user_id: string;
  name: string;
}

/** How a mention is written: `@**Name**` in Markdown (the rooms), `@Name` in plain text (the review). */
export type MentionStyle = 'markdown' | 'plain';

/** mentionText is how a mention of name is written in a body of the given style. */
export function mentionText(name: string, style: MentionStyle = 'markdown'): string {
  return style === 'markdown' ? `@**${name}**` : `@${name}`;
}

/** A letter, digit or mark: a plain mention must not be glued to one on either side. */
const WORD = /[\p{L}\p{N}\p{M}_]/u;

function isWordAt(s: string, i: number): boolean {
  if (i < 0 || i >= s.length) return false;
  const cp = s.codePointAt(i);
  return cp !== undefined && WORD.test(String.fromCodePoint(cp));
}

function isWordBefore(s: string, i: number): boolean {
  if (i <= 0) return false;
  // The character before i, which may be the low half of a surrogate pair.
  const lo = s.charCodeAt(i - 1);
  const start = lo >= 0xdc00 && lo <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  return isWordAt(s, start);
}

/** A mention found in plain text: where it starts and ends (UTF-16 offsets) and who it names. */
export interface PlainMention<T> {
  from: number;
  to: number;
  person: T;
}

/**
 * plainMentions finds `@Name` for the people's names in text: an @ not glued to a word before
 * it, the name, and no letter or digit right after (so "@Mei Linda" does not mention "Mei Lin").
 * Where names overlap ("Mei", "Mei Lin"), the longest one is meant.
 */
export function plainMentions<T extends { name: string }>(text: string, people: readonly T[]): PlainMention<T>[] {
  const byLength = people.filter((p) => p.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  const out: PlainMention<T>[] = [];
  if (!byLength.length) return out;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    if (isWordBefore(text, at)) continue;
    const p = byLength.find((x) => text.startsWith(x.name, at + 1) && !isWordAt(text, at + 1 + x.name.length));
    if (!p) continue;
    const to = at + 1 + p.name.length;
    out.push({ from: at, to, person: p });
    at = to - 1;
  }
  return out;
}

/** mentionsIn lists the ids of the people mentioned in body (each once, in the order of people). */
export function mentionsIn(body: string, people: readonly Mentionable[], style: MentionStyle = 'markdown'): string[] {
  const found =
    style === 'markdown'
      ? (p: Mentionable) => body.includes(mentionText(p.name, style))
      : (() => {
          const named = new Set(plainMentions(body, people).map((m) => m.person.user_id));
          return (p: Mentionable) => named.has(p.user_id);
        })();
  const ids: string[] = [];
  for (const p of people) if (p.name && !ids.includes(p.user_id) && found(p)) ids.push(p.user_id);
  return ids;
}

/** A piece of text, which is a mention or not. */
export interface TextPiece {
  text: string;
  mention: boolean;
}

/** mentionPieces cuts plain text into pieces so that the `@Name` of the given names can be highlighted. */
export function mentionPieces(text: string, names: readonly string[]): TextPiece[] {
  const out: TextPiece[] = [];
  let last = 0;
  for (const m of plainMentions(
    text,
    names.map((name) => ({ name })),
  )) {
    if (m.from > last) out.push({ text: text.slice(last, m.from), mention: false });
    out.push({ text: text.slice(m.from, m.to), mention: true });
    last = m.to;
  }
  if (last < text.length || out.length === 0) out.push({ text: text.slice(last), mention: false });
  return out;
}

/**
 * mentionQuery finds the mention being typed before the caret: an @ at the
 * start or after a space, followed by up to 40 characters without a line
 * break or another @. Returns where the @ is and what follows it.
 */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && !/\s/.test(before[at - 1])) return null;
  const query = before.slice(at + 1);
  if (query.length > 40 || /[\n@*]/.test(query) || query.startsWith(' ')) return null;
  return { start: at, query };
}

/** matchPeople lists who matches a mention query (start of the name or of a later word first). */
export function matchPeople<T extends Mentionable>(people: readonly T[], query: string, limit = 8): T[] {
  const q = query.toLocaleLowerCase();
  const scored: [number, T][] = [];
  for (const p of people) {
    const name = p.name.toLocaleLowerCase();
    let score = -1;
    if (name.startsWith(q)) score = 0;
    else if (name.split(/\s+/).some((w) => w.startsWith(q))) score = 1;
    else if (name.includes(q)) score = 2;
    if (score >= 0) scored.push([score, p]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name));
  return scored.slice(0, limit).map((x) => x[1]);
}

/** insertMention replaces the query at start..caret with the mention of name; returns the text and the new caret. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  name: string,
  style: MentionStyle = 'markdown',
): { text: string; caret: number } {
  const ins = `${mentionText(name, style)} `;
  return { text: text.slice(0, start) + ins + text.slice(caret), caret: start + ins.length };
}

/** What a key does while the completion list shows count people with index active. */
export type MentionKeyAction = { kind: 'move'; index: number } | { kind: 'pick'; index: number } | { kind: 'close' } | null;

/** mentionKey tells what a key does in the completion list: arrows move (wrapping), Enter and Tab pick, Escape closes. */
export function mentionKey(key: string, index: number, count: number): MentionKeyAction {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowDown':
      return { kind: 'move', index: (index + 1) % count };
    case 'ArrowUp':
      return { kind: 'move', index: (index + count - 1) % count };
    case 'Enter':
    case 'Tab':
      return { kind: 'pick', index: Math.min(Math.max(index, 0), count - 1) };
    case 'Escape':
      return { kind: 'close' };
    default:
      return null;
  }
}
