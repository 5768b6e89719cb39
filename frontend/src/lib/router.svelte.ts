// A tiny history-API router. Links are plain <a href>; a document-level
// click handler turns same-origin clicks into pushState navigations.

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'invite' }
  | { name: 'group'; id: string }
  | { name: 'room'; id: string }
  | { name: 'admin' }
  | { name: 'meetings' }
  | { name: 'meeting'; id: string }
  | { name: 'meetingVersions'; id: string }
  | { name: 'meetingLive'; id: string }
  | { name: 'meetingPrint'; id: string }
  | { name: 'meetingRoom'; id: string }
  | { name: 'report'; id: string }
  | { name: 'documentsQueue' }
  | { name: 'documentsMine' }
  | { name: 'document'; id: string }
  | { name: 'notFound' };

/** The meeting pages below /meetings/<id>, by their last path segment. */
const MEETING_PAGES = {
  '': 'meeting',
  versions: 'meetingVersions',
  live: 'meetingLive',
  print: 'meetingPrint',
  room: 'meetingRoom',
} as const;

/** Routes readable without signing in (public meetings; the server answers 404 for the others). */
export const PUBLIC_ROUTES: ReadonlySet<Route['name']> = new Set([
  'login',
  'invite',
  'meetings',
  'meeting',
  'meetingVersions',
  'meetingLive',
  'meetingPrint',
  'document',
]);

/** match maps a pathname to a route. */
export function match(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { name: 'home' };
  if (path === '/login') return { name: 'login' };
  if (path === '/invite') return { name: 'invite' };
  if (path === '/admin') return { name: 'admin' };
  if (path === '/meetings') return { name: 'meetings' };
  const mm = /^\/meetings\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (mm) {
    const page = (mm[2] ?? '') as string;
    if (!Object.hasOwn(MEETING_PAGES, page)) return { name: 'notFound' };
    try {
      return { name: MEETING_PAGES[page as keyof typeof MEETING_PAGES], id: decodeURIComponent(mm[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  if (path === '/documents/queue') return { name: 'documentsQueue' };
  if (path === '/documents/mine') return { name: 'documentsMine' };
  const dm = /^\/documents\/([^/]+)$/.exec(path);
  if (dm) {
    try {
      return { name: 'document', id: decodeURIComponent(dm[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  const rm = /^\/reports\/([^/]+)$/.exec(path);
  if (rm) {
    try {
      return { name: 'report', id: decodeURIComponent(rm[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  const m = /^\/groups\/([^/]+)(\/room)?$/.exec(path);
  if (m) {
    try {
      return { name: m[2] ? 'room' : 'group', id: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  return { name: 'notFound' };
}

function current() {
  if (typeof location === 'undefined') return { path: '/', search: '', hash: '' };
  return { path: location.pathname, search: location.search, hash: location.hash };
}

export const router = $state(current());

/** navigate goes to an in-app URL (path, optional ?query and #hash). */
export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  sync();
  window.scrollTo(0, 0);
}

function sync(): void {
  const c = current();
  router.path = c.path;
  router.search = c.search;
  router.hash = c.hash;
}

/** startRouter listens to back/forward and intercepts link clicks. Returns a stop function. */
export function startRouter(): () => void {
  const onPop = () => sync();
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || !a.hasAttribute('href') || a.hasAttribute('download')) return;
    if (a.target && a.target !== '_self') return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    // Same page, only the fragment changes: let the browser scroll.
    if (url.pathname === location.pathname && url.search === location.search && url.hash !== '') return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  };
  window.addEventListener('popstate', onPop);
  window.addEventListener('hashchange', onPop);
  document.addEventListener('click', onClick);
  return () => {
    window.removeEventListener('popstate', onPop);
    window.removeEventListener('hashchange', onPop);
    document.removeEventListener('click', onClick);
  };
}
