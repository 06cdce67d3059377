// Starts the built server (target/release/nilfiling) on a free port with a fresh SQLite
// database, demo data and a fixed clock, and opens headless Debian Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_PASSWORD = 'demo1234';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startServer({ clock = '2026-11-24T10:00:00+08:00' } = {}) {
  const bin = process.env.NILFILING_BIN || join(root, 'target', 'release', 'nilfiling');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run bin/build first`);
  const dir = mkdtempSync(join(tmpdir(), 'nilfiling-e2e-'));
  const port = await freePort();
  const args = ['--database-url', `sqlite://${dir}/e2e.db`, '--log', 'warn'];
  if (clock) args.push('--clock', clock);
  args.push('serve', '--listen', `127.0.0.1:${port}`, '--site-root', join(root, 'target', 'site'), '--seed-demo-if-empty');
  const child = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Waits until the page is hydrated (the app marks <body data-hydrated>). */
export async function waitForHydration(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
}

export async function screenshot(page, name) {
  if (!process.env.E2E_SCREENSHOTS) return;
  await page.screenshot({ path: join(root, 'end2end', 'screenshots', `${name}.png`), fullPage: true });
}
