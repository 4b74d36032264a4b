import { randomBytes } from 'node:crypto';
import type { Db } from './connect.js';

/**
 * A 32-byte key kept in the database when none is configured: made once by whichever instance asks
 * first, then read by all. Protects secrets at rest against a leaked dump of the other tables only;
 * production sets its own key (MASHANG_DEVICE_KEY) so the database never holds it.
 */
export async function ensurePlatformSecret(db: Db, name: string): Promise<Buffer> {
  await db.insertInto('platform_secret').values({ name, value: randomBytes(32).toString('base64') }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('platform_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}
