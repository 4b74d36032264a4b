import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.js';
import { ensurePlatformSecret } from '../../db/platform-secret.js';
import { AppError, invalid } from '../../shared/errors.js';
import { appendAuditEntries } from '../audit/index.js';
import type { Actor, By } from '../auth/index.js';
import type { RegistryService } from '../registry/index.js';
import { newDeviceSecret, openSecret, sealSecret } from './device.secrets.js';
import { SCALE_ID_PATTERN } from './protocol.rules.js';

/** What the hot path needs to know about a scale, cached by its protocol id. */
export interface DeviceContext {
  scaleId: number;
  deviceId: string;
  secret: Buffer;
  maxCapacityG: number;
  merchantId: number | null;
  marketId: number | null;
  districtId: number;
  cityId: number;
  /** Last valid day of the latest passed verification; null when never verified or the latest failed. */
  verifiedUntil: string | null;
}

export interface DeviceStatus {
  scaleId: number;
  deviceId: string;
  hasCredentials: boolean;
  issuedAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
  lastSeq: number;
  isOnline: boolean;
  statusChangedAt: string | null;
  clockDriftMs: number | null;
  lastTransport: string | null;
}

const KEY_NAME = 'device_key';

/** Device credentials (issue, reissue, revoke) and the cached device contexts the transports use. */
export function createDeviceService(db: Db, registry: RegistryService, opts: { deviceKey?: Buffer; cacheTtlMs?: number; offlineAfterS?: number; now?: () => Date }) {
  const ttl = opts.cacheTtlMs ?? 5000;
  const now = opts.now ?? (() => new Date());
  const cache = new Map<string, { at: number; ctx: DeviceContext | null }>();
  const loading = new Map<string, Promise<DeviceContext | null>>();
  const revokeListeners = new Set<(deviceId: string) => void>();
  let keyPromise: Promise<Buffer> | undefined;

  /** The configured key, or one generated once and kept in the database (see the migration). */
  const key = () =>
    (keyPromise ??= (async () => {
      if (opts.deviceKey) return opts.deviceKey;
      return ensurePlatformSecret(db, KEY_NAME);
    })());

  async function load(deviceId: string): Promise<DeviceContext | null> {
    // On every cache miss of every scale: prepared, so it is planned once per connection.
    const { rows } = await sql<{
      scale_id: number;
      device_id: string;
      secret_enc: string | null;
      max_capacity_g: number;
      merchant_id: number | null;
      market_id: number | null;
      district_id: number;
      city_id: number;
      verified_until: string | null;
    }>`${sql.raw(PREPARED)}select d.scale_id, d.device_id, d.secret_enc, s.max_capacity_g, s.merchant_id, s.market_id, s.district_id, di.city_id,
        (select case when v.result = 'pass' then v.valid_until::text else null end from verification_record v
          where v.scale_id = s.id order by v.verified_on desc, v.id desc limit 1) as verified_until
      from scale_device d join scale s on s.id = d.scale_id join district di on di.id = s.district_id
      where d.device_id = ${deviceId}`.execute(db);
    const row = rows[0];
    if (!row?.secret_enc) return null;
    const secret = openSecret(await key(), row.secret_enc);
    if (!secret) return null;
    return {
      scaleId: row.scale_id,
      deviceId: row.device_id,
      secret,
      maxCapacityG: row.max_capacity_g,
      merchantId: row.merchant_id,
      marketId: row.market_id,
      districtId: row.district_id,
      cityId: row.city_id,
      verifiedUntil: row.verified_until ?? null,
    };
  }

  function forget(deviceId: string) {
    cache.delete(deviceId);
    loading.delete(deviceId);
    for (const l of revokeListeners) l(deviceId);
  }

  const offlineAfterMs = (opts.offlineAfterS ?? 180) * 1000;
  function isOnline(row: { is_online: boolean; last_seen_at: Date | null; last_transport: string | null }): boolean {
    if (!row.last_seen_at || now().getTime() - new Date(row.last_seen_at).getTime() > offlineAfterMs) return false;
    return row.last_transport === 'mqtt' ? row.is_online : true;
  }

  async function deviceIdFor(scaleId: number, serialNo: string) {
    const existing = await db.selectFrom('scale_device').select('device_id').where('scale_id', '=', scaleId).executeTakeFirst();
    if (existing) return existing.device_id;
    return SCALE_ID_PATTERN.test(serialNo) ? serialNo : `scale-${scaleId}`;
  }

  return {
    /**
     * The device context for a protocol scaleId, or null when unknown, revoked or without
     * credentials. Cached for a few seconds; a reissue or revocation on this instance takes effect at once.
     */
    lookup(deviceId: string): Promise<DeviceContext | null> {
      const hit = cache.get(deviceId);
      const t = Date.now();
      if (hit && t - hit.at < ttl) return Promise.resolve(hit.ctx);
      // One load per scale at a time: the messages arriving meanwhile wait for it.
      const pending = loading.get(deviceId);
      if (pending) return pending;
      const loaded: Promise<DeviceContext | null> = (SCALE_ID_PATTERN.test(deviceId) ? load(deviceId) : Promise.resolve(null)).then(
        (ctx) => {
          // Forgotten meanwhile (a reissue or revocation): not cached, the next lookup loads afresh.
          if (loading.get(deviceId) === loaded) {
            loading.delete(deviceId);
            cache.set(deviceId, { at: t, ctx });
            if (cache.size > 200_000) cache.clear();
          }
          return ctx;
        },
        (err: unknown) => {
          if (loading.get(deviceId) === loaded) loading.delete(deviceId);
          throw err;
        },
      );
      loading.set(deviceId, loaded);
      return loaded;
    },

    /** Called with a device id whose credentials changed: transports drop its connections. */
    onRevoke(listener: (deviceId: string) => void): () => void {
      revokeListeners.add(listener);
      return () => revokeListeners.delete(listener);
    },

    /** Issues (or reissues, revoking the old at once) the scale's secret; the secret is returned this once only. */
    async issue(by: By, scaleId: number): Promise<{ scaleId: number; deviceId: string; secret: string; issuedAt: string }> {
      const scale = await registry.getScale(by.actor, scaleId);
      if (!scale.isIot) throw new AppError('not_iot', '该秤未登记为物联网秤，不能签发设备凭证 (only an IoT-enabled scale gets device credentials)', 409);
      const secret = newDeviceSecret();
      const sealed = sealSecret(await key(), secret);
      const deviceId = await deviceIdFor(scaleId, scale.serialNo);
      const at = now();
      const reissued = await db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('scale_device').select(['secret_enc', 'issued_at']).where('scale_id', '=', scaleId).forUpdate().executeTakeFirst();
        await trx
          .insertInto('scale_device')
          .values({ scale_id: scaleId, device_id: deviceId, secret_enc: sealed, issued_at: at, issued_by: by.actor.staffId, revoked_at: null })
          .onConflict((oc) => oc.column('scale_id').doUpdateSet({ secret_enc: sealed, issued_at: at, issued_by: by.actor.staffId, revoked_at: null }))
          .execute();
        const wasLive = Boolean(before?.secret_enc);
        await appendAuditEntries(trx, [
          { staffId: by.actor.staffId, action: wasLive ? 'device.reissue' : 'device.issue', entity: 'scale', entityId: scaleId, before: { hadCredentials: wasLive }, after: { deviceId }, requestId: by.requestId },
        ]);
        return wasLive;
      });
      forget(deviceId);
      void reissued;
      return { scaleId, deviceId, secret: secret.toString('base64url'), issuedAt: at.toISOString() };
    },

    async revoke(by: By, scaleId: number): Promise<void> {
      await registry.getScale(by.actor, scaleId);
      const row = await db.selectFrom('scale_device').select(['device_id', 'secret_enc']).where('scale_id', '=', scaleId).executeTakeFirst();
      if (!row?.secret_enc) throw new AppError('no_credentials', '该秤没有有效的设备凭证 (the scale has no live device credentials)', 409);
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('scale_device').set({ secret_enc: null, revoked_at: now() }).where('scale_id', '=', scaleId).execute();
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'device.revoke', entity: 'scale', entityId: scaleId, before: { deviceId: row.device_id }, requestId: by.requestId }]);
      });
      forget(row.device_id);
    },

    async status(actor: Actor, scaleId: number): Promise<DeviceStatus> {
      const scale = await registry.getScale(actor, scaleId);
      const row = await db.selectFrom('scale_device').selectAll().where('scale_id', '=', scaleId).executeTakeFirst();
      const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
      return {
        scaleId,
        deviceId: row?.device_id ?? (SCALE_ID_PATTERN.test(scale.serialNo) ? scale.serialNo : `scale-${scaleId}`),
        hasCredentials: Boolean(row?.secret_enc),
        issuedAt: iso(row?.issued_at),
        revokedAt: iso(row?.revoked_at),
        lastSeenAt: iso(row?.last_seen_at),
        lastSeq: row?.last_seq ?? 0,
        isOnline: row ? isOnline(row) : false,
        statusChangedAt: iso(row?.status_changed_at),
        clockDriftMs: row?.clock_drift_ms ?? null,
        lastTransport: row?.last_transport ?? null,
      };
    },

    /** Online means heard from recently and, over MQTT, not announced offline (status topic or last will). */
    isOnline,

    /** Online/offline from the transport (MQTT status topic, last will). */
    async setOnline(scaleId: number, online: boolean, transport: string) {
      await db
        .updateTable('scale_device')
        .set({ is_online: online, status_changed_at: now(), last_transport: transport, ...(online ? { last_seen_at: now() } : {}) })
        .where('scale_id', '=', scaleId)
        .where('is_online', '=', !online)
        .execute();
    },

    /** An authorised window for calibration or configuration changes (校准授权), by the verification institution. */
    async addCalibrationOrder(by: By, scaleId: number, input: { validFrom: Date; validUntil: Date; calibrator?: string; reason?: string }) {
      await registry.getScale(by.actor, scaleId);
      if (!(input.validUntil > input.validFrom)) throw invalid('授权结束时间须晚于开始时间 (the window must end after it starts)', [{ field: 'validUntil', message: '须晚于开始时间 (must be after validFrom)' }]);
      if (input.validUntil.getTime() - input.validFrom.getTime() > 7 * 86_400_000) throw invalid('授权时段最长7天 (a window is at most 7 days)', [{ field: 'validUntil', message: '最长7天 (at most 7 days)' }]);
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('calibration_order')
          .values({ scale_id: scaleId, valid_from: input.validFrom, valid_until: input.validUntil, calibrator: input.calibrator ?? null, reason: input.reason ?? '', issued_by: by.actor.staffId })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'calibration_order.create', entity: 'scale', entityId: scaleId, after: input, requestId: by.requestId }]);
        return row;
      });
    },

    forget,
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
