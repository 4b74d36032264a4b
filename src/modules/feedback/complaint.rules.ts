/**
 * Pure rules of a consumer complaint (消费投诉) taken online: the consumer's mobile number and how
 * it is shown, the complaint reference, screening of what the consumer and the parties write, and
 * what may happen in each status. No I/O; the statutory clocks are complaint-clock.rules.ts.
 */
import { hasLink, isAbusive, maskPersonalData, normaliseComment, type Bilingual } from './comment.rules.js';

export const COMPLAINT_STATUSES = {
  received: { zh: '待受理', en: 'Received, awaiting decision' },
  accepted: { zh: '已受理', en: 'Accepted' },
  refused: { zh: '不予受理', en: 'Not accepted' },
  mediating: { zh: '调解中', en: 'In mediation' },
  closed: { zh: '已办结', en: 'Closed' },
} as const satisfies Record<string, Bilingual>;
export type ComplaintStatus = keyof typeof COMPLAINT_STATUSES;

export const MEDIATION_OUTCOMES = {
  agreement: { zh: '调解达成协议', en: 'Agreement reached' },
  terminated: { zh: '终止调解', en: 'Mediation terminated' },
} as const satisfies Record<string, Bilingual>;
export type MediationOutcome = keyof typeof MEDIATION_OUTCOMES;

export type MessageAuthor = 'consumer' | 'merchant' | 'office';
export const MESSAGE_AUTHORS = {
  consumer: { zh: '投诉人', en: 'Consumer' },
  merchant: { zh: '商户', en: 'Merchant' },
  office: { zh: '监管所', en: 'Supervision office' },
} as const satisfies Record<MessageAuthor, Bilingual>;

/** Statuses in which each party may write in the mediation; the merchant only once the office has accepted. */
const MAY_WRITE: Record<MessageAuthor, readonly ComplaintStatus[]> = {
  consumer: ['received', 'accepted', 'mediating'],
  office: ['received', 'accepted', 'mediating'],
  merchant: ['accepted', 'mediating'],
};
export const canWrite = (author: MessageAuthor, status: ComplaintStatus): boolean => MAY_WRITE[author].includes(status);

/** The merchant hears of a complaint once it is accepted (暂行办法 第十九条): before that it is the office's alone. */
export const isVisibleToMerchant = (status: ComplaintStatus): boolean => status === 'accepted' || status === 'mediating' || status === 'closed';

// ---------------------------------------------------------------- the consumer's phone

/**
 * A mainland mobile number (1[3-9] and nine digits) from what a consumer typed: full-width digits,
 * spaces, dashes and a +86 / 0086 prefix are allowed. Null when it is not one.
 */
export function normaliseMobile(input: string): string | null {
  const digits = input.normalize('NFKC').replace(/[\s\-()（）]/g, '').replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** 138****5678: how staff, the merchant and the follow page show a consumer's number. */
export const maskPhone = (phone: string): string => (phone.length >= 7 ? `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}` : '*'.repeat(phone.length));

/** 张** : the consumer's name as the merchant sees it. */
export const maskName = (name: string): string => {
  const chars = [...name.trim()];
  return chars.length ? chars[0] + '*'.repeat(Math.max(1, chars.length - 1)) : '';
};

/** The last four digits of the phone, which with the reference let a consumer follow the complaint. */
export const phoneLast4 = (phone: string): string => phone.slice(-4);

// ---------------------------------------------------------------- the reference

/** TS + the China date of receipt + a daily number of at least five digits: TS2026112300001. */
export function complaintReference(receivedOn: string, n: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(receivedOn) || !Number.isInteger(n) || n < 1) throw new RangeError(`bad reference parts ${receivedOn} ${n}`);
  return `TS${receivedOn.replaceAll('-', '')}${String(n).padStart(5, '0')}`;
}

/** The prefix every reference of a day shares. */
export const referencePrefix = (receivedOn: string): string => `TS${receivedOn.replaceAll('-', '')}`;

export const isComplaintReference = (s: string): boolean => /^TS\d{13,15}$/.test(s);

// ---------------------------------------------------------------- screening what people write

export const COMPLAINT_LIMITS = {
  name: { min: 1, max: 30 },
  content: { min: 10, max: 1000 },
  message: { min: 1, max: 1000 },
  receipt: { max: 40 },
} as const;

export type TextScreen = { ok: true; text: string } | { ok: false; message: Bilingual };

/**
 * Screens a complaint's content or a mediation message: normalised, within its length, no abuse,
 * no web addresses; personal data (other numbers, ID cards, e-mails) masked before it is stored,
 * because the merchant reads it. Never throws.
 */
export function screenText(text: unknown, limits: { min: number; max: number }, what: Bilingual): TextScreen {
  if (typeof text !== 'string') return { ok: false, message: { zh: `请填写${what.zh}。`, en: `Please write the ${what.en}.` } };
  if (text.length > limits.max * 20) return { ok: false, message: tooLong(what, limits.max, [...text].length) };
  const clean = normaliseComment(text);
  const n = [...clean].length;
  if (n < limits.min) return { ok: false, message: limits.min > 1 ? { zh: `${what.zh}至少${limits.min}字。`, en: `The ${what.en} needs at least ${limits.min} characters.` } : { zh: `请填写${what.zh}。`, en: `Please write the ${what.en}.` } };
  if (n > limits.max) return { ok: false, message: tooLong(what, limits.max, n) };
  if (isAbusive(clean)) return { ok: false, message: { zh: `${what.zh}含有辱骂或不文明用语，请修改后再提交。`, en: `The ${what.en} contains insults or obscene language. Please edit it.` } };
  if (hasLink(clean)) return { ok: false, message: { zh: `${what.zh}中不能包含网址。`, en: `The ${what.en} cannot contain a web address.` } };
  return { ok: true, text: maskPersonalData(clean).text };
}

const tooLong = (what: Bilingual, max: number, n: number): Bilingual => ({ zh: `${what.zh}最多${max}字，您写了${n}字。`, en: `The ${what.en} can have at most ${max} characters; yours has ${n}.` });

/** A person's name as typed: normalised, 1–30 characters, no digits (a phone number is not a name), no abuse. */
export function screenName(text: unknown): TextScreen {
  const bad: Bilingual = { zh: '请填写您的姓名（30字以内）。', en: 'Please give your name (at most 30 characters).' };
  if (typeof text !== 'string' || text.length > 200) return { ok: false, message: bad };
  const clean = normaliseComment(text);
  const n = [...clean].length;
  if (n < COMPLAINT_LIMITS.name.min || n > COMPLAINT_LIMITS.name.max || /\d/.test(clean) || isAbusive(clean) || hasLink(clean)) return { ok: false, message: bad };
  return { ok: true, text: clean };
}

/** The receipt number (小票号) or sale sequence number as typed; '' for none, null when it cannot be one. */
export function normaliseReceipt(text: unknown): string | null {
  if (text === undefined || text === null) return '';
  if (typeof text !== 'string') return null;
  const clean = text.normalize('NFKC').replace(/\s+/g, '');
  if (!clean) return '';
  return clean.length <= COMPLAINT_LIMITS.receipt.max && /^[A-Za-z0-9_\-./]+$/.test(clean) ? clean : null;
}
