/**
 * What a file is, from its bytes rather than its name: an xlsx workbook (a zip holding
 * xl/workbook.xml), a text CSV (UTF-8, UTF-16 or GBK/GB18030), or something we refuse, with the
 * reason in words. Pure: no I/O.
 */

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export type Sniffed =
  | { format: 'xlsx'; zip: Extract<ZipDirectory, { ok: true }> }
  | { format: 'csv'; encoding: Encoding }
  | { format: 'refused'; message: string };

const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;

const DAMAGED = 'Excel 文件已损坏或不完整，请重新保存后再试 (the Excel file is damaged or incomplete: save it again and retry)';

export function sniffFile(buf: Buffer): Sniffed {
  if (buf.length === 0) return { format: 'refused', message: '文件是空的 (the file is empty)' };
  if (buf.length >= 4 && buf.readUInt32LE(0) === ZIP_LOCAL) return sniffZip(buf);
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    return {
      format: 'refused',
      message: '不支持旧版 .xls 或加密的 Excel 文件，请另存为未加密的 .xlsx 或 .csv (old .xls and password-protected workbooks are not supported: save as an unprotected .xlsx or .csv)',
    };
  }
  if (buf.length >= 4 && buf.readUInt32LE(0) === ZIP_END) return { format: 'refused', message: '这是一个空的压缩包，不是 Excel 表格 (an empty zip archive, not an Excel workbook)' };
  const encoding = textEncoding(buf);
  if (encoding) return { format: 'csv', encoding };
  return { format: 'refused', message: '文件不是 Excel (.xlsx) 或 CSV 表格 (the file is not an Excel (.xlsx) or CSV spreadsheet)' };
}

function sniffZip(buf: Buffer): Sniffed {
  const dir = readZipDirectory(buf);
  if (!dir.ok) return { format: 'refused', message: DAMAGED };
  const names = new Set(dir.entries.map((e) => e.name));
  if (names.has('xl/workbook.xml')) {
    if (dir.entries.some((e) => e.flags & 1)) return { format: 'refused', message: '工作簿已加密，请取消密码后再导入 (the workbook is encrypted: remove the password first)' };
    return { format: 'xlsx', zip: dir };
  }
  if (names.has('word/document.xml')) return { format: 'refused', message: '这是 Word 文档，不是 Excel 表格 (a Word document, not an Excel workbook)' };
  if (names.has('ppt/presentation.xml')) return { format: 'refused', message: '这是 PowerPoint 文件，不是 Excel 表格 (a PowerPoint file, not an Excel workbook)' };
  if (names.has('content.xml') && names.has('mimetype')) return { format: 'refused', message: '不支持 OpenDocument (.ods) 表格，请另存为 .xlsx (OpenDocument spreadsheets are not supported: save as .xlsx)' };
  return { format: 'refused', message: '这是一个压缩包，不是 Excel 表格 (a zip archive, not an Excel workbook)' };
}

/**
 * The encoding of a text file, or null when the bytes are not text: a byte-order mark decides;
 * otherwise valid UTF-8, else valid GB18030 (what Excel in China saves CSV as), with no control
 * characters but tab and line breaks in the first 64 KiB.
 */
export function textEncoding(buf: Buffer): Encoding | null {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return isText(buf.subarray(2), 'utf-16le') ? 'utf-16le' : null;
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return isText(buf.subarray(2), 'utf-16be') ? 'utf-16be' : null;
  const sample = buf.subarray(0, 64 * 1024);
  for (const b of sample) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return null;
  if (isText(buf, 'utf-8')) return 'utf-8';
  if (isText(sample, 'gb18030')) return 'gb18030';
  return null;
}

function isText(bytes: Buffer, encoding: Encoding): boolean {
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, 64 * 1024), { stream: true });
    return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

/** Decodes a whole CSV file; a file that is UTF-8 only in its first part falls back to GB18030. */
export function decodeText(buf: Buffer, encoding: Encoding): string {
  if (encoding === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return new TextDecoder('gb18030').decode(buf);
    }
  }
  return new TextDecoder(encoding).decode(buf);
}

// ---------------------------------------------------------------- zip directory

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts, and its data after it. */
  localOffset: number;
  dataOffset: number;
  /** Its record in the central directory. */
  centralOffset: number;
  centralLength: number;
  zip64: boolean;
}

export type ZipDirectory = { ok: true; entries: ZipEntry[]; directoryOffset: number; endOffset: number } | { ok: false; reason: string };

const MAX_ENTRIES = 10_000;

/** Reads the central directory (zip64 too) and checks every entry's local header lies within the file. Never throws. */
export function readZipDirectory(buf: Buffer): ZipDirectory {
  try {
    return readDirectory(buf);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

function readDirectory(buf: Buffer): ZipDirectory {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  let end = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === ZIP_END) {
      end = i;
      break;
    }
  }
  if (end < 0) return { ok: false, reason: 'no end of central directory' };
  let count = buf.readUInt16LE(end + 10);
  let size = buf.readUInt32LE(end + 12);
  let offset = buf.readUInt32LE(end + 16);
  if (end >= 20 && buf.readUInt32LE(end - 20) === ZIP64_LOCATOR) {
    const at = Number(buf.readBigUInt64LE(end - 20 + 8));
    if (at + 56 > buf.length || buf.readUInt32LE(at) !== ZIP64_END) return { ok: false, reason: 'bad zip64 end record' };
    count = Number(buf.readBigUInt64LE(at + 32));
    size = Number(buf.readBigUInt64LE(at + 40));
    offset = Number(buf.readBigUInt64LE(at + 48));
  }
  if (count > MAX_ENTRIES) return { ok: false, reason: 'too many entries' };
  if (offset + size > buf.length) return { ok: false, reason: 'central directory outside the file' };
  const entries: ZipEntry[] = [];
  const zip64 = offset !== buf.readUInt32LE(end + 16);
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== ZIP_CENTRAL) return { ok: false, reason: 'bad central directory entry' };
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let sizeOf = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extended information: the 8-byte values appear for the fields that are saturated.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    let entryZip64 = zip64;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        entryZip64 = true;
        let q = e + 4;
        if (sizeOf === 0xffffffff) (sizeOf = Number(buf.readBigUInt64LE(q))), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(buf.readBigUInt64LE(q))), (q += 8);
        if (local === 0xffffffff) local = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== ZIP_LOCAL) return { ok: false, reason: `bad local header for ${name}` };
    const dataOffset = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataOffset + compressedSize > buf.length) return { ok: false, reason: `${name} runs past the end of the file` };
    entries.push({ name, flags, method, compressedSize, size: sizeOf, localOffset: local, dataOffset, centralOffset: p, centralLength: extraEnd + commentLen - p, zip64: entryZip64 });
    p = extraEnd + commentLen;
  }
  // Entries may not share or overlap their data (a trick of zip bombs).
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const next = i + 1 < byOffset.length ? byOffset[i + 1]!.localOffset : offset;
    if (byOffset[i]!.dataOffset + byOffset[i]!.compressedSize > next) return { ok: false, reason: 'overlapping entries' };
  }
  return { ok: true, entries, directoryOffset: offset, endOffset: end };
}

/**
 * The same archive with the named entries moved to the front (in that order), the rest after in
 * their order. Streaming readers see entries in file order; exceljs streams a worksheet straight
 * through only when the workbook, its relations and shared strings came before it, and otherwise
 * spools it to a temporary file. Data is copied, never recompressed. Zip64 archives come back as
 * they are.
 */
export function reorderZip(buf: Buffer, dir: Extract<ZipDirectory, { ok: true }>, first: readonly string[]): Buffer {
  if (dir.entries.some((e) => e.zip64)) return buf;
  const byOffset = [...dir.entries].sort((a, b) => a.localOffset - b.localOffset);
  const extentEnd = new Map(byOffset.map((e, i) => [e, i + 1 < byOffset.length ? byOffset[i + 1]!.localOffset : dir.directoryOffset]));
  const rank = (e: ZipEntry) => {
    const i = first.indexOf(e.name);
    return i < 0 ? first.length : i;
  };
  const ordered = byOffset.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map((x) => x.e);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let at = 0;
  for (const e of ordered) {
    const local = buf.subarray(e.localOffset, extentEnd.get(e)!);
    const central = Buffer.from(buf.subarray(e.centralOffset, e.centralOffset + e.centralLength));
    central.writeUInt32LE(at, 42);
    locals.push(local);
    centrals.push(central);
    at += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.from(buf.subarray(dir.endOffset, dir.endOffset + 22));
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(at, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, directory, end]);
}
