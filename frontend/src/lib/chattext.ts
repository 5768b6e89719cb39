// Text helpers of the discussion rooms: a safe Markdown preview of what the
// composer holds (the server renders the stored html itself), with @**mentions**
// (written and collected by ./mentions).

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
