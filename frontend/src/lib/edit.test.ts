import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { changedFields, errorField, groupEditScope, onEscape } from './edit';

describe('changedFields', () => {
  const before = { name: 'Editorial', description: 'Drafts standards.', visibility: 'private' };

  it('keeps only changed, allowed fields, trimmed', () => {
    const draft = { name: '  Editorial Board ', description: 'Drafts standards.', visibility: 'public' };
    expect(changedFields(before, draft, ['name', 'description', 'visibility'])).toEqual({
      name: 'Editorial Board',
      visibility: 'public',
    });
    expect(changedFields(before, draft, ['description'])).toEqual({});
  });

  it('treats whitespace-only edits as no change and sends cleared fields', () => {
    expect(changedFields(before, { ...before, description: 'Drafts standards.  ' }, ['description'])).toEqual({});
    expect(changedFields(before, { ...before, name: '   ' }, ['name'])).toEqual({ name: '' });
  });
});

describe('errorField', () => {
  const fields = ['name', 'description', 'focus_area'] as const;

  it('finds the field a refusal is about', () => {
    expect(errorField(new ApiError(400, 'invalid', 'name: must be 1 to 160 characters'), fields)).toBe('name');
    expect(errorField(new ApiError(400, 'invalid', 'focus_area: no such focus area'), fields)).toBe('focus_area');
    expect(errorField(new ApiError(409, 'conflict', 'name: a focus area called "X" already exists'), fields)).toBe('name');
  });

  it('leaves other errors to the form', () => {
    expect(errorField(new ApiError(400, 'invalid', 'visibility: must be one of public, private'), fields)).toBeNull();
    expect(errorField(new ApiError(400, 'invalid', 'request body: must be a JSON object'), fields)).toBeNull();
    expect(errorField(new ApiError(403, 'forbidden', 'name: not yours'), fields)).toBeNull();
    expect(errorField(new ApiError(409, 'conflict', 'there are already 200 focus areas'), fields)).toBeNull();
    expect(errorField(new Error('name: boom'), fields)).toBeNull();
  });
});

describe('groupEditScope', () => {
  const secretariat = { role: 'secretariat' as const };
  const user = { role: 'user' as const };

  it('follows the API: secretariat all, chair description, others nothing', () => {
    expect(groupEditScope(secretariat, { my_role: '' })).toBe('all');
    expect(groupEditScope(secretariat, { my_role: 'chair' })).toBe('all');
    expect(groupEditScope(user, { my_role: 'chair' })).toBe('description');
    expect(groupEditScope(user, { my_role: 'member' })).toBe('none');
    expect(groupEditScope(user, { my_role: 'observer' })).toBe('none');
    expect(groupEditScope(user, { my_role: '' })).toBe('none');
    expect(groupEditScope(null, { my_role: 'chair' })).toBe('none');
    expect(groupEditScope(secretariat, null)).toBe('none');
  });
});

describe('onEscape', () => {
  it('calls back on Escape only, and stops listening when detached', () => {
    let calls = 0;
    const target = new EventTarget() as unknown as HTMLElement;
    const detach = onEscape(() => calls++)(target);
    const key = (k: string) => {
      const e = new Event('keydown', { cancelable: true }) as Event & { key: string };
      e.key = k;
      target.dispatchEvent(e);
      return e;
    };
    expect(key('Enter').defaultPrevented).toBe(false);
    expect(calls).toBe(0);
    expect(key('Escape').defaultPrevented).toBe(true);
    expect(calls).toBe(1);
    detach();
    key('Escape');
    expect(calls).toBe(1);
  });
});
