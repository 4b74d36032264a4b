import { describe, expect, it } from 'vitest';
import { CN_CALENDAR } from './calendar.rules.js';
import { pauseEndProblem, pauseStartProblem, pausedWorkingDays, type PauseStartCheck } from './complaint-pause.rules.js';
import { COMPLAINT_STATUSES } from './complaint.rules.js';

const mediating: PauseStartCheck = { status: 'mediating', acceptedOn: '2026-09-21', mediationDue: '2026-11-30', pauses: [], startedOn: '2026-09-28', today: '2026-09-30' };
const check = (over: Partial<PauseStartCheck> = {}) => {
  const c = { ...mediating, ...over };
  return pauseStartProblem(c, COMPLAINT_STATUSES[c.status]);
};

describe('starting a pause of the mediation clock', () => {
  it('may start in mediation on a day from acceptance up to today', () => {
    expect(check()).toBeNull();
    expect(check({ status: 'accepted', startedOn: '2026-09-21' })).toBeNull();
    expect(check({ startedOn: '2026-09-30' })).toBeNull();
  });

  it('is refused before acceptance, after refusal and once closed, naming the status', () => {
    expect(check({ status: 'received', acceptedOn: null })).toMatchObject({ kind: 'conflict', message: { zh: '投诉状态为“待受理”，不能暂停调解计时' } });
    expect(check({ status: 'refused', acceptedOn: null })?.kind).toBe('conflict');
    expect(check({ status: 'closed' })).toMatchObject({ kind: 'conflict', message: { zh: expect.stringContaining('已办结') } });
  });

  it('allows one pause under way at a time', () => {
    const p = check({ pauses: [{ kind: 'testing', startedOn: '2026-09-22', endedOn: null }] });
    expect(p).toMatchObject({ kind: 'conflict', message: { zh: '已有进行中的暂停（检测，自 2026-09-22 起），请先结束该暂停' } });
  });

  it('refuses a date in the future, before acceptance, or not after the previous pause ended', () => {
    expect(check({ startedOn: '2026-10-01' })).toMatchObject({ kind: 'invalid', field: 'startedOn', message: { en: 'a pause cannot start after today, 2026-09-30' } });
    expect(check({ startedOn: '2026-09-20' })).toMatchObject({ kind: 'invalid', field: 'startedOn', message: { zh: '暂停开始日期不能早于受理日期 2026-09-21' } });
    const ended = [{ kind: 'appraisal' as const, startedOn: '2026-09-22', endedOn: '2026-09-24' }];
    expect(check({ pauses: ended, startedOn: '2026-09-24' })).toMatchObject({ kind: 'invalid', field: 'startedOn' });
    expect(check({ pauses: ended, startedOn: '2026-09-25' })).toBeNull();
    expect(check({ startedOn: '2026-02-30' })).toMatchObject({ kind: 'invalid', field: 'startedOn' });
  });

  it('refuses a pause after the mediation period ran out: it would not count', () => {
    expect(check({ mediationDue: '2026-09-25', startedOn: '2026-09-28' })).toMatchObject({ kind: 'conflict', message: { en: 'the mediation period ran out on 2026-09-25: a later pause does not count' } });
    expect(check({ mediationDue: '2026-09-28', startedOn: '2026-09-28' })).toBeNull();
  });
});

describe('ending the pause under way', () => {
  const open = { kind: 'inspection' as const, startedOn: '2026-09-28', endedOn: null };
  it('ends on a day from its start up to today', () => {
    expect(pauseEndProblem(open, '2026-09-28', '2026-10-09')).toBeNull();
    expect(pauseEndProblem(open, '2026-10-09', '2026-10-09')).toBeNull();
  });
  it('refuses with nothing under way, a date before the start, or in the future', () => {
    expect(pauseEndProblem(undefined, '2026-10-09', '2026-10-09')).toMatchObject({ kind: 'conflict', message: { zh: '没有进行中的暂停' } });
    expect(pauseEndProblem(open, '2026-09-27', '2026-10-09')).toMatchObject({ kind: 'invalid', field: 'endedOn', message: { zh: '暂停结束日期不能早于开始日期 2026-09-28' } });
    expect(pauseEndProblem(open, '2026-10-10', '2026-10-09')).toMatchObject({ kind: 'invalid', field: 'endedOn' });
  });
});

describe('the working days a pause holds', () => {
  it('counts both ends and skips National Day 2026, counting its make-up Saturday', () => {
    // Sep 28, 29, 30, Oct 1–7 off, Oct 8, 9, Sat Oct 10 (make-up), Oct 12.
    expect(pausedWorkingDays({ startedOn: '2026-09-28', endedOn: '2026-10-12' }, '2026-10-20', CN_CALENDAR)).toBe(7);
    expect(pausedWorkingDays({ startedOn: '2026-10-01', endedOn: '2026-10-07' }, '2026-10-20', CN_CALENDAR)).toBe(0);
  });
  it('counts a pause under way through today', () => {
    expect(pausedWorkingDays({ startedOn: '2026-09-28', endedOn: null }, '2026-09-30', CN_CALENDAR)).toBe(3);
  });
  it('never counts the acceptance day, which the period does not count either', () => {
    expect(pausedWorkingDays({ startedOn: '2026-09-28', endedOn: '2026-09-30' }, '2026-10-20', CN_CALENDAR, '2026-09-28')).toBe(2);
    expect(pausedWorkingDays({ startedOn: '2026-09-28', endedOn: '2026-09-28' }, '2026-10-20', CN_CALENDAR, '2026-09-28')).toBe(0);
    expect(pausedWorkingDays({ startedOn: '2026-09-28', endedOn: '2026-09-30' }, '2026-10-20', CN_CALENDAR, '2026-09-21')).toBe(3);
  });
});
