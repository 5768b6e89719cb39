import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, readCookie, type FetchFn, type User } from './api';

const alice: User = { id: 'u1', email: 'alice@example.org', name: 'Alice', role: 'user' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function session(token: string) {
  return { access_token: token, token_type: 'Bearer', expires_in: 600, user: alice };
}

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  credentials?: RequestCredentials;
}

/** fakeServer records calls and answers with handler; it is our own test double of the HTTP API. */
function fakeServer(handler: (c: Call, n: number) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch: FetchFn = async (input, init) => {
    const c: Call = {
      method: init.method ?? 'GET',
      path: input,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body as string | undefined,
      credentials: init.credentials,
    };
    calls.push(c);
    return handler(c, calls.length);
  };
  return { calls, fetch };
}

const cookies = () => 'other=1; plenary_csrf=csrf%2Dtoken; x=y';

describe('readCookie', () => {
  it('finds and decodes a cookie', () => {
    expect(readCookie(cookies(), 'plenary_csrf')).toBe('csrf-token');
    expect(readCookie(cookies(), 'missing')).toBe('');
  });
});

describe('ApiClient', () => {
  it('restores a session with the CSRF header and same-origin credentials', async () => {
    const srv = fakeServer((c) => (c.path === '/api/auth/refresh' ? json(200, session('t1')) : json(404, {})));
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    expect(await api.restore()).toEqual(alice);
    expect(srv.calls[0].method).toBe('POST');
    expect(srv.calls[0].headers['X-CSRF-Token']).toBe('csrf-token');
    expect(srv.calls[0].credentials).toBe('same-origin');
    expect(srv.calls[0].headers['Authorization']).toBeUndefined();
    expect(api.signedIn).toBe(true);
  });

  it('restore resolves null when there is no session', async () => {
    const srv = fakeServer(() => json(401, { error: { code: 'unauthorized', message: 'no session' } }));
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    expect(await api.restore()).toBeNull();
    expect(api.signedIn).toBe(false);
  });

  it('sends the bearer token after login', async () => {
    const srv = fakeServer((c) => {
      if (c.path === '/api/auth/login') return json(200, session('t1'));
      return json(200, alice);
    });
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await api.login({ email: 'alice@example.org', password: 'secret-secret' });
    expect(JSON.parse(srv.calls[0].body!)).toEqual({ email: 'alice@example.org', password: 'secret-secret' });
    await api.me();
    expect(srv.calls[1].headers['Authorization']).toBe('Bearer t1');
  });

  it('refreshes once on 401 and retries with the new token', async () => {
    const srv = fakeServer((c) => {
      if (c.path === '/api/auth/login') return json(200, session('old'));
      if (c.path === '/api/auth/refresh') return json(200, session('new'));
      if (c.headers['Authorization'] === 'Bearer new') return json(200, { items: [] });
      return json(401, { error: { code: 'unauthorized', message: 'expired' } });
    });
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await api.login({ email: 'a', password: 'b' });
    expect(await api.listGroups()).toEqual([]);
    expect(srv.calls.map((c) => c.path)).toEqual(['/api/auth/login', '/api/groups', '/api/auth/refresh', '/api/groups']);
    expect(srv.calls[2].headers['X-CSRF-Token']).toBe('csrf-token');
  });

  it('shares one refresh between concurrent 401s', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const srv = fakeServer(async (c) => {
      if (c.path === '/api/auth/login') return json(200, session('old'));
      if (c.path === '/api/auth/refresh') {
        await gate;
        return json(200, session('new'));
      }
      if (c.headers['Authorization'] === 'Bearer new') return json(200, { items: [] });
      return json(401, { error: { code: 'unauthorized', message: 'expired' } });
    });
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await api.login({ email: 'a', password: 'b' });
    const all = Promise.all([api.listGroups(), api.listFocusAreas(), api.listUsers()]);
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect(await all).toEqual([[], [], []]);
    expect(srv.calls.filter((c) => c.path === '/api/auth/refresh')).toHaveLength(1);
    expect(srv.calls.filter((c) => c.headers['Authorization'] === 'Bearer new')).toHaveLength(3);
  });

  it('gives up when the refresh fails and signs out', async () => {
    const seen: (User | null)[] = [];
    const srv = fakeServer((c) => {
      if (c.path === '/api/auth/login') return json(200, session('old'));
      return json(401, { error: { code: 'unauthorized', message: 'gone' } });
    });
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    api.onSession((u) => seen.push(u));
    await api.login({ email: 'a', password: 'b' });
    const err = await api.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('unauthorized');
    expect(srv.calls.filter((c) => c.path === '/api/me')).toHaveLength(1);
    expect(api.signedIn).toBe(false);
    expect(seen).toEqual([alice, null]);
  });

  it('does not retry a login that answers 401', async () => {
    const srv = fakeServer(() => json(401, { error: { code: 'unauthorized', message: 'bad credentials' } }));
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await expect(api.login({ email: 'a', password: 'b' })).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(srv.calls).toHaveLength(1);
  });

  it('parses the error shape and Retry-After', async () => {
    const srv = fakeServer(() =>
      json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '42', 'X-Request-ID': 'r1' }),
    );
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    const err = (await api.login({ email: 'a', password: 'b' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('rate_limited');
    expect(err.message).toBe('slow down');
    expect(err.retryAfter).toBe(42);
    expect(err.requestId).toBe('r1');
  });

  it('maps a non-JSON error body by status', async () => {
    const srv = fakeServer(() => new Response('<html>bad gateway</html>', { status: 404 }));
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await expect(api.lookupInvitation('x')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('reports a network failure as code network', async () => {
    const api = new ApiClient({
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      cookies,
    });
    await expect(api.health()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('logs out with the CSRF header and forgets the token even on failure', async () => {
    const srv = fakeServer((c) => {
      if (c.path === '/api/auth/login') return json(200, session('t1'));
      return json(500, { error: { code: 'internal', message: 'boom' } });
    });
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await api.login({ email: 'a', password: 'b' });
    await expect(api.logout()).rejects.toBeInstanceOf(ApiError);
    expect(srv.calls[1].path).toBe('/api/auth/logout');
    expect(srv.calls[1].headers['X-CSRF-Token']).toBe('csrf-token');
    expect(api.signedIn).toBe(false);
  });

  it('answers undefined for 204', async () => {
    const srv = fakeServer((c) => (c.path === '/api/auth/login' ? json(200, session('t')) : new Response(null, { status: 204 })));
    const api = new ApiClient({ fetch: srv.fetch, cookies });
    await api.login({ email: 'a', password: 'b' });
    expect(await api.revokeInvitation('inv/1')).toBeUndefined();
    expect(srv.calls[1]).toMatchObject({ method: 'DELETE', path: '/api/invitations/inv%2F1' });
  });
});
