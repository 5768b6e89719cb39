// The review of a Chairman's Report in three browsers (docs/api.md "Review"): the chair circulates
// v1.0 with a deadline; two members comment on paragraphs, one suggests a change; the chair
// disposes of each comment, accepts the suggestion (the text changes in the editor), closes the
// comments, finalizes v2.0, looks at the disposition log and the differences, and publishes it
// with the log; a member downloads the DOCX and its content is checked. Members mention each other
// in comments and replies (the completion list, by keyboard and by mouse) and the bell counts the
// mention. At the end the chair opens a second round and a member reads the first one's comments.
// Set-up goes through the HTTP API; people act through the UI. Runs the real server binary and
// Debian's Chromium.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, openPage, requireState, shoot, signIn } from './people.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, launchBrowser, screenshotDir, startServer } from './server.mjs';

const STEP = { timeout: 60_000 };
const GROUP = 'Legal Measures Working Group';
const TITLE = "Chairman's Report 2026";
const CHAIR = { email: 'amina@example.org', name: 'Amina Diallo', password: 'amina-password-123' };
const ONE = { email: 'pierre@example.org', name: 'Pierre Martin', password: 'pierre-password-123' };
const TWO = { email: 'mei@example.org', name: 'Mei Lin', password: 'mei-password-12345' };
const TEXT = [
  '# Report of the chair',
  '',
  'The meeting was opened by the chair at **10:00** on Monday.',
  '',
  'The agenda was adopted without amendment.',
  '',
  'The group discussed the draft convention and agreed to continue work.',
  '',
  'The next meeting will take place in Geneva in the spring.',
].join('\n');

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

/** selectInPara selects phrase in numbered paragraph n of the review, as a reader's drag would. */
async function selectInPara(page, n, phrase) {
  await page.evaluate(
    ({ n, phrase }) => {
      const p = document.querySelector(`.review-doc #para-${n}`);
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const i = node.data.indexOf(phrase);
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(node, i);
        r.setEnd(node, i + phrase.length);
        getSelection().removeAllRanges();
        getSelection().addRange(r);
        node.parentElement.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
        return;
      }
      throw new Error(`"${phrase}" is not in paragraph ${n}`);
    },
    { n, phrase },
  );
}

describe("The Chairman's Report goes out for review", () => {
  let server;
  let browser;
  const problems = [];
  const state = {};

  const call = (method, url, token, body) => api(server.url, method, url, token, body);
  const need = (...keys) => requireState(state, ...keys);
  const banner = (page) => page.locator('section.banner');
  const card = (page, name) => page.getByRole('article', { name });
  // The unread count on the header's bell (aria-hidden; the button's name says it too).
  const bellCount = (page) => page.locator('header button.bell .count');

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    const admin = await call('POST', '/api/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const tok = admin.access_token;
    const area = await call('POST', '/api/focus-areas', tok, { name: 'Legal measures', description: '' });
    const group = await call('POST', '/api/groups', tok, { name: GROUP, focus_area: area.id, description: '', visibility: 'private' });
    for (const [p, role] of [
      [CHAIR, 'chair'],
      [ONE, 'member'],
      [TWO, 'member'],
    ]) {
      const inv = await call('POST', '/api/invitations', tok, { email: p.email, group_id: group.id, group_role: role });
      await call('POST', '/api/invitations/accept', null, { token: inv.token, name: p.name, password: p.password });
    }
    const report = await call('POST', '/api/reports', tok, { title: TITLE, group_id: group.id });
    state.reportId = report.id;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a. the chair writes the report and circulates v1.0 with a deadline in Zurich time', STEP, async () => {
    need('reportId');
    const { page } = await openPage(browser, server.url, 'chair', problems, { timezoneId: 'Europe/Zurich' });
    state.chair = page;
    await signIn(page, CHAIR);
    await page.goto(`/reports/${state.reportId}`);
    const content = page.locator('.editor .cm-content');
    await content.waitFor();
    await banner(page).getByText('Draft').waitFor();
    await content.click();
    await page.keyboard.insertText(TEXT);
    await page.getByRole('region', { name: /^Preview/ }).locator('#para-4').waitFor();
    await page.getByRole('status', { name: 'Sync status' }).getByText('All changes saved').waitFor();

    await banner(page).getByRole('button', { name: 'Circulate for comments' }).click();
    const dialog = page.getByRole('dialog', { name: 'Circulate for comments' });
    assert.equal(await dialog.getByLabel('Version name').inputValue(), 'v1.0');
    assert.equal(await dialog.getByLabel('Time zone').inputValue(), 'Europe/Zurich', "the zone defaults to the chair's own");
    assert.match(await dialog.getByLabel('Deadline').inputValue(), /^\d{4}-\d{2}-\d{2}T17:00$/);
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await dialog.getByLabel('Deadline').fill(`${day}T17:00`);
    await dialog.getByLabel('Message to the participants (optional)').fill('Comments welcome until the deadline.');
    await shoot(page, 'review-circulate-en.png');
    await dialog.getByRole('button', { name: 'Circulate for comments' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await banner(page).getByText('Circulated for comments').waitFor();
    await banner(page).getByText('v1.0').waitFor();
    await banner(page).getByText(/17:00/).first().waitFor();
    await banner(page).getByText(/^in (7|6) days$/).waitFor();
    state.day = day;
  });

  it('b. two members comment on paragraphs and one suggests a change', STEP, async () => {
    need('chair', 'day');
    const one = await openPage(browser, server.url, 'one', problems, { timezoneId: 'Asia/Tokyo' });
    const two = await openPage(browser, server.url, 'two', problems, { timezoneId: 'Europe/Zurich' });
    state.one = one.page;
    state.two = two.page;
    await Promise.all([signIn(one.page, ONE), signIn(two.page, TWO)]);
    await one.page.goto(`/reports/${state.reportId}`);
    await one.page.getByRole('tab', { name: 'Review' }).click();
    // The address notifications link to opens the Review tab itself.
    await two.page.goto(`/reports/${state.reportId}?tab=review`);
    for (const page of [one.page, two.page]) {
      await page.locator('.review-doc #para-4').waitFor();
    }
    assert.equal(await two.page.getByRole('tab', { name: 'Review' }).getAttribute('aria-selected'), 'true');
    // Tokyo is 8 hours ahead of Zurich in winter, 7 in summer: the member sees both times.
    const b1 = banner(one.page);
    await b1.getByText('Your time').waitFor();
    await b1.getByText(/GMT\+9|JST/).waitFor();
    assert.equal(await banner(two.page).getByText('Your time').count(), 0, 'no second time where the zones agree');

    // Pierre selects words in paragraph 3 and comments on them.
    const p1 = one.page;
    await selectInPara(p1, 3, 'agreed to continue work');
    const sel = p1.getByRole('group', { name: 'Selected text' });
    await sel.getByText('“agreed to continue work”').waitFor();
    await sel.getByRole('button', { name: 'Comment', exact: true }).click();
    const form = p1.getByRole('form', { name: 'Comment on paragraph 3' });
    await form.getByLabel('Your comment').fill('Say until when the work continues.');
    await form.getByRole('button', { name: 'Send the comment' }).click();
    const c1 = card(p1, `Comment 1 by ${ONE.name}`);
    await c1.getByText('¶ 3 of v1.0').waitFor();
    await c1.getByText('agreed to continue work', { exact: true }).waitFor();

    // Words across Markdown marks map back to the source: the bold time in paragraph 1.
    await selectInPara(p1, 1, '10:00');
    await p1.getByRole('group', { name: 'Selected text' }).getByRole('button', { name: 'Comment', exact: true }).click();
    await p1.getByRole('form', { name: 'Comment on paragraph 1' }).getByLabel('Your comment').fill('It was 10:30.');
    await p1.getByRole('button', { name: 'Send the comment' }).click();
    await card(p1, `Comment 2 by ${ONE.name}`).getByText('10:00', { exact: true }).waitFor();

    // Pierre has the notice of the round opened for comments.
    await bellCount(p1).waitFor();
    const unread = Number(await bellCount(p1).textContent());

    // Mei comments on paragraph 2 as a whole, mentioning Pierre through the completion list with
    // the keyboard, and suggests a change in paragraph 4.
    const p2 = two.page;
    await p2.locator('.review-doc #para-2').hover();
    await p2.getByRole('button', { name: 'Comment on paragraph 2' }).click();
    const f2 = p2.getByRole('form', { name: 'Comment on paragraph 2' });
    const box = f2.getByLabel('Your comment');
    await box.fill('Amendments were proposed by two delegations; ');
    const people = f2.getByRole('listbox', { name: 'People to mention' });
    await box.press('@');
    await people.getByRole('option', { name: ONE.name }).waitFor();
    await people.getByRole('option', { name: CHAIR.name }).waitFor();
    assert.equal(await people.getByRole('option', { name: TWO.name }).count(), 0, 'one does not mention oneself');
    await box.press('Escape');
    await people.waitFor({ state: 'detached' });
    await box.press('Backspace');
    await box.press('@');
    const pierre = people.getByRole('option', { name: ONE.name });
    for (let i = 0; i < 5 && (await pierre.getAttribute('aria-selected')) !== 'true'; i++) await box.press('ArrowDown');
    assert.equal(await pierre.getAttribute('aria-selected'), 'true');
    await shoot(p2, 'review-mention-en.png');
    await box.press('Tab'); // picks
    await people.waitFor({ state: 'detached' });
    await box.pressSequentially('can you confirm?');
    assert.equal(await box.inputValue(), `Amendments were proposed by two delegations; @${ONE.name} can you confirm?`);
    await f2.getByRole('button', { name: 'Send the comment' }).click();
    const c3 = card(p2, `Comment 3 by ${TWO.name}`);
    await c3.locator('.mention', { hasText: `@${ONE.name}` }).waitFor();
    // Pierre's bell counts the mention, pushed live.
    await bellCount(p1).filter({ hasText: new RegExp(`^${unread + 1}$`) }).waitFor();
    await p1.locator('header button.bell').click();
    await p1.getByRole('region', { name: 'Notifications' }).getByText(`${TWO.name} mentioned you in comment 3`).waitFor();
    await p1.keyboard.press('Escape');

    // Pierre answers, picking Mei from the list with the mouse.
    const c3p = card(p1, `Comment 3 by ${TWO.name}`);
    await c3p.getByRole('button', { name: 'Reply' }).click();
    const rbox = c3p.getByRole('textbox', { name: 'Reply' });
    await rbox.pressSequentially('Yes, @me');
    await c3p.getByRole('listbox', { name: 'People to mention' }).getByRole('option', { name: TWO.name }).click();
    assert.equal(await rbox.inputValue(), `Yes, @${TWO.name} `);
    await rbox.pressSequentially('two delegations spoke.');
    await c3p.getByRole('button', { name: 'Send', exact: true }).click();
    await c3.locator('.replies .mention', { hasText: `@${TWO.name}` }).waitFor();

    await selectInPara(p2, 4, 'in Geneva');
    await p2.getByRole('group', { name: 'Selected text' }).getByRole('button', { name: 'Suggest a change' }).click();
    const sf = p2.getByRole('form', { name: 'Suggest a change in paragraph 4' });
    assert.equal(await sf.getByLabel('Replacement text').inputValue(), 'in Geneva');
    await sf.getByLabel('Replacement text').fill('in Nairobi');
    await sf.locator('ins', { hasText: 'Nairobi' }).waitFor();
    await sf.getByLabel('Why (optional)').fill('The host country changed.');
    await sf.getByRole('button', { name: 'Send the suggestion' }).click();
    const s4 = card(p2, `Suggestion 4 by ${TWO.name}`);
    await s4.locator('del', { hasText: 'Geneva' }).waitFor();
    await s4.locator('ins', { hasText: 'Nairobi' }).waitFor();

    // Mei replies to Pierre's comment; Pierre sees the reply arrive without reloading.
    const c1b = card(p2, `Comment 1 by ${ONE.name}`);
    await c1b.getByRole('button', { name: 'Reply' }).click();
    await c1b.getByRole('textbox', { name: 'Reply' }).fill('Until the next session, I think.');
    await c1b.getByRole('button', { name: 'Send' }).click();
    await c1.getByText('Until the next session, I think.').waitFor();

    // Filters: Mei's own comments.
    await p2.getByRole('button', { name: /^Mine/ }).click();
    assert.equal(await p2.locator('.review-doc article.comment').count(), 2);
    await p2.getByRole('button', { name: /^All/ }).click();
    await shoot(p1, 'review-comments-en.png');
  });

  it('c. the chair disposes of each comment and accepts the suggestion, which changes the text', STEP, async () => {
    need('chair', 'one');
    const page = state.chair;
    await page.getByRole('tab', { name: 'Review' }).click();
    // The comments arrived live.
    await card(page, `Suggestion 4 by ${TWO.name}`).waitFor();

    const dispose = async (name, kind, note) => {
      const c = card(page, name);
      await c.getByRole('combobox', { name: 'Disposition' }).selectOption(kind);
      if (note) await c.getByRole('textbox', { name: 'Note' }).fill(note);
      await c.getByRole('button', { name: 'Save the disposition' }).click();
      return c;
    };
    await (await dispose(`Comment 1 by ${ONE.name}`, 'modified', 'Until the next session.')).locator('.badge', { hasText: 'Accepted with modification' }).waitFor();
    await (await dispose(`Comment 2 by ${ONE.name}`, 'accepted', '')).locator('.badge', { hasText: 'Accepted' }).waitFor();
    // A rejection needs a reason.
    const c3 = await dispose(`Comment 3 by ${TWO.name}`, 'rejected', '');
    await c3.getByText('Give a reason for rejecting.').waitFor();
    await c3.getByRole('textbox', { name: 'Note' }).fill('No amendment was moved formally.');
    await c3.getByRole('button', { name: 'Save the disposition' }).click();
    await c3.locator('.badge', { hasText: 'Rejected' }).waitFor();

    const s4 = card(page, `Suggestion 4 by ${TWO.name}`);
    await s4.getByRole('button', { name: 'Accept and apply' }).click();
    await s4.locator('.badge', { hasText: 'Applied' }).waitFor();
    await page.getByRole('button', { name: /^Open/ }).getByText('0').waitFor();

    // Pierre sees the chair's disposition live.
    await card(state.one, `Comment 1 by ${ONE.name}`).locator('.badge', { hasText: 'Accepted with modification' }).waitFor();
    await shoot(page, 'review-chair-en.png');

    // The suggestion went through the report's authority: the editor has the new words.
    await page.getByRole('tab', { name: 'Text' }).click();
    let text = '';
    for (let i = 0; i < 50 && !text.includes('in Nairobi'); i++) {
      await page.waitForTimeout(100);
      text = await editorText(page);
    }
    assert.ok(text.includes('The next meeting will take place in Nairobi in the spring.'), text);
    assert.ok(!text.includes('Geneva'), text);
  });

  it('d. the chair closes the comments and finalizes v2.0, which locks the text', STEP, async () => {
    need('chair', 'one');
    const page = state.chair;
    await banner(page).getByRole('button', { name: 'Close comments' }).click();
    await page.getByRole('dialog', { name: 'Close comments now?' }).getByRole('button', { name: 'Close comments' }).click();
    await banner(page).getByText('Comments closed').waitFor();
    await banner(page).getByText(CHAIR.name).waitFor();
    // Members can no longer comment.
    await state.one.getByText('Comments are closed for this round.').waitFor();

    await banner(page).getByRole('button', { name: 'Finalize' }).click();
    const dialog = page.getByRole('dialog', { name: 'Finalize the report' });
    assert.equal(await dialog.getByLabel('Version name').inputValue(), 'v2.0');
    assert.equal(await dialog.getByText(/no disposition yet/).count(), 0, 'every comment has a disposition');
    await dialog.getByRole('button', { name: 'Finalize' }).click();
    await banner(page).getByText('Final', { exact: true }).waitFor();
    await banner(page).getByText('The final version is locked against edits.').waitFor();
    // The editor is read-only now.
    await page.waitForFunction(() => document.querySelector('.editor')?.shadowRoot?.querySelector('.cm-content')?.getAttribute('aria-readonly') === 'true');
    await page.locator('.editor .cm-content').click();
    await page.keyboard.insertText('Too late. ');
    await page.waitForTimeout(300);
    assert.ok(!(await editorText(page)).includes('Too late.'), 'typing changes nothing');
  });

  it('e. the disposition log and the differences between v1.0 and v2.0', STEP, async () => {
    need('chair');
    const page = state.chair;
    await page.getByRole('tab', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Disposition log' }).click();
    const log = page.getByRole('region', { name: 'Disposition log' });
    const rows = log.locator('tbody tr');
    await rows.nth(3).waitFor();
    assert.equal(await rows.count(), 4);
    // In paragraph order.
    assert.deepEqual(await rows.locator('td:first-child').allTextContents(), ['1', '2', '3', '4']);
    await log.getByRole('cell', { name: 'No amendment was moved formally.' }).waitFor();
    await shoot(page, 'review-log-en.png');

    await page.getByRole('button', { name: 'Versions', exact: true }).click();
    await page.getByRole('row', { name: /v1\.0 Circulated/ }).waitFor();
    await page.getByRole('row', { name: /v2\.0 Final/ }).waitFor();
    await page.getByRole('button', { name: 'Show differences' }).click();
    const diff = page.getByRole('region', { name: /^Differences from v1\.0/ });
    await diff.locator('ins', { hasText: 'Nairobi' }).waitFor();
    await diff.locator('del', { hasText: 'Geneva' }).waitFor();
    await diff.getByText('Paragraphs changed, added or removed: 1').waitFor();
    await shoot(page, 'review-diff-en.png');
  });

  it('f. the chair publishes v2.0 with the log; a member downloads the DOCX', STEP, async () => {
    need('chair', 'one');
    const page = state.chair;
    await banner(page).getByRole('button', { name: 'Publish' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish the final version' });
    await dialog.getByRole('radio', { name: 'DOCX' }).check();
    assert.equal(await dialog.getByRole('checkbox', { name: 'Include the disposition log' }).isChecked(), true);
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await banner(page).getByText('Published', { exact: true }).waitFor({ timeout: 30_000 });
    await banner(page).getByRole('link', { name: 'Open the published document' }).waitFor();

    const member = state.one;
    await member.locator('summary', { hasText: 'Export' }).click();
    const menu = member.getByRole('group', { name: 'Export' });
    assert.equal(await menu.getByLabel('Version').inputValue(), 'v2.0');
    await menu.getByRole('checkbox', { name: 'Include the disposition log' }).check();
    const [download] = await Promise.all([member.waitForEvent('download'), menu.getByRole('link', { name: 'Download as DOCX' }).click()]);
    const file = await download.path();
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    const words = xml.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.match(words, /4\.\s*The next meeting will take place in Nairobi/, 'paragraph 4 with its number and the accepted change');
    assert.ok(!words.includes('in Geneva in the spring'), 'the replaced words are gone from the text');
    assert.ok(words.includes('No amendment was moved formally.'), 'the disposition log is annexed');
  });

  it('g. the review tab reads right to left in Arabic', STEP, async () => {
    need('one');
    const page = state.one;
    // The export menu of step f closes with Escape.
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Export' }).waitFor({ state: 'hidden' });
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    await page.getByRole('tab', { name: 'المراجعة' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.getByRole('article', { name: `التعليق 1 من ${ONE.name}` }).waitFor();
    // The sidebar is on the left of the text in a right-to-left page.
    const [text, side] = await page.evaluate(() => {
      const row = document.querySelector('.review-doc #para-3').closest('.block');
      return [row.getBoundingClientRect().left, row.nextElementSibling.getBoundingClientRect().left];
    });
    assert.ok(side < text, `the comments (${side}) are left of the text (${text})`);
    await shoot(page, 'review-ar.png');
    // On a narrow screen the comments go under their paragraph.
    await page.setViewportSize({ width: 700, height: 900 });
    const [para, below] = await page.evaluate(() => {
      const block = document.querySelector('.review-doc #para-3').closest('.block');
      return [block.getBoundingClientRect().bottom, block.nextElementSibling.getBoundingClientRect().top];
    });
    assert.ok(below >= para - 1, `the comments (${below}) are under the paragraph (${para})`);
    await shoot(page, 'review-narrow-ar.png');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('اللغة', { exact: true }).selectOption('en');
  });

  it('h. the chair opens a second round; a member reads the first round\'s comments', STEP, async () => {
    need('chair', 'two');
    const page = state.chair;
    await banner(page).getByRole('button', { name: 'New round' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open a new round' });
    await dialog.getByLabel('Version name').fill('v3.0');
    await dialog.getByRole('button', { name: 'Circulate for comments' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await banner(page).getByText('Circulated for comments').waitFor();
    await banner(page).getByText('v3.0').waitFor();

    // Mei's Review tab follows the new round: the text as circulated now, no comments yet.
    const member = state.two;
    const round = member.getByLabel('Round', { exact: true });
    await round.waitFor();
    assert.equal(await round.inputValue(), '2');
    assert.deepEqual(await round.locator('option').allTextContents(), ['Round 2: v3.0 (latest)', 'Round 1: v1.0']);
    await member.locator('.review-doc #para-4', { hasText: 'in Nairobi' }).waitFor();
    assert.equal(await member.locator('.review-doc article.comment').count(), 0);
    await member.getByText('Select text in a numbered paragraph').waitFor();

    // Round 1: its version (Geneva), its comments with their dispositions and mentions, read-only.
    await round.selectOption('1');
    await member.getByText('Round 1 (v1.0) is over').waitFor();
    await member.locator('.review-doc #para-4', { hasText: 'in Geneva' }).waitFor();
    const c1 = card(member, `Comment 1 by ${ONE.name}`);
    await c1.locator('.badge', { hasText: 'Accepted with modification' }).waitFor();
    assert.equal(await member.locator('.review-doc article.comment').count(), 4);
    await card(member, `Comment 3 by ${TWO.name}`).locator('.mention', { hasText: `@${ONE.name}` }).waitFor();
    assert.equal(await member.getByRole('button', { name: 'Reply' }).count(), 0, 'no replies in an earlier round');
    assert.equal(await member.getByRole('button', { name: /^Comment on paragraph/ }).count(), 0, 'no comments in an earlier round');
    await shoot(member, 'review-round1-en.png');
    // Its disposition log, which members may read for an earlier round.
    await member.getByRole('button', { name: 'Disposition log' }).click();
    const rows = member.getByRole('region', { name: 'Disposition log' }).locator('tbody tr');
    await rows.nth(3).waitFor();
    assert.equal(await rows.count(), 4);

    // The same in Arabic; Mei writes in round 2 and the list of people reads right to left.
    await member.getByLabel('Language', { exact: true }).selectOption('ar');
    await member.getByRole('button', { name: 'التعليقات', exact: true }).click();
    await member.getByRole('article', { name: `التعليق 1 من ${ONE.name}` }).waitFor();
    await shoot(member, 'review-round1-ar.png');
    await member.getByLabel('الجولة', { exact: true }).selectOption('2');
    await member.locator('.review-doc #para-2').hover();
    await member.getByRole('button', { name: 'التعليق على الفقرة 2' }).click();
    const box = member.getByLabel('تعليقك');
    await box.pressSequentially('شكرا @');
    const list = member.getByRole('listbox', { name: 'أشخاص يمكن ذكرهم' });
    await list.getByRole('option', { name: ONE.name }).waitFor();
    const [boxRight, listRight] = await Promise.all([box.boundingBox(), list.boundingBox()]).then(([b, l]) => [b.x + b.width, l.x + l.width]);
    assert.ok(Math.abs(boxRight - listRight) < 2, `the list (${listRight}) starts at the right edge of the field (${boxRight})`);
    await shoot(member, 'review-mention-ar.png');
    await box.press('Escape');
    await list.waitFor({ state: 'detached' });
    await member.getByRole('button', { name: 'إلغاء' }).click();
    await member.getByLabel('اللغة', { exact: true }).selectOption('en');
  });

  it('i. no console errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
