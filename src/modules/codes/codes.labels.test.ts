import jsQRModule from 'jsqr';
import * as mupdf from 'mupdf';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { LABEL_KINDS, labelCellMm, planLabelSheet, renderLabelSheet, type CellMm, type Label, type LabelKind, type SheetOptions } from './codes.labels.js';

// jsqr is a UMD bundle whose function sits on `default` under some loaders and is the module under others.
type JsQr = typeof jsQRModule.default;
const jsQR: JsQr = (jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr);

/** A modest print-preview resolution: what a phone camera sees is no sharper than this. */
const DPI = 150;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const KINDS = Object.keys(LABEL_KINDS) as LabelKind[];

/** A deterministic token of base32 characters, the shape of a signed code's token. */
function token(length: number, seed: number): string {
  let x = seed * 2654435761 + 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += BASE32[x >>> 27];
  }
  return out;
}

/** Realistic labels: every third URL lower case (byte mode, a denser code), the rest upper case (alphanumeric mode). */
function makeLabels(count: number): Label[] {
  return Array.from({ length: count }, (_, i) => ({
    url: i % 3 === 2 ? `https://mashang.sanya.gov.cn/c/${token(100, i).toLowerCase()}` : `HTTPS://MASHANG.SANYA.GOV.CN/C/${token(100, i)}`,
    checkCode: token(4, i + 1000),
    title: i % 2 ? `林记海鲜 ${i}` : `三亚第一农贸市场 ${i} 号摊`,
    titleEn: i % 2 ? `Lin's Seafood ${i}` : undefined,
    lines: [`摊位 A-${i} · Stall A-${i}`, `电子秤 SN-${100_000 + i} · 型号 ACS-30`],
    kind: KINDS[i % KINDS.length]!,
  }));
}

interface Raster {
  width: number;
  height: number;
  rgba: Buffer;
}

function openPdf(pdf: Buffer): mupdf.Document {
  return mupdf.Document.openDocument(pdf, 'application/pdf');
}

/** Every page as a PNG at `dpi`, decoded back to RGBA pixels, as a print preview would show it. */
function rasterise(doc: mupdf.Document, dpi: number): Raster[] {
  const pages: Raster[] = [];
  for (let p = 0; p < doc.countPages(); p++) {
    const pixmap = doc.loadPage(p).toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceRGB, false);
    const png = PNG.sync.read(Buffer.from(pixmap.asPNG()));
    pages.push({ width: png.width, height: png.height, rgba: png.data });
  }
  return pages;
}

/**
 * Decodes the QR code of one label, or null when there is none, looking where a phone is aimed: the
 * top square of the label (the code and its quiet zone). jsQR, unlike phone scanners, is misled now
 * and then by the big check code under the code when given the whole label.
 */
function decodeLabel(page: Raster, label: CellMm, dpi: number): string | null {
  const cell = { ...label, heightMm: label.widthMm };
  const px = (mm: number) => Math.round((mm * dpi) / 25.4);
  const x0 = px(cell.xMm);
  const y0 = px(cell.yMm);
  const width = Math.min(px(cell.xMm + cell.widthMm), page.width) - x0;
  const height = Math.min(px(cell.yMm + cell.heightMm), page.height) - y0;
  const crop = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * page.width + x0) * 4;
    crop.set(page.rgba.subarray(from, from + width * 4), y * width * 4);
  }
  return jsQR(crop, width, height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

const pageTexts = (doc: mupdf.Document) => Array.from({ length: doc.countPages() }, (_, p) => doc.loadPage(p).toStructuredText('').asText());

describe('a printed label sheet', () => {
  it.each<{ options: SheetOptions; count: number; perPage: number }>([
    { options: { labelSizeMm: 40, heading: '三亚市第一农贸市场 Sanya No. 1 Farmers Market' }, count: 20, perPage: 16 },
    { options: { labelSizeMm: 70 }, count: 6, perPage: 4 },
    { options: { labelSizeMm: 50, perPage: 2 }, count: 5, perPage: 2 },
  ])('at $options.labelSizeMm mm: every code decodes to exactly its own URL, in order, page after page', async ({ options, count, perPage }) => {
    const labels = makeLabels(count);
    const layout = planLabelSheet(options);
    expect(layout.perPage).toBe(perPage);
    const doc = openPdf(await renderLabelSheet(labels, options));
    const pages = rasterise(doc, DPI);
    expect(pages).toHaveLength(Math.ceil(count / perPage));
    pages.forEach((page, p) => {
      for (let i = 0; i < layout.columns * layout.rows; i++) {
        const expected = labels[p * perPage + i]?.url ?? null;
        expect(decodeLabel(page, labelCellMm(layout, i), DPI), `page ${p + 1}, label ${i + 1}`).toBe(i < perPage ? expected : null);
      }
    });
  });

  it('sets the Chinese and English text in an embedded font, so it can be read and searched in any viewer', async () => {
    const labels: Label[] = [
      { url: 'HTTPS://MASHANG.SANYA.GOV.CN/C/' + token(100, 1), checkCode: 'K7QX', title: '三亚第一农贸市场', titleEn: 'Sanya No. 1 Farmers Market', lines: ['天涯区 · Tianya District'], kind: 'market' },
      { url: 'https://mashang.sanya.gov.cn/c/' + token(100, 2).toLowerCase(), checkCode: 'M4ZT', title: '林记海鲜', lines: ['摊位 A-12 · Stall A-12'], kind: 'merchant' },
      { url: 'HTTPS://MASHANG.SANYA.GOV.CN/C/' + token(100, 3), checkCode: 'P2WN', title: '电子秤 ACS-30', lines: ['电子秤 SN-123 · 型号 ACS-30'], kind: 'scale' },
      { url: 'HTTPS://MASHANG.SANYA.GOV.CN/P/460200', checkCode: 'R8CD', title: '三亚市调控价格', titleEn: 'Sanya controlled prices', lines: [], kind: 'prices' },
    ];
    const doc = openPdf(await renderLabelSheet(labels, { labelSizeMm: 45, heading: '三亚第一农贸市场 Sanya No. 1 Farmers Market' }));
    const text = pageTexts(doc).join('\n');
    expect(text).toContain('三亚第一农贸市场 Sanya No. 1 Farmers Market');
    expect(text).toContain('第 1 / 1 页');
    for (const label of labels) {
      expect(text).toContain(label.title);
      expect(text).toContain(label.checkCode);
      if (label.titleEn) expect(text).toContain(label.titleEn);
      for (const line of label.lines) expect(text).toContain(line);
      expect(text).toContain(LABEL_KINDS[label.kind].zh);
      expect(text).toContain(LABEL_KINDS[label.kind].en);
    }
    expect(text.match(/核验码/g)).toHaveLength(labels.length);

    // Every font the page uses carries its own glyphs (an embedded font program), none left to the viewer.
    const page = doc.asPDF()!.loadPage(0) as mupdf.PDFPage;
    const fonts: string[] = [];
    page.getObject().get('Resources', 'Font').forEach((ref: mupdf.PDFObject) => {
      const font = ref.resolve();
      if (font.get('Subtype').asName() === 'Type1' && !font.get('FontDescriptor').isDictionary()) return; // pdfkit's unused default
      const descriptor = font.get('DescendantFonts').get(0).get('FontDescriptor');
      fonts.push(font.get('BaseFont').asName());
      expect(['FontFile', 'FontFile2', 'FontFile3'].some((key) => descriptor.get(key).isStream()), font.get('BaseFont').asName()).toBe(true);
    });
    expect(fonts.some((f) => f.endsWith('NotoSansHans-Regular'))).toBe(true);
    expect(fonts.some((f) => f.endsWith('NotoSansHans-Bold'))).toBe(true);
  });

  it('shrinks, wraps or cuts long names and lines short, and never lets text leave its label or run into other text', async () => {
    const long: Label = {
      url: 'HTTPS://MASHANG.SANYA.GOV.CN/C/' + token(100, 9),
      checkCode: 'W9ABCDEFGH',
      title: '三亚市天涯区第一农贸市场海鲜区特大号摊位连锁经营有限公司第十二分店（旗舰店）海南省三亚市天涯区',
      titleEn: 'Sanya Tianya District First Farmers Market Seafood Hall Extra Large Stall Chain Operation Company Limited, Branch No. 12 (Flagship)',
      lines: ['电子秤 SN-1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890 · 型号 ACS-30', '摊位 A-12 · Stall A-12', '第三行 third line', '第四行 fourth line', '第五行 fifth line'],
      kind: 'scale',
    };
    const options = { labelSizeMm: 40 };
    const layout = planLabelSheet(options);
    const labels = [long, makeLabels(1)[0]!, long];
    const doc = openPdf(await renderLabelSheet(labels, options));
    // Each glyph's em box, as a viewer lays it out, in mm.
    const glyphs: { c: string; x0: number; y0: number; x1: number; y1: number }[] = [];
    const mm = (pt: number) => (pt * 25.4) / 72;
    doc.loadPage(0).toStructuredText('').walk({
      onChar(c, _origin, _font, _size, quad) {
        if (!c.trim()) return;
        const xs = [quad[0], quad[2], quad[4], quad[6]].map(mm);
        const ys = [quad[1], quad[3], quad[5], quad[7]].map(mm);
        glyphs.push({ c, x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) });
      },
    });
    const inLabels = glyphs.filter((g) => g.y1 > layout.originYMm); // not the page heading
    expect(inLabels.length).toBeGreaterThan(200);
    const outside = inLabels.filter(
      (g) =>
        ![0, 1, 2].some((i) => {
          const c = labelCellMm(layout, i);
          return g.x0 >= c.xMm && g.x1 <= c.xMm + c.widthMm && g.y0 >= c.yMm && g.y1 <= c.yMm + c.heightMm;
        }),
    );
    expect(outside.map((g) => `"${g.c}" at ${g.x0.toFixed(1)},${g.y0.toFixed(1)} mm`)).toEqual([]);
    const overlap = 0.2; // mm: kerning may bring neighbours a hair closer, colliding text would be far more
    const collisions: string[] = [];
    for (let a = 0; a < glyphs.length; a++) {
      for (let b = a + 1; b < glyphs.length; b++) {
        const [p, q] = [glyphs[a]!, glyphs[b]!];
        if (Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0) > overlap && Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0) > overlap) {
          collisions.push(`"${p.c}" and "${q.c}" at ${p.x0.toFixed(1)},${p.y0.toFixed(1)} mm`);
        }
      }
    }
    expect(collisions).toEqual([]);
    const text = pageTexts(doc)[0]!;
    expect(text).toContain('三亚市天涯区第一农贸市场'); // the name's start survives
    expect(text).toContain('…'); // and what did not fit is visibly cut
    expect(text).toContain(long.checkCode);
    // The codes still scan.
    const [page] = rasterise(doc, DPI);
    labels.forEach((label, i) => expect(decodeLabel(page!, labelCellMm(layout, i), DPI)).toBe(label.url));
  });

  it('stays small: the CJK font is subset, so a sheet of 24 labels is well under 1 MB', async () => {
    const pdf = await renderLabelSheet(makeLabels(24), { labelSizeMm: 40, heading: '三亚市第一农贸市场 Sanya No. 1 Farmers Market' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeLessThan(400_000);
  });
});

describe('label sheet options', () => {
  const labels = makeLabels(2);
  const rejects = async (promise: Promise<unknown>, message: RegExp) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'invalid_input', status: 400 });
    expect((error as AppError).message).toMatch(message);
  };

  it('refuse an empty list of labels', () => rejects(renderLabelSheet([], { labelSizeMm: 40 }), /no labels to print/));

  it('refuse a label too small for readable text, or too big for an A4 page', async () => {
    await rejects(renderLabelSheet(labels, { labelSizeMm: 20 }), /20 mm label is too small: at least 30 mm/);
    await rejects(renderLabelSheet(labels, { labelSizeMm: 200 }), /200 mm label does not fit on an A4 page: at most \d+ mm/);
    await rejects(renderLabelSheet(labels, { labelSizeMm: Number.NaN }), /labelSizeMm must be a number/);
  });

  it('accept the largest size they name, one label to a page', async () => {
    const { labelWidthMm, perPage } = planLabelSheet({ labelSizeMm: 160 });
    expect([labelWidthMm, perPage]).toEqual([160, 1]);
  });

  it('refuse a label too small for its QR code to scan, and say what size would do', async () => {
    // A 300-character URL needs a version 13 code: 77 modules with the quiet zone, 0.48 mm each on a 40 mm label.
    const dense = [{ ...labels[0]!, url: `https://mashang.sanya.gov.cn/c/${token(269, 5).toLowerCase()}` }];
    await rejects(renderLabelSheet(dense, { labelSizeMm: 40 }), /too small for these QR codes: each module would be 0\.48 mm.*use 42 mm or more/);
    await expect(renderLabelSheet(dense, { labelSizeMm: 42 })).resolves.toBeInstanceOf(Buffer);
  });

  it('refuse perPage below 1 or not a whole number', async () => {
    await rejects(renderLabelSheet(labels, { labelSizeMm: 40, perPage: 0 }), /perPage must be a whole number of at least 1/);
    await rejects(renderLabelSheet(labels, { labelSizeMm: 40, perPage: 1.5 }), /perPage/);
  });

  it('refuse a label without a URL or check code, or with a URL no QR code can hold, naming the label', async () => {
    await rejects(renderLabelSheet([labels[0]!, { ...labels[1]!, checkCode: ' ' }], { labelSizeMm: 40 }), /label 2.*check code is empty/);
    await rejects(renderLabelSheet([{ ...labels[0]!, url: '' }], { labelSizeMm: 40 }), /label 1.*URL is empty/);
    await rejects(renderLabelSheet([{ ...labels[0]!, url: 'https://x.cn/' + 'a'.repeat(3000) }], { labelSizeMm: 40 }), /URL is too long for a QR code/);
  });
});
