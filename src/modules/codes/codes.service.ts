/**
 * Codes: the signing keys, every code issued, reissue (which revokes), and what a scanned code is.
 * Signing and verifying are the pure rules of codes.rules.ts; this service keeps the keyring and
 * the record of codes, and answers whether a genuine code is still the current one.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/connect.js';
import { ensurePlatformSecret } from '../../db/platform-secret.js';
import { AppError, invalid, outOfReach } from '../../shared/errors.js';
import { openSecret, sealSecret } from '../../shared/seal.js';
import { appendAuditEntries } from '../audit/index.js';
import type { Actor, By } from '../auth/index.js';
import { calendarDate, type RegistryService } from '../registry/index.js';
import {
  buildCodeUrl,
  exportPrivateKey,
  exportPublicKey,
  generateCodeKeyPair,
  importPrivateKey,
  issueToken,
  checkCodeOf,
  keyringEntryOf,
  publishKeyring,
  verifyToken,
  type CodeKind,
  type KeyringEntry,
  type PublishedKey,
  type SigningKey,
} from './codes.rules.js';

const SEAL_KEY_NAME = 'code_seal_key';

export interface IssuedCode {
  kind: CodeKind;
  subjectId: number;
  serial: number;
  kid: string;
  token: string;
  url: string;
  checkCode: string;
  issuedOn: string;
  issuedAt: string;
}

/** What a scanned or pasted code turned out to be. */
export type CodeResolution =
  | { status: 'valid'; code: IssuedCode; keyRetired: boolean }
  | { status: 'revoked'; code: IssuedCode; revokedAt: string; current: { serial: number; checkCode: string } | null }
  | { status: 'not_issued'; kind: CodeKind; subjectId: number; serial: number; kid: string; reason: string }
  | { status: 'malformed' | 'unknown_key' | 'forged'; reason: string };

export interface CodesOptions {
  /** Codes point here: the platform's public address (PUBLIC_URL). */
  baseUrl: string;
  timezone: string;
  /** Seals the private signing keys at rest; generated and kept in the database when absent. */
  sealKey?: Buffer;
  logger?: Logger;
  now?: () => Date;
}

interface KeyState {
  keyring: KeyringEntry[];
  signing: SigningKey | null;
  loadedAt: number;
}

type CodeRow = { kind: string; subject_id: number; serial: number; kid: string; token: string; check_code: string; issued_on: string; issued_at: Date; revoked_at: Date | null };

export function createCodesService(db: Db, registry: RegistryService, opts: CodesOptions) {
  const now = opts.now ?? (() => new Date());
  let keys: Promise<KeyState> | null = null;
  let sealKey: Promise<Buffer> | null = null;
  const seal = () => (sealKey ??= opts.sealKey ? Promise.resolve(opts.sealKey) : ensurePlatformSecret(db, SEAL_KEY_NAME));

  const present = (r: CodeRow): IssuedCode => ({
    kind: r.kind as CodeKind,
    subjectId: r.subject_id,
    serial: r.serial,
    kid: r.kid,
    token: r.token,
    url: buildCodeUrl(opts.baseUrl, r.token),
    checkCode: r.check_code,
    issuedOn: r.issued_on,
    issuedAt: r.issued_at.toISOString(),
  });

  /** Reads the keyring; makes the first signing key when there is none. Other instances' rotations show within a minute. */
  async function loadKeys(): Promise<KeyState> {
    let rows = await db.selectFrom('code_key').selectAll().orderBy('created_at').execute();
    if (!rows.some((r) => r.retired_at === null && r.private_key_enc)) {
      await addKey();
      rows = await db.selectFrom('code_key').selectAll().orderBy('created_at').execute();
    }
    const key = await seal();
    const keyring = rows.map((r) => keyringEntryOf(r.public_key, r.retired_at ? r.retired_at.toISOString() : null));
    const current = [...rows].reverse().find((r) => r.retired_at === null && r.private_key_enc);
    let signing: SigningKey | null = null;
    if (current) {
      const der = openSecret(key, current.private_key_enc!);
      if (!der) opts.logger?.error({ kid: current.kid }, 'codes: the signing key cannot be opened with this seal key; new codes cannot be issued');
      else signing = { kid: current.kid, privateKey: importPrivateKey(der.toString('utf8')) };
    }
    return { keyring, signing, loadedAt: Date.now() };
  }

  async function addKey(): Promise<string> {
    const pair = generateCodeKeyPair();
    const sealed = sealSecret(await seal(), Buffer.from(exportPrivateKey(pair.privateKey), 'utf8'));
    await db.insertInto('code_key').values({ kid: pair.kid, public_key: exportPublicKey(pair.publicKey), private_key_enc: sealed }).onConflict((oc) => oc.column('kid').doNothing()).execute();
    return pair.kid;
  }

  async function keyState(): Promise<KeyState> {
    const k = keys ? await keys.catch(() => null) : null;
    if (k && Date.now() - k.loadedAt < 60_000) return k;
    keys = loadKeys();
    return keys;
  }

  /** Reach over the subject of a code (a city's price list: staff of that city). */
  async function checkSubject(actor: Actor, kind: CodeKind, subjectId: number): Promise<void> {
    switch (kind) {
      case 'merchant':
        await registry.getMerchant(actor, subjectId);
        return;
      case 'scale':
        await registry.getScale(actor, subjectId);
        return;
      case 'market':
        await registry.getMarket(actor, subjectId);
        return;
      case 'prices': {
        const city = await db.selectFrom('city').select('id').where('id', '=', subjectId).executeTakeFirst();
        if (!city || (actor.reach.kind !== 'all' && actor.cityId !== subjectId)) throw outOfReach('city', subjectId);
      }
    }
  }

  async function currentRows(kind: CodeKind, subjectIds: readonly number[]): Promise<Map<number, CodeRow>> {
    if (!subjectIds.length) return new Map();
    const rows = await db.selectFrom('qr_code').selectAll().where('kind', '=', kind).where('subject_id', 'in', subjectIds).where('revoked_at', 'is', null).execute();
    return new Map(rows.map((r) => [r.subject_id, r]));
  }

  /** Issues the first code of each subject that has none; a code made by another request at the same moment wins quietly. */
  async function ensureCodes(kind: CodeKind, subjectIds: readonly number[], staffId: number | null): Promise<Map<number, IssuedCode>> {
    const have = await currentRows(kind, subjectIds);
    const missing = subjectIds.filter((id) => !have.has(id));
    if (missing.length) {
      const { signing } = await keyState();
      if (!signing) throw new AppError('no_signing_key', '签名密钥不可用，无法签发二维码 (no usable signing key; codes cannot be issued)', 503);
      const issuedOn = calendarDate(now(), opts.timezone);
      const maxSerials = await db.selectFrom('qr_code').select(['subject_id', (eb) => eb.fn.max('serial').as('serial')]).where('kind', '=', kind).where('subject_id', 'in', missing).groupBy('subject_id').execute();
      const nextSerial = new Map(maxSerials.map((r) => [r.subject_id, Number(r.serial) + 1]));
      const values = missing.map((subjectId) => {
        const serial = nextSerial.get(subjectId) ?? 1;
        const token = issueToken({ kind, subjectId, serial, issuedOn }, signing);
        return { kind, subject_id: subjectId, serial, kid: signing.kid, token, check_code: checkCodeOf(token), issued_on: issuedOn, issued_by: staffId };
      });
      for (let i = 0; i < values.length; i += 1000) await db.insertInto('qr_code').values(values.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
      for (const [id, row] of await currentRows(kind, missing)) have.set(id, row);
    }
    return new Map([...have].map(([id, r]) => [id, present(r)]));
  }

  return {
    /** Loads (or creates) the signing keys; call at start so the first scan does not wait. */
    async ready(): Promise<void> {
      await keyState();
    },

    /** The public keys anyone may verify codes with offline. */
    async publishedKeys(): Promise<PublishedKey[]> {
      return publishKeyring((await keyState()).keyring);
    },

    /** The subject's current code, issued on first request. */
    async codeFor(by: By, kind: CodeKind, subjectId: number): Promise<IssuedCode> {
      await checkSubject(by.actor, kind, subjectId);
      return (await ensureCodes(kind, [subjectId], by.actor.staffId)).get(subjectId)!;
    },

    /** Current codes of many subjects the caller has already been checked for (labels, pages). */
    codesOf: (kind: CodeKind, subjectIds: readonly number[], staffId: number | null = null) => ensureCodes(kind, subjectIds, staffId),

    /** A new code for the subject; the old one is revoked at once and its scan shows a warning. */
    async reissue(by: By, kind: CodeKind, subjectId: number): Promise<IssuedCode> {
      await checkSubject(by.actor, kind, subjectId);
      const { signing } = await keyState();
      if (!signing) throw new AppError('no_signing_key', '签名密钥不可用，无法签发二维码 (no usable signing key; codes cannot be issued)', 503);
      const at = now();
      const issuedOn = calendarDate(at, opts.timezone);
      const row = await db.transaction().execute(async (trx) => {
        // The subject's newest code row, locked: two reissues at once take turns.
        const last = await trx.selectFrom('qr_code').selectAll().where('kind', '=', kind).where('subject_id', '=', subjectId).orderBy('serial', 'desc').limit(1).forUpdate().executeTakeFirst();
        if (last && last.revoked_at === null) await trx.updateTable('qr_code').set({ revoked_at: at, revoked_by: by.actor.staffId }).where('kind', '=', kind).where('subject_id', '=', subjectId).where('serial', '=', last.serial).execute();
        const serial = (last?.serial ?? 0) + 1;
        const token = issueToken({ kind, subjectId, serial, issuedOn }, signing);
        const inserted = await trx
          .insertInto('qr_code')
          .values({ kind, subject_id: subjectId, serial, kid: signing.kid, token, check_code: checkCodeOf(token), issued_on: issuedOn, issued_at: at, issued_by: by.actor.staffId })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [
          { staffId: by.actor.staffId, action: 'code.reissue', entity: kind, entityId: subjectId, before: last ? { serial: last.serial, checkCode: last.check_code } : null, after: { serial, checkCode: inserted.check_code, kid: signing.kid }, requestId: by.requestId },
        ]);
        return inserted;
      });
      return present(row);
    },

    /**
     * What a scanned or pasted code is: genuine and current, genuine but replaced (revoked), or not
     * a genuine code at all. Never throws on bad input.
     */
    async resolve(input: string): Promise<CodeResolution> {
      const { keyring } = await keyState();
      let v = verifyToken(input, keyring);
      if (v.status === 'unknown_key') {
        // Perhaps another instance rotated a moment ago.
        keys = loadKeys();
        v = verifyToken(input, (await keys).keyring);
      }
      if (v.status !== 'valid') return { status: v.status, reason: v.reason };
      const row = await db.selectFrom('qr_code').selectAll().where('kind', '=', v.kind).where('subject_id', '=', v.subjectId).where('serial', '=', v.serial).executeTakeFirst();
      if (!row || row.token !== v.token)
        return { status: 'not_issued', kind: v.kind, subjectId: v.subjectId, serial: v.serial, kid: v.kid, reason: '签名有效，但本平台没有签发记录 (genuinely signed, but the platform has no record of issuing it)' };
      if (row.revoked_at) {
        const current = (await currentRows(v.kind, [v.subjectId])).get(v.subjectId);
        return { status: 'revoked', code: present(row), revokedAt: row.revoked_at.toISOString(), current: current ? { serial: current.serial, checkCode: current.check_code } : null };
      }
      return { status: 'valid', code: present(row), keyRetired: v.keyRetired };
    },

    /** A new signing key; the old one is retired (it still verifies the codes it signed). */
    async rotateKey(by: By): Promise<{ kid: string; retired: string[] }> {
      if (by.actor.reach.kind !== 'all') throw invalid('only the administrator rotates the signing key');
      const before = await db.selectFrom('code_key').select('kid').where('retired_at', 'is', null).execute();
      const kid = await db.transaction().execute(async (trx) => {
        const pair = generateCodeKeyPair();
        const sealed = sealSecret(await seal(), Buffer.from(exportPrivateKey(pair.privateKey), 'utf8'));
        await trx.updateTable('code_key').set({ retired_at: now() }).where('retired_at', 'is', null).execute();
        await trx.insertInto('code_key').values({ kid: pair.kid, public_key: exportPublicKey(pair.publicKey), private_key_enc: sealed, created_at: now() }).execute();
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'code.key_rotate', entity: 'code_key', entityId: pair.kid, before: { current: before.map((b) => b.kid) }, after: { current: pair.kid }, requestId: by.requestId }]);
        return pair.kid;
      });
      keys = loadKeys();
      await keys;
      return { kid, retired: before.map((b) => b.kid) };
    },
  };
}

export type CodesService = ReturnType<typeof createCodesService>;
