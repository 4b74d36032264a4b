/**
 * Warning pages a scan can open instead of a record: a replaced (void) code, a code that fails
 * verification, a record that is gone, or an error. Each says plainly what happened and what to
 * do next; none repeats anything an untrusted code claims.
 */
import { html } from '../shared/html.js';
import { checkCodeBox, link, renderLayout } from './layout.js';
import type { CodeKind, Lang, NoticeKind, NoticeView, PageContext } from './views.js';

interface NoticeText {
  heading: string;
  text: string;
  steps: string[];
}

const T: Record<Lang, Record<NoticeKind, NoticeText> & { kinds: Record<CodeKind, string>; was: string; reference: string }> = {
  zh: {
    revoked: {
      heading: '此码已作废',
      text: '这张二维码已被新码替换，不再使用。',
      steps: ['请向摊主索取当前有效的二维码，重新扫码查看。', '如摊主仍在使用旧码，或无法出示新码，请向市场管理处或 12315 反映。'],
    },
    forged: {
      heading: '此码无法验证',
      text: '这张二维码不是码上监管平台签发的，或已被改动，可能是伪造的。请不要相信它所显示的信息。',
      steps: ['请记下摊位号，向市场管理处或 12315 反映。', '可在市场入口扫描市场码，按摊位号查找该商户的真实信息。'],
    },
    never_issued: {
      heading: '此码无法验证',
      text: '平台没有签发过这张二维码，它可能是伪造的。请不要相信它所显示的信息。',
      steps: ['请记下摊位号，向市场管理处或 12315 反映。', '可在市场入口扫描市场码，按摊位号查找该商户的真实信息。'],
    },
    not_found: {
      heading: '未找到记录',
      text: '这张二维码对应的记录已不在平台上，商户可能已歇业或搬离。',
      steps: ['如摊位仍在经营却使用此码，请向市场管理处或 12315 反映。'],
    },
    error: {
      heading: '页面暂时无法显示',
      text: '系统出了点问题，请稍后再扫码试试。',
      steps: ['如需投诉举报，请直接拨打 12315。'],
    },
    kinds: { merchant: '商户', scale: '电子秤', market: '市场', prices: '调控价格' },
    was: '此码原属于：',
    reference: '参考编号',
  },
  en: {
    revoked: {
      heading: 'This code is void',
      text: 'This sticker has been replaced by a new code and is no longer in use.',
      steps: ['Ask the stall for its current code and scan that one.', 'If the stall still shows the old code or cannot show a new one, report it to the market office or 12315.'],
    },
    forged: {
      heading: 'This code cannot be verified',
      text: 'This QR code was not issued by the Mashang platform, or it has been altered: it may be counterfeit. Do not trust what it shows.',
      steps: ['Note the stall number and report it to the market office or 12315.', 'Scan the market code at the entrance to look up the stall’s real record.'],
    },
    never_issued: {
      heading: 'This code cannot be verified',
      text: 'The platform never issued this code: it may be counterfeit. Do not trust what it shows.',
      steps: ['Note the stall number and report it to the market office or 12315.', 'Scan the market code at the entrance to look up the stall’s real record.'],
    },
    not_found: {
      heading: 'Record not found',
      text: 'The record this code points to is no longer on the platform; the business may have closed or moved.',
      steps: ['If a stall is still trading under this code, report it to the market office or 12315.'],
    },
    error: {
      heading: 'This page cannot be shown right now',
      text: 'Something went wrong on our side. Please scan again in a little while.',
      steps: ['To make a complaint now, call 12315.'],
    },
    kinds: { merchant: 'Merchant', scale: 'Scale', market: 'Market', prices: 'Controlled prices' },
    was: 'This code belonged to: ',
    reference: 'Reference',
  },
};

export function renderNoticePage(n: NoticeView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const x = t[n.kind];
  const box = n.kind === 'not_found' || n.kind === 'error' ? 'note' : 'warn';
  const subject = n.kind === 'revoked' && n.subject ? html`<p>${t.was}${t.kinds[n.subject.kind]} ${link(lang, n.subject.href, n.subject.name)}</p>` : '';
  const reference = n.reference ? html`<p><small>${t.reference} <span class="sn">${n.reference}</span></small></p>` : '';
  // A void code's check code still identifies the sticker; an unverifiable one's means nothing.
  const cc = n.kind === 'revoked' ? checkCodeBox(ctx) : '';
  const h1 = box === 'warn' ? html`<h1 class="red">${x.heading}</h1>` : html`<h1>${x.heading}</h1>`;
  const body = html`${h1}${cc}<p class="${box}" role="alert">${x.text}</p>${subject}<ul>${x.steps.map((s) => html`<li>${s}</li>`)}</ul>${reference}`;
  return renderLayout({ ...ctx, codeReplaced: false }, x.heading, body);
}
