// Meetings and agendas in several browsers: the secretariat creates a meeting and builds its
// agenda in the UI, linking a session chair's account to session 1 only, and publishes it; the
// chair edits session 1 but cannot edit session 2, and runs the meeting live while a participant's
// page follows the current item; a stale edit is refused and kept; an anonymous visitor reads the
// public agenda. Set-up of accounts goes through the HTTP API. Runs the real server binary (see
// server.mjs) and Debian's Chromium.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 120_000 };
const TITLE = 'Second facilitation meeting on cybersecurity partnerships';
const ZONE = 'Europe/Zurich';
const CHAIR = { email: 'nadia@example.org', name: 'Nadia Okafor', password: 'nadia-password-123' };
const MEMBER = { email: 'lars@example.org', name: 'Lars Berg', password: 'lars-password-123' };
const S1 = 'Opening and national approaches';
const S2 = 'Watch, warning and incident response';

/** The local date in ZONE, days from today. */
function zoneDate(days = 0) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date(Date.now() + days * 86_400_000));
}

describe('Meetings and agendas', () => {
  let server;
  let browser;
  const problems = [];
  const state = {};

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  const newPage = (name) => openPage(browser, server.url, name, problems);

  /** newPageIn opens a browser context whose clock runs in timezoneId, with the same problem checks. */
  async function newPageIn(name, timezoneId) {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', timezoneId, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('console', (msg) => {
      // A signed-out visitor's session restore is refused (401); that is expected.
      if (msg.type() === 'error' && !/401|Failed to load resource/.test(msg.text())) problems.push(`${name}: console: ${msg.text()}`);
      if (/Content Security Policy/i.test(msg.text())) problems.push(`${name}: CSP: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`${name}: page error: ${err.message}`));
    return { context, page };
  }
  const need = (...keys) => requireState(state, ...keys);
  const heading = (page, name) => page.getByRole('heading', { level: 1, name });
  const session = (page, title) => page.getByRole('region', { name: title, exact: true });
  const item = (page, text) => page.locator('li.item', { hasText: text });

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    state.adminToken = admin.access_token;
    for (const p of [CHAIR, MEMBER]) {
      const inv = await call('POST', '/api/invitations', state.adminToken, { email: p.email });
      const accepted = await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
      p.id = accepted.user.id;
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. the secretariat creates a meeting and adds a participant', STEP, async () => {
    const { page } = await newPage('secretariat');
    state.sec = page;
    await signIn(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings' }).click();
    await heading(page, 'Meetings').waitFor();
    await page.getByRole('button', { name: 'New meeting' }).click();
    const form = page.getByRole('region', { name: 'New meeting' });
    // The zone defaults to the browser's; the meeting's is chosen from the IANA list.
    assert.ok((await form.getByLabel('Time zone').locator('option').count()) > 300, 'every IANA zone is offered');
    await form.getByLabel('Title', { exact: true }).fill(TITLE);
    await form.getByLabel('Forum').fill('WSIS Action Line C5');
    await form.getByLabel('First day').fill(zoneDate(0));
    await form.getByLabel('Last day').fill(zoneDate(1));
    await form.getByLabel('Time zone').selectOption(ZONE);
    await form.getByLabel('Venue').fill('Palais des Nations, Geneva');
    await form.getByRole('radio', { name: /^Public/ }).check();
    await form.getByRole('button', { name: 'Create meeting' }).click();
    await heading(page, TITLE).waitFor();
    state.meetingId = new URL(page.url()).pathname.split('/')[2];
    assert.ok(state.meetingId, 'the new meeting has its page');
    await page.getByText('The agenda has no sessions yet.').waitFor();

    const tabs = page.getByRole('navigation', { name: 'Meeting sections' });
    await tabs.getByRole('link', { name: /^Participants/ }).click();
    const add = page.getByRole('region', { name: 'Add a participant' });
    await add.getByLabel('Email of the person').fill(MEMBER.email);
    await add.getByLabel('Role in the meeting').selectOption('participant');
    await add.getByRole('button', { name: 'Add participant' }).click();
    await page.getByRole('status').filter({ hasText: `${MEMBER.email} was added to the meeting.` }).waitFor();
    await page.getByRole('row', { name: new RegExp(MEMBER.name) }).waitFor();
    await tabs.getByRole('link', { name: 'Agenda' }).click();
    await page.getByRole('heading', { level: 2, name: 'Agenda' }).waitFor();
  });

  it('b. the secretariat builds a two-session agenda, with the chair’s account on session 1 only', STEP, async () => {
    need('sec', 'meetingId');
    const page = state.sec;

    await page.getByRole('button', { name: 'Add session' }).click();
    let form = page.getByRole('form', { name: 'New session 1' });
    await form.getByLabel('Session title').fill(S1);
    await form.getByLabel('Starts').fill('09:00');
    await form.getByLabel('Ends').fill('10:30');
    await form.getByRole('button', { name: 'Add chair' }).click();
    const chair = form.getByRole('group', { name: 'Chair 1' });
    await chair.getByLabel('Name').fill(CHAIR.name);
    await chair.getByLabel('Title or function').fill('Head of the national CERT');
    await chair.getByLabel('Organization').fill('Ministry of Communications');
    await chair.getByLabel('Account').selectOption({ label: `${CHAIR.name} (${CHAIR.email})` });
    await form.getByRole('button', { name: 'Add session' }).click();
    await session(page, S1).waitFor();

    await page.getByRole('button', { name: 'Add session' }).click();
    form = page.getByRole('form', { name: 'New session 2' });
    // A new session starts where the last one ended.
    assert.equal(await form.getByLabel('Starts').inputValue(), '10:30');
    await form.getByLabel('Session title').fill(S2);
    await form.getByLabel('Starts').fill('11:00');
    await form.getByLabel('Ends').fill('12:30');
    await form.getByRole('button', { name: 'Add chair' }).click();
    await form.getByRole('group', { name: 'Chair 1' }).getByLabel('Name').fill('Marco Rossi');
    await form.getByRole('button', { name: 'Add session' }).click();
    await session(page, S2).waitFor();

    async function addItem(sessionTitle, n, fields) {
      const s = session(page, sessionTitle);
      await s.getByRole('button', { name: fields.kind === 'break' ? `Add a break to session ${n}` : `Add an item to session ${n}` }).click();
      const f = page.getByRole('form', { name: fields.kind === 'break' ? `New break in session ${n}` : `New item in session ${n}` });
      if (fields.title) await f.getByLabel('Title', { exact: true }).fill(fields.title);
      await f.getByLabel('Duration (minutes)').fill(String(fields.duration));
      if (fields.speaker) {
        await f.getByRole('button', { name: 'Add speaker' }).click();
        const row = f.getByRole('group', { name: 'Speaker 1' });
        await row.getByLabel('Name').fill(fields.speaker[0]);
        await row.getByLabel('Title or function').fill(fields.speaker[1]);
        await row.getByLabel('Organization').fill(fields.speaker[2]);
      }
      if (fields.docs) await f.getByLabel('Contributions').fill(fields.docs);
      await f.getByRole('button', { name: fields.kind === 'break' ? 'Add break' : 'Add item' }).click();
      await f.waitFor({ state: 'detached' });
    }
    await addItem(S1, 1, { title: 'Welcome address', duration: 20, speaker: ['Ana Silva', 'Deputy Director', 'ITU'] });
    await addItem(S1, 1, { title: 'National approaches to cybersecurity', duration: 40, speaker: ['Kenji Sato', 'Director', 'NISC Japan'], docs: 'C5/2026/C/001\nC5/2026/C/002' });
    await addItem(S1, 1, { kind: 'break', duration: 15 });
    await addItem(S2, 2, { title: 'Setting up a national CERT', duration: 45, speaker: ['Marco Rossi', 'Coordinator', 'FIRST'] });

    // Start times follow from the session start and the durations before.
    await item(page, 'National approaches to cybersecurity').getByText('09:20').waitFor();
    await item(page, 'Break').getByText('10:00').waitFor();
    await item(page, 'Setting up a national CERT').getByText('11:00').waitFor();
    await item(page, 'National approaches').getByText('C5/2026/C/001, C5/2026/C/002').waitFor();
    await item(page, 'Welcome address').getByText('Ana Silva, Deputy Director, ITU').waitFor();

    // Reorder by keyboard: Alt+ArrowDown on the handle moves the item and keeps the focus there.
    const s1 = session(page, S1);
    const order = async () => (await s1.locator('li.item .i-title').allTextContents()).map((s) => s.trim());
    const handle = s1.getByRole('button', { name: /^Move “Welcome address” \(drag/ });
    await handle.focus();
    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForFunction(() => document.querySelector('li.item .i-title')?.textContent?.includes('National approaches'));
    assert.deepEqual((await order()).slice(0, 2), ['National approaches to cybersecurity', 'Welcome address']);
    assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /Welcome address/, 'the focus stays on the moved item');
    // And back with the button.
    await s1.getByRole('button', { name: 'Move “Welcome address” up' }).click();
    await page.waitForFunction(() => document.querySelector('li.item .i-title')?.textContent?.includes('Welcome address'));
    // Drag and drop: the break goes before the first item.
    await s1.getByRole('button', { name: /^Move “Break” \(drag/ }).dragTo(item(page, 'Welcome address'), { targetPosition: { x: 20, y: 4 } });
    await page.waitForFunction(() => document.querySelector('li.item')?.classList.contains('break'));
    assert.deepEqual(await order(), ['Break', 'Welcome address', 'National approaches to cybersecurity']);
    const last = item(page, 'National approaches');
    const box = await last.boundingBox();
    await s1.getByRole('button', { name: /^Move “Break” \(drag/ }).dragTo(last, { targetPosition: { x: 20, y: box.height - 4 } });
    await page.waitForFunction(() => document.querySelector('li.item:last-child')?.classList.contains('break'));
    assert.deepEqual(await order(), ['Welcome address', 'National approaches to cybersecurity', 'Break']);

    // Publishing asks for a note and says which version it makes.
    await page.getByRole('button', { name: 'Publish as version 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish as version 1' });
    await dialog.getByRole('button', { name: 'Publish version 1' }).click();
    await dialog.getByText('Write a short note on what changed.').waitFor();
    await dialog.getByLabel(/What changed/).fill('First agenda: two sessions on the first day.');
    await dialog.getByRole('button', { name: 'Publish version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Version 1 of the agenda was published.' }).waitFor();
    await page.getByText('Participants see version 1. The draft is the same as the published version.').waitFor();
    await page.getByText('Who edits what').waitFor();
    await shoot(page, 'meetings-secretariat-en.png');
  });

  it('c. the session chair edits session 1 only', STEP, async () => {
    need('meetingId');
    const { page } = await newPage('chair');
    state.chair = page;
    await signIn(page, CHAIR);
    await page.goto(`/meetings/${state.meetingId}`);
    await heading(page, TITLE).waitFor();
    await page.getByText('Draft — visible to editors').waitFor();
    await page.getByText('As a session chair you edit session 1; the other sessions are read-only for you.').waitFor();

    const s1 = session(page, S1);
    const s2 = session(page, S2);
    await s1.getByText('You can edit this session').waitFor();
    await s2.getByText('Read-only for you').waitFor();
    assert.equal(await s2.getByRole('button', { name: /Edit|Add|Delete|Move/ }).count(), 0, 'session 2 has no edit controls');
    assert.equal(await s1.getByRole('button', { name: 'Delete session 1' }).count(), 0, 'only the secretariat deletes sessions');

    // The session form shows the chairs and times as the secretariat's.
    await s1.getByRole('button', { name: 'Edit session 1' }).click();
    const sf = page.getByRole('form', { name: 'Edit session 1' });
    await sf.getByText('Set by the secretariat').waitFor();
    assert.equal(await sf.getByLabel('Starts').count(), 0, 'a chair does not set the times');
    await sf.getByLabel('Description').fill('National strategies and the protection of critical information infrastructure.');
    await sf.getByRole('button', { name: 'Save changes' }).click();
    await s1.getByText('National strategies and the protection').waitFor();

    await s1.getByRole('button', { name: 'Add an item to session 1' }).click();
    const f = page.getByRole('form', { name: 'New item in session 1' });
    await f.getByLabel('Title', { exact: true }).fill('Questions from the floor');
    await f.getByLabel('Duration (minutes)').fill('10');
    await f.getByRole('button', { name: 'Add item' }).click();
    await item(page, 'Questions from the floor').getByText('10:15').waitFor();
    await shoot(page, 'meetings-chair-en.png');
  });

  it('d. the chair marks items current and a participant’s page follows without reloading', STEP, async () => {
    need('chair', 'meetingId');
    const chair = state.chair;
    const { page } = await newPage('participant');
    state.member = page;
    await signIn(page, MEMBER);
    await page.goto(`/meetings/${state.meetingId}`);
    await heading(page, TITLE).waitFor();
    await page.getByText(/^Agenda, version 1 \(published /).waitFor();
    // The participant reads the published version, not the chair's draft.
    assert.equal(await item(page, 'Questions from the floor').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Edit|Mark current/ }).count(), 0, 'a participant has nothing to edit');
    await page.evaluate(() => {
      window.__loads = performance.getEntriesByType('navigation').length;
    });

    await chair.getByLabel('Timer for the next item (minutes)').fill('5');
    await chair.getByRole('button', { name: 'Mark “Welcome address” as the current item' }).click();
    await item(chair, 'Welcome address').locator('.now-badge').waitFor();

    const now = page.locator('li.item.now');
    await now.filter({ hasText: 'Welcome address' }).waitFor({ timeout: 5000 });
    assert.equal(await now.getAttribute('aria-current'), 'step');
    await page.getByRole('region', { name: 'Current item' }).getByText('Session 1: Welcome address').waitFor();
    await now.getByText(/^[45]:\d\d left$/).waitFor();
    await shoot(page, 'meetings-live-participant-en.png');

    await chair.getByRole('button', { name: 'Mark “National approaches to cybersecurity” as the current item' }).click();
    await now.filter({ hasText: 'National approaches to cybersecurity' }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator('li.item.now').count(), 1, 'one item is current');

    await chair.getByRole('button', { name: 'Stop live' }).click();
    await page.locator('li.item.now').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'the page was not reloaded');
  });

  it('e. a change based on a stale version is refused, and what was typed stays', STEP, async () => {
    need('sec', 'meetingId');
    const page = state.sec;
    await page.reload();
    await heading(page, TITLE).waitFor();
    const it2 = item(page, 'Setting up a national CERT');
    await it2.getByRole('button', { name: 'Edit “Setting up a national CERT”' }).click();
    const f = page.getByRole('form', { name: 'Edit item of session 2' });
    await f.getByLabel('Title', { exact: true }).fill('Setting up a national CERT: lessons learned');

    // Meanwhile someone else changes the meeting.
    const m = await call('GET', `/api/meetings/${state.meetingId}`, state.adminToken);
    const s2 = m.agenda.sessions.find((s) => s.title === S2);
    await call('PATCH', `/api/meetings/${state.meetingId}/sessions/${s2.id}`, state.adminToken, {
      version: m.version,
      description: 'Building national capabilities to watch for, warn of and respond to incidents.',
    });
    await session(page, S2).getByText('Building national capabilities').waitFor();

    await f.getByRole('button', { name: 'Save changes' }).click();
    await f.getByRole('alert').filter({ hasText: 'Someone else changed this meeting since you loaded it.' }).waitFor();
    assert.equal(await f.getByLabel('Title', { exact: true }).inputValue(), 'Setting up a national CERT: lessons learned');
    await shoot(page, 'meetings-conflict-en.png');
    await f.getByRole('button', { name: 'Reload' }).click();
    await f.getByText('The meeting was reloaded.').waitFor();
    assert.equal(await f.getByLabel('Title', { exact: true }).inputValue(), 'Setting up a national CERT: lessons learned');
    await f.getByRole('button', { name: 'Save changes' }).click();
    await f.waitFor({ state: 'detached' });
    await page.locator('li.item', { hasText: 'Setting up a national CERT: lessons learned' }).waitFor();
  });

  it('e2. the secretariat records attendance; the participant sees it and gets a calendar feed', STEP, async () => {
    need('sec', 'member', 'meetingId');
    const sec = state.sec;
    const tabs = (page) => page.getByRole('navigation', { name: 'Meeting sections' });
    await tabs(sec).getByRole('link', { name: 'Attendance' }).click();
    await sec.getByRole('heading', { level: 2, name: 'Attendance' }).waitFor();
    await sec.getByRole('checkbox', { name: MEMBER.name }).check();
    await sec.getByRole('button', { name: 'Save attendance' }).click();
    await sec.getByRole('status').filter({ hasText: /was saved: 1 present\./ }).waitFor();

    const member = state.member;
    await tabs(member).getByRole('link', { name: 'Attendance' }).click();
    await member.getByRole('row', { name: /1 of 1/ }).first().waitFor();
    await member.getByRole('listitem').filter({ hasText: MEMBER.name }).waitFor();
    assert.equal(await member.getByRole('checkbox').count(), 0, 'only the secretariat records attendance');
    await tabs(member).getByRole('link', { name: 'Agenda' }).click();

    await member.getByRole('button', { name: 'My calendar feed' }).click();
    const url = await member.getByLabel('Feed address').inputValue();
    assert.match(url, /\/api\/calendar\/[^/]+\.ics$/);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /BEGIN:VCALENDAR/);
    assert.match(body, /Second facilitation meeting/);
  });

  it('f. an anonymous visitor reads the public agenda in their own time zone', STEP, async () => {
    need('meetingId');
    const { page } = await newPageIn('anonymous', 'America/New_York');
    await page.goto('/meetings');
    await heading(page, 'Meetings').waitFor();
    const upcoming = page.getByRole('region', { name: /^Upcoming and ongoing/ });
    await upcoming.getByRole('link', { name: TITLE }).click();
    await heading(page, TITLE).waitFor();
    await page.getByText(/^Agenda, version 1 \(published /).waitFor();
    await page.getByText('First agenda: two sessions on the first day.').waitFor();
    await page.getByText(`Times are in Central European Time (${ZONE}).`).waitFor();
    // The published version: neither the chair's new item nor the later edits of the draft.
    await item(page, 'Welcome address').waitFor();
    assert.equal(await item(page, 'Questions from the floor').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Edit|Add|Mark current/ }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Discussion' }).count(), 0, 'the discussion needs signing in');
    // Hovering a time shows it in the visitor's zone: Zurich is 5 or 6 hours ahead of New York.
    const time = session(page, S1).locator('time').first();
    assert.equal(await time.innerText(), '09:00–10:30');
    assert.match(await time.getAttribute('title'), /^Your time \(America\/New_York\): \w{3}, \w{3} \d{1,2}, 0[34]:00–0[45]:30$/);
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await shoot(page, 'meetings-public-en.png');

    // A meeting for participants only is not found for anonymous visitors, who are offered sign-in.
    const hidden = await call('POST', '/api/meetings', state.adminToken, {
      title: 'Closed consultation',
      start_date: zoneDate(3),
      end_date: zoneDate(3),
      time_zone: ZONE,
      visibility: 'participants',
    });
    await page.goto(`/meetings/${hidden.id}`);
    await heading(page, 'Meeting not found').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).last().waitFor();
  });

  it('g. the agenda in Arabic on a phone', STEP, async () => {
    need('member', 'meetingId');
    const page = state.member;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    await heading(page, TITLE).waitFor();
    await page.getByRole('heading', { level: 2, name: 'جدول الأعمال' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await shoot(page, 'meetings-participant-ar-390.png');
    await page.getByLabel('اللغة').selectOption('en');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('g2. the secretariat drags an item into the other session', STEP, async () => {
    need('sec');
    const page = state.sec;
    await page.getByRole('navigation', { name: 'Meeting sections' }).getByRole('link', { name: 'Agenda' }).click();
    // Tall enough for both ends of the drag to be on screen at once.
    await page.setViewportSize({ width: 1280, height: 2400 });
    const target = item(page, 'Setting up a national CERT');
    const box = await target.boundingBox();
    await session(page, S1).getByRole('button', { name: /^Move “Break” \(drag/ }).dragTo(target, { targetPosition: { x: 20, y: box.height - 4 } });
    await session(page, S2).locator('li.item.break').waitFor();
    assert.equal(await session(page, S1).locator('li.item.break').count(), 0);
    // It starts when the item before it in its new session ends.
    await session(page, S2).locator('li.item.break').getByText('11:45').waitFor();
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('g3. an item removed by someone else while the chair edits it: what the chair typed stays on the page', STEP, async () => {
    need('chair', 'meetingId');
    const page = state.chair;
    let m = await call('GET', `/api/meetings/${state.meetingId}`, state.adminToken);
    const s1 = m.agenda.sessions.find((s) => s.title === S1);
    m = await call('POST', `/api/meetings/${state.meetingId}/sessions/${s1.id}/items`, state.adminToken, {
      version: m.version,
      title: 'Closing remarks',
      duration: 5,
    });
    const added = m.agenda.sessions.find((s) => s.id === s1.id).items.find((i) => i.title === 'Closing remarks');
    await page.goto(`/meetings/${state.meetingId}`);
    await heading(page, TITLE).waitFor();
    await item(page, 'Closing remarks').getByRole('button', { name: 'Edit “Closing remarks”' }).click();
    const f = page.getByRole('form', { name: 'Edit item of session 1' });
    await f.getByLabel('Notes').fill('Thank the host country and the interpreters.');

    await call('DELETE', `/api/meetings/${state.meetingId}/sessions/${s1.id}/items/${added.id}?version=${m.version}`, state.adminToken);
    await f.waitFor({ state: 'detached' });
    const kept = page.getByRole('alert').filter({ hasText: 'removed by someone else while you were editing' });
    await kept.getByText('Notes: Thank the host country and the interpreters.').waitFor();
    await kept.screenshot({ path: path.join(screenshotDir, 'meetings-unsaved-en.png') });
    await kept.getByRole('button', { name: 'Dismiss' }).click();
    await kept.waitFor({ state: 'detached' });
  });

  it('h. no page reported an error', () => {
    assert.deepEqual(problems, []);
  });
});
