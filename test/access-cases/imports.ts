import type { Case } from './types.js';

/** Spreadsheet import and export routes. */
export const importCases: Record<string, Case> = {};
