// The one client for the Plenary HTTP API (docs/api.md). Every request the
// app makes goes through ApiClient; views receive the DTOs declared here.
//
// The access token lives only in memory. A browser session survives reloads
// through the HttpOnly refresh cookie: restore() trades it for a new access
// token, and any call that answers 401 triggers one shared refresh and is
// retried once.

/** A role on the platform. */
export type UserRole = 'secretariat' | 'user';
/** A role inside a working group. */
export type GroupRole = 'chair' | 'member' | 'observer';
export type Visibility = 'public' | 'private';
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';
export type ErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'internal'
  | 'network';

export const GROUP_ROLES: readonly GroupRole[] = ['chair', 'member', 'observer'];

// ---- DTOs -----------------------------------------------------------------

/** GET /api/me, and `user` in a session answer. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

/** Answer of login, refresh and invitation accept. */
export interface SessionResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: User;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface WsTicket {
  ticket: string;
}

export interface CreateInvitationRequest {
  email: string;
  group_id?: string;
  group_role?: GroupRole;
}

/** Answer of POST /api/invitations. `link` is the path `/invite#<token>`. */
export interface CreatedInvitation {
  id: string;
  email: string;
  link: string;
  token: string;
  expires_at: string;
  status: InvitationStatus;
}

/** An item of GET /api/invitations. */
export interface Invitation {
  id: string;
  email: string;
  status: InvitationStatus;
  expires_at: string;
  created_at: string;
  /** The group the invitee joins. docs/api.md lists it always; the server omits it when there is none. */
  group_id?: string;
  /** Not in docs/api.md; the server sends it along with group_id. */
  group_role?: GroupRole;
}

export interface InvitationLookup {
  email: string;
  expires_at: string;
}

export interface AcceptInvitationRequest {
  token: string;
  name: string;
  password: string;
}

export interface FocusArea {
  id: string;
  name: string;
  description: string;
}

export interface CreateFocusAreaRequest {
  name: string;
  description: string;
}

export interface UpdateFocusAreaRequest {
  name?: string;
  description?: string;
}

export interface GroupSummary {
  id: string;
  name: string;
  focus_area: string;
  focus_area_name: string;
  description: string;
  visibility: Visibility;
  member_count: number;
  /** The caller's role in the group, or "" when not a member. */
  my_role: GroupRole | '';
}

export interface Member {
  user_id: string;
  name: string;
  /** "" unless the caller is the secretariat or a chair of the group. */
  email: string;
  role: GroupRole;
}

export interface Group extends GroupSummary {
  members: Member[];
  can_manage: boolean;
}

export interface CreateGroupRequest {
  name: string;
  focus_area: string;
  description: string;
  visibility: Visibility;
}

export interface UpdateGroupRequest {
  name?: string;
  focus_area?: string;
  description?: string;
  visibility?: Visibility;
}

export type AddMemberRequest =
  | { email: string; role: GroupRole }
  | { user_id: string; role: GroupRole };

export interface Health {
  status: 'ok' | 'unavailable';
  store?: 'embedded' | 'mongodb';
}

interface Items<T> {
  items: T[];
}

// ---- errors ---------------------------------------------------------------

/** An error answer `{"error":{"code","message"}}`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Seconds from the Retry-After header of a 429, when present. */
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    retryAfter: number | null = null,
    requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  429: 'rate_limited',
};

const KNOWN_CODES = new Set<string>([...Object.values(STATUS_CODES), 'internal', 'network']);

async function toApiError(res: Response): Promise<ApiError> {
  let code: ErrorCode = STATUS_CODES[res.status] ?? 'internal';
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body: unknown = await res.json();
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (err && typeof err.code === 'string' && KNOWN_CODES.has(err.code)) code = err.code as ErrorCode;
    if (err && typeof err.message === 'string' && err.message !== '') message = err.message;
  } catch {
    // Not JSON (e.g. a proxy's error page): keep the status-derived code.
  }
  let retryAfter: number | null = null;
  const ra = res.headers.get('Retry-After');
  if (ra !== null) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) retryAfter = Math.max(0, Math.ceil(secs));
    else {
      const at = Date.parse(ra);
      if (!Number.isNaN(at)) retryAfter = Math.max(0, Math.ceil((at - Date.now()) / 1000));
    }
  }
  return new ApiError(res.status, code, message, retryAfter, res.headers.get('X-Request-ID'));
}

// ---- client ---------------------------------------------------------------

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Defaults to the global fetch. Tests pass a fake. */
  fetch?: FetchFn;
  /** Returns the document's cookie string; defaults to document.cookie. */
  cookies?: () => string;
  /** Prefix of every path; "" for same origin. */
  baseURL?: string;
}

export const CSRF_COOKIE = 'plenary_csrf';

/** readCookie returns the value of cookie name in a document.cookie string, or "". */
export function readCookie(cookieString: string, name: string): string {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return '';
}

interface RequestOptions {
  body?: unknown;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  /** Send the CSRF header (cookie-authenticated endpoints). */
  csrf?: boolean;
}

type SessionListener = (user: User | null) => void;

export class ApiClient {
  private readonly fetchFn: FetchFn;
  private readonly cookies: () => string;
  private readonly baseURL: string;
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<SessionListener>();

  constructor(opts: ApiClientOptions = {}) {
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.cookies = opts.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
    this.baseURL = opts.baseURL ?? '';
  }

  /** onSession calls fn whenever the signed-in user changes (null: signed out). */
  onSession(fn: SessionListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  private setSession(s: SessionResponse | null): void {
    this.accessToken = s ? s.access_token : null;
    for (const fn of this.listeners) fn(s ? s.user : null);
  }

  private async send(method: string, path: string, opts: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (opts.csrf) headers['X-CSRF-Token'] = readCookie(this.cookies(), CSRF_COOKIE);
    try {
      return await this.fetchFn(this.baseURL + path, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
    }
  }

  private async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    const token = auth ? this.accessToken : null;
    let res = await this.send(method, path, opts, token);
    if (res.status === 401 && auth) {
      // Another request may already have refreshed while this one was in
      // flight; then just retry with the new token.
      const fresh = this.accessToken !== null && this.accessToken !== token;
      if (fresh || (await this.refresh())) {
        res = await this.send(method, path, opts, this.accessToken);
      }
    }
    if (!res.ok) {
      const err = await toApiError(res);
      if (res.status === 401 && auth && this.accessToken !== null) this.setSession(null);
      throw err;
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * refresh trades the refresh cookie for a new access token. Concurrent
   * callers share one request. Resolves false when there is no session.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const s = await this.request<SessionResponse>('POST', '/api/auth/refresh', { auth: false, csrf: true });
          this.setSession(s);
          return true;
        } catch (e) {
          if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
            if (this.accessToken !== null) this.setSession(null);
            return false;
          }
          throw e;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  /** restore resumes a browser session on app start; resolves the user or null. */
  async restore(): Promise<User | null> {
    let user: User | null = null;
    const off = this.onSession((u) => (user = u));
    try {
      return (await this.refresh()) ? user : null;
    } finally {
      off();
    }
  }

  // ---- authentication ----

  async login(req: LoginRequest): Promise<User> {
    const s = await this.request<SessionResponse>('POST', '/api/auth/login', { body: req, auth: false });
    this.setSession(s);
    return s.user;
  }

  async logout(): Promise<void> {
    try {
      await this.request<void>('POST', '/api/auth/logout', { auth: false, csrf: true });
    } finally {
      this.setSession(null);
    }
  }

  me(): Promise<User> {
    return this.request('GET', '/api/me');
  }

  wsTicket(): Promise<WsTicket> {
    return this.request('POST', '/api/ws-ticket');
  }

  // ---- invitations ----

  createInvitation(req: CreateInvitationRequest): Promise<CreatedInvitation> {
    return this.request('POST', '/api/invitations', { body: req });
  }

  async listInvitations(): Promise<Invitation[]> {
    return (await this.request<Items<Invitation>>('GET', '/api/invitations')).items;
  }

  revokeInvitation(id: string): Promise<void> {
    return this.request('DELETE', `/api/invitations/${encodeURIComponent(id)}`);
  }

  lookupInvitation(token: string): Promise<InvitationLookup> {
    return this.request('POST', '/api/invitations/lookup', { body: { token }, auth: false });
  }

  async acceptInvitation(req: AcceptInvitationRequest): Promise<User> {
    const s = await this.request<SessionResponse>('POST', '/api/invitations/accept', { body: req, auth: false });
    this.setSession(s);
    return s.user;
  }

  // ---- people ----

  async listUsers(): Promise<User[]> {
    return (await this.request<Items<User>>('GET', '/api/users')).items;
  }

  // ---- focus areas ----

  async listFocusAreas(): Promise<FocusArea[]> {
    return (await this.request<Items<FocusArea>>('GET', '/api/focus-areas')).items;
  }

  createFocusArea(req: CreateFocusAreaRequest): Promise<FocusArea> {
    return this.request('POST', '/api/focus-areas', { body: req });
  }

  updateFocusArea(id: string, req: UpdateFocusAreaRequest): Promise<FocusArea> {
    return this.request('PATCH', `/api/focus-areas/${encodeURIComponent(id)}`, { body: req });
  }

  // ---- groups ----

  async listGroups(): Promise<GroupSummary[]> {
    return (await this.request<Items<GroupSummary>>('GET', '/api/groups')).items;
  }

  getGroup(id: string): Promise<Group> {
    return this.request('GET', `/api/groups/${encodeURIComponent(id)}`);
  }

  createGroup(req: CreateGroupRequest): Promise<Group> {
    return this.request('POST', '/api/groups', { body: req });
  }

  updateGroup(id: string, req: UpdateGroupRequest): Promise<Group> {
    return this.request('PATCH', `/api/groups/${encodeURIComponent(id)}`, { body: req });
  }

  addMember(groupID: string, req: AddMemberRequest): Promise<Group> {
    return this.request('POST', `/api/groups/${encodeURIComponent(groupID)}/members`, { body: req });
  }

  changeMemberRole(groupID: string, userID: string, role: GroupRole): Promise<Group> {
    return this.request(
      'PATCH',
      `/api/groups/${encodeURIComponent(groupID)}/members/${encodeURIComponent(userID)}`,
      { body: { role } },
    );
  }

  removeMember(groupID: string, userID: string): Promise<Group> {
    return this.request(
      'DELETE',
      `/api/groups/${encodeURIComponent(groupID)}/members/${encodeURIComponent(userID)}`,
    );
  }

  // ---- operations ----

  health(): Promise<Health> {
    return this.request('GET', '/api/health', { auth: false });
  }
}

/** api is the app's single client instance. */
export const api = new ApiClient();
