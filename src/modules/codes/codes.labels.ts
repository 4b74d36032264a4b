/**
 * Printable label sheets: A4 PDF pages of QR-code labels (merchant, scale, market, price codes) to
 * cut out and stick on. Pure: label data in, PDF bytes out. Each QR code is drawn as vector
 * rectangles, so it prints crisp at any size; text is set in an embedded CJK font (codes.font.ts).
 */
import PDFDocument from 'pdfkit';
import QRCode, { type QRCode as QrSymbol } from 'qrcode';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { invalid } from '../../shared/errors.js';
import { loadLabelFonts } from './codes.font.js';

/** What a scan of each kind of code shows, printed at the foot of the label. */
export const LABEL_KINDS = {
  merchant: { zh: '扫码查看商户信用信息', en: "Scan to see this merchant's credit record" },
  scale: { zh: '扫码查看电子秤检定信息并评价', en: "Scan to check this scale's verification and rate it" },
  market: { zh: '扫码查看市场内商户与电子秤', en: 'Scan to see the merchants and scales in this market' },
  prices: { zh: '扫码查看调控价格', en: 'Scan to see the controlled prices' },
} as const;
export type LabelKind = keyof typeof LABEL_KINDS;

export interface Label {
  /** What the QR code encodes. */
  url: string;
  /** Printed under the code, for typing in when a code cannot be scanned and for checking a code is genuine. */
  checkCode: string;
  /** Merchant, scale or market name, usually Chinese. */
  title: string;
  titleEn?: string;
  /** Extra lines, e.g. '摊位 A-12 · Stall A-12', '电子秤 SN-123 · 型号 ACS-30'. */
  lines: string[];
  kind: LabelKind;
}

export interface SheetOptions {
  /** Width of one label as cut, in mm; the label is LABEL_HEIGHT_RATIO times as tall. */
  labelSizeMm: number;
  /** At most this many labels on a page; the layout fits as many as the size allows, up to this. */
  perPage?: number;
  /** Printed at the top of every page, e.g. the market's name. */
  heading?: string;
}

export const A4_MM = { width: 210, height: 297 } as const;
/** Inside what most office printers can print; the top band holds the heading and page number. */
const PAGE_MARGIN_MM = 7;
const HEADER_BAND_MM = 6;
/** Label height over width: a square QR code plus room for about eight lines of text under it. */
export const LABEL_HEIGHT_RATIO = 1.7;
/** Below this the text under the code would be too small to read (it scales with the label). */
export const MIN_LABEL_MM = 30;
/** Phones read printed codes reliably from about half a millimetre per module. */
export const MIN_MODULE_MM = 0.5;
/** Bounds one request's CPU time and memory: 125 pages at the smallest size. */
export const MAX_LABELS_PER_SHEET = 2000;
const QUIET_ZONE_MODULES = 4;

const GRID_WIDTH_MM = A4_MM.width - 2 * PAGE_MARGIN_MM;
const GRID_HEIGHT_MM = A4_MM.height - 2 * PAGE_MARGIN_MM - HEADER_BAND_MM;
/** The largest label that still fits one to a page. */
export const MAX_LABEL_MM = Math.floor(Math.min(GRID_WIDTH_MM, GRID_HEIGHT_MM / LABEL_HEIGHT_RATIO));

const PT_PER_MM = 72 / 25.4;
const pt = (mm: number) => mm * PT_PER_MM;

// ---------------------------------------------------------------- layout

/** Where the labels go on each page. All lengths in mm from the page's top-left corner. */
export interface LabelSheetLayout {
  labelWidthMm: number;
  labelHeightMm: number;
  columns: number;
  rows: number;
  perPage: number;
  originXMm: number;
  originYMm: number;
}

export interface CellMm {
  xMm: number;
  yMm: number;
  widthMm: number;
  heightMm: number;
}

/** The page grid for a label size; throws invalid_input when the size or perPage is unusable. */
export function planLabelSheet(options: SheetOptions): LabelSheetLayout {
  const { labelSizeMm: w, perPage } = options;
  const sizeProblem = (message: string) => invalid(message, [{ field: 'labelSizeMm', message }]);
  if (typeof w !== 'number' || !Number.isFinite(w)) throw sizeProblem('标签尺寸须为数字，单位毫米 (labelSizeMm must be a number of millimetres)');
  if (w < MIN_LABEL_MM) {
    throw sizeProblem(`标签宽 ${w} mm 太小，至少 ${MIN_LABEL_MM} mm，否则文字无法阅读 (a ${w} mm label is too small: at least ${MIN_LABEL_MM} mm is needed for readable text)`);
  }
  if (w > MAX_LABEL_MM) {
    throw sizeProblem(`标签宽 ${w} mm 放不进 A4 页面，最大 ${MAX_LABEL_MM} mm (a ${w} mm label does not fit on an A4 page: at most ${MAX_LABEL_MM} mm)`);
  }
  if (perPage !== undefined && (!Number.isInteger(perPage) || perPage < 1)) {
    const message = `每页标签数须为不小于 1 的整数 (perPage must be a whole number of at least 1, got ${perPage})`;
    throw invalid(message, [{ field: 'perPage', message }]);
  }
  const h = w * LABEL_HEIGHT_RATIO;
  let columns = Math.floor(GRID_WIDTH_MM / w);
  let rows = Math.floor(GRID_HEIGHT_MM / h);
  const capacity = columns * rows;
  const count = Math.min(capacity, perPage ?? capacity);
  columns = Math.min(columns, count);
  rows = Math.ceil(count / columns);
  return {
    labelWidthMm: w,
    labelHeightMm: h,
    columns,
    rows,
    perPage: count,
    originXMm: PAGE_MARGIN_MM + (GRID_WIDTH_MM - columns * w) / 2,
    originYMm: PAGE_MARGIN_MM + HEADER_BAND_MM,
  };
}

/** The rectangle of the index-th label on a page, filled row by row. */
export function labelCellMm(layout: LabelSheetLayout, indexOnPage: number): CellMm {
  const column = indexOnPage % layout.columns;
  const row = Math.floor(indexOnPage / layout.columns);
  return {
    xMm: layout.originXMm + column * layout.labelWidthMm,
    yMm: layout.originYMm + row * layout.labelHeightMm,
    widthMm: layout.labelWidthMm,
    heightMm: layout.labelHeightMm,
  };
}

/** Margin inside the cut line, so a slightly crooked cut never eats into the QR code's quiet zone. */
const cellPaddingMm = (labelWidthMm: number) => Math.max(1.5, 0.04 * labelWidthMm);

/** The smallest label width at which a QR code of this many modules (quiet zone included) is readable. */
function minLabelMmForModules(modulesWithQuietZone: number): number {
  const qrMm = modulesWithQuietZone * MIN_MODULE_MM;
  return Math.ceil(Math.max(qrMm + 3, qrMm / 0.92));
}

// ---------------------------------------------------------------- rendering

/**
 * Renders the labels on as many A4 pages as they need, in order, row by row. Throws invalid_input
 * (before any work) for an empty list, an unusable size, or a URL whose code would be too dense.
 */
export async function renderLabelSheet(labels: readonly Label[], options: SheetOptions): Promise<Buffer> {
  if (labels.length === 0) throw invalid('没有要打印的标签 (no labels to print)', [{ field: 'labels', message: 'empty' }]);
  if (labels.length > MAX_LABELS_PER_SHEET) {
    throw invalid(`一次最多打印 ${MAX_LABELS_PER_SHEET} 个标签 (at most ${MAX_LABELS_PER_SHEET} labels per sheet, got ${labels.length})`, [{ field: 'labels', message: 'too many' }]);
  }
  const layout = planLabelSheet(options);
  const codes = labels.map((label, i) => encodeLabel(label, i));
  const widest = Math.max(...codes.map((c) => c.modules.size)) + 2 * QUIET_ZONE_MODULES;
  const paddingMm = cellPaddingMm(layout.labelWidthMm);
  const moduleMm = (layout.labelWidthMm - 2 * paddingMm) / widest;
  if (moduleMm < MIN_MODULE_MM) {
    const need = minLabelMmForModules(widest);
    const message =
      `标签宽 ${layout.labelWidthMm} mm 容不下可扫读的二维码：每个码点仅 ${moduleMm.toFixed(2)} mm，至少需 ${MIN_MODULE_MM} mm，请用 ${need} mm 或更大的标签 ` +
      `(a ${layout.labelWidthMm} mm label is too small for these QR codes: each module would be ${moduleMm.toFixed(2)} mm, ` +
      `at least ${MIN_MODULE_MM} mm is needed to scan reliably; use ${need} mm or more)`;
    throw invalid(message, [{ field: 'labelSizeMm', message }]);
  }

  const fonts = await loadLabelFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: options.heading ? `${options.heading} 二维码标签 QR code labels` : '二维码标签 QR code labels', Creator: '码上 Mashang' },
  });
  const output = collect(doc);
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);
  const text = new TextSetter(doc);

  const pages = Math.ceil(labels.length / layout.perPage);
  for (let p = 0; p < pages; p++) {
    doc.addPage({ size: 'A4', margin: 0 });
    const first = p * layout.perPage;
    const onPage = Math.min(layout.perPage, labels.length - first);
    drawPageHeader(text, options.heading, p + 1, pages);
    drawCutLines(doc, layout, onPage);
    for (let i = 0; i < onPage; i++) drawLabel(doc, text, labels[first + i]!, codes[first + i]!, labelCellMm(layout, i));
    // A whole market is tens of pages: let other requests in between pages.
    await yieldToEventLoop();
  }
  doc.end();
  return output;
}

function encodeLabel(label: Label, index: number): QrSymbol {
  const which = `第 ${index + 1} 个标签 (label ${index + 1})`;
  const problem = (zh: string, en: string, field: string) => {
    const message = `${which}：${zh} (${en})`;
    return invalid(message, [{ field: `labels[${index}].${field}`, message: `${zh} (${en})` }]);
  };
  if (!Object.hasOwn(LABEL_KINDS, label.kind)) throw problem('类型未知', `unknown kind "${String(label.kind)}"`, 'kind');
  if (!label.url.trim()) throw problem('缺少二维码网址', 'the URL is empty', 'url');
  if (!label.checkCode.trim()) throw problem('缺少核验码', 'the check code is empty', 'checkCode');
  if (!label.title.trim()) throw problem('缺少名称', 'the title is empty', 'title');
  try {
    return QRCode.create(label.url, { errorCorrectionLevel: 'M' });
  } catch {
    throw problem('网址太长，无法编成二维码', 'the URL is too long for a QR code', 'url');
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function drawPageHeader(text: TextSetter, heading: string | undefined, page: number, pages: number): void {
  const left = pt(PAGE_MARGIN_MM);
  const right = pt(A4_MM.width - PAGE_MARGIN_MM);
  const baselineBox = pt(PAGE_MARGIN_MM + HEADER_BAND_MM - 1.5);
  const pageLabel = `第 ${page} / ${pages} 页 · Page ${page} of ${pages}`;
  const pageSize = 7;
  const pageWidth = text.width('regular', pageLabel, pageSize);
  text.line('regular', pageLabel, pageSize, right - pageWidth, baselineBox - pageSize, GREY);
  if (heading?.trim()) {
    const size = 9;
    const [line] = text.wrap('bold', heading, size, right - left - pageWidth - pt(5), 1);
    if (line) text.line('bold', line, size, left, baselineBox - size);
  }
}

/**
 * Dashed cut lines on the cell boundaries, each drawn once: the dash pattern restarts at every
 * segment, so lines shared by two labels would not line up if each label drew its own frame.
 */
function drawCutLines(doc: PDFKit.PDFDocument, layout: LabelSheetLayout, onPage: number): void {
  const w = pt(layout.labelWidthMm);
  const h = pt(layout.labelHeightMm);
  const x0 = pt(layout.originXMm);
  const y0 = pt(layout.originYMm);
  const rows = Math.ceil(onPage / layout.columns);
  const inRow = (r: number) => (r < 0 || r >= rows ? 0 : Math.min(layout.columns, onPage - r * layout.columns));
  for (let r = 0; r <= rows; r++) {
    const span = Math.max(inRow(r - 1), inRow(r));
    doc.moveTo(x0, y0 + r * h).lineTo(x0 + span * w, y0 + r * h);
  }
  for (let c = 0; c <= layout.columns; c++) {
    // Rows are full except perhaps the last, so the rows touching this line are a prefix.
    let span = 0;
    while (span < rows && inRow(span) >= Math.max(c, 1)) span++;
    if (span > 0) doc.moveTo(x0 + c * w, y0).lineTo(x0 + c * w, y0 + span * h);
  }
  doc.lineWidth(0.4).dash(2.5, { space: 2 }).stroke(GREY);
  doc.undash();
}

/** Font sizes (pt) and line limits of a 40 mm label; everything scales with the label's width. */
const BASE = {
  widthMm: 40,
  checkCode: 14,
  captionZh: 5.2,
  captionEn: 4.4,
  title: { size: 8, maxLines: 2 },
  titleEn: { size: 6, maxLines: 2 },
  line: { size: 6, maxLines: 2 },
  instructionZh: { size: 5.4, maxLines: 2 },
  instructionEn: { size: 4.8, maxLines: 2 },
  gap: 1.2,
} as const;
/** The sizes a text block may shrink through, as fractions of its own; below the last it is cut with an ellipsis. */
const FIT_SCALES = [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7] as const;
/** A block shrinks by up to this factor more when that spares it a line (a lone word on a second line). */
const SAVE_A_LINE = 0.88;
const GREY = '#777777';

function drawLabel(doc: PDFKit.PDFDocument, text: TextSetter, label: Label, code: QrSymbol, cell: CellMm): void {
  const k = cell.widthMm / BASE.widthMm;
  const pad = pt(cellPaddingMm(cell.widthMm));
  const left = pt(cell.xMm) + pad;
  const top = pt(cell.yMm) + pad;
  const width = pt(cell.widthMm) - 2 * pad;
  const bottom = pt(cell.yMm + cell.heightMm) - pad;
  const centre = left + width / 2;
  const gap = BASE.gap * k;

  // The QR code with its quiet zone fills the width; the quiet zone is the white around it.
  const modules = code.modules.size + 2 * QUIET_ZONE_MODULES;
  const moduleSize = width / modules;
  drawQr(doc, code, left + QUIET_ZONE_MODULES * moduleSize, top + QUIET_ZONE_MODULES * moduleSize, moduleSize);
  let y = top + width;

  y += drawCheckCode(text, label.checkCode, centre, y, width, k) + gap;

  // Scanning instructions sit at the foot, under a hairline; the names and lines fill what is between.
  const kind = LABEL_KINDS[label.kind];
  const instructions = text.fit(
    [
      { font: 'regular', text: kind.zh, size: BASE.instructionZh.size * k, maxLines: BASE.instructionZh.maxLines },
      { font: 'regular', text: kind.en, size: BASE.instructionEn.size * k, maxLines: BASE.instructionEn.maxLines },
    ],
    width,
    bottom - y,
    0,
  );
  const instructionsTop = bottom - blocksHeight(instructions, 0);
  const ruleY = instructionsTop - gap;
  const blocks: TextBlock[] = [{ font: 'bold', text: label.title, ...scaled(BASE.title, k) }];
  if (label.titleEn?.trim()) blocks.push({ font: 'regular', text: label.titleEn, ...scaled(BASE.titleEn, k) });
  for (const line of label.lines) if (line.trim()) blocks.push({ font: 'regular', text: line, ...scaled(BASE.line, k) });
  // Drawn top to bottom, so text copied or read aloud from the PDF comes in reading order.
  text.blocks(text.fit(blocks, width, ruleY - gap - y, gap), centre, y, gap);
  doc.moveTo(left + width * 0.15, ruleY).lineTo(left + width * 0.85, ruleY).lineWidth(0.3 * k).stroke('#bbbbbb');
  text.blocks(instructions, centre, instructionsTop, 0, GREY);
}

/** The check code in large letter-spaced bold, a two-line caption beside it; returns the row's height. */
function drawCheckCode(text: TextSetter, raw: string, centre: number, top: number, width: number, k: number): number {
  const checkCode = raw.replace(/\s+/g, ' ').trim();
  const captionZh = { text: '核验码', size: BASE.captionZh * k };
  const captionEn = { text: 'Check code', size: BASE.captionEn * k };
  const captionWidth = Math.max(text.width('regular', captionZh.text, captionZh.size), text.width('regular', captionEn.text, captionEn.size));
  const captionGap = 1.5 * BASE.gap * k;
  const spacingEm = 0.06;
  const codeWidth = (size: number) => text.width('bold', checkCode, size) + spacingEm * size * (Array.from(checkCode).length - 1);
  // An unusually long code shrinks to fit rather than running off the label.
  const room = width - captionWidth - captionGap;
  let size = BASE.checkCode * k;
  if (codeWidth(size) > room) size = (size * room) / codeWidth(size);
  const rowHeight = BASE.checkCode * k * LINE_HEIGHT;
  const left = centre - (captionWidth + captionGap + codeWidth(size)) / 2;
  const captionTop = top + (rowHeight - (captionZh.size + captionEn.size) * LINE_HEIGHT) / 2;
  text.line('regular', captionZh.text, captionZh.size, left, captionTop, GREY);
  text.line('regular', captionEn.text, captionEn.size, left, captionTop + captionZh.size * LINE_HEIGHT, GREY);
  text.line('bold', checkCode, size, left + captionWidth + captionGap, top + (rowHeight - size * LINE_HEIGHT) / 2, undefined, spacingEm * size);
  return rowHeight;
}

const scaled = (b: { size: number; maxLines: number }, k: number) => ({ size: b.size * k, maxLines: b.maxLines });

/**
 * Dark modules as filled rectangles in one path: runs along a row, merged down the rows where the
 * same run repeats. One path means no hairline seams between touching modules in any viewer.
 */
function drawQr(doc: PDFKit.PDFDocument, code: QrSymbol, x: number, y: number, moduleSize: number): void {
  const n = code.modules.size;
  const dark = code.modules.data;
  let open = new Map<number, { from: number; to: number; row: number }>();
  const emit = (run: { from: number; to: number; row: number }, endRow: number) =>
    doc.rect(x + run.from * moduleSize, y + run.row * moduleSize, (run.to - run.from) * moduleSize, (endRow - run.row) * moduleSize);
  for (let r = 0; r < n; r++) {
    const next = new Map<number, { from: number; to: number; row: number }>();
    for (let c = 0; c < n; ) {
      if (!dark[r * n + c]) {
        c++;
        continue;
      }
      let end = c;
      while (end < n && dark[r * n + end]) end++;
      const key = c * (n + 1) + end;
      const continued = open.get(key);
      next.set(key, continued ?? { from: c, to: end, row: r });
      open.delete(key);
      c = end;
    }
    for (const run of open.values()) emit(run, r);
    open = next;
  }
  for (const run of open.values()) emit(run, n);
  doc.fill('#000000');
}

// ---------------------------------------------------------------- text

const FONT = { regular: 'label-regular', bold: 'label-bold' } as const;
type FontKey = keyof typeof FONT;
/** Line pitch as a multiple of the font size; glyphs sit centred in it. */
const LINE_HEIGHT = 1.2;
const ELLIPSIS = '…';

interface TextBlock {
  font: FontKey;
  text: string;
  size: number;
  maxLines: number;
}
interface SetBlock {
  font: FontKey;
  size: number;
  lines: string[];
}

const blocksHeight = (blocks: readonly SetBlock[], gap: number) =>
  blocks.reduce((sum, b) => sum + b.lines.length * b.size * LINE_HEIGHT, 0) + gap * Math.max(0, blocks.length - 1);

/** Lines may not start with closing punctuation nor end with opening punctuation. */
const NO_LINE_START = /^[，。、；：！？）】》」』’”,.;:!?)\]}·…%]/u;
const NO_LINE_END = /[（【《「『‘“([{]$/u;

/**
 * Our own line breaking and fitting instead of pdfkit's: pdfkit's wrapper ignores a negative
 * lineGap when deciding on ellipsis and page breaks, and we need to know a block's lines before
 * drawing it. Widths are measured per word and per character and cached for the whole document.
 */
class TextSetter {
  private readonly widths = { regular: new Map<string, number>(), bold: new Map<string, number>() };
  private current: FontKey | undefined;

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  private use(font: FontKey): void {
    if (this.current !== font) this.doc.font(FONT[font]);
    this.current = font;
  }

  /** Width in pt of `text` set at `size`; kerning between separately measured words is ignored. */
  width(font: FontKey, text: string, size: number): number {
    const cache = this.widths[font];
    let em = cache.get(text);
    if (em === undefined) {
      this.use(font);
      em = this.doc.fontSize(1).widthOfString(text);
      cache.set(text, em);
    }
    return em * size;
  }

  /** Greedy line breaking at spaces and between CJK characters; at most maxLines, the last ending in an ellipsis when cut. */
  wrap(font: FontKey, raw: string, size: number, maxWidth: number, maxLines: number): string[] {
    const lines: string[] = [];
    let line = '';
    let lineWidth = 0; // of `line` including its trailing spaces
    const fits = (word: string) => lineWidth + this.width(font, word.trimEnd(), size) <= maxWidth;
    const push = () => {
      if (line.trim()) lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    const append = (word: string) => {
      line += word;
      lineWidth += this.width(font, word, size);
    };
    for (const word of breakUnits(raw)) {
      if (fits(word)) {
        append(word);
      } else if (this.width(font, word.trim(), size) > maxWidth) {
        // Wider than a whole line (a long serial number): break it between characters, from here on.
        for (const ch of word) {
          if (!fits(ch)) push();
          append(line ? ch : ch.trimStart());
        }
      } else {
        push();
        append(word.trimStart());
      }
    }
    push();
    if (lines.length <= maxLines) return lines;
    const kept = lines.slice(0, maxLines);
    let last = Array.from(kept[maxLines - 1]!);
    while (last.length && this.width(font, last.join('').trimEnd() + ELLIPSIS, size) > maxWidth) last.pop();
    kept[maxLines - 1] = last.join('').trimEnd() + ELLIPSIS;
    return kept;
  }

  /**
   * Sets the blocks in `height`. Each block first takes the largest size at which it keeps to its
   * maxLines (so one long line does not shrink the name); then all shrink together until they fit
   * the height; failing that, at the smallest size each block in order gets the lines that are
   * left, cut short with an ellipsis. The first block (the name) always gets a line.
   */
  fit(blocks: readonly TextBlock[], width: number, height: number, gap: number): SetBlock[] {
    const own = blocks.map((b) => this.blockScale(b, width));
    for (const scale of FIT_SCALES) {
      const set = blocks.map((b, i) => {
        const size = b.size * Math.min(own[i]!, scale);
        return { font: b.font, size, lines: this.wrap(b.font, b.text, size, width, b.maxLines) };
      });
      if (blocksHeight(set, gap * scale) <= height) return set;
    }
    const scale = FIT_SCALES[FIT_SCALES.length - 1]!;
    const out: SetBlock[] = [];
    let left = height;
    for (const b of blocks) {
      const size = b.size * scale;
      const pitch = size * LINE_HEIGHT;
      const blockGap = out.length ? gap * scale : 0;
      const room = Math.floor((left - blockGap + 1e-6) / pitch);
      const lines = Math.min(b.maxLines, Math.max(room, out.length ? 0 : 1));
      if (lines < 1) break;
      const set = { font: b.font, size, lines: this.wrap(b.font, b.text, size, width, lines) };
      left -= set.lines.length * pitch + blockGap;
      out.push(set);
    }
    return out;
  }

  /** The largest of FIT_SCALES at which the block keeps to maxLines, or a little smaller if that saves a line. */
  private blockScale(b: TextBlock, width: number): number {
    const linesAt = (scale: number) => this.wrap(b.font, b.text, b.size * scale, width, Infinity).length;
    const smallest = FIT_SCALES[FIT_SCALES.length - 1]!;
    const best = FIT_SCALES.find((scale) => linesAt(scale) <= b.maxLines) ?? smallest;
    const lines = linesAt(best);
    if (lines > 1) {
      const saver = FIT_SCALES.find((scale) => scale < best && scale >= best * SAVE_A_LINE && linesAt(scale) < lines);
      if (saver !== undefined) return saver;
    }
    return best;
  }

  /** Draws set blocks centred on `centre`, from `top` down. */
  blocks(blocks: readonly SetBlock[], centre: number, top: number, gap: number, colour?: string): void {
    let y = top;
    for (const b of blocks) {
      for (const line of b.lines) {
        this.line(b.font, line, b.size, centre - this.width(b.font, line, b.size) / 2, y, colour);
        y += b.size * LINE_HEIGHT;
      }
      y += gap;
    }
  }

  /** One line with its line box's top-left at (x, y). */
  line(font: FontKey, text: string, size: number, x: number, y: number, colour = '#000000', characterSpacing = 0): void {
    this.use(font);
    // Noto's em box is ascender 0.88 + descender 0.12; pdfkit puts the ascender at y.
    this.doc
      .fontSize(size)
      .fillColor(colour)
      .text(text, x, y + ((LINE_HEIGHT - 1) / 2) * size, { lineBreak: false, characterSpacing });
  }
}

/** Splits text into the pieces a line may break between, each carrying its trailing spaces. */
function breakUnits(raw: string): string[] {
  const units: string[] = [];
  for (const m of raw.replace(/\s+/g, ' ').trim().matchAll(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]+)( ?)/gu)) {
    const unit = m[0];
    const last = units.length - 1;
    if (last >= 0 && (NO_LINE_START.test(unit) || NO_LINE_END.test(units[last]!))) units[last] += unit;
    else units.push(unit);
  }
  return units;
}
