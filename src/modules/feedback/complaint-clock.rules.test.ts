import { describe, expect, it } from 'vitest';
import { CN_CALENDAR, addWorkingDays } from './calendar.rules.js';
import { complaintClockStatus, complaintDeadlines, type ComplaintDates } from './complaint-clock.rules.js';

const cal = CN_CALENDAR;
const step = (c: ComplaintDates, today: string, name: 'acceptance' | 'mediation' | 'termination_notice') => complaintClockStatus(c, today, cal).steps.find((s) => s.step === name)!;

describe('the acceptance deadline (7 working days from receipt)', () => {
  it('skips the Spring Festival 2026 and counts Feb 14 and Feb 28 as working days', () => {
    // Feb 13 (1), Sat Feb 14 (2), Feb 15–23 off, Feb 24–27 (3–6), Sat Feb 28 (7).
    expect(complaintDeadlines({ receivedOn: '2026-02-12' }, cal).acceptanceDue).toBe('2026-02-28');
  });

  it('skips National Day 2025 (Oct 1–8) and counts Sep 28 and Oct 11', () => {
    // Sun Sep 28 (1), 29, 30, Oct 9, 10, Sat Oct 11 (6), Mon Oct 13 (7).
    expect(complaintDeadlines({ receivedOn: '2025-09-26' }, cal).acceptanceDue).toBe('2025-10-13');
  });

  it('skips 中秋 and National Day 2026 and counts Sep 20 and Oct 10', () => {
    // Sun Sep 20 (1), 21–24 (2–5), Sep 25–27 off, 28 (6), 29 (7).
    expect(complaintDeadlines({ receivedOn: '2026-09-18' }, cal).acceptanceDue).toBe('2026-09-29');
    // Sep 30 (1), Oct 1–7 off, Oct 8, 9, Sat Oct 10 (4), 12, 13, 14 (7).
    expect(complaintDeadlines({ receivedOn: '2026-09-29' }, cal).acceptanceDue).toBe('2026-10-14');
  });

  it('crosses New Year into a known year', () => {
    // Dec 30, 31, Jan 1 off, Jan 2, 3, 6, 7, 8.
    expect(complaintDeadlines({ receivedOn: '2024-12-27' }, cal)).toMatchObject({ acceptanceDue: '2025-01-08', provisional: false });
    // Dec 30, 31, Jan 1–3 off, Sun Jan 4 (3), 5, 6, 7, 8.
    expect(complaintDeadlines({ receivedOn: '2025-12-29' }, cal)).toMatchObject({ acceptanceDue: '2026-01-08', provisional: false });
  });

  it('crosses into a year with no loaded notice: weekends only, marked provisional', () => {
    // Dec 29, 30, 31, Fri Jan 1 2027 (assumed working), Jan 4, 5, 6.
    expect(complaintDeadlines({ receivedOn: '2026-12-28' }, cal)).toMatchObject({ acceptanceDue: '2027-01-06', provisional: true, unknownYears: [2027] });
    const s = complaintClockStatus({ receivedOn: '2026-12-28' }, '2026-12-30', cal);
    expect(s.provisional).toBe(true);
    expect(s.steps[0]!.provisional).toBe(true);
  });

  it('counts from the next day even when the complaint arrives on a holiday', () => {
    // Feb 24–27 (1–4), Sat Feb 28 (5), Mar 2 (6), Mar 3 (7).
    expect(complaintDeadlines({ receivedOn: '2026-02-17' }, cal).acceptanceDue).toBe('2026-03-03');
  });
});

describe('the mediation deadline (45 working days from acceptance)', () => {
  it('skips the Spring Festival and 清明 2026', () => {
    // Sat Feb 14 (1), Feb 24–28 (2–6), March (7–31), Apr 6 off, Apr 7–24 (32–45).
    expect(complaintDeadlines({ receivedOn: '2026-02-12', acceptedOn: '2026-02-13' }, cal).mediationDue).toBe('2026-04-24');
  });

  it('does not count time spent on 检定、检验、检测、鉴定', () => {
    const accepted = { receivedOn: '2026-03-02', acceptedOn: '2026-03-02' };
    const plain = complaintDeadlines(accepted, cal).mediationDue;
    expect(plain).toBe(addWorkingDays('2026-03-02', 45, cal));
    // A Monday-to-Friday pause holds five working days.
    expect(complaintDeadlines({ ...accepted, mediationPauses: [{ from: '2026-03-09', to: '2026-03-15' }] }, cal).mediationDue).toBe(addWorkingDays('2026-03-02', 50, cal));
  });

  it('an open pause runs through today and the mediation step shows as paused', () => {
    const c = { receivedOn: '2026-03-02', acceptedOn: '2026-03-02', mediationPauses: [{ from: '2026-03-09' }] };
    const s = complaintClockStatus(c, '2026-03-11', cal);
    expect(s.due?.step).toBe('mediation');
    expect(s.due?.state).toBe('paused');
    expect(s.due?.deadline).toBe(addWorkingDays('2026-03-02', 48, cal)); // Mar 9, 10, 11 paused so far
  });
  it('does not count a planned pause in the working days left', () => {
    const c = { receivedOn: '2026-03-02', acceptedOn: '2026-03-02', mediationPauses: [{ from: '2026-03-09', to: '2026-03-13' }] };
    const s = complaintClockStatus(c, '2026-03-02', cal);
    expect(s.due?.state).toBe('running');
    expect(s.due?.workingDaysLeft).toBe(45);
    expect(s.due?.deadline).toBe(addWorkingDays('2026-03-02', 50, cal));
  });
});

describe('the termination notice (7 working days from the decision)', () => {
  it('skips National Day 2025', () => {
    const c = { receivedOn: '2025-08-01', acceptedOn: '2025-08-05', mediationEndedOn: '2025-09-26' };
    expect(complaintDeadlines(c, cal).terminationNoticeDue).toBe('2025-10-13');
  });

  it('has no clock when mediation ended in agreement', () => {
    const c = { receivedOn: '2025-08-01', acceptedOn: '2025-08-05', mediationEndedOn: '2025-09-26', mediationOutcome: 'agreement' as const };
    expect(complaintDeadlines(c, cal).terminationNoticeDue).toBeNull();
    const s = complaintClockStatus(c, '2025-10-20', cal);
    expect(s.steps[2]!.state).toBe('not_applicable');
    expect(s.due).toBeNull();
    expect(s.overdue).toEqual([]);
  });
});

describe('where a complaint stands today', () => {
  const received = { receivedOn: '2026-02-12' };

  it('counts working days left after today; 0 on the deadline itself', () => {
    expect(step(received, '2026-02-12', 'acceptance')).toMatchObject({ state: 'running', workingDaysLeft: 7, overdue: false, dueToday: false });
    expect(step(received, '2026-02-20', 'acceptance')).toMatchObject({ state: 'running', workingDaysLeft: 5 }); // Feb 24–28
    expect(step(received, '2026-02-24', 'acceptance')).toMatchObject({ workingDaysLeft: 4 });
    expect(step(received, '2026-02-28', 'acceptance')).toMatchObject({ workingDaysLeft: 0, dueToday: true, overdue: false });
  });

  it('is overdue from the day after the deadline', () => {
    const s = complaintClockStatus(received, '2026-03-01', cal);
    expect(s.due).toMatchObject({ step: 'acceptance', overdue: true, daysOverdue: 1, workingDaysLeft: null });
    expect(s.overdue).toEqual(['acceptance']);
    expect(s.steps.map((x) => x.state)).toEqual(['running', 'not_started', 'not_started']);
  });

  it('keeps a step decided late marked late, and moves on to the next step', () => {
    const c = { ...received, acceptedOn: '2026-03-02' };
    const s = complaintClockStatus(c, '2026-03-03', cal);
    expect(s.steps[0]).toMatchObject({ state: 'done', doneOn: '2026-03-02', overdue: true, daysOverdue: 2 });
    expect(s.due).toMatchObject({ step: 'mediation', state: 'running', startsOn: '2026-03-02', overdue: false });
    expect(s.overdue).toEqual(['acceptance']);
  });

  it('a decision on time is not late', () => {
    const s = complaintClockStatus({ ...received, acceptedOn: '2026-02-28' }, '2026-03-03', cal);
    expect(s.steps[0]).toMatchObject({ state: 'done', overdue: false, daysOverdue: 0 });
    expect(s.overdue).toEqual([]);
  });

  it('flags mediation running past 45 working days', () => {
    const c = { ...received, acceptedOn: '2026-02-13' };
    expect(step(c, '2026-04-24', 'mediation')).toMatchObject({ dueToday: true, overdue: false });
    const s = complaintClockStatus(c, '2026-04-27', cal);
    expect(s.due).toMatchObject({ step: 'mediation', overdue: true, daysOverdue: 3 });
  });

  it('after a termination, the notice is due; once given, nothing is', () => {
    const c = { ...received, acceptedOn: '2026-02-13', mediationEndedOn: '2026-04-24' };
    const s = complaintClockStatus(c, '2026-04-27', cal);
    expect(s.steps[1]).toMatchObject({ state: 'done', overdue: false });
    expect(s.due).toMatchObject({ step: 'termination_notice', deadline: addWorkingDays('2026-04-24', 7, cal), workingDaysLeft: 6 });
    // Apr 27–30 (1–4), May 1–5 off, May 6, 7, 8 (5–7): the 劳动节 break is skipped.
    expect(s.due?.deadline).toBe('2026-05-08');
    const done = complaintClockStatus({ ...c, terminationNotifiedOn: '2026-05-09' }, '2026-05-11', cal);
    expect(done.due).toBeNull();
    expect(done.overdue).toEqual(['termination_notice']);
  });

  it('a refused complaint has no mediation and no notice clock', () => {
    const s = complaintClockStatus({ ...received, refusedOn: '2026-02-13' }, '2026-06-01', cal);
    expect(s.steps.map((x) => x.state)).toEqual(['done', 'not_applicable', 'not_applicable']);
    expect(s.due).toBeNull();
  });
});
