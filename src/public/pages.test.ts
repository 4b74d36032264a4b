import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hrefIn, safeHref, switchHref } from './layout.js';
import { renderMarketPage } from './market.page.js';
import { renderMerchantPage } from './merchant.page.js';
import { renderNoticePage } from './notice.page.js';
import { renderScalePage } from './scale.page.js';
import { renderVerifyPage } from './verify.page.js';
import type { Lang, MarketView, MerchantView, NoticeKind, PageContext, ScaleView, VerificationView, VerifyResultView, VerifyStatus } from './views.js';

const NOW = new Date('2026-06-01T00:30:00Z');
const ctx = (lang: Lang, extra: Partial<PageContext> = {}): PageContext => ({ lang, path: '/m/42', now: NOW, timeZone: 'Asia/Shanghai', ...extra });
const gz = (s: string) => gzipSync(s).length;
const HOSTILE = '<script>alert("x")</script>';

const valid: VerificationView = { status: 'valid', validUntil: '2027-03-31', verifiedOn: '2026-04-01', institution: '三亚市计量检定测试所', certificateNo: 'JD-2026-0401-17' };
const expired: VerificationView = { ...valid, status: 'expired', validUntil: '2026-03-31' };

function merchant(over: Partial<MerchantView> = {}): MerchantView {
  return {
    name: '三亚新鸿港海鲜经营部',
    legalRep: '梅丽华',
    entityType: '个体工商户',
    uscc: '92460200MA5T8XXX1K',
    address: '海南省三亚市吉阳区新鸿港市场 A 区 12 号',
    status: 'operating',
    market: { name: '新鸿港市场', href: '/k/7' },
    stallNumber: 'A-12',
    trade: '海鲜',
    district: '吉阳区',
    city: '三亚市',
    categories: ['鲜活海鲜', '冰鲜水产'],
    credit: {
      score: 92,
      stars: 4,
      asOf: '2026-05-01',
      events: [
        { title: { zh: '按时签署诚信经营承诺', en: 'Signed the integrity pledge on time' }, points: 3, occurredOn: '2026-04-02', status: 'counted' },
        { title: { zh: '未明码标价', en: 'Prices not displayed' }, points: -5, occurredOn: '2026-04-20', status: 'under_objection', reply: '价签被风吹落，已补上。' },
      ],
    },
    pledge: { signedBy: '梅丽华', signedOn: '2026-03-01', text: { zh: '我承诺诚信经营。\n足斤足两。', en: 'I pledge to trade honestly.\nFull weight.' } },
    complaints: { received: 3, upheld: 1, sinceYear: 2025 },
    penalties: [{ decisionNo: '三市监罚〔2025〕12号', violation: '使用未经检定的计量器具', penalty: '警告，罚款 1000 元', authority: '三亚市市场监督管理局', decidedOn: '2025-08-09' }],
    scales: [{ serialNo: 'SN20260001', manufacturer: '上海寺冈', model: 'TM-30', verification: expired, light: { light: 'green', ratings: 12, inaccurate: 1 }, href: '/s/300' }],
    complainHref: '/complain?m=42',
    ...over,
  };
}

function scale(over: Partial<ScaleView> = {}): ScaleView {
  return {
    serialNo: 'SN20260001',
    manufacturer: '上海寺冈',
    model: 'TM-30',
    accuracyClass: 'Ⅲ',
    maxCapacityG: 30000,
    divisionG: 10,
    typeApprovalNo: '2019F123-31',
    isIot: true,
    city: '三亚市',
    district: '吉阳区',
    market: { name: '新鸿港市场', href: '/k/7' },
    stallNumber: 'A-12',
    merchant: { name: '三亚新鸿港海鲜经营部', href: '/m/42' },
    verification: expired,
    light: { light: 'red', ratings: 20, inaccurate: 9 },
    rating: { action: '/s/300/rate' },
    complainHref: null,
    ...over,
  };
}

// Long, varied Chinese names: gzip finds little to share between them, as with real data.
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘';
const WORDS = ['海鲜', '水产', '鲜活', '冰鲜', '干货', '水果', '蔬菜', '肉类', '禽蛋', '调味', '粮油', '特产', '贝类', '虾蟹', '鱼档', '椰子'];
const name = (i: number) => `三亚市吉阳区${SURNAMES[i % SURNAMES.length]}${SURNAMES[(i * 7) % SURNAMES.length]}${WORDS[i % WORDS.length]}${WORDS[(i * 5 + 3) % WORDS.length]}经营部（第${i}号）`;
const STATUSES = ['valid', 'expiring', 'expired', 'failed', 'unverified'] as const;
const LIGHTS = ['none', 'green', 'yellow', 'red'] as const;

function bigMarket(): MarketView {
  return {
    name: '三亚市新鸿港农贸市场（海鲜广场）',
    address: '海南省三亚市吉阳区新风街 128 号',
    managingOrg: '三亚农投集团市场管理有限公司',
    district: '吉阳区',
    city: '三亚市',
    q: '',
    merchants: Array.from({ length: 150 }, (_, i) => ({ name: name(i), stallNumber: `${'ABCDEF'[i % 6]}-${100 + i}`, trade: WORDS[i % WORDS.length]!, stars: i % 6 === 5 ? null : i % 6, href: `/m/${10_000 + i * 37}` })),
    scales: Array.from({ length: 250 }, (_, i) => ({
      serialNo: `TS${(20_250_000 + i * 7919).toString(36).toUpperCase()}${i}`,
      model: ['ACS-15', 'TM-30A', 'DH-6C', 'UPC-II 30kg'][i % 4]!,
      merchantName: name(i % 150),
      stallNumber: `${'ABCDEF'[i % 6]}-${100 + (i % 150)}`,
      verification: STATUSES[i % 5]!,
      light: LIGHTS[i % 4]!,
      href: `/s/${50_000 + i * 13}`,
    })),
    totals: { merchants: 150, scales: 250 },
    truncated: false,
    pricesHref: '/p/prices/460200',
  };
}

function bigMerchant(): MerchantView {
  const m = merchant();
  return {
    ...m,
    name: name(7),
    credit: {
      score: 78,
      stars: 3,
      asOf: '2026-05-01',
      riskClass: 'B',
      events: Array.from({ length: 30 }, (_, i) => ({
        title: { zh: `${WORDS[i % WORDS.length]}区域检查：${i % 2 ? '未按规定使用物联网溯源电子秤称重结算' : '主动公示调控价格并规范明码标价'}（第${i}项）`, en: `Inspection item ${i}` },
        points: i % 2 ? -(i % 7) - 1 : (i % 5) + 1,
        occurredOn: `2026-0${(i % 5) + 1}-${String((i % 27) + 1).padStart(2, '0')}`,
        status: i % 4 === 0 ? 'under_objection' : 'counted',
        ...(i % 3 === 0 ? { reply: `已整改，${name(i)}承诺今后严格执行。` } : {}),
      })),
    },
    penalties: Array.from({ length: 5 }, (_, i) => ({ decisionNo: `三市监罚〔2025〕${100 + i}号`, violation: `使用不合格计量器具（第${i}次）`, penalty: `罚款 ${(i + 1) * 1000} 元`, authority: '三亚市市场监督管理局吉阳分局', decidedOn: `2025-0${i + 1}-15` })),
    scales: Array.from({ length: 20 }, (_, i) => ({
      serialNo: `TS${(30_000_000 + i * 104_729).toString(36).toUpperCase()}`,
      manufacturer: ['上海寺冈电子有限公司', '梅特勒-托利多（常州）称重设备系统有限公司', '厦门顶尖电子有限公司'][i % 3]!,
      model: `ACS-${15 + i}`,
      verification: { ...valid, status: STATUSES[i % 5]! },
      light: { light: LIGHTS[i % 4]!, ratings: i * 3, inaccurate: i },
      href: `/s/${900 + i}`,
    })),
  };
}

describe('merchant page', () => {
  it('shows the record in Chinese', () => {
    const page = renderMerchantPage(merchant(), ctx('zh', { checkCode: 'WH5FDP' }));
    for (const s of ['<h1>三亚新鸿港海鲜经营部</h1>', '统一社会信用代码', '92460200MA5T8XXX1K', '法定代表人', '梅丽华', '主体类型', '个体工商户', '地址', '市场 · 摊位', 'A-12', '经营范围', '鲜活海鲜、冰鲜水产'])
      expect(page).toContain(s);
    expect(page).toContain('★★★★☆');
    expect(page).toContain('4 星');
    expect(page).toContain('信用分 92 分');
    expect(page).toContain('信用加分 / 扣分记录');
    expect(page).toContain('加 3 分');
    expect(page).toContain('扣 5 分');
    expect(page).toContain('申诉中');
    expect(page).toContain('商户回复：价签被风吹落，已补上。');
    expect(page).toMatch(/诚信经营承诺.*由 梅丽华 于 2026-03-01 签署.*<details><summary>查看承诺全文<\/summary><p>我承诺诚信经营。<\/p><p>足斤足两。<\/p><\/details>/);
    expect(page).toContain('2025 年以来收到消费投诉 3 件，经查属实 1 件');
    expect(page).toContain('三市监罚〔2025〕12号');
    expect(page).toContain('在用电子秤（1 台）');
    expect(page).toContain('href="/s/300"');
    expect(page).toContain('href="/s/300#rate">评价电子秤</a>');
    expect(page).toContain('href="/complain?m=42">我要投诉</a>');
    expect(page).toContain('检定已过期');
    expect(page).toContain('href="/k/7">新鸿港市场</a>');
    expect(page).toContain('核对码 <b>WH5FDP</b>');
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('href="/m/42?lang=en" hreflang="en">English</a>');
    expect(page).toContain('页面更新于 2026-06-01 08:30');
    expect(page).toContain('tel:12315');
  });

  it('shows every label in English, keeps record data as stored, and links in English', () => {
    const page = renderMerchantPage(merchant(), ctx('en', { checkCode: 'WH5FDP' }));
    for (const s of ['Unified social credit code', 'Legal representative / operator', 'Entity type', 'Address', 'Market · stall', 'Business scope', 'Credit rating', '4 stars', 'Credit bonus and deduction records', '+3 points', '−5 points', 'Under objection', 'Merchant’s reply: 价签被风吹落', 'Integrity pledge', 'Signed by 梅丽华 on 2026-03-01', 'I pledge to trade honestly.', 'Since 2025: 3 complaints received, 1 upheld.', 'Administrative penalties', 'Scales in use (1)', 'Rate a scale', 'Complain', 'Check code <b>WH5FDP</b>', 'Page updated 2026-06-01 08:30'])
      expect(page).toContain(s);
    expect(page).toContain('三亚新鸿港海鲜经营部');
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('href="/s/300?lang=en#rate"');
    expect(page).toContain('href="/complain?m=42&amp;lang=en"');
    expect(page).toContain('href="/m/42" hreflang="zh">中文</a>');
    expect(page).not.toMatch(/信用加分|我要投诉|页面更新于|统一社会信用代码/);
  });

  it('states what is missing: no credit rating, no USCC, no pledge, no complaint figures, no penalties; hotline only', () => {
    const m = merchant({ credit: null, uscc: null, pledge: null, complaints: null, penalties: [], scales: [], complainHref: null });
    const zh = renderMerchantPage(m, ctx('zh'));
    for (const s of ['信用评价尚未开展', '个体工商户，未办理', '尚未签署诚信经营承诺', '消费投诉信息暂未公示', '无行政处罚记录', '暂无登记的电子秤']) expect(zh).toContain(s);
    expect(zh).not.toContain('我要投诉');
    expect(zh).toContain('投诉举报请拨打 <a href="tel:12315">12315</a>');
    expect(zh).not.toContain('class="cc"');
    const en = renderMerchantPage(m, ctx('en'));
    for (const s of ['No credit rating yet', 'None (individual business, not registered)', 'No integrity pledge signed yet', 'No administrative penalties', 'To complain, call']) expect(en).toContain(s);
  });

  it('warns on a replaced code above the record', () => {
    const page = renderMerchantPage(merchant(), ctx('zh', { codeReplaced: true }));
    expect(page.indexOf('此码已作废')).toBeGreaterThan(0);
    expect(page.indexOf('此码已作废')).toBeLessThan(page.indexOf('<h1>'));
  });
});

describe('scale page', () => {
  it('shows the scale, its expired verification in red words, its light and the rating form', () => {
    const page = renderScalePage(scale(), ctx('zh', { path: '/s/300', checkCode: 'K7QX2M' }));
    for (const s of ['区域', '三亚市 吉阳区', '商户', 'href="/m/42">三亚新鸿港海鲜经营部</a>', '市场 · 摊位', 'A-12 号摊位', '制造商', '上海寺冈', '型号', 'TM-30', '出厂编号', '准确度等级', 'Ⅲ', '30 千克 / 10 克', '型式批准', '2019F123-31', '强制检定', '物联网溯源秤'])
      expect(page).toContain(s);
    expect(page).toContain('<b class="big sn">SN20260001</b>');
    expect(page).toContain('本码应贴在出厂编号为此号码的电子秤上');
    expect(page).toContain('<span class="red">已过期（有效期至 2026-03-31）</span>');
    expect(page).toContain('<div class="warn">');
    expect(page).toContain('红灯 · 已列入重点检查');
    expect(page).toContain('共 20 次评价，其中 9 次认为称量不准');
    expect(page).toContain('核对码 <b>K7QX2M</b>');
    // The form: no JS, the right fields.
    expect(page).toContain('<form method="post" action="/s/300/rate">');
    expect(page).toContain('name="accurate" value="yes" required');
    expect(page).toContain('name="accurate" value="no"');
    for (const n of [1, 2, 3, 4, 5]) expect(page).toContain(`name="stars" value="${n}"`);
    expect(page).toContain('name="fairWeightG" type="number"');
    expect(page).toContain('name="receiptWeightG" type="number"');
    expect(page).toContain('name="comment" maxlength="200"');
    expect(page).toContain('评价匿名提交，每部手机的评价次数有限');
    expect(page).toContain('投诉举报请拨打');
  });

  it('is all English in English, and the form posts in English', () => {
    const page = renderScalePage(scale({ verification: { ...valid, status: 'expiring' }, light: { light: 'green', ratings: 1, inaccurate: 0 } }), ctx('en', { path: '/s/300' }));
    for (const s of ['Region', 'Merchant', 'Manufacturer', 'Model', 'Serial number', 'Accuracy class', '30 kg / 10 g', 'Type approval no.', 'Mandatory verification', '<span class="amber">Expiring soon: valid until 2027-03-31</span>', 'Green light · rated accurate', '1 rating, 0 said inaccurate', 'Was the weight accurate?', 'Send rating', 'Ratings are anonymous'])
      expect(page).toContain(s);
    expect(page).toContain('action="/s/300/rate?lang=en"');
    expect(page).not.toMatch(/强制检定|出厂编号|提交评价/);
  });

  it('shows each verification state and light in words, not colour alone', () => {
    const v = (status: VerificationView['status']) => renderScalePage(scale({ verification: { ...valid, status } }), ctx('zh'));
    expect(v('valid')).toContain('<span class="green">检定合格，有效期至 2027-03-31</span>');
    expect(v('failed')).toContain('<span class="red">检定不合格，不得使用</span>');
    expect(v('unverified')).toContain('<span class="grey">无检定记录</span>');
    const l = (light: ScaleView['light']['light']) => renderScalePage(scale({ light: { light, ratings: 2, inaccurate: 0 } }), ctx('zh'));
    expect(l('green')).toContain('绿灯 · 准确度好评');
    expect(l('yellow')).toContain('<span class="amber"><span aria-hidden="true">● </span>黄灯 · 有待核查</span>');
    expect(l('none')).toContain('评价不足');
  });

  it('shows the notice after a rating, and says when rating is closed', () => {
    const after = (notice: 'thanks' | 'limited' | 'invalid' | 'screened') => renderScalePage(scale({ rating: { action: '/s/300/rate', notice, noticeText: '请 1 小时后再试 <b>' } }), ctx('zh'));
    expect(after('thanks')).toContain('感谢您的评价');
    expect(after('thanks')).not.toContain('<form');
    expect(after('limited')).toContain('评价次数已达上限');
    expect(after('limited')).toContain('请 1 小时后再试 &lt;b&gt;');
    expect(after('invalid')).toContain('提交的内容有误');
    expect(after('invalid')).toContain('<form');
    expect(after('screened')).toContain('核查后计入');
    expect(renderScalePage(scale({ rating: null }), ctx('zh'))).toContain('这台秤暂不接受评价');
    expect(renderScalePage(scale({ rating: { action: 'javascript:alert(1)' } }), ctx('zh'))).not.toContain('<form');
  });
});

describe('market page', () => {
  it('lists merchants and scales with links, totals, search and prices', () => {
    const m = bigMarket();
    const page = renderMarketPage({ ...m, merchants: m.merchants.slice(0, 3), scales: m.scales.slice(0, 5) }, ctx('zh', { path: '/k/7' }));
    for (const s of ['<h1>三亚市新鸿港农贸市场（海鲜广场）</h1>', '海南省三亚市吉阳区新风街 128 号', '三亚农投集团市场管理有限公司', '本市场共有 150 户商户、250 台电子秤', '查看本市调控价格', 'href="/p/prices/460200"', '商户（3）', '电子秤（5）', name(1), 'href="/m/10037"', 'href="/s/50013"', '检定已过期', '<span class="red">● 红灯</span>'])
      expect(page).toContain(s);
    expect(page).toContain('<form method="get" action="/k/7" role="search">');
    expect(page).toContain('name="q" value=""');
    expect(page).not.toContain('name="lang"');
  });

  it('keeps the search and the language: GET form with lang, switch link with q', () => {
    const m = { ...bigMarket(), q: '海鲜 A', merchants: [], scales: [], truncated: true };
    const en = renderMarketPage(m, ctx('en', { path: '/k/7', query: { q: '海鲜 A', lang: 'en' } }));
    expect(en).toContain('<input type="hidden" name="lang" value="en">');
    expect(en).toContain('value="海鲜 A"');
    expect(en).toContain('Results for “海鲜 A”: 0 merchants, 0 scales.');
    expect(en).toContain('The list is long');
    expect(en).toContain('No merchants found.');
    expect(en).toContain(`href="/k/7?q=${encodeURIComponent('海鲜').replace(/%20/g, '+')}+A" hreflang="zh"`);
    const zh = renderMarketPage(m, ctx('zh', { path: '/k/7', query: { q: '海鲜 A' } }));
    expect(zh).toContain(`href="/k/7?q=${encodeURIComponent('海鲜')}+A&amp;lang=en" hreflang="en"`);
    expect(zh).toContain('“海鲜 A”的查找结果');
    expect(zh).toContain('列表太长，只显示了一部分');
    expect(switchHref(ctx('zh', { path: '/k/7', query: { q: 'A-12' } }))).toBe('/k/7?q=A-12&lang=en');
  });

  it('is all English in English', () => {
    const page = renderMarketPage(bigMarket(), ctx('en', { path: '/k/7' }));
    for (const s of ['Address', 'Market operator', 'This market has 150 merchants and 250 scales.', 'See the city’s controlled prices', 'Find by stall number', 'Merchants (150)', 'Scales (250)', 'Verification expired', 'Stall A-100'])
      expect(page).toContain(s);
    expect(page).toContain('href="/m/10000?lang=en"');
    expect(page).not.toMatch(/本市场共有|检定已过期|号摊位/);
  });
});

describe('notice pages', () => {
  const kinds: NoticeKind[] = ['revoked', 'forged', 'never_issued', 'not_found', 'error'];

  it('explains a void code and what to do, with the current record', () => {
    const page = renderNoticePage({ kind: 'revoked', subject: { kind: 'scale', name: 'SN20260001', href: '/s/300' } }, ctx('zh', { checkCode: 'WH5FDP' }));
    expect(page).toContain('<h1 class="red">此码已作废</h1>');
    expect(page).toContain('这张二维码已被新码替换');
    expect(page).toContain('请向摊主索取当前有效的二维码');
    expect(page).toContain('市场管理处或 12315');
    expect(page).toContain('此码原属于：电子秤 <a href="/s/300">SN20260001</a>');
    expect(page).toContain('WH5FDP');
    const en = renderNoticePage({ kind: 'revoked' }, ctx('en'));
    expect(en).toContain('This code is void');
    expect(en).toContain('This sticker has been replaced');
    expect(en).toContain('Ask the stall for its current code');
  });

  it('warns that an unverifiable code may be counterfeit, without its check code', () => {
    const page = renderNoticePage({ kind: 'forged' }, ctx('zh', { checkCode: 'WH5FDP' }));
    expect(page).toContain('此码无法验证');
    expect(page).toContain('可能是伪造的');
    expect(page).not.toContain('WH5FDP');
    expect(renderNoticePage({ kind: 'forged' }, ctx('en'))).toContain('may be counterfeit');
    expect(renderNoticePage({ kind: 'never_issued' }, ctx('zh'))).toContain('平台没有签发过这张二维码');
  });

  it('has a page for every kind in both languages', () => {
    for (const kind of kinds)
      for (const lang of ['zh', 'en'] as const) {
        const page = renderNoticePage({ kind, reference: 'req-7' }, ctx(lang));
        expect(page).toContain('<h1');
        expect(page).toContain('tel:12315');
        expect(page).toContain('req-7');
      }
    expect(renderNoticePage({ kind: 'not_found' }, ctx('zh'))).toContain('未找到记录');
    expect(renderNoticePage({ kind: 'error' }, ctx('en'))).toContain('This page cannot be shown right now');
  });
});

describe('verify page', () => {
  const good: VerifyResultView = { status: 'valid', kid: '21fe31df', keyRetired: false, subject: { kind: 'scale', id: 300, name: 'SN20260001', href: '/s/300' }, serial: 2, currentSerial: 2, checkCode: 'WH5FDP', issuedOn: '2026-06-01' };
  const view = (result: VerifyResultView | null, method: 'get' | 'post' = 'post') => ({ action: '/verify', method, input: 'HTTPS://MASHANG.SANYA.GOV.CN/C/AEQ74MO7', result });

  it('has a form to paste a code', () => {
    const page = renderVerifyPage(view(null), ctx('zh', { path: '/verify' }));
    expect(page).toContain('<form method="post" action="/verify">');
    expect(page).toContain('name="code"');
    expect(page).toContain('>HTTPS://MASHANG.SANYA.GOV.CN/C/AEQ74MO7</textarea>');
    expect(page).not.toContain('核验结果');
    const get = renderVerifyPage(view(null, 'get'), ctx('en', { path: '/verify' }));
    expect(get).toContain('<form method="get" action="/verify">');
    expect(get).toContain('name="lang" value="en"');
    expect(renderVerifyPage(view(null), ctx('en'))).toContain('action="/verify?lang=en"');
  });

  it('shows a valid code with its kid, subject, serial, check code and issue date', () => {
    const page = renderVerifyPage(view({ ...good, keyRetired: true }), ctx('zh'));
    for (const s of ['<p class="ok" role="status"><b class="lg">有效</b>', '签名密钥编号', '21fe31df', '已停用的旧密钥', '计价秤码 · #300 <a href="/s/300">SN20260001</a>', '码序号', '<dd>2</dd>', 'WH5FDP', '2026-06-01', '码中信息'])
      expect(page).toContain(s);
    const en = renderVerifyPage(view(good), ctx('en'));
    for (const s of ['Valid', 'Signing key id (kid)', 'Scale code · #300', 'Code serial', 'Check code', 'Issued on']) expect(en).toContain(s);
  });

  it('shows each failure plainly, and an unverified code only as claims', () => {
    const results: Record<Exclude<VerifyStatus, 'valid'>, VerifyResultView> = {
      revoked: { ...good, status: 'revoked', serial: 1, currentSerial: 3 },
      never_issued: { ...good, status: 'never_issued', serial: 9, subject: { ...good.subject!, name: null, href: null } },
      forged: { ...good, status: 'forged', reason: 'the signature does not verify with key 21fe31df' },
      unknown_key: { ...good, status: 'unknown_key', kid: 'deadbeef', reason: 'no trusted key has kid deadbeef' },
      malformed: { status: 'malformed', reason: 'character "1" at position 3 is not base32 (A-Z, 2-7)', kid: null, subject: null, serial: null, checkCode: null, issuedOn: null },
    };
    const zh = (s: keyof typeof results) => renderVerifyPage(view(results[s]), ctx('zh'));
    expect(zh('revoked')).toContain('<b class="lg">已作废</b>');
    expect(zh('revoked')).toContain('1（当前序号 3）');
    expect(zh('never_issued')).toContain('平台未签发此码');
    expect(zh('never_issued')).toContain('（无此记录）');
    expect(zh('forged')).toContain('签名不符，可能伪造');
    expect(zh('forged')).toContain('码中声称的信息（未通过验证，不可信）');
    expect(zh('forged')).toContain('the signature does not verify with key 21fe31df');
    expect(zh('forged')).not.toContain('href="/s/300"');
    expect(zh('unknown_key')).toContain('未知密钥');
    expect(zh('unknown_key')).toContain('deadbeef');
    expect(zh('malformed')).toContain('格式错误');
    expect(zh('malformed')).toContain('character &quot;1&quot; at position 3');
    const en = (s: keyof typeof results) => renderVerifyPage(view(results[s]), ctx('en'));
    expect(en('revoked')).toContain('Revoked');
    expect(en('revoked')).toContain('(current serial 3)');
    expect(en('forged')).toContain('possibly forged');
    expect(en('unknown_key')).toContain('Unknown key');
    expect(en('malformed')).toContain('Malformed');
    expect(en('never_issued')).toContain('Never issued');
  });
});

describe('safety', () => {
  it('escapes hostile record data everywhere and never emits a script', () => {
    const m = merchant({
      name: HOSTILE,
      legalRep: HOSTILE,
      address: `"><img src=x onerror=alert(1)>`,
      categories: [HOSTILE],
      market: { name: HOSTILE, href: 'javascript:alert(1)' },
      complainHref: '//evil.example/x',
      scales: [{ ...merchant().scales[0]!, serialNo: HOSTILE, href: '/s/1" onclick="x' }],
    });
    const pages = [
      renderMerchantPage(m, ctx('zh', { checkCode: HOSTILE, path: '/m/<x>', query: { q: HOSTILE } })),
      renderMerchantPage(m, ctx('en')),
      renderScalePage(scale({ serialNo: HOSTILE, merchant: { name: HOSTILE, href: 'http://plain.example' }, rating: { action: '/r', notice: 'limited', noticeText: HOSTILE } }), ctx('zh')),
      renderMarketPage({ ...bigMarket(), name: HOSTILE, q: HOSTILE, merchants: [{ name: HOSTILE, stallNumber: HOSTILE, trade: HOSTILE, stars: 9, href: 'data:text/html,x' }] }, ctx('en', { query: { q: HOSTILE } })),
      renderNoticePage({ kind: 'revoked', subject: { kind: 'merchant', name: HOSTILE, href: 'vbscript:x' }, reference: HOSTILE }, ctx('zh')),
      renderVerifyPage({ action: 'javascript:x', method: 'post', input: `</textarea>${HOSTILE}`, result: { status: 'malformed', reason: HOSTILE, kid: null, subject: null, serial: null, checkCode: null, issuedOn: null } }, ctx('zh')),
    ];
    for (const page of pages) {
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toMatch(/<img/i);
      expect(page).not.toMatch(/href="(javascript|data|vbscript|http:|\/\/)/i);
      expect(page).not.toContain('" onclick="');
      expect(page).not.toMatch(/<\/textarea>&lt;|<\/textarea><script/);
    }
    expect(pages[0]).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(pages[0]).toContain('href="/m/&lt;x&gt;?q=%3Cscript%3E');
    expect(pages[3]).toContain('★★★★★'); // stars clamp to 5
  });

  it('allows only site paths and https links', () => {
    expect(safeHref('/m/1')).toBe('/m/1');
    expect(safeHref('https://www.12315.cn')).toBe('https://www.12315.cn');
    for (const bad of ['//evil.example', '/\\evil.example', 'http://x', 'javascript:alert(1)', ' /m/1', '/m/1\n', 'm/1', '', null]) expect(safeHref(bad)).toBeNull();
    expect(hrefIn('en', '/s/1?x=1#rate')).toBe('/s/1?x=1&lang=en#rate');
    expect(hrefIn('en', '/s/1?lang=en')).toBe('/s/1?lang=en');
    expect(hrefIn('en', 'https://www.12315.cn')).toBe('https://www.12315.cn');
    expect(hrefIn('zh', '/s/1')).toBe('/s/1');
  });

  it('has a viewport, no external assets and no JavaScript', () => {
    const page = renderMarketPage(bigMarket(), ctx('zh'));
    expect(page.startsWith('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">')).toBe(true);
    expect(page).not.toMatch(/<script|<link |<img|@import|url\(|\son[a-z]+=/i);
  });
});

describe('size and speed', () => {
  const budget = 14_000;
  const cases: [string, () => string][] = [
    ['market 150 merchants / 250 scales zh', () => renderMarketPage(bigMarket(), ctx('zh', { path: '/k/7', checkCode: 'WH5FDP' }))],
    ['market 150 merchants / 250 scales en', () => renderMarketPage(bigMarket(), ctx('en', { path: '/k/7', checkCode: 'WH5FDP' }))],
    ['merchant 30 events / 20 scales / 5 penalties zh', () => renderMerchantPage(bigMerchant(), ctx('zh', { checkCode: 'WH5FDP' }))],
    ['merchant 30 events / 20 scales / 5 penalties en', () => renderMerchantPage(bigMerchant(), ctx('en', { checkCode: 'WH5FDP' }))],
    ['scale zh', () => renderScalePage(scale(), ctx('zh'))],
    ['notice zh', () => renderNoticePage({ kind: 'forged' }, ctx('zh'))],
    ['verify zh', () => renderVerifyPage({ action: '/verify', method: 'post', input: 'x', result: { status: 'forged', reason: 'bad', kid: '21fe31df', subject: { kind: 'merchant', id: 1, name: null, href: null }, serial: 1, checkCode: 'WH5FDP', issuedOn: '2026-06-01' } }, ctx('zh'))],
  ];

  it.each(cases)('%s stays under 14,000 bytes gzipped', (label, render) => {
    const page = render();
    const size = gz(page);
    const rounds = 200;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) render();
    const ms = (performance.now() - t0) / rounds;
    console.log(`${label}: ${page.length} chars, ${Buffer.byteLength(page)} bytes, ${size} bytes gzip, ${ms.toFixed(3)} ms/render`);
    expect(size).toBeLessThan(budget);
  });
});
