import type { Logger } from 'pino';
import type { Db } from '../../db/connect.js';
import type { AlertsPort } from './ingest.service.js';
import type { Finding } from './ingest.rules.js';
import { overdueGaps, quietScalesInOpenMarkets } from './ingest.repository.js';
import { ensureSalePartitions } from './partitions.js';

/**
 * What only time reveals: sequence gaps still open past the grace period (sales that never
 * reached the record) and scales silent while their market is open. Also keeps sale partitions
 * ahead of the clock. Runs every minute; each finding is reported once.
 */
export function createIngestSweeper(deps: { db: Db; alerts: AlertsPort; logger: Logger; settings: { gapGraceMinutes: number; offlineAfterS: number; backfillDays: number; timezone: string }; now?: () => Date }) {
  const { db, alerts, logger, settings } = deps;
  const now = deps.now ?? (() => new Date());

  async function sweep() {
    const at = now();
    await ensureSalePartitions(db, at, settings.backfillDays + 1, 3);
    const findings: Finding[] = [];
    const gaps = await overdueGaps(db, new Date(at.getTime() - settings.gapGraceMinutes * 60_000));
    for (const g of gaps) {
      findings.push({
        type: 'seq_gap',
        subject: { scaleId: g.scale_id, merchantId: g.merchant_id, marketId: g.market_id, districtId: g.district_id },
        aggregationKey: `seq_gap:scale:${g.scale_id}`,
        title: '交易序号缺失：有销售未上传 (sequence gap: sales that never reached the record)',
        evidence: {
          at: new Date(g.opened_at),
          summary: `序号 ${g.from_seq}${g.to_seq > g.from_seq ? `–${g.to_seq}` : ''} 缺失超过 ${settings.gapGraceMinutes} 分钟 (${g.to_seq - g.from_seq + 1} missing)`,
          data: { fromSeq: g.from_seq, toSeq: g.to_seq, missing: g.to_seq - g.from_seq + 1 },
          source: { scaleId: g.scale_id, seq: g.from_seq },
        },
      });
    }
    const localTime = new Intl.DateTimeFormat('en-GB', { timeZone: settings.timezone, hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
    const quiet = await quietScalesInOpenMarkets(db, new Date(at.getTime() - settings.offlineAfterS * 1000), localTime);
    for (const q of quiet) {
      findings.push({
        type: 'scale_offline',
        subject: { scaleId: q.scale_id, merchantId: q.merchant_id, marketId: q.market_id, districtId: q.district_id },
        aggregationKey: `scale_offline:scale:${q.scale_id}`,
        title: '营业时间内秤离线 (scale offline during business hours)',
        evidence: {
          at,
          summary: `${q.market_name} 营业中，秤 ${q.device_id} 自 ${new Date(q.last_seen_at!).toISOString()} 起无数据`,
          data: { deviceId: q.device_id, lastSeenAt: q.last_seen_at, saidOffline: !q.is_online },
          source: { scaleId: q.scale_id },
        },
      });
    }
    if (!findings.length) return { gaps: 0, offline: 0 };
    const raised = await db.transaction().execute(async (trx) => {
      if (gaps.length) await trx.updateTable('seq_gap').set({ reported_at: at }).where('id', 'in', gaps.map((g) => g.id)).execute();
      if (quiet.length) await trx.updateTable('scale_device').set({ offline_reported_at: at }).where('scale_id', 'in', quiet.map((q) => q.scale_id)).execute();
      return alerts.raiseIn(trx, findings);
    });
    alerts.publish(raised);
    return { gaps: gaps.length, offline: quiet.length };
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  return {
    sweep,
    start(everyMs = 60_000) {
      timer = setInterval(() => {
        if (running) return;
        running = sweep()
          .catch((err) => logger.error({ err }, 'ingest sweep failed'))
          .finally(() => (running = null));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
