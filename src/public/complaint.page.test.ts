import { describe, expect, it } from 'vitest';
import { renderComplaintFollow, renderComplaintForm, renderComplaintLookup, type ComplaintFollowView, type ComplaintFormView } from './complaint.page.js';
import type { PageContext } from './views.js';

const ctx = (over: Partial<PageContext> = {}): PageContext => ({ lang: 'zh', path: '/p/merchants/7/complaint', now: new Date('2026-11-23T02:00:00Z'), timeZone: 'Asia/Shanghai', ...over });

const formView = (over: Partial<ComplaintFormView> = {}): ComplaintFormView => ({
  action: '/p/merchants/7/complaint',
  backHref: '/p/merchants/7',
  merchantName: '阿海海鲜',
  place: '第一农贸市场 · A-12 号摊位',
  scaleSerialNo: null,
  scales: [
    { id: 3, serialNo: 'SN-0003' },
    { id: 4, serialNo: 'SN-0004' },
  ],
  values: {},
  problems: {},
  ...over,
});

const followView = (over: Partial<ComplaintFollowView> = {}): ComplaintFollowView => ({
  reference: 'TS2026112300001',
  merchantName: '阿海海鲜',
  scaleSerialNo: 'SN-0003',
  consumerPhone: '138****5678',
  content: '复称少了150克',
  saleAttached: true,
  receivedOn: '2026-11-23',
  status: 'mediating',
  refusalReason: null,
  mediationOutcome: null,
  outcomeNote: null,
  upheld: null,
  steps: [
    { step: 'acceptance', title: { zh: '受理或不予受理决定', en: 'Accept or refuse the complaint' }, state: 'done', deadline: '2026-12-02', doneOn: '2026-11-24', workingDaysLeft: null, overdue: false },
    { step: 'mediation', title: { zh: '调解终结', en: 'End mediation' }, state: 'running', deadline: '2027-02-01', doneOn: null, workingDaysLeft: 40, overdue: false },
    { step: 'termination_notice', title: { zh: '告知终止调解', en: 'Notify termination' }, state: 'not_started', deadline: null, doneOn: null, workingDaysLeft: null, overdue: false },
  ],
  pauses: [],
  messages: [{ at: '2026-11-24T02:00:00.000Z', author: 'merchant', body: '同意退还差价' }],
  followHref: '/p/complaints/TS2026112300001?phone=5678',
  messageAction: '/p/complaints/TS2026112300001/messages',
  last4: '5678',
  ...over,
});

describe('the complaint form', () => {
  it('posts the fields the service takes, offers the merchant’s scales, and needs no JavaScript', () => {
    const html = renderComplaintForm(formView(), ctx());
    expect(html).toContain('<form method="post" action="/p/merchants/7/complaint">');
    for (const name of ['consumerName', 'consumerPhone', 'content', 'receipt', 'scaleId']) expect(html).toContain(`name="${name}"`);
    expect(html).toContain('<option value="3">SN-0003</option>');
    expect(html).toContain('对商户和公众隐藏');
    expect(html).not.toContain('<script');
    expect(Buffer.byteLength(html)).toBeLessThan(14_000);
  });
  it('in English keeps the language through the post', () => {
    const html = renderComplaintForm(formView(), ctx({ lang: 'en' }));
    expect(html).toContain('action="/p/merchants/7/complaint?lang=en"');
    expect(html).toContain('<input type="hidden" name="lang" value="en">');
    expect(html).toContain('Make a complaint');
  });
  it('gives back what was typed, escaped, with each problem beside its field', () => {
    const html = renderComplaintForm(formView({ values: { consumerName: '<b>x</b>', content: '"</textarea><script>alert(1)</script>', scaleId: '4' }, problems: { consumerPhone: '请填写正确的11位手机号码。' } }), ctx());
    expect(html).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('aria-describedby="ph-e"');
    expect(html).toContain('<b class="red" id="ph-e">请填写正确的11位手机号码。</b>');
    expect(html).toContain('<option value="4" selected>SN-0004</option>');
  });
  it('from a scale page names the scale and offers no choice; when limited offers no form', () => {
    const scale = renderComplaintForm(formView({ scaleSerialNo: 'SN-0003', scales: [] }), ctx());
    expect(scale).toContain('SN-0003');
    expect(scale).not.toContain('name="scaleId"');
    const limited = renderComplaintForm(formView({ limited: true }), ctx());
    expect(limited).not.toContain('<form');
    expect(limited).toContain('12315');
  });
});

describe('the follow page', () => {
  it('shows the reference, the masked phone, the deadlines and the mediation, with a form to write', () => {
    const html = renderComplaintFollow(followView({ filed: true }), ctx({ path: '/p/complaints/TS2026112300001', query: { phone: '5678' } }));
    expect(html).toContain('投诉已提交。投诉编号 TS2026112300001。');
    expect(html).toContain('href="/p/complaints/TS2026112300001?phone=5678"');
    expect(html).toContain('138****5678');
    expect(html).toContain('已于 2026-11-24 完成');
    expect(html).toContain('应于 2027-02-01 前完成（还有 40 个工作日）');
    expect(html).toContain('同意退还差价');
    expect(html).toContain('<input type="hidden" name="phone" value="5678">');
    // The language switch keeps the digits, so the English page opens too.
    expect(html).toContain('href="/p/complaints/TS2026112300001?phone=5678&amp;lang=en"');
  });
  it('says a step is overdue in words, and takes no message once closed', () => {
    const steps = followView().steps.map((s) => (s.step === 'mediation' ? { ...s, overdue: true, workingDaysLeft: null } : s));
    const html = renderComplaintFollow(followView({ steps, status: 'closed', messageAction: null, mediationOutcome: 'agreement', upheld: true, outcomeNote: '商户退款' }), ctx({ lang: 'en' }));
    expect(html).toContain('Due by 2027-02-01: overdue');
    expect(html).toContain('The complaint was found justified.');
    expect(html).not.toContain('name="body"');
    expect(html).toContain('takes no more messages');
  });
  it('says the mediation clock is paused, why and since when, and lists the pauses with the days not counted', () => {
    const steps = followView().steps.map((s) => (s.step === 'mediation' ? { ...s, state: 'paused' as const, deadline: '2027-02-08' } : s));
    const pauses = [
      { kindLabel: { zh: '检测', en: 'Testing' }, reason: '样品送检<b>', startedOn: '2026-11-25', endedOn: '2026-11-27', workingDays: 3 },
      { kindLabel: { zh: '鉴定', en: 'Appraisal' }, reason: '委托鉴定', startedOn: '2026-12-01', endedOn: null, workingDays: 2 },
    ];
    const zh = renderComplaintFollow(followView({ steps, pauses }), ctx());
    expect(zh).toContain('调解暂停计时：鉴定（自 2026-12-01 起）');
    expect(zh).toContain('第二十一条');
    expect(zh).toContain('已暂停计时，期限顺延至 2027-02-08');
    expect(zh).toContain('检测：2026-11-25 至 2026-11-27（3 个工作日不计入）');
    expect(zh).toContain('样品送检&lt;b&gt;');
    const en = renderComplaintFollow(followView({ steps, pauses }), ctx({ lang: 'en' }));
    expect(en).toContain('Mediation clock paused: appraisal since 2026-12-01');
    expect(en).toContain('Testing: 2026-11-25 to 2026-11-27 (3 working days not counted)');
    // Nothing about pauses while there are none.
    expect(renderComplaintFollow(followView(), ctx())).not.toContain('暂停');
  });
  it('shows why a message was refused, keeping the draft', () => {
    const html = renderComplaintFollow(followView({ notice: { kind: 'invalid', text: '留言含有辱骂' }, draft: '原文<script>' }), ctx());
    expect(html).toContain('<p class="warn" role="alert">留言含有辱骂</p>');
    expect(html).toContain('原文&lt;script&gt;');
  });
});

describe('the look-up page', () => {
  it('asks for the reference and four digits, and says plainly when they do not match or are tried too often', () => {
    expect(renderComplaintLookup({ action: '/p/complaints', reference: '' }, ctx())).toContain('name="phone"');
    expect(renderComplaintLookup({ action: '/p/complaints', reference: 'TS1', failed: true }, ctx())).toContain('没有找到');
    const limited = renderComplaintLookup({ action: '/p/complaints', reference: 'TS1', limited: true }, ctx({ lang: 'en' }));
    expect(limited).toContain('Too many failed tries');
    expect(limited).not.toContain('<form');
  });
});
