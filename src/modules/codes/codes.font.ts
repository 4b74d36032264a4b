/**
 * The CJK font printed labels are set in: Noto Sans Hans (SIL OFL 1.1) from the npm package
 * @embedpdf/fonts-sc, so a fresh machine needs no system fonts. Read once, then kept in memory
 * (about 17 MB for the two weights); pdfkit embeds only the glyphs a document uses.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface LabelFonts {
  regular: Buffer;
  bold: Buffer;
}

const FONT_FILES = { regular: 'NotoSansHans-Regular.otf', bold: 'NotoSansHans-Bold.otf' } as const;

/** The package's fonts/ folder. Its exports map hides package.json, so resolve the entry and go up from dist/. */
function fontDirectory(): string {
  const entry = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc');
  return path.join(path.dirname(entry), '..', 'fonts');
}

let loading: Promise<LabelFonts> | undefined;

/** The label fonts, read from disk on the first call only; a failed read is retried on the next call. */
export function loadLabelFonts(): Promise<LabelFonts> {
  loading ??= (async () => {
    const dir = fontDirectory();
    const [regular, bold] = await Promise.all([readFile(path.join(dir, FONT_FILES.regular)), readFile(path.join(dir, FONT_FILES.bold))]);
    return { regular, bold };
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
