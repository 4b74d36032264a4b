import { describe, expect, it } from 'vitest';
import { canWrite, complaintReference, isComplaintReference, isVisibleToMerchant, maskName, maskPhone, normaliseMobile, normaliseReceipt, screenName, screenText } from './complaint.rules.js';

describe('the consumer’s phone', () => {
  it('takes a mainland mobile number however it is typed', () => {
    expect(normaliseMobile('13812345678')).toBe('13812345678');
    expect(normaliseMobile('138 1234 5678')).toBe('13812345678');
    expect(normaliseMobile('+86 138-1234-5678')).toBe('13812345678');
    expect(normaliseMobile('0086 13812345678')).toBe('13812345678');
    expect(normaliseMobile('１３８１２３４５６７８')).toBe('13812345678');
  });
  it('refuses what is not one: landlines, short numbers, 12x prefixes, letters', () => {
    for (const bad of ['', '0898-88881234', '1381234567', '138123456789', '12812345678', '1381234567a', '+1 13812345678']) expect(normaliseMobile(bad), bad).toBeNull();
  });
  it('is shown as 138****5678, and names as 张**', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李*');
    expect(maskName(' Anna ')).toBe('A***');
  });
});

describe('the reference', () => {
  it('is TS, the date received and a daily number of five digits', () => {
    expect(complaintReference('2026-11-23', 1)).toBe('TS2026112300001');
    expect(complaintReference('2026-11-23', 123456)).toBe('TS20261123123456');
    expect(isComplaintReference('TS2026112300001')).toBe(true);
    expect(isComplaintReference('ts2026112300001')).toBe(false);
    expect(isComplaintReference('TS20261123')).toBe(false);
    expect(() => complaintReference('2026-11-23', 0)).toThrow(RangeError);
  });
});

describe('what people write', () => {
  const what = { zh: '投诉内容', en: 'complaint' };
  it('masks personal data in a complaint (the merchant reads it) and keeps the rest', () => {
    const s = screenText('称重少了二两，老板电话13912345678，身份证不给看', { min: 10, max: 1000 }, what);
    expect(s).toEqual({ ok: true, text: '称重少了二两，老板电话139****5678，身份证不给看' });
  });
  it('refuses too short, too long, abusive and linked text with a message in both languages', () => {
    const short = screenText('太贵了', { min: 10, max: 1000 }, what);
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.message.zh).toContain('至少10字');
    expect(screenText('贵'.repeat(1001), { min: 10, max: 1000 }, what).ok).toBe(false);
    expect(screenText('这个老板是傻逼，缺斤短两还骂人', { min: 10, max: 1000 }, what).ok).toBe(false);
    expect(screenText('详情请看 www.example.com 上的视频证据', { min: 10, max: 1000 }, what).ok).toBe(false);
    expect(screenText(undefined, { min: 10, max: 1000 }, what).ok).toBe(false);
  });
  it('takes a name without digits, up to 30 characters', () => {
    expect(screenName(' 王 五 ')).toEqual({ ok: true, text: '王 五' });
    expect(screenName('13812345678').ok).toBe(false);
    expect(screenName('').ok).toBe(false);
    expect(screenName('长'.repeat(31)).ok).toBe(false);
  });
  it('takes a receipt number of letters, digits and - _ . /, or nothing', () => {
    expect(normaliseReceipt(' R-0042 ')).toBe('R-0042');
    expect(normaliseReceipt('')).toBe('');
    expect(normaliseReceipt(undefined)).toBe('');
    expect(normaliseReceipt('小票42')).toBeNull();
    expect(normaliseReceipt('9'.repeat(41))).toBeNull();
  });
});

describe('who may write, and when the merchant hears of it', () => {
  it('lets the consumer and office write until the complaint ends, the merchant only once it is accepted', () => {
    expect(canWrite('consumer', 'received')).toBe(true);
    expect(canWrite('merchant', 'received')).toBe(false);
    expect(canWrite('merchant', 'mediating')).toBe(true);
    for (const who of ['consumer', 'merchant', 'office'] as const) {
      expect(canWrite(who, 'closed')).toBe(false);
      expect(canWrite(who, 'refused')).toBe(false);
    }
    expect(isVisibleToMerchant('received')).toBe(false);
    expect(isVisibleToMerchant('refused')).toBe(false);
    expect(isVisibleToMerchant('closed')).toBe(true);
  });
});
