import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.js';

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

/** A schema problem in words for people: Chinese, then English. */
function describeProblem(v: ValidationItem): string {
  const p = v.params ?? {};
  switch (v.keyword) {
    case 'required':
      return '必填 (required)';
    case 'additionalProperties':
      return '不允许的字段 (unknown field)';
    case 'minLength':
      return p.limit === 1 ? '不能为空 (must not be empty)' : `至少${p.limit}个字符 (at least ${p.limit} characters)`;
    case 'maxLength':
      return `最多${p.limit}个字符 (at most ${p.limit} characters)`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `应${v.keyword === 'minimum' ? '不小于' : '大于'}${p.limit} (must be ${v.keyword === 'minimum' ? '>=' : '>'} ${p.limit})`;
    case 'maximum':
      return `应不大于${p.limit} (must be <= ${p.limit})`;
    case 'minItems':
      return `至少${p.limit}项 (at least ${p.limit} items)`;
    case 'maxItems':
      return `最多${p.limit}项 (at most ${p.limit} items)`;
    case 'type':
      return `类型应为${TYPE_ZH[String(p.type)] ?? p.type} (must be ${p.type})`;
    case 'pattern':
      return '格式不正确 (wrong format)';
    case 'format':
      return p.format === 'date' ? '日期应为 YYYY-MM-DD 格式的有效日期 (must be a real date as YYYY-MM-DD)' : '格式不正确 (wrong format)';
    case 'const':
    case 'enum':
    case 'anyOf':
      return '不是允许的取值 (not one of the allowed values)';
    default:
      return v.message ? `无效 (${v.message})` : '无效 (invalid)';
  }
}
const TYPE_ZH: Record<string, string> = { string: '文本', integer: '整数', number: '数字', boolean: '是/否', object: '对象', array: '列表', null: '空' };

/** Turns schema validation failures into problems by field, named as the client sent it; one of each (a union fails once per branch). */
function validationProblems(context: string | undefined, items: ValidationItem[]) {
  const problems = items.map((v) => {
    let field = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    if (v.keyword === 'required' && v.params?.missingProperty) field = [field, String(v.params.missingProperty)].filter(Boolean).join('.');
    if (v.keyword === 'additionalProperties' && v.params?.additionalProperty) field = [field, String(v.params.additionalProperty)].filter(Boolean).join('.');
    const message = describeProblem(v);
    return { field: field || (context ?? 'request'), message, in: context };
  });
  return problems.filter((p, i) => problems.findIndex((q) => q.field === p.field && q.message === p.message) === i);
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
