// Live discussion rooms in two browsers: two members of a group talk in its
// room over the realtime websocket (docs/protocol.md). Set-up goes through
// the HTTP API; the people sign in through the UI. Runs the real server
// binary (see server.mjs) and Debian's Chromium.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 90_000 };
const GROUP = 'Media Literacy Working Group';
const MEI = { email: 'mei@example.org', name: 'Mei Lin', password: 'mei-password-123' };
const OMAR = { email: 'omar@example.org', name: 'Omar Haddad', password: 'omar-password-123' };

describe('Discussion rooms in two browsers', () => {
  let server;
  let browser;
  const problems = [];
  const state = {};

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  const newPage = (name) => openPage(browser, server.url, name, problems);
  const need = (...keys) => requireState(state, ...keys);

  const messages = (page, text) => page.getByRole('log').locator('article.msg', { hasText: text });
  const connection = (page) => page.getByRole('status', { name: 'Connection' });
  const topicButton = (page, name) => page.getByRole('complementary', { name: 'Topics' }).getByRole('button', { name: new RegExp(`^${name}`) });

  /** exactlyOnce waits for text to appear in page's message log and checks that it stays there once. */
  async function exactlyOnce(page, text) {
    await messages(page, text).first().waitFor();
    await page.waitForTimeout(800);
    assert.equal(await messages(page, text).count(), 1, `"${text}" is shown once`);
  }

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();

    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const tok = admin.access_token;
    state.adminToken = tok;
    const area = await call('POST', '/api/focus-areas', tok, { name: 'Information for All', description: '' });
    const group = await call('POST', '/api/groups', tok, {
      name: GROUP,
      focus_area: area.id,
      description: 'Curricula and guidance on media and information literacy.',
      visibility: 'private',
    });
    state.groupId = group.id;
    for (const p of [MEI, OMAR]) {
      const inv = await call('POST', '/api/invitations', tok, { email: p.email, group_id: group.id, group_role: 'member' });
      const accepted = await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
      state[p === OMAR ? 'omarId' : 'meiId'] = accepted.user.id;
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. both members open the room and see each other online', STEP, async () => {
    const a = await newPage('mei');
    const b = await newPage('omar');
    Object.assign(state, { mei: a.page, meiContext: a.context, omar: b.page, omarContext: b.context });
    await signIn(a.page, MEI);
    await signIn(b.page, OMAR);

    // The card of the group leads to its discussion.
    const card = b.page.getByRole('region', { name: 'My groups' });
    await card.getByRole('link', { name: 'Discussion' }).click();
    assert.equal(new URL(b.page.url()).pathname, `/groups/${state.groupId}/room`);
    await b.page.getByRole('heading', { level: 1, name: new RegExp(GROUP) }).waitFor();
    await connection(b.page).getByText('Connected').waitFor();

    // Mei opens it from the group page's Discussion tab.
    await a.page.goto(`/groups/${state.groupId}`);
    await a.page.getByRole('navigation', { name: 'Group sections' }).getByRole('link', { name: 'Discussion' }).click();
    await connection(a.page).getByText('Connected').waitFor();

    const online = b.page.getByRole('complementary', { name: 'Online now' });
    await online.getByText(MEI.name).waitFor();
    await online.getByText(OMAR.name).waitFor();
    assert.equal(await online.getByText(MEI.name).count(), 1, 'each person is listed once');
  });

  it('b. a message in a new topic arrives live, exactly once', STEP, async () => {
    need('mei', 'omar');
    const { mei, omar } = state;
    await mei.getByLabel('New topic').fill('Agenda');
    await mei.getByRole('button', { name: 'Open', exact: true }).click();
    await mei.getByRole('heading', { level: 2, name: 'Agenda' }).waitFor();
    const composer = mei.getByLabel('Message to Agenda');
    await composer.fill('Welcome to the **first** meeting of the group.');
    // The preview formats the Markdown and escapes the rest.
    await mei.getByRole('button', { name: 'Preview' }).click();
    assert.equal(await mei.locator('.preview strong').innerText(), 'first');
    await mei.getByRole('button', { name: 'Preview' }).click();
    await composer.press('Enter');
    await exactlyOnce(omar, 'Welcome to the first meeting of the group.');
    await exactlyOnce(mei, 'Welcome to the first meeting of the group.');
    // The server's html is rendered, and the body reads in its own direction.
    const body = messages(omar, 'Welcome to the first').locator('.body');
    assert.equal(await body.getAttribute('dir'), 'auto');
    assert.equal(await body.locator('strong').innerText(), 'first');
    await topicButton(omar, 'Agenda').waitFor();
    assert.equal(await omar.getByRole('log').getAttribute('aria-live'), 'polite');
  });

  it('c. typing shows on the other side and expires', STEP, async () => {
    need('mei', 'omar');
    const { mei, omar } = state;
    const composer = mei.getByLabel('Message to Agenda');
    await composer.pressSequentially('I am writing the min', { delay: 20 });
    await omar.getByText('Mei Lin is typing…').waitFor();
    await composer.fill('');
    await omar.getByText('Mei Lin is typing…').waitFor({ state: 'detached', timeout: 8000 });
  });

  it('d. a message written offline is kept, then sent once when back online', STEP, async () => {
    need('mei', 'omar', 'meiContext');
    const { mei, omar, meiContext } = state;
    await meiContext.setOffline(true);
    await connection(mei).getByText(/Offline/).waitFor();
    const composer = mei.getByLabel('Message to Agenda');
    await composer.fill('Written while offline.');
    await composer.press('Enter');
    const pending = messages(mei, 'Written while offline.');
    await pending.getByText('Sending…').waitFor();
    await connection(mei).getByText('Offline — 1 unsent message kept').waitFor();
    // Omar sees Mei leave (the server notices the dropped connection).
    await omar.getByRole('complementary', { name: 'Online now' }).getByText(MEI.name).waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await messages(omar, 'Written while offline.').count(), 0);
    await shoot(mei, 'room-offline-en.png');

    await meiContext.setOffline(false);
    await connection(mei).getByText('Connected').waitFor();
    await pending.getByText('Sending…').waitFor({ state: 'detached' });
    await exactlyOnce(omar, 'Written while offline.');
    await exactlyOnce(mei, 'Written while offline.');
    await omar.getByRole('complementary', { name: 'Online now' }).getByText(MEI.name).waitFor();
  });

  it('e. a message in another topic is unread for the other person', STEP, async () => {
    need('mei', 'omar');
    const { mei, omar } = state;
    await topicButton(omar, 'Agenda').click();
    await omar.getByRole('heading', { level: 2, name: 'Agenda' }).waitFor();

    await mei.getByLabel('New topic').fill('Budget');
    await mei.getByRole('button', { name: 'Open', exact: true }).click();
    const composer = mei.getByLabel('Message to Budget');
    await composer.fill('The draft budget is ready for');
    await composer.pressSequentially(' @om');
    const options = mei.getByRole('listbox', { name: 'People to mention' });
    await options.getByRole('option', { name: OMAR.name }).waitFor();
    assert.equal(await options.getByRole('option', { name: MEI.name }).count(), 0, 'one does not mention oneself');
    await composer.press('Enter'); // picks the person
    assert.equal(await composer.inputValue(), 'The draft budget is ready for @**Omar Haddad** ');
    await composer.press('Enter'); // sends

    const budget = topicButton(omar, 'Budget');
    await budget.waitFor();
    await budget.getByText('1 unread').waitFor({ state: 'attached' });
    await budget.getByText('1 mention of you').waitFor({ state: 'attached' });
    // Agenda, which Omar is reading, has nothing unread.
    assert.equal(await topicButton(omar, 'Agenda').getByText(/unread/).count(), 0);
    // The navigation and the group's card count it too; the connection stays up across pages.
    const home = omar.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Home.*1 unread/ });
    await home.click();
    await omar.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await omar.getByRole('region', { name: 'My groups' }).getByRole('link', { name: /^Discussion\W*1 unread$/ }).click();
    await connection(omar).getByText('Connected').waitFor();

    // Reading the topic clears the count, here and in the navigation.
    await budget.click();
    await exactlyOnce(omar, 'The draft budget is ready');
    await budget.getByText(/unread/).waitFor({ state: 'detached' });
    await omar.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home', exact: true }).waitFor();
  });

  it('f. a reaction toggles and an edit is marked', STEP, async () => {
    need('mei', 'omar');
    const { mei, omar } = state;
    await topicButton(omar, 'All topics').click();
    await topicButton(mei, 'All topics').click();
    const msgB = messages(omar, 'Welcome to the first meeting');
    await msgB.getByRole('button', { name: 'Add a reaction' }).click();
    await msgB.getByRole('button', { name: 'React with 👍' }).click();
    const mine = msgB.getByRole('button', { name: /^👍 1/ });
    await mine.waitFor();
    assert.equal(await mine.getAttribute('aria-pressed'), 'true');
    // Mei sees it, not pressed for her.
    const theirs = messages(mei, 'Welcome to the first meeting').getByRole('button', { name: /^👍 1/ });
    await theirs.waitFor();
    assert.equal(await theirs.getAttribute('aria-pressed'), 'false');
    // Clicking again takes it back.
    await mine.click();
    await msgB.getByRole('button', { name: /^👍/ }).waitFor({ state: 'detached' });
    await messages(mei, 'Welcome to the first meeting').getByRole('button', { name: /^👍/ }).waitFor({ state: 'detached' });

    // Mei edits her message; Omar sees the new text marked as edited.
    const seq = await messages(mei, 'Welcome to the first meeting').getAttribute('data-seq');
    const msgA = mei.locator(`article.msg[data-seq="${seq}"]`);
    await msgA.getByRole('button', { name: `Actions for the message of ${MEI.name}` }).click();
    await msgA.getByRole('button', { name: 'Edit' }).click();
    const edit = msgA.getByLabel('Edit your message');
    await edit.fill('Welcome to the first meeting of the group. Agenda below.');
    await edit.press('Enter');
    const edited = messages(omar, 'Agenda below.');
    await edited.getByText('(edited)').waitFor();
    assert.equal(await messages(omar, 'Welcome to the first meeting').count(), 1);
    // Mei deletes a message; both see the tombstone.
    const seq2 = await messages(mei, 'Written while offline.').getAttribute('data-seq');
    const gone = mei.locator(`article.msg[data-seq="${seq2}"]`);
    await gone.getByRole('button', { name: /Actions for the message/ }).click();
    await gone.getByRole('button', { name: 'Delete' }).click();
    await mei.getByRole('dialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
    await gone.getByText('This message was deleted.').waitFor();
    await omar.locator(`article.msg[data-seq="${seq2}"]`).getByText('This message was deleted.').waitFor();
    assert.equal(await messages(omar, 'Written while offline.').count(), 0);

    // Only one's own messages offer Edit.
    const other = messages(omar, 'Agenda below.');
    assert.equal(await other.getByRole('button', { name: /Actions for the message/ }).count(), 0, 'a member cannot act on others’ messages');
  });

  it('g. screenshots in English and Arabic', STEP, async () => {
    need('mei', 'omar');
    const { mei, omar } = state;
    // After a reload both are back, with the whole discussion.
    await mei.reload();
    await omar.reload();
    await connection(mei).getByText('Connected').waitFor();
    await connection(omar).getByText('Connected').waitFor();
    await exactlyOnce(omar, 'Agenda below.');
    await messages(omar, 'Agenda below.').getByText('(edited)').waitFor();
    assert.equal(await omar.getByText('This message was deleted.').count(), 1);
    const composer = mei.getByLabel(/^Message to/);
    await mei.getByLabel('Topic', { exact: true }).fill('Agenda');
    await composer.fill('مرحبًا بالجميع، the *draft* agenda is at https://example.org/agenda — ملاحظاتكم مرحّب بها.');
    await composer.press('Enter');
    await exactlyOnce(omar, 'ملاحظاتكم');
    await mei.waitForTimeout(1000); // the server passes one typing signal a second
    await mei.getByLabel(/^Message to/).pressSequentially('Thanks', { delay: 20 });
    await omar.getByText('Mei Lin is typing…').waitFor();
    await shoot(omar, 'room-en.png');

    await omar.getByLabel('Language', { exact: true }).selectOption('ar');
    await omar.getByRole('heading', { level: 1, name: /النقاش/ }).waitFor();
    assert.equal(await omar.getByRole('log').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    await shoot(omar, 'room-ar.png');
    await omar.getByLabel('اللغة').selectOption('en');
    await mei.getByLabel(/^Message to/).fill('');
  });

  it('h. scrolling up loads earlier messages', { timeout: 120_000 }, async () => {
    need('mei', 'omar', 'groupId');
    const { mei, omar } = state;
    // 55 messages from Mei, straight over a websocket of her own (the server passes 20 posts per 10 s).
    const login = await call('POST', '/api/auth/login', null, { email: MEI.email, password: MEI.password });
    const { ticket } = await call('POST', '/api/ws-ticket', login.access_token);
    await mei.evaluate(
      async ({ ticket, room, n }) => {
        const ws = new WebSocket(`ws://${location.host}/api/ws?ticket=${encodeURIComponent(ticket)}`);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const waiting = new Map();
        ws.onmessage = (ev) => {
          for (const line of String(ev.data).split('\n')) {
            if (!line) continue;
            const env = JSON.parse(line);
            const w = waiting.get(env.id);
            if (w) {
              waiting.delete(env.id);
              w(env);
            }
          }
        };
        const ask = (env) =>
          new Promise((resolve) => {
            waiting.set(env.id, resolve);
            ws.send(JSON.stringify(env));
          });
        for (let i = 1; i <= n; i++) {
          for (let attempt = 0; ; attempt++) {
            const a = await ask({ type: 'post', id: `b${i}.${attempt}`, room, topic: 'Archive', body: `Archive note ${i}.`, cmid: `bulk-${i}` });
            if (a.type === 'ack') break;
            if (a.code !== 'rate_limited') throw new Error(`${a.code}: ${a.message}`);
            await new Promise((r) => setTimeout(r, Math.max(1, a.retry_after ?? 1) * 1000));
          }
        }
        ws.close();
      },
      { ticket, room: `group:${state.groupId}`, n: 55 },
    );
    await exactlyOnce(omar, 'Archive note 55.');

    // After a reload only the latest page is loaded; scrolling to the top loads the rest.
    await omar.reload();
    await exactlyOnce(omar, 'Archive note 55.');
    assert.equal(await messages(omar, 'Archive note 1.').count(), 0, 'the oldest are not loaded yet');
    const log = omar.getByRole('log');
    await log.evaluate((el) => el.scrollTo(0, 0));
    await exactlyOnce(omar, 'Archive note 1.');
    await omar.getByText('This is the beginning of the discussion.').waitFor();
    assert.equal(await omar.locator('article.msg', { hasText: 'Archive note' }).count(), 55);
  });

  it('i. an observer reads only; a person removed from the group loses the room at once', STEP, async () => {
    need('mei', 'omar', 'groupId', 'adminToken', 'omarId', 'meiId');
    const { mei, omar } = state;
    await call('PATCH', `/api/groups/${state.groupId}/members/${state.meiId}`, state.adminToken, { role: 'observer' });
    await mei.reload();
    await mei.getByText('You are an observer in this group: you can read the discussion but not write in it.').waitFor();
    await exactlyOnce(mei, 'Archive note 55.');
    assert.equal(await mei.getByLabel(/^Message to/).count(), 0, 'no composer for an observer');
    assert.equal(await messages(mei, 'Archive note 55.').getByRole('button', { name: 'Add a reaction' }).count(), 0);

    await call('DELETE', `/api/groups/${state.groupId}/members/${state.omarId}`, state.adminToken);
    await omar.getByRole('alert').filter({ hasText: 'You no longer have access to this room.' }).waitFor();
    assert.equal(await omar.getByLabel(/^Message to/).count(), 0, 'no composer');
  });

  it('no page reported a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
