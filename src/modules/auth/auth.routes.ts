import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody, IdParams, Nullable, PageQuery, Paged, page, staffErrors } from '../../http/schemas.js';
import { byOf, actorOf, SESSION_COOKIE } from '../../http/auth.plugin.js';
import { ROLES, ROLE_LABELS } from './auth.rules.js';
import type { AuthService } from './auth.service.js';

const Staff = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  cityId: Nullable(Type.Integer()),
  officeId: Nullable(Type.Integer()),
  marketIds: Type.Array(Type.Integer()),
  merchantId: Nullable(Type.Integer()),
  organisation: Type.String(),
  isDemo: Type.Boolean(),
  isDisabled: Type.Boolean(),
  lockedUntil: Nullable(Type.String()),
});
const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Me = Type.Object({ staff: Staff, csrfToken: Type.String(), roleLabel: Type.Object({ zh: Type.String(), en: Type.String() }) });

export function registerAuthRoutes(app: FastifyInstance, deps: { auth: AuthService; cookieSecure: boolean; absoluteHours: number }) {
  const { auth } = deps;
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: deps.cookieSecure, path: '/' };

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the session cookie and returns the CSRF token for later writes',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Me, 401: ErrorBody, 403: ErrorBody, 423: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      const r = await auth.login({ username, password, ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') });
      reply.setCookie(SESSION_COOKIE, r.sessionToken, { ...cookieOptions, maxAge: deps.absoluteHours * 3600 });
      return { staff: r.staff, csrfToken: r.csrfToken, roleLabel: ROLE_LABELS[r.staff.role] };
    },
  );

  app.get('/api/auth/me', { config: { access: 'signed_in' }, schema: { tags: ['auth'], summary: 'Who is signed in', response: { 200: Me, 401: ErrorBody } } }, async (req) => {
    const actor = actorOf(req);
    const staff = await auth.getStaff(actor.staffId);
    return { staff, csrfToken: req.csrfToken!, roleLabel: ROLE_LABELS[staff.role] };
  });

  app.post('/api/auth/logout', { config: { access: 'signed_in' }, schema: { tags: ['auth'], summary: 'Sign out this session', response: { 204: Type.Null(), ...staffErrors } } }, async (req, reply) => {
    await auth.logout(req.sessionId!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.post(
    '/api/auth/logout-everywhere',
    { config: { access: 'signed_in' }, schema: { tags: ['auth'], summary: 'Sign out every session of this account', response: { 204: Type.Null(), ...staffErrors } } },
    async (req, reply) => {
      await auth.logoutEverywhere(actorOf(req).staffId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/password',
    {
      config: { access: 'signed_in' },
      schema: {
        tags: ['auth'],
        summary: 'Change own password (ends every session)',
        body: Type.Object({ currentPassword: Type.String({ maxLength: 200 }), newPassword: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      const b = req.body as { currentPassword: string; newPassword: string };
      await auth.changePassword(byOf(req), b.currentPassword, b.newPassword);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  // ---- staff administration ----
  const NewStaff = Type.Object(
    {
      username: Type.String({ maxLength: 40 }),
      displayName: Type.String({ maxLength: 100 }),
      password: Type.String({ maxLength: 200 }),
      role: RoleSchema,
      cityId: Type.Optional(Nullable(Type.Integer())),
      officeId: Type.Optional(Nullable(Type.Integer())),
      marketIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 500 })),
      merchantId: Type.Optional(Nullable(Type.Integer())),
      organisation: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  );
  const StaffPatch = Type.Object(
    {
      displayName: Type.Optional(Type.String({ maxLength: 100 })),
      role: Type.Optional(RoleSchema),
      cityId: Type.Optional(Nullable(Type.Integer())),
      officeId: Type.Optional(Nullable(Type.Integer())),
      marketIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 500 })),
      merchantId: Type.Optional(Nullable(Type.Integer())),
      organisation: Type.Optional(Type.String({ maxLength: 200 })),
      isDisabled: Type.Optional(Type.Boolean()),
      unlock: Type.Optional(Type.Boolean()),
      password: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  );

  app.get('/api/staff', { config: { access: 'staff.manage' }, schema: { tags: ['staff'], summary: 'List staff accounts', querystring: Type.Object(PageQuery), response: { 200: Paged(Staff), ...staffErrors } } }, async (req) => {
    const q = req.query as { q?: string; page?: number; pageSize?: number };
    const p = page(q);
    const r = await auth.listStaff({ q: q.q, limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
    return { ...r, ...p };
  });
  app.post('/api/staff', { config: { access: 'staff.manage' }, schema: { tags: ['staff'], summary: 'Create a staff account', body: NewStaff, response: { 201: Staff, ...staffErrors } } }, async (req, reply) => {
    return reply.status(201).send(await auth.createStaff(byOf(req), req.body as never));
  });
  app.get('/api/staff/:id', { config: { access: 'staff.manage' }, schema: { tags: ['staff'], params: IdParams, response: { 200: Staff, ...staffErrors } } }, async (req) => {
    return auth.getStaff((req.params as { id: number }).id);
  });
  app.patch('/api/staff/:id', { config: { access: 'staff.manage' }, schema: { tags: ['staff'], summary: 'Change role, posting, status; unlock; reset password', params: IdParams, body: StaffPatch, response: { 200: Staff, ...staffErrors } } }, async (req) => {
    return auth.updateStaff(byOf(req), (req.params as { id: number }).id, req.body as never);
  });
  app.post('/api/staff/:id/logout-everywhere', { config: { access: 'staff.manage' }, schema: { tags: ['staff'], summary: 'End every session of a staff member', params: IdParams, response: { 204: Type.Null(), ...staffErrors } } }, async (req, reply) => {
    const id = (req.params as { id: number }).id;
    await auth.getStaff(id);
    await auth.logoutEverywhere(id);
    return reply.status(204).send();
  });
}
