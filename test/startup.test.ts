/** The real process, as `npm start` runs it: embedded PGlite on disk, CLI bootstrap, port clash, SIGTERM. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/test-support/net.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mashang-start-'));

function envFor(port: number, dir = dataDir): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MASHANG_DATA_DIR: dir, PORT: String(port), MASHANG_DEMO: 'false', LOG_LEVEL: 'warn' };
  // The embedded defaults are what is tested here, whatever CI points the suite at.
  delete env.DATABASE_URL;
  delete env.MQTT_URL;
  return env;
}

function waitFor(child: ChildProcess, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`)), ms);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (pattern.test(out)) resolve(out);
      else reject(new Error(`exited ${code} before ${pattern}; output:\n${out}`));
    });
  });
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('starting and stopping the platform', () => {
  it('creates the first administrator from the command line; the weak password is refused', async () => {
    const port = await freePort();
    const weak = spawnSync(TSX, ['src/cli.ts', 'create-admin', '--username', 'root'], { env: { ...envFor(port), MASHANG_ADMIN_PASSWORD: 'short' }, encoding: 'utf8' });
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('password');
    const ok = spawnSync(TSX, ['src/cli.ts', 'create-admin', '--username', 'root'], { env: { ...envFor(port), MASHANG_ADMIN_PASSWORD: 'root-password-2026' }, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('administrator root created');
  });

  it('starts on the data folder, keeps what was written before, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(TSX, ['src/main.ts'], { env: envFor(port) });
    children.push(child);
    const out = await waitFor(child, /is up in/, 60_000);
    expect(out).toContain(`http://localhost:${port}/admin/`);
    expect(out).toContain('npm run admin:create');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'root-password-2026' }) });
    expect(login.status).toBe(200);

    const stopped = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await stopped).toBe(0);
    const verify = spawnSync(TSX, ['src/cli.ts', 'audit-verify'], { env: envFor(port), encoding: 'utf8' });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain('audit chain intact: 1 entries');
  });

  it('says which setting to change when its port is taken, without touching the data folder', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mashang-clash-'));
      const child = spawn(TSX, ['src/main.ts'], { env: envFor(port, otherDir) });
      children.push(child);
      const out = await waitFor(child, /already in use/, 30_000);
      expect(out).toContain(`Set PORT to a free port`);
      expect(fs.existsSync(path.join(otherDir, 'pglite'))).toBe(false);
      fs.rmSync(otherDir, { recursive: true, force: true });
    } finally {
      blocker.close();
    }
  });
});
