import { describe, expect, it } from 'vitest';
import { escapeHtml, insertMention, matchPeople, mentionQuery, mentionsIn, previewMarkdown } from './chattext';

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

describe('mentions', () => {
  const people = [
    { user_id: 'u1', name: 'Mei Lin' },
    { user_id: 'u2', name: 'Omar Haddad' },
    { user_id: 'u3', name: 'Linus Berg' },
  ];
  it('finds the query before the caret', () => {
    expect(mentionQuery('hi @me', 6)).toEqual({ start: 3, query: 'me' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('hi @mei\nx', 9)).toBeNull();
  });
  it('matches names by start, then by word', () => {
    expect(matchPeople(people, 'lin').map((p) => p.user_id)).toEqual(['u3', 'u1']);
    expect(matchPeople(people, '').length).toBe(3);
  });
  it('inserts a mention and collects ids from the body', () => {
    const r = insertMention('hi @me there', 3, 6, 'Mei Lin');
    expect(r.text).toBe('hi @**Mei Lin**  there');
    expect(r.caret).toBe(16);
    expect(mentionsIn(r.text + ' @**Omar Haddad** @**Mei Lin**', people)).toEqual(['u1', 'u2']);
  });
});
