// A browser walk through Plenary as three people: the secretariat, an
// invitee who joins a private group, and a second invitee who must not see
// that group. Runs the real server binary (see server.mjs) and Debian's
// Chromium. Each step is its own test; later steps need the earlier ones.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 90_000 };
const AREA = 'Media and Ethics';
const GROUP = 'Editorial Standards Working Group';
const BOB = { email: 'bob@example.org', name: 'Bob Example', password: 'bob-password-123' };
const CAROL = { email: 'carol@example.org', name: 'Carol Example', password: 'carol-password-123' };

describe('Plenary in a browser', () => {
  let server;
  let browser;
  /** Problems the pages reported: CSP violations, uncaught errors. */
  const problems = [];
  const state = {};

  async function newPage(name) {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/401|Failed to load resource/.test(msg.text())) problems.push(`${name}: console: ${msg.text()}`);
      if (/Content Security Policy/i.test(msg.text())) problems.push(`${name}: CSP: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`${name}: page error: ${err.message}`));
    return { context, page };
  }

  function need(...keys) {
    for (const k of keys) if (!state[k]) throw new Error(`an earlier step did not provide ${k}`);
  }

  const heading = (page, name) => page.getByRole('heading', { level: 1, name });

  /** shoot saves a screenshot for people to look at, after checking that nothing overflows sideways. */
  async function shoot(page, file) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${file}: the page is ${overflow}px wider than the window`);
    await page.screenshot({ path: path.join(screenshotDir, file), fullPage: true });
  }

  async function signIn(page, email, password) {
    await page.goto('/');
    await heading(page, 'Sign in').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/login/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function invite(page, email, groupName) {
    await page.goto('/admin');
    await heading(page, 'Secretariat').waitFor();
    const form = page.getByRole('region', { name: 'Invite a person' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel(/^Group/).selectOption({ label: groupName ?? 'No group' });
    if (groupName) await form.getByLabel('Role in the group').selectOption({ label: 'Member' });
    await form.getByRole('button', { name: 'Create invitation' }).click();
    const link = await form.getByLabel('Invitation link').inputValue();
    assert.ok(link.startsWith(`${server.url}/invite#`), `invitation link ${link}`);
    return link;
  }

  async function acceptInvitation(page, link, person, screenshot) {
    await page.goto(link);
    await heading(page, 'Accept your invitation').waitFor();
    await page.getByText(`This invitation is for ${person.email}.`).waitFor();
    if (screenshot) await shoot(page, screenshot);
    await page.getByLabel('Full name').fill(person.name);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByLabel('Confirm password').fill(person.password);
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await heading(page, 'Overview').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
  }

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. the secretariat sets up a private group and invites a member', STEP, async () => {
    const { page, context } = await newPage('secretariat');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    state.admin = page;

    // A wrong password is shown and announced.
    await signIn(page, ADMIN_EMAIL, 'not-the-password');
    const alert = page.getByRole('alert').filter({ hasText: 'The email address or password is incorrect.' });
    await alert.waitFor();
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Overview').waitFor();
    await page.getByRole('group', { name: 'Account' }).getByText(/Platform role:\s*Secretariat/).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secretariat' }).click();
    await heading(page, 'Secretariat').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin');

    const fa = page.getByRole('region', { name: 'New focus area' });
    await fa.getByLabel('Name').fill(AREA);
    await fa.getByLabel('Description').fill('Ethical dimensions of the information society and media.');
    await fa.getByRole('button', { name: 'Create focus area' }).click();
    await fa.getByRole('status').filter({ hasText: `Focus area “${AREA}” was created.` }).waitFor();

    const g = page.getByRole('region', { name: 'New group' });
    await g.getByLabel('Name').fill(GROUP);
    await g.getByLabel('Focus area').selectOption({ label: AREA });
    await g.getByLabel('Description').fill('Drafts common editorial standards for public-interest media.');
    await g.getByRole('radio', { name: /^Private/ }).check();
    await g.getByRole('button', { name: 'Create group' }).click();
    const open = g.getByRole('link', { name: 'Open the group' });
    const href = await open.getAttribute('href');
    const m = /^\/groups\/(.+)$/.exec(href ?? '');
    assert.ok(m, `group link ${href}`);
    state.groupPath = href;

    state.bobLink = await invite(page, BOB.email, GROUP);
    const form = page.getByRole('region', { name: 'Invite a person' });
    await form.getByRole('button', { name: 'Copy link' }).click();
    await form.getByText('Link copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), state.bobLink);

    const invitations = page.getByRole('region', { name: 'Invitations' });
    await invitations.getByRole('row', { name: new RegExp(BOB.email) }).getByText('Pending').waitFor();
    await page.getByRole('region', { name: 'People' }).getByRole('cell', { name: ADMIN_EMAIL }).waitFor();

    await shoot(page, 'admin-en.png');
  });

  it('b. the invitee accepts and sees the private group', STEP, async () => {
    need('bobLink', 'groupPath');
    const { page } = await newPage('bob');
    state.bob = page;
    await acceptInvitation(page, state.bobLink, BOB, 'invite-en.png');
    await page.getByRole('group', { name: 'Account' }).getByText(/Platform role:\s*Participant/).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Secretariat' }).count(), 0, 'no admin link for a participant');

    const mine = page.getByRole('region', { name: 'My groups' });
    const link = mine.getByRole('link', { name: GROUP });
    await link.waitFor();
    await page.getByRole('complementary', { name: 'Focus areas' }).getByText(AREA).waitFor();
    await shoot(page, 'home-en.png');

    await link.click();
    await heading(page, GROUP).waitFor();
    assert.equal(new URL(page.url()).pathname, state.groupPath);
    await page.getByText('Private', { exact: true }).first().waitFor();
    const members = page.getByRole('region', { name: /Members/ });
    const row = members.getByRole('row', { name: new RegExp(BOB.name) });
    await row.waitFor();
    await row.getByText('Member', { exact: true }).waitFor();
    await row.getByText('(you)').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Remove/ }).count(), 0, 'a member cannot manage');
    assert.equal(await page.getByRole('button', { name: /^Edit/ }).count(), 0, 'a member cannot edit the group');
    await page.getByRole('button', { name: 'Leave group' }).waitFor();
    await shoot(page, 'group-en.png');
  });

  it('c. a person outside the group cannot see it', STEP, async () => {
    need('admin', 'bobLink', 'groupPath');
    const carolLink = await invite(state.admin, CAROL.email, null);
    const { page } = await newPage('carol');
    state.carol = page;

    // The link bob used is spent.
    await page.goto(state.bobLink);
    await heading(page, 'This invitation link cannot be used').waitFor();
    await page.getByRole('alert').filter({ hasText: /already been used/ }).waitFor();

    await acceptInvitation(page, carolLink, CAROL);
    const mine = page.getByRole('region', { name: 'My groups' });
    await mine.getByText('You are not a member of any group yet.').waitFor();
    assert.equal(await page.getByRole('link', { name: GROUP }).count(), 0, 'the private group is not listed');
    assert.equal(await page.getByText(GROUP).count(), 0, 'the private group is not named anywhere');

    await page.goto(state.groupPath);
    await heading(page, 'Not found').waitFor();
    assert.equal(await page.getByText(GROUP).count(), 0);
  });

  it('d. Arabic mirrors the layout', STEP, async () => {
    need('bob');
    const page = state.bob;
    await page.goto('/');
    await heading(page, 'Overview').waitFor();
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    await heading(page, 'نظرة عامة').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    assert.equal(await page.locator('header').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    await shoot(page, 'home-ar.png');
    need('groupPath');
    await page.goto(state.groupPath);
    await heading(page, GROUP).waitFor();
    await shoot(page, 'group-ar.png');
    await page.goto('/');

    // The choice survives a reload (and the session too).
    await page.reload();
    await heading(page, 'نظرة عامة').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');

    await page.getByLabel('اللغة').selectOption('en');
    await heading(page, 'Overview').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  });

  it('e. signing out returns to sign-in and stays signed out after a reload', STEP, async () => {
    need('bob');
    const page = state.bob;
    await page.goto('/');
    await heading(page, 'Overview').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/login/);
    await page.reload();
    await heading(page, 'Sign in').waitFor();
    await shoot(page, 'login-en.png');
    await page.goto('/');
    await heading(page, 'Sign in').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  });

  it('f. the secretariat and a chair manage the membership; a member leaves', STEP, async () => {
    need('admin', 'groupPath');
    const page = state.admin;
    await page.goto(state.groupPath);
    await heading(page, GROUP).waitFor();

    const add = page.getByRole('region', { name: 'Add a member' });
    await add.getByLabel('Email of the person').fill('nobody@example.org');
    await add.getByRole('button', { name: 'Add member' }).click();
    await add.getByRole('alert').filter({ hasText: 'No account has this email address.' }).waitFor();

    await add.getByLabel('Email of the person').fill(CAROL.email);
    await add.getByLabel('Role in the group').selectOption({ label: 'Observer' });
    await add.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('status').filter({ hasText: `${CAROL.email} was added to the group.` }).waitFor();

    const members = page.getByRole('region', { name: /Members/ });
    const role = members.getByLabel(`Role for ${CAROL.name}`);
    assert.equal(await role.inputValue(), 'observer');
    await role.selectOption({ label: 'Chair' });
    await members.getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').filter({ hasText: `${CAROL.name} is now Chair.` }).waitFor();
    assert.equal(await members.getByLabel(`Role for ${CAROL.name}`).inputValue(), 'chair');


    // Carol, now a chair, manages the group and then leaves it.
    const carol = state.carol;
    await carol.goto(state.groupPath);
    await heading(carol, GROUP).waitFor();
    await carol.getByRole('region', { name: 'Add a member' }).waitFor();

    // As a chair she may change the description, and only that.
    assert.equal(await carol.getByRole('button', { name: 'Edit group' }).count(), 0, 'a chair is not offered the full edit');
    const editDescription = carol.getByRole('button', { name: 'Edit description' });
    await editDescription.click();
    const chairForm = carol.getByRole('region', { name: 'Edit the description' });
    await chairForm.getByText('As a chair you can change the description.', { exact: false }).waitFor();
    const chairText = chairForm.getByLabel(/^Description/);
    assert.equal(await chairText.evaluate((el) => el === document.activeElement), true, 'focus moves into the form');
    assert.equal(await chairForm.getByLabel('Name').count(), 0, 'no name field for a chair');
    assert.equal(await chairForm.getByLabel('Focus area').count(), 0, 'no focus area field for a chair');
    assert.equal(await chairForm.getByRole('radio').count(), 0, 'no visibility choice for a chair');
    await chairText.fill('Drafts common editorial standards.\nMeets monthly; chaired by Carol.');
    await chairForm.getByRole('button', { name: 'Save changes' }).click();
    await carol.getByRole('status').filter({ hasText: 'The group details were saved.' }).waitFor();
    await carol.getByText('Meets monthly; chaired by Carol.').waitFor();
    assert.equal(await chairForm.count(), 0, 'the form closes after saving');
    assert.equal(await editDescription.evaluate((el) => el === document.activeElement), true, 'focus returns to the Edit button');
    await heading(carol, GROUP).waitFor();

    await carol.getByRole('button', { name: 'Leave group' }).click();
    const leave = carol.getByRole('dialog', { name: 'Leave group' });
    await leave.getByRole('button', { name: 'Leave group' }).click();
    await heading(carol, 'Overview').waitFor();
    await carol.getByRole('region', { name: 'My groups' }).getByText('You are not a member of any group yet.').waitFor();
    assert.equal(await carol.getByRole('link', { name: GROUP }).count(), 0);

    // The secretariat removes Bob after confirming.
    await page.reload();
    await heading(page, GROUP).waitFor();
    assert.equal(await members.getByRole('row', { name: new RegExp(CAROL.name) }).count(), 0, 'carol left');
    await members.getByRole('button', { name: `Remove ${BOB.name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove member' });
    await dialog.getByText(`Remove ${BOB.name} from ${GROUP}?`).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await dialog.isVisible(), false);
    await members.getByRole('button', { name: `Remove ${BOB.name}` }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: `${BOB.name} was removed from the group.` }).waitFor();
    assert.equal(await members.getByRole('row', { name: new RegExp(BOB.name) }).count(), 0);
    await page.getByText('This group has no members yet.').waitFor();
  });

  it('g. the sign-in page is keyboard-first and explains throttling', STEP, async () => {
    const { page } = await newPage('stranger');
    await page.goto('/login');
    await heading(page, 'Sign in').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to main content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

    // Wrong passwords for one address until the server throttles it.
    await page.getByLabel('Email').fill('mallory@example.org');
    const alert = page.getByRole('alert').filter({ hasText: /Too many attempts/ });
    for (let i = 0; i < 30 && !(await alert.isVisible()); i++) {
      await page.getByLabel('Password').fill(`wrong-password-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: /incorrect|Too many attempts/ }).waitFor();
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
    }
    await alert.waitFor();
    assert.match(await alert.innerText(), /try again in \d+ (seconds|minutes)/);
  });

  it('h. the secretariat edits the group: validation, keyboard, rename, Arabic', STEP, async () => {
    need('admin', 'groupPath');
    const page = state.admin;
    await page.goto(state.groupPath);
    await heading(page, GROUP).waitFor();
    await page.getByText('Meets monthly; chaired by Carol.').waitFor();

    // Keyboard only: open with Enter, cancel with Escape; focus follows.
    const edit = page.getByRole('button', { name: 'Edit group' });
    await edit.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('region', { name: 'Edit group details' });
    const name = form.getByLabel('Name');
    await name.waitFor();
    assert.equal(await name.evaluate((el) => el === document.activeElement), true, 'focus moves to the name field');
    assert.equal(await name.inputValue(), GROUP);
    assert.equal(await form.getByLabel('Focus area').inputValue(), await form.getByLabel('Focus area').locator('option', { hasText: AREA }).getAttribute('value'));
    assert.equal(await form.getByRole('radio', { name: /^Private/ }).isChecked(), true);
    await page.keyboard.press('Escape');
    await edit.waitFor();
    assert.equal(await form.count(), 0);
    assert.equal(await edit.evaluate((el) => el === document.activeElement), true, 'focus returns to the Edit button');

    // The API's refusal is shown on the field it is about.
    await page.keyboard.press('Enter');
    await name.fill('x'.repeat(201));
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('alert').filter({ hasText: 'The changes were not saved.' }).waitFor();
    const err = form.getByText(/name: must be 1 to \d+ characters/);
    await err.waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.equal(await name.getAttribute('aria-describedby'), await err.getAttribute('id'));
    assert.equal(await name.evaluate((el) => el === document.activeElement), true, 'focus moves to the refused field');
    await heading(page, GROUP).waitFor();

    // Screenshots of the open form, in English and in Arabic.
    await name.fill(GROUP);
    await shoot(page, 'group-edit-en.png');
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    const formAr = page.getByRole('region', { name: 'تعديل بيانات الفريق' });
    await formAr.waitFor();
    assert.equal(await formAr.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    // The refusal follows the language switch.
    await formAr.getByRole('alert').filter({ hasText: 'لم تُحفظ التغييرات.' }).waitFor();
    await formAr.getByText(/^لم يُقبل الطلب\. \(name: must be 1 to 200 characters\)$/).waitFor();
    await shoot(page, 'group-edit-ar.png');
    await page.getByLabel('اللغة').selectOption('en');
    await form.waitFor();

    // Rename, and change the description.
    state.groupName = 'Editorial Standards and Ethics Group';
    await name.fill(state.groupName);
    await form.getByLabel(/^Description/).fill('Drafts and reviews common editorial standards.');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'The group details were saved.' }).waitFor();
    await heading(page, state.groupName).waitFor();
    await page.getByText('Drafts and reviews common editorial standards.').waitFor();
    assert.equal(await form.count(), 0, 'the form closes after saving');
    assert.equal(await edit.evaluate((el) => el === document.activeElement), true, 'focus returns to the Edit button');
    assert.equal(await page.title(), `${state.groupName} · Plenary`);

    // The change is stored, not just shown.
    await page.reload();
    await heading(page, state.groupName).waitFor();
    await page.getByText('Drafts and reviews common editorial standards.').waitFor();
  });

  it('i. the secretariat edits a focus area; a duplicate name is refused', STEP, async () => {
    need('admin');
    const page = state.admin;
    await page.goto('/admin');
    await heading(page, 'Secretariat').waitFor();
    const renamed = 'Media, Ethics and Information';

    // A second focus area to collide with.
    const fa = page.getByRole('region', { name: 'New focus area' });
    await fa.getByLabel('Name').fill('Digital Inclusion');
    await fa.getByRole('button', { name: 'Create focus area' }).click();
    await fa.getByRole('status').filter({ hasText: 'Focus area “Digital Inclusion” was created.' }).waitFor();

    const list = page.getByRole('region', { name: 'Focus areas' });
    await list.getByRole('heading', { name: 'Digital Inclusion' }).waitFor();
    const editArea = list.getByRole('button', { name: `Edit ${AREA}` });
    await editArea.click();
    let form = list.getByRole('form', { name: `Edit focus area ${AREA}` });
    const name = form.getByLabel('Name');
    assert.equal(await name.evaluate((el) => el === document.activeElement), true, 'focus moves to the name field');
    assert.equal(await form.getByLabel(/^Description/).inputValue(), 'Ethical dimensions of the information society and media.');
    await name.fill(renamed);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await list.getByRole('status').filter({ hasText: `Focus area “${renamed}” was saved.` }).waitFor();
    await list.getByRole('heading', { name: renamed }).waitFor();
    assert.equal(await list.getByRole('button', { name: `Edit ${renamed}` }).evaluate((el) => el === document.activeElement), true);
    // The new-group form offers the new name.
    await page.getByRole('region', { name: 'New group' }).getByLabel('Focus area').locator('option', { hasText: renamed }).waitFor({ state: 'attached' });

    // Renaming the other one to the same name (in other case) is a conflict.
    await list.getByRole('button', { name: 'Edit Digital Inclusion' }).click();
    form = list.getByRole('form', { name: 'Edit focus area Digital Inclusion' });
    await form.getByLabel('Name').fill(renamed.toLowerCase());
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('alert').filter({ hasText: 'The changes were not saved.' }).waitFor();
    const err = form.getByText(`a focus area called "${renamed}" already exists`, { exact: false });
    await err.waitFor();
    assert.match(await err.innerText(), /^This conflicts with existing data\./);
    assert.equal(await form.getByLabel('Name').getAttribute('aria-describedby'), await err.getAttribute('id'));
    await shoot(page, 'admin-fa-edit-en.png');
    await form.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await form.count(), 0);
    await list.getByRole('heading', { name: 'Digital Inclusion' }).waitFor();
    assert.equal(await list.getByRole('button', { name: 'Edit Digital Inclusion' }).evaluate((el) => el === document.activeElement), true);

    // The group page shows the renamed focus area.
    need('groupPath');
    await page.goto(state.groupPath);
    await page.getByText(renamed).waitFor();
  });

  it('no page reported a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
