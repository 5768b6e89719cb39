// Message lookup with a reactive current language. t() reads the language
// from $state, so any template that calls it re-renders on a switch.
import { ar } from './ar';
import { en, type Catalog, type MessageKey } from './en';
import { fr } from './fr';

export type Lang = 'en' | 'fr' | 'ar';
export type { MessageKey };

export const catalogs: Record<Lang, Catalog> = { en, fr, ar };

/** The languages offered, each named in itself. */
export const languages: { code: Lang; name: string; dir: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
];

const STORAGE_KEY = 'plenary.lang';

function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'fr' || v === 'ar';
}

/** pickLanguage chooses a stored choice, else the first supported browser language, else English. */
export function pickLanguage(stored: string | null, preferred: readonly string[]): Lang {
  if (isLang(stored)) return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

function initialLanguage(): Lang {
  if (typeof window === 'undefined') return 'en';
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled; fall back to the browser's languages.
  }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return pickLanguage(stored, prefs);
}

export const locale = $state<{ lang: Lang }>({ lang: initialLanguage() });

/** format replaces {name} placeholders with params. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** t translates key into the current language. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const msg = catalogs[locale.lang][key] || en[key];
  return format(msg, params);
}

/** setLanguage switches the UI language, remembers it and sets <html lang dir>. */
export function setLanguage(lang: Lang): void {
  locale.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not persisted; the choice still holds for this page.
  }
  applyDocumentLanguage(lang);
}

export function applyDocumentLanguage(lang: Lang): void {
  if (typeof document === 'undefined') return;
  const dir = languages.find((l) => l.code === lang)?.dir ?? 'ltr';
  document.documentElement.lang = lang;
  document.documentElement.dir = dir;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** formatDate renders an RFC 3339 timestamp as a date in the current language. */
export function formatDate(iso: string, withTime = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${locale.lang}|${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale.lang, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'long' });
    dateFormats.set(key, f);
  }
  return f.format(d);
}

/** formatTime renders an RFC 3339 timestamp as a local time (with the date unless it is today). */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const key = `${locale.lang}|t|${sameDay}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale.lang,
      sameDay ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
    );
    dateFormats.set(key, f);
  }
  return f.format(d);
}
