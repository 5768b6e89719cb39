// Helpers for the edit forms (group details, focus areas): which fields
// changed, which field an API error is about, and who may edit a group.
import { ApiError, type Group, type User } from './api';

/**
 * changedFields returns the fields of draft whose trimmed value differs from
 * the original, trimmed, limited to the allowed keys. An empty result means
 * there is nothing to send.
 */
export function changedFields<T extends Record<string, string>, K extends keyof T>(
  original: T,
  draft: T,
  allowed: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of allowed) {
    const v = draft[k].trim();
    if (v !== original[k].trim()) out[k] = v as T[K];
  }
  return out;
}

/**
 * errorField names the form field an API error is about, when it is one of
 * fields: the server starts such messages with the field name, as in
 * "name: must be 1 to 160 characters". Only refusals of the input (invalid,
 * conflict) count; anything else belongs to the form as a whole.
 */
export function errorField<F extends string>(err: unknown, fields: readonly F[]): F | null {
  if (!(err instanceof ApiError) || (err.code !== 'invalid' && err.code !== 'conflict')) return null;
  const m = /^([a-z_]+):/.exec(err.message);
  if (!m) return null;
  return (fields as readonly string[]).includes(m[1]) ? (m[1] as F) : null;
}

/** What a person may change about a group: everything, the description only, or nothing. */
export type GroupEditScope = 'all' | 'description' | 'none';

/** groupEditScope mirrors the API's rule: the secretariat edits every field, a chair the description. */
export function groupEditScope(user: Pick<User, 'role'> | null, group: Pick<Group, 'my_role'> | null): GroupEditScope {
  if (!user || !group) return 'none';
  if (user.role === 'secretariat') return 'all';
  if (group.my_role === 'chair') return 'description';
  return 'none';
}

/**
 * onEscape is an attachment ({@attach onEscape(fn)}) that calls fn when
 * Escape is pressed inside the element, so an inline form can be cancelled
 * from the keyboard like a dialog.
 */
export function onEscape(fn: () => void): (node: HTMLElement) => () => void {
  return (node) => {
    const handler = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      fn();
    };
    node.addEventListener('keydown', handler);
    return () => node.removeEventListener('keydown', handler);
  };
}
