// Helpers shared by the browser tests that set people up through the API and then act as them in
// separate browser contexts.
import assert from 'node:assert/strict';
import path from 'node:path';
import { screenshotDir } from './server.mjs';

/** api calls the HTTP API of the server at baseURL and returns the decoded answer; it fails on any error status. */
export async function api(baseURL, method, url, token, body) {
  const res = await fetch(`${baseURL}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// Console errors a page may log without a problem: refused session restores, resources the
// offline steps cut off, and websocket reconnects.
const expectedConsoleErrors = /401|Failed to load resource|ERR_INTERNET_DISCONNECTED|WebSocket/;

/**
 * openPage opens a browser context for one person; console errors and CSP violations go to
 * problems. options go to the context (e.g. timezoneId, acceptDownloads).
 */
export async function openPage(browser, baseURL, name, problems, options = {}) {
  const context = await browser.newContext({ baseURL, locale: 'en-GB', viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expectedConsoleErrors.test(msg.text())) problems.push(`${name}: console: ${msg.text()}`);
    if (/Content Security Policy/i.test(msg.text())) problems.push(`${name}: CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${name}: page error: ${err.message}`));
  return { context, page };
}

/** requireState throws unless an earlier step stored every key in state. */
export function requireState(state, ...keys) {
  for (const k of keys) if (!state[k]) throw new Error(`an earlier step did not provide ${k}`);
}

/** shoot saves a full-page screenshot and fails if the page is wider than the window. */
export async function shoot(page, file) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${file}: the page is ${overflow}px wider than the window`);
  await page.screenshot({ path: path.join(screenshotDir, file), fullPage: true });
}

/** signIn signs person ({email, password}) in through the sign-in page. */
export async function signIn(page, person) {
  await page.goto('/login');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}
