import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { By } from '../auth/index.js';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { addDays, addWorkingDays, CN_CALENDAR, workingDaysBetween } from './calendar.rules.js';
import { createComplaintService, type ComplaintService } from './index.js';

const PHONE = '13812345678';
const ACCEPTED = '2026-09-21'; // a Monday, a week before 中秋 and National Day 2026
const PLAIN_DUE = addWorkingDays(ACCEPTED, 45, CN_CALENDAR);

describe.each(TEST_DB_KINDS)('mediation pauses (检定、检验、检测、鉴定) on %s', (kind) => {
  let t: TestApp;
  let inspA: Client;
  let merchantA: Client;
  let insp: By;
  /** A service on a clock of its own: 10:00 in China on the day set. */
  let complaints: ComplaintService;
  let clock = new Date();
  const setDay = (date: string) => (clock = new Date(`${date}T02:00:00Z`));
  let ip = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
    inspA = await t.as('insp_a');
    const admin = await t.as('admin');
    const made = await admin.post('/api/staff', { username: 'merchant_a', displayName: '甲海鲜', password: 'merchant-pass-123', role: 'merchant', cityId: t.fx.cities.X, merchantId: t.fx.merchants.A });
    expect(made.statusCode, made.body).toBe(201);
    merchantA = await t.as('merchant_a', 'merchant-pass-123');
    insp = { actor: (await t.ctx.auth.authenticate(inspA.cookie))!.actor, requestId: 'test' };
    complaints = createComplaintService(t.ctx.dbHandle.db, { credit: t.ctx.credit, alerts: t.ctx.alerts, timezone: 'Asia/Shanghai', now: () => clock });
  });
  afterAll(async () => t?.close());

  /** A complaint filed and accepted on ACCEPTED through the service with its own clock. */
  const acceptedOnTheClock = async () => {
    setDay(ACCEPTED);
    const filed = await complaints.file({ merchantId: t.fx.merchants.A, consumerName: '赵六', consumerPhone: PHONE, content: '买的螃蟹复称少了二两，要求退还差价。' });
    if (filed.status !== 'filed') throw new Error('not filed');
    await complaints.accept(insp, filed.id);
    return filed.id;
  };
  /** A complaint filed today (the real clock) through the public form. */
  const fileToday = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/p/merchants/${t.fx.merchants.A}/complaint`,
      remoteAddress: `10.9.0.${++ip}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ consumerName: '王五', consumerPhone: PHONE, content: '买的石斑鱼回家复称少了150克，要求退还差价。' }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    const reference = /\/p\/complaints\/(TS\d+)\?/.exec(String(res.headers.location))![1]!;
    const row = await t.ctx.dbHandle.db.selectFrom('complaint').select('id').where('reference', '=', reference).executeTakeFirstOrThrow();
    return { id: row.id, reference };
  };
  type Step = { step: string; state: string; deadline: string | null; overdue: boolean; workingDaysLeft: number | null };
  const mediationOf = (c: { clock: { steps: Step[] } }) => c.clock.steps.find((s) => s.step === 'mediation')!;
  const auditOf = (id: number) => t.ctx.dbHandle.db.selectFrom('audit_log').select(['action', 'staff_id', 'after']).where('entity', '=', 'complaint').where('entity_id', '=', String(id)).orderBy('seq').execute();

  it('moves the mediation deadline by exactly the working days paused: National Day does not count, its make-up Saturday does', async () => {
    const id = await acceptedOnTheClock();
    expect(mediationOf(await complaints.get(insp.actor, id))).toMatchObject({ state: 'running', deadline: PLAIN_DUE });

    // Testing from Monday 28 September; while it lasts the deadline moves on day by day.
    setDay('2026-09-30');
    let c = await complaints.startPause(insp, id, { kind: 'testing', reason: '螃蟹样品送市产品质量检验所检测', startedOn: '2026-09-28' });
    expect(c.pauses).toEqual([expect.objectContaining({ kind: 'testing', kindLabel: { zh: '检测', en: 'Testing' }, startedOn: '2026-09-28', endedOn: null, isUnderWay: true, workingDays: 3, startedByName: 'insp_a', endedByName: null })]);
    expect(mediationOf(c)).toMatchObject({ state: 'paused', deadline: addWorkingDays(PLAIN_DUE, 3, CN_CALENDAR), overdue: false });
    expect(c.clock.due?.state).toBe('paused');

    // Ended on Monday 12 October: Sep 28, 29, 30, Oct 8, 9, Sat Oct 10 (调休上班) and Oct 12 are
    // paused working days; 1–7 October (国庆) and the Sundays were days off anyway.
    setDay('2026-10-12');
    c = await complaints.endPause(insp, id);
    expect(c.pauses[0]).toMatchObject({ startedOn: '2026-09-28', endedOn: '2026-10-12', isUnderWay: false, workingDays: 7, endedByName: 'insp_a' });
    // Both ends count as paused: the clock runs again the next day.
    expect(mediationOf(c).state).toBe('paused');
    setDay('2026-10-13');
    const moved = mediationOf(await complaints.get(insp.actor, id));
    expect(moved.state).toBe('running');
    expect(workingDaysBetween(PLAIN_DUE, moved.deadline!, CN_CALENDAR)).toBe(7);
    expect(moved.deadline).toBe(addWorkingDays(ACCEPTED, 52, CN_CALENDAR));

    // Both steps are in the audit chain, like the other complaint actions.
    const audit = await auditOf(id);
    expect(audit.map((a) => a.action)).toEqual(['complaint.accept', 'complaint.pause', 'complaint.pause_end']);
    expect(audit[1]!.after).toMatchObject({ pause: { kind: 'testing', startedOn: '2026-09-28' } });
    expect(audit[2]!.after).toMatchObject({ pause: { startedOn: '2026-09-28', endedOn: '2026-10-12' } });
    expect(audit[2]!.staff_id).toBe(t.fx.users.inspA);
  });

  it('does not report a paused complaint late for the days paused; late after the moved deadline, it is', async () => {
    const ended = await acceptedOnTheClock();
    setDay('2026-10-12');
    await complaints.startPause(insp, ended, { kind: 'inspection', reason: '复称所用电子秤送检', startedOn: '2026-09-28' });
    await complaints.endPause(insp, ended);
    const open = await acceptedOnTheClock();
    setDay('2026-11-02');
    await complaints.startPause(insp, open, { kind: 'appraisal', reason: '委托司法鉴定' });

    const alerted = async () => (await t.ctx.dbHandle.db.selectFrom('complaint_overdue_alert').select(['complaint_id', 'step']).where('complaint_id', 'in', [ended, open]).execute()).map((a) => `${a.complaint_id}:${a.step}`);
    const lateIds = async () => (await complaints.list(insp.actor, { overdue: true, page: 1, pageSize: 500 })).items.map((c) => c.id);

    // The day after the deadline the complaints would have had without their pauses.
    setDay(addDays(PLAIN_DUE, 1));
    await complaints.sweepOverdue();
    expect(await alerted()).toEqual([]);
    expect(await lateIds()).not.toContain(ended);
    expect(await lateIds()).not.toContain(open);
    const stillPaused = await complaints.get(insp.actor, open);
    expect(stillPaused.clock).toMatchObject({ isOverdue: false, due: { step: 'mediation', state: 'paused' } });
    expect(stillPaused.clock.due!.deadline! > stillPaused.clock.today).toBe(true);
    expect((await complaints.get(insp.actor, ended)).clock).toMatchObject({ isOverdue: false, due: { state: 'running', workingDaysLeft: expect.any(Number) } });

    // The day after the moved deadline, the one whose pause ended is late, once.
    const movedDue = addWorkingDays(ACCEPTED, 52, CN_CALENDAR);
    setDay(addDays(movedDue, 1));
    await complaints.sweepOverdue();
    await complaints.sweepOverdue();
    expect(await alerted()).toEqual([`${ended}:mediation`]);
    expect(await lateIds()).toContain(ended);
    expect(await lateIds()).not.toContain(open);
  });

  it('refuses a second pause under way, an end before the start, and a pause before acceptance or once closed', async () => {
    const filed = await fileToday();
    const pauses = `/api/complaints/${filed.id}/pauses`;
    const body = { kind: 'verification', reason: '电子秤送计量检定所检定' };

    const early = await inspA.post(pauses, body);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toBe('投诉状态为“待受理”，不能暂停调解计时 (only a complaint in mediation can pause its clock)');

    const accepted = (await inspA.post(`/api/complaints/${filed.id}/accept`)).json();
    const yesterday = addDays(accepted.acceptedOn, -1);
    const tomorrow = addDays(accepted.acceptedOn, 1);
    const beforeAcceptance = await inspA.post(pauses, { ...body, startedOn: yesterday });
    expect(beforeAcceptance.statusCode).toBe(400);
    expect(beforeAcceptance.json().error).toMatchObject({ code: 'invalid_input', message: `暂停开始日期不能早于受理日期 ${accepted.acceptedOn} (a pause cannot start before the complaint was accepted on ${accepted.acceptedOn})`, details: [{ field: 'startedOn' }] });
    expect((await inspA.post(pauses, { ...body, startedOn: tomorrow })).json().error.message).toContain('不能晚于今天');

    const started = await inspA.post(pauses, body);
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json().pauses).toMatchObject([{ kind: 'verification', startedOn: accepted.acceptedOn, isUnderWay: true }]);
    expect(mediationOf(started.json()).state).toBe('paused');

    const second = await inspA.post(pauses, { ...body, kind: 'appraisal' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.message).toContain(`已有进行中的暂停（检定，自 ${accepted.acceptedOn} 起）`);

    const endTooEarly = await inspA.post(`${pauses}/end`, { endedOn: yesterday });
    expect(endTooEarly.statusCode).toBe(400);
    expect(endTooEarly.json().error.message).toBe(`暂停结束日期不能早于开始日期 ${accepted.acceptedOn} (a pause cannot end before it started on ${accepted.acceptedOn})`);
    expect((await inspA.post(`${pauses}/end`, { endedOn: tomorrow })).statusCode).toBe(400);

    const ended = await inspA.post(`${pauses}/end`);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json().pauses).toMatchObject([{ endedOn: accepted.acceptedOn, isUnderWay: false }]);
    expect(ended.json().pauses[0].workingDays).toBeLessThanOrEqual(1);
    const again = await inspA.post(`${pauses}/end`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('没有进行中的暂停 (no pause is under way)');
    // A new pause starts after the last one ended: not on the same day.
    expect((await inspA.post(pauses, body)).json().error.message).toContain('须晚于上一次暂停的结束日期');

    await inspA.post(`/api/complaints/${filed.id}/close`, { outcome: 'agreement', upheld: false, note: '双方达成协议。' });
    const closed = await inspA.post(pauses, body);
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error.message).toContain('已办结');
    expect((await inspA.post(`${pauses}/end`)).statusCode).toBe(409);
    // Refused changes write nothing.
    expect((await auditOf(filed.id)).map((a) => a.action)).toEqual(['complaint.accept', 'complaint.pause', 'complaint.pause_end', 'complaint.close']);
  });

  it('closing with a pause under way ends the pause on the close date', async () => {
    const filed = await fileToday();
    await inspA.post(`/api/complaints/${filed.id}/accept`);
    expect((await inspA.post(`/api/complaints/${filed.id}/pauses`, { kind: 'testing', reason: '样品送检' })).statusCode).toBe(201);
    const closed = await inspA.post(`/api/complaints/${filed.id}/close`, { outcome: 'terminated', upheld: false, note: '检测结果有争议，调解不成。' });
    expect(closed.statusCode, closed.body).toBe(200);
    const c = closed.json();
    expect(c.pauses).toMatchObject([{ startedOn: c.acceptedOn, endedOn: c.mediationEndedOn, isUnderWay: false, endedByName: 'insp_a' }]);
    expect(mediationOf(c).state).toBe('done');
    const open = await t.ctx.dbHandle.db.selectFrom('complaint_pause').select('id').where('complaint_id', '=', filed.id).where('ended_on', 'is', null).execute();
    expect(open).toEqual([]);
    const audit = await auditOf(filed.id);
    expect(audit.at(-1)).toMatchObject({ action: 'complaint.close', after: { pauseEnded: { endedOn: c.mediationEndedOn } } });
  });

  it('answers bad bodies with 400 and a clear message', async () => {
    const filed = await fileToday();
    await inspA.post(`/api/complaints/${filed.id}/accept`);
    const pauses = `/api/complaints/${filed.id}/pauses`;
    const bad = async (body: unknown, url = pauses) => {
      const res = await inspA.post(url, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('invalid_input');
      return res.json().error.message as string;
    };
    expect(await bad({ kind: 'weighing', reason: '复称' })).toBe('kind: 不是允许的取值 (not one of the allowed values)');
    expect(await bad({ kind: 'testing' })).toBe('reason: 必填 (required)');
    expect(await bad({ kind: 'testing', reason: '复称', startedOn: '2026-02-30' })).toBe('startedOn: 日期应为 YYYY-MM-DD 格式的有效日期 (must be a real date as YYYY-MM-DD)');
    expect(await bad({ kind: 'testing', reason: '复称', startOn: '2026-12-01' })).toBe('startOn: 不允许的字段 (unknown field)');
    expect(await bad({ kind: 'testing', reason: 'x'.repeat(501) })).toBe('reason: 最多500个字符 (at most 500 characters)');
    expect(await bad({ kind: 'testing', reason: '   ' })).toBe('暂停原因须为1到500字 (the reason: 1 to 500 characters)');
    expect(await bad({ endedOn: '12/05/2026' }, `${pauses}/end`)).toContain('endedOn: 日期应为');
    // Nothing was started by any of them.
    expect((await inspA.get(`/api/complaints/${filed.id}`)).json().pauses).toEqual([]);
  });

  it('shows the merchant and the consumer that mediation is paused, why and since when, personal data masked', async () => {
    const filed = await fileToday();
    await inspA.post(`/api/complaints/${filed.id}/accept`);
    const started = await inspA.post(`/api/complaints/${filed.id}/pauses`, { kind: 'appraisal', reason: '委托鉴定机构鉴定，联系人电话 13912345678' });
    expect(started.statusCode, started.body).toBe(201);
    const since = started.json().pauses[0].startedOn as string;
    expect(started.json().pauses[0].reason).toContain('13912345678');

    const mine = await merchantA.get(`/api/me/complaints/${filed.id}`);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().pauses).toEqual([{ kind: 'appraisal', kindLabel: { zh: '鉴定', en: 'Appraisal' }, reason: expect.stringContaining('委托鉴定机构鉴定'), startedOn: since, endedOn: null, isUnderWay: true, workingDays: expect.any(Number) }]);
    expect(mine.body).not.toContain('13912345678');
    expect(mine.body).not.toContain(PHONE);
    expect(mediationOf(mine.json()).state).toBe('paused');
    const list = (await merchantA.get('/api/me/complaints')).json().items.find((c: { id: number }) => c.id === filed.id);
    expect(mediationOf(list).state).toBe('paused');

    const page = await t.app.inject({ method: 'GET', url: `/p/complaints/${filed.reference}?phone=${PHONE.slice(-4)}`, remoteAddress: '10.9.1.1' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`调解暂停计时：鉴定（自 ${since} 起）`);
    expect(page.body).toContain('委托鉴定机构鉴定');
    expect(page.body).not.toContain('13912345678');
    expect(page.body).toContain('已暂停计时');
  });
});
