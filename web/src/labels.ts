/** Chinese-with-English labels for the API's fixed values. */
import type { VerificationStatus } from './types';

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
