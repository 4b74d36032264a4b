import type { Case } from './types.js';

const perSubject = (path: string, resource: string): Record<string, Case> => ({
  [`GET /api/${path}/:id/code`]: { kind: 'record', resource },
  [`GET /api/${path}/:id/code.svg`]: { kind: 'record', resource },
  [`GET /api/${path}/:id/code.png`]: { kind: 'record', resource },
  [`POST /api/${path}/:id/code/reissue`]: { kind: 'record', resource, ok: 201 },
});

/** Codes and ratings. Scanning, rating and verifying are public pages (src/public/public.test.ts). */
export const codeCases: Record<string, Case> = {
  ...perSubject('merchants', 'merchant'),
  ...perSubject('scales', 'scale'),
  ...perSubject('markets', 'market'),
  'GET /api/markets/:id/labels.pdf': { kind: 'record', resource: 'market' },
  // City X's staff get its code; a city's price list is outside the reach of the other city's staff.
  'GET /api/cities/:id/prices-code': { kind: 'global', id: (fx) => fx.cities.X, ok: [200, 404] },
  'GET /api/cities/:id/prices-code.svg': { kind: 'global', id: (fx) => fx.cities.X, ok: [200, 404] },
  'GET /api/cities/:id/prices-code.png': { kind: 'global', id: (fx) => fx.cities.X, ok: [200, 404] },
  'POST /api/code-keys/rotate': { kind: 'global', ok: [201] },
  'GET /api/me/ratings': { kind: 'global', ok: [200] },
  'GET /api/ratings/inspection': { kind: 'global', ok: [200] },
  'GET /api/scales/:id/ratings': { kind: 'record', resource: 'scale' },
};
