import { describe, expect, it } from 'vitest';
import { ar } from './ar';
import { en } from './en';
import { fr } from './fr';

const catalogs = { en, fr, ar } as Record<string, Record<string, string>>;
const keys = Object.keys(en).sort();
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  for (const [lang, catalog] of Object.entries(catalogs)) {
    it(`${lang} has exactly the keys of en`, () => {
      expect(Object.keys(catalog).sort()).toEqual(keys);
    });

    it(`${lang} has no empty message`, () => {
      const empty = keys.filter((k) => typeof catalog[k] !== 'string' || catalog[k].trim() === '');
      expect(empty).toEqual([]);
    });

    it(`${lang} uses the same placeholders as en`, () => {
      const wrong = keys.filter((k) => placeholders(catalog[k] ?? '').join() !== placeholders(en[k as keyof typeof en]).join());
      expect(wrong).toEqual([]);
    });
  }
});
