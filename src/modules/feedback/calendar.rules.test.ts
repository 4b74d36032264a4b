import { describe, expect, it } from 'vitest';
import {
  CN_CALENDAR,
  CN_HOLIDAY_NOTICES,
  addDays,
  addWorkingDays,
  buildCalendar,
  calendarEntryProblems,
  chinaDateOf,
  chinaStartOf,
  dateOfDayNumber,
  dayNumberOf,
  daysBetween,
  describeDay,
  extendCalendar,
  isKnownDate,
  isValidDate,
  isWorkingDay,
  unknownYearsBetween,
  weekdayOf,
  workingDaysBetween,
  type CalendarEntry,
} from './calendar.rules.js';

const cal = CN_CALENDAR;
const working = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isWorkingDay(d, cal)) out.push(d);
  return out;
};

describe('day arithmetic', () => {
  it('agrees with Date for every day from 1999 to 2031', () => {
    const start = Date.UTC(1999, 0, 1);
    for (let t = start; t < Date.UTC(2031, 0, 1); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      const n = dayNumberOf(iso);
      expect(n).toBe((t / 86_400_000) | 0);
      expect(dateOfDayNumber(n)).toBe(iso);
      if (n % 97 === 0) expect(weekdayOf(iso)).toBe(new Date(t).getUTCDay());
    }
  });

  it('rejects what is not a real YYYY-MM-DD date', () => {
    for (const bad of ['2026-02-29', '2025-13-01', '2025-1-01', '20250101', '', '2025-04-31']) {
      expect(() => dayNumberOf(bad), bad).toThrow(RangeError);
      expect(isValidDate(bad)).toBe(false);
    }
    expect(isValidDate('2024-02-29')).toBe(true);
  });

  it('adds and subtracts calendar days across months and years', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2026-02-12', '2026-02-28')).toBe(16);
    expect(daysBetween('2026-02-28', '2026-02-12')).toBe(-16);
  });

  it('takes the date in China time (UTC+8), whatever the server zone', () => {
    expect(chinaDateOf(new Date('2025-12-31T15:59:59.999Z'))).toBe('2025-12-31');
    expect(chinaDateOf(new Date('2025-12-31T16:00:00.000Z'))).toBe('2026-01-01');
    expect(chinaDateOf(new Date('2026-02-15T00:30:00+08:00'))).toBe('2026-02-15');
    expect(chinaStartOf('2026-01-01').toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });
});

describe('the shipped notices', () => {
  it('cover 2024, 2025 and 2026, and put every make-up working day on a weekend', () => {
    expect(CN_HOLIDAY_NOTICES.map((n) => n.year)).toEqual([2024, 2025, 2026]);
    for (const n of CN_HOLIDAY_NOTICES) {
      expect(calendarEntryProblems(n.entries), String(n.year)).toEqual([]);
      for (const e of n.entries) expect(e.date.startsWith(String(n.year)), e.date).toBe(true);
    }
  });

  it('give the working days a year is known to have: 251 in 2024, 248 in 2025 and 2026', () => {
    expect(working('2024-01-01', '2024-12-31')).toHaveLength(251);
    expect(working('2025-01-01', '2025-12-31')).toHaveLength(248);
    expect(working('2026-01-01', '2026-12-31')).toHaveLength(248);
  });

  it('2024: 春节 Feb 10–17 off, Feb 4 and Feb 18 (Sundays) worked; 国庆 with Sep 29 and Oct 12 worked', () => {
    expect(working('2024-02-03', '2024-02-19')).toEqual(['2024-02-04', '2024-02-05', '2024-02-06', '2024-02-07', '2024-02-08', '2024-02-09', '2024-02-18', '2024-02-19']);
    expect(isWorkingDay('2024-02-09', cal)).toBe(true); // 除夕 2024 was only "encouraged" off
    expect(working('2024-09-28', '2024-10-13')).toEqual(['2024-09-29', '2024-09-30', '2024-10-08', '2024-10-09', '2024-10-10', '2024-10-11', '2024-10-12']);
    expect(isWorkingDay('2024-06-10', cal)).toBe(false);
    expect(isWorkingDay('2024-05-11', cal)).toBe(true);
  });

  it('2025: 春节 from 除夕 Jan 28 to Feb 4 with Jan 26 and Feb 8 worked; 国庆+中秋 Oct 1–8 with Sep 28 and Oct 11 worked', () => {
    expect(working('2025-01-25', '2025-02-09')).toEqual(['2025-01-26', '2025-01-27', '2025-02-05', '2025-02-06', '2025-02-07', '2025-02-08']);
    expect(working('2025-09-27', '2025-10-12')).toEqual(['2025-09-28', '2025-09-29', '2025-09-30', '2025-10-09', '2025-10-10', '2025-10-11']);
    expect(working('2025-04-26', '2025-05-06')).toEqual(['2025-04-27', '2025-04-28', '2025-04-29', '2025-04-30', '2025-05-06']);
    expect(working('2025-05-30', '2025-06-03')).toEqual(['2025-05-30', '2025-06-03']);
  });

  it('2026: 元旦 Jan 1–3 with Jan 4 worked; 春节 Feb 15–23 with Feb 14 and Feb 28 worked; 国庆 with Sep 20 and Oct 10 worked', () => {
    expect(working('2025-12-31', '2026-01-05')).toEqual(['2025-12-31', '2026-01-04', '2026-01-05']);
    expect(working('2026-02-13', '2026-03-01')).toEqual(['2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28']);
    expect(working('2026-09-19', '2026-10-11')).toEqual([
      '2026-09-20', '2026-09-21', '2026-09-22', '2026-09-23', '2026-09-24',
      '2026-09-28', '2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10',
    ]);
    expect(isWorkingDay('2026-05-09', cal)).toBe(true);
    expect(isWorkingDay('2026-06-19', cal)).toBe(false);
  });

  it('describes a day for display', () => {
    expect(describeDay('2026-02-14', cal)).toEqual({ date: '2026-02-14', isWorkingDay: true, kind: 'makeup_workday', name: '春节', known: true });
    expect(describeDay('2026-02-17', cal)).toMatchObject({ isWorkingDay: false, kind: 'holiday', name: '春节' });
    expect(describeDay('2026-03-07', cal)).toMatchObject({ isWorkingDay: false, kind: 'weekend', name: null });
    expect(describeDay('2026-03-09', cal)).toMatchObject({ isWorkingDay: true, kind: 'workday', known: true });
  });
});

describe('counting working days', () => {
  it('starts counting the day after the start date', () => {
    expect(addWorkingDays('2026-03-02', 1, cal)).toBe('2026-03-03'); // Mon → Tue
    expect(addWorkingDays('2026-03-06', 1, cal)).toBe('2026-03-09'); // Fri → Mon
    expect(addWorkingDays('2026-03-07', 1, cal)).toBe('2026-03-09'); // from a Saturday
    expect(addWorkingDays('2026-03-02', 0, cal)).toBe('2026-03-02');
    expect(addWorkingDays('2026-02-17', 0, cal)).toBe('2026-02-17'); // zero days from a holiday stays put
  });

  it('skips the Spring Festival 2026 and counts its make-up Saturdays', () => {
    expect(addWorkingDays('2026-02-12', 7, cal)).toBe('2026-02-28');
    expect(addWorkingDays('2026-02-13', 1, cal)).toBe('2026-02-14');
    expect(addWorkingDays('2026-02-14', 1, cal)).toBe('2026-02-24');
  });

  it('counts backwards for negative n', () => {
    expect(addWorkingDays('2026-02-24', -1, cal)).toBe('2026-02-14');
    expect(addWorkingDays('2026-02-28', -7, cal)).toBe('2026-02-12');
  });

  it('crosses year boundaries', () => {
    expect(addWorkingDays('2025-12-29', 7, cal)).toBe('2026-01-08'); // Dec 30, 31, Jan 4 (Sun), 5, 6, 7, 8
    expect(addWorkingDays('2024-12-31', 1, cal)).toBe('2025-01-02');
  });

  it('workingDaysBetween counts (a, b] and inverts addWorkingDays', () => {
    expect(workingDaysBetween('2026-02-12', '2026-02-28', cal)).toBe(7);
    expect(workingDaysBetween('2026-02-28', '2026-02-12', cal)).toBe(-7);
    expect(workingDaysBetween('2026-02-15', '2026-02-23', cal)).toBe(0);
    expect(workingDaysBetween('2026-03-02', '2026-03-02', cal)).toBe(0);
    for (let i = 0; i < 400; i++) {
      const start = addDays('2024-01-01', (i * 7919) % 1000);
      const n = (i * 31) % 60;
      expect(workingDaysBetween(start, addWorkingDays(start, n, cal), cal), `${start}+${n}`).toBe(n);
      expect(addWorkingDays(addWorkingDays(start, n, cal), -n, cal) <= start).toBe(true);
    }
  });
});

describe('years without a loaded notice', () => {
  it('fall back to weekends only, flagged unknown', () => {
    expect(isKnownDate('2026-12-31', cal)).toBe(true);
    expect(isKnownDate('2027-01-01', cal)).toBe(false);
    expect(isWorkingDay('2027-01-01', cal)).toBe(true); // a Friday; 元旦 2027 not loaded
    expect(describeDay('2027-01-01', cal)).toMatchObject({ isWorkingDay: true, kind: 'workday', known: false });
    expect(unknownYearsBetween('2026-12-28', '2027-01-06', cal)).toEqual([2027]);
    expect(unknownYearsBetween('2024-05-01', '2026-05-01', cal)).toEqual([]);
    expect(unknownYearsBetween('2023-12-01', '2024-01-10', cal)).toEqual([2023]);
  });

  it('become known when a city loads the next notice, whose entries win', () => {
    const next = {
      year: 2027,
      title: 'test notice',
      reference: '',
      publishedOn: '2026-11-01',
      entries: [
        { date: '2027-01-01', kind: 'holiday', name: '元旦' },
        { date: '2027-01-02', kind: 'holiday', name: '元旦' },
        { date: '2027-01-03', kind: 'holiday', name: '元旦' },
      ] satisfies CalendarEntry[],
    };
    const city = extendCalendar(cal, [next]);
    expect(isKnownDate('2027-01-01', city)).toBe(true);
    expect(isWorkingDay('2027-01-01', city)).toBe(false);
    expect(addWorkingDays('2026-12-31', 1, city)).toBe('2027-01-04');
    expect(isKnownDate('2027-01-01', cal)).toBe(false); // the default is untouched
  });

  it('buildCalendar lets a later entry override an earlier one for the same date', () => {
    const c = buildCalendar([
      { date: '2026-03-02', kind: 'holiday', name: 'local' },
      { date: '2026-03-02', kind: 'workday', name: 'correction' },
    ]);
    expect(isWorkingDay('2026-03-02', c)).toBe(true);
    expect(c.knownYears).toEqual(new Set([2026]));
    expect(buildCalendar([], [2030]).knownYears.has(2030)).toBe(true);
  });
});

describe('uploaded entries', () => {
  it('are checked for bad dates, weekday make-up days and contradictions', () => {
    const problems = calendarEntryProblems([
      { date: '2027-02-30', kind: 'holiday', name: 'x' },
      { date: '2027-03-03', kind: 'workday', name: 'x' }, // a Wednesday
      { date: '2027-03-06', kind: 'holiday', name: 'x' },
      { date: '2027-03-06', kind: 'workday', name: 'x' },
      { date: '2027-03-13', kind: 'workday', name: 'ok' },
    ]);
    expect(problems.map((p) => p.index)).toEqual([0, 1, 3]);
  });
});
