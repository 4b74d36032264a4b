import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { MAX_QR_VERSION, qrVersionForBase, qrVersionOf, renderQrPng, renderQrSvg } from './codes.qr.js';
import { MAX_SERIAL, MAX_SUBJECT_ID, buildCodeUrl, encodeBase32, generateCodeKeyPair, issueToken, signingKeyOf, type CodeClaims } from './codes.rules.js';

// jsqr is a UMD bundle: its function is the module under some loaders and its `default` under others.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string; version: number } | null;
const loaded = jsQRModule as unknown as JsQr | { default: JsQr };
const jsQR: JsQr = typeof loaded === 'function' ? loaded : loaded.default;

const signer = signingKeyOf(generateCodeKeyPair().privateKey);
/** Realistic bases, up to the 40 characters a deployment is assumed to stay within. */
const BASES = [
  'https://mashang.sanya.gov.cn',
  'https://scjg.xiamen.gov.cn',
  'https://amr.hainan.gov.cn/mashang',
  'https://mashang.scjgj.haikou.hainan.gov.cn', // 42 characters: a little over the assumption
  'https://smart-market.amr.guangdong.gov.cn',
];
const BASE_40 = `https://${'m'.repeat(40 - 'https://.gov.cn'.length)}.gov.cn`;
/** The longest realistic claims: ids up to 2^40, serial up to 10,000, a date this century. */
const REALISTIC: CodeClaims = { kind: 'merchant', subjectId: 2 ** 40, serial: 10_000, issuedOn: '2099-12-31' };
const LONGEST: CodeClaims = { kind: 'merchant', subjectId: MAX_SUBJECT_ID, serial: MAX_SERIAL, issuedOn: '9999-12-31' };

const readPng = (png: Buffer) => {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
};

describe('QR versions of code URLs', () => {
  it('stay at version 8 or lower at level M for the longest realistic code of every base', () => {
    expect(BASE_40).toHaveLength(40);
    const token = issueToken(REALISTIC, signer);
    for (const base of [...BASES, BASE_40]) {
      expect(qrVersionOf(buildCodeUrl(base, token)), base).toBeLessThanOrEqual(MAX_QR_VERSION);
      expect(qrVersionOf(buildCodeUrl(base, token, { upperCaseOrigin: false })), `${base} lower case`).toBeLessThanOrEqual(MAX_QR_VERSION);
    }
    expect(qrVersionOf(buildCodeUrl('https://mashang.sanya.gov.cn', token))).toBe(7);
  });

  it('stay at version 8 or lower even for the longest possible token on a 40-character base', () => {
    for (const base of [...BASES, BASE_40]) {
      expect(qrVersionOf(buildCodeUrl(base, issueToken(LONGEST, signer))), base).toBeLessThanOrEqual(MAX_QR_VERSION);
      expect(qrVersionForBase(base), base).toBeLessThanOrEqual(MAX_QR_VERSION);
    }
  });

  it('are bounded by qrVersionForBase for any token', () => {
    for (const claims of [REALISTIC, LONGEST, { ...REALISTIC, subjectId: 1, serial: 1 }])
      for (const base of BASES) expect(qrVersionOf(buildCodeUrl(base, issueToken(claims, signer)))).toBeLessThanOrEqual(qrVersionForBase(base));
  });

  it('are smaller with upper-case base32 than with base64url in byte mode', () => {
    const token = issueToken(REALISTIC, signer);
    const bytes = Buffer.from(Array.from({ length: 81 }, (_, i) => (i * 37) & 0xff));
    expect(encodeBase32(bytes)).toHaveLength(token.length);
    for (const base of [...BASES, BASE_40]) {
      const base32 = qrVersionOf(buildCodeUrl(base, token));
      const base64url = qrVersionOf(`${base}/c/${bytes.toString('base64url')}`);
      expect(base32, base).toBeLessThan(base64url);
    }
  });

  it('outgrow version 8 only for a base far longer than any real one', () => {
    expect(qrVersionForBase(`https://${'m'.repeat(60)}.gov.cn`)).toBe(8);
    expect(qrVersionForBase(`https://${'m'.repeat(80)}.gov.cn`)).toBeGreaterThan(MAX_QR_VERSION);
  });

  it('refuse text no QR version holds', () => {
    expect(() => qrVersionOf('x'.repeat(4000))).toThrow(AppError);
  });
});

describe('rendering', () => {
  const url = buildCodeUrl('https://mashang.sanya.gov.cn', issueToken(REALISTIC, signer));

  it('writes a standalone SVG document of the right size', async () => {
    const svg = await renderQrSvg(url);
    expect(svg.trim()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 53 53"[^>]*>.*<\/svg>$/s);
    expect(svg).toContain('<path');
    // Version 7 is 45 modules across, plus a quiet zone of 4 on each side.
    expect(qrVersionOf(url)).toBe(7);
    expect(await renderQrSvg(url, { width: 240 })).toContain('width="240" height="240"');
  });

  it('writes a PNG that a scanner reads back as the URL', async () => {
    const png = await renderQrPng(url, { scale: 4 });
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(PNG.sync.read(png).width).toBe(53 * 4);
    const read = readPng(png);
    expect(read?.data).toBe(url);
    expect(read?.version).toBe(7);
  });

  it('defaults to 8 pixels a module', async () => {
    expect(PNG.sync.read(await renderQrPng(url)).width).toBe(53 * 8);
  });

  it('refuses a URL that needs more than version 8', async () => {
    const long = `${buildCodeUrl(`https://${'m'.repeat(80)}.gov.cn`, issueToken(LONGEST, signer))}`;
    expect(qrVersionOf(long)).toBeGreaterThan(MAX_QR_VERSION);
    for (const render of [() => renderQrSvg(long), () => renderQrPng(long)]) {
      const error = await render().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'qr_too_large', status: 422, details: { version: qrVersionOf(long), maxVersion: 8 } });
    }
  });
});
