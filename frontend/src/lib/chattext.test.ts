import { describe, expect, it } from 'vitest';
import { escapeHtml, previewMarkdown } from './chattext';

describe('previewMarkdown', () => {
  it('escapes HTML', () => {
    expect(previewMarkdown('<script>alert(1)</script> & "x"')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</p>');
    expect(escapeHtml(`'`)).toBe('&#39;');
  });
  it('formats strong, em, code, links and mentions', () => {
    expect(previewMarkdown('**bold** and *em* and `a*b*<c>` @**Mei Lin**')).toBe(
      '<p><strong>bold</strong> and <em>em</em> and <code>a*b*&lt;c&gt;</code> <span class="mention">@Mei Lin</span></p>',
    );
    expect(previewMarkdown('[site](https://example.org/?a=1&b=2)')).toBe(
      '<p><a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">site</a></p>',
    );
  });
  it('keeps unsafe links as text', () => {
    expect(previewMarkdown('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
  });
  it('splits paragraphs and lines', () => {
    expect(previewMarkdown('a\nb\n\n\nc')).toBe('<p>a<br>b</p><p>c</p>');
  });
});
