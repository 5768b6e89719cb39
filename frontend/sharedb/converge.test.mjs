// Drives the real plenary binary with the unmodified npm sharedb@7 client and
// ot-text-unicode@4: three editors make random concurrent edits with Unicode,
// connections are dropped (also right after a submit, losing acknowledgements),
// and at the end every editor and a fresh fetch hold the same text, in which
// every acknowledged insert appears exactly once.
//
// Run with: go build -o bin/plenary . && (cd frontend && npm run test:sharedb)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ShareDB from 'sharedb/lib/client/index.js';
import otText from 'ot-text-unicode';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer } from '../e2e/server.mjs';

ShareDB.types.register(otText.type);
const TYPE = 'http://sharejs.org/types/text-unicode';

let server;
let token;

async function api(method, path, body) {
  const res = await fetch(server.url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function socket() {
  const { ticket } = await api('POST', '/api/ws-ticket');
  return new WebSocket(server.url.replace('http://', 'ws://') + '/api/sharedb?ticket=' + ticket);
}

before(async () => {
  server = await startServer();
  const login = await fetch(server.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  token = (await login.json()).access_token;
});

after(async () => {
  await server?.stop();
});

const samples = ['a', 'é', 'e\u0301', 'ب', 'سلام', '中文', '🙂', '👩‍👩‍👧', ' ', '\n', 'ﷺ', 'Ω'];
const rand = (n) => Math.floor(Math.random() * n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpLen = (s) => [...s].length;

function whenNothingPending(doc) {
  return new Promise((resolve) => doc.whenNothingPending(resolve));
}

async function newEditor(id) {
  const conn = new ShareDB.Connection(await socket());
  conn.on('error', (e) => {
    throw e;
  });
  const doc = conn.get('reports', id);
  doc.on('error', (e) => {
    throw e;
  });
  await new Promise((resolve, reject) => doc.subscribe((err) => (err ? reject(err) : resolve())));
  return { conn, doc };
}

// drop closes the editor's socket (the client keeps its pending and in-flight
// ops) and connects a new one, as a reconnecting websocket wrapper would.
async function drop(editor) {
  if (editor.conn.state !== 'connected') {
    await new Promise((resolve) => editor.conn.once('connected', resolve));
  }
  const gone = new Promise((resolve) => editor.conn.once('disconnected', resolve));
  editor.conn.socket.close();
  await gone;
  drops++;
  await sleep(rand(30));
  editor.conn.bindToSocket(await socket());
}
let drops = 0;

test('three editors with the real sharedb client converge', async () => {
  const area = await api('POST', '/api/focus-areas', { name: 'Legal measures', description: '' });
  const group = await api('POST', '/api/groups', { name: 'Drafting', focus_area: area.id, description: '', visibility: 'private' });
  const report = await api('POST', '/api/reports', { title: "Chairman's Report", group_id: group.id });
  const editors = [await newEditor(report.id), await newEditor(report.id), await newEditor(report.id)];
  assert.equal(editors[0].doc.type.uri, TYPE);
  assert.equal(editors[0].doc.data, '');

  // Phase 1: random inserts and deletes anywhere, with dropped connections.
  await Promise.all(
    editors.map(async (ed) => {
      for (let i = 0; i < 80; i++) {
        const len = cpLen(ed.doc.data);
        if (len > 0 && Math.random() < 0.35) {
          const at = rand(len);
          const n = 1 + rand(Math.min(5, len - at));
          ed.doc.submitOp(at > 0 ? [at, { d: n }] : [{ d: n }]);
        } else {
          const at = rand(len + 1);
          const text = samples[rand(samples.length)] + samples[rand(samples.length)];
          ed.doc.submitOp(at > 0 ? [at, text] : [text]);
        }
        if (Math.random() < 0.05) await drop(ed);
        await sleep(rand(8));
      }
    }),
  );
  await Promise.all(editors.map((ed) => whenNothingPending(ed.doc)));
  await sleep(300);
  const texts = editors.map((ed) => ed.doc.data);
  assert.equal(texts[1], texts[0]);
  assert.equal(texts[2], texts[0]);

  // Phase 2: unique tokens inserted at token boundaries (start or end), with
  // connections dropped right after submitting, so acknowledgements are lost
  // and ops are resubmitted: each token must end up in the text exactly once.
  const base = editors[0].doc.data;
  const tokens = [];
  await Promise.all(
    editors.map(async (ed, e) => {
      for (let i = 0; i < 40; i++) {
        const token = `⟦${e}.${i}${samples[rand(samples.length)]}⟧`;
        tokens.push(token);
        const len = cpLen(ed.doc.data);
        const atEnd = Math.random() < 0.5 && len > 0;
        ed.doc.submitOp(atEnd ? [len, token] : [token]);
        if (Math.random() < 0.15) await drop(ed);
        await sleep(rand(6));
      }
    }),
  );
  await Promise.all(editors.map((ed) => whenNothingPending(ed.doc)));
  await sleep(300);
  const final = editors[0].doc.data;
  assert.equal(editors[1].doc.data, final);
  assert.equal(editors[2].doc.data, final);
  for (const token of tokens) {
    assert.equal(final.split(token).length - 1, 1, `token ${token} must appear exactly once`);
  }
  assert.equal(cpLen(final), cpLen(base) + tokens.reduce((n, t) => n + cpLen(t), 0));

  // A fresh client fetches the same text and version.
  const fresh = new ShareDB.Connection(await socket());
  const doc = fresh.get('reports', report.id);
  await new Promise((resolve, reject) => doc.fetch((err) => (err ? reject(err) : resolve())));
  assert.equal(doc.data, final);
  assert.equal(doc.version, editors[0].doc.version);

  // And the history: nf at version 1 is the empty report.
  const snap = await new Promise((resolve, reject) =>
    fresh.fetchSnapshot('reports', report.id, 1, (err, s) => (err ? reject(err) : resolve(s))),
  );
  assert.equal(snap.data, '');
  assert.equal(snap.v, 1);

  assert.ok(drops > 0, 'some connections were dropped');
  for (const ed of [...editors, { conn: fresh }]) ed.conn.close();
});
