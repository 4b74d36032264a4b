import { describe, expect, it } from 'vitest';
import { arithmeticMismatch, checkEvent, checkSale, fillGap, newGaps, type SaleJudgement } from './ingest.rules.js';
import type { EventMessage, SaleMessage } from './protocol.rules.js';

const sale: SaleMessage = { kind: 'tx', v: 1, seq: 7, ts: '2026-06-27T10:31:05+08:00', at: new Date('2026-06-27T02:31:05Z'), plu: '1001', name: '石斑鱼', weightG: 1250, tareG: 0, unitPriceFenPerKg: 18000, totalFen: 22500, receiptNo: null };
const subject = { scaleId: 3, merchantId: 5, marketId: 2, districtId: 1 };
const none: SaleJudgement = { productId: null, productName: null, capFenPerKg: null, priceListId: null, overCap: false, excessFenPerKg: 0, excessPct: 0, unmappedControlled: null };
const opts = { toleranceFen: 10, verifiedUntil: '2027-01-01', saleDate: '2026-06-27' };

describe('sale checks', () => {
  it('finds nothing wrong with a fair sale', () => expect(checkSale(sale, subject, none, opts)).toEqual({ flags: [], findings: [] }));

  it('flags an over-cap sale with the excess, aggregated per scale', () => {
    const j = { ...none, productId: 9, productName: '石斑鱼', capFenPerKg: 16000, priceListId: 1, overCap: true, excessFenPerKg: 2000, excessPct: 12.5 };
    const r = checkSale(sale, subject, j, opts);
    expect(r.flags).toEqual(['over_cap']);
    expect(r.findings[0]).toMatchObject({ type: 'over_cap', aggregationKey: 'over_cap:scale:3', evidence: { data: { excessFenPerKg: 2000, excessPct: 12.5 }, source: { scaleId: 3, seq: 7 } } });
    expect(r.findings[0]!.evidence.summary).toContain('¥180.00/kg');
  });

  it('catches a total that does not match weight × price beyond the tolerance', () => {
    expect(arithmeticMismatch(1250, 18000, 22510, 10)).toBeNull();
    expect(arithmeticMismatch(1250, 18000, 22511, 10)).toEqual({ expectedFen: 22500, diffFen: 11 });
    expect(arithmeticMismatch(333, 999, 333, 0)).toBeNull(); // 332.667 rounds to 333
    expect(checkSale({ ...sale, totalFen: 25000 }, subject, none, opts).flags).toEqual(['arithmetic_mismatch']);
  });

  it('flags a controlled product sold under an unmapped code, per merchant and code', () => {
    const j = { ...none, unmappedControlled: { productId: 9, productName: '石斑鱼', capFenPerKg: 16000 } };
    expect(checkSale(sale, subject, j, opts).findings[0]).toMatchObject({ type: 'unmapped_product', aggregationKey: 'unmapped_product:merchant:5:plu:1001' });
  });

  it('flags a sale on a scale whose verification expired, or never passed', () => {
    expect(checkSale(sale, subject, none, { ...opts, verifiedUntil: '2026-06-26' }).flags).toEqual(['expired_verification']);
    expect(checkSale(sale, subject, none, { ...opts, verifiedUntil: '2026-06-27' }).flags).toEqual([]);
    expect(checkSale(sale, subject, none, { ...opts, verifiedUntil: null }).findings[0]!.type).toBe('expired_verification_sale');
  });
});

describe('event checks', () => {
  const ev = (type: EventMessage['type'], at = '2026-06-27T02:31:05Z'): EventMessage => ({ kind: 'event', v: 1, seq: 8, ts: at, at: new Date(at), type, actor: 'JL-0042', detail: null });
  const o = { authorised: false, receivedAt: new Date('2026-06-27T02:31:06Z'), clockDriftS: 120 };
  it('raises tamper and unit change attempts always', () => {
    expect(checkEvent(ev('tamper'), subject, o).map((f) => f.type)).toEqual(['tamper']);
    expect(checkEvent(ev('unit_change_attempt'), subject, { ...o, authorised: true }).map((f) => f.type)).toEqual(['unit_change_attempt']);
  });
  it('raises calibration and configuration changes only without an order', () => {
    expect(checkEvent(ev('calibration'), subject, o).map((f) => f.type)).toEqual(['unauthorised_calibration']);
    expect(checkEvent(ev('config_change'), subject, o).map((f) => f.type)).toEqual(['unauthorised_config_change']);
    expect(checkEvent(ev('calibration'), subject, { ...o, authorised: true })).toEqual([]);
  });
  it('measures clock drift on live events', () => {
    expect(checkEvent(ev('heartbeat'), subject, o)).toEqual([]);
    const drifted = checkEvent(ev('heartbeat', '2026-06-27T02:20:00Z'), subject, o);
    expect(drifted[0]).toMatchObject({ type: 'clock_drift', evidence: { data: { driftMs: 666_000 } } });
    expect(checkEvent(ev('power_off', '2026-06-27T02:20:00Z'), subject, o)).toEqual([]);
  });
  it('does not take an old heartbeat resent after an outage for a slow clock, but a clock ahead always counts', () => {
    expect(checkEvent(ev('heartbeat', '2026-06-27T02:20:00Z'), subject, { ...o, live: false })).toEqual([]);
    expect(checkEvent(ev('heartbeat', '2026-06-27T02:40:00Z'), subject, { ...o, live: false })[0]).toMatchObject({ type: 'clock_drift', evidence: { data: { driftMs: -534_000 } } });
  });
});

describe('sequence gaps', () => {
  it('opens a gap for each skipped run', () => {
    expect(newGaps(0, [1, 2, 3])).toEqual({ gaps: [], maxSeq: 3 });
    expect(newGaps(3, [5, 6, 9])).toEqual({ gaps: [[4, 4], [7, 8]], maxSeq: 9 });
    expect(newGaps(10, [4, 11])).toEqual({ gaps: [], maxSeq: 11 });
  });
  it('closes, shrinks or splits a gap as late messages fill it', () => {
    expect(fillGap({ from: 4, to: 4 }, 4)).toEqual([]);
    expect(fillGap({ from: 4, to: 8 }, 4)).toEqual([{ from: 5, to: 8 }]);
    expect(fillGap({ from: 4, to: 8 }, 6)).toEqual([{ from: 4, to: 5 }, { from: 7, to: 8 }]);
    expect(fillGap({ from: 4, to: 8 }, 9)).toEqual([{ from: 4, to: 8 }]);
  });
});
