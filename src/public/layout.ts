/**
 * The frame every public scan page shares: document head, one small inline style sheet, the
 * language switch, the check code and the footer; plus the href rules every page follows.
 * No JavaScript, no external assets: the page must work on any phone, with scripts off.
 */
import { html, raw, type SafeHtml } from '../shared/html.js';
import type { Lang, PageContext } from './views.js';

// Sizes are in em of the 20 px body, so nothing readable is below 18 px (.9em); tap targets are
// at least 44 px high; `overflow-wrap:anywhere` keeps long serials and URLs from widening a 320 px page.
const CSS =
  '*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}' +
  'body{margin:0;font:20px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#111;background:#fff;overflow-wrap:anywhere}' +
  'main{max-width:40rem;margin:0 auto;padding:.6em 1em 1.5em}h1{font-size:1.6em;line-height:1.25;margin:.2em 0}' +
  'h2{font-size:1.25em;margin:1.4em 0 .4em;border-bottom:3px solid #c00;padding-bottom:.15em}p{margin:.5em 0}a{color:#036}small{font-size:.9em;color:#444}' +
  '.top{text-align:right}.lang,.btn{display:inline-block;min-height:44px;padding:.35em .9em;border:2px solid #036;border-radius:.4em;text-decoration:none;font-weight:700}' +
  '.btn{background:#036;color:#fff}.bar{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}' +
  'dl{margin:.4em 0}dt{color:#444;font-size:.9em;margin-top:.6em}dd{margin:0}' +
  '.cc{border:2px dashed #036;padding:.3em .6em;margin:.6em 0}.cc b,.sn{font-family:ui-monospace,Menlo,Consolas,monospace}.cc b{font-size:1.5em;letter-spacing:.12em}' +
  '.big{font-size:1.7em;font-weight:700}.lg{font-size:1.3em}.st{color:#a05a00}' +
  '.red{color:#b00000;font-weight:700}.amber{color:#8a4500;font-weight:700}.green{color:#05652b;font-weight:700}.grey{color:#555}' +
  '.warn,.ok,.note{padding:.5em .8em;margin:.8em 0;border-left:6px solid #b00000;background:#fdeaea}.ok{border-color:#05652b;background:#e8f5ec}.note{border-color:#e90;background:#fff6e0}' +
  '.ls{list-style:none;padding:0;margin:.4em 0}.ls li{border-top:1px solid #ccc;padding:.45em 0;min-height:44px}.ls li>a{display:block;color:#111;text-decoration:none;min-height:44px}.ls .btn{display:inline-block;color:#fff;margin-top:.3em}' +
  '.nm{color:#036;text-decoration:underline;font-weight:700}.ls small{display:block}' +
  'details{margin:.4em 0}summary{min-height:44px;padding:.4em 0;color:#036;cursor:pointer}' +
  'input,textarea,button{font:inherit}.in{width:100%;min-height:44px;padding:.3em .5em;border:2px solid #555;border-radius:.3em}' +
  'button{min-height:44px;padding:.35em 1.2em;border:0;border-radius:.4em;background:#036;color:#fff;font-weight:700}' +
  '.row{display:flex;gap:.5em}.row .in{flex:1;min-width:0}fieldset{border:0;padding:0;margin:1em 0}legend{font-weight:700;padding:0}' +
  '.opt{display:inline-flex;align-items:center;gap:.4em;min-height:44px;margin-right:1.2em}input[type=radio]{width:1.4em;height:1.4em;margin:0}' +
  '.s5{display:flex;gap:.35em}.s5 label{flex:1;position:relative}.s5 input{position:absolute;opacity:0}' +
  '.s5 span{display:block;text-align:center;line-height:2.3;border:2px solid #036;border-radius:.4em;font-size:1.2em;color:#036}' +
  '.s5 input:checked+span{background:#036;color:#fff}.s5 input:focus-visible+span{outline:3px solid #e90;outline-offset:2px}' +
  'footer{margin-top:1.5em;border-top:1px solid #ccc;font-size:.9em;color:#444}footer a{display:inline-block;padding:.5em 0}';

const T = {
  zh: {
    switchLabel: 'English',
    platform: '码上监管',
    updated: '页面更新于',
    hotline: raw('消费投诉举报热线 <a href="tel:12315">12315</a>'),
    checkCode: '核对码',
    checkCodeHint: '应与二维码下方印的核对码一致，不一致请勿相信本页面。',
    replaced: '此码已作废：这张二维码已被新码替换，不再使用。请向摊主索取当前的二维码，或向市场管理处、12315 反映。',
  },
  en: {
    switchLabel: '中文',
    platform: 'Mashang (码上监管)',
    updated: 'Page updated',
    hotline: raw('Consumer hotline <a href="tel:12315">12315</a>'),
    checkCode: 'Check code',
    checkCodeHint: 'It should match the code printed under the QR sticker. If it does not, do not trust this page.',
    replaced:
      'This code is void: the sticker has been replaced and is no longer in use. Ask the stall for its current code, or report it to the market office or 12315.',
  },
} as const;

/** Picks the text for the page's language. */
export const pick = <V>(lang: Lang, zh: V, en: V): V => (lang === 'en' ? en : zh);

// ---------------------------------------------------------------- hrefs

const UNSAFE_HREF = /[\s\u0000-\u001f\u007f\\]/;

/**
 * The href if it is a site path (`/…`, not the protocol-relative `//…`) or an `https://` URL,
 * else null: the caller then renders text without a link.
 */
export function safeHref(href: string | null | undefined): string | null {
  if (!href || UNSAFE_HREF.test(href)) return null;
  if (/^https:\/\/./i.test(href)) return href;
  return href.startsWith('/') && !href.startsWith('//') ? href : null;
}

/** A safe href that keeps the reader's language: site paths get `lang=en` in English. */
export function hrefIn(lang: Lang, href: string | null | undefined): string | null {
  const h = safeHref(href);
  if (!h || lang === 'zh' || !h.startsWith('/') || /[?&]lang=/.test(h)) return h;
  const hash = h.indexOf('#');
  const base = hash < 0 ? h : h.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}lang=en${hash < 0 ? '' : h.slice(hash)}`;
}

/** `<a>` to a safe href in the reader's language, or the bare content when there is none. */
export function link(lang: Lang, href: string | null | undefined, content: unknown): SafeHtml {
  const h = hrefIn(lang, href);
  return h ? html`<a href="${h}">${content}</a>` : html`${content}`;
}

/** The request path, or `/` when it is not a plain site path. */
const ownPath = (path: string): string => (safeHref(path)?.startsWith('/') ? path.split(/[?#]/)[0]! : '/');

/** The same page in the other language, keeping the other query parameters (e.g. `q`). */
export function switchHref(ctx: PageContext): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query ?? {})) if (k !== 'lang') params.set(k, v);
  if (ctx.lang === 'zh') params.set('lang', 'en');
  const qs = params.toString();
  return qs ? `${ownPath(ctx.path)}?${qs}` : ownPath(ctx.path);
}

/** The current page path, e.g. for a GET form's action (its query is replaced by the form's fields). */
export const pagePath = (ctx: PageContext): string => ownPath(ctx.path);

/** A hidden `lang` field for GET forms, whose action query the browser drops. */
export const langField = (lang: Lang): SafeHtml | '' => (lang === 'en' ? raw('<input type="hidden" name="lang" value="en">') : '');

// ---------------------------------------------------------------- formatting

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-06-01 08:00" in the given time zone. */
export function formatLocal(d: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// ---------------------------------------------------------------- pieces

/** The check code box, for just under the page's heading; nothing when the scan has none. */
export function checkCodeBox(ctx: PageContext): SafeHtml | '' {
  if (!ctx.checkCode) return '';
  const t = T[ctx.lang];
  return html`<p class="cc">${t.checkCode} <b>${ctx.checkCode}</b><br><small>${t.checkCodeHint}</small></p>`;
}

/** The whole document around a page's body. */
export function renderLayout(ctx: PageContext, title: string, body: SafeHtml): string {
  const t = T[ctx.lang];
  const en = ctx.lang === 'en';
  const replaced = ctx.codeReplaced ? html`<p class="warn" role="alert">${t.replaced}</p>` : '';
  const head = html`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${raw(CSS)}</style></head>`;
  const nav = html`<nav class="top"><a class="lang" href="${switchHref(ctx)}" hreflang="${en ? 'zh' : 'en'}">${t.switchLabel}</a></nav>`;
  const footer = html`<footer><p>${t.platform} · ${t.updated} ${formatLocal(ctx.now, ctx.timeZone)}<br>${t.hotline}</p></footer>`;
  return '<!doctype html>' + html`<html lang="${en ? 'en' : 'zh-CN'}">${head}<body><main>${nav}${replaced}${body}${footer}</main></body></html>`.value;
}
