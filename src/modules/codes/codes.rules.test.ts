import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import {
  CHECK_CODE_ALPHABET,
  CHECK_CODE_LENGTH,
  CODE_KIND_KEYS,
  CODE_KINDS,
  MAX_SERIAL,
  MAX_SUBJECT_ID,
  MAX_TOKEN_BYTES,
  MAX_TOKEN_CHARS,
  MIN_TOKEN_BYTES,
  SIGNING_DOMAIN,
  buildCodeUrl,
  checkCodeOf,
  encodeBase32,
  exportPrivateKey,
  exportPublicKey,
  extractToken,
  generateCodeKeyPair,
  importKeyring,
  importPrivateKey,
  importPublicKey,
  issueToken,
  judgeSerial,
  keyringEntryOf,
  kidOf,
  parseToken,
  publishKeyring,
  signingKeyOf,
  verifyToken,
  type CodeClaims,
  type KeyringEntry,
  type VerifyResult,
} from './codes.rules.js';

// RFC 8032 test 1 secret key, as base64url PKCS #8: Ed25519 is deterministic, so the token is fixed.
const VECTOR_PRIVATE_KEY = 'MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v_VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g';
const VECTOR_PUBLIC_KEY = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
const VECTOR_TOKEN =
  'AEQ74MO7AKWAEAX5UAAYXGHBHIZFMFRJVQYDVQC5T3RBXMR2GRD56PQNEHXD6WXXGSUAPH42Z6ISTJ5AZEPZGJ2O7VMAOTEHF5CPCO7V2333MYYS2ZZG7ZDEAY';

const current = generateCodeKeyPair();
const other = generateCodeKeyPair();
const stranger = generateCodeKeyPair();
const signer = signingKeyOf(current.privateKey);
const keyring: KeyringEntry[] = [keyringEntryOf(current.publicKey), keyringEntryOf(other.publicKey, '2026-01-01T00:00:00Z')];

const claims = (over: Partial<CodeClaims> = {}): CodeClaims => ({ kind: 'scale', subjectId: 1234, serial: 1, issuedOn: '2026-06-01', ...over });
const tokenBytes = (token: string) => {
  const p = parseToken(token);
  if (p.status !== 'parsed') throw new Error(p.reason);
  return Buffer.concat([p.payload, p.signature]);
};
/** Signs arbitrary payload bytes the way issueToken does, to build tokens issueToken would refuse to make. */
const signRaw = (payload: Uint8Array, privateKey = current.privateKey) =>
  encodeBase32(Buffer.concat([payload, sign(null, Buffer.concat([Buffer.from(SIGNING_DOMAIN), payload]), privateKey)]));
const payloadOf = (token: string) => Buffer.from(tokenBytes(token).subarray(0, -64));
const rejected = (r: VerifyResult) => r.status !== 'valid';

/** mulberry32: deterministic, so a failure can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the format, pinned by a test vector', () => {
  it('signs the RFC 8032 test key into the documented token (docs/codes.md)', () => {
    const key = signingKeyOf(importPrivateKey(VECTOR_PRIVATE_KEY));
    expect(key.kid).toBe('21fe31df');
    expect(exportPublicKey(key.privateKey)).toBe(VECTOR_PUBLIC_KEY);
    const token = issueToken({ kind: 'scale', subjectId: 300, serial: 2, issuedOn: '2026-06-01' }, key);
    expect(token).toBe(VECTOR_TOKEN);
    expect(payloadOf(token).toString('hex')).toBe('01' + '21fe31df' + '02' + 'ac02' + '02' + 'fda001');
    expect(checkCodeOf(token)).toBe('WH5FDP');
    const r = verifyToken(token, [keyringEntryOf(VECTOR_PUBLIC_KEY)]);
    expect(r).toMatchObject({ status: 'valid', kid: '21fe31df', kind: 'scale', subjectId: 300, serial: 2, issuedOn: '2026-06-01', checkCode: 'WH5FDP' });
  });

  it('writes kind tags 1 to 4, each once', () => {
    expect(CODE_KIND_KEYS).toEqual(['merchant', 'scale', 'market', 'prices']);
    expect(CODE_KIND_KEYS.map((k) => CODE_KINDS[k].tag)).toEqual([1, 2, 3, 4]);
  });

  it('bounds tokens at 73 to 87 bytes, 140 base32 characters', () => {
    expect([MIN_TOKEN_BYTES, MAX_TOKEN_BYTES, MAX_TOKEN_CHARS]).toEqual([73, 87, 140]);
    const longest = issueToken(claims({ subjectId: MAX_SUBJECT_ID, serial: MAX_SERIAL, issuedOn: '9999-12-31' }), signer);
    expect(longest).toHaveLength(MAX_TOKEN_CHARS);
    const shortest = issueToken(claims({ subjectId: 1, serial: 0, issuedOn: '1970-01-01' }), signer);
    expect(tokenBytes(shortest)).toHaveLength(MIN_TOKEN_BYTES);
  });
});

describe('issuing and verifying', () => {
  const ids = [1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 40, MAX_SUBJECT_ID];
  const serials = [0, 1, 127, 128, 10_000, MAX_SERIAL];
  const dates = ['1970-01-01', '2000-02-29', '2026-06-01', '2099-12-31', '9999-12-31'];

  it('round-trips every kind, id, serial and date', () => {
    for (const kind of CODE_KIND_KEYS)
      for (const subjectId of ids)
        for (const serial of serials)
          for (const issuedOn of dates.slice(0, kind === 'scale' ? dates.length : 2)) {
            const token = issueToken({ kind, subjectId, serial, issuedOn }, signer);
            const r = verifyToken(token, keyring);
            expect(r, `${kind} ${subjectId} ${serial} ${issuedOn}`).toEqual({
              status: 'valid',
              kid: current.kid,
              kind,
              subjectId,
              serial,
              issuedOn,
              token,
              checkCode: checkCodeOf(token),
              keyRetired: false,
            });
          }
  });

  it('takes a bigint subject id below 2^53', () => {
    const token = issueToken({ ...claims(), subjectId: 2n ** 40n + 7n }, signer);
    expect(verifyToken(token, keyring)).toMatchObject({ status: 'valid', subjectId: 2 ** 40 + 7 });
  });

  it('writes upper-case RFC 4648 base32 without padding', () => {
    expect(issueToken(claims(), signer)).toMatch(/^[A-Z2-7]+$/);
  });

  it('refuses claims a token cannot carry, naming the problem', () => {
    const bad: [Partial<CodeClaims> | { subjectId: bigint }, RegExp][] = [
      [{ subjectId: 0 }, /subject id/],
      [{ subjectId: -1 }, /subject id/],
      [{ subjectId: 1.5 }, /subject id/],
      [{ subjectId: 2 ** 53 }, /subject id/],
      [{ subjectId: 2n ** 53n }, /subject id/],
      [{ subjectId: 0n }, /subject id/],
      [{ serial: -1 }, /serial/],
      [{ serial: MAX_SERIAL + 1 }, /serial/],
      [{ serial: Number.NaN }, /serial/],
      [{ issuedOn: '2026-02-30' }, /issue date/],
      [{ issuedOn: '1969-12-31' }, /issue date/],
      [{ issuedOn: '2026-6-1' }, /issue date/],
      [{ issuedOn: '2026-06-01T00:00:00Z' }, /issue date/],
      [{ kind: 'stall' as never }, /kind/],
    ];
    for (const [over, message] of bad) {
      const attempt = () => issueToken({ ...claims(), ...over } as CodeClaims, signer);
      expect(attempt, JSON.stringify(over, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).toThrow(message);
      try {
        attempt();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('invalid_input');
      }
    }
  });

  it('is different for every reissue of the same subject', () => {
    const tokens = new Set([1, 2, 3].map((serial) => issueToken(claims({ serial }), signer)));
    expect(tokens.size).toBe(3);
  });
});

describe('reading a scanned text', () => {
  const token = issueToken(claims(), signer);

  it('accepts a bare token or a code URL in any case, with white space, query or fragment', () => {
    const inputs = [
      token,
      token.toLowerCase(),
      `  ${token}\n`,
      `HTTPS://MASHANG.SANYA.GOV.CN/C/${token}`,
      `https://mashang.sanya.gov.cn/c/${token.toLowerCase()}`,
      `https://mashang.sanya.gov.cn/C/${token}/`,
      `https://mashang.sanya.gov.cn/C/${token}?from=singlemessage`,
      `https://mashang.sanya.gov.cn/C/${token}#top`,
      `http://localhost:3000/base/C/${token}`,
      `\t${buildCodeUrl('https://mashang.sanya.gov.cn', token)} `,
    ];
    for (const input of inputs) expect(verifyToken(input, keyring), input).toMatchObject({ status: 'valid', token });
  });

  it('finds no token in other texts', () => {
    for (const input of ['', '   ', 'https://mashang.sanya.gov.cn/', 'https://mashang.sanya.gov.cn/C/', `https://x.cn/D/${token}`, `https://x.cn/C/${token}/more`, `${token} ${token}`, 'x'.repeat(5000)])
      expect(extractToken(input), input).toBeNull();
  });
});

describe('rejecting what is not a genuine code', () => {
  const token = issueToken(claims({ kind: 'merchant', subjectId: 2 ** 40, serial: 10_000 }), signer);
  const bytes = tokenBytes(token);

  it('rejects a random signature as forged', () => {
    const next = rng(1);
    for (let i = 0; i < 50; i++) {
      const sig = Buffer.from(Array.from({ length: 64 }, () => Math.floor(next() * 256)));
      const r = verifyToken(encodeBase32(Buffer.concat([payloadOf(token), sig])), keyring);
      expect(r.status).toBe('forged');
      if (r.status === 'forged') expect(r.reason).toContain(current.kid);
    }
  });

  it('rejects every single-bit change in every byte', () => {
    for (let i = 0; i < bytes.length; i++)
      for (let bit = 0; bit < 8; bit++) {
        const altered = Buffer.from(bytes);
        altered[i]! ^= 1 << bit;
        const r = verifyToken(encodeBase32(altered), keyring);
        expect(rejected(r), `byte ${i} bit ${bit}`).toBe(true);
        if (i >= bytes.length - 64) expect(r.status, `signature byte ${i}`).toBe('forged');
      }
  });

  it('rejects every change of a single base32 character', () => {
    for (let i = 0; i < token.length; i++)
      for (const c of 'A7Q') {
        if (token[i] === c) continue;
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        expect(rejected(verifyToken(altered, keyring)), `char ${i} → ${c}`).toBe(true);
      }
  });

  it('rejects every truncation, of bytes and of characters', () => {
    for (let n = 0; n < bytes.length; n++) expect(rejected(verifyToken(encodeBase32(bytes.subarray(0, n)), keyring)), `${n} bytes`).toBe(true);
    for (let n = 0; n < token.length; n++) expect(rejected(verifyToken(token.slice(0, n), keyring)), `${n} chars`).toBe(true);
    expect(verifyToken(encodeBase32(bytes.subarray(0, 72)), keyring)).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/72 bytes/) });
  });

  it('rejects extra bytes, at the end or between payload and signature', () => {
    for (let n = 1; n <= 8; n++) {
      const extra = Buffer.alloc(n, 0x41);
      expect(verifyToken(encodeBase32(Buffer.concat([bytes, extra])), keyring), `${n} at the end`).toMatchObject({ status: 'malformed' });
      const inside = Buffer.concat([payloadOf(token), extra, bytes.subarray(-64)]);
      expect(rejected(verifyToken(encodeBase32(inside), keyring)), `${n} inside`).toBe(true);
    }
    expect(verifyToken(encodeBase32(Buffer.concat([bytes, Buffer.from([0])])), keyring)).toMatchObject({ reason: expect.stringMatching(/unexpected byte/) });
    expect(rejected(verifyToken(token + 'AA', keyring))).toBe(true);
  });

  it('rejects a token re-signed with a key outside the keyring', () => {
    const own = issueToken(claims(), signingKeyOf(stranger.privateKey));
    expect(verifyToken(own, keyring)).toEqual({ status: 'unknown_key', reason: `no trusted key has kid ${stranger.kid}` });
    // Keeping the platform's kid but signing with another key is forged, not unknown.
    expect(verifyToken(signRaw(payloadOf(token), stranger.privateKey), keyring).status).toBe('forged');
  });

  it('rejects a kid swapped to another trusted key', () => {
    const swapped = Buffer.from(bytes);
    Buffer.from(other.kid, 'hex').copy(swapped, 1);
    expect(verifyToken(encodeBase32(swapped), keyring)).toMatchObject({ status: 'forged', reason: expect.stringContaining(other.kid) });
  });

  it('rejects an unknown kid, and everything with an empty keyring', () => {
    const unknown = Buffer.from(bytes);
    unknown.writeUInt32BE(0xdeadbeef, 1);
    expect(verifyToken(encodeBase32(unknown), keyring)).toMatchObject({ status: 'unknown_key', reason: expect.stringContaining('deadbeef') });
    expect(verifyToken(token, []).status).toBe('unknown_key');
  });

  it('rejects a signature made without the domain prefix', () => {
    const payload = payloadOf(token);
    const bare = encodeBase32(Buffer.concat([payload, sign(null, payload, current.privateKey)]));
    expect(verifyToken(bare, keyring).status).toBe('forged');
  });

  it('rejects another format version, even when correctly signed', () => {
    for (const version of [0, 2, 255]) {
      const payload = payloadOf(token);
      payload[0] = version;
      expect(verifyToken(signRaw(payload), keyring)).toEqual({
        status: 'malformed',
        reason: `format version ${version} is not supported (this verifier reads version 1)`,
      });
    }
  });

  it('rejects fields no issuer writes, even when correctly signed', () => {
    const head = (tag: number) => [1, ...Buffer.from(current.kid, 'hex'), tag];
    const cases: [number[], RegExp][] = [
      [[...head(0), 1, 1, 1], /kind 0/],
      [[...head(5), 1, 1, 1], /kind 5/],
      [[...head(2), 0x81, 0x00, 1, 1], /subject id is not a canonical varint/],
      [[...head(2), 0xac, 0x82, 0x00, 1, 1], /subject id is not a canonical varint/],
      [[...head(2), 1, 0x80, 0x00, 1], /serial is not a canonical varint/],
      [[...head(2), 1, 1, 0xfd, 0xa0, 0x81, 0x00], /issue date is not a canonical varint/],
      [[...head(2), 0, 1, 1], /subject id 0/],
      [[...head(2), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 1, 1], /subject id is larger/],
      [[...head(2), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 1], /subject id is longer than 8 bytes/],
      [[...head(2), 1, 0x80, 0x80, 0x80, 0x80, 0x08, 1], /serial is larger/],
      [[...head(2), 1, 1, 0xff, 0xff, 0xff, 0x7f], /issue date is larger/],
      [[...head(2), 1, 1, 0x81], /ends inside the issue date/],
      [[...head(2), 1, 1, 1, 0], /1 unexpected byte/],
    ];
    for (const [payload, reason] of cases)
      expect(verifyToken(signRaw(Buffer.from(payload)), keyring), Buffer.from(payload).toString('hex')).toMatchObject({ status: 'malformed', reason: expect.stringMatching(reason) });
  });

  it('rejects text that is not canonical base32', () => {
    const cases: [string, RegExp][] = [
      [token.slice(0, 10) + '0' + token.slice(11), /"0" at position 11/],
      [token.slice(0, 10) + '1' + token.slice(11), /"1"/],
      [token.slice(0, 10) + '8' + token.slice(11), /"8"/],
      [token.slice(0, 10) + '!' + token.slice(11), /"!"/],
      [token + '======', /"="/],
      [token + 'A', /whole number of bytes/],
      [token.slice(0, -1) + 'B', /unused bits/],
      ['', /empty/],
      ['not a code at all', /not a code token/],
    ];
    expect(token.length % 8).toBe(2); // 81 bytes in 130 characters: the last one carries 2 unused bits
    for (const [input, reason] of cases) expect(verifyToken(input, keyring), input).toMatchObject({ status: 'malformed', reason: expect.stringMatching(reason) });
  });

  it('never throws, whatever it is given', () => {
    const next = rng(7);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abc01/:.-_ =?#\n';
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(next() * 180);
      const text = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const bytesText = encodeBase32(Buffer.from(Array.from({ length: Math.floor(next() * 100) }, () => Math.floor(next() * 256))));
      for (const input of [text, bytesText, `https://x.cn/C/${bytesText}`]) expect(rejected(verifyToken(input, keyring))).toBe(true);
    }
    for (const junk of [null, undefined, 42, {}, []]) expect(verifyToken(junk as never, keyring).status).toBe('malformed');
  });
});

describe('key rotation', () => {
  it('still verifies codes of a retired key, and says the key is retired', () => {
    const old = issueToken(claims(), signingKeyOf(other.privateKey));
    expect(verifyToken(old, keyring)).toMatchObject({ status: 'valid', kid: other.kid, keyRetired: true });
  });

  it('signs new codes with the key it is given, and names it by kid', () => {
    const token = issueToken(claims(), signer);
    expect(verifyToken(token, keyring)).toMatchObject({ status: 'valid', kid: current.kid, keyRetired: false });
  });

  it('drops every code of a key removed from the keyring', () => {
    const old = issueToken(claims(), signingKeyOf(other.privateKey));
    expect(verifyToken(old, keyring.filter((e) => e.kid !== other.kid)).status).toBe('unknown_key');
  });

  it('verifies with a keyring read back from its published form', () => {
    const published = publishKeyring(keyring);
    expect(JSON.parse(JSON.stringify(published))).toEqual([
      { kid: current.kid, publicKey: exportPublicKey(current.publicKey), retiredAt: null },
      { kid: other.kid, publicKey: exportPublicKey(other.publicKey), retiredAt: '2026-01-01T00:00:00Z' },
    ]);
    const ring = importKeyring(published);
    expect(verifyToken(issueToken(claims(), signer), ring).status).toBe('valid');
    expect(verifyToken(issueToken(claims(), signingKeyOf(other.privateKey)), ring)).toMatchObject({ status: 'valid', keyRetired: true });
  });

  it('refuses a published key whose kid is not its own', () => {
    const [first] = publishKeyring(keyring);
    expect(() => importKeyring([{ ...first!, kid: other.kid }])).toThrow(/does not match/);
  });
});

describe('keys', () => {
  it('names a key by 8 hex digits of SHA-256, the same from either half and either form', () => {
    expect(current.kid).toMatch(/^[0-9a-f]{8}$/);
    expect(kidOf(current.publicKey)).toBe(current.kid);
    expect(kidOf(current.privateKey)).toBe(current.kid);
    expect(kidOf(exportPublicKey(current.publicKey))).toBe(current.kid);
    expect(kidOf(VECTOR_PUBLIC_KEY)).toBe('21fe31df');
    expect(new Set([current.kid, other.kid, stranger.kid]).size).toBe(3);
  });

  it('round-trips public keys as 43 base64url characters of the raw 32 bytes', () => {
    const text = exportPublicKey(current.publicKey);
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const spki = current.publicKey.export({ format: 'der', type: 'spki' });
    expect(Buffer.from(text, 'base64url').equals(spki.subarray(-32))).toBe(true);
    expect(importPublicKey(` ${text}\n`).equals(current.publicKey)).toBe(true);
  });

  it('refuses a public key text of the wrong shape', () => {
    const text = exportPublicKey(current.publicKey);
    for (const bad of ['', text.slice(1), text + 'A', `${text}=`, text.replace(/.$/, '+'), Buffer.alloc(33).toString('base64url')])
      expect(() => importPublicKey(bad), bad).toThrow(AppError);
  });

  it('round-trips private keys as base64url PKCS #8 and reads PEM too', () => {
    const text = exportPrivateKey(current.privateKey);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(importPrivateKey(text).equals(current.privateKey)).toBe(true);
    const pem = current.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(importPrivateKey(pem).equals(current.privateKey)).toBe(true);
    expect(createPrivateKey({ key: Buffer.from(text, 'base64url'), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ed25519');
  });

  it('refuses keys that are not Ed25519', () => {
    const x = generateKeyPairSync('x25519');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => importPrivateKey(exportDer(x.privateKey))).toThrow(/not an Ed25519 private key/);
    expect(() => importPrivateKey(exportDer(ec.privateKey))).toThrow(/not an Ed25519 private key/);
    expect(() => importPrivateKey('garbage')).toThrow(AppError);
    expect(() => exportPrivateKey(current.publicKey)).toThrow(AppError);
    expect(() => exportPublicKey(ec.publicKey)).toThrow(/not an Ed25519 key/);
    expect(() => signingKeyOf(current.publicKey)).toThrow(AppError);
  });
});

const exportDer = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({ format: 'der', type: 'pkcs8' }).toString('base64url');

describe('check codes', () => {
  it('are 6 symbols a person cannot misread', () => {
    expect(CHECK_CODE_ALPHABET).toHaveLength(32);
    expect(CHECK_CODE_ALPHABET).not.toMatch(/[01OI]/);
    const seen = new Set<string>();
    for (let serial = 0; serial < 300; serial++) {
      const code = checkCodeOf(issueToken(claims({ serial }), signer));
      expect(code).toHaveLength(CHECK_CODE_LENGTH);
      expect([...code].every((c) => CHECK_CODE_ALPHABET.includes(c))).toBe(true);
      seen.add(code);
    }
    expect(seen.size).toBeGreaterThanOrEqual(299);
  });

  it('are the same for a token bare, lower-cased or inside its URL, and equal the verified one', () => {
    const token = issueToken(claims(), signer);
    const code = checkCodeOf(token);
    expect(checkCodeOf(token.toLowerCase())).toBe(code);
    expect(checkCodeOf(buildCodeUrl('https://mashang.sanya.gov.cn', token))).toBe(code);
    expect(verifyToken(token, keyring)).toMatchObject({ checkCode: code });
  });

  it('change with every reissue', () => {
    expect(checkCodeOf(issueToken(claims({ serial: 1 }), signer))).not.toBe(checkCodeOf(issueToken(claims({ serial: 2 }), signer)));
  });

  it('are refused for a malformed token', () => {
    expect(() => checkCodeOf('ABC')).toThrow(AppError);
  });
});

describe('revocation by serial', () => {
  it('is current at the stored serial, replaced below it, never issued above it or without one', () => {
    expect(judgeSerial(3, 3)).toBe('current');
    expect(judgeSerial(2, 3)).toBe('replaced');
    expect(judgeSerial(0, 3)).toBe('replaced');
    expect(judgeSerial(4, 3)).toBe('never_issued');
    expect(judgeSerial(1, null)).toBe('never_issued');
  });
});

describe('code URLs', () => {
  const token = VECTOR_TOKEN;

  it('upper-case scheme and host, so the whole URL is QR alphanumeric', () => {
    const url = buildCodeUrl('https://mashang.sanya.gov.cn', token);
    expect(url).toBe(`HTTPS://MASHANG.SANYA.GOV.CN/C/${token}`);
    expect(url).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
  });

  it('keep the base path as given and drop trailing slashes', () => {
    expect(buildCodeUrl('https://Scjg.Xiamen.gov.cn:8443/mashang/', token)).toBe(`HTTPS://SCJG.XIAMEN.GOV.CN:8443/mashang/C/${token}`);
    expect(buildCodeUrl('http://localhost:3000', token)).toBe(`HTTP://LOCALHOST:3000/C/${token}`);
  });

  it('keep the origin as given on request', () => {
    expect(buildCodeUrl('https://mashang.sanya.gov.cn/', token, { upperCaseOrigin: false })).toBe(`https://mashang.sanya.gov.cn/C/${token}`);
  });

  it('refuse a base that is not an http(s) origin with an optional path', () => {
    for (const bad of ['mashang.sanya.gov.cn', 'ftp://x.cn', 'https://x.cn/?a=1', 'https://x.cn/?', 'https://x.cn/#top', 'https://u:p@x.cn', 'javascript:alert(1)', ''])
      expect(() => buildCodeUrl(bad, token), bad).toThrow(AppError);
  });
});
