import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, contributionQuery, parseError, UploadAborted, uploadForm, type Agenda } from './api';
import { agendaChoices, around, authorsLine, cleanAuthors, formatSize, isAborted, refusalDetail, shortHash, splitChoice, titleFromFilename } from './contributions';

describe('formatSize', () => {
  it('uses binary units and the language', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1,023 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(2.5 * 1024 * 1024)).toBe('2.5 MB');
    expect(formatSize(150 * 1024 * 1024)).toBe('150 MB');
    expect(formatSize(2.5 * 1024 * 1024, 'fr')).toBe('2,5 MB');
    expect(formatSize(-1)).toBe('');
  });
});

describe('small helpers', () => {
  it('shortens hashes', () => {
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(12)}…`);
    expect(shortHash('abc')).toBe('abc');
  });
  it('proposes a title from the file name', () => {
    expect(titleFromFilename('Capacity_building 2026.pdf')).toBe('Capacity building 2026');
    expect(titleFromFilename('تقرير.docx')).toBe('تقرير');
    expect(titleFromFilename('.pdf')).toBe('.pdf');
  });
  it('cleans and lists authors', () => {
    const list = cleanAuthors([
      { name: ' Amina ', organization: '' },
      { name: '', organization: '  ' },
      { name: '', organization: 'CERT' },
    ]);
    expect(list).toEqual([
      { name: 'Amina', organization: '' },
      { name: '', organization: 'CERT' },
    ]);
    expect(authorsLine([{ name: 'A', organization: 'B' }, ...list])).toBe('A (B), Amina, CERT');
  });
  it('splits a sentence around its placeholder', () => {
    expect(around('Back to {name}', '{name}')).toEqual(['Back to ', '']);
    expect(around('Retour à {name} !', '{name}')).toEqual(['Retour à ', ' !']);
    expect(around('None', '{name}')).toEqual(['None', '']);
  });
});

describe('agendaChoices', () => {
  const item = (id: string, title: string, kind: 'item' | 'break' = 'item') => ({ id, kind, title, speakers: [], duration: 10, contributions: [], notes: '' });
  const session = (id: string, title: string, items: ReturnType<typeof item>[]) => ({
    id,
    title,
    chairs: [],
    start: '',
    end: '',
    description: '',
    archive_url: '',
    items,
    revision: 1,
  });
  it('groups items by session, numbered like the agenda, without breaks or empty sessions', () => {
    const agenda: Agenda = {
      sessions: [session('s1', 'Opening', [item('a', 'Welcome'), item('b', '', 'break'), item('c', 'Reports')]), session('s2', 'Empty', [item('x', 'Lunch', 'break')])],
    };
    expect(agendaChoices(agenda)).toEqual([
      {
        label: '1. Opening',
        items: [
          { value: 's1 a', session_id: 's1', item_id: 'a', label: '1.1 Welcome' },
          { value: 's1 c', session_id: 's1', item_id: 'c', label: '1.3 Reports' },
        ],
      },
    ]);
    expect(agendaChoices(null)).toEqual([]);
    expect(splitChoice('s1 c')).toEqual({ session_id: 's1', item_id: 'c' });
    expect(splitChoice('')).toEqual({ session_id: '', item_id: '' });
  });
});

describe('upload bodies and answers', () => {
  it('puts the JSON meta part first, then the file with its name', async () => {
    const file = new Blob(['%PDF-1.4'], { type: 'application/pdf' });
    const form = uploadForm({ title: 'T' }, file, 'note.pdf');
    const entries = [...form.entries()];
    expect(entries.map(([k]) => k)).toEqual(['meta', 'file']);
    const meta = entries[0][1] as Blob;
    expect(meta.type).toBe('application/json');
    expect(JSON.parse(await meta.text())).toEqual({ title: 'T' });
    expect((entries[1][1] as File).name).toBe('note.pdf');
  });

  it('builds list queries without empty values', () => {
    expect(contributionQuery({})).toBe('');
    expect(contributionQuery({ kind: 'report', language: '', q: ' côte ' })).toBe('?kind=report&q=c%C3%B4te');
  });


  it('parses refusals and keeps their reason', () => {
    const err = parseError(400, 'Bad Request', '{"error":{"code":"invalid","message":"The file is HTML, not PDF."}}', () => null);
    expect(err.code).toBe('invalid');
    expect(refusalDetail(err)).toBe('The file is HTML, not PDF.');
    const big = parseError(413, 'Payload Too Large', '<html>proxy</html>', () => null);
    expect(big.code).toBe('too_large');
    expect(refusalDetail(big)).toBe('Payload Too Large');
    expect(refusalDetail(new ApiError(0, 'network', 'x'))).toBe('');
    expect(refusalDetail(new ApiError(500, 'internal', 'boom'))).toBe('');
    expect(isAborted(new UploadAborted())).toBe(true);
  });
});

/** FakeXHR answers each send with the next of `answers`; it records the headers and reports progress. */
class FakeXHR {
  static answers: { status: number; body: string }[] = [];
  static sent: { url: string; headers: Record<string, string>; body: unknown }[] = [];
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  status = 0;
  statusText = '';
  responseText = '';
  private url = '';
  private headers: Record<string, string> = {};
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  getResponseHeader() {
    return null;
  }
  send(body: unknown) {
    FakeXHR.sent.push({ url: this.url, headers: this.headers, body });
    const a = FakeXHR.answers.shift();
    if (!a) return; // stays pending until abort()
    queueMicrotask(() => {
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
      this.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 100 });
      this.status = a.status;
      this.responseText = a.body;
      this.onload?.();
    });
  }
  abort() {
    queueMicrotask(() => this.onabort?.());
  }
}

describe('ApiClient uploads', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeXHR.answers = [];
    FakeXHR.sent = [];
  });

  function signedInClient() {
    const fetch = vi.fn(async (input: string) => {
      if (input === '/api/auth/refresh')
        return new Response(JSON.stringify({ access_token: 'fresh', token_type: 'Bearer', expires_in: 600, user: { id: 'u', email: '', name: 'U', role: 'user' } }), { status: 200 });
      return new Response('{}', { status: 404 });
    });
    return new ApiClient({ fetch, cookies: () => '' });
  }

  it('sends the bearer token, reports progress, and retries once after refreshing on 401', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR);
    const api = signedInClient();
    await api.restore();
    FakeXHR.answers = [
      { status: 401, body: '{"error":{"code":"unauthorized","message":"expired"}}' },
      { status: 201, body: JSON.stringify({ id: 'd1', title: 'T', state: 'submitted' }) },
    ];
    const seen: number[] = [];
    const file = new File(['%PDF-1.4'], 'a.pdf', { type: 'application/pdf' });
    const up = api.submitContribution('meeting', 'm 1', { title: 'T', authors: [{ name: 'U', organization: '' }], language: 'en', kind: 'report', abstract: '' }, file, (p) => seen.push(p));
    const doc = await up.done;
    expect(doc.id).toBe('d1');
    expect(doc.revisions).toEqual([]);
    expect(FakeXHR.sent.map((s) => s.url)).toEqual(['/api/meetings/m%201/contributions', '/api/meetings/m%201/contributions']);
    expect(FakeXHR.sent[1].headers['Authorization']).toBe('Bearer fresh');
    expect(seen).toContain(1);
  });

  it('rejects with the server reason, and with UploadAborted when cancelled', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR);
    const api = signedInClient();
    await api.restore();
    FakeXHR.answers = [{ status: 400, body: '{"error":{"code":"invalid","message":"HTML is refused"}}' }];
    const file = new File(['<html>'], 'x.pdf');
    await expect(api.reviseContribution('d1', '', file).done).rejects.toMatchObject({ status: 400, code: 'invalid', message: 'HTML is refused' });
    const pending = api.reviseContribution('d1', 'note', file);
    pending.abort();
    await expect(pending.done).rejects.toBeInstanceOf(UploadAborted);
  });
});
