/**
 * The Chinese working-day calendar (工作日): weekends, public holidays (法定节假日) and make-up working
 * days (调休上班) from the State Council General Office's yearly notices. Pure: no I/O, no clock.
 *
 * Dates are plain 'YYYY-MM-DD' strings in China time (Asia/Shanghai, UTC+8 all year, no daylight
 * saving), so they compare as strings. Holidays are data: a calendar is built from entries, and a
 * year with no loaded notice falls back to "Monday to Friday", flagged so the UI can say so.
 */

export type CalendarEntryKind = 'holiday' | 'workday';

/** One day the notice changes: a day off (holiday) or a weekend day worked (make-up working day). */
export interface CalendarEntry {
  date: string;
  kind: CalendarEntryKind;
  /** The holiday's name as the notice writes it, e.g. 春节. */
  name: string;
}

/** One year's official arrangement, as published by 国务院办公厅. */
export interface HolidayNotice {
  year: number;
  /** The notice's title, as cited. */
  title: string;
  /** Document number (文号) where known. */
  reference: string;
  publishedOn: string;
  entries: readonly CalendarEntry[];
}

// ---------------------------------------------------------------- day arithmetic

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** Day number (days since 1970-01-01) of a 'YYYY-MM-DD' date; throws RangeError for anything else. */
export function dayNumberOf(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const n = daysFromCivil(y, mo, d);
  // Round trip rejects 2026-02-30 and month 13.
  const [y2, mo2, d2] = civilFromDays(n);
  if (y2 !== y || mo2 !== mo || d2 !== d) throw new RangeError(`no such date: ${date}`);
  return n;
}

/** The 'YYYY-MM-DD' date of a day number. */
export function dateOfDayNumber(n: number): string {
  const [y, m, d] = civilFromDays(n);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

export const isValidDate = (date: string): boolean => {
  try {
    dayNumberOf(date);
    return true;
  } catch {
    return false;
  }
};

/** The date in China (UTC+8) at an instant. */
export function chinaDateOf(instant: Date): string {
  return dateOfDayNumber(Math.floor((instant.getTime() + CHINA_OFFSET_MS) / DAY_MS));
}

/** The instant a China date begins (00:00 in Asia/Shanghai). */
export function chinaStartOf(date: string): Date {
  return new Date(dayNumberOf(date) * DAY_MS - CHINA_OFFSET_MS);
}

/** The date n calendar days after (n < 0: before) a date. */
export function addDays(date: string, n: number): string {
  return dateOfDayNumber(dayNumberOf(date) + n);
}

/** Calendar days from a to b (negative when b is before a). */
export function daysBetween(a: string, b: string): number {
  return dayNumberOf(b) - dayNumberOf(a);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return weekdayOfDayNumber(dayNumberOf(date));
}

// 1970-01-01 was a Thursday.
const weekdayOfDayNumber = (n: number) => (((n + 4) % 7) + 7) % 7;
const yearOfDayNumber = (n: number) => civilFromDays(n)[0];

// ---------------------------------------------------------------- the calendar value

/**
 * A working-day calendar. Build it with buildCalendar; treat it as immutable. `knownYears` are the
 * years whose official arrangement is loaded: outside them only weekends are days off.
 */
export interface WorkingDayCalendar {
  readonly knownYears: ReadonlySet<number>;
  /** Entries by day number; later entries for the same date replaced earlier ones. */
  readonly byDay: ReadonlyMap<number, CalendarEntry>;
}

/**
 * Builds a calendar from entries. Where two entries name the same date the later one wins, so a
 * city bureau can load a correction after the defaults: buildCalendar([...defaults, ...mine]).
 * `knownYears` defaults to the years the entries fall in; pass it when a notice's entries spill
 * into a neighbouring year (say an 元旦 break starting on 31 December) that is not itself loaded.
 * Throws RangeError on a malformed date (validate uploads with calendarEntryProblems first).
 */
export function buildCalendar(entries: Iterable<CalendarEntry>, knownYears?: Iterable<number>): WorkingDayCalendar {
  const byDay = new Map<number, CalendarEntry>();
  const years = new Set<number>();
  for (const e of entries) {
    const n = dayNumberOf(e.date);
    byDay.set(n, e);
    years.add(yearOfDayNumber(n));
  }
  return { knownYears: knownYears ? new Set(knownYears) : years, byDay };
}

/** A calendar from whole notices: their entries, and their years as the known years. */
export function calendarFromNotices(notices: readonly HolidayNotice[]): WorkingDayCalendar {
  return buildCalendar(
    notices.flatMap((n) => n.entries),
    notices.map((n) => n.year),
  );
}

/** The calendar with more notices (e.g. next year's, loaded by a city bureau); theirs win on conflict. */
export function extendCalendar(calendar: WorkingDayCalendar, notices: readonly HolidayNotice[]): WorkingDayCalendar {
  const byDay = new Map(calendar.byDay);
  for (const e of notices.flatMap((n) => n.entries)) byDay.set(dayNumberOf(e.date), e);
  return { knownYears: new Set([...calendar.knownYears, ...notices.map((n) => n.year)]), byDay };
}

export interface CalendarEntryProblem {
  index: number;
  date: string;
  message: string;
}

/** Problems with uploaded entries: bad dates, a make-up working day that is not a weekend day, a date listed twice with different kinds. */
export function calendarEntryProblems(entries: readonly CalendarEntry[]): CalendarEntryProblem[] {
  const problems: CalendarEntryProblem[] = [];
  const seen = new Map<string, CalendarEntryKind>();
  entries.forEach((e, index) => {
    if (!isValidDate(e.date)) return problems.push({ index, date: e.date, message: '日期格式应为 YYYY-MM-DD (date must be a real YYYY-MM-DD date)' });
    if (e.kind !== 'holiday' && e.kind !== 'workday') return problems.push({ index, date: e.date, message: '类型应为 holiday 或 workday (kind must be holiday or workday)' });
    const wd = weekdayOf(e.date);
    if (e.kind === 'workday' && wd !== 0 && wd !== 6) problems.push({ index, date: e.date, message: '调休上班日应为周末 (a make-up working day falls on a weekend)' });
    const before = seen.get(e.date);
    if (before && before !== e.kind) problems.push({ index, date: e.date, message: '同一日期既是假日又是上班日 (the same date is listed as both holiday and working day)' });
    seen.set(e.date, e.kind);
    return undefined;
  });
  return problems;
}

function isWorkingDayNumber(n: number, calendar: WorkingDayCalendar): boolean {
  const e = calendar.byDay.get(n);
  if (e) return e.kind === 'workday';
  const wd = weekdayOfDayNumber(n);
  return wd !== 0 && wd !== 6;
}

/** Whether a date is a working day: a weekday that is not a holiday, or a make-up working day. */
export function isWorkingDay(date: string, calendar: WorkingDayCalendar): boolean {
  return isWorkingDayNumber(dayNumberOf(date), calendar);
}

/** Whether the date's year has its official arrangement loaded; when not, weekends are the only days off. */
export function isKnownDate(date: string, calendar: WorkingDayCalendar): boolean {
  return calendar.knownYears.has(Number(date.slice(0, 4)));
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

export interface DayInfo {
  date: string;
  isWorkingDay: boolean;
  kind: DayKind;
  /** The holiday's name for a holiday or make-up working day. */
  name: string | null;
  /** False when the year's official calendar is not loaded: the answer is "weekends only". */
  known: boolean;
}

/** What a day is, for display. */
export function describeDay(date: string, calendar: WorkingDayCalendar): DayInfo {
  const n = dayNumberOf(date);
  const e = calendar.byDay.get(n);
  const known = calendar.knownYears.has(yearOfDayNumber(n));
  if (e) return { date, isWorkingDay: e.kind === 'workday', kind: e.kind === 'workday' ? 'makeup_workday' : 'holiday', name: e.name, known };
  const wd = weekdayOfDayNumber(n);
  const weekend = wd === 0 || wd === 6;
  return { date, isWorkingDay: !weekend, kind: weekend ? 'weekend' : 'workday', name: null, known };
}

/**
 * The date n working days after `start`, by the statutory rule for periods (民法典 第二百零一条):
 * the start day is not counted, counting begins the next day, so the result is the n-th working
 * day after start. n = 0 gives start itself; n < 0 counts back to the |n|-th working day before.
 * Because only working days are counted, a period never ends on a holiday or weekend.
 */
export function addWorkingDays(start: string, n: number, calendar: WorkingDayCalendar): string {
  if (!Number.isInteger(n)) throw new RangeError(`working days must be an integer: ${n}`);
  let day = dayNumberOf(start);
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; ) {
    day += step;
    if (isWorkingDayNumber(day, calendar)) left--;
  }
  return dateOfDayNumber(day);
}

/**
 * Working days in (a, b]: the count addWorkingDays inverts, so
 * workingDaysBetween(a, addWorkingDays(a, n)) === n. Negative when b is before a.
 */
export function workingDaysBetween(a: string, b: string, calendar: WorkingDayCalendar): number {
  const from = dayNumberOf(a);
  const to = dayNumberOf(b);
  if (to < from) return -workingDaysBetween(b, a, calendar);
  let count = 0;
  for (let d = from + 1; d <= to; d++) if (isWorkingDayNumber(d, calendar)) count++;
  return count;
}

/** The years in [a, b] (either order) whose official calendar is not loaded; empty when all are. */
export function unknownYearsBetween(a: string, b: string, calendar: WorkingDayCalendar): number[] {
  let y1 = Number(a.slice(0, 4));
  let y2 = Number(b.slice(0, 4));
  if (y2 < y1) [y1, y2] = [y2, y1];
  const out: number[] = [];
  for (let y = y1; y <= y2; y++) if (!calendar.knownYears.has(y)) out.push(y);
  return out;
}

// ---------------------------------------------------------------- the official arrangements

const holidays = (from: string, to: string, name: string): CalendarEntry[] => {
  const out: CalendarEntry[] = [];
  for (let n = dayNumberOf(from), end = dayNumberOf(to); n <= end; n++) out.push({ date: dateOfDayNumber(n), kind: 'holiday', name });
  return out;
};
const workday = (date: string, name: string): CalendarEntry => ({ date, kind: 'workday', name });

/**
 * The State Council General Office's notices, one per year. Holiday entries list exactly the days
 * the notice names as the break (so "1月1日放假，与周末连休" is 1 January alone, the weekend being a
 * weekend anyway); workday entries are the make-up working days (调休上班), always on a weekend.
 * Check a new year against the notice on www.gov.cn before adding it.
 */
export const CN_HOLIDAY_NOTICES: readonly HolidayNotice[] = Object.freeze([
  {
    year: 2024,
    title: '国务院办公厅关于2024年部分节假日安排的通知',
    reference: '国办发明电〔2023〕7号',
    publishedOn: '2023-10-25',
    entries: [
      ...holidays('2024-01-01', '2024-01-01', '元旦'), // 1月1日放假，与周末连休
      ...holidays('2024-02-10', '2024-02-17', '春节'), // 除夕 2月9日 only "encouraged", not a holiday
      workday('2024-02-04', '春节'),
      workday('2024-02-18', '春节'),
      ...holidays('2024-04-04', '2024-04-06', '清明节'),
      workday('2024-04-07', '清明节'),
      ...holidays('2024-05-01', '2024-05-05', '劳动节'),
      workday('2024-04-28', '劳动节'),
      workday('2024-05-11', '劳动节'),
      ...holidays('2024-06-10', '2024-06-10', '端午节'), // 6月10日放假，与周末连休
      ...holidays('2024-09-15', '2024-09-17', '中秋节'),
      workday('2024-09-14', '中秋节'),
      ...holidays('2024-10-01', '2024-10-07', '国庆节'),
      workday('2024-09-29', '国庆节'),
      workday('2024-10-12', '国庆节'),
    ],
  },
  {
    // The first year under the 2024 revision of 全国年节及纪念日放假办法 (除夕 and 5月2日 added).
    year: 2025,
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    reference: '国办发明电〔2024〕12号',
    publishedOn: '2024-11-12',
    entries: [
      ...holidays('2025-01-01', '2025-01-01', '元旦'), // 不调休
      ...holidays('2025-01-28', '2025-02-04', '春节'),
      workday('2025-01-26', '春节'),
      workday('2025-02-08', '春节'),
      ...holidays('2025-04-04', '2025-04-06', '清明节'),
      ...holidays('2025-05-01', '2025-05-05', '劳动节'),
      workday('2025-04-27', '劳动节'),
      ...holidays('2025-05-31', '2025-06-02', '端午节'),
      ...holidays('2025-10-01', '2025-10-08', '国庆节、中秋节'),
      workday('2025-09-28', '国庆节、中秋节'),
      workday('2025-10-11', '国庆节、中秋节'),
    ],
  },
  {
    year: 2026,
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    reference: '', // 文号 not confirmed; published 2025-11-04 (新华社)
    publishedOn: '2025-11-04',
    entries: [
      ...holidays('2026-01-01', '2026-01-03', '元旦'),
      workday('2026-01-04', '元旦'),
      ...holidays('2026-02-15', '2026-02-23', '春节'),
      workday('2026-02-14', '春节'),
      workday('2026-02-28', '春节'),
      ...holidays('2026-04-04', '2026-04-06', '清明节'),
      ...holidays('2026-05-01', '2026-05-05', '劳动节'),
      workday('2026-05-09', '劳动节'),
      ...holidays('2026-06-19', '2026-06-21', '端午节'),
      ...holidays('2026-09-25', '2026-09-27', '中秋节'),
      ...holidays('2026-10-01', '2026-10-07', '国庆节'),
      workday('2026-09-20', '国庆节'),
      workday('2026-10-10', '国庆节'),
    ],
  },
]);

/** The shipped calendar: every notice in CN_HOLIDAY_NOTICES. */
export const CN_CALENDAR: WorkingDayCalendar = calendarFromNotices(CN_HOLIDAY_NOTICES);
