import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { staffErrors } from '../../http/schemas.js';
import { AppError, invalid } from '../../shared/errors.js';
import { IMPORT_KINDS, KIND_LABELS, type ImportKind } from './imports.columns.js';
import type { ImportMode } from './imports.repository.js';
import { fileTooLarge, type ImportFile, type ImportService } from './imports.service.js';
import * as S from './imports.schemas.js';
import { XLSX_MIME } from './imports.workbook.js';

const READ_PERMISSION = { markets: 'market.read', merchants: 'merchant.read', scales: 'scale.read' } as const;

/** Import and export routes: each parses, makes one service call with the caller, and presents. */
export function registerImportRoutes(app: FastifyInstance, imports: ImportService, maxFileBytes: number) {
  app.post(
    '/api/imports',
    {
      config: { access: 'import.run' },
      schema: {
        tags: ['imports'],
        summary: 'Import markets, merchants or scales from .xlsx or .csv: answers 202 with a job to poll',
        description:
          'multipart/form-data with the text fields kind, mode and skipInvalid and the file part file, in any order. ' +
          'A dry run reports every problem and writes nothing; a commit writes every valid row in one transaction, and nothing at all when a row is invalid unless skipInvalid is true.',
        consumes: ['multipart/form-data'],
        body: S.ImportBody,
        response: { 202: S.ImportJob, ...staffErrors, ...S.uploadErrors },
      },
      // The body schema documents the form; the parts are streamed and checked in the handler.
      validatorCompiler: () => () => true,
    },
    async (req, reply) => {
      const by = byOf(req);
      const file = await readUpload(req, maxFileBytes);
      return reply.status(202).send(await imports.start(by, file));
    },
  );

  app.get(
    '/api/imports/:id',
    { config: { access: 'import.run' }, schema: { tags: ['imports'], summary: 'An import job: progress, problems and outcome', params: S.JobParams, response: { 200: S.ImportJob, ...staffErrors } } },
    async (req) => imports.get(actorOf(req), (req.params as { id: string }).id),
  );

  for (const kind of IMPORT_KINDS) {
    app.get(
      `/api/imports/templates/${kind}.xlsx`,
      { config: { access: 'import.run' }, schema: { tags: ['imports'], summary: `Empty import template for ${kind}, with a sheet explaining each column`, response: { 200: S.XlsxFile, ...staffErrors } } },
      async (_req, reply) => sendXlsx(reply, `${KIND_LABELS[kind].zh}导入模板`, `${kind}-template`, await imports.template(kind)),
    );
    app.get(
      `/api/exports/${kind}.xlsx`,
      { config: { access: READ_PERMISSION[kind] }, schema: { tags: ['imports'], summary: `Every ${kind.slice(0, -1)} within your jurisdiction, in the import template's columns`, response: { 200: S.XlsxFile, ...staffErrors } } },
      async (req, reply) => {
        const actor = actorOf(req);
        const out = new PassThrough();
        imports.exportTo(actor, kind, out).catch((err) => {
          req.log.error({ err }, 'export failed');
          out.destroy(err as Error);
        });
        const day = new Date().toISOString().slice(0, 10);
        return sendXlsx(reply, `${KIND_LABELS[kind].zh}-${day}`, `${kind}-${day}`, out);
      },
    );
  }
}

function sendXlsx(reply: FastifyReply, zhName: string, asciiName: string, body: Buffer | PassThrough) {
  return reply
    .type(XLSX_MIME)
    .header('content-disposition', `attachment; filename="${asciiName}.xlsx"; filename*=UTF-8''${encodeURIComponent(zhName)}.xlsx`)
    .header('cache-control', 'no-store')
    .send(body);
}

const MODES: readonly ImportMode[] = ['dry_run', 'commit'];

/** Reads the form's parts in whatever order they come; the file is held in memory (it is at most maxFileBytes). */
async function readUpload(req: FastifyRequest, maxFileBytes: number): Promise<ImportFile> {
  if (!req.isMultipart()) throw new AppError('unsupported_media_type', '请以 multipart/form-data 上传文件 (send the file as multipart/form-data)', 415);
  const fields: Record<string, string> = {};
  let upload: { name: string; data: Buffer } | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || upload) {
          part.file.resume();
          throw invalid('只能上传一个文件，字段名为 file (send one file, in the part named "file")', [{ field: part.fieldname, message: 'unexpected file' }]);
        }
        upload = { name: part.filename ?? '', data: await part.toBuffer() };
      } else {
        fields[part.fieldname] = String(part.value ?? '');
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw fileTooLarge(maxFileBytes);
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') throw invalid('表单字段或文件过多 (too many form fields or files)');
    throw e;
  }
  const problems: { field: string; message: string }[] = [];
  const kind = fields.kind as ImportKind;
  const mode = fields.mode as ImportMode;
  if (!IMPORT_KINDS.includes(kind)) problems.push({ field: 'kind', message: '导入类型应为 markets、merchants 或 scales (kind must be markets, merchants or scales)' });
  if (!MODES.includes(mode)) problems.push({ field: 'mode', message: '模式应为 dry_run 或 commit (mode must be dry_run or commit)' });
  const skip = (fields.skipInvalid ?? 'false').trim().toLowerCase();
  if (!['true', 'false', '1', '0', ''].includes(skip)) problems.push({ field: 'skipInvalid', message: 'skipInvalid 应为 true 或 false (skipInvalid must be true or false)' });
  if (!upload) problems.push({ field: 'file', message: '请选择要导入的文件 (attach the file in the part named "file")' });
  if (problems.length) throw invalid(problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  return { kind, mode, skipInvalid: skip === 'true' || skip === '1', fileName: baseName(upload!.name), data: upload!.data };
}

const baseName = (name: string) => name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f]/g, '').slice(0, 200);
