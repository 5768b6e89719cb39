// Crash test for the ShareDB endpoint: editors using the real sharedb@7 client
// keep inserting unique tokens, the server is killed with SIGKILL mid-typing,
// and a new server process on the same data directory must hold every
// acknowledged token exactly once (an acknowledgement means the op is stored).
// The same editors then reconnect to the new server and resubmit what was in
// flight: an op that was stored but whose acknowledgement was lost must not be
// applied twice. Two kill/restart cycles.
//
// Run with: go build -o bin/plenary . && (cd frontend && npm run test:sharedb)
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ShareDB from 'sharedb/lib/client/index.js';
import otText from 'ot-text-unicode';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer } from '../e2e/server.mjs';

ShareDB.types.register(otText.type);

const EDITORS = 3;
const CYCLES = 2;
const TYPING_MS = 2000;

let dataDir;
let server;
let token;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const count = (text, tok) => text.split(tok).length - 1;

async function start() {
  server = await startServer({ dataDir });
  const login = await fetch(server.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  assert.equal(login.status, 200, 'login');
  token = (await login.json()).access_token;
}

async function api(method, p, body) {
  const res = await fetch(server.url + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function socket() {
  const { ticket } = await api('POST', '/api/ws-ticket');
  return new WebSocket(server.url.replace('http://', 'ws://') + '/api/sharedb?ticket=' + ticket);
}

// Errors on the connection or the document (as opposed to 'connection error',
// which a dying socket emits) fail the test.
const errors = [];

async function newEditor(id) {
  const conn = new ShareDB.Connection(await socket());
  conn.on('error', (e) => errors.push(e));
  const doc = conn.get('reports', id);
  doc.on('error', (e) => errors.push(e));
  await new Promise((resolve, reject) => doc.subscribe((err) => (err ? reject(err) : resolve())));
  return { conn, doc };
}

async function fetchText(id) {
  const conn = new ShareDB.Connection(await socket());
  try {
    const doc = conn.get('reports', id);
    await new Promise((resolve, reject) => doc.fetch((err) => (err ? reject(err) : resolve())));
    return { text: doc.data, version: doc.version };
  } finally {
    conn.close();
  }
}

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'plenary-crash-'));
  await start();
});

after(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('acknowledged ops survive kill -9 exactly once', { timeout: 60000 }, async (t) => {
  const area = await api('POST', '/api/focus-areas', { name: 'Crash', description: '' });
  const group = await api('POST', '/api/groups', { name: 'Crash', focus_area: area.id, description: '', visibility: 'private' });
  const report = await api('POST', '/api/reports', { title: 'Crash report', group_id: group.id });

  const editors = [];
  for (let e = 0; e < EDITORS; e++) editors.push(await newEditor(report.id));

  const submitted = []; // every token ever submitted
  const acked = new Set(); // tokens whose submitOp callback ran without error
  const next = new Array(EDITORS).fill(0);

  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    // Type: each editor inserts unique tokens at the start or the end of its
    // text (never inside another token), without waiting for acknowledgements,
    // so there is almost always an op in flight when the server dies.
    let typing = true;
    const loops = editors.map(async (ed, e) => {
      while (typing) {
        const tok = `[e${e}-${next[e]++}]`;
        submitted.push(tok);
        const len = [...ed.doc.data].length;
        ed.doc.submitOp(len > 0 && next[e] % 2 === 0 ? [len, tok] : [tok], (err) => {
          if (!err) acked.add(tok);
        });
        await sleep(1 + Math.floor(Math.random() * 4));
      }
    });
    await sleep(TYPING_MS);
    const ackedBeforeKill = [...acked];
    const disconnected = editors.map((ed) => new Promise((resolve) => ed.conn.once('disconnected', resolve)));
    await server.kill();
    // Acknowledgements cannot arrive after the process is dead; take the set
    // again now to include any that were already in the socket buffers.
    await Promise.all(disconnected);
    const ackedAtKill = [...acked];
    typing = false;
    await Promise.all(loops);
    assert.ok(ackedBeforeKill.length > 0, `cycle ${cycle}: some ops were acknowledged before the kill`);

    await start();

    // A fresh client on the new process: every acknowledged token exactly
    // once, and no token twice.
    const restarted = await fetchText(report.id);
    const lost = ackedAtKill.filter((tok) => count(restarted.text, tok) !== 1);
    assert.deepEqual(lost, [], `cycle ${cycle}: acknowledged tokens lost or doubled after kill -9 (version ${restarted.version})`);
    const doubled = submitted.filter((tok) => count(restarted.text, tok) > 1);
    assert.deepEqual(doubled, [], `cycle ${cycle}: tokens doubled after kill -9`);
    const stored = submitted.filter((tok) => count(restarted.text, tok) === 1).length;
    const ackedAtKillSet = new Set(ackedAtKill);
    const storedUnacked = submitted.filter((tok) => !ackedAtKillSet.has(tok) && count(restarted.text, tok) === 1).length;

    // The old editors reconnect (keeping their client ids) and resubmit their
    // in-flight and pending ops: now every submitted token is acknowledged and
    // appears exactly once, and all editors and a fresh fetch agree.
    for (const ed of editors) ed.conn.bindToSocket(await socket());
    await Promise.all(editors.map((ed) => new Promise((resolve) => ed.doc.whenNothingPending(resolve))));
    assert.deepEqual(errors, [], `cycle ${cycle}: no sharedb errors`);
    const final = await fetchText(report.id);
    for (const ed of editors) assert.equal(ed.doc.data, final.text, `cycle ${cycle}: editor converged`);
    const wrong = submitted.filter((tok) => count(final.text, tok) !== 1);
    assert.deepEqual(wrong, [], `cycle ${cycle}: every token exactly once after resubmission`);
    assert.equal(acked.size, submitted.length, `cycle ${cycle}: every token acknowledged after resubmission`);
    assert.equal(final.text.length, submitted.reduce((n, tok) => n + tok.length, 0));

    t.diagnostic(
      `cycle ${cycle} (totals): ${ackedAtKill.length} acked at kill, ${stored} stored after restart ` +
        `(${storedUnacked} of them unacknowledged), ${submitted.length} submitted, ` +
        `version ${restarted.version} -> ${final.version}`,
    );
  }
  for (const ed of editors) ed.conn.close();
});
