// The number of documents waiting for the signed-in person's decision, for the badge in the
// navigation. Refreshed on navigation, every minute, and after a decision taken in this tab.
import { api } from './api';

export const docQueue = $state<{ count: number }>({ count: 0 });

let inFlight = false;

/** refreshQueue asks the server again; failures keep the last count. */
export async function refreshQueue(): Promise<void> {
  if (!api.signedIn) {
    docQueue.count = 0;
    return;
  }
  if (inFlight) return;
  inFlight = true;
  try {
    docQueue.count = (await api.contributionQueue()).length;
  } catch {
    // Keep the last count; the next refresh tries again.
  } finally {
    inFlight = false;
  }
}

/** clearQueue forgets the count (signed out). */
export function clearQueue(): void {
  docQueue.count = 0;
}
