import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.js';

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

/** Turns schema validation failures into one problem per field, named as the client sent it. */
function validationProblems(context: string | undefined, items: ValidationItem[]) {
  return items.map((v) => {
    let field = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    if (v.keyword === 'required' && v.params?.missingProperty) field = [field, String(v.params.missingProperty)].filter(Boolean).join('.');
    if (v.keyword === 'additionalProperties' && v.params?.additionalProperty) field = [field, String(v.params.additionalProperty)].filter(Boolean).join('.');
    const message = v.keyword === 'required' ? '必填 (required)' : v.keyword === 'additionalProperties' ? '不允许的字段 (unknown field)' : (v.message ?? 'invalid');
    return { field: field || (context ?? 'request'), message, in: context };
  });
}

/** One error handler: AppError → its status and code; validation → 400 with every field; anything else → opaque 500, logged. */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.status === 429 && (err.details as { retryAfterS?: number })?.retryAfterS) reply.header('retry-after', String((err.details as { retryAfterS: number }).retryAfterS));
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    const fe = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
    if (fe.validation) {
      const details = validationProblems(fe.validationContext, fe.validation);
      return reply.status(400).send({
        error: { code: 'invalid_input', message: details.map((d) => `${d.field}: ${d.message}`).join('; '), details },
      });
    }
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 404 ? 'not_found' : 'bad_request';
      return reply.status(status).send({ error: { code, message: fe.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: '服务器内部错误 (internal error); request id ' + req.id } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
