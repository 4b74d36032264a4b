/**
 * Consumers' ratings of scales and the light each scale shows (红灯秤). Anonymous: a rating is
 * tied to a keyed hash of the phone's device cookie and of its network, never to the raw values.
 * Admission limits, burst marking, comment screening and the light are the pure rules of
 * rating.rules.ts and comment.rules.ts; a light turning red raises an alert to the office.
 */
import { createHmac } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { ensurePlatformSecret } from '../../db/platform-secret.js';
import { notFound } from '../../shared/errors.js';
import type { Finding } from '../alerts/index.js';
import type { Actor } from '../auth/index.js';
import { reachFilter } from '../../db/reach.js';
import { COMMENT_MAX_CHARS, COMMENT_MESSAGES, screenComment } from './comment.rules.js';
import { ADMISSION_MESSAGES, decideRatingAdmission, detectBurst, LIGHT_LABELS, rankForInspection, scaleLight, type Bilingual, type Light, type LightEvidence, type ScaleRating, type Stars } from './rating.rules.js';

export interface RatingInput {
  scaleId: number;
  accurate: boolean;
  stars: number;
  comment?: string | null;
  /** What the market's fair scale (公平秤) showed, grams. */
  fairWeightG?: number | null;
  /** The weight on the receipt, grams. */
  receiptWeightG?: number | null;
  /** The phone's anonymous device cookie. */
  deviceId: string;
  /** The network address the rating came from. */
  ip: string;
}

export type RatingOutcome =
  | { status: 'thanks'; light: Light }
  | { status: 'limited'; reason: RatingReason; retryAfterS: number; message: Bilingual }
  | { status: 'screened'; reason: RatingReason; message: Bilingual }
  | { status: 'invalid'; reason: RatingReason; message: Bilingual };

/** Why a rating was not taken, by a stable code the scan page turns back into words. */
export const RATING_REASONS: Record<string, Bilingual> = {
  ...ADMISSION_MESSAGES,
  too_long: COMMENT_MESSAGES.too_long(COMMENT_MAX_CHARS + 1),
  abusive: COMMENT_MESSAGES.abusive,
  contains_link: COMMENT_MESSAGES.contains_link,
  stars: { zh: '请选择1到5星。', en: 'Choose one to five stars.' },
  weight: { zh: '重量须为1到1,000,000之间的整数克数。', en: 'Weights are whole grams between 1 and 1,000,000.' },
};
export type RatingReason = keyof typeof RATING_REASONS;


/** How far back ratings count towards a light (older ones have decayed to nothing). */
const HORIZON_DAYS = 730;

/** The network a rating came from: an IPv4 address, or an IPv6 /64 (one household or phone). */
export function networkOf(ip: string): string {
  const v4 = ip.replace(/^::ffff:/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return v4;
  return ip.split(':').slice(0, 4).join(':');
}

export function createFeedbackService(db: Db, opts: { alerts: { raiseIn: (trx: Transaction<Database>, f: Finding[]) => Promise<unknown>; publish: (raised: never) => unknown }; now?: () => Date; salt?: Buffer }) {
  const now = opts.now ?? (() => new Date());
  let salt: Promise<Buffer> | null = null;
  const keyOf = async (kind: string, value: string) =>
    createHmac('sha256', await (salt ??= opts.salt ? Promise.resolve(opts.salt) : ensurePlatformSecret(db, 'rating_salt')))
      .update(`${kind}:${value}`)
      .digest('base64url')
      .slice(0, 22);

  /** Recomputes the scale's light from its ratings (the caller holds the scale's light row). */
  async function relight(trx: Transaction<Database>, scaleId: number, at: Date) {
    const since = new Date(at.getTime() - HORIZON_DAYS * 86_400_000);
    const rows = await trx
      .selectFrom('scale_rating')
      .select(['at', 'is_accurate', 'stars', 'device_key', 'network_key', 'fair_weight_g', 'receipt_weight_g'])
      .where('scale_id', '=', scaleId)
      .where('at', '>=', since)
      .execute();
    const ratings: ScaleRating[] = rows.map((r) => ({
      at: r.at,
      accurate: r.is_accurate,
      stars: r.stars as Stars,
      sourceKey: r.device_key,
      networkKey: r.network_key,
      ...(r.fair_weight_g && r.receipt_weight_g ? { fairScaleShortfallG: r.receipt_weight_g - r.fair_weight_g, fairScaleWeightG: r.fair_weight_g } : {}),
    }));
    const verdict = scaleLight(ratings, at);
    const inaccurate = rows.filter((r) => !r.is_accurate).length;
    const before = await trx.selectFrom('scale_light').select('light').where('scale_id', '=', scaleId).executeTakeFirst();
    await trx
      .insertInto('scale_light')
      .values({ scale_id: scaleId, light: verdict.light, ratings: rows.length, inaccurate, evidence: JSON.stringify({ ...verdict.evidence, reasons: verdict.reasons }), updated_at: at })
      .onConflict((oc) => oc.column('scale_id').doUpdateSet({ light: verdict.light, ratings: rows.length, inaccurate, evidence: JSON.stringify({ ...verdict.evidence, reasons: verdict.reasons }), updated_at: at }))
      .execute();
    return { before: (before?.light ?? 'none') as Light, verdict, ratings: rows.length, inaccurate };
  }

  return {
    /** Takes one consumer's rating, or says plainly why not. Never throws on bad input. */
    async rate(input: RatingInput): Promise<RatingOutcome> {
      if (!Number.isInteger(input.stars) || input.stars < 1 || input.stars > 5) return { status: 'invalid', reason: 'stars', message: RATING_REASONS.stars! };
      for (const w of [input.fairWeightG, input.receiptWeightG])
        if (w !== null && w !== undefined && (!Number.isInteger(w) || w <= 0 || w > 1_000_000))
          return { status: 'invalid', reason: 'weight', message: RATING_REASONS.weight! };
      let comment: string | null = null;
      let masked: string[] = [];
      if (input.comment && input.comment.trim()) {
        const screened = screenComment(input.comment);
        if (!screened.ok) return { status: 'screened', reason: screened.reason, message: screened.message };
        comment = screened.text || null;
        masked = [...screened.masked];
      }
      const scale = await db.selectFrom('scale').select(['id', 'merchant_id', 'market_id', 'district_id', 'serial_no']).where('id', '=', input.scaleId).executeTakeFirst();
      if (!scale) throw notFound('scale', input.scaleId);
      const at = now();
      const deviceKey = await keyOf('device', input.deviceId);
      const networkKey = await keyOf('network', networkOf(input.ip));

      const result = await db.transaction().execute(async (trx) => {
        // One writer per scale at a time: the light row is the lock (made on the first rating).
        await trx.insertInto('scale_light').values({ scale_id: scale.id, light: 'none', ratings: 0, inaccurate: 0, evidence: '{}', updated_at: at }).onConflict((oc) => oc.column('scale_id').doNothing()).execute();
        await trx.selectFrom('scale_light').select('scale_id').where('scale_id', '=', scale.id).forUpdate().execute();
        const day = new Date(at.getTime() - 86_400_000);
        const hour = new Date(at.getTime() - 3_600_000);
        const [fromDevice, fromNetwork] = await Promise.all([
          trx.selectFrom('scale_rating').select(['at', 'scale_id']).where('device_key', '=', deviceKey).where('at', '>', day).execute(),
          trx.selectFrom('scale_rating').select('at').where('network_key', '=', networkKey).where('at', '>', hour).execute(),
        ]);
        const admission = decideRatingAdmission({
          now: at,
          recentFromDevice: fromDevice.map((r) => r.at),
          recentFromDeviceOnScale: fromDevice.filter((r) => r.scale_id === scale.id).map((r) => r.at),
          recentFromNetwork: fromNetwork.map((r) => r.at),
        });
        if (!admission.admit) return { status: 'limited' as const, reason: admission.reason, retryAfterS: admission.retryAfterS, message: admission.message };

        await trx
          .insertInto('scale_rating')
          .values({ scale_id: scale.id, at, is_accurate: input.accurate, stars: input.stars, comment, masked, fair_weight_g: input.fairWeightG ?? null, receipt_weight_g: input.receiptWeightG ?? null, device_key: deviceKey, network_key: networkKey })
          .execute();
        // A sudden crowd of ratings is kept but marked for review; the light's caps already blunt it.
        const recent = await trx.selectFrom('scale_rating').select(['at', 'network_key', 'is_accurate']).where('scale_id', '=', scale.id).where('at', '>', new Date(at.getTime() - 30 * 86_400_000)).execute();
        const burst = detectBurst(recent.map((r) => ({ at: r.at, networkKey: r.network_key, accurate: r.is_accurate })), at);
        if (burst.burst) {
          let q = trx.updateTable('scale_rating').set({ is_suspect: true }).where('scale_id', '=', scale.id).where('at', '>=', burst.since);
          if (burst.networkKey) q = q.where('network_key', '=', burst.networkKey);
          await q.execute();
        }
        const lit = await relight(trx, scale.id, at);
        let raised: unknown = null;
        if (lit.verdict.light === 'red' && lit.before !== 'red') {
          raised = await opts.alerts.raiseIn(trx, [
            {
              type: 'red_light_scale',
              subject: { scaleId: scale.id, merchantId: scale.merchant_id, marketId: scale.market_id, districtId: scale.district_id },
              aggregationKey: `scale:${scale.id}`,
              title: `红灯秤：${scale.serial_no} 消费者评价称量不准 (red-light scale: consumers report inaccurate weighing)`,
              evidence: {
                at,
                summary: `${lit.ratings} 条评价中 ${lit.inaccurate} 条称不准 (${lit.inaccurate} of ${lit.ratings} ratings inaccurate)`,
                data: { ratings: lit.ratings, inaccurate: lit.inaccurate, reasons: lit.verdict.reasons.slice(0, 5), posteriorMean: lit.verdict.evidence.posteriorMean, credibleLower: lit.verdict.evidence.credibleLower },
              },
            },
          ]);
        }
        return { status: 'thanks' as const, light: lit.verdict.light, raised };
      });
      if (result.status === 'thanks') {
        if (result.raised) opts.alerts.publish(result.raised as never);
        return { status: 'thanks', light: result.light };
      }
      return result;
    },

    /** Red and yellow scales within the actor's reach, ranked for inspection (strongest evidence first). */
    async rankedForInspection(actor: Actor, limit = 100) {
      const rows = await db
        .selectFrom('scale_light as l')
        .innerJoin('scale as s', 's.id', 'l.scale_id')
        .leftJoin('merchant as m', 'm.id', 's.merchant_id')
        .leftJoin('market as mk', 'mk.id', 's.market_id')
        .leftJoin('stall as st', 'st.id', 's.stall_id')
        .select(['l.scale_id', 'l.light', 'l.ratings', 'l.inaccurate', 'l.evidence', 'l.updated_at', 's.serial_no', 's.district_id', 's.market_id', 's.merchant_id', 'm.name as merchant_name', 'mk.name as market_name', 'st.number as stall_number'])
        .where('l.light', 'in', ['red', 'yellow'])
        .where(reachFilter(actor.reach, 's.district_id', 's.market_id'))
        .execute();
      const ranked = rankForInspection(rows.map((r) => ({ ...r, scaleId: r.scale_id, light: r.light as Light, evidence: r.evidence as LightEvidence })));
      return ranked.slice(0, limit).map((r) => ({
        scaleId: r.scale_id,
        serialNo: r.serial_no,
        light: r.light,
        lightLabel: LIGHT_LABELS[r.light],
        ratings: r.ratings,
        inaccurate: r.inaccurate,
        reasons: ((r.evidence as { reasons?: string[] }).reasons ?? []).slice(0, 5),
        districtId: r.district_id,
        marketId: r.market_id,
        marketName: r.market_name,
        merchantId: r.merchant_id,
        merchantName: r.merchant_name,
        stallNumber: r.stall_number,
        updatedAt: r.updated_at.toISOString(),
      }));
    },

    /** A scale's ratings, newest first, for staff within reach (comments already screened and masked). */
    async ratingsOf(actor: Actor, scaleId: number, limit = 100) {
      const scale = await db.selectFrom('scale').select(['id', 'district_id', 'market_id']).where('id', '=', scaleId).where(reachFilter(actor.reach, 'district_id', 'market_id')).executeTakeFirst();
      if (!scale) throw notFound('scale', scaleId);
      const rows = await db.selectFrom('scale_rating').selectAll().where('scale_id', '=', scaleId).orderBy('at', 'desc').limit(limit).execute();
      const light = await db.selectFrom('scale_light').selectAll().where('scale_id', '=', scaleId).executeTakeFirst();
      return {
        scaleId,
        light: (light?.light ?? 'none') as Light,
        evidence: light?.evidence ?? null,
        ratings: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          accurate: r.is_accurate,
          stars: r.stars,
          comment: r.comment,
          fairWeightG: r.fair_weight_g,
          receiptWeightG: r.receipt_weight_g,
          isSuspect: r.is_suspect,
        })),
      };
    },

    /** A merchant's own scales, each with its light and ratings (newest 50): the merchant sees what consumers said. */
    async ratingsOfMerchant(merchantId: number) {
      const scales = await db.selectFrom('scale').select(['id', 'serial_no']).where('merchant_id', '=', merchantId).orderBy('serial_no').execute();
      const out = [];
      for (const s of scales) {
        const rows = await db.selectFrom('scale_rating').selectAll().where('scale_id', '=', s.id).orderBy('at', 'desc').limit(50).execute();
        const light = await db.selectFrom('scale_light').selectAll().where('scale_id', '=', s.id).executeTakeFirst();
        out.push({
          scaleId: s.id,
          serialNo: s.serial_no,
          light: (light?.light ?? 'none') as Light,
          evidence: light?.evidence ?? null,
          ratings: rows.map((r) => ({ id: r.id, at: r.at.toISOString(), accurate: r.is_accurate, stars: r.stars, comment: r.comment, fairWeightG: r.fair_weight_g, receiptWeightG: r.receipt_weight_g, isSuspect: r.is_suspect })),
        });
      }
      return out;
    },

    /** Lights fade as ratings age: recomputes every lit scale (run daily by the sweeper). */
    async refreshLights(): Promise<number> {
      const ids = await db.selectFrom('scale_light').select('scale_id').where('light', '<>', 'none').execute();
      for (const { scale_id } of ids) await db.transaction().execute(async (trx) => {
        await trx.selectFrom('scale_light').select('scale_id').where('scale_id', '=', scale_id).forUpdate().execute();
        await relight(trx, scale_id, now());
      });
      return ids.length;
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
