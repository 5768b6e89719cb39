// The signed-in person's notifications for the bell in the header: the newest KEEP and the unread
// count of the whole inbox. Loaded on (re)connect and when the bell opens; pushed notifications
// (the `notification` envelope) are merged in as they come.
import { api, type AppNotification } from './api';
import { KEEP, markedRead, withNotification } from './notifications';
import type { NotificationEnvelope } from './realtime';

export const notifications = $state<{
  items: AppNotification[];
  unread: number;
  loaded: boolean;
  failed: boolean;
  /** The title of the last pushed notification, for a polite screen-reader announcement. */
  announce: string;
}>({ items: [], unread: 0, loaded: false, failed: false, announce: '' });

// Counts pushes: an answer that was on its way while one arrived may not include it (or may count
// it as unread after it was read), so the list is asked for again.
let pushes = 0;
let inFlight: Promise<void> | null = null;

/** refreshNotifications asks the server for the list; failures keep what is shown. */
export function refreshNotifications(): Promise<void> {
  if (!api.signedIn) {
    clearNotifications();
    return Promise.resolve();
  }
  inFlight ??= (async () => {
    try {
      for (let tries = 0; tries < 3; tries++) {
        const seen = pushes;
        const res = await api.notifications(KEEP);
        notifications.items = res.items;
        notifications.unread = res.unread;
        notifications.loaded = true;
        notifications.failed = false;
        if (pushes === seen) break;
      }
    } catch {
      notifications.failed = true;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

/** receiveNotification applies a pushed notification. */
export function receiveNotification(env: NotificationEnvelope): void {
  pushes++;
  notifications.items = withNotification(notifications.items, env.notification);
  notifications.unread = env.unread;
  notifications.announce = env.notification.title;
}

/** markNotificationsRead marks ids read (all when empty): at once on screen, then on the server. */
export async function markNotificationsRead(ids: string[] = []): Promise<void> {
  const { items, changed } = markedRead(notifications.items, ids);
  if (changed === 0 && ids.length > 0) return;
  notifications.items = items;
  notifications.unread = ids.length === 0 ? 0 : Math.max(0, notifications.unread - changed);
  const seen = pushes;
  try {
    const unread = await api.markNotificationsRead(ids);
    if (pushes === seen) notifications.unread = unread;
    else await refreshNotifications();
  } catch {
    await refreshNotifications();
  }
}

/** clearNotifications forgets everything (signed out). */
export function clearNotifications(): void {
  notifications.items = [];
  notifications.unread = 0;
  notifications.loaded = false;
  notifications.failed = false;
  notifications.announce = '';
}
