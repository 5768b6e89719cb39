// Text helpers of the discussion rooms: a safe Markdown preview of what the
// composer holds (the server renders the stored html itself), @mentions and
// the typing line.

/** escapeHtml makes s safe to place in HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

function inline(text: string): string {
  // Code spans first: nothing inside them is formatted.
  const codes: string[] = [];
  let s = text.replace(/`([^`\n]+)`/g, (_m, c: string) => {
    codes.push(`<code>${escapeHtml(c)}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = escapeHtml(s);
  s = s.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (m, label: string, url: string) => {
    const raw = url.replace(/&amp;/g, '&');
    if (!SAFE_URL.test(raw)) return m;
    return `<a href="${url}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`;
  });
  s = s.replace(/@\*\*([^*\n]+)\*\*/g, '<span class="mention">@$1</span>');
  s = s.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
  s = s.replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>');
  s = s.replace(/(^|[^_\w])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>');
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => codes[Number(i)]);
}

/**
 * previewMarkdown renders the composer's text for the preview: HTML is
 * escaped; paragraphs, line breaks, **strong**, *em*, `code`, links
 * (http, https, mailto) and @**mentions** are shown formatted.
 */
export function previewMarkdown(src: string): string {
  return src
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${p.split('\n').map(inline).join('<br>')}</p>`)
    .join('');
}

export interface Mentionable {
  user_id: string;
  name: string;
}

/** mentionText is how a mention of name is written in a message body. */
export function mentionText(name: string): string {
  return `@**${name}**`;
}

/** mentionsIn lists the ids of the people mentioned in body (each once, in the order of people). */
export function mentionsIn(body: string, people: readonly Mentionable[]): string[] {
  const ids: string[] = [];
  for (const p of people) if (p.name && body.includes(mentionText(p.name)) && !ids.includes(p.user_id)) ids.push(p.user_id);
  return ids;
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
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const ins = `${mentionText(name)} `;
  return { text: text.slice(0, start) + ins + text.slice(caret), caret: start + ins.length };
}
