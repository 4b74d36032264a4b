/** A system finding (an alert) turned into a credit event by an inspector, once, with the alert as evidence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import type { AlertType } from '../alerts/index.js';

describe.each(TEST_DB_KINDS)('findings into credit on %s', (kind) => {
  let t: TestApp;
  let inspA: Client;
  let inspBC: Client;
  let managerA: Client;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
    inspA = await t.as('insp_a');
    inspBC = await t.as('insp_bc');
    managerA = await t.as('manager_a');
  });
  afterAll(async () => t?.close());

  const raise = async (type: AlertType, at: 'A' | 'B' = 'A', withMerchant = true) => {
    const fx = t.fx;
    const [a] = await t.ctx.alerts.raise([
      {
        type,
        subject: { scaleId: fx.scales[at], merchantId: withMerchant ? fx.merchants[at] : null, marketId: fx.markets[at], districtId: fx.districts[at] },
        aggregationKey: `findings:${type}:${++n}`,
        title: `SN-${at}-1 ${type}`,
        evidence: { at: new Date(Date.now() - 3_600_000), summary: '带鱼 单价 98.00 元/kg，超调控价 80.00 元/kg', data: { excessFen: 1800 } },
      },
    ]);
    return a!.id;
  };
  const scoreOf = async (m = t.fx.merchants.A, c = inspA) => {
    const res = await c.get(`/api/merchants/${m}/credit`);
    expect(res.statusCode).toBe(200);
    return res.json().score as number;
  };

  it('an inspector turns an over-cap alert into a confirmed CAP-01 deduction that counts at once, with the alert as evidence', async () => {
    const alertId = await raise('over_cap');
    const before = await scoreOf();
    const res = await inspA.post(`/api/alerts/${alertId}/credit-event`, { note: '复核交易小票属实' });
    expect(res.statusCode, res.body).toBe(201);
    const e = res.json();
    expect(e).toMatchObject({ merchantId: t.fx.merchants.A, itemCode: 'CAP-01', points: -5, status: 'confirmed', source: 'system_finding' });
    expect(e.evidence).toContain(`平台预警 #${alertId}`);
    expect(e.evidence).toContain('超调控价');
    expect(e.evidence).toContain('复核交易小票属实');
    expect(await scoreOf()).toBe(before - 5);

    const detail = (await inspA.get(`/api/alerts/${alertId}`)).json();
    expect(detail.alert.creditEventId).toBe(e.id);
    expect(detail.actions.map((a: { action: string }) => a.action)).toContain('credit_event');
    const listed = (await inspA.get(`/api/alerts?merchantId=${t.fx.merchants.A}`)).json().items.find((a: { id: number }) => a.id === alertId);
    expect(listed.creditEventId).toBe(e.id);
  });

  it('refuses a second credit event from the same alert, naming the first', async () => {
    const alertId = await raise('over_cap');
    const first = await inspA.post(`/api/alerts/${alertId}/credit-event`, {});
    expect(first.statusCode).toBe(201);
    const before = await scoreOf();
    const again = await inspA.post(`/api/alerts/${alertId}/credit-event`, { itemCode: 'PRC-01' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain(String(first.json().id));
    expect(await scoreOf()).toBe(before);
    const events = (await inspA.get(`/api/merchants/${t.fx.merchants.A}/credit`)).json().events.filter((x: { evidence: string }) => x.evidence.includes(`平台预警 #${alertId}`));
    expect(events).toHaveLength(1);
  });

  it('suggests MET-03 for a sale on an expired scale; another item may be chosen; a type with no suggestion needs one', async () => {
    const expired = await raise('expired_verification_sale');
    expect((await inspA.post(`/api/alerts/${expired}/credit-event`, {})).json().itemCode).toBe('MET-03');
    const chosen = await raise('expired_verification_sale');
    expect((await inspA.post(`/api/alerts/${chosen}/credit-event`, { itemCode: 'MET-02' })).json()).toMatchObject({ itemCode: 'MET-02', points: -10 });
    const offline = await raise('scale_offline');
    const none = await inspA.post(`/api/alerts/${offline}/credit-event`, {});
    expect(none.statusCode).toBe(400);
    expect((await inspA.get(`/api/alerts/${offline}`)).json().alert.creditEventId).toBeNull();
    expect((await inspA.post(`/api/alerts/${offline}/credit-event`, { itemCode: 'MET-01' })).statusCode).toBe(201);
    expect((await inspA.post(`/api/alerts/${await raise('over_cap')}/credit-event`, { itemCode: 'NOPE-9' })).statusCode).toBe(400);
  });

  it('an alert without a merchant cannot become a credit event; outside reach it does not exist; a market manager may not', async () => {
    const orphan = await raise('over_cap', 'A', false);
    expect((await inspA.post(`/api/alerts/${orphan}/credit-event`, {})).statusCode).toBe(409);
    const inB = await raise('over_cap', 'B');
    expect((await inspA.post(`/api/alerts/${inB}/credit-event`, {})).statusCode).toBe(404);
    expect((await managerA.post(`/api/alerts/${inB}/credit-event`, {})).statusCode).toBe(403);
    const before = await scoreOf(t.fx.merchants.B, inspBC);
    const byOwnOffice = await inspBC.post(`/api/alerts/${inB}/credit-event`, {});
    expect(byOwnOffice.statusCode, byOwnOffice.body).toBe(201);
    expect(await scoreOf(t.fx.merchants.B, inspBC)).toBe(before - 5);
  });
});
