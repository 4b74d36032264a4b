import { describe, expect, it } from 'vitest';
import { copyOf, CopyRows, COPY_FROM_STDIN } from './copy.js';

describe('COPY text rows', () => {
  it('writes columns tab-separated, rows newline-ended, NULL as \\N, booleans as t/f', () => {
    const rows = new CopyRows();
    rows.plain(1).plain(null).plain(true).plain(false).text('石斑鱼').text(null).end();
    rows.plain(-2).text('').end();
    expect(rows.toString()).toBe('1\t\\N\tt\tf\t石斑鱼\t\\N\n-2\t\n');
    expect(rows.toBuffer().equals(Buffer.from('1\t\\N\tt\tf\t石斑鱼\t\\N\n-2\t\n'))).toBe(true);
  });

  it('escapes backslash, tab, newline and carriage return in text, so no value can end a column or a row', () => {
    const rows = new CopyRows();
    rows.text('a\tb').text('c\nd\re').text('\\N').text('x\\y').end();
    expect(rows.toString()).toBe('a\\tb\tc\\nd\\re\t\\\\N\tx\\\\y\n');
  });

  it('recognises its own statements and their rows, and nothing else', () => {
    expect(copyOf(`${COPY_FROM_STDIN}copy sale (a, b) from stdin $1`, ['1\t2\n'])).toEqual({ statement: 'copy sale (a, b) from stdin', rows: '1\t2\n' });
    const bytes = Buffer.from('1\t石\n');
    expect(copyOf(`${COPY_FROM_STDIN}copy sale (a, b) from stdin $1`, [bytes])).toEqual({ statement: 'copy sale (a, b) from stdin', rows: bytes });
    expect(copyOf('select $1', ['x'])).toBeNull();
    expect(() => copyOf(`${COPY_FROM_STDIN}copy sale (a) from stdin`, [])).toThrow(/one text parameter/);
  });
});
