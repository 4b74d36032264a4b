/**
 * Pieces several scan pages show alike: verification status, the rating light, credit stars and
 * the complaint links. Status is always spelled out in words; colour only repeats it.
 */
import { html, raw, type SafeHtml } from '../shared/html.js';
import { hrefIn, pick } from './layout.js';
import type { Lang, Light, LightView, VerificationStatus, VerificationView } from './views.js';

/** Class of the colour each state is shown in. */
const VERIFICATION_CLASS: Record<VerificationStatus, string> = { valid: 'green', expiring: 'amber', expired: 'red', failed: 'red', unverified: 'grey' };
const LIGHT_CLASS: Record<Light, string> = { green: 'green', yellow: 'amber', red: 'red', none: 'grey' };

const VERIFICATION_SHORT = {
  zh: { valid: '检定合格', expiring: '检定即将到期', expired: '检定已过期', failed: '检定不合格', unverified: '无检定记录' },
  en: { valid: 'Verified', expiring: 'Verification expiring', expired: 'Verification expired', failed: 'Failed verification', unverified: 'Not verified' },
} as const;

const LIGHT_TEXT = {
  zh: { green: '绿灯 · 准确度好评', yellow: '黄灯 · 有待核查', red: '红灯 · 已列入重点检查', none: '评价不足，暂无灯色' },
  en: { green: 'Green light · rated accurate', yellow: 'Yellow light · to be checked', red: 'Red light · on the priority inspection list', none: 'Not enough ratings yet' },
} as const;

const LIGHT_SHORT = {
  zh: { green: '绿灯', yellow: '黄灯', red: '红灯', none: '评价不足' },
  en: { green: 'Green', yellow: 'Yellow', red: 'Red', none: 'Few ratings' },
} as const;

/** One line for lists: "检定已过期" in its colour. */
export const verificationShort = (lang: Lang, status: VerificationStatus): SafeHtml =>
  html`<span class="${VERIFICATION_CLASS[status]}">${VERIFICATION_SHORT[lang][status]}</span>`;

/** The full statement with the valid-until date, e.g. "已过期（检定有效期至 2026-03-31）". */
export function verificationLong(lang: Lang, v: VerificationView): SafeHtml {
  const until = v.validUntil;
  const en = lang === 'en';
  let text: string;
  switch (v.status) {
    case 'valid':
      text = en ? `Passed${until ? `, valid until ${until}` : ''}` : `检定合格${until ? `，有效期至 ${until}` : ''}`;
      break;
    case 'expiring':
      text = en ? `Expiring soon${until ? `: valid until ${until}` : ''}` : `即将到期${until ? `：有效期至 ${until}` : ''}`;
      break;
    case 'expired':
      text = en ? `Expired${until ? `: was valid until ${until}` : ''}` : `已过期${until ? `（有效期至 ${until}）` : ''}`;
      break;
    case 'failed':
      text = en ? 'Failed verification: must not be used' : '检定不合格，不得使用';
      break;
    case 'unverified':
      text = en ? 'No verification on record' : '无检定记录';
      break;
  }
  return html`<span class="${VERIFICATION_CLASS[v.status]}">${text}</span>`;
}

/** "● 绿灯 · 准确度好评" in its colour; the dot is decoration. */
export const lightLong = (lang: Lang, light: Light): SafeHtml =>
  html`<span class="${LIGHT_CLASS[light]}"><span aria-hidden="true">● </span>${LIGHT_TEXT[lang][light]}</span>`;

export const lightShort = (lang: Lang, light: Light): SafeHtml =>
  light === 'none' ? html`<span class="grey">${LIGHT_SHORT[lang].none}</span>` : html`<span class="${LIGHT_CLASS[light]}">● ${LIGHT_SHORT[lang][light]}</span>`;

/** "12 次评价，其中 2 次认为不准". */
export const lightCounts = (lang: Lang, l: LightView): string =>
  pick(lang, `共 ${l.ratings} 次评价，其中 ${l.inaccurate} 次认为称量不准`, `${l.ratings} rating${l.ratings === 1 ? '' : 's'}, ${l.inaccurate} said inaccurate`);

/** ★★★★☆ for the eye (hidden from screen readers) and "4 星" in words. */
export function stars(lang: Lang, n: number): SafeHtml {
  const k = Math.max(0, Math.min(5, Math.round(n)));
  return html`<span class="st" aria-hidden="true">${'★'.repeat(k)}${'☆'.repeat(5 - k)}</span> ${pick(lang, `${k} 星`, `${k} star${k === 1 ? '' : 's'}`)}`;
}

const HOTLINE = {
  zh: raw('也可拨打 <a href="tel:12315">12315</a> 或登录 <a href="https://www.12315.cn">www.12315.cn</a> 投诉举报，请保留购物小票。'),
  en: raw('You can also call <a href="tel:12315">12315</a> or complain at <a href="https://www.12315.cn">www.12315.cn</a>. Keep your receipt.'),
  zhOnly: raw('投诉举报请拨打 <a href="tel:12315">12315</a> 或登录 <a href="https://www.12315.cn">www.12315.cn</a>，请保留购物小票。'),
  enOnly: raw('To complain, call <a href="tel:12315">12315</a> or go to <a href="https://www.12315.cn">www.12315.cn</a>. Keep your receipt.'),
} as const;

/** The "我要投诉" button when the platform takes complaints online, and the 12315 hotline always. */
export function complainBlock(lang: Lang, complainHref: string | null): SafeHtml {
  const h = hrefIn(lang, complainHref);
  if (!h) return html`<p class="note">${pick(lang, HOTLINE.zhOnly, HOTLINE.enOnly)}</p>`;
  return html`<p class="bar"><a class="btn" href="${h}">${pick(lang, '我要投诉', 'Complain')}</a></p><p>${pick(lang, HOTLINE.zh, HOTLINE.en)}</p>`;
}
