import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { errorMessage, errorWithReason, looksLikeEmail } from './errors';
import { locale } from './i18n/index.svelte';

describe('errorMessage', () => {
  it('speaks the current language and keeps server details for invalid input', () => {
    locale.lang = 'en';
    expect(errorMessage(new ApiError(400, 'invalid', 'name: must be 1-200 characters'))).toBe(
      'The request was not accepted. (name: must be 1-200 characters)',
    );
    locale.lang = 'fr';
    expect(errorMessage(new ApiError(403, 'forbidden', 'no'))).toBe('Vous n’êtes pas autorisé à effectuer cette action.');
    locale.lang = 'en';
  });

  it('turns Retry-After into seconds or minutes', () => {
    expect(errorMessage(new ApiError(429, 'rate_limited', 'x', 30))).toBe('Too many attempts. Please try again in 30 seconds.');
    expect(errorMessage(new ApiError(429, 'rate_limited', 'x', 900))).toBe('Too many attempts. Please try again in 15 minutes.');
    expect(errorMessage(new ApiError(429, 'rate_limited', 'x'))).toBe('Too many attempts. Please wait and try again.');
  });

  it('does not leak unexpected errors', () => {
    expect(errorMessage(new Error('secret stack'))).toBe('Something went wrong on the server. Please try again later.');
  });
});

describe('looksLikeEmail', () => {
  it.each([
    ['a@example.org', true],
    [' a@example.org ', true],
    ['a@b', false],
    ['no at sign', false],
  ])('%s', (s, want) => expect(looksLikeEmail(s)).toBe(want));
});

describe('errorWithReason', () => {
  it('adds the server reason to any refusal, not to server errors', () => {
    expect(errorWithReason(new ApiError(403, 'forbidden', 'only chairs attach'))).toBe('You are not allowed to do this. (only chairs attach)');
    expect(errorWithReason(new ApiError(500, 'internal', 'boom'))).toBe(errorMessage(new ApiError(500, 'internal', 'boom')));
    expect(errorWithReason(new Error('x'))).toBe(errorMessage(new Error('x')));
  });
});
