import { describe, expect, it } from 'vitest';
import { format, pickLanguage } from './index.svelte';

describe('pickLanguage', () => {
  it('prefers a stored choice', () => {
    expect(pickLanguage('ar', ['fr-FR'])).toBe('ar');
  });
  it('ignores an unknown stored value and uses the browser languages', () => {
    expect(pickLanguage('de', ['de-DE', 'fr-CA', 'en'])).toBe('fr');
  });
  it('falls back to English', () => {
    expect(pickLanguage(null, ['zh-CN'])).toBe('en');
  });
});

describe('format', () => {
  it('fills placeholders and keeps unknown ones', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
