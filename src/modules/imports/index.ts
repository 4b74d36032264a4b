import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/connect.js';
import type { RegistryService } from '../registry/index.js';

export interface ImportDeps {
  db: Db;
  registry: RegistryService;
  maxFileMb: number;
  maxRows: number;
}

/** Placeholder until spreadsheet import and export land. */
export function registerImportRoutes(_app: FastifyInstance, _deps: ImportDeps) {}
