/**
 * Pure credit rules: the rulebook (信用评价标准及评分细则) as data, a merchant's score and stars
 * with the events that make them, the risk class (信用风险分类) for random inspections, due
 * process (objection 异议, repair 信用修复) and how long a penalty stays public. No I/O.
 * docs/credit.md states every rule and the choices made.
 */

export interface Bilingual {
  zh: string;
  en: string;
}

// ---------------------------------------------------------------- vocabulary

export const CREDIT_SOURCES = {
  evaluation: { zh: '市场评价', en: 'Market evaluation' },
  inspection: { zh: '监督检查', en: 'Inspection' },
  complaint: { zh: '消费投诉', en: 'Consumer complaint' },
  penalty: { zh: '行政处罚', en: 'Administrative penalty' },
  system_finding: { zh: '系统发现', en: 'Found by the system' },
  commendation: { zh: '表彰奖励', en: 'Commendation' },
  pledge: { zh: '诚信经营承诺', en: 'Integrity pledge' },
} as const satisfies Record<string, Bilingual>;
export type CreditSource = keyof typeof CREDIT_SOURCES;

/**
 * proposed: recorded, awaiting an inspector (evidence only, counts zero). confirmed: counts.
 * objected: confirmed and under an open objection (still counts, shown as such). withdrawn: set
 * aside (objection upheld, recorded in error). repaired: credit repair granted. The last two never
 * count again but stay in the merchant's history.
 */
export const CREDIT_EVENT_STATUSES = {
  proposed: { zh: '待核实', en: 'Awaiting confirmation' },
  confirmed: { zh: '已确认', en: 'Confirmed' },
  objected: { zh: '异议处理中', en: 'Under objection' },
  withdrawn: { zh: '已撤销', en: 'Withdrawn' },
  repaired: { zh: '已信用修复', en: 'Repaired' },
} as const satisfies Record<string, Bilingual>;
export type CreditEventStatus = keyof typeof CREDIT_EVENT_STATUSES;

/** Kinds of administrative penalty (行政处罚法 第九条, the ones a market regulator imposes), mildest first. */
export const PENALTY_TYPES = {
  warning: { zh: '警告', en: 'Warning', severity: 1 },
  public_criticism: { zh: '通报批评', en: 'Public criticism', severity: 1 },
  minor_fine: { zh: '较低数额罚款', en: 'Low fine', severity: 2 },
  fine: { zh: '罚款', en: 'Fine', severity: 3 },
  confiscation: { zh: '没收违法所得、没收非法财物', en: 'Confiscation of illegal gains or goods', severity: 3 },
  licence_suspension: { zh: '暂扣许可证件', en: 'Licence suspended', severity: 4 },
  qualification_downgrade: { zh: '降低资质等级', en: 'Qualification downgraded', severity: 4 },
  licence_revocation: { zh: '吊销许可证件', en: 'Licence revoked', severity: 5 },
  business_restriction: { zh: '限制生产经营、责令停产停业、责令关闭、限制从业', en: 'Business restricted, suspended or closed', severity: 5 },
} as const satisfies Record<string, Bilingual & { severity: number }>;
export type PenaltyType = keyof typeof PENALTY_TYPES;
export const PENALTY_TYPE_KEYS = Object.keys(PENALTY_TYPES) as PenaltyType[];

/**
 * The rulebook item a system finding (an alert type) suggests when an inspector turns it into a
 * credit event; the inspector may choose another item of the rulebook in force.
 */
export const ALERT_CREDIT_ITEMS: Readonly<Record<string, string>> = {
  over_cap: 'CAP-01',
  expired_verification_sale: 'MET-03',
  red_light_scale: 'MET-05',
};

/** The suggested item for an alert type, when the rulebook has it; null otherwise. */
export function creditItemForAlert(alertType: string, rb: CreditRulebook): string | null {
  const code = Object.prototype.hasOwnProperty.call(ALERT_CREDIT_ITEMS, alertType) ? ALERT_CREDIT_ITEMS[alertType]! : null;
  return code && rb.items.some((i) => i.code === code) ? code : null;
}

// ---------------------------------------------------------------- the rulebook

export interface RulebookItem {
  code: string;
  category: string;
  title: Bilingual;
  /** Positive: bonus (加分); negative: deduction (扣分). Whole points. */
  points: number;
  evidenceRequired: Bilingual;
  /** How many days, from the day it occurred, the event counts in the score. */
  validForDays: number;
  /** The most points (in magnitude) this item contributes at one time; absent = no cap. */
  maxPerPeriod?: number | null;
}

export interface RulebookCategory {
  code: string;
  title: Bilingual;
}

export interface StarThreshold {
  minScore: number;
  stars: number;
}

/** How long one type of penalty stays public, in months as the 规定 counts them. */
export interface DisclosureRule {
  /** null: not published at all. Otherwise 3–36. */
  months: number | null;
  /** After a granted repair, the earliest the publication may stop; null: repair does not shorten it. */
  earliestWithdrawalMonths: number | null;
}

export interface RepairMinimumDays {
  /** Days after a deduction is confirmed before repair may be asked for; null: not repairable. */
  default: number | null;
  byCategory?: Readonly<Record<string, number | null>>;
  byItem?: Readonly<Record<string, number | null>>;
}

/** A published rulebook. Treat it as immutable: scoring caches a compiled form per object. */
export interface CreditRulebook {
  version: string;
  /** The city that published it; absent for the platform default. */
  cityId?: number | null;
  title: Bilingual;
  publishedAt: string;
  baseScore: number;
  /** Scores are clamped to [0, maxScore]. */
  maxScore: number;
  categories: readonly RulebookCategory[];
  items: readonly RulebookItem[];
  starThresholds: readonly StarThreshold[];
  pledgeText: Bilingual;
  disclosure: Readonly<Record<PenaltyType, DisclosureRule>>;
  /** Calendar days after a deduction is confirmed (the day after is day 1) in which to object. */
  objectionWindowDays: number;
  repairMinimumDays: RepairMinimumDays;
}

export interface RulebookProblem {
  field: string;
  message: string;
}

/** Everything wrong with a rulebook, at once; empty when it can be published. */
export function rulebookProblems(rb: CreditRulebook): RulebookProblem[] {
  const p: RulebookProblem[] = [];
  const add = (field: string, message: string) => p.push({ field, message });
  if (!rb.version?.trim()) add('version', 'version is required');
  if (!Number.isInteger(rb.maxScore) || rb.maxScore <= 0) add('maxScore', 'maxScore must be a positive whole number');
  if (!Number.isInteger(rb.baseScore) || rb.baseScore < 0 || rb.baseScore > rb.maxScore) add('baseScore', 'baseScore must be a whole number in [0, maxScore]');
  const categories = new Set(rb.categories.map((c) => c.code));
  if (categories.size !== rb.categories.length) add('categories', 'category codes must be unique');
  const codes = new Set<string>();
  rb.items.forEach((it, i) => {
    const f = `items[${i}]`;
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(it.code)) add(`${f}.code`, 'code: 1-32 letters, digits, _ . -');
    if (codes.has(it.code)) add(`${f}.code`, `duplicate item code ${it.code}`);
    codes.add(it.code);
    if (!categories.has(it.category)) add(`${f}.category`, `unknown category ${it.category}`);
    if (!Number.isInteger(it.points) || it.points === 0) add(`${f}.points`, 'points must be a non-zero whole number');
    if (!Number.isInteger(it.validForDays) || it.validForDays < 1) add(`${f}.validForDays`, 'validForDays must be a whole number of days, at least 1');
    if (it.maxPerPeriod != null && (!Number.isInteger(it.maxPerPeriod) || it.maxPerPeriod < Math.abs(it.points))) add(`${f}.maxPerPeriod`, 'maxPerPeriod must be a whole number at least the item’s points');
    if (!it.title.zh || !it.title.en) add(`${f}.title`, 'title needs zh and en');
    if (!it.evidenceRequired.zh || !it.evidenceRequired.en) add(`${f}.evidenceRequired`, 'evidenceRequired needs zh and en');
  });
  const th = [...rb.starThresholds].sort((a, b) => b.minScore - a.minScore);
  if (th.length === 0 || th.at(-1)!.minScore > 0) add('starThresholds', 'a threshold with minScore 0 must give the lowest stars');
  th.forEach((t, i) => {
    if (!Number.isInteger(t.stars) || t.stars < 1 || t.stars > 5) add(`starThresholds[${i}]`, 'stars must be 1-5');
    if (i > 0 && (th[i - 1]!.minScore === t.minScore || th[i - 1]!.stars <= t.stars)) add(`starThresholds[${i}]`, 'a higher minScore must give more stars, one threshold per score');
  });
  for (const type of PENALTY_TYPE_KEYS) {
    const d = rb.disclosure[type];
    if (!d) {
      add(`disclosure.${type}`, 'missing');
      continue;
    }
    if (d.months !== null && (!Number.isInteger(d.months) || d.months < 3 || d.months > 36)) add(`disclosure.${type}.months`, 'months must be null or 3-36');
    if (d.earliestWithdrawalMonths !== null && (d.months === null || !Number.isInteger(d.earliestWithdrawalMonths) || d.earliestWithdrawalMonths < 3 || d.earliestWithdrawalMonths > d.months)) add(`disclosure.${type}.earliestWithdrawalMonths`, 'earliestWithdrawalMonths must be null or 3..months');
  }
  if (!Number.isInteger(rb.objectionWindowDays) || rb.objectionWindowDays < 1) add('objectionWindowDays', 'objectionWindowDays must be at least 1');
  const days = (v: number | null | undefined) => v === null || (Number.isInteger(v) && v! >= 0);
  if (!days(rb.repairMinimumDays.default)) add('repairMinimumDays.default', 'days must be null or a whole number');
  for (const [k, v] of Object.entries(rb.repairMinimumDays.byCategory ?? {})) {
    if (!categories.has(k)) add(`repairMinimumDays.byCategory.${k}`, 'unknown category');
    if (!days(v)) add(`repairMinimumDays.byCategory.${k}`, 'days must be null or a whole number');
  }
  for (const [k, v] of Object.entries(rb.repairMinimumDays.byItem ?? {})) {
    if (!codes.has(k)) add(`repairMinimumDays.byItem.${k}`, 'unknown item');
    if (!days(v)) add(`repairMinimumDays.byItem.${k}`, 'days must be null or a whole number');
  }
  if (!rb.pledgeText.zh || !rb.pledgeText.en) add('pledgeText', 'pledgeText needs zh and en');
  return p;
}

// ---------------------------------------------------------------- events

export interface CreditObjection {
  filedAt: Date;
  reason: string;
  decidedAt?: Date | null;
  decidedBy?: number | null;
  outcome?: 'upheld' | 'rejected' | null;
}

export interface CreditRepair {
  appliedAt: Date;
  grantedAt?: Date | null;
  grantedBy?: number | null;
  refusedAt?: Date | null;
}

export interface CreditEvent {
  id: number;
  merchantId: number;
  itemCode: string;
  /** The item's points in the rulebook in force when recorded (stamped by the service). */
  points: number;
  occurredAt: Date;
  /** Staff who recorded it; null for the system. */
  recordedBy: number | null;
  source: CreditSource;
  status: CreditEventStatus;
  /** The inspector who confirmed it; a deduction counts only with one. */
  confirmedBy?: number | null;
  confirmedAt?: Date | null;
  objection?: CreditObjection | null;
  repair?: CreditRepair | null;
}

// ---------------------------------------------------------------- China dates (UTC+8, no DST)

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const chinaDay = (ms: number) => Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS);
// Scores format the same few thousand days over and over: keep their strings.
const dayStrings = new Map<number, string>();
const dateOfDay = (day: number): string => {
  let s = dayStrings.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayStrings.size < 100_000) dayStrings.set(day, s);
  }
  return s;
};
const dayOfDate = (date: string) => {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms) || dateOfDay(ms / DAY_MS) !== date) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return ms / DAY_MS;
};
/** The date of an instant in China time. */
export const chinaDate = (at: Date) => dateOfDay(chinaDay(at.getTime()));

/**
 * The last day of a period of `months` starting on `from` (民法典 第二百零一、二百零二条): the start
 * day is not counted; the period ends on the corresponding day of the last month, or that month's
 * last day when it has none (30 Nov + 3 months → 28 Feb).
 */
export function lastDayOfMonths(from: string, months: number): string {
  const d = new Date(dayOfDate(from) * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastOfMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), lastOfMonth))).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- scoring

export const NOT_COUNTED_REASONS = {
  unknown_item: { zh: '现行细则无此项', en: 'not an item of the rulebook in force' },
  withdrawn: { zh: '已撤销', en: 'withdrawn' },
  repaired: { zh: '已信用修复', en: 'repaired' },
  unconfirmed: { zh: '待核实', en: 'awaiting confirmation' },
  not_yet: { zh: '尚未发生', en: 'not yet occurred' },
  expired: { zh: '已过有效期', en: 'expired' },
  cap_reached: { zh: '本项已达上限', en: 'item cap reached' },
} as const satisfies Record<string, Bilingual>;
export type NotCountedReason = keyof typeof NOT_COUNTED_REASONS;

export interface CountedEvent {
  eventId: number;
  itemCode: string;
  category: string;
  /** Points counted now (after the more-lenient rule and the item cap). */
  points: number;
  /** Points stamped on the event when recorded. */
  recordedPoints: number;
  /** Points the rulebook in force gives the item. */
  rulebookPoints: number;
  /** True when the item cap cut this event's points. */
  capped: boolean;
  title: Bilingual;
  occurredOn: string;
  /** The last day it counts (China date); it drops out at 00:00 the day after. */
  expiresOn: string;
  underObjection: boolean;
}

export interface NotCountedEvent {
  eventId: number;
  itemCode: string;
  reason: NotCountedReason;
}

export interface MerchantScore {
  rulebookVersion: string;
  baseScore: number;
  /** baseScore plus counted points, before clamping. */
  rawScore: number;
  score: number;
  stars: number;
  counted: CountedEvent[];
  notCounted: NotCountedEvent[];
  /** Counted events under an open objection (the public page says so beside each). */
  underObjection: number;
  explanation: Bilingual[];
}

interface Compiled {
  rb: CreditRulebook;
  index: Map<string, number>;
  points: Float64Array;
  validDays: Float64Array;
  cap: Float64Array;
  used: Float64Array;
  touched: Int32Array;
  thresholds: StarThreshold[];
  minStars: number;
}

const compiledCache = new WeakMap<CreditRulebook, Compiled>();

function compile(rb: CreditRulebook): Compiled {
  let c = compiledCache.get(rb);
  if (c) return c;
  const n = rb.items.length;
  c = {
    rb,
    index: new Map(rb.items.map((it, i) => [it.code, i])),
    points: Float64Array.from(rb.items, (it) => it.points),
    validDays: Float64Array.from(rb.items, (it) => it.validForDays),
    cap: Float64Array.from(rb.items, (it) => (it.maxPerPeriod == null ? Infinity : it.maxPerPeriod)),
    used: new Float64Array(n),
    touched: new Int32Array(n),
    thresholds: [...rb.starThresholds].sort((a, b) => b.minScore - a.minScore),
    minStars: rb.starThresholds.length ? Math.min(...rb.starThresholds.map((t) => t.stars)) : 1,
  };
  compiledCache.set(rb, c);
  return c;
}

/** Stars for a score under a rulebook: the highest threshold the score reaches. */
export function starsFor(score: number, rb: CreditRulebook): number {
  const c = compile(rb);
  for (const t of c.thresholds) if (score >= t.minScore) return t.stars;
  return c.minStars;
}

/**
 * The points an event counts under a rulebook item: the more lenient of the points stamped when it
 * was recorded and the rulebook's now (从旧兼从轻, as 行政处罚法 第三十七条 does for penalties),
 * so a harsher new rulebook never reaches back, and a milder one benefits everyone at once.
 */
export const effectivePoints = (recorded: number, rulebookPoints: number) => (Number.isFinite(recorded) ? Math.max(recorded, rulebookPoints) : rulebookPoints);

interface Sink {
  counted: CountedEvent[];
  notCounted: NotCountedEvent[];
}

// Scratch state of run(), reused so the fast path allocates nothing per merchant (run is synchronous).
let lastTotal = 0;
let lastObjected = 0;
let scratchTimes = new Float64Array(64);
let scratchOrder = new Int32Array(64);

/**
 * The one scoring loop, shared by scoreMerchant and quickScore so they cannot disagree. Events are
 * taken oldest first, ties by id, whatever order they come in (the order decides which event a cap
 * cuts). `bulkScoringTerms` and the bulk re-score's SQL mirror it; a test holds them together.
 */
function run(events: readonly CreditEvent[], c: Compiled, nowMs: number, sink: Sink | null): void {
  const n = events.length;
  if (scratchTimes.length < n) {
    scratchTimes = new Float64Array(n * 2);
    scratchOrder = new Int32Array(n * 2);
  }
  const times = scratchTimes;
  const order = scratchOrder;
  // Insertion sort of indices by (time, id): linear for the usual already-sorted input, cheap for 20.
  for (let i = 0; i < n; i++) {
    const t = events[i]!.occurredAt.getTime();
    const id = events[i]!.id;
    times[i] = t;
    let j = i;
    while (j > 0 && (times[order[j - 1]!]! > t || (times[order[j - 1]!]! === t && events[order[j - 1]!]!.id > id))) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  const nowDay = chinaDay(nowMs);
  let total = 0;
  let objected = 0;
  let touched = 0;
  for (let k = 0; k < n; k++) {
    const e = events[order[k]!]!;
    const idx = c.index.get(e.itemCode);
    let reason: NotCountedReason | null = null;
    let pts = 0;
    let capped = false;
    let day = 0;
    if (idx === undefined) reason = 'unknown_item';
    else if (e.status === 'withdrawn') reason = 'withdrawn';
    else if (e.status === 'repaired') reason = 'repaired';
    else {
      pts = effectivePoints(e.points, c.points[idx]!);
      const t = times[order[k]!]!;
      day = chinaDay(t);
      if ((e.status !== 'confirmed' && e.status !== 'objected') || (pts < 0 && e.confirmedBy == null)) reason = 'unconfirmed';
      else if (t > nowMs) reason = 'not_yet';
      else if (nowDay >= day + c.validDays[idx]!) reason = 'expired';
      else {
        const cap = c.cap[idx]!;
        if (cap !== Infinity) {
          const used = c.used[idx]!;
          const mag = pts < 0 ? -pts : pts;
          if (used >= cap) reason = 'cap_reached';
          else {
            if (used === 0) c.touched[touched++] = idx;
            if (used + mag > cap) {
              capped = true;
              pts = pts < 0 ? used - cap : cap - used;
            }
            c.used[idx] = used + (pts < 0 ? -pts : pts);
          }
        }
      }
    }
    if (reason === null) {
      total += pts;
      const underObjection = e.status === 'objected';
      if (underObjection) objected++;
      if (sink) {
        const item = c.rb.items[idx!]!;
        sink.counted.push({
          eventId: e.id,
          itemCode: e.itemCode,
          category: item.category,
          points: pts,
          recordedPoints: e.points,
          rulebookPoints: item.points,
          capped,
          title: item.title,
          occurredOn: dateOfDay(day),
          expiresOn: dateOfDay(day + item.validForDays - 1),
          underObjection,
        });
      }
    } else if (sink) sink.notCounted.push({ eventId: e.id, itemCode: e.itemCode, reason });
  }
  for (let i = 0; i < touched; i++) c.used[c.touched[i]!] = 0;
  lastTotal = total;
  lastObjected = objected;
}

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/** The score and stars of a merchant whose counted events add up to `countedPoints`. */
export function scoreOfPoints(countedPoints: number, rb: CreditRulebook): { score: number; stars: number } {
  const score = clamp(rb.baseScore + countedPoints, 0, rb.maxScore);
  return { score, stars: starsFor(score, rb) };
}

/**
 * The score and stars only, allocation-free apart from the result: for re-scoring every merchant.
 * Always equal to scoreMerchant's score and stars.
 */
export function quickScore(events: readonly CreditEvent[], rb: CreditRulebook, now: Date): { score: number; stars: number; underObjection: number } {
  const c = compile(rb);
  run(events, c, now.getTime(), null);
  return { ...scoreOfPoints(lastTotal, rb), underObjection: lastObjected };
}

/**
 * The rulebook as the terms of a set-wise count (the bulk re-score sums in SQL), one entry per item.
 * An event counts when its item is here, its status is confirmed or objected, it is a bonus or has
 * a confirming inspector, `occurredAt < before` and `occurredAt >= since`; it counts
 * max(recorded, points) (从旧兼从轻). Per merchant and item the counted points add up, and when
 * their magnitude passes `cap` the item gives ±cap. Only where the order of events matters (a cap
 * passed by events of both signs, or one that leaves an objected event out) must the merchant be
 * replayed through `quickScore`. This is `run` restated over sets; keep them together.
 */
export function bulkScoringTerms(rb: CreditRulebook, now: Date): { codes: string[]; points: number[]; since: Date[]; caps: (number | null)[]; before: Date } {
  const c = compile(rb);
  const nowDay = chinaDay(now.getTime());
  return {
    codes: rb.items.map((i) => i.code),
    points: Array.from(c.points),
    // Counted while nowDay < day + validDays: from 00:00 China time of day (nowDay - validDays + 1).
    since: rb.items.map((i) => new Date((nowDay - i.validForDays + 1) * DAY_MS - CHINA_OFFSET_MS)),
    caps: rb.items.map((i) => (i.maxPerPeriod == null ? null : i.maxPerPeriod)),
    // The database keeps microseconds, a Date milliseconds (truncated): `t > now` in ms is `t >= now + 1 ms`.
    before: new Date(now.getTime() + 1),
  };
}

const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);
const STAR_ZH = ['', '一星', '二星', '三星', '四星', '五星'];

/**
 * A merchant's score under a rulebook at `now`, with exactly the events that make it and why the
 * others do not count, and the explanation the public page shows. Items are matched by code; an
 * event whose item the rulebook lacks does not count. Pure and deterministic.
 */
export function scoreMerchant(events: readonly CreditEvent[], rb: CreditRulebook, now: Date): MerchantScore {
  const c = compile(rb);
  const sink: Sink = { counted: [], notCounted: [] };
  run(events, c, now.getTime(), sink);
  const rawScore = rb.baseScore + lastTotal;
  const score = clamp(rawScore, 0, rb.maxScore);
  const stars = starsFor(score, rb);
  const underObjection = lastObjected;

  const lines: Bilingual[] = [{ zh: `基础分 ${rb.baseScore}（评分细则 ${rb.version}）`, en: `Base score ${rb.baseScore} (rulebook ${rb.version})` }];
  for (const e of sink.counted) {
    const zh = [`${signed(e.points)} ${e.title.zh}（${e.occurredOn}，计分至 ${e.expiresOn}）`];
    const en = [`${signed(e.points)} ${e.title.en} (${e.occurredOn}, counts until ${e.expiresOn})`];
    if (e.recordedPoints !== e.rulebookPoints) {
      zh.push(`记录时 ${signed(e.recordedPoints)}，现行细则 ${signed(e.rulebookPoints)}，从有利于经营者计`);
      en.push(`recorded as ${signed(e.recordedPoints)}, ${signed(e.rulebookPoints)} in the rulebook in force; the more favourable applies`);
    }
    if (e.capped) {
      zh.push('本项已达上限');
      en.push('item cap reached');
    }
    if (e.underObjection) {
      zh.push('异议处理中');
      en.push('under objection');
    }
    lines.push({ zh: zh.join('；'), en: en.join('; ') });
  }
  if (sink.notCounted.length > 0) {
    const counts = new Map<NotCountedReason, number>();
    for (const n of sink.notCounted) counts.set(n.reason, (counts.get(n.reason) ?? 0) + 1);
    const parts = [...counts].map(([r, k]) => [`${NOT_COUNTED_REASONS[r].zh} ${k} 条`, `${k} ${NOT_COUNTED_REASONS[r].en}`] as const);
    lines.push({ zh: `不计分 ${sink.notCounted.length} 条：${parts.map((p) => p[0]).join('，')}`, en: `Not counted (${sink.notCounted.length}): ${parts.map((p) => p[1]).join(', ')}` });
  }
  if (rawScore !== score) lines.push({ zh: `合计 ${rawScore}，按 ${score} 计（分值范围 0–${rb.maxScore}）`, en: `Total ${rawScore}, taken as ${score} (scores run 0–${rb.maxScore})` });
  lines.push({ zh: `信用分 ${score}，${STAR_ZH[stars] ?? `${stars}星`}`, en: `Credit score ${score}: ${stars} star${stars === 1 ? '' : 's'}` });

  return { rulebookVersion: rb.version, baseScore: rb.baseScore, rawScore, score, stars, counted: sink.counted, notCounted: sink.notCounted, underObjection, explanation: lines };
}

// ---------------------------------------------------------------- risk class

export type RiskClass = 'A' | 'B' | 'C' | 'D';

export interface RiskInput {
  score: number;
  stars: number;
  /** Complaints found justified (投诉属实) in the last 12 months. */
  upheldComplaintsLastYear: number;
  /** Administrative penalties decided in the last 12 months. */
  penaltiesLastYear: number;
  /** Of those, penalties of severity 4+ (licence suspended or revoked, business restricted). */
  seriousPenaltiesLastYear?: number;
  /** Open alerts: over-cap sales, red-light scales, expired verification… not yet resolved. */
  openAlerts?: number;
  /** On the 严重违法失信名单. */
  onSeriousDishonestyList?: boolean;
  /** On the 经营异常名录. */
  inAbnormalOperationList?: boolean;
  /** Days since the merchant was registered on the platform; a newcomer is at best B. */
  daysOnRecord?: number;
}

export interface RiskClassPolicy {
  title: Bilingual;
  description: Bilingual;
  /** Share of the class drawn in one 双随机 campaign. */
  samplingRatio: number;
  /** Relative weight when drawing from a mixed pool (B = 1). */
  samplingWeight: number;
}

export interface RiskPolicy {
  classes: Readonly<Record<RiskClass, RiskClassPolicy>>;
  /** Star level at or above which, with a clean record, a merchant is A. */
  aMinStars: number;
  aMinDaysOnRecord: number;
  cMaxStars: number;
  dMaxStars: number;
  cUpheldComplaints: number;
  dUpheldComplaints: number;
  cOpenAlerts: number;
  dPenalties: number;
}

/**
 * The default classes follow 国家市场监督管理总局《关于推进企业信用风险分类管理进一步提升监管效能的意见》
 * (A 信用风险低 … D 信用风险高; lower the sampling of A, raise it for C and D). The ratios and
 * thresholds are this platform's defaults, for a city to set by policy.
 */
export const DEFAULT_RISK_POLICY: RiskPolicy = Object.freeze({
  classes: {
    A: { title: { zh: 'A类（信用风险低）', en: 'A (low risk)' }, description: { zh: '合理降低抽查比例和频次，除投诉举报、转办交办外无事不扰', en: 'Sampled least; otherwise left alone unless a complaint or referral' }, samplingRatio: 0.03, samplingWeight: 0.5 },
    B: { title: { zh: 'B类（信用风险一般）', en: 'B (ordinary risk)' }, description: { zh: '按常规比例和频次抽查', en: 'Sampled at the ordinary ratio' }, samplingRatio: 0.05, samplingWeight: 1 },
    C: { title: { zh: 'C类（信用风险较高）', en: 'C (elevated risk)' }, description: { zh: '适当提高抽查比例和频次', en: 'Sampled about twice as often' }, samplingRatio: 0.1, samplingWeight: 2 },
    D: { title: { zh: 'D类（信用风险高）', en: 'D (high risk)' }, description: { zh: '大幅提高抽查比例和频次，必要时实行重点监管', en: 'Sampled four times as often; targeted supervision where needed' }, samplingRatio: 0.2, samplingWeight: 4 },
  },
  aMinStars: 5,
  aMinDaysOnRecord: 180,
  cMaxStars: 2,
  dMaxStars: 1,
  cUpheldComplaints: 3,
  dUpheldComplaints: 6,
  cOpenAlerts: 3,
  dPenalties: 3,
});

export interface RiskVerdict {
  riskClass: RiskClass;
  /** Why this class (for D and C, each condition met; for B, what keeps it from A). */
  reasons: Bilingual[];
  inspection: RiskClassPolicy;
}

/** 信用风险分类: the first class whose conditions hold, checked from D up to A. */
export function riskClass(input: RiskInput, policy: RiskPolicy = DEFAULT_RISK_POLICY): RiskVerdict {
  const serious = input.seriousPenaltiesLastYear ?? 0;
  const alerts = input.openAlerts ?? 0;
  const verdict = (riskClass: RiskClass, reasons: Bilingual[]): RiskVerdict => ({ riskClass, reasons, inspection: policy.classes[riskClass] });

  const d: Bilingual[] = [];
  if (input.onSeriousDishonestyList) d.push({ zh: '列入严重违法失信名单', en: 'On the list of serious violators' });
  if (serious > 0) d.push({ zh: `近一年受到较重行政处罚 ${serious} 次`, en: `${serious} serious penalt${serious === 1 ? 'y' : 'ies'} in the last year` });
  if (input.penaltiesLastYear >= policy.dPenalties) d.push({ zh: `近一年受到行政处罚 ${input.penaltiesLastYear} 次`, en: `${input.penaltiesLastYear} penalties in the last year` });
  if (input.upheldComplaintsLastYear >= policy.dUpheldComplaints) d.push({ zh: `近一年投诉属实 ${input.upheldComplaintsLastYear} 件`, en: `${input.upheldComplaintsLastYear} upheld complaints in the last year` });
  if (input.stars <= policy.dMaxStars) d.push({ zh: `信用星级 ${input.stars} 星`, en: `${input.stars} star credit rating` });
  if (d.length) return verdict('D', d);

  const c: Bilingual[] = [];
  if (input.inAbnormalOperationList) c.push({ zh: '列入经营异常名录', en: 'On the abnormal operations list' });
  if (input.penaltiesLastYear > 0) c.push({ zh: `近一年受到行政处罚 ${input.penaltiesLastYear} 次`, en: `${input.penaltiesLastYear} penalt${input.penaltiesLastYear === 1 ? 'y' : 'ies'} in the last year` });
  if (input.upheldComplaintsLastYear >= policy.cUpheldComplaints) c.push({ zh: `近一年投诉属实 ${input.upheldComplaintsLastYear} 件`, en: `${input.upheldComplaintsLastYear} upheld complaints in the last year` });
  if (alerts >= policy.cOpenAlerts) c.push({ zh: `未处置告警 ${alerts} 条`, en: `${alerts} open alerts` });
  if (input.stars <= policy.cMaxStars) c.push({ zh: `信用星级 ${input.stars} 星`, en: `${input.stars} star credit rating` });
  if (c.length) return verdict('C', c);

  const notA: Bilingual[] = [];
  if (input.stars < policy.aMinStars) notA.push({ zh: `信用星级 ${input.stars} 星，未达 ${policy.aMinStars} 星`, en: `${input.stars} stars, below ${policy.aMinStars}` });
  if (input.upheldComplaintsLastYear > 0) notA.push({ zh: `近一年投诉属实 ${input.upheldComplaintsLastYear} 件`, en: `${input.upheldComplaintsLastYear} upheld complaint${input.upheldComplaintsLastYear === 1 ? '' : 's'} in the last year` });
  if (alerts > 0) notA.push({ zh: `未处置告警 ${alerts} 条`, en: `${alerts} open alert${alerts === 1 ? '' : 's'}` });
  if (input.daysOnRecord !== undefined && input.daysOnRecord < policy.aMinDaysOnRecord) notA.push({ zh: `入驻未满 ${policy.aMinDaysOnRecord} 天`, en: `on record for less than ${policy.aMinDaysOnRecord} days` });
  if (notA.length) return verdict('B', notA);
  return verdict('A', [{ zh: `信用星级 ${input.stars} 星，近一年无处罚、无投诉属实、无未处置告警`, en: `${input.stars} stars; no penalty, upheld complaint or open alert in the last year` }]);
}

// ---------------------------------------------------------------- due process

function itemOf(rb: CreditRulebook, code: string): RulebookItem | undefined {
  const idx = compile(rb).index.get(code);
  return idx === undefined ? undefined : rb.items[idx];
}

/** The day due-process windows count from: when the deduction was confirmed (notified), else when it occurred. */
const noticeDay = (e: CreditEvent) => chinaDay((e.confirmedAt ?? e.occurredAt).getTime());

export type ObjectionRefusal = 'unknown_item' | 'not_a_deduction' | 'withdrawn' | 'repaired' | 'not_confirmed' | 'already_objected' | 'window_closed';

export interface ObjectionCheck {
  allowed: boolean;
  reason: 'ok' | ObjectionRefusal;
  /** The last day an objection may be filed; null when the question does not arise. */
  lastDay: string | null;
}

/**
 * Whether the merchant may object to an event now: a confirmed deduction, not objected to before,
 * within objectionWindowDays calendar days after it was confirmed.
 */
export function canObject(event: CreditEvent, now: Date, rb: CreditRulebook): ObjectionCheck {
  const no = (reason: ObjectionRefusal, lastDay: string | null = null): ObjectionCheck => ({ allowed: false, reason, lastDay });
  const item = itemOf(rb, event.itemCode);
  if (!item) return no('unknown_item');
  if (effectivePoints(event.points, item.points) >= 0) return no('not_a_deduction');
  if (event.status === 'withdrawn') return no('withdrawn');
  if (event.status === 'repaired') return no('repaired');
  if (event.status === 'proposed' || event.confirmedBy == null) return no('not_confirmed');
  const lastDay = dateOfDay(noticeDay(event) + rb.objectionWindowDays);
  if (event.status === 'objected' || event.objection) return no('already_objected', lastDay);
  if (chinaDate(now) > lastDay) return no('window_closed', lastDay);
  return { allowed: true, reason: 'ok', lastDay };
}

export type RepairRefusal = 'unknown_item' | 'not_a_deduction' | 'withdrawn' | 'already_repaired' | 'not_confirmed' | 'under_objection' | 'repair_pending' | 'expired' | 'not_repairable' | 'too_early';

export interface RepairCheck {
  allowed: boolean;
  reason: 'ok' | RepairRefusal;
  /** The first day repair may be asked for; null when it never may. */
  earliestOn: string | null;
}

/** The minimum days before repair for an item: by item, else by category, else the default; null = not repairable. */
export function repairMinimumDaysFor(item: RulebookItem, rb: CreditRulebook): number | null {
  const r = rb.repairMinimumDays;
  if (r.byItem && Object.prototype.hasOwnProperty.call(r.byItem, item.code)) return r.byItem[item.code] ?? null;
  if (r.byCategory && Object.prototype.hasOwnProperty.call(r.byCategory, item.category)) return r.byCategory[item.category] ?? null;
  return r.default;
}

/**
 * Whether the merchant may apply for credit repair (信用修复) of an event now: a confirmed deduction
 * that still counts, with no open objection or pending application, once the item's minimum days
 * after confirmation have passed. Whether the wrong has been put right is the officer's call.
 */
export function canApplyForRepair(event: CreditEvent, now: Date, rb: CreditRulebook): RepairCheck {
  const no = (reason: RepairRefusal, earliestOn: string | null = null): RepairCheck => ({ allowed: false, reason, earliestOn });
  const item = itemOf(rb, event.itemCode);
  if (!item) return no('unknown_item');
  if (effectivePoints(event.points, item.points) >= 0) return no('not_a_deduction');
  if (event.status === 'withdrawn') return no('withdrawn');
  if (event.status === 'repaired') return no('already_repaired');
  if (event.status === 'proposed' || event.confirmedBy == null) return no('not_confirmed');
  const min = repairMinimumDaysFor(item, rb);
  const today = chinaDay(now.getTime());
  if (today >= chinaDay(event.occurredAt.getTime()) + item.validForDays) return no('expired');
  if (min === null) return no('not_repairable');
  const earliest = noticeDay(event) + min;
  if (event.status === 'objected') return no('under_objection', dateOfDay(earliest));
  if (event.repair && !event.repair.grantedAt && !event.repair.refusedAt) return no('repair_pending', dateOfDay(earliest));
  if (today < earliest) return no('too_early', dateOfDay(earliest));
  return { allowed: true, reason: 'ok', earliestOn: dateOfDay(earliest) };
}

export interface PenaltyForDisclosure {
  /** The heaviest kind in the decision. */
  type: PenaltyType;
  decidedOn: string;
  /** When it went public, if not the decision day (the 规定 allows 20 working days). */
  publishedOn?: string | null;
  /** Decided on the spot by the simple procedure (简易程序): not published. */
  simpleProcedure?: boolean;
  /** For a restriction longer than the disclosure period, its end (公示期按照实际限制期限执行). */
  restrictionEndsOn?: string | null;
}

export interface PenaltyDisclosure {
  /** Whether the penalty is ever published. */
  published: boolean;
  publicFrom: string | null;
  /** The last day it is public (inclusive); null when never published. */
  publicUntil: string | null;
  isPublic: boolean;
  /** Publication stopped early after a granted repair. */
  withdrawnEarly: boolean;
  basis: Bilingual;
}

/**
 * How long a penalty is public, after 市场监督管理行政处罚信息公示规定 (2021): only ordinary-procedure
 * decisions are published, a warning alone never (第二条); 通报批评 or a low fine for 3 months,
 * the rest for 3 years, a longer restriction for as long as it lasts (第十三条). A repair granted on
 * `repairedOn` stops publication that day, but not before the type's earliest withdrawal.
 */
export function penaltyDisclosure(penalty: PenaltyForDisclosure, rb: CreditRulebook, now: Date, repairedOn?: string | null): PenaltyDisclosure {
  const rule = rb.disclosure[penalty.type];
  const label = PENALTY_TYPES[penalty.type];
  if (penalty.simpleProcedure || !rule || rule.months === null) {
    const basis = penalty.simpleProcedure
      ? { zh: '适用简易程序作出的行政处罚不予公示', en: 'Decided by the simple procedure: not published' }
      : { zh: `仅受到${label.zh}的行政处罚不予公示`, en: `${label.en} alone: not published` };
    return { published: false, publicFrom: null, publicUntil: null, isPublic: false, withdrawnEarly: false, basis };
  }
  const from = penalty.publishedOn ?? penalty.decidedOn;
  let until = lastDayOfMonths(from, rule.months);
  let basis: Bilingual = { zh: `${label.zh}：自公示之日起公示 ${rule.months} 个月`, en: `${label.en}: public for ${rule.months} months` };
  if (penalty.restrictionEndsOn && penalty.restrictionEndsOn > until) {
    until = penalty.restrictionEndsOn;
    basis = { zh: `${label.zh}：限制期限超过公示期，按实际限制期限公示`, en: `${label.en}: public while the restriction lasts` };
  }
  let withdrawnEarly = false;
  if (repairedOn && rule.earliestWithdrawalMonths !== null) {
    const earliestLast = lastDayOfMonths(from, rule.earliestWithdrawalMonths);
    const dayBeforeRepair = dateOfDay(dayOfDate(repairedOn) - 1);
    const stop = dayBeforeRepair > earliestLast ? dayBeforeRepair : earliestLast;
    if (stop < until) {
      until = stop;
      withdrawnEarly = true;
      basis = { zh: `${label.zh}：信用修复后提前停止公示`, en: `${label.en}: publication stopped early after credit repair` };
    }
  }
  const today = chinaDate(now);
  return { published: true, publicFrom: from, publicUntil: until, isPublic: from <= today && today <= until, withdrawnEarly, basis };
}
