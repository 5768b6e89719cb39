// The views around a meeting's agenda in browsers: the versions page with its diff, the projector
// view following the current item, the printable agenda and the meeting's discussion room. The
// secretariat sets everything up through the HTTP API; people act in separate browser contexts.
// Runs the real server binary (see server.mjs) and Debian's Chromium.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 90_000 };
const TITLE = 'Facilitation Meeting for WSIS Action Line C5';
const MEI = { email: 'mei@example.org', name: 'Mei Lin', password: 'mei-password-123' };
const OMAR = { email: 'omar@example.org', name: 'Omar Haddad', password: 'omar-password-123' };
// Next year, so that the meeting has not started yet when the tests run.
const YEAR = new Date().getUTCFullYear() + 1;
const DAY1 = `${YEAR}-05-15`;
const DAY2 = `${YEAR}-05-16`;
const ARCHIVE = 'https://www.itu.int/audio/c5-opening.mp3';

describe('Meeting versions, projector, print and room in browsers', () => {
  let server;
  let browser;
  const problems = [];
  const state = {};

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  async function newPage(name, viewport) {
    const p = await openPage(browser, server.url, name, problems);
    if (viewport) await p.page.setViewportSize(viewport);
    return p;
  }
  const need = (...keys) => requireState(state, ...keys);
  const m = (path = '') => `/api/meetings/${state.meetingId}${path}`;

  /** change makes one agenda change as the secretariat, based on the meeting's current version. */
  async function change(method, path, body = {}) {
    const cur = await call('GET', m(), state.adminToken);
    const url = method === 'DELETE' ? `${m(path)}?version=${cur.version}` : m(path);
    const res = await call(method, url, state.adminToken, method === 'DELETE' ? undefined : { ...body, version: cur.version });
    state.meeting = res;
    return res;
  }
  const session = (title) => state.meeting.agenda.sessions.find((s) => s.title === title);
  const item = (s, title) => s.items.find((i) => i.title === title);

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();

    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    state.adminToken = admin.access_token;
    for (const p of [MEI, OMAR]) {
      const inv = await call('POST', '/api/invitations', state.adminToken, { email: p.email });
      await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
    }

    const meeting = await call('POST', '/api/meetings', state.adminToken, {
      title: TITLE,
      forum: 'World Summit on the Information Society',
      start_date: DAY1,
      end_date: DAY2,
      time_zone: 'Europe/Zurich',
      venue: 'ITU Headquarters, Geneva',
      remote_url: 'https://meet.example.org/c5',
      visibility: 'public',
    });
    state.meetingId = meeting.id;
    for (const p of [MEI, OMAR]) await call('POST', m('/participants'), state.adminToken, { email: p.email, role: 'participant' });

    // Version 1: two sessions.
    await change('POST', '/sessions', {
      title: 'Opening of the meeting',
      start: `${DAY1}T09:30`,
      end: `${DAY1}T11:00`,
      chairs: [{ name: 'Stein Schjolberg', title: 'Chief Judge', organization: 'Moss Tingrett District Court' }],
      archive_url: ARCHIVE,
    });
    await change('POST', '/sessions', { title: 'Cybersecurity in practice', start: `${DAY1}T11:30`, end: `${DAY1}T12:30` });
    const opening = session('Opening of the meeting');
    await change('POST', `/sessions/${opening.id}/items`, {
      title: 'Welcome address',
      duration: 15,
      speakers: [{ name: 'Roberto Blois', title: 'Deputy Secretary-General', organization: 'International Telecommunication Union' }],
    });
    await change('POST', `/sessions/${opening.id}/items`, { title: 'Adoption of the agenda', duration: 10 });
    await change('POST', `/sessions/${opening.id}/items`, { kind: 'break', title: 'Coffee break', duration: 20 });
    const practice = session('Cybersecurity in practice');
    await change('POST', `/sessions/${practice.id}/items`, {
      title: 'National approaches to cybersecurity',
      duration: 45,
      speakers: [{ name: 'Mei Lin', title: 'Rapporteur', organization: 'Information for All' }],
    });
    await change('POST', '/agenda/publish', { note: 'First agenda' });

    // Version 2: a session added, one renamed, an item moved to the other session.
    await change('POST', '/sessions', { title: 'Spam and online fraud', start: `${DAY2}T09:30`, end: `${DAY2}T11:00` });
    await change('POST', `/sessions/${session('Spam and online fraud').id}/items`, { title: 'The London Action Plan', duration: 30 });
    await change('PATCH', `/sessions/${opening.id}`, { title: 'Opening and welcome of the meeting' });
    await change('POST', '/agenda/move', {
      session_id: opening.id,
      item_id: item(session('Opening and welcome of the meeting'), 'Adoption of the agenda').id,
      to_session: practice.id,
      to_index: 0,
    });
    await change('POST', '/agenda/publish', { note: 'Spam session added' });
    assert.equal(state.meeting.agenda_number, 2);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(problems, [], 'no console errors or CSP violations');
  });

  it('a. the versions page shows the diff of two versions, linked by its address', STEP, async () => {
    const { page } = await newPage('reader');
    state.reader = page;
    // Signed out: the meeting is public.
    await page.goto(`/meetings/${state.meetingId}/versions?from=1&to=2`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`${TITLE}.*Agenda versions`) }).waitFor();
    const result = page.getByRole('region', { name: 'Changes from Version 1 to Version 2' });
    await result.waitFor();

    // The totals: a session and its item added, one session renamed, one item moved.
    const summary = result.getByRole('list', { name: 'Summary of the changes' });
    await summary.getByText('2 added').waitFor();
    await summary.getByText('1 changed').waitFor();
    await summary.getByText('1 moved').waitFor();

    const added = result.locator('li.sd-added', { hasText: 'Spam and online fraud' });
    await added.getByText('Added', { exact: true }).waitFor();
    assert.match(await added.locator('h3').innerText(), /Session 3/);

    // The rename: old → new with the words that changed marked.
    const renamed = result.locator('li.sd-changed');
    await renamed.getByText('Changed', { exact: true }).waitFor();
    const title = renamed.locator('.fc', { hasText: 'Title' });
    assert.equal(await title.locator('.old').innerText().then((s) => s.replace(/\s+/g, ' ').trim()), 'Before: Opening of the meeting');
    assert.equal(await title.locator('.new ins').textContent(), 'and welcome ');
    assert.equal(await title.locator('.old del').count(), 0, 'nothing of the old title was taken away');

    // The item that went to the other session, in its new place and as a trace in the old one.
    const moved = result.locator('li.it-moved', { hasText: 'Adoption of the agenda' });
    // Session titles inside sentences are isolated (FSI … PDI) for right-to-left languages.
    await moved.getByText('Moved from Session 1: \u2068Opening and welcome of the meeting\u2069').waitFor();
    await result.getByText('moved to Session 2: \u2068Cybersecurity in practice\u2069').waitFor();
    await shoot(page, 'versions-diff-en.png');

    // One version whole, from the list.
    await page.getByRole('link', { name: 'View Version 1' }).click();
    const v1 = page.getByRole('region', { name: 'Agenda, version 1' });
    await v1.getByRole('heading', { name: /Opening of the meeting/ }).waitFor();
    assert.equal(await v1.getByText('Spam and online fraud').count(), 0);
    assert.equal(new URL(page.url()).search, '?version=1');
    // The focus follows to what the link shows.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Agenda, version 1');

    // Choosing two versions in the form puts them in the address.
    await page.getByLabel('From', { exact: true }).selectOption({ label: 'Version 2' });
    await page.getByLabel('To', { exact: true }).selectOption({ label: 'Version 1' });
    await page.getByRole('button', { name: 'Show changes' }).click();
    await page.getByRole('region', { name: 'Changes from Version 2 to Version 1' }).locator('li.sd-removed', { hasText: 'Spam and online fraud' }).waitFor();
    assert.equal(new URL(page.url()).search, '?from=2&to=1');
  });

  it('b. the versions page reads right to left in Arabic', STEP, async () => {
    need('reader');
    const page = state.reader;
    await page.goto(`/meetings/${state.meetingId}/versions?from=1&to=2`);
    await page.locator('#lang-select').selectOption('ar');
    await page.getByRole('region', { name: /التغييرات من/ }).getByText('مُضاف', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await shoot(page, 'versions-diff-ar.png');
    await page.locator('#lang-select').selectOption('en');
  });

  it('c. the projector view follows the current item set by the secretariat', STEP, async () => {
    need('meeting');
    // One projector signed out (server-sent events), one signed in (the rooms websocket).
    const anon = await newPage('projector', { width: 1280, height: 720 });
    const omar = await newPage('omar', { width: 1280, height: 720 });
    state.omar = omar.page;
    await signIn(omar.page, OMAR);
    for (const page of [anon.page, omar.page]) {
      await page.goto(`/meetings/${state.meetingId}/live`);
      await page.getByRole('heading', { level: 1, name: 'The meeting has not started' }).waitFor();
      await page.getByText('Session 1: \u2068Opening and welcome of the meeting\u2069').waitFor();
      // Minimal chrome: no app header.
      assert.equal(await page.getByRole('banner').count(), 0);
    }
    await shoot(anon.page, 'live-idle-en.png');

    const opening = session('Opening and welcome of the meeting');
    const welcome = item(opening, 'Welcome address');
    const t0 = Date.now();
    await call('PUT', m('/live'), state.adminToken, { session_id: opening.id, item_id: welcome.id, timer_seconds: 300 });
    for (const page of [omar.page, anon.page]) {
      // Both follow at once, well before the signed-out view's 30 s backstop poll.
      await page.getByRole('heading', { level: 1, name: 'Welcome address' }).waitFor({ timeout: 3000 });
      await page.getByText('Roberto Blois').waitFor();
      await page.getByText('Deputy Secretary-General, International Telecommunication Union').waitFor();
      await page.getByText('Session 1', { exact: true }).waitFor();
      await page.getByText('Coffee break').waitFor(); // next (Adoption of the agenda moved away)
      const timer = await page.getByRole('timer').innerText();
      assert.match(timer, /[45]:\d\d/, `the timer counts down from 5:00 (${timer})`);
    }
    assert.ok(Date.now() - t0 < 6000, 'both projectors followed within a few seconds');
    await shoot(omar.page, 'live-en.png');

    // A short timer runs out: the overrun shows in red as +m:ss.
    const brk = item(opening, 'Coffee break');
    await call('PUT', m('/live'), state.adminToken, { session_id: opening.id, item_id: brk.id, timer_seconds: 1 });
    const timer = omar.page.getByRole('timer');
    await omar.page.getByRole('heading', { level: 1, name: 'Coffee break' }).waitFor({ timeout: 5000 });
    await omar.page.waitForFunction(() => /\+0:0[1-9]/.test(document.querySelector('[role=timer]')?.textContent ?? ''), null, { timeout: 8000 });
    const color = await timer.evaluate((el) => getComputedStyle(el).color);
    assert.equal(color, 'rgb(176, 0, 0)', 'an overrunning timer is red');
    await shoot(omar.page, 'live-overrun-en.png');

    // A late joiner sees the current state at once.
    const late = await newPage('late', { width: 1280, height: 720 });
    await late.page.goto(`/meetings/${state.meetingId}/live`);
    await late.page.getByRole('heading', { level: 1, name: 'Coffee break' }).waitFor({ timeout: 3000 });
    // The projector in Arabic mirrors, the timer stays a left-to-right number.
    await late.page.locator('#lang-select').count().then((n) => assert.equal(n, 0, 'no language menu on the projector'));
    await late.page.evaluate(() => localStorage.setItem('plenary.lang', 'ar'));
    await late.page.reload();
    await late.page.getByText('التالي:').waitFor();
    assert.equal(await late.page.evaluate(() => document.documentElement.dir), 'rtl');
    await shoot(late.page, 'live-ar.png');
    await late.context.close();
    await anon.context.close();
  });

  it('d. the printable agenda hides the app when printed', STEP, async () => {
    need('omar');
    const page = state.omar;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`/meetings/${state.meetingId}/print`);
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByText('Agenda, version 2').waitFor();
    await page.getByText('All times are local to Zurich (Europe/Zurich, UTC+02:00).').waitFor();
    await page.getByRole('heading', { name: /Session 3\s*Spam and online fraud/ }).waitFor();
    await page.getByText('Roberto Blois').waitFor();
    await page.getByText('09:30–11:00').first().waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.ok(await nav.isVisible(), 'the navigation shows on screen');
    assert.ok(await page.getByRole('button', { name: 'Print' }).isVisible());
    await shoot(page, 'print-screen-en.png');

    await page.emulateMedia({ media: 'print' });
    assert.equal(await nav.isVisible(), false, 'no navigation on paper');
    assert.equal(await page.locator('.site-header').isVisible(), false, 'no header on paper');
    assert.equal(await page.getByRole('button', { name: 'Print' }).isVisible(), false, 'no buttons on paper');
    const after = await page.getByRole('link', { name: 'Listen to the recording' }).evaluate((a) => getComputedStyle(a, '::after').content);
    assert.equal(after, `" (${ARCHIVE})"`, 'link addresses are printed');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(255, 255, 255)', 'white paper');
    await shoot(page, 'print-en.png');
    await page.emulateMedia({ media: 'screen' });

    // In the reader's language.
    await page.locator('#lang-select').selectOption('fr');
    await page.getByText('Ordre du jour, version 2').waitFor();
    await page.getByText('Toutes les heures sont en heure locale de Zurich (Europe/Zurich, UTC+02:00).').waitFor();
    await page.emulateMedia({ media: 'print' });
    await shoot(page, 'print-fr.png');
    await page.emulateMedia({ media: 'screen' });
    await page.locator('#lang-select').selectOption('en');

    // The print button opens the browser's print dialog.
    await page.evaluate(() => {
      window.__printed = 0;
      window.print = () => window.__printed++;
    });
    await page.getByRole('button', { name: 'Print' }).click();
    assert.equal(await page.evaluate(() => window.__printed), 1);
  });

  it('e. the secretariat compares the latest version with the current draft', STEP, async () => {
    need('meeting');
    const practice = session('Cybersecurity in practice');
    await change('PATCH', `/sessions/${practice.id}`, { title: 'Cybersecurity in everyday practice' });
    const { page, context } = await newPage('secretariat');
    await signIn(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await page.goto(`/meetings/${state.meetingId}/versions`);
    // With a changed draft, the page starts with the latest version against it.
    const result = page.getByRole('region', { name: 'Changes from Version 2 to Current draft' });
    const changed = result.locator('li.sd-changed', { hasText: 'Cybersecurity in everyday practice' });
    assert.equal(await changed.locator('.new ins').textContent(), 'everyday ');
    await result.locator('li.sd.quiet', { hasText: 'Spam and online fraud' }).waitFor();
    await page.getByRole('cell', { name: 'Changed since version 2.' }).waitFor();
    // Readers who do not edit the agenda are not offered the draft.
    const reader = state.omar;
    await reader.goto(`/meetings/${state.meetingId}/versions`);
    await reader.getByRole('region', { name: 'Changes from Version 1 to Version 2' }).waitFor();
    assert.equal(await reader.getByRole('option', { name: 'Current draft' }).count(), 0);
    await shoot(page, 'versions-draft-en.png');
    await context.close();
  });

  it('f. a participant posts in the meeting room and another sees it', STEP, async () => {
    need('omar');
    const omar = state.omar;
    const mei = (await newPage('mei')).page;
    await signIn(mei, MEI);
    for (const page of [mei, omar]) {
      await page.goto(`/meetings/${state.meetingId}/room`);
      await page.getByRole('heading', { level: 1, name: new RegExp(`${TITLE}.*Discussion`) }).waitFor();
      await page.getByRole('status', { name: 'Connection' }).getByText('Connected').waitFor();
    }
    assert.equal(await mei.getByRole('link', { name: 'Back to the meeting' }).getAttribute('href'), `/meetings/${state.meetingId}`);
    await mei.getByLabel('New topic').fill('Draft outcome');
    await mei.getByRole('button', { name: 'Open', exact: true }).click();
    await mei.getByLabel('Message to Draft outcome').fill('The draft outcome document is ready for comments.');
    await mei.getByLabel('Message to Draft outcome').press('Enter');
    const msg = omar.getByRole('log').locator('article.msg', { hasText: 'The draft outcome document is ready' });
    await msg.waitFor();
    await omar.waitForTimeout(500);
    assert.equal(await msg.count(), 1, 'the message arrives once');
    await shoot(omar, 'meeting-room-en.png');
  });
});
