import { describe, expect, it } from 'vitest';
import { ByteWriter } from './byte-writer.js';

describe('ByteWriter', () => {
  it('writes JSON strings byte for byte as JSON.stringify, escapes and surrogates included', () => {
    const cases = ['', 'plain', '石斑鱼', 'a"b', 'back\\slash', 'tab\tnew\nline\r', '\u0000\u001f\u007f', '🐟 pair', 'lone \ud800 high', 'lone \udc00 low', '\u2028\u2029', '</script>'];
    for (const s of cases) {
      const w = new ByteWriter(64);
      expect(w.jsonString(s).bytes().toString('utf8')).toBe(JSON.stringify(s));
    }
  });

  it('writes integers as String() does, negative, zero and the largest safe ones included', () => {
    for (const n of [0, -0, 7, 10, 99, 100, -1, -120, 123456789, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5, 1e21, NaN]) {
      expect(new ByteWriter().int(n).bytes().toString()).toBe(String(n));
    }
  });

  it('grows past its first buffer and keeps what it wrote; reset starts again', () => {
    const w = new ByteWriter(64);
    const long = '鱼'.repeat(1000);
    w.byte(123).jsonString(long).byte(44).int(42).utf8('x').byte(125);
    expect(w.bytes().toString('utf8')).toBe(`{${JSON.stringify(long)},42x}`);
    expect(w.length).toBe(Buffer.byteLength(`{${JSON.stringify(long)},42x}`));
    w.reset().utf8('ab');
    expect(w.bytes().toString()).toBe('ab');
  });
});
