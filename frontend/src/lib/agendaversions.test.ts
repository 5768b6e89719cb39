import { describe, expect, it } from 'vitest';
import type { SessionDiff } from './api';
import { defaultComparison, fieldText, isDiffField, parseEnd, parseVersionsQuery, sessionIsQuiet, versionsHref } from './agendaversions';

describe('the address of the versions page', () => {
  it('reads version numbers and the draft', () => {
    expect(parseVersionsQuery('?from=1&to=2')).toEqual({ from: 1, to: 2, version: null });
    expect(parseVersionsQuery('?from=3&to=draft')).toEqual({ from: 3, to: 'draft', version: null });
    expect(parseVersionsQuery('?version=2')).toEqual({ from: null, to: null, version: 2 });
    expect(parseVersionsQuery('')).toEqual({ from: null, to: null, version: null });
  });

  it('refuses what is no version', () => {
    for (const v of ['0', '-1', '1.5', 'x', '', '1e3', '9999999']) expect(parseEnd(v)).toBeNull();
    expect(parseEnd(null)).toBeNull();
    expect(parseEnd(' Draft ')).toBe('draft');
  });

  it('builds links that read back the same', () => {
    const href = versionsHref('m 1', { from: 1, to: 'draft' });
    expect(href).toBe('/meetings/m%201/versions?from=1&to=draft');
    expect(parseVersionsQuery(href.slice(href.indexOf('?')))).toEqual({ from: 1, to: 'draft', version: null });
    expect(versionsHref('m1')).toBe('/meetings/m1/versions');
    expect(versionsHref('m1', { version: 4 })).toBe('/meetings/m1/versions?version=4');
  });
});

describe('defaultComparison', () => {
  it('compares the two latest versions', () => {
    expect(defaultComparison([3, 1, 2], { visible: false, changed: false })).toEqual({ from: 2, to: 3 });
  });
  it('compares the latest version with a changed draft for editors', () => {
    expect(defaultComparison([1, 2], { visible: true, changed: true })).toEqual({ from: 2, to: 'draft' });
    expect(defaultComparison([1], { visible: true, changed: true })).toEqual({ from: 1, to: 'draft' });
    expect(defaultComparison([1, 2], { visible: true, changed: false })).toEqual({ from: 1, to: 2 });
  });
  it('has nothing to compare with fewer than two versions', () => {
    expect(defaultComparison([1], { visible: false, changed: false })).toBeNull();
    expect(defaultComparison([], { visible: true, changed: true })).toBeNull();
  });
});

describe('sessionIsQuiet', () => {
  const s = (over: Partial<SessionDiff>): SessionDiff => ({
    id: 's',
    change: 'unchanged',
    moved: false,
    number: 1,
    old_number: 1,
    title: 'Opening',
    fields: [],
    items: [],
    ...over,
  });
  const it0 = { id: 'i', change: 'unchanged' as const, moved: false, position: 1, old_position: 1, from_session: '', to_session: '', title: 'x', fields: [], kind: 'item' as const };
  it('is quiet only when the session and all its items are unchanged', () => {
    expect(sessionIsQuiet(s({ items: [it0] }))).toBe(true);
    expect(sessionIsQuiet(s({ items: [{ ...it0, change: 'added' }] }))).toBe(false);
    expect(sessionIsQuiet(s({ items: [{ ...it0, moved: true, change: 'moved' }] }))).toBe(false);
    expect(sessionIsQuiet(s({ change: 'moved', moved: true }))).toBe(false);
  });
});

describe('fieldText', () => {
  it('shows text as it is and other values readably', () => {
    expect(fieldText('Opening')).toBe('Opening');
    expect(fieldText(30)).toBe('30');
    expect(fieldText(null)).toBe('');
    expect(fieldText(['C5/1', 'C5/2'])).toBe('C5/1; C5/2');
    expect(fieldText([{ name: 'Mei Lin', title: 'Rapporteur', organization: '' }])).toBe('Mei Lin (Rapporteur)');
  });
  it('knows the fields of sessions and items', () => {
    expect(isDiffField('archive_url')).toBe(true);
    expect(isDiffField('revision')).toBe(false);
  });
});
