/**
 * Operator commands:
 *   create-admin --username NAME [--display-name NAME]   password from MASHANG_ADMIN_PASSWORD or typed (hidden)
 *   audit-verify                                          re-computes the audit hash chain; exit 1 where it breaks
 *   verify-code CODE [--keys FILE]                        is a scanned code (URL or token) genuine, revoked or forged?
 *       With --keys (the JSON of GET /api/open/v1/code-keys) it works offline, signature only; without,
 *       it asks this platform's database, which also knows whether the code was replaced.
 *       Exit 0 valid, 1 revoked / forged / not issued, 2 usage.
 */
import { parseArgs } from 'node:util';
import readline from 'node:readline';
import pino from 'pino';
import { ConfigError, loadConfig } from './config/config.js';
import { createContext } from './context.js';
import { verifyAuditChain } from './modules/audit/index.js';
import { importKeyring, verifyToken, type PublishedKey } from './modules/codes/index.js';
import fs from 'node:fs';

async function readHidden(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) return line;
    return '';
  }
  process.stdout.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', function onData(buf) {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stdout.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.exit(130);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    });
  });
}

/** Offline: the signature against a published keyring, no database. */
function verifyOffline(code: string, keysFile: string): number {
  let keys: PublishedKey[];
  try {
    const parsed = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as { keys?: PublishedKey[] } | PublishedKey[];
    keys = Array.isArray(parsed) ? parsed : (parsed.keys ?? []);
  } catch (e) {
    console.error(`cannot read keys from ${keysFile}: ${(e as Error).message}`);
    return 2;
  }
  const r = verifyToken(code, importKeyring(keys));
  if (r.status === 'valid') {
    console.log(`VALID 真码: ${r.kind} ${r.subjectId}, serial ${r.serial}, issued ${r.issuedOn}, check code ${r.checkCode}, signed by key ${r.kid}${r.keyRetired ? ' (retired key)' : ''}`);
    console.log('  (offline check: the signature is genuine; whether it was replaced since is known only to the platform)');
    return 0;
  }
  console.log(`${r.status.toUpperCase()} ${r.status === 'malformed' ? '无法识别' : '伪造或密钥未知'}: ${r.reason}`);
  return 1;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'verify-code') {
    const { values, positionals } = parseArgs({ args: rest, options: { keys: { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1) {
      console.error('usage: npm run cli -- verify-code <code URL or token> [--keys keys.json]');
      return 2;
    }
    if (values.keys) return verifyOffline(positionals[0]!, values.keys);
  }
  let loaded;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const ctx = await createContext(loaded.config, loaded.secrets, pino({ level: 'warn' }));
  try {
    if (command === 'create-admin') {
      const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, 'display-name': { type: 'string' } } });
      if (!values.username) {
        console.error('usage: npm run admin:create -- --username NAME [--display-name NAME]');
        return 2;
      }
      const password = process.env.MASHANG_ADMIN_PASSWORD ?? (await readHidden('Password (10+ characters, letters and digits): '));
      const staff = await ctx.auth.createStaff(null, { username: values.username, displayName: values['display-name'] ?? values.username, password, role: 'admin' });
      console.log(`administrator ${staff.username} created (id ${staff.id})`);
      return 0;
    }
    if (command === 'audit-verify') {
      const r = await verifyAuditChain(ctx.dbHandle.db);
      if (r.ok) {
        console.log(`audit chain intact: ${r.entries} entries, head ${r.headHash}`);
        return 0;
      }
      console.error(`audit chain BROKEN at entry ${r.break.seq} (${r.break.kind}): ${r.break.message}; ${r.entries} entries verified before it`);
      return 1;
    }
    if (command === 'verify-code') {
      const r = await ctx.codes.resolve(rest.find((a) => !a.startsWith('--')) ?? '');
      if (r.status === 'valid') {
        console.log(`VALID 真码: ${r.code.kind} ${r.code.subjectId}, serial ${r.code.serial}, issued ${r.code.issuedOn}, check code ${r.code.checkCode}, signed by key ${r.code.kid}${r.keyRetired ? ' (retired key)' : ''}`);
        return 0;
      }
      if (r.status === 'revoked') {
        console.log(`REVOKED 此码已作废: ${r.code.kind} ${r.code.subjectId} serial ${r.code.serial} (check code ${r.code.checkCode}) was replaced on ${r.revokedAt}${r.current ? `; the current code is serial ${r.current.serial}, check code ${r.current.checkCode}` : ''}`);
        return 1;
      }
      console.log(`${r.status.toUpperCase()}: ${r.reason}`);
      return 1;
    }
    console.error('usage: tsx src/cli.ts create-admin --username NAME | audit-verify | verify-code CODE [--keys FILE]');
    return 2;
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    return 1;
  } finally {
    await ctx.dbHandle.close();
  }
}

main().then((code) => process.exit(code));
