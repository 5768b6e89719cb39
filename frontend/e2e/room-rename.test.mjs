// Renaming a topic of a discussion room, live in two browsers: a chair of the
// group renames a topic (and merges another into it) while a member reads it;
// the member's view follows. Same helpers as room.test.mjs: the real server
// binary (server.mjs) and Debian's Chromium; set-up goes through the HTTP API.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 90_000 };
const GROUP = 'Open Science Working Group';
const CHAIR = { email: 'ines@example.org', name: 'Inès Martin', password: 'ines-password-123' };
const MEMBER = { email: 'kofi@example.org', name: 'Kofi Mensah', password: 'kofi-password-123' };

describe('Renaming a topic in two browsers', () => {
  let server;
  let browser;
  const problems = [];
  const state = {};

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  const newPage = (name) => openPage(browser, server.url, name, problems);
  const need = (...keys) => requireState(state, ...keys);

  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const messages = (page, text) => page.getByRole('log').locator('article.msg', { hasText: text });
  const connection = (page) => page.getByRole('status', { name: 'Connection' });
  const topicsPane = (page) => page.getByRole('complementary', { name: 'Topics' });
  const topicButton = (page, name) => topicsPane(page).getByRole('button', { name: new RegExp(`^${esc(name)}`) });
  const renameButton = (page, name) => topicsPane(page).getByRole('button', { name: `Rename the topic ${name}`, exact: true });
  const renameForm = (page, name) => topicsPane(page).getByRole('form', { name: `Rename the topic ${name}`, exact: true });
  const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);

  async function post(page, topic, body) {
    await topicButton(page, topic).click();
    await page.getByRole('heading', { level: 2, name: topic }).waitFor();
    const composer = page.getByLabel(`Message to ${topic}`);
    await composer.fill(body);
    await composer.press('Enter');
    await messages(page, body).first().waitFor();
    await messages(page, body).getByText('Sending…').waitFor({ state: 'detached' });
  }

  async function openTopic(page, topic) {
    await page.getByLabel('New topic').fill(topic);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: topic }).waitFor();
  }

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();

    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const tok = admin.access_token;
    const area = await call('POST', '/api/focus-areas', tok, { name: 'Science Policy', description: '' });
    const group = await call('POST', '/api/groups', tok, {
      name: GROUP,
      focus_area: area.id,
      description: 'Open access, open data and open review.',
      visibility: 'private',
    });
    state.groupId = group.id;
    for (const [p, role] of [
      [CHAIR, 'chair'],
      [MEMBER, 'member'],
    ]) {
      const inv = await call('POST', '/api/invitations', tok, { email: p.email, group_id: group.id, group_role: role });
      await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. the chair and a member talk in two topics', STEP, async () => {
    const a = await newPage('chair');
    const b = await newPage('member');
    Object.assign(state, { chair: a.page, member: b.page });
    await signIn(a.page, CHAIR);
    await signIn(b.page, MEMBER);
    for (const page of [a.page, b.page]) {
      await page.goto(`/groups/${state.groupId}/room`);
      await connection(page).getByText('Connected').waitFor();
    }
    await openTopic(a.page, 'Agenda');
    await post(a.page, 'Agenda', 'First item: the open data policy.');
    await openTopic(a.page, 'Budget');
    await post(a.page, 'Budget', 'The budget draft is attached.');
    await messages(b.page, 'The budget draft').waitFor();
    // The chair follows every topic; the member reads Budget, then Agenda, to the end.
    await topicButton(a.page, 'All topics').click();
    await topicButton(b.page, 'Budget').click();
    await b.page.getByRole('heading', { level: 2, name: 'Budget' }).waitFor();
    await topicButton(b.page, 'Budget').getByText(/unread/).waitFor({ state: 'detached' });
    await post(b.page, 'Agenda', 'Second item: peer review.');
    await messages(a.page, 'Second item').waitFor();
    await topicButton(b.page, 'Agenda').getByText(/unread/).waitFor({ state: 'detached' });
  });

  it('b. only the chair is offered Rename; the form takes the focus and Escape gives it back', STEP, async () => {
    need('chair', 'member');
    const { chair, member } = state;
    assert.equal(await topicsPane(member).getByRole('button', { name: /^Rename the topic/ }).count(), 0, 'a member cannot rename');

    const rename = renameButton(chair, 'Agenda');
    await rename.focus();
    await chair.keyboard.press('Enter');
    const form = renameForm(chair, 'Agenda');
    const input = form.getByLabel('New name');
    await input.waitFor();
    assert.equal(await isFocused(input), true, 'the focus moves into the form');
    assert.equal(await input.inputValue(), 'Agenda');
    await chair.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await chair.waitForFunction(() => document.activeElement?.getAttribute('data-rename-topic') === 'Agenda');
    assert.equal(await isFocused(renameButton(chair, 'Agenda')), true, 'the focus returns to Rename');
  });

  it('c. an invalid name is refused accessibly', STEP, async () => {
    need('chair');
    const { chair } = state;
    await renameButton(chair, 'Agenda').click();
    const form = renameForm(chair, 'Agenda');
    const input = form.getByLabel('New name');
    await input.fill('   ');
    await form.getByRole('button', { name: 'Rename', exact: true }).click();
    const alert = form.getByRole('alert');
    await alert.getByText('A topic name has 1 to 60 characters.').waitFor();
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.match(await input.getAttribute('aria-describedby'), /\brename-error\b/);
    assert.equal(await alert.getAttribute('id'), 'rename-error');
    assert.equal(await isFocused(input), true);
    // A name of an existing topic announces the merge.
    await input.fill('Budget');
    await form.getByText('A topic of this name exists: the two will be merged.').waitFor();
    assert.equal(await input.getAttribute('aria-invalid'), null, 'typing clears the error');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });
  });

  it('d. the chair renames Agenda; the member’s view follows live', STEP, async () => {
    need('chair', 'member');
    const { chair, member } = state;
    await renameButton(chair, 'Agenda').click();
    const input = renameForm(chair, 'Agenda').getByLabel('New name');
    await input.fill('Programme of work');
    await input.press('Enter');
    await renameForm(chair, 'Agenda').waitFor({ state: 'detached' });
    await topicButton(chair, 'Programme of work').waitFor();
    await chair.waitForFunction(() => document.activeElement?.getAttribute('data-rename-topic') === 'Programme of work');

    // The member was reading Agenda: the list, the heading and the messages follow.
    await topicButton(member, 'Programme of work').waitFor();
    await topicButton(member, 'Agenda').waitFor({ state: 'detached' });
    await member.getByRole('heading', { level: 2, name: 'Programme of work' }).waitFor();
    assert.equal(await topicButton(member, 'Programme of work').getAttribute('aria-current'), 'true', 'the selection follows');
    assert.equal(await member.getByRole('log').getAttribute('aria-label'), 'Messages in Programme of work');
    await messages(member, 'First item').waitFor();
    await messages(member, 'Second item').waitFor();
    await member.getByRole('status').getByText('The topic Agenda is now called Programme of work.').waitFor({ state: 'attached' });
    // The member can go on writing in it.
    await post(member, 'Programme of work', 'Third item: preprints.');
    await messages(chair, 'Third item').waitFor();

    // In "All topics" every message is tagged with the new name.
    await topicButton(member, 'All topics').click();
    for (const text of ['First item', 'Second item', 'Third item']) {
      await messages(member, text).getByText('in Programme of work').waitFor();
    }
    assert.equal(await member.getByRole('log').getByText('in Agenda').count(), 0);
    await shoot(member, 'room-rename-en.png');
  });

  it('e. renaming into an existing topic merges the two', STEP, async () => {
    need('chair', 'member');
    const { chair, member } = state;
    await topicButton(member, 'Budget').click();
    await member.getByRole('heading', { level: 2, name: 'Budget' }).waitFor();

    await renameButton(chair, 'Budget').click();
    const input = renameForm(chair, 'Budget').getByLabel('New name');
    await input.fill('Programme of work');
    await input.press('Enter');
    await renameForm(chair, 'Budget').waitFor({ state: 'detached' });

    await topicButton(member, 'Budget').waitFor({ state: 'detached' });
    await member.getByRole('heading', { level: 2, name: 'Programme of work' }).waitFor();
    assert.equal(await topicsPane(member).getByRole('button', { name: /^Programme of work/ }).count(), 1, 'one topic of that name');
    for (const text of ['First item', 'Second item', 'Third item', 'The budget draft']) await messages(member, text).waitFor();
    await topicButton(chair, 'Budget').waitFor({ state: 'detached' });
    await renameButton(chair, 'Programme of work').waitFor();
    await shoot(chair, 'room-rename-chair-en.png');
  });

  it('f. after a reload the new name stays and nothing read turns unread', STEP, async () => {
    need('chair', 'member');
    const { chair, member } = state;
    await member.reload();
    await connection(member).getByText('Connected').waitFor();
    await topicButton(member, 'Programme of work').waitFor();
    assert.equal(await topicButton(member, 'Agenda').count(), 0);
    assert.equal(await topicButton(member, 'Budget').count(), 0);
    await messages(member, 'The budget draft').getByText('in Programme of work').waitFor();
    assert.equal(await topicButton(member, 'Programme of work').getByText(/unread/).count(), 0, 'the read position moved with the topic');

    // Arabic: the rename form reads right to left.
    await chair.getByLabel('Language', { exact: true }).selectOption('ar');
    await chair.getByRole('heading', { level: 1, name: /النقاش/ }).waitFor();
    const pane = chair.getByRole('complementary', { name: 'المواضيع' });
    await pane.getByRole('button', { name: 'إعادة تسمية الموضوع Programme of work' }).click();
    const form = pane.getByRole('form', { name: 'إعادة تسمية الموضوع Programme of work' });
    await form.getByLabel('الاسم الجديد').waitFor();
    assert.equal(await form.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    await shoot(chair, 'room-rename-ar.png');
    await chair.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await chair.getByLabel('اللغة').selectOption('en');
  });

  it('no page reported a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
