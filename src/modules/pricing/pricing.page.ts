/**
 * The public price page behind a price tag's QR code: the city's controlled prices in force, per
 * kg and per 500 g (斤). Server-rendered, no JavaScript, a few KB, large type; Chinese by default,
 * English with ?lang=en. Everything from the database is escaped by `html`.
 */
import { html, raw, type SafeHtml } from '../../shared/html.js';
import { formatYuan, perHalfKgFen, PRODUCT_CATEGORIES, type ProductCategory } from './pricing.rules.js';
import type { SnapshotCity, SnapshotList } from './pricing.snapshot.js';

export type Lang = 'zh' | 'en';
export const langOf = (q: string | undefined): Lang => (q === 'en' ? 'en' : 'zh');

const T = {
  zh: {
    title: (c: SnapshotCity) => `${c.name}调控价格`,
    heading: '调控价格',
    version: (v: number) => `第${v}版`,
    period: (from: string, to: string | null) => (to ? `${from} 至 ${to}` : `${from} 起执行`),
    periodLabel: '执行期',
    issuer: '发布单位',
    publishedAt: '发布时间',
    product: '品名 / 规格',
    cap: '最高限价',
    perKg: '/公斤',
    perJin: '/斤(500克)',
    none: '本市目前没有生效的调控价格。',
    unknownCity: '未找到该城市的调控价格',
    unknownCityText: '二维码对应的城市不存在，请核对价签上的二维码。',
    note: '经营者销售价格不得高于调控价格。电子秤按“元/公斤”计价，1斤 = 500克。',
    complain: raw('发现超调控价格销售、缺斤短两等问题，请拨打 <a href="tel:12315">12315</a> 或登录全国12315平台 <a href="https://www.12315.cn">www.12315.cn</a> 投诉举报，请保留购物小票。'),
    switchLabel: 'English',
    updated: '页面更新于',
  },
  en: {
    title: (c: SnapshotCity) => `Controlled prices · ${c.nameEn || c.name}`,
    heading: 'Controlled prices',
    version: (v: number) => `Version ${v}`,
    period: (from: string, to: string | null) => (to ? `${from} to ${to}` : `from ${from}`),
    periodLabel: 'In force',
    issuer: 'Published by',
    publishedAt: 'Published',
    product: 'Product / grade',
    cap: 'Highest price',
    perKg: ' per kg',
    perJin: ' per jin (500 g)',
    none: 'No controlled price list is in force in this city now.',
    unknownCity: 'No controlled prices for this city',
    unknownCityText: 'The QR code names a city we do not know. Please check the code on the price tag.',
    note: 'Sellers may not charge more than these caps. Scales price per kilogram; one jin (斤) is 500 g.',
    complain: raw('Overcharged or given short weight? Call <a href="tel:12315">12315</a> or complain at <a href="https://www.12315.cn">www.12315.cn</a>, and keep your receipt.'),
    switchLabel: '中文',
    updated: 'Page updated',
  },
} as const;

const CSS =
  'body{margin:0;font:20px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#111;background:#fff}' +
  'main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:1.4rem 0 .3rem;border-bottom:3px solid #c00;padding-bottom:.2rem}' +
  '.top{text-align:right}.lang{display:inline-block;font-size:1.1rem;padding:.3rem .8rem;border:2px solid #036;border-radius:.4rem;color:#036;text-decoration:none;white-space:nowrap}' +
  'dl{margin:.5rem 0;font-size:1.05rem}dt{float:left;clear:left;color:#555;margin-right:.5rem}dd{margin:0}' +
  'table{width:100%;border-collapse:collapse}th{text-align:left;font-size:.95rem;color:#555;font-weight:normal;padding:.2rem 0}td{padding:.55rem 0;border-top:1px solid #ddd;vertical-align:top}' +
  '.n{text-align:right;white-space:nowrap;padding-left:.6rem}.p{font-size:1.35rem;font-weight:700}.s{display:block;font-size:.95rem;color:#555}.j{font-size:1.15rem;font-weight:700;color:#333}.u{font-size:.9rem;color:#555}' +
  '.note{margin-top:1.5rem;padding:.8rem;background:#fff6e0;border-left:5px solid #e90;font-size:1.05rem}.note p{margin:.3rem 0}a{color:#036}footer{margin-top:1rem;font-size:.9rem;color:#666}';

const formatters = new Map<string, Intl.DateTimeFormat>();
/** "2026-06-01 00:00" in the platform's time zone. */
export function formatLocal(d: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

function frame(lang: Lang, title: string, switchHref: string, body: SafeHtml, footer: SafeHtml | string): string {
  const t = T[lang];
  return (
    '<!doctype html>' +
    html`<html lang="${lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${raw(CSS)}</style></head>` +
    html`<body><main><nav class="top"><a class="lang" href="${switchHref}" hreflang="${lang === 'en' ? 'zh' : 'en'}">${t.switchLabel}</a></nav>${body}<footer>${footer}</footer></main></body></html>`
  );
}

export interface PricePageInput {
  city: SnapshotCity;
  list: SnapshotList | null;
  lang: Lang;
  now: Date;
  timeZone: string;
  /** The page's own path, for the language switch. */
  path: string;
}

/** The page for a known city: its list in force now, or a plain statement that there is none. */
export function renderPricePage(p: PricePageInput): string {
  const t = T[p.lang];
  const en = p.lang === 'en';
  const switchHref = en ? p.path : `${p.path}?lang=en`;
  const when = (d: Date) => formatLocal(d, p.timeZone);
  // In English the Chinese name stays, under the English one, for pointing at the stall's sign.
  const spec = (it: { name: string; nameEn: string; spec: string }) => {
    const line = [en && it.nameEn ? it.name : '', it.spec].filter(Boolean).join(' · ');
    return line ? html`<span class="s">${line}</span>` : '';
  };
  let body: SafeHtml;
  if (!p.list) {
    body = html`<h1>${t.title(p.city)}</h1><p>${t.none}</p>`;
  } else {
    const l = p.list;
    const groups = new Map<string, typeof l.items>();
    for (const it of l.items) groups.set(it.category, [...(groups.get(it.category) ?? []), it]);
    const sections = [...groups].map(([category, items]) => {
      const label = PRODUCT_CATEGORIES[category as ProductCategory] ?? { zh: category, en: category };
      return html`<h2>${en ? `${label.en} ${label.zh}` : label.zh}</h2><table><thead><tr><th>${t.product}</th><th class="n">${t.cap}</th></tr></thead><tbody>${items.map(
        (it) =>
          html`<tr><td><b>${en && it.nameEn ? it.nameEn : it.name}</b>${spec(it)}</td><td class="n"><span class="p">¥${formatYuan(it.capFenPerKg)}</span><span class="u">${t.perKg}</span><br><span class="j">¥${formatYuan(perHalfKgFen(it.capFenPerKg))}</span><span class="u">${t.perJin}</span></td></tr>`,
      )}</tbody></table>`;
    });
    body = html`<h1>${t.title(p.city)}</h1><p><b>${l.title}</b> · ${t.version(l.version)}</p><dl><dt>${t.periodLabel}</dt><dd>${t.period(when(l.effectiveFrom), l.effectiveTo ? when(l.effectiveTo) : null)}</dd><dt>${t.issuer}</dt><dd>${l.issuer}</dd><dt>${t.publishedAt}</dt><dd>${when(l.publishedAt)}</dd></dl>${l.note ? html`<p>${l.note}</p>` : ''}${sections}`;
  }
  body = html`${body}<div class="note"><p>${t.note}</p><p>${t.complain}</p></div>`;
  return frame(p.lang, t.title(p.city), switchHref, body, `${t.updated} ${when(p.now)}`);
}

/** The answer for a code that names no city: still a page a person can read, with status 404. */
export function renderUnknownCity(lang: Lang, path: string): string {
  const t = T[lang];
  return frame(lang, t.unknownCity, lang === 'en' ? path : `${path}?lang=en`, html`<h1>${t.unknownCity}</h1><p>${t.unknownCityText}</p><div class="note"><p>${t.complain}</p></div>`, '');
}
