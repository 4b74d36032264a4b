/**
 * The market page behind the code at a market's entrance: every merchant and scale in it, with a
 * search by stall number, name or trade. Lists are compact one-tap rows; the loader cuts them at a
 * size that keeps the page small (`truncated`), and the page then asks the reader to search.
 */
import { html, type SafeHtml } from '../shared/html.js';
import { checkCodeBox, hrefIn, langField, pagePath, renderLayout } from './layout.js';
import { lightShort, stars, verificationShort } from './parts.js';
import type { Lang, MarketView, PageContext } from './views.js';

const T = {
  zh: {
    title: (name: string) => `${name} · 商户与电子秤`,
    address: '地址',
    managingOrg: '市场开办方 / 管理方',
    region: '区域',
    totals: (m: number, s: number) => `本市场共有 ${m} 户商户、${s} 台电子秤。`,
    prices: '查看本市调控价格',
    search: '按摊位号、商户名称或经营品类查找',
    searchButton: '查找',
    results: (q: string, m: number, s: number) => `“${q}”的查找结果：${m} 户商户，${s} 台电子秤。`,
    showAll: '显示全部',
    truncated: '列表太长，只显示了一部分。请用上面的查找框，按摊位号或商户名称查找。',
    merchants: (n: number) => `商户（${n}）`,
    scales: (n: number) => `电子秤（${n}）`,
    noMerchants: '没有找到商户。',
    noScales: '没有找到电子秤。',
    stall: (s: string) => `${s} 号摊位`,
  },
  en: {
    title: (name: string) => `${name} · Merchants and scales`,
    address: 'Address',
    managingOrg: 'Market operator',
    region: 'Region',
    totals: (m: number, s: number) => `This market has ${m} merchant${m === 1 ? '' : 's'} and ${s} scale${s === 1 ? '' : 's'}.`,
    prices: 'See the city’s controlled prices',
    search: 'Find by stall number, merchant name or trade',
    searchButton: 'Find',
    results: (q: string, m: number, s: number) => `Results for “${q}”: ${m} merchant${m === 1 ? '' : 's'}, ${s} scale${s === 1 ? '' : 's'}.`,
    showAll: 'Show all',
    truncated: 'The list is long and only part of it is shown. Use the search box above to find a stall number or merchant name.',
    merchants: (n: number) => `Merchants (${n})`,
    scales: (n: number) => `Scales (${n})`,
    noMerchants: 'No merchants found.',
    noScales: 'No scales found.',
    stall: (s: string) => `Stall ${s}`,
  },
} as const;

/** A one-tap row: the whole row links when there is a safe href. */
const row = (lang: Lang, href: string | null, content: SafeHtml): SafeHtml => {
  const h = hrefIn(lang, href);
  return h ? html`<li><a href="${h}">${content}</a></li>` : html`<li>${content}</li>`;
};

/** Joins the present parts with " · ". */
const dotted = (parts: (SafeHtml | string | null)[]): SafeHtml[] =>
  parts.filter((x): x is SafeHtml | string => x !== null && x !== '').map((x, i) => (i ? html` · ${x}` : html`${x}`));

export function renderMarketPage(m: MarketView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  const q = m.q.trim();

  const facts = html`<dl><dt>${t.address}</dt><dd>${m.address}</dd><dt>${t.managingOrg}</dt><dd>${m.managingOrg}</dd><dt>${t.region}</dt><dd>${m.city} ${m.district}</dd></dl>`;
  const prices = hrefIn(lang, m.pricesHref);

  const search = html`<form method="get" action="${pagePath(ctx)}" role="search"><p><label for="q">${t.search}</label></p><div class="row"><input class="in" type="search" id="q" name="q" value="${q}" maxlength="50"><button type="submit">${t.searchButton}</button></div>${langField(lang)}</form>`;
  const results = q
    ? html`<p>${t.results(q, m.merchants.length, m.scales.length)} <a href="${lang === 'en' ? `${pagePath(ctx)}?lang=en` : pagePath(ctx)}">${t.showAll}</a></p>`
    : '';

  const merchants = m.merchants.length
    ? html`<ul class="ls">${m.merchants.map((x) =>
        row(lang, x.href, html`${x.stallNumber ? html`<b>${x.stallNumber}</b> ` : ''}<span class="nm">${x.name}</span>${x.trade || x.stars !== null ? html`<small>${dotted([x.trade, x.stars === null ? null : stars(lang, x.stars)])}</small>` : ''}`),
      )}</ul>`
    : html`<p>${t.noMerchants}</p>`;

  const scales = m.scales.length
    ? html`<ul class="ls">${m.scales.map((x) =>
        row(lang, x.href, html`<span class="nm sn">${x.serialNo}</span> ${dotted([x.model, x.stallNumber ? t.stall(x.stallNumber) : x.merchantName])}<small>${verificationShort(lang, x.verification)} · ${lightShort(lang, x.light)}</small>`),
      )}</ul>`
    : html`<p>${t.noScales}</p>`;

  const body = html`<h1>${m.name}</h1>${checkCodeBox(ctx)}${facts}<p>${t.totals(m.totals.merchants, m.totals.scales)}</p>${prices ? html`<p class="bar"><a class="btn" href="${prices}">${t.prices}</a></p>` : ''}${search}${results}${m.truncated ? html`<p class="note">${t.truncated}</p>` : ''}<h2>${t.merchants(m.merchants.length)}</h2>${merchants}<h2>${t.scales(m.scales.length)}</h2>${scales}`;
  return renderLayout(ctx, t.title(m.name), body);
}
