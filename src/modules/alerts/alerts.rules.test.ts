import { describe, expect, it } from 'vitest';
import {
  ALERT_ACTIONS,
  ALERT_STATUSES,
  ALERT_TYPES,
  ALERT_TYPE_KEYS,
  DATA_MAX_BYTES,
  SEVERITIES,
  TITLE_MAX,
  allowedActions,
  findingProblems,
  groupFindings,
  maxSeverity,
  notifyPayloads,
  parseNotifyPayload,
  storedPieces,
  transition,
  type Finding,
} from './alerts.rules.js';

const finding = (over: Partial<Finding> = {}, at = new Date('2026-06-27T02:00:00Z')): Finding => ({
  type: 'over_cap',
  subject: { scaleId: 7, merchantId: 3, marketId: 2, districtId: 1 },
  aggregationKey: 'scale:7',
  title: '石斑鱼超调控价',
  evidence: { at, summary: '单价 160.00 元/kg，调控价 140.00 元/kg', data: { excessFen: 2000, excessPct: 14.3 }, source: { scaleId: 7, seq: 42 } },
  ...over,
});

describe('alert types', () => {
  it('covers every finding the ingest issue names, each with Chinese and English labels and a severity', () => {
    expect(ALERT_TYPE_KEYS).toEqual(
      expect.arrayContaining([
        'over_cap',
        'arithmetic_mismatch',
        'unmapped_product',
        'unauthorised_calibration',
        'unauthorised_config_change',
        'unit_change_attempt',
        'tamper',
        'clock_drift',
        'seq_gap',
        'seq_conflict',
        'scale_offline',
        'expired_verification_sale',
      ]),
    );
    for (const t of ALERT_TYPE_KEYS) {
      expect(ALERT_TYPES[t].zh, t).toMatch(/\p{Script=Han}/u);
      expect(ALERT_TYPES[t].en, t).toMatch(/^[A-Z]/);
      expect(SEVERITIES, t).toContain(ALERT_TYPES[t].severity);
    }
  });

  it('treats tampering and unauthorised calibration as critical, an over-cap sale as high', () => {
    expect(ALERT_TYPES.tamper.severity).toBe('critical');
    expect(ALERT_TYPES.unauthorised_calibration.severity).toBe('critical');
    expect(ALERT_TYPES.over_cap.severity).toBe('high');
  });

  it('orders severities low < medium < high < critical', () => {
    expect(maxSeverity('low', 'critical')).toBe('critical');
    expect(maxSeverity('high', 'medium')).toBe('high');
    expect(maxSeverity('medium', 'medium')).toBe('medium');
  });
});

describe('lifecycle', () => {
  const legal: Record<string, string> = {
    'open acknowledge': 'acknowledged',
    'open resolve': 'resolved',
    'open dismiss': 'dismissed',
    'acknowledged resolve': 'resolved',
    'acknowledged dismiss': 'dismissed',
    'resolved reopen': 'open',
    'dismissed reopen': 'open',
  };

  it.each(ALERT_STATUSES.flatMap((s) => ALERT_ACTIONS.map((a) => [s, a] as const)))('%s → %s', (status, action) => {
    const r = transition(status, action, 'checked on site');
    const to = legal[`${status} ${action}`];
    if (to) expect(r).toEqual({ ok: true, to });
    else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe('illegal');
        expect(r.message).toMatch(/不能.*\(.*cannot be/);
      }
    }
  });

  it('asks for a note to resolve or dismiss, not to acknowledge or reopen', () => {
    for (const note of [undefined, '', '   ']) {
      expect(transition('open', 'resolve', note)).toMatchObject({ ok: false, reason: 'note_required' });
      expect(transition('acknowledged', 'dismiss', note)).toMatchObject({ ok: false, reason: 'note_required' });
      expect(transition('open', 'acknowledge', note)).toEqual({ ok: true, to: 'acknowledged' });
      expect(transition('dismissed', 'reopen', note)).toEqual({ ok: true, to: 'open' });
    }
  });

  it('lists what may be done next', () => {
    expect(allowedActions('open')).toEqual(['acknowledge', 'resolve', 'dismiss']);
    expect(allowedActions('acknowledged')).toEqual(['resolve', 'dismiss']);
    expect(allowedActions('resolved')).toEqual(['reopen']);
  });
});

describe('findings', () => {
  it('accepts a sound finding', () => {
    expect(findingProblems([finding()])).toEqual([]);
  });

  it('names each malformed finding by its position', () => {
    const problems = findingProblems([
      finding(),
      finding({ type: 'nonsense' as never }),
      finding({ subject: { scaleId: null, merchantId: null, marketId: null, districtId: 0 } }),
      finding({ aggregationKey: '' }),
      finding({ aggregationKey: 'k'.repeat(201) }),
      finding({ title: ' ' }),
      finding({ evidence: { at: new Date('nope'), summary: 's', data: {} } }),
      finding({ evidence: { at: new Date(), summary: 's', data: { blob: 'x'.repeat(DATA_MAX_BYTES) } } }),
      finding({ evidence: { at: new Date(), summary: 's', data: [] as never } }),
      finding({ severity: 'extreme' as never }),
    ]);
    expect(problems.map((p) => p.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('folds a batch into one group per type and key, keeping every piece in order', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 5, 27, 2, m));
    const groups = groupFindings([
      finding({}, t(5)),
      finding({ aggregationKey: 'scale:8' }, t(1)),
      finding({ severity: 'critical', evidence: { at: t(9), summary: 'latest', data: {} } }),
      finding({ type: 'arithmetic_mismatch' }, t(3)),
      finding({ evidence: { at: t(2), summary: 'earliest', data: {} } }),
    ]);
    expect(groups.map((g) => [g.k, g.type, g.aggregationKey, g.evidence.length])).toEqual([
      [0, 'over_cap', 'scale:7', 3],
      [1, 'over_cap', 'scale:8', 1],
      [2, 'arithmetic_mismatch', 'scale:7', 1],
    ]);
    const g = groups[0]!;
    expect(g.severity).toBe('critical');
    expect(g.firstAt).toEqual(t(2));
    expect(g.lastAt).toEqual(t(9));
    expect(g.summary).toBe('latest');
    expect(g.evidence.map((e) => e.summary)).toEqual(['单价 160.00 元/kg，调控价 140.00 元/kg', 'latest', 'earliest']);
    expect(g.evidence[0]).toMatchObject({ scaleId: 7, seq: 42 });
    expect(groups[2]!.severity).toBe(ALERT_TYPES.arithmetic_mismatch.severity);
  });

  it('shortens an over-long title rather than refuse the finding', () => {
    const [g] = groupFindings([finding({ title: '超'.repeat(300) })]);
    expect(g!.title).toHaveLength(TITLE_MAX);
    expect(g!.title.endsWith('…')).toBe(true);
  });

  it('stores the first pieces up to the cap and counts the rest', () => {
    expect(storedPieces(100, 100, 1000)).toBe(100);
    expect(storedPieces(1005, 1005, 1000)).toBe(1000);
    expect(storedPieces(1010, 5, 1000)).toBe(0);
    expect(storedPieces(1002, 10, 1000)).toBe(8);
  });
});

describe('NOTIFY payloads', () => {
  it('splits many ids into payloads PostgreSQL accepts, losing none', () => {
    const created = Array.from({ length: 3000 }, (_, i) => 1_000_000_000 + i);
    const evidence = [1, 2, 3];
    const payloads = notifyPayloads('abc123', { created, evidence, status: [9] }, 7900);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(7900);
    const back = payloads.map((p) => parseNotifyPayload(p)!);
    expect(back.every((b) => b.instance === 'abc123')).toBe(true);
    expect(back.flatMap((b) => b.created)).toEqual(created);
    expect(back.flatMap((b) => b.evidence)).toEqual(evidence);
    expect(back.flatMap((b) => b.status)).toEqual([9]);
  });

  it('sends nothing for nothing, and ignores payloads that are not ours', () => {
    expect(notifyPayloads('x', { created: [], evidence: [], status: [] })).toEqual([]);
    expect(parseNotifyPayload(undefined)).toBeNull();
    expect(parseNotifyPayload('not json')).toBeNull();
    expect(parseNotifyPayload('{"c":[1]}')).toBeNull();
    expect(parseNotifyPayload('{"i":"x","c":[1,-2,"3"]}')).toEqual({ instance: 'x', created: [1], evidence: [], status: [] });
  });
});
