// Turns any thrown value into a sentence in the current language.
import { ApiError } from './api';
import { t } from './i18n/index.svelte';

/** errorMessage describes err for a person; server details are kept for 400 and 409. */
export function errorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return t('error.internal');
  if (err.code === 'rate_limited' && err.retryAfter !== null && err.retryAfter > 0) {
    if (err.retryAfter >= 120) return t('error.rate_limited_minutes', { minutes: Math.ceil(err.retryAfter / 60) });
    return t('error.rate_limited_in', { seconds: err.retryAfter });
  }
  const base = t(`error.${err.code}`);
  if ((err.code === 'invalid' || err.code === 'conflict') && err.message) {
    return t('error.detail', { message: base, detail: err.message });
  }
  return base;
}

/** errorWithReason describes err with the server's own words whenever it gave a reason (any 4xx). */
export function errorWithReason(err: unknown): string {
  const base = errorMessage(err);
  if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500 || err.code === 'rate_limited' || err.code === 'unauthorized') return base;
  if (!err.message || base.includes(err.message)) return base;
  return t('error.detail', { message: base, detail: err.message });
}

/** isCode reports whether err is an ApiError with the given code. */
export function isCode(err: unknown, code: ApiError['code']): boolean {
  return err instanceof ApiError && err.code === code;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** looksLikeEmail is a light client-side check; the server has the last word. */
export function looksLikeEmail(s: string): boolean {
  return EMAIL.test(s.trim());
}
