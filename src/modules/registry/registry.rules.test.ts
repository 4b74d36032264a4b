import { describe, expect, it } from 'vitest';
import { checkUscc, isCalendarDate, merchantFieldProblems, scaleFieldProblems, usccCheckCharacter, verificationFieldProblems, verificationState } from './registry.rules.js';

describe('USCC check character (GB 32100)', () => {
  it.each([
    '91350100M000100Y43', // the standard's worked example
    '91110000600037341L',
    '91440300708461136T',
    '92460202MA5T000018',
  ])('accepts %s', (code) => {
    // The fourth is built here; the first three are published codes of real enterprises.
    const body = code.slice(0, 17);
    if (code.startsWith('9246')) expect(checkUscc(body + usccCheckCharacter(body)).ok).toBe(true);
    else expect(checkUscc(code)).toEqual({ ok: true, uscc: code });
  });

  it('normalises case and surrounding space', () => {
    expect(checkUscc(' 91350100m000100y43 ')).toEqual({ ok: true, uscc: '91350100M000100Y43' });
  });

  it('rejects a wrong check character and says which it should be', () => {
    const r = checkUscc('91350100M000100Y44');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('"3"');
  });

  it.each([
    ['9135010M000100Y43', '18'],
    ['91350100M000100Y4', '18'],
    ['91350100M000100I43', 'not allowed'],
    ['9135A100M000100Y43', 'administrative division'],
  ])('rejects %s (%s)', (code, words) => {
    const r = checkUscc(code);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(words);
  });

  it('catches every single-character substitution of a valid code', () => {
    const good = '91350100M000100Y43';
    const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let i = 0; i < 18; i++) {
      for (const c of charset) {
        if (c === good[i]) continue;
        const bad = good.slice(0, i) + c + good.slice(i + 1);
        if (i >= 2 && i < 8 && !/\d/.test(c)) continue;
        expect(checkUscc(bad).ok, bad).toBe(false);
      }
    }
  });
});

describe('merchant fields', () => {
  const base = { uscc: '91350100M000100Y43', name: '梅大姐海鲜', legalRep: '梅某', entityType: '有限责任公司', categories: ['seafood'] };
  it('accepts a complete merchant', () => expect(merchantFieldProblems(base)).toEqual([]));
  it('allows an individual business without a USCC, marked so', () => {
    expect(merchantFieldProblems({ ...base, uscc: null, hasUscc: false, entityType: '个体工商户' })).toEqual([]);
  });
  it('refuses a company without a USCC', () => {
    expect(merchantFieldProblems({ ...base, uscc: null, hasUscc: false }).map((p) => p.field)).toEqual(['hasUscc']);
  });
  it('names every bad field at once', () => {
    const fields = merchantFieldProblems({ uscc: '123', name: '', legalRep: ' ', entityType: '公司', categories: ['toys'], status: 'gone' }).map((p) => p.field);
    expect(fields).toEqual(['uscc', 'name', 'legalRep', 'entityType', 'categories', 'status']);
  });
});

describe('scale fields', () => {
  const base = { serialNo: 'DH-2024-0001', manufacturer: '上海大华', model: 'TM-15A', maxCapacityG: 15000, divisionG: 5, accuracyClass: 'III' };
  it('accepts a scale', () => expect(scaleFieldProblems(base)).toEqual([]));
  it('rejects a division not below capacity and an unknown class', () => {
    expect(scaleFieldProblems({ ...base, divisionG: 15000, accuracyClass: 'V' }).map((p) => p.field)).toEqual(['divisionG', 'accuracyClass']);
  });
});

describe('verification status (强制检定)', () => {
  const today = '2026-11-23';
  it('is unverified with no record', () => expect(verificationState([], today).status).toBe('unverified'));
  it('is valid well before valid-until', () => {
    expect(verificationState([{ verifiedOn: '2026-06-01', result: 'pass', validUntil: '2027-05-31' }], today)).toEqual({ status: 'valid', validUntil: '2027-05-31', daysLeft: 189 });
  });
  it('is expiring within 30 days, including the last valid day', () => {
    expect(verificationState([{ verifiedOn: '2025-12-23', result: 'pass', validUntil: '2026-12-23' }], today).status).toBe('expiring');
    expect(verificationState([{ verifiedOn: '2025-11-23', result: 'pass', validUntil: '2026-11-23' }], today)).toEqual({ status: 'expiring', validUntil: '2026-11-23', daysLeft: 0 });
  });
  it('is expired the day after valid-until', () => {
    expect(verificationState([{ verifiedOn: '2025-11-22', result: 'pass', validUntil: '2026-11-22' }], today)).toEqual({ status: 'expired', validUntil: '2026-11-22', daysLeft: -1 });
  });
  it('follows the latest record: a later failure overrides an earlier pass, a later pass a failure', () => {
    const pass = { verifiedOn: '2026-01-10', result: 'pass' as const, validUntil: '2027-01-09' };
    const fail = { verifiedOn: '2026-05-01', result: 'fail' as const, validUntil: null };
    expect(verificationState([pass, fail], today).status).toBe('failed');
    expect(verificationState([fail, { ...pass, verifiedOn: '2026-06-01', validUntil: '2027-05-31' }], today).status).toBe('valid');
  });
  it('checks verification input', () => {
    expect(verificationFieldProblems({ certificateNo: 'X1', institution: '所', verifiedOn: '2026-11-24', result: 'pass', validUntil: '2026-01-01' }, today).map((p) => p.field)).toEqual(['verifiedOn', 'validUntil']);
    expect(verificationFieldProblems({ certificateNo: 'X1', institution: '所', verifiedOn: '2026-11-01', result: 'fail' }, today)).toEqual([]);
  });
  it('knows calendar dates', () => {
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });
});
