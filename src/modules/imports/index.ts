import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/connect.js';
import type { RegistryService } from '../registry/index.js';
import { registerImportRoutes as registerRoutes } from './imports.routes.js';
import { createImportService } from './imports.service.js';

export { createImportService, presentJob, type ImportService, type ImportJob, type ImportFile } from './imports.service.js';
export { COLUMNS, IMPORT_KINDS, type ImportKind } from './imports.columns.js';

export interface ImportDeps {
  db: Db;
  registry: RegistryService;
  maxFileMb: number;
  maxRows: number;
}

/**
 * Spreadsheet import and export: POST /api/imports (multipart) and GET /api/imports/:id, the
 * templates and the exports. Multipart parsing is registered for these routes only.
 */
export async function registerImportRoutes(app: FastifyInstance, deps: ImportDeps) {
  const maxFileBytes = deps.maxFileMb * 1024 * 1024;
  const imports = createImportService({ db: deps.db, registry: deps.registry, maxFileBytes, maxRows: deps.maxRows, log: app.log });
  await app.register(async (scope) => {
    // One file plus a few short fields; the file part is cut off (and answered 413) past the limit.
    await scope.register(multipart, { limits: { fileSize: maxFileBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 100 } });
    registerRoutes(scope, imports, maxFileBytes);
  });
  app.addHook('onClose', async () => imports.drain());
}
