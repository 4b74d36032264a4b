import type { Case } from './types.js';

/**
 * Spreadsheet import and export routes. Reach inside imports and exports (rows outside reach refused,
 * exports holding only what is within reach) is proven in src/modules/imports/imports.test.ts.
 */
export const importCases: Record<string, Case> = {
  // Permitted roles get past access to the multipart check (this probe sends JSON).
  'POST /api/imports': { kind: 'global', ok: [415] },
  // Jobs are visible only to who started them (and administrators): a stranger's id is 404.
  'GET /api/imports/:id': { kind: 'global', id: () => 1, ok: [404] },
  'GET /api/imports/templates/markets.xlsx': { kind: 'global', ok: [200] },
  'GET /api/imports/templates/merchants.xlsx': { kind: 'global', ok: [200] },
  'GET /api/imports/templates/scales.xlsx': { kind: 'global', ok: [200] },
  'GET /api/exports/markets.xlsx': { kind: 'global', ok: [200] },
  'GET /api/exports/merchants.xlsx': { kind: 'global', ok: [200] },
  'GET /api/exports/scales.xlsx': { kind: 'global', ok: [200] },
};
