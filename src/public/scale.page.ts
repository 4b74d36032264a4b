/**
 * The scale page behind a 一秤一码 code: which scale this is (its serial number must match the
 * scale the sticker is on), whose it is, whether its mandatory verification is in force, how
 * buyers rate it, and a rating form that works without JavaScript.
 */
import { html, type SafeHtml } from '../shared/html.js';
import { checkCodeBox, hrefIn, link, pick, renderLayout } from './layout.js';
import { complainBlock, lightCounts, lightLong, verificationLong } from './parts.js';
import type { Lang, PageContext, RatingNotice, ScaleView, VerificationStatus } from './views.js';

const T = {
  zh: {
    title: (serial: string) => `电子秤 ${serial} · 一秤一码`,
    heading: '电子计价秤',
    serial: '出厂编号',
    serialHint: '本码应贴在出厂编号为此号码的电子秤上。编号不一致，请不要使用这台秤，并向市场管理处或 12315 反映。',
    verification: '强制检定',
    verifiedOn: '检定日期',
    institution: '检定机构',
    certificateNo: '证书编号',
    light: '消费者评价',
    region: '区域',
    merchant: '商户',
    marketStall: '市场 · 摊位',
    stall: (s: string) => `${s} 号摊位`,
    maker: '制造商',
    model: '型号',
    accuracyClass: '准确度等级',
    capacity: '最大秤量 / 分度值',
    weight: (g: number) => (g >= 1000 && g % 100 === 0 ? `${g / 1000} 千克` : `${g} 克`),
    typeApproval: '型式批准证书编号',
    iot: '物联网溯源秤',
    yesNo: (b: boolean) => (b ? '是' : '否'),
    rate: '评价这台秤',
    closed: '这台秤暂不接受评价。',
    accurate: '称量是否准确？',
    yes: '准确',
    no: '不准确',
    stars: '满意度（1–5 星）',
    star: (n: number) => `${n} 星`,
    fairWeight: '公平秤复称重量（克，选填）',
    receiptWeight: '小票或秤上显示的重量（克，选填）',
    comment: '补充说明（选填，200 字以内）',
    submit: '提交评价',
    anonymous: '评价匿名提交，每部手机的评价次数有限。',
    notices: {
      thanks: '感谢您的评价！',
      limited: '评价次数已达上限，这次评价未被记录。',
      invalid: '提交的内容有误，请检查后重新提交。',
      screened: '已收到您的评价，核查后计入。',
    },
  },
  en: {
    title: (serial: string) => `Scale ${serial} · Mashang`,
    heading: 'Electronic price-computing scale',
    serial: 'Serial number',
    serialHint: 'This sticker belongs on the scale with this serial number. If the numbers differ, do not use the scale and report it to the market office or 12315.',
    verification: 'Mandatory verification',
    verifiedOn: 'Verified on',
    institution: 'Verified by',
    certificateNo: 'Certificate no.',
    light: 'Buyer ratings',
    region: 'Region',
    merchant: 'Merchant',
    marketStall: 'Market · stall',
    stall: (s: string) => `stall ${s}`,
    maker: 'Manufacturer',
    model: 'Model',
    accuracyClass: 'Accuracy class',
    capacity: 'Max capacity / division',
    weight: (g: number) => (g >= 1000 && g % 100 === 0 ? `${g / 1000} kg` : `${g} g`),
    typeApproval: 'Type approval no.',
    iot: 'IoT traceable scale',
    yesNo: (b: boolean) => (b ? 'Yes' : 'No'),
    rate: 'Rate this scale',
    closed: 'Ratings are closed for this scale.',
    accurate: 'Was the weight accurate?',
    yes: 'Accurate',
    no: 'Not accurate',
    stars: 'Your rating (1–5 stars)',
    star: (n: number) => `${n} star${n === 1 ? '' : 's'}`,
    fairWeight: 'Weight on the fair scale (grams, optional)',
    receiptWeight: 'Weight on the receipt or scale display (grams, optional)',
    comment: 'Comment (optional, up to 200 characters)',
    submit: 'Send rating',
    anonymous: 'Ratings are anonymous; each phone can rate only a limited number of times.',
    notices: {
      thanks: 'Thank you for your rating!',
      limited: 'You have reached the rating limit; this rating was not recorded.',
      invalid: 'Something in the form was not valid. Please check it and send it again.',
      screened: 'Your rating was received and will count once it has been checked.',
    },
  },
} as const;

const VERIFICATION_BOX: Record<VerificationStatus, string> = { valid: 'ok', expiring: 'note', expired: 'warn', failed: 'warn', unverified: '' };
const NOTICE_BOX: Record<RatingNotice, string> = { thanks: 'ok', limited: 'note', invalid: 'warn', screened: 'note' };

function ratingForm(lang: Lang, action: string): SafeHtml {
  const t = T[lang];
  const starOptions = [1, 2, 3, 4, 5].map(
    (n) => html`<label><input type="radio" name="stars" value="${n}" required aria-label="${t.star(n)}"><span aria-hidden="true">${n}★</span></label>`,
  );
  const grams = (id: string, name: string, label: string) =>
    html`<p><label for="${id}">${label}</label><input class="in" id="${id}" name="${name}" type="number" inputmode="numeric" min="1" max="1000000" step="1"></p>`;
  return html`<form method="post" action="${action}"><fieldset><legend>${t.accurate}</legend><label class="opt"><input type="radio" name="accurate" value="yes" required>${t.yes}</label><label class="opt"><input type="radio" name="accurate" value="no">${t.no}</label></fieldset><fieldset><legend>${t.stars}</legend><div class="s5">${starOptions}</div></fieldset>${grams('fw', 'fairWeightG', t.fairWeight)}${grams('rw', 'receiptWeightG', t.receiptWeight)}<p><label for="cm">${t.comment}</label><textarea class="in" id="cm" name="comment" maxlength="200" rows="3"></textarea></p><p><button type="submit">${t.submit}</button></p></form>`;
}

function ratingSection(lang: Lang, rating: ScaleView['rating']): SafeHtml {
  const t = T[lang];
  const action = rating ? hrefIn(lang, rating.action) : null;
  if (!rating || !action) return html`<p class="grey">${t.closed}</p>`;
  const n = rating.notice;
  const notice = n
    ? html`<p class="${NOTICE_BOX[n]}" role="status"><b>${t.notices[n]}</b>${rating.noticeText ? html`<br>${rating.noticeText}` : ''}</p>`
    : '';
  // After an accepted or limited rating the form is not offered again, against double sends; a
  // refused comment or a missing answer gets the form back to put right.
  const form = !n || n === 'invalid' || n === 'screened' ? ratingForm(lang, action) : '';
  return html`${notice}${form}<p><small>${t.anonymous}</small></p>`;
}

export function renderScalePage(s: ScaleView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const v = s.verification;

  const verificationDetails = [
    v.verifiedOn ? html`${t.verifiedOn} ${v.verifiedOn}` : null,
    v.institution ? html`${t.institution} ${v.institution}` : null,
    v.certificateNo ? html`${t.certificateNo} ${v.certificateNo}` : null,
  ]
    .filter((x) => x !== null)
    .map((x, i) => (i ? html` · ${x}` : x));
  const box = VERIFICATION_BOX[v.status];
  const verification = html`${box ? html`<div class="${box}">` : html`<div>`}<p><b>${t.verification}</b><br><span class="lg">${verificationLong(lang, v)}</span></p>${verificationDetails.length ? html`<p><small>${verificationDetails}</small></p>` : ''}</div>`;

  const light = html`<p><b>${t.light}</b><br><span class="lg">${lightLong(lang, s.light.light)}</span><br><small>${lightCounts(lang, s.light)}</small></p>`;

  const stall = [s.market ? link(lang, s.market.href, s.market.name) : '', s.stallNumber ? t.stall(s.stallNumber) : '']
    .filter((x) => x !== '')
    .map((x, i) => (i ? html` · ${x}` : html`${x}`));
  const facts = html`<dl><dt>${t.region}</dt><dd>${s.city} ${s.district}</dd>${s.merchant ? html`<dt>${t.merchant}</dt><dd>${link(lang, s.merchant.href, s.merchant.name)}</dd>` : ''}${stall.length ? html`<dt>${t.marketStall}</dt><dd>${stall}</dd>` : ''}<dt>${t.maker}</dt><dd>${s.manufacturer}</dd><dt>${t.model}</dt><dd>${s.model}</dd><dt>${t.accuracyClass}</dt><dd>${s.accuracyClass}</dd><dt>${t.capacity}</dt><dd>${t.weight(s.maxCapacityG)} / ${t.weight(s.divisionG)}</dd><dt>${t.typeApproval}</dt><dd>${s.typeApprovalNo}</dd><dt>${t.iot}</dt><dd>${t.yesNo(s.isIot)}</dd></dl>`;

  const body = html`<h1>${t.heading}</h1>${checkCodeBox(ctx)}<p>${t.serial}<br><b class="big sn">${s.serialNo}</b><br><small>${t.serialHint}</small></p>${verification}${light}${facts}<h2 id="rate">${t.rate}</h2>${ratingSection(lang, s.rating)}${complainBlock(lang, s.complainHref)}`;
  return renderLayout(ctx, t.title(s.serialNo), body);
}
