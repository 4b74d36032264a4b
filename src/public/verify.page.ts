/**
 * The inspectors' code check: paste what a QR code holds (its URL or bare token) and see whether it
 * is genuine and still in use, which key signed it, what it stands for, its serial, check code and
 * issue date. For an unverified code the fields are shown as claims, never as facts.
 */
import { html, type SafeHtml } from '../shared/html.js';
import { hrefIn, langField, link, renderLayout } from './layout.js';
import type { CodeKind, Lang, PageContext, VerifyResultView, VerifyStatus, VerifyView } from './views.js';

const T = {
  zh: {
    title: '二维码核验',
    intro: '粘贴扫码得到的链接或码串，核验签名、签发密钥，以及是否仍在使用。',
    input: '二维码链接或码串',
    submit: '核验',
    result: '核验结果',
    statuses: {
      valid: ['有效', '平台签发，签名正确，且是该对象当前在用的码。'],
      revoked: ['已作废', '签名正确，但该对象已换发新码，此码不再使用。'],
      never_issued: ['平台未签发此码', '签名正确，但平台没有签发过这个序号（或记录已不存在）。可能是密钥泄露或数据回退，请上报。'],
      forged: ['签名不符，可能伪造', '这不是平台签发的码，或内容被改动过。'],
      unknown_key: ['未知密钥', '签发密钥不在平台的信任列表中：可能是伪造的，或该密钥已被撤销，需要换发新码。'],
      malformed: ['格式错误', '这不是码上监管的二维码内容，或复制不完整。'],
    } satisfies Record<VerifyStatus, [string, string]>,
    facts: '码中信息',
    claims: '码中声称的信息（未通过验证，不可信）',
    kid: '签名密钥编号',
    retired: '（已停用的旧密钥，所签的码仍然有效）',
    subject: '对象',
    unnamed: '（无此记录）',
    serial: '码序号',
    current: (n: number) => `（当前序号 ${n}）`,
    checkCode: '核对码',
    issuedOn: '签发日期',
    reason: '技术原因',
    kinds: { merchant: '商户码', scale: '计价秤码', market: '市场码', prices: '调控价格码' } satisfies Record<CodeKind, string>,
  },
  en: {
    title: 'Code verification',
    intro: "Paste the link or token a QR code holds to check its signature, the key that signed it, and whether it is still in use.",
    input: 'Code link or token',
    submit: 'Verify',
    result: 'Result',
    statuses: {
      valid: ['Valid', 'Issued by the platform, the signature holds, and it is the current code of its subject.'],
      revoked: ['Revoked', 'The signature holds, but the subject has been issued a newer code: this one is no longer in use.'],
      never_issued: ['Never issued', 'The signature holds, but the platform never issued this serial (or the record is gone). A leaked key or restored data may be the cause: report it.'],
      forged: ['Signature fails: possibly forged', 'The platform did not issue this code, or its content was altered.'],
      unknown_key: ['Unknown key', 'The signing key is not among the keys the platform trusts: it may be forged, or signed by a withdrawn key and must be reissued.'],
      malformed: ['Malformed', 'This is not a Mashang code, or it was copied incompletely.'],
    } satisfies Record<VerifyStatus, [string, string]>,
    facts: 'What the code says',
    claims: 'What the code claims (not verified, do not trust)',
    kid: 'Signing key id (kid)',
    retired: ' (retired key; its codes stay valid)',
    subject: 'Subject',
    unnamed: '(no such record)',
    serial: 'Code serial',
    current: (n: number) => ` (current serial ${n})`,
    checkCode: 'Check code',
    issuedOn: 'Issued on',
    reason: 'Technical reason',
    kinds: { merchant: 'Merchant code', scale: 'Scale code', market: 'Market code', prices: 'Controlled price list code' } satisfies Record<CodeKind, string>,
  },
} as const;

const BOX: Record<VerifyStatus, string> = { valid: 'ok', revoked: 'warn', never_issued: 'warn', forged: 'warn', unknown_key: 'warn', malformed: 'note' };

function resultSection(lang: Lang, r: VerifyResultView): SafeHtml {
  const t = T[lang];
  const [headline, explanation] = t.statuses[r.status];
  const trusted = r.status === 'valid' || r.status === 'revoked' || r.status === 'never_issued';
  const rows: SafeHtml[] = [];
  if (r.kid) rows.push(html`<dt>${t.kid}</dt><dd><span class="sn">${r.kid}</span>${trusted && r.keyRetired ? t.retired : ''}</dd>`);
  if (r.subject) {
    const s = r.subject;
    // An unverified code's subject is not looked up or linked: its id is only a claim.
    const name = trusted ? (s.name ? link(lang, s.href, s.name) : t.unnamed) : '';
    rows.push(html`<dt>${t.subject}</dt><dd>${t.kinds[s.kind]} · #${s.id} ${name}</dd>`);
  }
  if (r.serial !== null) rows.push(html`<dt>${t.serial}</dt><dd>${r.serial}${r.currentSerial != null && r.currentSerial !== r.serial ? t.current(r.currentSerial) : ''}</dd>`);
  if (r.checkCode) rows.push(html`<dt>${t.checkCode}</dt><dd class="sn">${r.checkCode}</dd>`);
  if (r.issuedOn) rows.push(html`<dt>${t.issuedOn}</dt><dd>${r.issuedOn}</dd>`);
  const facts = rows.length ? html`<h2>${trusted ? t.facts : t.claims}</h2><dl>${rows}</dl>` : '';
  const reason = r.reason ? html`<p><small>${t.reason}: <span class="sn">${r.reason}</span></small></p>` : '';
  return html`<h2>${t.result}</h2><p class="${BOX[r.status]}" role="status"><b class="lg">${headline}</b><br>${explanation}</p>${facts}${reason}`;
}

export function renderVerifyPage(v: VerifyView, ctx: PageContext): string {
  const lang = ctx.lang;
  const t = T[lang];
  // A GET form replaces the action's query, so the language travels as a field; a POST keeps it in the URL.
  const action = (v.method === 'get' ? hrefIn('zh', v.action) : hrefIn(lang, v.action)) ?? '';
  const form = html`<form method="${v.method}" action="${action}"><p><label for="code">${t.input}</label></p><textarea class="in sn" id="code" name="code" rows="4" maxlength="2000" required spellcheck="false" autocomplete="off">${v.input}</textarea>${v.method === 'get' ? langField(lang) : ''}<p><button type="submit">${t.submit}</button></p></form>`;
  const body = html`<h1>${t.title}</h1><p>${t.intro}</p>${form}${v.result ? resultSection(lang, v.result) : ''}`;
  return renderLayout({ ...ctx, checkCode: undefined, codeReplaced: false }, t.title, body);
}
