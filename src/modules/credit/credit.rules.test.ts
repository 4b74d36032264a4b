import { describe, expect, it } from 'vitest';
import { DEFAULT_RULEBOOK } from './credit.rulebook.default.js';
import {
  DEFAULT_RISK_POLICY,
  canApplyForRepair,
  canObject,
  chinaDate,
  lastDayOfMonths,
  penaltyDisclosure,
  quickScore,
  riskClass,
  rulebookProblems,
  scoreMerchant,
  starsFor,
  type CreditEvent,
  type CreditRulebook,
  type RiskInput,
} from './credit.rules.js';

const rb = DEFAULT_RULEBOOK;
/** Noon, China time, on a date. */
const at = (date: string, time = '12:00:00') => new Date(`${date}T${time}+08:00`);
const NOW = at('2026-06-01');

let nextId = 1;
/** A confirmed event of an item, stamped with the default rulebook's points. */
function ev(itemCode: string, occurredOn: string, over: Partial<CreditEvent> = {}): CreditEvent {
  const item = rb.items.find((i) => i.code === itemCode);
  return {
    id: nextId++,
    merchantId: 7,
    itemCode,
    points: item?.points ?? -1,
    occurredAt: at(occurredOn),
    recordedBy: 11,
    source: 'inspection',
    status: 'confirmed',
    confirmedBy: 21,
    confirmedAt: at(occurredOn, '15:00:00'),
    ...over,
  };
}
const score = (events: CreditEvent[], book: CreditRulebook = rb, now = NOW) => scoreMerchant(events, book, now);

describe('the default rulebook', () => {
  it('is publishable', () => {
    expect(rulebookProblems(rb)).toEqual([]);
  });

  it('covers the Sanya standard and the events the platform records', () => {
    const cats = new Set(rb.items.map((i) => i.category));
    for (const c of ['video', 'price_marking', 'price_cap', 'metrology', 'pledge', 'complaint', 'penalty', 'commendation']) expect(cats.has(c), c).toBe(true);
    expect(rb.items.filter((i) => i.points > 0).map((i) => i.category)).toEqual(['pledge', 'commendation', 'commendation', 'commendation']);
  });

  it('a broken rulebook is refused with every problem named', () => {
    const bad: CreditRulebook = {
      ...rb,
      version: '',
      baseScore: 130,
      items: [rb.items[0]!, { ...rb.items[0]!, category: 'nope', points: 1.5, validForDays: 0, maxPerPeriod: 1 }],
      starThresholds: [{ minScore: 90, stars: 5 }, { minScore: 80, stars: 6 }],
      disclosure: { ...rb.disclosure, fine: { months: 48, earliestWithdrawalMonths: 60 } },
      objectionWindowDays: 0,
      repairMinimumDays: { default: 10, byItem: { 'XX-99': 1 } },
    };
    const fields = rulebookProblems(bad).map((p) => p.field);
    for (const f of ['version', 'baseScore', 'items[1].code', 'items[1].category', 'items[1].points', 'items[1].validForDays', 'items[1].maxPerPeriod', 'starThresholds', 'starThresholds[1]', 'disclosure.fine.months', 'disclosure.fine.earliestWithdrawalMonths', 'objectionWindowDays', 'repairMinimumDays.byItem.XX-99']) {
      expect(fields, f).toContain(f);
    }
  });
});

describe('score arithmetic and stars', () => {
  it('starts at the base score: 100 and five stars with no events', () => {
    expect(score([])).toMatchObject({ score: 100, rawScore: 100, stars: 5, counted: [], notCounted: [] });
  });

  it('adds bonuses and subtracts confirmed deductions', () => {
    const r = score([ev('PLG-01', '2026-01-05', { source: 'pledge' }), ev('CAP-01', '2026-03-01'), ev('CMP-01', '2026-04-01')]);
    expect(r.score).toBe(100 + 2 - 5 - 3);
    expect(r.counted.map((c) => c.points)).toEqual([2, -5, -3]);
  });

  it('gives stars by the thresholds, each threshold inclusive', () => {
    const cases: [number, number][] = [[120, 5], [95, 5], [94, 4], [85, 4], [84, 3], [75, 3], [74, 2], [60, 2], [59, 1], [0, 1]];
    for (const [s, stars] of cases) expect(starsFor(s, rb), `score ${s}`).toBe(stars);
    expect(score([ev('CAP-01', '2026-03-01')])).toMatchObject({ score: 95, stars: 5 });
    expect(score([ev('CAP-01', '2026-03-01'), ev('MET-04', '2026-03-02')])).toMatchObject({ score: 92, stars: 4 });
  });

  it('clamps to [0, maxScore] and says so', () => {
    const low = score([0, 1, 2, 3].map((i) => ev('PEN-03', `2026-0${i + 1}-10`, { source: 'penalty' })));
    expect(low).toMatchObject({ rawScore: -20, score: 0, stars: 1 });
    expect(low.explanation.at(-2)).toEqual({ zh: '合计 -20，按 0 计（分值范围 0–120）', en: 'Total -20, taken as 0 (scores run 0–120)' });
    const tight: CreditRulebook = { ...rb, maxScore: 105 };
    const high = score([ev('HON-03', '2026-01-10'), ev('PLG-01', '2026-01-10')], tight);
    expect(high).toMatchObject({ rawScore: 112, score: 105 });
  });

  it('caps an item: later events count only up to the cap, the rest are listed as cap_reached', () => {
    const sales = ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'].map((d) => ev('CAP-01', d));
    const r = score(sales);
    expect(r.score).toBe(80); // cap 20
    expect(r.counted).toHaveLength(4);
    expect(r.notCounted).toEqual([{ eventId: sales[4]!.id, itemCode: 'CAP-01', reason: 'cap_reached' }]);
  });

  it('counts part of the event that crosses a cap', () => {
    const book: CreditRulebook = { ...rb, items: [...rb.items, { ...rb.items[0]!, code: 'T-04', points: -4, maxPerPeriod: 10 }] };
    const es = ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04'].map((d) => ev('T-04', d, { points: -4 }));
    const r = score(es, book);
    expect(r.counted.map((c) => [c.points, c.capped])).toEqual([[-4, false], [-4, false], [-2, true]]);
    expect(r.notCounted.map((n) => n.reason)).toEqual(['cap_reached']);
    expect(r.score).toBe(90);
    expect(r.explanation.find((l) => l.en.includes('item cap'))?.zh).toContain('本项已达上限');
  });

  it('takes events oldest first whatever their order, so the newest is the one a cap cuts', () => {
    const sales = ['2026-05-05', '2026-05-01', '2026-05-03', '2026-05-02', '2026-05-04'].map((d) => ev('CAP-01', d));
    const r = score(sales);
    expect(r.notCounted[0]!.eventId).toBe(sales[0]!.id);
    expect(r.counted.map((c) => c.occurredOn)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04']);
    expect(score([...sales].reverse()).score).toBe(r.score);
  });
});

describe('due process in the score', () => {
  it('counts no deduction an inspector has not confirmed', () => {
    const proposed = ev('CAP-01', '2026-05-01', { status: 'proposed', confirmedBy: null, confirmedAt: null });
    const finding = ev('MET-03', '2026-05-02', { source: 'system_finding', recordedBy: null, status: 'proposed', confirmedBy: null });
    const noInspector = ev('PRC-01', '2026-05-03', { confirmedBy: null });
    const r = score([proposed, finding, noInspector]);
    expect(r.score).toBe(100);
    expect(r.notCounted.map((n) => n.reason)).toEqual(['unconfirmed', 'unconfirmed', 'unconfirmed']);
    // The same finding once confirmed deducts.
    expect(score([{ ...finding, status: 'confirmed', confirmedBy: 21 }]).score).toBe(95);
  });

  it('counts a confirmed bonus without an inspector (the merchant signs its own pledge)', () => {
    expect(score([ev('PLG-01', '2026-05-01', { source: 'pledge', recordedBy: null, confirmedBy: null })]).score).toBe(102);
  });

  it('still counts a deduction under objection, flagged for the public page', () => {
    const e = ev('CMP-01', '2026-05-01', { status: 'objected', objection: { filedAt: at('2026-05-03'), reason: 'not my stall' } });
    const r = score([e]);
    expect(r.score).toBe(97);
    expect(r.underObjection).toBe(1);
    expect(r.counted[0]).toMatchObject({ eventId: e.id, underObjection: true });
    expect(r.explanation[1]).toEqual({ zh: '-3 消费投诉经查属实（2026-05-01，计分至 2027-04-30）；异议处理中', en: '-3 Consumer complaint found justified (2026-05-01, counts until 2027-04-30); under objection' });
    expect(quickScore([e], rb, NOW)).toEqual({ score: 97, stars: 5, underObjection: 1 });
  });

  it('a repaired or withdrawn event no longer counts but stays in the record', () => {
    const repaired = ev('CAP-01', '2026-03-01', { status: 'repaired', repair: { appliedAt: at('2026-05-01'), grantedAt: at('2026-05-10'), grantedBy: 21 } });
    const withdrawn = ev('PRC-02', '2026-03-02', { status: 'withdrawn', objection: { filedAt: at('2026-03-05'), reason: 'wrong stall', decidedAt: at('2026-03-10'), outcome: 'upheld' } });
    const r = score([repaired, withdrawn]);
    expect(r.score).toBe(100);
    expect(r.notCounted).toEqual([
      { eventId: repaired.id, itemCode: 'CAP-01', reason: 'repaired' },
      { eventId: withdrawn.id, itemCode: 'PRC-02', reason: 'withdrawn' },
    ]);
    expect(r.explanation).toContainEqual({ zh: '不计分 2 条：已信用修复 1 条，已撤销 1 条', en: 'Not counted (2): 1 repaired, 1 withdrawn' });
  });

  it('an event stops counting after validForDays, from 00:00 China time', () => {
    // VID-03 counts 180 days: 2026-01-01 … 2026-06-29.
    const e = ev('VID-03', '2026-01-01', { occurredAt: at('2026-01-01', '00:30:00') });
    expect(score([e], rb, at('2026-06-29', '23:59:59')).counted[0]).toMatchObject({ expiresOn: '2026-06-29', points: -2 });
    expect(score([e], rb, at('2026-06-30', '00:00:00')).notCounted).toEqual([{ eventId: e.id, itemCode: 'VID-03', reason: 'expired' }]);
    expect(chinaDate(new Date('2025-12-31T16:30:00Z'))).toBe('2026-01-01');
  });

  it('does not count an event that has not happened yet at `now` (scoring as of a past day)', () => {
    const e = ev('CAP-01', '2026-07-01');
    expect(score([e]).notCounted[0]!.reason).toBe('not_yet');
    expect(score([e], rb, at('2026-07-02')).score).toBe(95);
  });

  it('does not count an event whose item the rulebook lacks', () => {
    expect(score([ev('ZZ-01', '2026-05-01', { points: -50 })]).notCounted[0]!.reason).toBe('unknown_item');
  });
});

describe('re-scoring under a new rulebook', () => {
  const v2: CreditRulebook = {
    ...rb,
    version: 'sanya-2026.2',
    cityId: 1,
    items: rb.items
      .filter((i) => i.code !== 'PRC-03')
      .map((i) => (i.code === 'CAP-01' ? { ...i, points: -10 } : i.code === 'CMP-01' ? { ...i, points: -1 } : i.code === 'VID-03' ? { ...i, validForDays: 30 } : i)),
    starThresholds: [{ minScore: 98, stars: 5 }, { minScore: 90, stars: 4 }, { minScore: 80, stars: 3 }, { minScore: 60, stars: 2 }, { minScore: 0, stars: 1 }],
  };
  const events = [ev('CAP-01', '2026-03-01'), ev('CMP-01', '2026-03-02'), ev('PRC-03', '2026-03-03'), ev('VID-03', '2026-04-01')];

  it('is the same function with the other rulebook; the more favourable points apply (从旧兼从轻)', () => {
    expect(rulebookProblems(v2)).toEqual([]);
    const before = score(events);
    expect(before).toMatchObject({ score: 100 - 5 - 3 - 5 - 2, stars: 4, rulebookVersion: 'default-2026.1' });
    const after = score(events, v2);
    // CAP-01 stays -5 (recorded lighter than -10); CMP-01 drops to -1; PRC-03 is gone; VID-03 has expired under 30 days.
    expect(after.counted.map((c) => [c.itemCode, c.points])).toEqual([['CAP-01', -5], ['CMP-01', -1]]);
    expect(after.notCounted.map((n) => [n.itemCode, n.reason])).toEqual([['PRC-03', 'unknown_item'], ['VID-03', 'expired']]);
    expect(after).toMatchObject({ score: 94, stars: 4, rulebookVersion: 'sanya-2026.2' });
    expect(after.explanation[1]!.en).toContain('recorded as -5, -10 in the rulebook in force; the more favourable applies');
    // An event recorded under v2 takes v2's points.
    expect(score([ev('CAP-01', '2026-05-01', { points: -10 })], v2).score).toBe(90);
  });
});

describe('the explanation', () => {
  it('lists the base, each counted event, what was left out and the result, in Chinese and English', () => {
    const r = score([ev('PLG-01', '2026-01-05', { source: 'pledge' }), ev('CAP-01', '2026-03-01'), ev('PRC-01', '2026-05-20', { status: 'proposed', confirmedBy: null })]);
    expect(r.explanation).toEqual([
      { zh: '基础分 100（评分细则 default-2026.1）', en: 'Base score 100 (rulebook default-2026.1)' },
      { zh: '+2 签署诚信经营承诺（每年一签）（2026-01-05，计分至 2027-01-04）', en: '+2 Signed the integrity pledge (renewed yearly) (2026-01-05, counts until 2027-01-04)' },
      { zh: '-5 超过政府调控价格销售（经监管人员核实）（2026-03-01，计分至 2027-02-28）', en: '-5 Sold above the controlled price (confirmed by an inspector) (2026-03-01, counts until 2027-02-28)' },
      { zh: '不计分 1 条：待核实 1 条', en: 'Not counted (1): 1 awaiting confirmation' },
      { zh: '信用分 97，五星', en: 'Credit score 97: 5 stars' },
    ]);
  });
});

describe('the fast path', () => {
  it('always agrees with scoreMerchant', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const codes = [...rb.items.map((i) => i.code), 'ZZ-01'];
    const statuses = ['proposed', 'confirmed', 'confirmed', 'confirmed', 'objected', 'withdrawn', 'repaired'] as const;
    for (let m = 0; m < 2000; m++) {
      const events: CreditEvent[] = [];
      for (let k = 0, n = Math.floor(rand() * 25); k < n; k++) {
        const code = codes[Math.floor(rand() * codes.length)]!;
        events.push(ev(code, '2026-01-01', { occurredAt: new Date(NOW.getTime() - rand() * 1200 * 86_400_000 + 5 * 86_400_000), status: statuses[Math.floor(rand() * statuses.length)]!, confirmedBy: rand() < 0.9 ? 21 : null }));
      }
      const full = score(events);
      const quick = quickScore(events, rb, NOW);
      expect(quick, `merchant ${m}`).toEqual({ score: full.score, stars: full.stars, underObjection: full.underObjection });
      expect(full.counted.length + full.notCounted.length).toBe(events.length);
    }
  });
});

describe('the order events come in', () => {
  it('does not matter: oldest first, ties by id, decide which event a cap cuts', () => {
    const t = new Date('2026-05-01T02:00:00Z');
    // CMP-01 is capped at 15: of six equal-time deductions the one with the highest id is cut.
    const events = [6, 2, 5, 1, 4, 3].map((id) => ev('CMP-01', '2026-05-01', { id, occurredAt: t, status: id === 6 ? 'objected' : 'confirmed' }));
    const a = score(events);
    const b = score([...events].reverse());
    expect(a).toEqual(b);
    expect(a.counted.map((c) => c.eventId)).toEqual([1, 2, 3, 4, 5]);
    expect(a.notCounted).toEqual([{ eventId: 6, itemCode: 'CMP-01', reason: 'cap_reached' }]);
    expect(a.underObjection).toBe(0);
  });
});

describe('risk classes', () => {
  const clean: RiskInput = { score: 100, stars: 5, upheldComplaintsLastYear: 0, penaltiesLastYear: 0, openAlerts: 0, daysOnRecord: 400 };

  it('A: five stars and a clean year, sampled least', () => {
    const v = riskClass(clean);
    expect(v.riskClass).toBe('A');
    expect(v.inspection.samplingRatio).toBeLessThan(DEFAULT_RISK_POLICY.classes.B.samplingRatio);
  });

  it('B: anything short of A, with the reasons', () => {
    expect(riskClass({ ...clean, stars: 4, score: 90 }).riskClass).toBe('B');
    expect(riskClass({ ...clean, upheldComplaintsLastYear: 1 }).riskClass).toBe('B');
    expect(riskClass({ ...clean, openAlerts: 2 }).riskClass).toBe('B');
    const newcomer = riskClass({ ...clean, daysOnRecord: 30 });
    expect(newcomer.riskClass).toBe('B');
    expect(newcomer.reasons[0]!.en).toBe('on record for less than 180 days');
  });

  it('C: a penalty, 3 upheld complaints, 3 open alerts or two stars', () => {
    for (const input of [{ penaltiesLastYear: 1 }, { upheldComplaintsLastYear: 3 }, { openAlerts: 3 }, { stars: 2, score: 70 }, { inAbnormalOperationList: true }]) {
      expect(riskClass({ ...clean, ...input }).riskClass, JSON.stringify(input)).toBe('C');
    }
  });

  it('D: a serious penalty, the dishonesty list, 3 penalties, 6 upheld complaints or one star', () => {
    for (const input of [{ seriousPenaltiesLastYear: 1, penaltiesLastYear: 1 }, { onSeriousDishonestyList: true }, { penaltiesLastYear: 3 }, { upheldComplaintsLastYear: 6 }, { stars: 1, score: 40 }]) {
      expect(riskClass({ ...clean, ...input }).riskClass, JSON.stringify(input)).toBe('D');
    }
    const v = riskClass({ ...clean, penaltiesLastYear: 3, upheldComplaintsLastYear: 7 });
    expect(v.reasons.map((r) => r.en)).toEqual(['3 penalties in the last year', '7 upheld complaints in the last year']);
    expect(v.inspection.samplingWeight).toBe(4);
  });

  it('samples more as risk rises', () => {
    const c = DEFAULT_RISK_POLICY.classes;
    expect(c.A.samplingRatio < c.B.samplingRatio && c.B.samplingRatio < c.C.samplingRatio && c.C.samplingRatio < c.D.samplingRatio).toBe(true);
  });
});

describe('objection', () => {
  const e = ev('CAP-01', '2026-05-01'); // confirmed 2026-05-01; window 15 days → last day 2026-05-16

  it('is open for objectionWindowDays after confirmation, last day inclusive', () => {
    expect(canObject(e, at('2026-05-02'), rb)).toEqual({ allowed: true, reason: 'ok', lastDay: '2026-05-16' });
    expect(canObject(e, at('2026-05-16', '23:59:00'), rb).allowed).toBe(true);
    expect(canObject(e, at('2026-05-17', '00:00:00'), rb)).toEqual({ allowed: false, reason: 'window_closed', lastDay: '2026-05-16' });
  });

  it('runs from the confirmation, not the occurrence', () => {
    expect(canObject({ ...e, confirmedAt: at('2026-05-20') }, at('2026-05-30'), rb)).toMatchObject({ allowed: true, lastDay: '2026-06-04' });
  });

  it('is refused for what cannot be objected to, with the reason', () => {
    const when = at('2026-05-03');
    expect(canObject(ev('PLG-01', '2026-05-01'), when, rb).reason).toBe('not_a_deduction');
    expect(canObject({ ...e, status: 'proposed', confirmedBy: null }, when, rb).reason).toBe('not_confirmed');
    expect(canObject({ ...e, status: 'objected', objection: { filedAt: at('2026-05-02'), reason: 'x' } }, when, rb).reason).toBe('already_objected');
    expect(canObject({ ...e, objection: { filedAt: at('2026-05-02'), reason: 'x', decidedAt: at('2026-05-03'), outcome: 'rejected' } }, when, rb).reason).toBe('already_objected');
    expect(canObject({ ...e, status: 'repaired' }, when, rb).reason).toBe('repaired');
    expect(canObject({ ...e, status: 'withdrawn' }, when, rb).reason).toBe('withdrawn');
    expect(canObject({ ...e, itemCode: 'ZZ-01' }, when, rb).reason).toBe('unknown_item');
  });
});

describe('credit repair', () => {
  it('opens after the minimum days for the item or its category', () => {
    const e = ev('CAP-01', '2026-01-10'); // price_cap: 90 days → 2026-04-10
    expect(canApplyForRepair(e, at('2026-04-09'), rb)).toEqual({ allowed: false, reason: 'too_early', earliestOn: '2026-04-10' });
    expect(canApplyForRepair(e, at('2026-04-10', '00:00:01'), rb)).toEqual({ allowed: true, reason: 'ok', earliestOn: '2026-04-10' });
    expect(canApplyForRepair(ev('PRC-01', '2026-01-10'), at('2026-02-09'), rb)).toMatchObject({ allowed: true, earliestOn: '2026-02-09' }); // price_marking: 30
    expect(canApplyForRepair(ev('MET-05', '2026-01-10'), at('2026-05-01'), rb)).toMatchObject({ allowed: false, reason: 'too_early', earliestOn: '2026-07-09' }); // by item: 180
  });

  it('is refused while the event is under objection or an application is pending', () => {
    const e = ev('CAP-01', '2025-12-01');
    expect(canApplyForRepair({ ...e, status: 'objected' }, NOW, rb).reason).toBe('under_objection');
    expect(canApplyForRepair({ ...e, repair: { appliedAt: at('2026-05-01') } }, NOW, rb).reason).toBe('repair_pending');
    expect(canApplyForRepair({ ...e, repair: { appliedAt: at('2026-04-01'), refusedAt: at('2026-04-10') } }, NOW, rb).allowed).toBe(true);
  });

  it('is refused for what there is nothing to repair in', () => {
    expect(canApplyForRepair(ev('PEN-03', '2026-01-10'), NOW, rb)).toEqual({ allowed: false, reason: 'not_repairable', earliestOn: null });
    expect(canApplyForRepair(ev('VID-03', '2025-10-01'), NOW, rb).reason).toBe('expired');
    expect(canApplyForRepair(ev('HON-01', '2026-01-10'), NOW, rb).reason).toBe('not_a_deduction');
    expect(canApplyForRepair(ev('CAP-01', '2026-01-10', { status: 'repaired' }), NOW, rb).reason).toBe('already_repaired');
    expect(canApplyForRepair(ev('CAP-01', '2026-01-10', { status: 'proposed', confirmedBy: null }), NOW, rb).reason).toBe('not_confirmed');
  });
});

describe('penalty disclosure', () => {
  it('counts months the civil-code way: the corresponding day, or the month end', () => {
    expect(lastDayOfMonths('2026-01-10', 3)).toBe('2026-04-10');
    expect(lastDayOfMonths('2025-11-30', 3)).toBe('2026-02-28');
    expect(lastDayOfMonths('2023-11-30', 3)).toBe('2024-02-29');
    expect(lastDayOfMonths('2026-01-10', 36)).toBe('2029-01-10');
  });

  it('never publishes a warning alone, nor a simple-procedure decision', () => {
    expect(penaltyDisclosure({ type: 'warning', decidedOn: '2026-05-01' }, rb, NOW)).toMatchObject({ published: false, isPublic: false, publicUntil: null });
    expect(penaltyDisclosure({ type: 'fine', decidedOn: '2026-05-01', simpleProcedure: true }, rb, NOW)).toMatchObject({ published: false, isPublic: false });
  });

  it('publishes 通报批评 and a low fine for 3 months, appearing and disappearing on the right days', () => {
    const p = { type: 'public_criticism' as const, decidedOn: '2026-01-10' };
    expect(penaltyDisclosure(p, rb, at('2026-01-09')).isPublic).toBe(false);
    expect(penaltyDisclosure(p, rb, at('2026-01-10', '00:00:00'))).toMatchObject({ isPublic: true, publicFrom: '2026-01-10', publicUntil: '2026-04-10' });
    expect(penaltyDisclosure(p, rb, at('2026-04-10', '23:59:59')).isPublic).toBe(true);
    expect(penaltyDisclosure(p, rb, at('2026-04-11', '00:00:00')).isPublic).toBe(false);
    expect(penaltyDisclosure({ type: 'minor_fine', decidedOn: '2026-01-10' }, rb, NOW).publicUntil).toBe('2026-04-10');
  });

  it('publishes other penalties for 3 years, from the day published', () => {
    const fine = penaltyDisclosure({ type: 'fine', decidedOn: '2026-01-10', publishedOn: '2026-01-20' }, rb, NOW);
    expect(fine).toMatchObject({ published: true, publicFrom: '2026-01-20', publicUntil: '2029-01-20', isPublic: true, withdrawnEarly: false });
    expect(penaltyDisclosure({ type: 'fine', decidedOn: '2026-01-10', publishedOn: '2026-01-20' }, rb, at('2026-01-15')).isPublic).toBe(false);
  });

  it('keeps a longer restriction public while it lasts', () => {
    const r = penaltyDisclosure({ type: 'business_restriction', decidedOn: '2026-01-10', restrictionEndsOn: '2031-01-09' }, rb, at('2030-06-01'));
    expect(r).toMatchObject({ publicUntil: '2031-01-09', isPublic: true });
  });

  it('stops early after a granted repair, but not before the earliest withdrawal', () => {
    const fine = { type: 'fine' as const, decidedOn: '2026-01-10' };
    const late = penaltyDisclosure(fine, rb, at('2027-06-01'), '2027-06-01');
    expect(late).toMatchObject({ publicUntil: '2027-05-31', isPublic: false, withdrawnEarly: true });
    expect(penaltyDisclosure(fine, rb, at('2027-05-31'), '2027-06-01').isPublic).toBe(true);
    const early = penaltyDisclosure(fine, rb, at('2026-09-01'), '2026-03-01');
    expect(early).toMatchObject({ publicUntil: '2027-01-10', isPublic: true, withdrawnEarly: true });
    expect(penaltyDisclosure(fine, rb, at('2027-01-11'), '2026-03-01').isPublic).toBe(false);
    // A revoked licence stays public the full period, repair or not.
    expect(penaltyDisclosure({ type: 'licence_revocation', decidedOn: '2026-01-10' }, rb, at('2028-01-01'), '2027-06-01')).toMatchObject({ publicUntil: '2029-01-10', isPublic: true, withdrawnEarly: false });
  });
});
