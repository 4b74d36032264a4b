/**
 * QR rendering of code URLs (SVG for pages and print, PNG for labels), always at error
 * correction level M, and refused above version 8 so a code stays readable on a small sticker.
 * No I/O: the images are returned, not written.
 */
import QRCode from 'qrcode';
import { AppError } from '../../shared/errors.js';
import { MAX_TOKEN_CHARS, codeUrlPrefix, type CodeUrlOptions } from './codes.rules.js';

/** M recovers about 15 % of the symbol: a scuffed or partly wet sticker still scans. */
export const QR_ERROR_CORRECTION = 'M';
/** Version 8 is 49 × 49 modules: at 0.5 mm a module, 2.9 cm with its quiet zone. */
export const MAX_QR_VERSION = 8;
/** The quiet zone the QR standard asks for, in modules. */
export const QR_MARGIN = 4;

/**
 * The smallest QR version that holds `text` at level M, with the mode segments (numeric,
 * alphanumeric, byte) chosen by the encoder. Throws AppError `qr_too_large` beyond version 40.
 */
export function qrVersionOf(text: string): number {
  try {
    // The version does not depend on the mask; fixing it skips the costly search over all eight.
    return QRCode.create(text, { errorCorrectionLevel: QR_ERROR_CORRECTION, maskPattern: 0 }).version;
  } catch (e) {
    throw tooLarge(`二维码内容过长 (${text.length} characters do not fit any QR version at level M)`, null, e);
  }
}

/**
 * The QR version the longest possible code URL of this base needs: what config checks at
 * start-up so no code of the deployment can be refused later. Throws like codeUrlPrefix.
 */
export function qrVersionForBase(baseUrl: string, options: CodeUrlOptions = {}): number {
  // Letters only: the encoder can do no better than alphanumeric with them, so this is the worst token.
  return qrVersionOf(codeUrlPrefix(baseUrl, options) + 'A'.repeat(MAX_TOKEN_CHARS));
}

function checkedVersion(url: string): number {
  const version = qrVersionOf(url);
  if (version > MAX_QR_VERSION)
    throw tooLarge(
      `二维码内容过长 (the URL needs QR version ${version} at level M; a sticker takes at most version ${MAX_QR_VERSION}: shorten the base URL)`,
      version,
    );
  return version;
}

const tooLarge = (message: string, version: number | null, cause?: unknown) => {
  const e = new AppError('qr_too_large', message, 422, { version, maxVersion: MAX_QR_VERSION });
  if (cause !== undefined) e.cause = cause;
  return e;
};

export interface SvgOptions {
  /** Width and height attribute in px; without it the SVG scales to its container. */
  width?: number;
}

/** The QR of `url` as a standalone SVG document. Throws AppError `qr_too_large` above version 8. */
export async function renderQrSvg(url: string, options: SvgOptions = {}): Promise<string> {
  const version = checkedVersion(url);
  return QRCode.toString(url, {
    type: 'svg',
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    version,
    margin: QR_MARGIN,
    ...(options.width === undefined ? {} : { width: options.width }),
  });
}

export interface PngOptions {
  /** Pixels per module; default 8 (a version-8 code is then 456 px square with its quiet zone). */
  scale?: number;
}

/** The QR of `url` as PNG bytes. Throws AppError `qr_too_large` above version 8. */
export async function renderQrPng(url: string, options: PngOptions = {}): Promise<Buffer> {
  const version = checkedVersion(url);
  return QRCode.toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    version,
    margin: QR_MARGIN,
    scale: options.scale ?? 8,
  });
}
