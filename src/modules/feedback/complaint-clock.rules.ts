/**
 * Statutory clocks of a consumer complaint (消费投诉), after 市场监督管理投诉举报处理暂行办法
 * (国家市场监督管理总局令第20号, amended 2022). Pure: dates in, deadlines and what is late out.
 *
 * - acceptance (受理): accept or refuse within 7 working days of receipt (第十四条: 自收到投诉之日起
 *   七个工作日内作出受理或者不予受理的决定，并告知投诉人).
 * - mediation (调解): no agreement within 45 working days of acceptance ends mediation (第二十一条
 *   第一款第五项); time spent on 检定、检验、检测、鉴定 is not counted in the mediation period.
 * - termination notice (终止调解告知): within 7 working days of the decision to terminate
 *   (第二十一条第二款: 自作出终止调解决定之日起七个工作日内告知投诉人和被投诉人).
 *
 * Every period starts counting the day after its start date (民法典 第二百零一条), in working days
 * of the given calendar; a year whose notice is not loaded is counted weekends-only and the result
 * is marked provisional.
 */
import {
  addWorkingDays,
  dayNumberOf,
  daysBetween,
  unknownYearsBetween,
  workingDaysBetween,
  type WorkingDayCalendar,
} from './calendar.rules.js';

export const ACCEPTANCE_WORKING_DAYS = 7;
export const MEDIATION_WORKING_DAYS = 45;
export const TERMINATION_NOTICE_WORKING_DAYS = 7;

export const COMPLAINT_STEPS = {
  acceptance: {
    zh: '受理或不予受理决定',
    en: 'Accept or refuse the complaint',
    basis: { zh: '《市场监督管理投诉举报处理暂行办法》第十四条：收到投诉之日起七个工作日内', en: 'Interim Measures on Complaints and Reports, art. 14: within 7 working days of receipt' },
  },
  mediation: {
    zh: '调解终结',
    en: 'End mediation',
    basis: { zh: '《市场监督管理投诉举报处理暂行办法》第二十一条：投诉受理之日起四十五个工作日内', en: 'Interim Measures, art. 21: within 45 working days of acceptance' },
  },
  termination_notice: {
    zh: '告知终止调解',
    en: 'Notify both parties that mediation is terminated',
    basis: { zh: '《市场监督管理投诉举报处理暂行办法》第二十一条：作出终止调解决定之日起七个工作日内', en: 'Interim Measures, art. 21: within 7 working days of the termination decision' },
  },
} as const;
export type ComplaintStep = keyof typeof COMPLAINT_STEPS;

/** A stretch of 检定、检验、检测、鉴定 during mediation, both ends included; no `to` = still under way. */
export interface MediationPause {
  from: string;
  to?: string | null;
}

/** The dates of a complaint that drive its clocks; all 'YYYY-MM-DD' in China time. */
export interface ComplaintDates {
  receivedOn: string;
  acceptedOn?: string | null;
  /** Decision not to accept (不予受理): ends the acceptance step, and no mediation follows. */
  refusedOn?: string | null;
  /** Mediation ended: agreement reached or termination decided. */
  mediationEndedOn?: string | null;
  /** Absent means 'terminated', the case with a notice duty. */
  mediationOutcome?: 'agreement' | 'terminated' | null;
  terminationNotifiedOn?: string | null;
  mediationPauses?: readonly MediationPause[];
}

export interface ComplaintDeadlines {
  acceptanceDue: string;
  /** Null until the complaint is accepted. */
  mediationDue: string | null;
  /** Null until a termination is decided. */
  terminationNoticeDue: string | null;
  /** True when a deadline was counted through a year whose official calendar is not loaded. */
  provisional: boolean;
  unknownYears: number[];
}

// An open pause is taken to run through today (or only its first day when there is no today).
function pausedOn(pauses: readonly MediationPause[], today: string | null): (date: string) => boolean {
  const ranges = pauses.map((p) => [dayNumberOf(p.from), dayNumberOf(p.to ?? today ?? p.from)] as const);
  return (date) => {
    const n = dayNumberOf(date);
    return ranges.some(([a, b]) => a <= n && n <= b);
  };
}

// The mediation deadline skips pause days: walk working days after acceptance that lie in no pause.
function mediationDeadline(acceptedOn: string, pauses: readonly MediationPause[], today: string | null, calendar: WorkingDayCalendar): string {
  if (pauses.length === 0) return addWorkingDays(acceptedOn, MEDIATION_WORKING_DAYS, calendar);
  const paused = pausedOn(pauses, today);
  let day = acceptedOn;
  for (let left = MEDIATION_WORKING_DAYS; left > 0; ) {
    day = addWorkingDays(day, 1, calendar);
    if (!paused(day)) left--;
  }
  return day;
}

// Working days in (from, to] that lie in no pause.
function unpausedWorkingDays(from: string, to: string, pauses: readonly MediationPause[], today: string, calendar: WorkingDayCalendar): number {
  const paused = pausedOn(pauses, today);
  let count = 0;
  for (let day = addWorkingDays(from, 1, calendar); day <= to; day = addWorkingDays(day, 1, calendar)) if (!paused(day)) count++;
  return count;
}

/**
 * Each deadline of a complaint. An open pause (no `to`) is taken to run through `today` (or just
 * its first day when today is not given), so the mediation deadline moves on while it lasts.
 */
export function complaintDeadlines(complaint: ComplaintDates, calendar: WorkingDayCalendar, today?: string): ComplaintDeadlines {
  const acceptanceDue = addWorkingDays(complaint.receivedOn, ACCEPTANCE_WORKING_DAYS, calendar);
  const mediationDue = complaint.acceptedOn ? mediationDeadline(complaint.acceptedOn, complaint.mediationPauses ?? [], today ?? null, calendar) : null;
  const terminated = complaint.mediationEndedOn && (complaint.mediationOutcome ?? 'terminated') === 'terminated';
  const terminationNoticeDue = terminated ? addWorkingDays(complaint.mediationEndedOn!, TERMINATION_NOTICE_WORKING_DAYS, calendar) : null;
  const last = [acceptanceDue, mediationDue ?? '', terminationNoticeDue ?? ''].sort().at(-1)!;
  const unknownYears = unknownYearsBetween(complaint.receivedOn, last, calendar);
  return { acceptanceDue, mediationDue, terminationNoticeDue, provisional: unknownYears.length > 0, unknownYears };
}

export type StepState = 'not_started' | 'running' | 'paused' | 'done' | 'not_applicable';

export interface StepClock {
  step: ComplaintStep;
  title: { zh: string; en: string };
  basis: { zh: string; en: string };
  state: StepState;
  /** The date the period counts from (the day after it is day 1). */
  startsOn: string | null;
  deadline: string | null;
  doneOn: string | null;
  /** Running and not overdue: working days after today up to the deadline (pause days not counted); 0 means due today. */
  workingDaysLeft: number | null;
  dueToday: boolean;
  /** Running past its deadline, or done after it. */
  overdue: boolean;
  /** Calendar days past the deadline (today, or the day it was done); 0 when not overdue. */
  daysOverdue: number;
  /** The deadline was counted through a year whose official calendar is not loaded. */
  provisional: boolean;
}

export interface ComplaintClockStatus {
  today: string;
  /** Always the three steps, in order. */
  steps: StepClock[];
  /** The step the office has to act on now (running or paused), if any. */
  due: StepClock | null;
  /** Steps late now or done late. */
  overdue: ComplaintStep[];
  provisional: boolean;
  unknownYears: number[];
}

function clock(step: ComplaintStep, startsOn: string | null, deadline: string | null, doneOn: string | null, applicable: boolean, today: string, calendar: WorkingDayCalendar, paused = false): StepClock {
  const base = { step, title: { zh: COMPLAINT_STEPS[step].zh, en: COMPLAINT_STEPS[step].en }, basis: COMPLAINT_STEPS[step].basis, startsOn, deadline, doneOn };
  const idle = { workingDaysLeft: null, dueToday: false, overdue: false, daysOverdue: 0 };
  if (!applicable) return { ...base, state: 'not_applicable', ...idle, provisional: false };
  if (!startsOn || !deadline) return { ...base, state: 'not_started', ...idle, provisional: false };
  const provisional = unknownYearsBetween(startsOn, deadline, calendar).length > 0;
  if (doneOn) {
    const late = doneOn > deadline;
    return { ...base, state: 'done', workingDaysLeft: null, dueToday: false, overdue: late, daysOverdue: late ? daysBetween(deadline, doneOn) : 0, provisional };
  }
  const overdue = today > deadline;
  return {
    ...base,
    state: paused ? 'paused' : 'running',
    workingDaysLeft: overdue ? null : workingDaysBetween(today, deadline, calendar),
    dueToday: today === deadline,
    overdue,
    daysOverdue: overdue ? daysBetween(deadline, today) : 0,
    provisional,
  };
}

/**
 * Where a complaint stands on `today`: each step's deadline, what is due now, what is late.
 * A step is late the day after its deadline; on the deadline itself it is due today.
 */
export function complaintClockStatus(complaint: ComplaintDates, today: string, calendar: WorkingDayCalendar): ComplaintClockStatus {
  const d = complaintDeadlines(complaint, calendar, today);
  const refused = !!complaint.refusedOn && !complaint.acceptedOn;
  const outcome = complaint.mediationOutcome ?? 'terminated';
  const pausedNow = (complaint.mediationPauses ?? []).some((p) => p.from <= today && (p.to == null || today <= p.to));

  const steps = [
    clock('acceptance', complaint.receivedOn, d.acceptanceDue, complaint.acceptedOn ?? complaint.refusedOn ?? null, true, today, calendar),
    clock('mediation', complaint.acceptedOn ?? null, d.mediationDue, complaint.mediationEndedOn ?? null, !refused, today, calendar, pausedNow),
    clock(
      'termination_notice',
      complaint.mediationEndedOn && outcome === 'terminated' ? complaint.mediationEndedOn : null,
      d.terminationNoticeDue,
      complaint.terminationNotifiedOn ?? null,
      !refused && !(complaint.mediationEndedOn && outcome === 'agreement'),
      today,
      calendar,
    ),
  ];
  const mediation = steps[1]!;
  const pauses = complaint.mediationPauses ?? [];
  if (pauses.length > 0 && mediation.workingDaysLeft !== null) mediation.workingDaysLeft = unpausedWorkingDays(today, mediation.deadline!, pauses, today, calendar);
  const due = steps.find((s) => s.state === 'running' || s.state === 'paused') ?? null;
  const unknownYears = [...new Set(steps.flatMap((s) => (s.startsOn && s.deadline ? unknownYearsBetween(s.startsOn, s.deadline, calendar) : [])))].sort((a, b) => a - b);
  return { today, steps, due, overdue: steps.filter((s) => s.overdue).map((s) => s.step), provisional: unknownYears.length > 0, unknownYears };
}
