/**
 * The merchant page behind a 一户一码 code: who the merchant is, its credit stars and how they came
 * about, its integrity pledge, complaints, penalties and the scales it uses.
 */
import { html, type SafeHtml } from '../shared/html.js';
import { checkCodeBox, hrefIn, link, pick, renderLayout } from './layout.js';
import { complainBlock, lightShort, stars, verificationShort } from './parts.js';
import type { CreditEventView, Lang, MerchantView, PageContext } from './views.js';

const T = {
  zh: {
    title: (name: string) => `${name} · 商户信息`,
    uscc: '统一社会信用代码',
    noUscc: (entityType: string) => (entityType.includes('个体') ? '个体工商户，未办理' : '未办理'),
    legalRep: '法定代表人 / 经营者',
    entityType: '主体类型',
    status: '经营状态',
    statuses: { operating: '在营', suspended: '暂停营业', closed: '已歇业' },
    address: '地址',
    region: '所在区域',
    marketStall: '市场 · 摊位',
    stall: (s: string) => `${s} 号摊位`,
    scope: '经营范围',
    credit: '信用星级',
    noCredit: '信用评价尚未开展。',
    score: (score: number, asOf: string) => `信用分 ${score} 分 · 评定于 ${asOf}`,
    risk: (c: string) => `信用风险分类：${c} 类`,
    events: '信用加分 / 扣分记录',
    noEvents: '暂无加分或扣分记录。',
    points: (p: number) => (p >= 0 ? `加 ${p} 分` : `扣 ${-p} 分`),
    eventStatus: { counted: '已计入', under_objection: '申诉中' },
    reply: '商户回复：',
    pledge: '诚信经营承诺',
    noPledge: '尚未签署诚信经营承诺。',
    signed: (by: string, on: string) => `由 ${by} 于 ${on} 签署`,
    pledgeText: '查看承诺全文',
    complaints: '消费投诉',
    noComplaints: '消费投诉信息暂未公示。',
    complaintCounts: (c: { received: number; upheld: number; sinceYear: number }) => `${c.sinceYear} 年以来收到消费投诉 ${c.received} 件，经查属实 ${c.upheld} 件。`,
    penalties: '行政处罚',
    noPenalties: '无行政处罚记录。',
    decisionNo: '决定书文号',
    violation: '违法行为',
    penalty: '处罚内容',
    authority: '处罚机关',
    decidedOn: '处罚日期',
    scales: (n: number) => `在用电子秤（${n} 台）`,
    noScales: '暂无登记的电子秤。',
    rate: '评价电子秤',
  },
  en: {
    title: (name: string) => `${name} · Merchant`,
    uscc: 'Unified social credit code (USCC)',
    noUscc: (entityType: string) => (entityType.includes('个体') ? 'None (individual business, not registered)' : 'None'),
    legalRep: 'Legal representative / operator',
    entityType: 'Entity type',
    status: 'Status',
    statuses: { operating: 'Operating', suspended: 'Suspended', closed: 'Closed' },
    address: 'Address',
    region: 'Region',
    marketStall: 'Market · stall',
    stall: (s: string) => `stall ${s}`,
    scope: 'Business scope',
    credit: 'Credit rating',
    noCredit: 'No credit rating yet.',
    score: (score: number, asOf: string) => `Credit score ${score} · rated on ${asOf}`,
    risk: (c: string) => `Credit risk class: ${c}`,
    events: 'Credit bonus and deduction records',
    noEvents: 'No bonus or deduction records.',
    points: (p: number) => (p >= 0 ? `+${p} point${p === 1 ? '' : 's'}` : `−${-p} point${p === -1 ? '' : 's'}`),
    eventStatus: { counted: 'Counted', under_objection: 'Under objection' },
    reply: 'Merchant’s reply: ',
    pledge: 'Integrity pledge',
    noPledge: 'No integrity pledge signed yet.',
    signed: (by: string, on: string) => `Signed by ${by} on ${on}`,
    pledgeText: 'Read the pledge',
    complaints: 'Consumer complaints',
    noComplaints: 'Complaint figures are not published yet.',
    complaintCounts: (c: { received: number; upheld: number; sinceYear: number }) =>
      `Since ${c.sinceYear}: ${c.received} complaint${c.received === 1 ? '' : 's'} received, ${c.upheld} upheld.`,
    penalties: 'Administrative penalties',
    noPenalties: 'No administrative penalties.',
    decisionNo: 'Decision no.',
    violation: 'Violation',
    penalty: 'Penalty',
    authority: 'Authority',
    decidedOn: 'Decided on',
    scales: (n: number) => `Scales in use (${n})`,
    noScales: 'No scales registered.',
    rate: 'Rate a scale',
  },
} as const;

/** Paragraphs of stored text, one per line. */
const paragraphs = (text: string) =>
  text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => html`<p>${l}</p>`);

function creditEvent(lang: Lang, e: CreditEventView): SafeHtml {
  const t = T[lang];
  const title = pick(lang, e.title.zh, e.title.en || e.title.zh);
  const status = e.status === 'under_objection' ? html`<span class="amber">${t.eventStatus.under_objection}</span>` : t.eventStatus.counted;
  const reply = e.reply ? html`<small>${t.reply}${e.reply}</small>` : '';
  return html`<li><b class="${e.points >= 0 ? 'green' : 'red'}">${t.points(e.points)}</b> ${title}<small>${e.occurredOn} · ${status}</small>${reply}</li>`;
}

export function renderMerchantPage(m: MerchantView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const c = m.credit;

  const stall = [m.market ? link(lang, m.market.href, m.market.name) : '', m.stallNumber ? t.stall(m.stallNumber) : '', m.trade ?? '']
    .filter((x) => x !== '')
    .map((x, i) => (i ? html` · ${x}` : html`${x}`));
  const facts = html`<dl><dt>${t.uscc}</dt><dd class="sn">${m.uscc ?? t.noUscc(m.entityType)}</dd><dt>${t.legalRep}</dt><dd>${m.legalRep}</dd><dt>${t.entityType}</dt><dd>${m.entityType}</dd><dt>${t.status}</dt><dd>${m.status === 'operating' ? t.statuses.operating : html`<span class="red">${t.statuses[m.status]}</span>`}</dd><dt>${t.address}</dt><dd>${m.address}</dd><dt>${t.region}</dt><dd>${m.city} ${m.district}</dd>${stall.length ? html`<dt>${t.marketStall}</dt><dd>${stall}</dd>` : ''}${m.categories.length ? html`<dt>${t.scope}</dt><dd>${m.categories.join(pick(lang, '、', ', '))}</dd>` : ''}</dl>`;

  const credit = c
    ? html`<p class="big">${stars(lang, c.stars)}</p><p>${t.score(c.score, c.asOf)}${c.riskClass ? html`<br>${t.risk(c.riskClass)}` : ''}</p><h2>${t.events}</h2>${c.events.length ? html`<ul class="ls">${c.events.map((e) => creditEvent(lang, e))}</ul>` : html`<p>${t.noEvents}</p>`}`
    : html`<p class="grey">${t.noCredit}</p>`;

  const p = m.pledge;
  const pledge = p
    ? html`<p>${t.signed(p.signedBy, p.signedOn)}</p><details><summary>${t.pledgeText}</summary>${paragraphs(pick(lang, p.text.zh, p.text.en || p.text.zh))}</details>`
    : html`<p class="grey">${t.noPledge}</p>`;

  const complaints = m.complaints ? html`<p>${t.complaintCounts(m.complaints)}</p>` : html`<p class="grey">${t.noComplaints}</p>`;

  const penalties = m.penalties.length
    ? html`<ul class="ls">${m.penalties.map(
        (x) =>
          html`<li><dl><dt>${t.decisionNo}</dt><dd>${x.decisionNo}</dd><dt>${t.violation}</dt><dd>${x.violation}</dd><dt>${t.penalty}</dt><dd>${x.penalty}</dd><dt>${t.authority}</dt><dd>${x.authority}</dd><dt>${t.decidedOn}</dt><dd>${x.decidedOn}</dd></dl></li>`,
      )}</ul>`
    : html`<p>${t.noPenalties}</p>`;

  const scales = m.scales.length
    ? html`<ul class="ls">${m.scales.map((s) => {
        const info = html`<span class="nm sn">${s.serialNo}</span> ${s.manufacturer} ${s.model}<small>${verificationShort(lang, s.verification.status)} · ${lightShort(lang, s.light.light)}</small>`;
        const h = hrefIn(lang, s.href);
        return h ? html`<li><a href="${h}">${info}</a><a class="btn" href="${h}#rate">${t.rate}</a></li>` : html`<li>${info}</li>`;
      })}</ul>`
    : html`<p>${t.noScales}</p>`;

  const body = html`<h1>${m.name}</h1>${checkCodeBox(ctx)}${c ? html`<p>${t.credit} ${stars(lang, c.stars)}</p>` : ''}${facts}<h2>${t.credit}</h2>${credit}<h2>${t.pledge}</h2>${pledge}<h2>${t.complaints}</h2>${complaints}<h2>${t.penalties}</h2>${penalties}<h2>${t.scales(m.scales.length)}</h2>${scales}${complainBlock(lang, m.complainHref)}`;
  return renderLayout(ctx, t.title(m.name), body);
}
