/**
 * The consumer's complaint pages, rendered on the server and working without JavaScript: the form
 * reached from a merchant or scale page (我要投诉), the follow page a reference and the phone's last
 * four digits open (status, statutory deadlines, mediation), and the form to look a complaint up.
 */
import { html, type SafeHtml } from '../shared/html.js';
import { formatLocal, hrefIn, langField, link, pick, renderLayout } from './layout.js';
import type { Lang, PageContext } from './views.js';

type Bilingual = { zh: string; en: string };

export type ComplaintFormField = 'consumerName' | 'consumerPhone' | 'content' | 'receipt' | 'scaleId';

export interface ComplaintFormView {
  /** Where the form posts (url-encoded fields consumerName, consumerPhone, content, receipt, scaleId). */
  action: string;
  /** The merchant or scale page the consumer came from. */
  backHref: string;
  merchantName: string;
  /** Market and stall, for the consumer to check it is the right merchant. */
  place: string | null;
  /** Complaining from a scale page: the scale is fixed. */
  scaleSerialNo: string | null;
  /** Complaining from a merchant page: the merchant's scales to choose from when a receipt is given. */
  scales: { id: number; serialNo: string }[];
  values: Partial<Record<ComplaintFormField, string>>;
  /** What to put right, in the page's language, by field. */
  problems: Partial<Record<ComplaintFormField, string>>;
  /** Too many complaints from this network: the form is not offered. */
  limited?: boolean;
}

export interface ComplaintStepView {
  step: 'acceptance' | 'mediation' | 'termination_notice';
  title: Bilingual;
  state: 'not_started' | 'running' | 'paused' | 'done' | 'not_applicable';
  deadline: string | null;
  doneOn: string | null;
  workingDaysLeft: number | null;
  overdue: boolean;
}

/** A pause of the mediation clock for 检定、检验、检测、鉴定; the reason as the parties may read it. */
export interface ComplaintPauseView {
  kindLabel: Bilingual;
  reason: string;
  startedOn: string;
  endedOn: string | null;
  workingDays: number;
}

export interface ComplaintFollowView {
  reference: string;
  merchantName: string;
  scaleSerialNo: string | null;
  consumerPhone: string;
  content: string;
  saleAttached: boolean;
  receivedOn: string;
  status: 'received' | 'accepted' | 'refused' | 'mediating' | 'closed';
  refusalReason: string | null;
  mediationOutcome: 'agreement' | 'terminated' | null;
  outcomeNote: string | null;
  upheld: boolean | null;
  steps: ComplaintStepView[];
  /** Oldest first; one with no end is under way and stops the mediation clock. */
  pauses: ComplaintPauseView[];
  messages: { at: string; author: 'consumer' | 'merchant' | 'office'; body: string }[];
  /** The link that opens this page again (reference and last four digits). */
  followHref: string;
  /** Null: the mediation takes no more messages. Fields `phone` (last four digits) and `body`. */
  messageAction: string | null;
  last4: string;
  /** Just filed: say so, with the reference to keep. */
  filed?: boolean;
  /** A message just sent, or why it was not taken (`text` already in the page's language). */
  notice?: { kind: 'posted' } | { kind: 'closed' } | { kind: 'invalid'; text: string };
  /** The message typed, given back when it was refused. */
  draft?: string;
}

export interface ComplaintLookupView {
  action: string;
  reference: string;
  /** The reference and digits did not match a complaint. */
  failed?: boolean;
  /** Too many failed tries from this network. */
  limited?: boolean;
}

const T = {
  zh: {
    formTitle: (m: string) => `投诉 ${m}`,
    heading: '我要投诉',
    about: '被投诉商户',
    scale: '电子秤',
    intro: '请如实填写。投诉将转至商户所在辖区的市场监管所，自收到之日起7个工作日内决定是否受理。',
    name: '您的姓名',
    phone: '手机号码',
    phoneHint: '仅用于监管所联系您和您查询进度；对商户和公众隐藏，只显示为 138****5678。',
    content: '投诉内容（10–1000字）',
    contentHint: '请写明购买时间、商品、金额和问题，例如缺斤短两、价格高于调控价。',
    sale: '购物小票（选填）',
    chooseScale: '称重所用的电子秤',
    noScale: '（不选）',
    receipt: '小票号或交易序号',
    receiptHint: '填写后，这笔交易的记录将随投诉提交。',
    submit: '提交投诉',
    fix: '请修改下列内容后重新提交：',
    limited: '本网络今天提交的投诉已达上限，请稍后再试，或拨打 12315。',
    back: '返回',
    followTitle: (r: string) => `投诉进度 ${r}`,
    followHeading: '投诉进度',
    filed: (r: string) => `投诉已提交。投诉编号 ${r}。`,
    keep: '请保存本页链接，或记下投诉编号和手机号后四位，以便随时查询进度：',
    reference: '投诉编号',
    merchant: '被投诉商户',
    yourPhone: '手机号码',
    receivedOn: '提交日期',
    status: '状态',
    statuses: { received: '待受理', accepted: '已受理，调解中', refused: '不予受理', mediating: '调解中', closed: '已办结' },
    saleAttached: '已附交易记录',
    yourComplaint: '投诉内容',
    deadlines: '办理时限（工作日，按国家法定节假日安排计算）',
    stepState: (s: ComplaintStepView) =>
      s.state === 'done'
        ? `已于 ${s.doneOn} 完成${s.overdue ? '（超期）' : ''}`
        : s.state === 'paused' && !s.overdue
          ? `已暂停计时，期限顺延至 ${s.deadline}，暂停期间继续顺延`
          : s.state === 'running' || s.state === 'paused'
          ? s.overdue
            ? `应于 ${s.deadline} 前完成，已超期`
            : `应于 ${s.deadline} 前完成（还有 ${s.workingDaysLeft} 个工作日）`
          : '尚未开始',
    pausedNow: (p: ComplaintPauseView) => `调解暂停计时：${p.kindLabel.zh}（自 ${p.startedOn} 起）`,
    pauseBasis: '依《市场监督管理投诉举报处理暂行办法》第二十一条，检定、检验、检测、鉴定的时间不计入调解期限。',
    pauseReason: '原因：',
    pauses: '暂停计时记录',
    pauseLine: (p: ComplaintPauseView) => `${p.kindLabel.zh}：${p.startedOn} 至 ${p.endedOn ?? '今'}（${p.workingDays} 个工作日不计入）`,
    refused: '不予受理理由：',
    outcome: { agreement: '调解达成协议', terminated: '终止调解' },
    upheld: '经查，投诉属实。',
    notUpheld: '经查，投诉不属实或证据不足。',
    note: '处理意见：',
    messages: '调解记录',
    noMessages: '暂无留言。',
    authors: { consumer: '我', merchant: '商户', office: '监管所' },
    write: '留言（1000字以内）',
    send: '发送留言',
    posted: '留言已发送。',
    closed: '投诉已办结，不能再留言。如有异议可拨打 12315。',
    lookupTitle: '查询投诉进度',
    lookupHint: '请输入投诉编号和提交投诉时所留手机号的后四位。',
    last4: '手机号后四位',
    find: '查询',
    notFound: '没有找到与该编号和手机号后四位相符的投诉，请核对后再试。',
    tooMany: '查询失败次数过多，请一小时后再试，或拨打 12315。',
  },
  en: {
    formTitle: (m: string) => `Complain about ${m}`,
    heading: 'Make a complaint',
    about: 'Merchant',
    scale: 'Scale',
    intro: 'Please tell us what happened. Your complaint goes to the supervision office of the merchant’s district, which decides within 7 working days whether to take it up.',
    name: 'Your name',
    phone: 'Mobile number',
    phoneHint: 'Used only for the office to contact you and for you to follow your complaint. Hidden from the merchant and the public, shown as 138****5678.',
    content: 'What happened (10–1000 characters)',
    contentHint: 'When you bought, what, for how much, and what went wrong: short weight, a price above the controlled price…',
    sale: 'Your receipt (optional)',
    chooseScale: 'The scale the goods were weighed on',
    noScale: '(none)',
    receipt: 'Receipt or sale number',
    receiptHint: 'The platform’s record of that sale is attached to your complaint.',
    submit: 'Send complaint',
    fix: 'Please correct the following and send again:',
    limited: 'Too many complaints from your network today. Please try later, or call 12315.',
    back: 'Back',
    followTitle: (r: string) => `Complaint ${r}`,
    followHeading: 'Your complaint',
    filed: (r: string) => `Your complaint was received. Reference ${r}.`,
    keep: 'Keep this link, or note the reference and the last four digits of your phone, to follow your complaint:',
    reference: 'Reference',
    merchant: 'Merchant',
    yourPhone: 'Mobile number',
    receivedOn: 'Filed on',
    status: 'Status',
    statuses: { received: 'Received, awaiting decision', accepted: 'Accepted, in mediation', refused: 'Not accepted', mediating: 'In mediation', closed: 'Closed' },
    saleAttached: 'Sale record attached',
    yourComplaint: 'Your complaint',
    deadlines: 'Statutory deadlines (working days, with the national holidays)',
    stepState: (s: ComplaintStepView) =>
      s.state === 'done'
        ? `Done on ${s.doneOn}${s.overdue ? ' (late)' : ''}`
        : s.state === 'paused' && !s.overdue
          ? `Paused: the deadline has moved to ${s.deadline} and moves on while the pause lasts`
          : s.state === 'running' || s.state === 'paused'
          ? s.overdue
            ? `Due by ${s.deadline}: overdue`
            : `Due by ${s.deadline} (${s.workingDaysLeft} working day${s.workingDaysLeft === 1 ? '' : 's'} left)`
          : 'Not started',
    pausedNow: (p: ComplaintPauseView) => `Mediation clock paused: ${p.kindLabel.en.toLowerCase()} since ${p.startedOn}`,
    pauseBasis: 'By article 21 of the Interim Measures on Complaints and Reports, time spent on verification, inspection, testing or appraisal does not count towards the mediation period.',
    pauseReason: 'Reason: ',
    pauses: 'Clock pauses',
    pauseLine: (p: ComplaintPauseView) => `${p.kindLabel.en}: ${p.startedOn} to ${p.endedOn ?? 'today'} (${p.workingDays} working day${p.workingDays === 1 ? '' : 's'} not counted)`,
    refused: 'Reason it was not accepted: ',
    outcome: { agreement: 'Mediation reached an agreement', terminated: 'Mediation terminated' },
    upheld: 'The complaint was found justified.',
    notUpheld: 'The complaint was not found justified, or the evidence was insufficient.',
    note: 'Note: ',
    messages: 'Mediation',
    noMessages: 'No messages yet.',
    authors: { consumer: 'You', merchant: 'Merchant', office: 'Supervision office' },
    write: 'Your message (up to 1000 characters)',
    send: 'Send message',
    posted: 'Your message was sent.',
    closed: 'The complaint is closed and takes no more messages. If you disagree, call 12315.',
    lookupTitle: 'Follow a complaint',
    lookupHint: 'Enter the complaint reference and the last four digits of the phone number you gave.',
    last4: 'Last four digits of your phone',
    find: 'Find',
    notFound: 'No complaint matches this reference and these digits. Please check them and try again.',
    tooMany: 'Too many failed tries. Please try again in an hour, or call 12315.',
  },
} as const;

const FIELD_ORDER: ComplaintFormField[] = ['consumerName', 'consumerPhone', 'content', 'scaleId', 'receipt'];

/** A field's error under its label, tied to the input for screen readers. */
const fieldError = (id: string, message: string | undefined): SafeHtml | '' => (message ? html`<br><b class="red" id="${id}-e">${message}</b>` : '');
const described = (id: string, message: string | undefined) => (message ? html` aria-invalid="true" aria-describedby="${id}-e"` : '');

export function renderComplaintForm(v: ComplaintFormView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const p = v.problems;
  const val = (f: ComplaintFormField) => v.values[f] ?? '';
  const errors = FIELD_ORDER.filter((f) => p[f]);
  const summary = errors.length ? html`<div class="warn" role="alert"><p>${t.fix}</p><ul>${errors.map((f) => html`<li>${p[f]}</li>`)}</ul></div>` : '';
  const about = html`<dl><dt>${t.about}</dt><dd>${link(lang, v.backHref, v.merchantName)}${v.place ? html`<br><small>${v.place}</small>` : ''}</dd>${v.scaleSerialNo ? html`<dt>${t.scale}</dt><dd class="sn">${v.scaleSerialNo}</dd>` : ''}</dl>`;
  if (v.limited) return renderLayout(ctx, t.formTitle(v.merchantName), html`<h1>${t.heading}</h1>${about}<p class="note" role="alert">${t.limited}</p>`);

  const scaleChoice = v.scales.length
    ? html`<p><label for="sc">${t.chooseScale}</label>${fieldError('sc', p.scaleId)}<select class="in" id="sc" name="scaleId"${described('sc', p.scaleId)}><option value="">${t.noScale}</option>${v.scales.map((s) => html`<option value="${s.id}"${String(s.id) === val('scaleId') ? html` selected` : ''}>${s.serialNo}</option>`)}</select></p>`
    : '';
  const action = hrefIn(lang, v.action) ?? v.action;
  const form = html`<form method="post" action="${action}">${langField(lang)}
<p><label for="nm">${t.name}</label>${fieldError('nm', p.consumerName)}<input class="in" id="nm" name="consumerName" maxlength="30" autocomplete="name" required value="${val('consumerName')}"${described('nm', p.consumerName)}></p>
<p><label for="ph">${t.phone}</label>${fieldError('ph', p.consumerPhone)}<input class="in" id="ph" name="consumerPhone" type="tel" inputmode="tel" maxlength="20" autocomplete="tel" required value="${val('consumerPhone')}"${described('ph', p.consumerPhone)}><br><small>${t.phoneHint}</small></p>
<p><label for="ct">${t.content}</label>${fieldError('ct', p.content)}<textarea class="in" id="ct" name="content" rows="6" maxlength="1000" required${described('ct', p.content)}>${val('content')}</textarea><br><small>${t.contentHint}</small></p>
<fieldset><legend>${t.sale}</legend>${scaleChoice}<p><label for="rc">${t.receipt}</label>${fieldError('rc', p.receipt)}<input class="in" id="rc" name="receipt" maxlength="40" value="${val('receipt')}"${described('rc', p.receipt)}><br><small>${t.receiptHint}</small></p></fieldset>
<p><button type="submit">${t.submit}</button></p></form>`;
  return renderLayout(ctx, t.formTitle(v.merchantName), html`<h1>${t.heading}</h1>${about}<p>${t.intro}</p>${summary}${form}`);
}

function stepLine(lang: Lang, s: ComplaintStepView): SafeHtml {
  const t = T[lang];
  const cls = s.overdue ? 'red' : s.state === 'done' ? 'green' : '';
  return html`<li>${pick(lang, s.title.zh, s.title.en)}<small class="${cls}">${t.stepState(s)}</small></li>`;
}

export function renderComplaintFollow(v: ComplaintFollowView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const followHref = hrefIn(lang, v.followHref) ?? v.followHref;
  const filed = v.filed ? html`<div class="ok" role="status"><p><b>${t.filed(v.reference)}</b></p><p>${t.keep}<br><a href="${followHref}">${followHref}</a></p></div>` : '';
  const n = v.notice;
  const notice = !n ? '' : n.kind === 'posted' ? html`<p class="ok" role="status">${t.posted}</p>` : html`<p class="warn" role="alert">${n.kind === 'closed' ? t.closed : n.text}</p>`;
  const facts = html`<dl><dt>${t.reference}</dt><dd class="sn">${v.reference}</dd><dt>${t.merchant}</dt><dd>${v.merchantName}${v.scaleSerialNo ? html`<br><small>${t.scale} <span class="sn">${v.scaleSerialNo}</span></small>` : ''}</dd><dt>${t.yourPhone}</dt><dd class="sn">${v.consumerPhone}</dd><dt>${t.receivedOn}</dt><dd>${v.receivedOn}</dd><dt>${t.status}</dt><dd><b>${t.statuses[v.status]}</b></dd></dl>`;

  const outcome: (SafeHtml | '')[] = [];
  if (v.status === 'refused' && v.refusalReason) outcome.push(html`<p class="note">${t.refused}${v.refusalReason}</p>`);
  if (v.mediationOutcome) {
    const upheld = v.upheld === true ? t.upheld : v.upheld === false ? t.notUpheld : '';
    outcome.push(html`<div class="note"><p><b>${t.outcome[v.mediationOutcome]}</b>${upheld ? html`<br>${upheld}` : ''}</p>${v.outcomeNote ? html`<p>${t.note}${v.outcomeNote}</p>` : ''}</div>`);
  }
  const steps = v.steps.filter((s) => s.state !== 'not_applicable');
  const open = v.pauses.find((p) => p.endedOn === null);
  const pausedNow = open ? html`<div class="note" role="status"><p><b>${t.pausedNow(open)}</b></p><p>${t.pauseReason}${open.reason}</p><p><small>${t.pauseBasis}</small></p></div>` : '';
  const pauses = v.pauses.length ? html`<h3>${t.pauses}</h3><ul class="ls">${v.pauses.map((p) => html`<li>${t.pauseLine(p)}<small>${t.pauseReason}${p.reason}</small></li>`)}</ul>` : '';
  const clocks = html`<h2>${t.deadlines}</h2>${pausedNow}<ul class="ls">${steps.map((s) => stepLine(lang, s))}</ul>${pauses}`;
  const complaint = html`<h2>${t.yourComplaint}</h2><p>${v.content}</p>${v.saleAttached ? html`<p><small class="green">${t.saleAttached}</small></p>` : ''}`;
  const messages = v.messages.length
    ? html`<ul class="ls">${v.messages.map((m) => html`<li><b>${t.authors[m.author]}</b><small>${formatLocal(new Date(m.at), ctx.timeZone)}</small>${m.body}</li>`)}</ul>`
    : html`<p class="grey">${t.noMessages}</p>`;
  const action = v.messageAction ? hrefIn(lang, v.messageAction) : null;
  const write = action
    ? html`<form method="post" action="${action}">${langField(lang)}<input type="hidden" name="phone" value="${v.last4}"><p><label for="bd">${t.write}</label><textarea class="in" id="bd" name="body" rows="4" maxlength="1000" required>${v.draft ?? ''}</textarea></p><p><button type="submit">${t.send}</button></p></form>`
    : html`<p class="grey">${t.closed}</p>`;
  const body = html`<h1>${t.followHeading}</h1>${filed}${notice}${facts}${outcome}${clocks}${complaint}<h2>${t.messages}</h2>${messages}${write}`;
  return renderLayout(ctx, t.followTitle(v.reference), body);
}

export function renderComplaintLookup(v: ComplaintLookupView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const notice = v.limited ? html`<p class="warn" role="alert">${t.tooMany}</p>` : v.failed ? html`<p class="warn" role="alert">${t.notFound}</p>` : '';
  const form = v.limited
    ? ''
    : html`<form method="get" action="${v.action}">${langField(lang)}<p><label for="rf">${t.reference}</label><input class="in sn" id="rf" name="reference" maxlength="20" required value="${v.reference}" autocapitalize="characters"></p><p><label for="l4">${t.last4}</label><input class="in" id="l4" name="phone" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" required></p><p><button type="submit">${t.find}</button></p></form>`;
  return renderLayout(ctx, t.lookupTitle, html`<h1>${t.lookupTitle}</h1><p>${t.lookupHint}</p>${notice}${form}`);
}
