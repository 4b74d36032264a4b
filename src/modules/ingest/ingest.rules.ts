/** Pure judgements on what scales send: arithmetic, findings, sequence gaps. No I/O. */
import type { AlertType, Finding } from '../alerts/index.js';
import type { EventMessage, SaleMessage } from './protocol.rules.js';

export type { Finding };

/** What pricing says about one sale (see the pricing module's judge()). */
export interface SaleJudgement {
  productId: number | null;
  productName: string | null;
  capFenPerKg: number | null;
  priceListId: number | null;
  overCap: boolean;
  excessFenPerKg: number;
  excessPct: number;
  unmappedControlled: { productId: number; productName: string; capFenPerKg: number | null } | null;
}

export interface Subject {
  scaleId: number | null;
  merchantId: number | null;
  marketId: number | null;
  districtId: number;
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

/** total_fen against weight × unit price, rounded to the fen; null when within tolerance. */
export function arithmeticMismatch(weightG: number, unitPriceFenPerKg: number, totalFen: number, toleranceFen: number): { expectedFen: number; diffFen: number } | null {
  const expectedFen = Math.round((weightG * unitPriceFenPerKg) / 1000);
  const diffFen = totalFen - expectedFen;
  return Math.abs(diffFen) > toleranceFen ? { expectedFen, diffFen } : null;
}

export interface SaleCheck {
  flags: string[];
  findings: Finding[];
}

const FAIR: SaleCheck = Object.freeze({ flags: Object.freeze([]) as unknown as string[], findings: Object.freeze([]) as unknown as Finding[] });

/** Every check on one accepted sale: over cap, arithmetic, unmapped controlled product, expired verification. */
export function checkSale(
  sale: SaleMessage,
  subject: Subject & { scaleId: number },
  judgement: SaleJudgement,
  opts: { toleranceFen: number; verifiedUntil: string | null; saleDate: string },
): SaleCheck {
  const mismatch = arithmeticMismatch(sale.weightG, sale.unitPriceFenPerKg, sale.totalFen, opts.toleranceFen);
  const expired = opts.verifiedUntil === null || opts.verifiedUntil < opts.saleDate;
  const overCap = judgement.overCap && judgement.capFenPerKg !== null;
  // Nearly every sale is fair: it costs nothing more than these comparisons.
  if (!overCap && !judgement.unmappedControlled && !mismatch && !expired) return FAIR;
  const flags: string[] = [];
  const findings: Finding[] = [];
  const source = { scaleId: subject.scaleId, seq: sale.seq };
  const base = { plu: sale.plu, name: sale.name, weightG: sale.weightG, unitPriceFenPerKg: sale.unitPriceFenPerKg, totalFen: sale.totalFen, ts: sale.ts, receiptNo: sale.receiptNo };
  // A copy: the caller's subject may be a larger record (a device context).
  subject = { scaleId: subject.scaleId, merchantId: subject.merchantId, marketId: subject.marketId, districtId: subject.districtId };

  if (overCap) {
    flags.push('over_cap');
    findings.push({
      type: 'over_cap',
      subject,
      aggregationKey: `over_cap:scale:${subject.scaleId}`,
      title: `超调控价销售 (over-cap sales): ${judgement.productName ?? sale.name}`,
      evidence: {
        at: sale.at,
        summary: `${sale.name} 单价 ¥${yuan(sale.unitPriceFenPerKg)}/kg 超过调控价 ¥${yuan(judgement.capFenPerKg!)}/kg，超出 ¥${yuan(judgement.excessFenPerKg)}/kg (${judgement.excessPct}%)`,
        data: { ...base, productId: judgement.productId, capFenPerKg: judgement.capFenPerKg, excessFenPerKg: judgement.excessFenPerKg, excessPct: judgement.excessPct, priceListId: judgement.priceListId },
        source,
      },
    });
  }
  if (judgement.unmappedControlled) {
    flags.push('unmapped_product');
    const u = judgement.unmappedControlled;
    findings.push({
      type: 'unmapped_product',
      subject,
      aggregationKey: `unmapped_product:merchant:${subject.merchantId ?? 'none'}:plu:${sale.plu}`,
      title: `未关联商品编码却售卖调控商品 (controlled product sold under an unmapped code): ${u.productName}`,
      evidence: {
        at: sale.at,
        summary: `商品码 ${sale.plu}“${sale.name}”未关联目录商品，但名称对应调控商品“${u.productName}”`,
        data: { ...base, matchedProductId: u.productId, capFenPerKg: u.capFenPerKg },
        source,
      },
    });
  }
  if (mismatch) {
    flags.push('arithmetic_mismatch');
    findings.push({
      type: 'arithmetic_mismatch',
      subject,
      aggregationKey: `arithmetic_mismatch:scale:${subject.scaleId}`,
      title: '金额与重量×单价不符 (total does not match weight × unit price)',
      evidence: {
        at: sale.at,
        summary: `${sale.weightG} g × ¥${yuan(sale.unitPriceFenPerKg)}/kg 应收 ¥${yuan(mismatch.expectedFen)}，实收 ¥${yuan(sale.totalFen)}`,
        data: { ...base, ...mismatch },
        source,
      },
    });
  }
  if (expired) {
    flags.push('expired_verification');
    findings.push({
      type: 'expired_verification_sale',
      subject,
      aggregationKey: `expired_verification_sale:scale:${subject.scaleId}`,
      title: '使用未经有效强制检定的秤销售 (sale on a scale without valid mandatory verification)',
      evidence: {
        at: sale.at,
        summary: opts.verifiedUntil ? `检定有效期至 ${opts.verifiedUntil}，销售日期 ${opts.saleDate}` : '无有效检定记录 (no valid verification record)',
        data: { ...base, verifiedUntil: opts.verifiedUntil },
        source,
      },
    });
  }
  return { flags, findings };
}

const EVENT_TITLES: Partial<Record<AlertType, string>> = {
  tamper: '秤体被拆改或作弊迹象 (tamper detected)',
  unit_change_attempt: '试图更改计量单位 (attempt to change the unit)',
  unauthorised_calibration: '未经授权的校准 (calibration without an authorised order)',
  unauthorised_config_change: '未经授权的参数修改 (configuration change without an authorised order)',
  clock_drift: '秤时钟偏差过大 (scale clock drift)',
};

/**
 * Findings for one accepted event. `authorised`: a calibration order covers it. `live`: sent alone
 * and new, so its ts says something about the scale's clock; a buffered heartbeat resent after an
 * outage is old by nature, so only a clock running ahead counts for it.
 */
export function checkEvent(ev: EventMessage, subject: Subject & { scaleId: number }, opts: { authorised: boolean; receivedAt: Date; clockDriftS: number; live?: boolean }): Finding[] {
  const source = { scaleId: subject.scaleId, seq: ev.seq };
  const finding = (type: AlertType, summary: string, data: Record<string, unknown> = {}): Finding => ({
    type,
    subject,
    aggregationKey: `${type}:scale:${subject.scaleId}`,
    title: EVENT_TITLES[type]!,
    evidence: { at: ev.at, summary, data: { eventType: ev.type, actor: ev.actor, detail: ev.detail, ts: ev.ts, ...data }, source },
  });
  switch (ev.type) {
    case 'tamper':
      return [finding('tamper', `秤上报拆改事件${ev.actor ? `，操作人 ${ev.actor}` : ''}`)];
    case 'unit_change_attempt':
      return [finding('unit_change_attempt', `秤上报更改计量单位的尝试${ev.actor ? `，操作人 ${ev.actor}` : ''}`)];
    case 'calibration':
    case 'config_change':
      if (opts.authorised) return [];
      return [finding(ev.type === 'calibration' ? 'unauthorised_calibration' : 'unauthorised_config_change', `${ev.type === 'calibration' ? '校准' : '参数修改'}无对应授权校准单${ev.actor ? `，操作人 ${ev.actor}` : ''}`)];
    case 'heartbeat':
    case 'power_on':
    case 'clock_set': {
      const driftMs = opts.receivedAt.getTime() - ev.at.getTime();
      const behind = driftMs > 0;
      if (Math.abs(driftMs) <= opts.clockDriftS * 1000 || (behind && opts.live === false)) return [];
      return [finding('clock_drift', `秤时钟与平台相差 ${Math.round(driftMs / 1000)} 秒 (clock off by ${Math.round(driftMs / 1000)} s)`, { driftMs })];
    }
    default:
      return [];
  }
}

/**
 * New gaps opened by a run of sequence numbers after the highest stored one: seqs sorted and
 * distinct, all above lastSeq. Returns the gaps and the new highest.
 */
export function newGaps(lastSeq: number, sortedSeqs: readonly number[]): { gaps: [number, number][]; maxSeq: number } {
  const gaps: [number, number][] = [];
  let prev = lastSeq;
  for (const s of sortedSeqs) {
    if (s <= prev) continue;
    if (s > prev + 1) gaps.push([prev + 1, s - 1]);
    prev = s;
  }
  return { gaps, maxSeq: prev };
}

/** Removes a filled seq from a gap: the gap closes, shrinks, or splits in two. */
export function fillGap(gap: { from: number; to: number }, seq: number): { from: number; to: number }[] {
  if (seq < gap.from || seq > gap.to) return [gap];
  const parts: { from: number; to: number }[] = [];
  if (seq > gap.from) parts.push({ from: gap.from, to: seq - 1 });
  if (seq < gap.to) parts.push({ from: seq + 1, to: gap.to });
  return parts;
}
