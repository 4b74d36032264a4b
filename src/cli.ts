/**
 * Operator commands:
 *   create-admin --username NAME [--display-name NAME]   password from MASHANG_ADMIN_PASSWORD or typed (hidden)
 *   audit-verify                                          re-computes the audit hash chain; exit 1 where it breaks
 */
import { parseArgs } from 'node:util';
import readline from 'node:readline';
import pino from 'pino';
import { ConfigError, loadConfig } from './config/config.js';
import { createContext } from './context.js';
import { verifyAuditChain } from './modules/audit/index.js';

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

async function main() {
  const [command, ...rest] = process.argv.slice(2);
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
    console.error('usage: tsx src/cli.ts create-admin --username NAME | audit-verify');
    return 2;
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    return 1;
  } finally {
    await ctx.dbHandle.close();
  }
}

main().then((code) => process.exit(code));
