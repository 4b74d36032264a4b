/**
 * View models of the public scan pages: what a loader fills from the services and a page function
 * renders. Plain data, already shaped for display: dates are `YYYY-MM-DD` strings, record data
 * (names, addresses) is shown as stored in both languages. Hrefs are site paths (`/…`) or
 * `https://` URLs; anything else is rendered as text without a link.
 */

export type Lang = 'zh' | 'en';

/** The same kinds as the codes module's CODE_KINDS (kept apart so the pages import no module). */
export type CodeKind = 'merchant' | 'scale' | 'market' | 'prices';

export interface PageContext {
  lang: Lang;
  /** The request path without its query, used for the language switch and the market search form. */
  path: string;
  /** Other query parameters to keep on the language switch link, e.g. `q`; `lang` is ignored. */
  query?: Record<string, string>;
  now: Date;
  /** IANA zone of the platform's city, e.g. 'Asia/Shanghai', for "page updated". */
  timeZone: string;
  /** Check code (核对码) of the scanned QR code, shown near the top to compare with the sticker. */
  checkCode?: string;
  /**
   * The scanned code is genuine but was replaced by a newer sticker (judgeSerial `replaced`): the
   * subject is still shown, under a warning. For a code that must not show the subject, render the
   * `revoked` notice page instead.
   */
  codeReplaced?: boolean;
}

export type VerificationStatus = 'valid' | 'expiring' | 'expired' | 'failed' | 'unverified';

export interface VerificationView {
  status: VerificationStatus;
  /** YYYY-MM-DD */
  validUntil: string | null;
  /** YYYY-MM-DD */
  verifiedOn: string | null;
  institution: string | null;
  certificateNo: string | null;
}

export type Light = 'none' | 'green' | 'yellow' | 'red';

export interface LightView {
  light: Light;
  /** Ratings counted towards the light. */
  ratings: number;
  /** Of those, how many said the weighing was inaccurate. */
  inaccurate: number;
}

export interface CreditEventView {
  title: { zh: string; en: string };
  /** Positive: bonus (加分); negative: deduction (扣分). */
  points: number;
  /** YYYY-MM-DD */
  occurredOn: string;
  status: 'counted' | 'under_objection';
  /** The merchant's public reply. */
  reply?: string;
}

export interface MerchantView {
  name: string;
  legalRep: string;
  entityType: string;
  uscc: string | null;
  address: string;
  status: 'operating' | 'suspended' | 'closed';
  market: { name: string; href: string | null } | null;
  stallNumber: string | null;
  trade: string | null;
  district: string;
  city: string;
  categories: string[];
  /** Null until the credit feature lands: the page says "no credit rating yet". */
  credit: null | {
    score: number;
    /** 0–5 */
    stars: number;
    /** YYYY-MM-DD */
    asOf: string;
    events: CreditEventView[];
    riskClass?: 'A' | 'B' | 'C' | 'D';
  };
  pledge: null | { signedBy: string; signedOn: string; text: { zh: string; en: string } };
  /** Null: complaint figures are not published (yet). */
  complaints: null | { received: number; upheld: number; sinceYear: number };
  penalties: { decisionNo: string; violation: string; penalty: string; authority: string; decidedOn: string }[];
  scales: { serialNo: string; manufacturer: string; model: string; verification: VerificationView; light: LightView; href: string | null }[];
  /** Null: show only the 12315 hotline. */
  complainHref: string | null;
}

export type RatingNotice = 'thanks' | 'limited' | 'invalid' | 'screened';

export interface ScaleView {
  serialNo: string;
  manufacturer: string;
  model: string;
  accuracyClass: string;
  maxCapacityG: number;
  divisionG: number;
  typeApprovalNo: string;
  isIot: boolean;
  city: string;
  district: string;
  market: { name: string; href: string | null } | null;
  stallNumber: string | null;
  merchant: { name: string; href: string | null } | null;
  verification: VerificationView;
  light: LightView;
  /**
   * Null: rating closed. The form POSTs to `action` (with `?lang=en` added in English) the fields
   * `accurate` ('yes' | 'no'), `stars` ('1'–'5'), optional `fairWeightG` and `receiptWeightG`
   * (whole grams) and `comment` (at most 200 characters).
   */
  rating: { action: string; notice?: RatingNotice; noticeText?: string } | null;
  complainHref: string | null;
}

export interface MarketView {
  name: string;
  address: string;
  managingOrg: string;
  district: string;
  city: string;
  /** The current search (stall number, name or trade); '' for none. */
  q: string;
  merchants: { name: string; stallNumber: string | null; trade: string | null; stars: number | null; href: string | null }[];
  scales: { serialNo: string; model: string; merchantName: string | null; stallNumber: string | null; verification: VerificationStatus; light: Light; href: string | null }[];
  /** Before search filtering. */
  totals: { merchants: number; scales: number };
  /** The lists were cut to keep the page small: the page asks the user to search. */
  truncated: boolean;
  pricesHref: string | null;
}

/**
 * A warning page instead of a subject page:
 * - `revoked`: a genuine code that was replaced by a newer sticker (此码已作废);
 * - `forged`: the code fails verification (bad signature, unknown key, malformed) — 此码无法验证;
 * - `never_issued`: a correctly signed code whose serial the platform never issued;
 * - `not_found`: the code is genuine but its record no longer exists;
 * - `error`: anything else went wrong.
 */
export type NoticeKind = 'revoked' | 'forged' | 'never_issued' | 'not_found' | 'error';

export interface NoticeView {
  kind: NoticeKind;
  /** For `revoked`: whose code it was, to open the current record. */
  subject?: { kind: CodeKind; name: string; href: string | null } | null;
  /** An error or request reference to quote when calling. */
  reference?: string | null;
}

/**
 * The result of checking a pasted code. `valid`, `revoked` and `never_issued` have a good
 * signature (revoked: serial below the current one; never_issued: above it, or no record);
 * `forged` and `unknown_key` carry the fields the token claims, which must not be trusted;
 * `malformed` carries only `reason`.
 */
export type VerifyStatus = 'valid' | 'revoked' | 'never_issued' | 'forged' | 'unknown_key' | 'malformed';

export interface VerifyResultView {
  status: VerifyStatus;
  /** Technical reason from verifyToken (plain English), shown small. */
  reason?: string | null;
  kid: string | null;
  /** The signing key is retired (its codes stay valid). */
  keyRetired?: boolean;
  /** `name` null when the record is unknown (or not looked up for an untrusted code). */
  subject: { kind: CodeKind; id: number; name: string | null; href: string | null } | null;
  serial: number | null;
  /** The subject's current code serial, when known. */
  currentSerial?: number | null;
  checkCode: string | null;
  /** YYYY-MM-DD */
  issuedOn: string | null;
}

export interface VerifyView {
  /** Where the form is sent; field name `code`. */
  action: string;
  method: 'get' | 'post';
  /** What was pasted, echoed back into the field. */
  input: string;
  result: VerifyResultView | null;
}
