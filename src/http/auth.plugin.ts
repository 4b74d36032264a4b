import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated, AppError } from '../shared/errors.js';
import { isPermitted, PERMISSIONS, type Actor, type AuthService, type By, type Permission } from '../modules/auth/index.js';

export const SESSION_COOKIE = 'mashang_session';
export const CSRF_HEADER = 'x-csrf-token';

/** What a route declares in `config.access`: a permission, any signed-in staff, or public. */
export type Access = Permission | 'signed_in' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every /api route with the access it declared, for the access-matrix test and docs. */
    routeAccess: { method: string; url: string; access: Access }[];
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
    csrfToken: string | null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The caller as the author of a write. Throws 401 when nobody is signed in. */
export function byOf(req: FastifyRequest): By {
  if (!req.actor) throw unauthenticated();
  return { actor: req.actor, requestId: String(req.id) };
}
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}

/**
 * Resolves the session cookie to an actor, then enforces each route's declared access: a
 * permission for the role, and a CSRF token on every unsafe method. Every /api route must
 * declare its access; registering one that does not is a start-up error.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { auth: AuthService }) => {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);
  const routeAccess: { method: string; url: string; access: Access }[] = [];
  app.decorate('routeAccess', routeAccess);

  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${url} declares no access`);
    if (access !== 'public' && access !== 'signed_in' && !(access in PERMISSIONS)) throw new Error(`route ${url}: unknown permission ${access}`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeAccess.push({ method, url, access });
  });

  app.addHook('onRequest', async (req) => {
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) return;
    const found = await opts.auth.authenticate(token);
    if (found) {
      req.actor = found.actor;
      req.sessionId = found.sessionId;
      req.csrfToken = found.csrfToken;
    }
  });

  // Before validation: who may call a route is settled before what they sent is looked at.
  app.addHook('preValidation', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!access || access === 'public') return;
    if (!req.actor) throw unauthenticated('请先登录 (sign in required)');
    if (UNSAFE.has(req.method) && req.headers[CSRF_HEADER] !== req.csrfToken) {
      throw new AppError('csrf_failed', 'CSRF 校验失败，请刷新页面后重试 (missing or wrong CSRF token)', 403);
    }
    if (access !== 'signed_in' && !isPermitted(req.actor.role, access)) throw forbidden('您的角色无权执行此操作 (your role may not do this)');
  });
});
