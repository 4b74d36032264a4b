/**
 * Pauses of the mediation clock (调解期间的检定、检验、检测、鉴定): by 市场监督管理投诉举报处理暂行办法
 * 第二十一条 the time spent on them is not counted in the 45 working days. Pure: what may be started
 * or ended on which date, and the working days a pause holds. The clock itself is complaint-clock.rules.ts.
 */
import { addDays, isValidDate, workingDaysBetween, type WorkingDayCalendar } from './calendar.rules.js';
import type { Bilingual } from './comment.rules.js';
import type { ComplaintStatus } from './complaint.rules.js';

export const PAUSE_KINDS = {
  verification: { zh: '检定', en: 'Verification' },
  inspection: { zh: '检验', en: 'Inspection' },
  testing: { zh: '检测', en: 'Testing' },
  appraisal: { zh: '鉴定', en: 'Appraisal' },
} as const satisfies Record<string, Bilingual>;
export type PauseKind = keyof typeof PAUSE_KINDS;
export const PAUSE_KIND_LIST = Object.keys(PAUSE_KINDS) as PauseKind[];
export const isPauseKind = (s: string): s is PauseKind => s in PAUSE_KINDS;

export const PAUSE_REASON_MAX = 500;

/** A stored pause as the rules see it; dates 'YYYY-MM-DD', both included, no end = under way. */
export interface PauseDates {
  kind: PauseKind;
  startedOn: string;
  endedOn: string | null;
}

/** Why a pause cannot be started or ended: `conflict` for the complaint's state, `invalid` for the date given. */
export type PauseProblem = { kind: 'conflict' | 'invalid'; message: Bilingual; field?: 'startedOn' | 'endedOn' };

/** Statuses in which mediation runs, so its clock may be paused. */
const MEDIATING: readonly ComplaintStatus[] = ['accepted', 'mediating'];

export interface PauseStartCheck {
  status: ComplaintStatus;
  acceptedOn: string | null;
  /** The mediation deadline as it stands before this pause. */
  mediationDue: string | null;
  pauses: readonly PauseDates[];
  startedOn: string;
  today: string;
}

/**
 * Whether a pause may start on `startedOn`: only in mediation, with no other pause under way, not in
 * the future, not before acceptance, after the previous pause ended, and by the mediation deadline
 * (a pause after it would not count: the period has run out). Null when it may.
 */
export function pauseStartProblem(c: PauseStartCheck, statusLabel: Bilingual): PauseProblem | null {
  if (!MEDIATING.includes(c.status) || !c.acceptedOn)
    return { kind: 'conflict', message: { zh: `投诉状态为“${statusLabel.zh}”，不能暂停调解计时`, en: 'only a complaint in mediation can pause its clock' } };
  const open = c.pauses.find((p) => p.endedOn === null);
  if (open) return { kind: 'conflict', message: { zh: `已有进行中的暂停（${PAUSE_KINDS[open.kind].zh}，自 ${open.startedOn} 起），请先结束该暂停`, en: `a pause (${PAUSE_KINDS[open.kind].en.toLowerCase()}) is under way since ${open.startedOn}: end it first` } };
  const on = c.startedOn;
  if (!isValidDate(on)) return { kind: 'invalid', field: 'startedOn', message: { zh: '暂停开始日期应为 YYYY-MM-DD', en: 'the start date must be YYYY-MM-DD' } };
  if (on > c.today) return { kind: 'invalid', field: 'startedOn', message: { zh: `暂停开始日期不能晚于今天（${c.today}）`, en: `a pause cannot start after today, ${c.today}` } };
  if (on < c.acceptedOn) return { kind: 'invalid', field: 'startedOn', message: { zh: `暂停开始日期不能早于受理日期 ${c.acceptedOn}`, en: `a pause cannot start before the complaint was accepted on ${c.acceptedOn}` } };
  const lastEnd = c.pauses.reduce<string | null>((last, p) => (p.endedOn && (!last || p.endedOn > last) ? p.endedOn : last), null);
  if (lastEnd && on <= lastEnd) return { kind: 'invalid', field: 'startedOn', message: { zh: `暂停开始日期须晚于上一次暂停的结束日期 ${lastEnd}`, en: `a pause must start after the previous one ended on ${lastEnd}` } };
  if (c.mediationDue && on > c.mediationDue)
    return { kind: 'conflict', field: 'startedOn', message: { zh: `调解期限已于 ${c.mediationDue} 届满，此后的检定、检验、检测、鉴定不能再暂停计时`, en: `the mediation period ran out on ${c.mediationDue}: a later pause does not count` } };
  return null;
}

/** Whether the pause under way may end on `endedOn`: not in the future, not before it started. Null when it may. */
export function pauseEndProblem(open: PauseDates | undefined, endedOn: string, today: string): PauseProblem | null {
  if (!open) return { kind: 'conflict', message: { zh: '没有进行中的暂停', en: 'no pause is under way' } };
  if (!isValidDate(endedOn)) return { kind: 'invalid', field: 'endedOn', message: { zh: '暂停结束日期应为 YYYY-MM-DD', en: 'the end date must be YYYY-MM-DD' } };
  if (endedOn > today) return { kind: 'invalid', field: 'endedOn', message: { zh: `暂停结束日期不能晚于今天（${today}）`, en: `a pause cannot end after today, ${today}` } };
  if (endedOn < open.startedOn) return { kind: 'invalid', field: 'endedOn', message: { zh: `暂停结束日期不能早于开始日期 ${open.startedOn}`, en: `a pause cannot end before it started on ${open.startedOn}` } };
  return null;
}

/**
 * The working days a pause holds, both ends included; one under way counts through `today`. The
 * acceptance day itself is never counted in the period, so a pause holds none of it.
 */
export function pausedWorkingDays(p: Pick<PauseDates, 'startedOn' | 'endedOn'>, today: string, calendar: WorkingDayCalendar, acceptedOn?: string | null): number {
  const to = p.endedOn ?? today;
  const after = acceptedOn && acceptedOn >= p.startedOn ? acceptedOn : addDays(p.startedOn, -1);
  return to <= after ? 0 : workingDaysBetween(after, to, calendar);
}
