// Shared helpers for the browser tests: start the real plenary binary on a
// free loopback port with a fresh data directory, and launch Debian's
// Chromium through playwright-core (no browser downloads).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const frontendDir = path.resolve(here, '..');
export const screenshotDir = path.join(here, 'screenshots');

export const ADMIN_EMAIL = 'admin@example.org';
export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

/** freePort asks the kernel for an unused loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`plenary exited with ${child.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`plenary did not become healthy within ${timeoutMs} ms (${last})`);
}

/**
 * startServer runs the plenary binary (PLENARY_BIN, default ../bin/plenary
 * from frontend/) and resolves { url, stop, kill, logs, dataDir } once
 * /api/health answers 200.
 *
 * By default it uses a fresh data directory that stop() removes. Pass
 * `dataDir` to run on an existing directory instead (e.g. to restart on the
 * data of a killed server); the caller owns it and stop() leaves it in place.
 * kill() ends the process with SIGKILL (a crash: nothing is flushed or closed)
 * and never removes the data directory.
 */
export async function startServer({ env = {}, dataDir: existingDataDir } = {}) {
  const bin = path.resolve(frontendDir, process.env.PLENARY_BIN ?? '../bin/plenary');
  const dataDir = existingDataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'plenary-e2e-')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs = [];
  const child = spawn(bin, [], {
    env: {
      ...process.env,
      PLENARY_ADDR: `127.0.0.1:${port}`,
      PLENARY_DATA_DIR: dataDir,
      PLENARY_ADMIN_EMAIL: ADMIN_EMAIL,
      PLENARY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PLENARY_DEMO: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 400) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (e) => logs.push(`spawn error: ${e.message}`));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    }
    if (existingDataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  };

  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  try {
    await waitHealthy(url, child, 30000);
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n--- server output ---\n${logs.join('')}`);
  }
  return { url, stop, kill, logs, dataDir };
}

/** launchBrowser starts headless Debian Chromium. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
