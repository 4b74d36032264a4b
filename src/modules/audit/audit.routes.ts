import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/connect.js';
import { Nullable, Paged, staffErrors } from '../../http/schemas.js';
import { searchAuditEntries } from './audit.repository.js';
import { verifyAuditChain } from './audit.service.js';

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  staffId: Nullable(Type.Integer()),
  action: Type.String(),
  entity: Type.String(),
  entityId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  requestId: Type.String(),
  prevHash: Type.String(),
  hash: Type.String(),
});

export function registerAuditRoutes(app: FastifyInstance, db: Db) {
  app.get(
    '/api/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first',
        querystring: Type.Object({
          entity: Type.Optional(Type.String({ maxLength: 40 })),
          entityId: Type.Optional(Type.String({ maxLength: 40 })),
          staffId: Type.Optional(Type.Integer()),
          page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: { 200: Paged(Entry), ...staffErrors },
      },
    },
    async (req) => {
      const q = req.query as { entity?: string; entityId?: string; staffId?: number; page?: number; pageSize?: number };
      const p = { page: q.page ?? 1, pageSize: q.pageSize ?? 50 };
      const r = await searchAuditEntries(db, { ...q, limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
      return { ...r, ...p };
    },
  );
  app.get('/api/audit/verify', { config: { access: 'audit.read' }, schema: { tags: ['audit'], summary: 'Re-compute the hash chain and report the first break', response: { 200: Type.Unknown(), ...staffErrors } } }, async () =>
    verifyAuditChain(db),
  );
}
