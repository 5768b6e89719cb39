// Pure helpers of the notification bell (notifications.svelte.ts holds the state): merging a
// pushed notification into the list, marking read, the badge and safe links.
import type { AppNotification } from './api';

/** How many notifications the bell keeps and asks for. */
export const KEEP = 50;

/** withNotification puts n first (dropping an older copy of it), newest first, at most keep. */
export function withNotification(items: readonly AppNotification[], n: AppNotification, keep = KEEP): AppNotification[] {
  const rest = items.filter((x) => x.id !== n.id);
  const out = [n, ...rest];
  // A push can overtake a list answer: order by time, not by arrival. Times are compared as
  // instants: RFC 3339 strings with different fraction lengths do not sort as text.
  out.sort((a, b) => time(b.at) - time(a.at));
  return out.slice(0, keep);
}

function time(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/** markedRead returns items with those ids read (all of them when ids is empty), and how many changed. */
export function markedRead(items: readonly AppNotification[], ids: readonly string[]): { items: AppNotification[]; changed: number } {
  const want = new Set(ids);
  let changed = 0;
  const out = items.map((n) => {
    if (n.read || (want.size > 0 && !want.has(n.id))) return n;
    changed++;
    return { ...n, read: true };
  });
  return { items: out, changed };
}

/** badgeCount is the text of the unread badge: the number, or "99+". */
export function badgeCount(unread: number): string {
  return unread > 99 ? '99+' : String(Math.max(0, unread));
}

/** safeLink keeps a link inside the app: a path, never another site ("//host", "/\host"). */
export function safeLink(link: string): string {
  return link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\') ? link : '/';
}
