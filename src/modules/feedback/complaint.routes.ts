import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { IdParams, Nullable, page, PageQuery, Paged, staffErrors } from '../../http/schemas.js';
import { PAUSE_KIND_LIST, PAUSE_REASON_MAX, type PauseKind } from './complaint-pause.rules.js';
import type { ComplaintService } from './complaint.service.js';

const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const Step = Type.Object({
  step: Type.String(),
  title: Bilingual,
  state: Type.String({ description: 'not_started | running | paused | done | not_applicable' }),
  startsOn: Nullable(Type.String()),
  deadline: Nullable(Type.String()),
  doneOn: Nullable(Type.String()),
  workingDaysLeft: Nullable(Type.Integer()),
  dueToday: Type.Boolean(),
  overdue: Type.Boolean(),
  daysOverdue: Type.Integer(),
});
const Clock = Type.Object({
  today: Type.String(),
  due: Nullable(Step),
  isOverdue: Type.Boolean({ description: 'the step due now is past its deadline' }),
  overdueSteps: Type.Array(Type.String(), { description: 'steps late now or done late' }),
  provisional: Type.Boolean({ description: 'a deadline was counted through a year whose holiday calendar is not loaded' }),
  steps: Type.Array(Step),
});
const common = {
  id: Type.Integer(),
  reference: Type.String(),
  merchantId: Type.Integer(),
  merchantName: Type.String(),
  scaleId: Nullable(Type.Integer()),
  scaleSerialNo: Nullable(Type.String()),
  districtId: Type.Integer(),
  marketId: Nullable(Type.Integer()),
  consumerName: Type.String(),
  consumerPhone: Type.String({ description: 'always masked, e.g. 138****5678' }),
  content: Type.String(),
  receivedAt: Type.String(),
  receivedOn: Type.String(),
  status: Type.String({ description: 'received | accepted | refused | mediating | closed' }),
  statusLabel: Bilingual,
  acceptedOn: Nullable(Type.String()),
  refusedOn: Nullable(Type.String()),
  refusalReason: Nullable(Type.String()),
  mediationEndedOn: Nullable(Type.String()),
  mediationOutcome: Nullable(Type.String()),
  outcomeNote: Nullable(Type.String()),
  terminationNotifiedOn: Nullable(Type.String()),
  upheld: Nullable(Type.Boolean()),
  clock: Clock,
};
const Sale = Nullable(
  Type.Object({
    scaleId: Type.Integer(),
    seq: Type.Integer(),
    at: Nullable(Type.String()),
    product: Nullable(Type.String()),
    weightG: Nullable(Type.Integer()),
    unitPriceFenPerKg: Nullable(Type.Integer()),
    totalFen: Nullable(Type.Integer()),
    receiptNo: Nullable(Type.String()),
    isOverCap: Nullable(Type.Boolean()),
  }),
);
const pauseFields = {
  kind: Type.String({ description: 'verification (检定) | inspection (检验) | testing (检测) | appraisal (鉴定)' }),
  kindLabel: Bilingual,
  reason: Type.String(),
  startedOn: Type.String(),
  endedOn: Nullable(Type.String({ description: 'null while under way' })),
  isUnderWay: Type.Boolean(),
  workingDays: Type.Integer({ description: 'working days the pause holds, both ends included; one under way counts through today' }),
};
/** A pause as the parties see it: personal data in the reason masked, no staff names. */
const PartyPause = Type.Object(pauseFields);
const StaffPause = Type.Object({ id: Type.Integer(), ...pauseFields, startedByName: Nullable(Type.String()), endedByName: Nullable(Type.String()) });
const Message = Type.Object({ id: Type.Integer(), at: Type.String(), author: Type.String({ description: 'consumer | merchant | office' }), body: Type.String() });
const Complaint = Type.Object({ ...common, creditEventId: Nullable(Type.Integer()) });
const ComplaintDetail = Type.Object({ ...common, creditEventId: Nullable(Type.Integer()), sale: Sale, messages: Type.Array(Message), pauses: Type.Array(StaffPause) });
const MyComplaint = Type.Object(common);
const MyComplaintDetail = Type.Object({ ...common, sale: Sale, messages: Type.Array(Message), pauses: Type.Array(PartyPause) });
const Body = Type.Object({ body: Type.String({ minLength: 1, maxLength: 1000 }) });
const Day = (description: string) => Type.String({ format: 'date', description });
// A misspelt date field would silently mean today: unknown fields are refused.
const NewPause = Type.Object(
  {
    kind: Type.Union(PAUSE_KIND_LIST.map((k) => Type.Literal(k)), { description: 'verification (检定) | inspection (检验) | testing (检测) | appraisal (鉴定)' }),
    reason: Type.String({ minLength: 1, maxLength: PAUSE_REASON_MAX, description: 'what is verified, inspected, tested or appraised, and by whom; both parties read it' }),
    startedOn: Type.Optional(Day('YYYY-MM-DD, today by default; not in the future, not before acceptance')),
  },
  { additionalProperties: false },
);
const PauseEnd = Type.Object({ endedOn: Type.Optional(Day('YYYY-MM-DD, today by default; not before the pause started')) }, { additionalProperties: false });

/** The office's complaint work (within reach) and the merchant's side of mediation (/api/me). */
export function registerComplaintRoutes(app: FastifyInstance, complaints: ComplaintService) {
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;

  app.get(
    '/api/complaints',
    {
      config: { access: 'complaint.read' },
      schema: {
        tags: ['complaints'],
        summary: 'Complaints within your jurisdiction, newest first, each with its statutory clocks (working days, Chinese calendar)',
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(Type.Union(['open', 'received', 'accepted', 'refused', 'mediating', 'closed'].map((s) => Type.Literal(s)))),
          overdue: Type.Optional(Type.Boolean({ description: 'true: only complaints whose step due now is past its deadline' })),
          merchantId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: Paged(Complaint), ...staffErrors },
      },
    },
    async (req) => {
      const q = req.query as { page?: number; pageSize?: number; status?: 'open'; overdue?: boolean; merchantId?: number };
      return complaints.list(actorOf(req), { ...page(q), ...(q.status ? { status: q.status } : {}), ...(q.overdue !== undefined ? { overdue: q.overdue } : {}), ...(q.merchantId ? { merchantId: q.merchantId } : {}) });
    },
  );
  app.get('/api/complaints/:id', { config: { access: 'complaint.read' }, schema: { tags: ['complaints'], summary: 'One complaint: clocks, the attached sale, the mediation messages', params: IdParams, response: { 200: ComplaintDetail, ...staffErrors } } }, async (req) =>
    complaints.get(actorOf(req), id(req)),
  );
  app.post('/api/complaints/:id/accept', { config: { access: 'complaint.handle' }, schema: { tags: ['complaints'], summary: 'Accept the complaint (受理); mediation and its 45-working-day clock begin', params: IdParams, response: { 200: ComplaintDetail, ...staffErrors } } }, async (req) =>
    complaints.accept(byOf(req), id(req)),
  );
  app.post(
    '/api/complaints/:id/refuse',
    { config: { access: 'complaint.handle' }, schema: { tags: ['complaints'], summary: 'Refuse the complaint (不予受理), with the reason the consumer is told', params: IdParams, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }), response: { 200: ComplaintDetail, ...staffErrors } } },
    async (req) => complaints.refuse(byOf(req), id(req), (req.body as { reason: string }).reason),
  );
  app.post('/api/complaints/:id/messages', { config: { access: 'complaint.handle' }, schema: { tags: ['complaints'], summary: 'Write in the mediation (consumer and merchant both read it)', params: IdParams, body: Body, response: { 201: ComplaintDetail, ...staffErrors } } }, async (req, reply) =>
    reply.status(201).send(await complaints.addOfficeMessage(byOf(req), id(req), (req.body as { body: string }).body)),
  );
  app.post(
    '/api/complaints/:id/close',
    {
      config: { access: 'complaint.handle' },
      schema: {
        tags: ['complaints'],
        summary: 'End mediation with its outcome. Upheld, the complaint deducts the merchant’s credit (CMP-01) as your decision.',
        params: IdParams,
        body: Type.Object({ outcome: Type.Union([Type.Literal('agreement'), Type.Literal('terminated')]), upheld: Type.Boolean(), note: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: ComplaintDetail, ...staffErrors },
      },
    },
    async (req) => complaints.close(byOf(req), id(req), req.body as { outcome: 'agreement' | 'terminated'; upheld: boolean; note: string }),
  );
  app.post(
    '/api/complaints/:id/pauses',
    {
      config: { access: 'complaint.handle' },
      schema: {
        tags: ['complaints'],
        summary: 'Pause the mediation clock for 检定、检验、检测、鉴定 (暂行办法 第二十一条: not counted in the 45 working days); one pause at a time',
        params: IdParams,
        body: NewPause,
        response: { 201: ComplaintDetail, ...staffErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await complaints.startPause(byOf(req), id(req), req.body as { kind: PauseKind; reason: string; startedOn?: string })),
  );
  app.post(
    '/api/complaints/:id/pauses/end',
    { config: { access: 'complaint.handle' }, schema: { tags: ['complaints'], summary: 'End the pause under way: the mediation clock runs again, its deadline moved by the working days paused', params: IdParams, body: PauseEnd, response: { 200: ComplaintDetail, ...staffErrors } } },
    async (req) => complaints.endPause(byOf(req), id(req), (req.body ?? {}) as { endedOn?: string }),
  );
  app.post('/api/complaints/:id/termination-notified', { config: { access: 'complaint.handle' }, schema: { tags: ['complaints'], summary: 'Record that both parties were told mediation was terminated (within 7 working days)', params: IdParams, response: { 200: ComplaintDetail, ...staffErrors } } }, async (req) =>
    complaints.recordTerminationNotified(byOf(req), id(req)),
  );

  // ---------------- the merchant itself
  app.get('/api/me/complaints', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Complaints about me that the office accepted (the consumer’s name and phone masked)', response: { 200: Type.Object({ items: Type.Array(MyComplaint) }), ...staffErrors } } }, async (req) => ({
    items: await complaints.listMine(actorOf(req)),
  }));
  app.get('/api/me/complaints/:id', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'One complaint about me, with the mediation messages and any pause of its clock (检定、检验、检测、鉴定)', params: IdParams, response: { 200: MyComplaintDetail, ...staffErrors } } }, async (req) =>
    complaints.getMine(actorOf(req), id(req)),
  );
  app.post('/api/me/complaints/:id/messages', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Answer in the mediation of a complaint about me', params: IdParams, body: Body, response: { 201: MyComplaintDetail, ...staffErrors } } }, async (req, reply) =>
    reply.status(201).send(await complaints.postMerchantMessage(byOf(req), id(req), (req.body as { body: string }).body)),
  );
}
