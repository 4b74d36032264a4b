/** Chinese-with-English labels for the API's fixed values. */
import { CREDIT_EVENT_STATUSES, CREDIT_SOURCES, DEFAULT_RISK_POLICY, NOT_COUNTED_REASONS, PENALTY_TYPES, PENALTY_TYPE_KEYS } from '../../src/modules/credit/credit.rules';
import { COMPLAINT_STATUSES, MEDIATION_OUTCOMES, MESSAGE_AUTHORS } from '../../src/modules/feedback/complaint.rules';
import { COMPLAINT_STEPS } from '../../src/modules/feedback/complaint-clock.rules';
import { PAUSE_KINDS, PAUSE_KIND_LIST } from '../../src/modules/feedback/complaint-pause.rules';
import type { ComplaintStatus, ComplaintStepCode, ComplaintStepState, Light, MediationOutcome, MessageAuthor, PauseKind, RiskClass, SaleFlag, VerificationStatus } from './types';

export type Label = { zh: string; en: string };
export const both = (l: Label | undefined, fallback = '') => (l ? `${l.zh} ${l.en}` : fallback);

export const VERIFICATION_STATUSES: VerificationStatus[] = ['valid', 'expiring', 'expired', 'failed', 'unverified'];
export const VERIFICATION_LABELS: Record<VerificationStatus, Label> = {
  valid: { zh: '有效', en: 'Valid' },
  expiring: { zh: '即将到期', en: 'Expiring' },
  expired: { zh: '已过期', en: 'Expired' },
  failed: { zh: '不合格', en: 'Failed' },
  unverified: { zh: '未检定', en: 'Unverified' },
};

export const MERCHANT_STATUS_LABELS: Record<string, Label> = {
  operating: { zh: '经营中', en: 'Operating' },
  suspended: { zh: '停业', en: 'Suspended' },
  closed: { zh: '已关闭', en: 'Closed' },
};

export const KEY_POINT_LABELS: Record<string, Label> = {
  weighing_area: { zh: '称重区', en: 'Weighing area' },
  cashier: { zh: '收银台', en: 'Cashier' },
  packing: { zh: '打包区', en: 'Packing' },
  seafood_tank: { zh: '海鲜池', en: 'Seafood tank' },
  kitchen: { zh: '后厨', en: 'Kitchen' },
};

export const IMPORT_KIND_LABELS: Record<string, Label> = {
  markets: { zh: '市场', en: 'Markets' },
  merchants: { zh: '商户', en: 'Merchants' },
  scales: { zh: '电子秤', en: 'Scales' },
};

export const IMPORT_PHASE_LABELS: Record<string, Label> = {
  reading: { zh: '读取文件', en: 'Reading' },
  validating: { zh: '校验数据', en: 'Validating' },
  writing: { zh: '写入数据', en: 'Writing' },
  done: { zh: '完成', en: 'Done' },
};

export const SALE_FLAGS: SaleFlag[] = ['over_cap', 'arithmetic_mismatch', 'unmapped_product', 'expired_verification'];
export const SALE_FLAG_LABELS: Record<SaleFlag, Label> = {
  over_cap: { zh: '超调控价', en: 'Over cap' },
  arithmetic_mismatch: { zh: '金额不符', en: 'Total mismatch' },
  unmapped_product: { zh: '未关联商品', en: 'Unmapped product' },
  expired_verification: { zh: '检定过期', en: 'Verification expired' },
};

/** A scale's light from consumer ratings (the server's LIGHT_LABELS in src/modules/feedback/rating.rules.ts). */
export const LIGHT_LABELS: Record<Light, Label> = {
  none: { zh: '评价不足', en: 'Not enough ratings' },
  green: { zh: '绿灯', en: 'Green' },
  yellow: { zh: '黄灯', en: 'Yellow' },
  red: { zh: '红灯', en: 'Red' },
};

/** What a code's labels are called, by the API's path segment. */
export const CODE_SUBJECT_LABELS = {
  merchants: { zh: '商户码', en: 'Merchant code' },
  scales: { zh: '电子秤码', en: 'Scale code' },
  markets: { zh: '市场码', en: 'Market code' },
} as const satisfies Record<string, Label>;

// Credit words are the server's own (credit.rules.ts is pure data and rules with no imports, as auth.rules.ts is).
/** 待核实 / 已确认 / 异议处理中 / 已撤销 / 已信用修复 */
export const CREDIT_STATUS_LABELS: Record<string, Label> = CREDIT_EVENT_STATUSES;
export const CREDIT_SOURCE_LABELS: Record<string, Label> = CREDIT_SOURCES;
/** Why an event does not count in the score now. */
export const NOT_COUNTED_LABELS: Record<string, Label> = NOT_COUNTED_REASONS;
/** 信用风险分类 A–D with what each means for random inspections. */
export const RISK_CLASS_LABELS: Record<RiskClass, { title: Label; description: Label }> = DEFAULT_RISK_POLICY.classes;

// Complaint words are the server's own too (complaint.rules.ts and complaint-clock.rules.ts are pure, importing only other pure rules).
/** 待受理 / 已受理 / 不予受理 / 调解中 / 已办结, in the order a complaint moves through them. */
export const COMPLAINT_STATUS_LABELS: Record<ComplaintStatus, Label> = COMPLAINT_STATUSES;
export const COMPLAINT_STATUS_LIST = Object.keys(COMPLAINT_STATUSES) as ComplaintStatus[];
export const MEDIATION_OUTCOME_LABELS: Record<MediationOutcome, Label> = MEDIATION_OUTCOMES;
export const MESSAGE_AUTHOR_LABELS: Record<MessageAuthor, Label> = MESSAGE_AUTHORS;
/** Each statutory step with its legal basis (the API gives the step's title, not its basis). */
export const COMPLAINT_STEP_LABELS: Record<ComplaintStepCode, Label & { basis: Label }> = COMPLAINT_STEPS;
/** What stops the mediation clock (暂行办法 第二十一条): 检定、检验、检测、鉴定, in that order. */
export const PAUSE_KIND_LABELS: Record<PauseKind, Label> = PAUSE_KINDS;
export const PAUSE_KIND_ORDER: PauseKind[] = PAUSE_KIND_LIST;
/** A step's clock state; the API gives the code only. */
export const STEP_STATE_LABELS: Record<ComplaintStepState, Label> = {
  not_started: { zh: '未开始', en: 'Not started' },
  running: { zh: '计时中', en: 'Running' },
  paused: { zh: '已暂停', en: 'Paused' },
  done: { zh: '已完成', en: 'Done' },
  not_applicable: { zh: '不适用', en: 'Not applicable' },
};

/** 行政处罚 types (警告 … 限制生产经营), in the server's order, mildest first. */
export const PENALTY_TYPE_LABELS: Record<string, Label> = PENALTY_TYPES;
export const PENALTY_TYPE_LIST: readonly string[] = PENALTY_TYPE_KEYS;

export const TRANSPORT_LABELS: Record<string, Label> = {
  http: { zh: 'HTTP', en: 'HTTP' },
  mqtt: { zh: 'MQTT', en: 'MQTT' },
};

/** Clock drift beyond this many seconds either way is shown as a problem. */
export const CLOCK_DRIFT_LIMIT_S = 120;

/** Minimum video retention the rules ask of a camera (DESIGN.md: >= 30 days). */
export const MIN_RETENTION_DAYS = 30;

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatGrams(g: number): string {
  return g >= 1000 && g % 1000 === 0 ? `${g / 1000} kg` : `${g} g`;
}

/** Like formatTime, with seconds (sales and device messages). */
export function formatTimeSec(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${formatTime(iso)}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** How long ago, in Chinese and English: "5 分钟前 5 min ago". */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return '未来时间 in the future';
  if (s < 10) return '刚刚 just now';
  if (s < 60) return `${s} 秒前 ${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} 分钟前 ${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} 小时前 ${h} h ago`;
  const d = Math.floor(h / 24);
  return `${d} 天前 ${d} days ago`;
}

/** Fen as yuan with two decimals: 16000 → "160.00" (integers only, no floating point). */
export function yuanOf(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(Math.round(fen));
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Grams as kilograms with three decimals: 1250 → "1.250". */
export function kgOf(g: number): string {
  const a = Math.abs(g);
  return `${g < 0 ? '-' : ''}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, '0')}`;
}
