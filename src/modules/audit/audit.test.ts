import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDb, TEST_DB_KINDS, type TestDb } from '../../test-support/db.js';
import { appendAuditEntries, verifyAuditChain } from './index.js';

describe.each(TEST_DB_KINDS)('audit chain on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => db?.cleanup());

  const write = (n: number) =>
    db.db.transaction().execute((trx) =>
      appendAuditEntries(
        trx,
        Array.from({ length: n }, (_, i) => ({ staffId: 1, action: 'merchant.update', entity: 'merchant', entityId: i + 1, before: { name: '旧名', at: new Date(0) }, after: { name: `新名${i}`, n: 1.5 }, requestId: 'req-1' })),
      ),
    );

  it('verifies an intact chain, written in several transactions', async () => {
    await write(3);
    await write(2);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true, entries: 5 });
  });

  it('detects an edited entry and says which', async () => {
    await sql`update audit_log set after = '{"name":"篡改"}' where seq = 3`.execute(db.db);
    const r = await verifyAuditChain(db.db);
    expect(r).toMatchObject({ ok: false, break: { kind: 'altered', seq: 3 } });
  });

  it('detects a deleted entry in the middle', async () => {
    await sql`delete from audit_log`.execute(db.db);
    await sql`update audit_head set seq = 0, hash = ${'0'.repeat(64)}`.execute(db.db);
    await write(5);
    await sql`delete from audit_log where seq = 2`.execute(db.db);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: false, break: { kind: 'missing', seq: 2 } });
  });

  it('detects the newest entries removed', async () => {
    await sql`delete from audit_log`.execute(db.db);
    await sql`update audit_head set seq = 0, hash = ${'0'.repeat(64)}`.execute(db.db);
    await write(4);
    await sql`delete from audit_log where seq = 4`.execute(db.db);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: false, break: { kind: 'truncated', seq: 4 } });
  });

  it('serialises concurrent writers into one chain', async () => {
    await sql`delete from audit_log`.execute(db.db);
    await sql`update audit_head set seq = 0, hash = ${'0'.repeat(64)}`.execute(db.db);
    await Promise.all(Array.from({ length: 8 }, () => write(3)));
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true, entries: 24 });
  });
});
