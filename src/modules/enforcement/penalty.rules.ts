/** Pure rules of an administrative penalty (行政处罚) decision: what a record needs, and the rulebook item it deducts under. No I/O. */
import { PENALTY_TYPES, type PenaltyType } from '../credit/index.js';
import type { FieldProblem } from '../registry/index.js';

export interface PenaltyInput {
  merchantId: number;
  /** 行政处罚决定书文号, unique, e.g. 三市监处罚〔2026〕12号. */
  decisionNo: string;
  violation: string;
  legalBasis: string;
  penaltyType: PenaltyType;
  /** The penalty in words, e.g. 罚款人民币5000元. */
  penaltyText: string;
  authority: string;
  /** YYYY-MM-DD */
  decidedOn: string;
  /** 简易程序: decided on the spot; never published. */
  simpleProcedure?: boolean;
  /** The last day of a restriction (licence suspended, business restricted), when it has one. */
  restrictionEndsOn?: string | null;
}

/**
 * The rulebook item a penalty deducts under: PEN-01 a warning or public criticism, PEN-02 a fine
 * or confiscation, PEN-03 what takes away the licence or the business.
 */
export function penaltyItemCode(type: PenaltyType): 'PEN-01' | 'PEN-02' | 'PEN-03' {
  switch (type) {
    case 'warning':
    case 'public_criticism':
      return 'PEN-01';
    case 'minor_fine':
    case 'fine':
    case 'confiscation':
      return 'PEN-02';
    case 'licence_suspension':
    case 'qualification_downgrade':
    case 'licence_revocation':
    case 'business_restriction':
      return 'PEN-03';
  }
}

const isDate = (s: unknown): s is string => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

const LIMITS = { decisionNo: 80, violation: 2000, legalBasis: 1000, penaltyText: 1000, authority: 100 } as const;
const LABELS: Record<keyof typeof LIMITS, string> = { decisionNo: '决定书文号 (decision number)', violation: '违法行为 (violation)', legalBasis: '处罚依据 (legal basis)', penaltyText: '处罚内容 (penalty)', authority: '处罚机关 (authority)' };

/** Everything wrong with a decision as entered, at once; empty when it can be recorded. `today` is the China date. */
export function penaltyProblems(p: PenaltyInput, today: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const field of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const v = typeof p[field] === 'string' ? p[field].trim() : '';
    if (!v) out.push({ field, message: `须填写${LABELS[field]} (required)` });
    else if ([...v].length > LIMITS[field]) out.push({ field, message: `${LABELS[field]}最多${LIMITS[field]}字 (at most ${LIMITS[field]} characters)` });
  }
  if (!Object.prototype.hasOwnProperty.call(PENALTY_TYPES, p.penaltyType)) out.push({ field: 'penaltyType', message: `未知的处罚种类 ${String(p.penaltyType)} (unknown penalty type)` });
  if (!isDate(p.decidedOn)) out.push({ field: 'decidedOn', message: '处罚日期格式应为 YYYY-MM-DD (decidedOn must be a real YYYY-MM-DD date)' });
  else {
    if (p.decidedOn > today) out.push({ field: 'decidedOn', message: '处罚日期不能晚于今天 (decidedOn cannot be in the future)' });
    if (p.decidedOn < '2000-01-01') out.push({ field: 'decidedOn', message: '处罚日期过早 (decidedOn is before 2000)' });
  }
  if (p.restrictionEndsOn != null) {
    if (!isDate(p.restrictionEndsOn)) out.push({ field: 'restrictionEndsOn', message: '限制期限格式应为 YYYY-MM-DD (restrictionEndsOn must be a real YYYY-MM-DD date)' });
    else if (isDate(p.decidedOn) && p.restrictionEndsOn < p.decidedOn) out.push({ field: 'restrictionEndsOn', message: '限制期限不能早于处罚日期 (restrictionEndsOn is before decidedOn)' });
  }
  return out;
}
