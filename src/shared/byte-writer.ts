/**
 * Text written straight into a growing UTF-8 byte buffer: for the forms built tens of thousands
 * of times a second (a message's canonical JSON to sign or check, COPY rows), where string
 * concatenation costs a chain of pieces, a flat copy of it and then its bytes. One writer is
 * reused: `bytes()` is a view that the next `reset()` overwrites.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** Forgets what was written; the buffer is kept. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  private room(bytes: number) {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Text as UTF-8 bytes, as it is (lone surrogates become U+FFFD, as Buffer.from does). */
  utf8(s: string): this {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /** One byte (an ASCII character code). */
  byte(b: number): this {
    this.room(1);
    this.buf[this.pos++] = b;
    return this;
  }

  /** A safe integer in decimal, as String(n) writes it. */
  int(n: number): this {
    if (!Number.isSafeInteger(n)) return this.utf8(String(n));
    this.room(17);
    if (n < 0) {
      this.buf[this.pos++] = 45;
      n = -n;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let i = this.pos + digits;
    this.pos = i;
    do {
      this.buf[--i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    return this;
  }

  /** A JSON string literal, byte for byte what JSON.stringify(s) gives. */
  jsonString(s: string): this {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Quote, backslash, control characters and surrogates (lone ones are escaped): the general path.
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return this.utf8(JSON.stringify(s));
    }
    this.room(s.length * 3 + 2);
    this.buf[this.pos++] = 34;
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 34;
    return this;
  }

  /** What was written since the last reset: a view, valid until the writer is written again after a reset. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
