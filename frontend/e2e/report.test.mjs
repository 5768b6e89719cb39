// A Chairman's Report edited live in two browsers (docs/api.md "Reports",
// docs/protocol.md "ShareDB endpoint"): a chair and a named drafter type at
// once, see each other's cursors, and end with the same text; one goes
// offline, keeps typing, and their changes are sent on reconnect. Set-up goes
// through the HTTP API; the people sign in through the UI. Runs the real
// server binary (see server.mjs) and Debian's Chromium.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 90_000 };
const GROUP = 'Legal Measures Working Group';
const TITLE = "Chairman's Report 2026";
const CHAIR = { email: 'amina@example.org', name: 'Amina Diallo', password: 'amina-password-123' };
const DRAFTER = { email: 'pierre@example.org', name: 'Pierre Martin', password: 'pierre-password-123' };

/** editorText reads the editor's text, without the others' cursor labels. */
function editorText(page) {
  return page.evaluate(() => {
    const root = document.querySelector('.editor')?.shadowRoot;
    if (!root) return null;
    return [...root.querySelectorAll('.cm-line')]
      .map((line) => {
        const copy = line.cloneNode(true);
        copy.querySelectorAll('.cm-remote-caret').forEach((c) => c.remove());
        return copy.textContent;
      })
      .join('\n');
  });
}

describe("The Chairman's Report in two browsers", () => {
  let server;
  let browser;
  const problems = [];
  const state = {};

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  const newPage = (name) => openPage(browser, server.url, name, problems);
  const need = (...keys) => requireState(state, ...keys);
  const sync = (page) => page.getByRole('status', { name: 'Sync status' });
  const content = (page) => page.locator('.editor .cm-content');

  /** converge waits until both pages show the same text containing every part, with everything saved. */
  async function converge(a, b, parts) {
    const deadline = Date.now() + 20_000;
    let ta;
    let tb;
    while (Date.now() < deadline) {
      ta = await editorText(a);
      tb = await editorText(b);
      if (ta === tb && parts.every((p) => ta.includes(p))) break;
      await a.waitForTimeout(200);
    }
    assert.equal(tb, ta, 'both editors hold the same text');
    for (const p of parts) assert.ok(ta.includes(p), `the text has "${p}": ${ta}`);
    await sync(a).getByText('All changes saved').waitFor();
    await sync(b).getByText('All changes saved').waitFor();
    return ta;
  }

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const tok = admin.access_token;
    state.adminToken = tok;
    const area = await call('POST', '/api/focus-areas', tok, { name: 'Legal measures', description: '' });
    const group = await call('POST', '/api/groups', tok, { name: GROUP, focus_area: area.id, description: '', visibility: 'private' });
    state.groupId = group.id;
    const ids = {};
    for (const [p, role] of [
      [CHAIR, 'chair'],
      [DRAFTER, 'member'],
    ]) {
      const inv = await call('POST', '/api/invitations', tok, { email: p.email, group_id: group.id, group_role: role });
      const accepted = await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
      ids[p.email] = accepted.user.id;
    }
    const report = await call('POST', '/api/reports', tok, { title: TITLE, group_id: group.id });
    await call('PUT', `/api/reports/${report.id}/drafters`, tok, { user_ids: [ids[DRAFTER.email]] });
    state.reportId = report.id;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. the chair finds the report on the group page and both open it', STEP, async () => {
    need('groupId', 'reportId');
    const a = await newPage('chair');
    const b = await newPage('drafter');
    Object.assign(state, { chair: a.page, drafter: b.page, drafterContext: b.context });
    await signIn(a.page, CHAIR);
    await signIn(b.page, DRAFTER);

    await a.page.goto(`/groups/${state.groupId}`);
    const reports = a.page.getByRole('region', { name: 'Reports' });
    await reports.getByRole('heading', { name: 'New report' }).waitFor();
    await reports.getByRole('link', { name: TITLE }).click();
    assert.equal(new URL(a.page.url()).pathname, `/reports/${state.reportId}`);
    await a.page.getByRole('heading', { level: 1, name: TITLE }).waitFor();

    // The drafter (a member) sees the report but no form to create one.
    await b.page.goto(`/groups/${state.groupId}`);
    const theirs = b.page.getByRole('region', { name: 'Reports' });
    await theirs.getByRole('link', { name: TITLE }).waitFor();
    assert.equal(await theirs.getByRole('heading', { name: 'New report' }).count(), 0);
    await b.page.goto(`/reports/${state.reportId}`);

    for (const page of [a.page, b.page]) {
      await content(page).waitFor();
      await sync(page).getByText('All changes saved').waitFor();
      assert.equal(await content(page).getAttribute('contenteditable'), 'true');
    }
  });

  it('b. both type at once and end with the same text', STEP, async () => {
    need('chair', 'drafter');
    const { chair, drafter } = state;
    await content(chair).click();
    await chair.keyboard.type('# Report 🙂 of the chair\n');
    await content(drafter).click();
    await drafter.keyboard.press('Control+End');
    await Promise.all([chair.keyboard.type('Opening by the chair. '), drafter.keyboard.type('Drafter notes 👩‍👩‍👧 here. ')]);
    await converge(chair, drafter, ['# Report 🙂 of the chair', 'Opening by the chair. ', 'Drafter notes 👩‍👩‍👧 here. ']);

    // Each sees the other's cursor with their name, and who else is here.
    await chair.locator('.editor .cm-remote-name', { hasText: DRAFTER.name }).waitFor();
    await drafter.locator('.editor .cm-remote-name', { hasText: CHAIR.name }).waitFor();
    await chair.getByRole('region', { name: 'Also here' }).getByText(DRAFTER.name).waitFor();
    await shoot(chair, 'report-en.png');
  });

  it('b2. the preview beside the editor numbers paragraphs, not headings, and shows footnotes', STEP, async () => {
    need('chair', 'drafter');
    const { chair, drafter } = state;
    await content(chair).click();
    await chair.keyboard.press('Control+End');
    await chair.keyboard.type('\n\nThe meeting agreed on the way forward.[^1]\n\nاتفق المشاركون على الخطوات التالية.\n\n[^1]: See the agenda.');
    await sync(chair).getByText('All changes saved').waitFor();
    for (const page of [chair, drafter]) {
      const preview = page.getByRole('region', { name: /^Preview/ });
      await preview.locator('#para-3').waitFor();
      await preview.getByRole('heading', { name: 'Report 🙂 of the chair' }).waitFor();
      assert.equal(await preview.locator('h1 .para-num').count(), 0, 'headings are not numbered');
      // Both typed the first paragraph at once: their sentences may come in either order.
      const first = await preview.locator('#para-1').textContent();
      assert.match(first, /^1\.\s*\S/);
      assert.ok(first.includes('Opening by the chair.') && first.includes('Drafter notes'), first);
      assert.match(await preview.locator('#para-2').textContent(), /^2\.\s*The meeting agreed on the way forward\./);
      assert.equal(await preview.locator('#para-3').getAttribute('dir'), 'auto');
      await preview.locator('.footnotes').getByText('See the agenda.').waitFor();
    }
    await shoot(chair, 'report-preview-en.png');
  });

  it('c. offline edits are kept, shown as such, and sent on reconnect', STEP, async () => {
    need('chair', 'drafter', 'drafterContext');
    const { chair, drafter, drafterContext } = state;
    await drafterContext.setOffline(true);
    await sync(drafter).getByText(/^Offline/).waitFor();
    await content(drafter).click();
    await drafter.keyboard.press('Control+End');
    await drafter.keyboard.type('Written offline ✈️.');
    await sync(drafter).getByText(/^Offline — \d+ changes? kept, will be sent$/).waitFor();
    const offlineStatus = await sync(drafter).textContent();
    await shoot(drafter, 'report-offline-en.png');

    // Meanwhile the chair goes on; the drafter does not see it yet.
    await content(chair).click();
    await chair.keyboard.press('Control+Home');
    await chair.keyboard.type('Draft. ');
    await sync(chair).getByText('All changes saved').waitFor();
    assert.ok(!(await editorText(drafter)).includes('Draft. '), 'the offline drafter has not received the chair\'s change');
    assert.ok(!(await editorText(chair)).includes('Written offline'), `the chair has not received offline edits (${offlineStatus})`);

    await drafterContext.setOffline(false);
    await converge(chair, drafter, ['Draft. ', 'Written offline ✈️.', 'Drafter notes 👩‍👩‍👧 here. ']);
    // The drafter's cursor is back after the reconnect.
    await drafter.keyboard.press('ArrowLeft');
    await chair.locator('.editor .cm-remote-name', { hasText: DRAFTER.name }).waitFor();
  });

  it('d. a closed tab takes its cursor away', STEP, async () => {
    need('chair', 'drafter');
    await state.drafter.close();
    await state.chair.locator('.editor .cm-remote-name', { hasText: DRAFTER.name }).waitFor({ state: 'detached' });
    await state.chair.getByText('Nobody else has the report open.').waitFor();
  });

  it('d2. the chair names the drafters among the members who are not chairs', STEP, async () => {
    need('chair');
    const page = state.chair;
    const facts = page.locator('dl.facts');
    await facts.getByText(DRAFTER.name).waitFor();
    await page.getByRole('button', { name: 'Name drafters…' }).click();
    const form = page.getByRole('form', { name: 'Name drafters' });
    const box = form.getByRole('checkbox', { name: DRAFTER.name });
    assert.equal(await box.isChecked(), true, 'the current drafter is ticked');
    assert.equal(await form.getByRole('checkbox', { name: CHAIR.name }).count(), 0, 'chairs are not offered: they edit anyway');
    await box.uncheck();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    assert.equal(await facts.getByText(DRAFTER.name).count(), 0, 'no drafters listed any more');
    const r = await call('GET', `/api/reports/${state.reportId}`, state.adminToken);
    assert.deepEqual(r.drafters, []);
    // Put the drafter back for good measure, through the same form.
    await page.getByRole('button', { name: 'Name drafters…' }).click();
    await form.getByRole('checkbox', { name: DRAFTER.name }).check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await facts.getByText(DRAFTER.name).waitFor();
  });

  it('d3. the history opens any version read-only and restores one as a new edit', STEP, async () => {
    need('chair', 'reportId');
    const page = state.chair;
    const before = await editorText(page);
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('region', { name: 'History' });
    const created = history.getByRole('button', { name: /Created by/ });
    await created.waitFor();
    // The editing so far is one burst, by both people.
    const burst = history.getByRole('listitem').first().getByRole('button');
    await burst.getByText(`${CHAIR.name}, ${DRAFTER.name}`).or(burst.getByText(`${DRAFTER.name}, ${CHAIR.name}`)).waitFor();
    await burst.click();
    await history.getByRole('article').locator('#para-2').waitFor();
    await history.getByRole('button', { name: 'Changes in this step' }).click();
    await history.locator('.changes ins', { hasText: 'Written offline' }).first().waitFor();
    await shoot(page, 'report-history-en.png');

    // Back to the empty report of the creation, then back to the text again: two new edits.
    await created.click();
    await history.getByRole('button', { name: 'Restore this version' }).click();
    await page.getByRole('dialog', { name: 'Restore version 1?' }).getByRole('button', { name: 'Restore this version' }).click();
    await page.getByText('The text of version 1 is back').waitFor();
    await page.getByRole('tab', { name: 'Text' }).click();
    await page.waitForFunction(() => document.querySelector('.editor')?.shadowRoot?.querySelector('.cm-content')?.textContent === '');
    await page.getByRole('tab', { name: 'History' }).click();
    const restoredEntry = history.getByRole('button', { name: /restored version 1/ });
    await restoredEntry.waitFor();
    // The burst before the restore is still there, whole.
    await history.getByRole('listitem').nth(1).getByRole('button').click();
    await history.getByRole('button', { name: 'Restore this version' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore this version' }).click();
    await page.getByRole('tab', { name: 'Text' }).click();
    let text = '';
    for (let i = 0; i < 50 && text !== before; i++) {
      await page.waitForTimeout(100);
      text = await editorText(page);
    }
    assert.equal(text, before, 'restoring the burst brings the whole text back');
    await sync(page).getByText('All changes saved').waitFor();
  });

  it('d4. in Arabic the page reads right to left, and English paragraphs keep their direction', STEP, async () => {
    need('chair');
    const page = state.chair;
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    await page.getByRole('tab', { name: 'النص' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    const preview = page.getByRole('region', { name: /^معاينة/ });
    await preview.locator('#para-1').waitFor();
    // dir="auto": an English paragraph stays left to right inside the Arabic page.
    assert.equal(await preview.locator('#para-1').evaluate((p) => getComputedStyle(p).direction), 'ltr');
    await shoot(page, 'report-preview-ar.png');
    await page.getByRole('tab', { name: 'السجل' }).click();
    await page.getByRole('region', { name: 'السجل' }).getByRole('button', { name: /أنشأه/ }).waitFor();
    await shoot(page, 'report-history-ar.png');
    await page.getByLabel('اللغة', { exact: true }).selectOption('en');
  });

  it('e. no console errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
