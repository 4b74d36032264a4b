export { createCodesService, type CodesService, type CodeResolution, type IssuedCode } from './codes.service.js';
export { registerCodeRoutes } from './codes.routes.js';
export { renderLabelSheet, type Label, type SheetOptions } from './codes.labels.js';
export { renderQrPng, renderQrSvg, qrVersionForBase, MAX_QR_VERSION } from './codes.qr.js';
export { CODE_KINDS, CODE_KIND_KEYS, checkCodeOf, extractToken, importKeyring, verifyToken, type CodeKind, type PublishedKey, type VerifyResult } from './codes.rules.js';
export type { CodesTables } from './codes.table.js';
