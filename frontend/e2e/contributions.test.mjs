// Documents sent to a meeting (docs/api.md "Contributions") in several browsers: a participant
// uploads a presentation with a progress bar; the chair sees it waiting in the navigation, accepts
// and publishes it from the queue and relates it to an agenda item; another participant downloads
// it; a revision replaces it at the stable address while the original keeps its own; a file that is
// HTML in disguise is refused with the server's reason. Set-up goes through the HTTP API; the
// people act in the UI. Runs the real server binary (see server.mjs) and Debian's Chromium.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 120_000 };
const TITLE = 'Cybersecurity partnerships: second facilitation meeting';
const CHAIR = { email: 'nadia@example.org', name: 'Nadia Okafor', password: 'nadia-password-123' };
const SUBMITTER = { email: 'amina@example.org', name: 'Amina Diallo', password: 'amina-password-123' };
const READER = { email: 'lars@example.org', name: 'Lars Berg', password: 'lars-password-123' };
const DOC_TITLE = 'National CERT capacity building in West Africa';
const ITEM = 'National approaches to incident response';
const SYMBOL = 'C5/2026/P/001';

/** pdf makes a valid little PDF padded with comment lines to about size bytes. */
function pdf(label, size) {
  const head = `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\n`;
  const tail = 'trailer << /Root 1 0 R >>\n%%EOF\n';
  const line = `% ${'x'.repeat(77)}\n`;
  const n = Math.max(0, Math.floor((size - head.length - tail.length) / line.length));
  return Buffer.from(head + line.repeat(n) + tail);
}

describe('Documents of a meeting', () => {
  let server;
  let browser;
  const problems = [];
  const state = {};
  const original = pdf('original', 3 * 1024 * 1024);
  const revision = pdf('revision 1', 200 * 1024);

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  const newPage = (name) => openPage(browser, server.url, name, problems);
  const need = (...keys) => requireState(state, ...keys);
  const m = (path = '') => `/api/meetings/${state.meetingId}${path}`;

  /** fetchBytes GETs url as person (signed in through the API) and answers the status and bytes. */
  async function fetchBytes(url, person) {
    const s = await call('POST', '/api/auth/login', null, { email: person.email, password: person.password });
    const res = await fetch(`${server.url}${url}`, { headers: { Authorization: `Bearer ${s.access_token}` } });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const tok = admin.access_token;
    state.adminToken = tok;
    for (const p of [CHAIR, SUBMITTER, READER]) {
      const inv = await call('POST', '/api/invitations', tok, { email: p.email });
      const accepted = await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
      p.id = accepted.user.id;
    }
    const today = new Date().toISOString().slice(0, 10);
    // Participants only: downloads need the reader's token, not just a link.
    const meeting = await call('POST', '/api/meetings', tok, {
      title: TITLE,
      forum: 'WSIS Action Line C5',
      start_date: today,
      end_date: today,
      time_zone: 'Europe/Zurich',
      visibility: 'participants',
    });
    state.meetingId = meeting.id;
    await call('POST', m('/participants'), tok, { email: CHAIR.email, role: 'chair' });
    for (const p of [SUBMITTER, READER]) await call('POST', m('/participants'), tok, { email: p.email, role: 'participant' });
    // The chair of the meeting also chairs its session: relating a document to an agenda item
    // lists it on that item, which needs the right to edit the session's items.
    let cur = await call('POST', m('/sessions'), tok, {
      title: 'Opening and national approaches',
      start: `${today}T09:00`,
      end: `${today}T10:30`,
      chairs: [{ user_id: CHAIR.id, name: CHAIR.name, title: '', organization: '' }],
      version: (await call('GET', m(), tok)).version,
    });
    const s1 = cur.agenda.sessions[0];
    cur = await call('POST', m(`/sessions/${s1.id}/items`), tok, { title: 'Welcome', duration: 10, version: cur.version });
    cur = await call('POST', m(`/sessions/${s1.id}/items`), tok, { title: ITEM, duration: 30, version: cur.version });
    cur = await call('POST', m('/agenda/publish'), tok, { version: cur.version, note: 'First agenda' });
    await call('PUT', m('/contributions/settings'), tok, { prefix: 'C5/2026', codes: { contribution: 'C', presentation: 'P', information: 'INF', report: 'R' } });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. a participant uploads a presentation and sees it submitted', STEP, async () => {
    need('meetingId');
    const { page, context } = await newPage('submitter');
    state.submitter = page;
    await signIn(page, SUBMITTER);
    await page.goto(`/meetings/${state.meetingId}`);
    await page.getByRole('navigation', { name: 'Meeting sections' }).getByRole('link', { name: 'Documents' }).click();
    const list = page.getByRole('region', { name: /^Documents/ });
    await list.getByText('No documents yet.').waitFor();
    const send = page.getByRole('region', { name: 'Send documents' });
    // The form says how large a file may be, and how much of the quota is left.
    await send.getByText(/Up to 100 MB per file; 1 GB left of your 1 GB\./).waitFor();
    await send.locator('input[type=file]').setInputFiles({ name: 'CERT capacity building.pdf', mimeType: 'application/pdf', buffer: original });
    const form = send.getByRole('form', { name: 'File CERT capacity building.pdf' });
    assert.equal(await form.getByLabel('Title').inputValue(), 'CERT capacity building', 'the title comes from the file name');
    assert.equal(await form.getByRole('group', { name: 'Author 1' }).getByLabel('Name').inputValue(), SUBMITTER.name, 'the author is the uploader');
    await form.getByLabel('Title').fill(DOC_TITLE);
    await form.getByRole('group', { name: 'Author 1' }).getByLabel('Organization').fill('CERT Côte d’Ivoire');
    await form.getByLabel('Kind').selectOption('presentation');
    await form.getByLabel('Document language').selectOption({ label: 'French' });
    await form.getByLabel('Agenda item').selectOption({ label: `1.2 ${ITEM}` });
    await form.getByLabel('Abstract').fill('Lessons from two years of national exercises.');
    await shoot(page, 'contrib-form-en.png');

    // Slow the upload down so that its progress can be seen.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => {
        for (const p of document.querySelectorAll('progress')) window.__progress.push(Number(p.value));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    });
    await form.getByRole('button', { name: 'Send' }).click();
    const bar = send.getByRole('progressbar', { name: 'Upload of CERT capacity building.pdf' });
    let shot = false;
    try {
      await bar.waitFor({ timeout: 3000 });
      await shoot(page, 'contrib-upload-progress-en.png');
      shot = true;
    } catch {
      // Finished before we looked: the recorded values below still tell.
    }
    const done = send.getByRole('status').filter({ hasText: DOC_TITLE });
    await done.waitFor({ timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen = await page.evaluate(() => window.__progress);
    assert.ok(shot || seen.length > 0, 'a progress bar was shown');
    assert.ok(seen.some((v) => v > 0 && v < 100) || shot, `progress went through intermediate values: ${seen.slice(0, 10)}`);
    await done.getByText('Submitted', { exact: true }).waitFor();
    state.docId = new URL(await done.getByRole('link', { name: 'See the document' }).getAttribute('href'), server.url).pathname.split('/')[2];
    assert.ok(state.docId);

    const row = list.getByRole('row', { name: new RegExp(DOC_TITLE) });
    await row.getByText('Submitted').waitFor();
    await row.getByText('not yet numbered').waitFor();
    await row.getByText('Amina Diallo (CERT Côte d’Ivoire)').waitFor();
  });

  it('b. the chair sees the queue, accepts, publishes and relates it to an agenda item', STEP, async () => {
    need('docId');
    const { page } = await newPage('chair');
    state.chair = page;
    await signIn(page, CHAIR);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const link = nav.getByRole('link', { name: /^Documents.*waiting for your decision: 1/ });
    await link.waitFor();
    await link.click();
    await page.getByRole('heading', { level: 1, name: 'Documents to review' }).waitFor();
    const entry = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: DOC_TITLE }) });
    await entry.getByText(TITLE).waitFor();
    await entry.getByText('Submitted by Amina Diallo').waitFor();
    await shoot(page, 'contrib-queue-en.png');
    await entry.getByRole('button', { name: `Accept ${DOC_TITLE}` }).click();
    await page.getByRole('status').filter({ hasText: `Accepted as ${SYMBOL}.` }).waitFor();
    await entry.getByText('Accepted', { exact: true }).waitFor();
    await entry.getByRole('button', { name: `Publish ${DOC_TITLE}` }).click();
    await page.getByRole('status').filter({ hasText: `Published as ${SYMBOL}.` }).waitFor();
    await page.getByText('Nothing waits for your decision.').waitFor();
    await nav.getByRole('link', { name: 'Documents', exact: true }).waitFor();

    await page.goto(`/documents/${state.docId}`);
    await page.getByRole('heading', { level: 1, name: DOC_TITLE }).waitFor();
    await page.getByText(SYMBOL, { exact: true }).first().waitFor();
    const attach = page.getByRole('region', { name: 'Relate to an agenda item' });
    // The item chosen at upload is already selected.
    await attach.getByLabel('Agenda item').selectOption({ label: '1.1 Welcome' });
    await attach.getByRole('button', { name: 'Relate' }).click();
    await page.getByRole('status').filter({ hasText: 'Related to the agenda item.' }).waitFor();
    await page.getByRole('region', { name: 'Details' }).getByText('Welcome', { exact: true }).waitFor();
    await attach.getByLabel('Agenda item').selectOption({ label: `1.2 ${ITEM}` });
    await attach.getByRole('button', { name: 'Relate' }).click();
    await page.getByRole('region', { name: 'Details' }).getByText(ITEM, { exact: true }).waitFor();
    const history = page.getByRole('region', { name: 'History' });
    await history.getByText(/published/).waitFor();

    await page.goto(`/meetings/${state.meetingId}`);
    await page.locator('li.item', { hasText: ITEM }).getByText(SYMBOL).waitFor();
  });

  it('c. another participant downloads it from the meeting’s documents list', STEP, async () => {
    need('docId');
    const { page } = await newPage('reader');
    state.reader = page;
    await signIn(page, READER);
    await page.goto(`/meetings/${state.meetingId}?tab=documents`);
    const list = page.getByRole('region', { name: /^Documents/ });
    const row = list.getByRole('row', { name: new RegExp(DOC_TITLE) });
    await row.getByText(SYMBOL).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Send documents' }).count(), 1, 'a participant may send documents too');
    // Filters go to the server.
    await list.getByLabel('Kind').selectOption('report');
    await list.getByText('No document matches these filters.').waitFor();
    await list.getByLabel('Kind').selectOption('');
    await list.getByLabel('Search').fill('côte d’ivoire');
    await row.waitFor();
    await list.getByLabel('Search').fill('nothing like this');
    await list.getByText('No document matches these filters.').waitFor();
    await list.getByRole('button', { name: 'Clear filters' }).click();
    await row.waitFor();
    await shoot(page, 'contrib-list-en.png');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: `Download ${SYMBOL}` }).click()]);
    assert.equal(download.suggestedFilename(), 'CERT capacity building.pdf');
    const got = await readFile(await download.path());
    assert.ok(got.equals(original), 'the downloaded file is the uploaded one');
  });

  it('d. a revision replaces it at the stable address; the original keeps its own', STEP, async () => {
    need('docId', 'submitter', 'chair');
    const page = state.submitter;
    await page.goto(`/documents/${state.docId}`);
    const revise = page.getByRole('region', { name: 'Send a new revision' });
    await revise.locator('input[type=file]').setInputFiles({ name: 'CERT capacity building rev1.pdf', mimeType: 'application/pdf', buffer: revision });
    await revise.getByLabel('What changed').fill('Updated figures for 2026');
    await revise.getByRole('button', { name: 'Send the revision' }).click();
    await page.getByRole('status').filter({ hasText: 'The new revision was sent for review.' }).waitFor();
    const revisions = page.getByRole('region', { name: 'Revisions' });
    await revisions.getByRole('row', { name: new RegExp(`${SYMBOL}/Rev.1`) }).getByText('Submitted').waitFor();

    const chair = state.chair;
    await chair.goto(`/documents/${state.docId}`);
    await chair.getByRole('region', { name: 'Decision' }).getByRole('button', { name: `Publish ${DOC_TITLE}` }).click();
    await chair.getByRole('status').filter({ hasText: `Published as ${SYMBOL}.` }).waitFor();
    const rows = chair.getByRole('region', { name: 'Revisions' }).getByRole('row');
    await rows.filter({ hasText: `${SYMBOL}/Rev.1` }).getByText('Published').waitFor();
    await rows.filter({ hasText: 'Updated figures for 2026' }).waitFor();
    const sha = await rows.filter({ hasText: `${SYMBOL}/Rev.1` }).locator('code').getAttribute('title');
    assert.match(sha, /^[0-9a-f]{64}$/);
    await chair.getByRole('region', { name: 'History' }).getByText(/sent a revision/).waitFor();
    await shoot(chair, 'contrib-document-en.png');

    const stable = await fetchBytes(`/api/contributions/${state.docId}/file`, READER);
    assert.equal(stable.status, 200);
    assert.ok(stable.body.equals(revision), 'the stable address serves the revision');
    const first = await fetchBytes(`/api/contributions/${state.docId}/revisions/0/file`, READER);
    assert.ok(first.body.equals(original), 'the original keeps its permanent address');

    // The same, from the page: the document's stable link downloads the revision.
    const [download] = await Promise.all([
      chair.waitForEvent('download'),
      chair.getByRole('region', { name: 'Latest published version' }).getByRole('link', { name: `Download ${SYMBOL}` }).click(),
    ]);
    assert.ok((await readFile(await download.path())).equals(revision));

    await chair.getByRole('combobox', { name: 'Language' }).selectOption('ar');
    await chair.getByRole('heading', { level: 2, name: 'المراجعات' }).waitFor();
    await shoot(chair, 'contrib-document-ar.png');
    await chair.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
  });

  it('e. an HTML file called .pdf is refused with the server’s reason and leaves no document', STEP, async () => {
    need('submitter');
    const page = state.submitter;
    await page.goto(`/meetings/${state.meetingId}?tab=documents`);
    const send = page.getByRole('region', { name: 'Send documents' });
    const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n');
    await send.locator('input[type=file]').setInputFiles({ name: 'minutes.pdf', mimeType: 'application/pdf', buffer: html });
    const form = send.getByRole('form', { name: 'File minutes.pdf' });
    await form.getByLabel('Title').fill('Minutes in disguise');
    await form.getByRole('button', { name: 'Send' }).click();
    const alert = send.getByRole('alert').filter({ hasText: 'The file was refused:' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /HTML/i, 'the reason names what is wrong');
    await shoot(page, 'contrib-refused-en.png');
    const list = page.getByRole('region', { name: /^Documents/ });
    await list.getByRole('row', { name: new RegExp(DOC_TITLE) }).waitFor();
    assert.equal(await list.getByRole('row', { name: /Minutes in disguise/ }).count(), 0);
    const mine = await call('GET', '/api/contributions/mine', (await call('POST', '/api/auth/login', null, { email: SUBMITTER.email, password: SUBMITTER.password })).access_token);
    assert.equal(mine.items.length, 1, 'only the first document exists');

    await page.goto('/documents/mine');
    await page.getByRole('heading', { level: 1, name: 'My documents' }).waitFor();
    await page.getByRole('row', { name: new RegExp(DOC_TITLE) }).getByText('Published').waitFor();
  });

  it('f. no console errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
