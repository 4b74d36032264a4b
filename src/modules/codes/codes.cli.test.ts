import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: path.resolve(import.meta.dirname, '../../..') }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

describe('npm run cli -- verify-code, offline with the published keys', () => {
  let t: TestApp;
  let dir: string;
  let keysFile: string;
  let url: string;
  let checkCode: string;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    const manager = await t.as('manager_a');
    const code = (await manager.get(`/api/scales/${t.fx.scales.A}/code`)).json();
    url = code.url;
    checkCode = code.checkCode;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mashang-keys-'));
    keysFile = path.join(dir, 'keys.json');
    fs.writeFileSync(keysFile, (await t.app.inject({ method: 'GET', url: '/api/open/v1/code-keys' })).body);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says valid, with the key and check code, for a genuine code', async () => {
    const r = await cli(['verify-code', url, '--keys', keysFile]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('VALID');
    expect(r.out).toContain(checkCode);
  });

  it('says forged for an altered code and malformed for rubbish, with exit 1', async () => {
    const token = url.split('/C/')[1]!;
    const altered = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    const forged = await cli(['verify-code', altered, '--keys', keysFile]);
    expect(forged.code).toBe(1);
    expect(forged.out).toMatch(/FORGED|UNKNOWN_KEY|MALFORMED/);
    const junk = await cli(['verify-code', 'hello', '--keys', keysFile]);
    expect(junk.code).toBe(1);
    expect(junk.out).toContain('MALFORMED');
    expect((await cli(['verify-code', '--keys', keysFile])).code).toBe(2);
  });
});
