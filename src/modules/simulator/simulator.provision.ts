/**
 * Turns the platform's IoT scales into simulated ones: device credentials, the seq to continue
 * from, and what each merchant sells (its PLU mappings and the caps in force, falling back to the
 * demo catalogue). In-process through the services (npm start, tests, the benchmark), or over the
 * staff API as any integrator would (the CLI).
 */
import type { Db } from '../../db/connect.js';
import { actorOf, type By } from '../auth/index.js';
import type { DeviceService } from '../ingest/index.js';
import { DEMO_CATALOGUE, type DemoProduct, type PricingService } from '../pricing/index.js';
import type { RegistryService } from '../registry/index.js';
import { createRng, usualPriceBelowCap, type SimProduct, type SimScaleSpec } from './simulator.rules.js';

/** What a merchant's scale knows of a product before prices are set. */
export interface KnownProduct {
  plu: string;
  name: string;
  category: string | undefined;
  /** The cap the platform judges this plu against (null: not judged against one). */
  capFenPerKg: number | null;
  /** A cap to price below when the platform has none for this plu (the demo catalogue's). */
  referenceCapFenPerKg?: number | null;
}

const SANYA = '460200';
const sells = (merchantCategories: readonly string[], c: string) =>
  c === 'seafood' ? merchantCategories.some((x) => x === 'seafood' || x === 'seafood_processing') : merchantCategories.includes(c);

/**
 * A merchant's products with its usual prices: its mapped PLUs at a little below their caps, plus
 * the demo catalogue's products of the same trades it left unmapped (sold anyway, as the demo
 * intends). A merchant without mappings sells from the demo catalogue of its city (Sanya's when
 * its city has none), for its trades. Prices are fixed per merchant (seeded by its id).
 */
export function merchantProducts(input: { merchantId: number; mapped: readonly KnownProduct[]; cityCode: string | null; merchantCategories: readonly string[] }): SimProduct[] {
  const rng = createRng(0x9a11 ^ input.merchantId);
  const catalogue: readonly DemoProduct[] = DEMO_CATALOGUE[(input.cityCode ?? SANYA) as keyof typeof DEMO_CATALOGUE] ?? DEMO_CATALOGUE[SANYA];
  const known: KnownProduct[] = [...input.mapped];
  if (known.length) {
    const categories = new Set(known.map((k) => k.category));
    const mappedPlus = new Set(known.map((k) => k.plu));
    for (const p of catalogue) if (categories.has(p.category) && !mappedPlus.has(p.plu)) known.push({ plu: p.plu, name: p.name, category: p.category, capFenPerKg: null, referenceCapFenPerKg: p.capFenPerKg });
  } else {
    const trades = catalogue.filter((p) => sells(input.merchantCategories, p.category));
    for (const p of trades.length ? trades : catalogue) known.push({ plu: p.plu, name: p.name, category: p.category, capFenPerKg: p.capFenPerKg });
  }
  return known.map((k) => {
    const basis = k.capFenPerKg ?? k.referenceCapFenPerKg ?? null;
    const price = basis !== null ? usualPriceBelowCap(rng, basis) : rng.int(100, 2000) * 10;
    return { plu: k.plu, name: k.name, unitPriceFenPerKg: price, capFenPerKg: k.capFenPerKg, ...(k.category ? { category: k.category } : {}) };
  });
}

// ---------------------------------------------------------------- in-process

export interface ProvisionContext {
  dbHandle: { db: Db };
  registry: RegistryService;
  devices: DeviceService;
  pricing: PricingService;
}

/**
 * The demo administrator (or, in a database that has none, the first administrator) as a By for
 * service calls; null when there is no administrator at all. `demoOnly`: only a demo administrator.
 */
export async function administratorBy(db: Db, opts: { demoOnly?: boolean; username?: string } = {}): Promise<By | null> {
  let q = db.selectFrom('staff').selectAll().where('role', '=', 'admin');
  if (opts.username) q = q.where('username', '=', opts.username);
  if (opts.demoOnly) q = q.where('is_demo', '=', true);
  const row = await q.orderBy('is_demo', 'desc').orderBy('id').executeTakeFirst();
  return row ? { actor: await actorOf(db, row), requestId: 'simulator' } : null;
}

/**
 * Up to `count` IoT scales with a merchant, lowest id first (after skipping `offset`; with `last`,
 * the highest ids, which the CLI reaches only after all the others), ready to
 * simulate. With `reuseCredentials` a scale that already has live credentials keeps them (its
 * secret is read in-process), so a restart does not reissue every secret; otherwise each is issued
 * (a reissue revokes the old secret at once).
 */
export async function provisionInProcess(
  ctx: ProvisionContext,
  opts: { count: number; by: By; offset?: number; last?: boolean; reuseCredentials?: boolean; scaleIds?: number[]; now?: Date },
): Promise<SimScaleSpec[]> {
  const { actor } = opts.by;
  const now = opts.now ?? new Date();
  const picked: { id: number; merchantId: number; cityId: number; maxCapacityG: number }[] = [];
  if (opts.scaleIds) {
    for (const id of opts.scaleIds) {
      const s = await ctx.registry.getScale(actor, id);
      if (s.merchantId !== null) picked.push({ id: s.id, merchantId: s.merchantId, cityId: s.cityId, maxCapacityG: s.maxCapacityG });
    }
  } else {
    let skip = opts.offset ?? 0;
    let first = 1;
    if (opts.last) {
      // The last `count`: start where they begin rather than paging through the whole city.
      const { total } = await ctx.registry.listScales(actor, { isIot: true, page: 1, pageSize: 1 });
      const start = Math.max(0, total - opts.count);
      first = Math.floor(start / 500) + 1;
      skip = start % 500;
    }
    for (let page = first; picked.length < opts.count; page++) {
      const { items } = await ctx.registry.listScales(actor, { isIot: true, page, pageSize: 500 });
      for (const s of items) {
        if (s.merchantId === null || picked.length >= opts.count) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        picked.push({ id: s.id, merchantId: s.merchantId, cityId: s.cityId, maxCapacityG: s.maxCapacityG });
      }
      if (items.length < 500) break;
    }
  }

  const products = new Map<number, SimProduct[]>();
  const cityCodes = new Map<number, string | null>();
  const specs: SimScaleSpec[] = [];
  for (const s of picked) {
    const status = await ctx.devices.status(actor, s.id);
    let deviceId = status.deviceId;
    let secret: string | null = null;
    if (opts.reuseCredentials && status.hasCredentials) secret = (await ctx.devices.lookup(deviceId))?.secret.toString('base64url') ?? null;
    if (!secret) ({ deviceId, secret } = await ctx.devices.issue(opts.by, s.id));
    if (!products.has(s.merchantId)) {
      if (!cityCodes.has(s.cityId)) {
        let code: string | null = null;
        try {
          code = ctx.pricing.inForce(actor, { cityId: s.cityId, at: now }).cityCode;
        } catch {
          // A city the price snapshot does not know yet: fall back to the demo catalogue.
        }
        cityCodes.set(s.cityId, code);
      }
      const mapped = ctx.pricing.pluTable(s.merchantId, s.cityId, now).map((r) => ({ plu: r.plu, name: r.productName, category: ctx.pricing.product(r.productId)?.category, capFenPerKg: r.capFenPerKg }));
      const merchantCategories = mapped.length ? [] : (await ctx.registry.getMerchant(actor, s.merchantId)).categories;
      products.set(s.merchantId, merchantProducts({ merchantId: s.merchantId, mapped, cityCode: cityCodes.get(s.cityId)!, merchantCategories }));
    }
    specs.push({ scaleId: s.id, deviceId, secret, maxCapacityG: s.maxCapacityG, products: products.get(s.merchantId)!, firstSeq: status.lastSeq + 1 });
  }
  return specs;
}

// ---------------------------------------------------------------- over the staff API

/** A failure a person can act on: unreachable platform, failed sign-in, missing permission. */
export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

interface Session {
  request(method: string, path: string): Promise<{ status: number; body: unknown; text: string }>;
}

const reasonOf = (e: unknown) => {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
};

/** Signs in to the staff API; the session cookie and CSRF token go with every later call. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<Session> {
  const base = baseUrl.replace(/\/$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch (e) {
    throw new ProvisionError(`cannot reach the platform at ${base} (${reasonOf(e)}). Is it running? Start it with \`npm start\`, or pass --url.`);
  }
  const text = await res.text();
  if (res.status !== 200) {
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: the text itself says it
    }
    throw new ProvisionError(`sign-in as ${username} at ${base} failed (HTTP ${res.status}): ${message}`);
  }
  const csrf = (JSON.parse(text) as { csrfToken: string }).csrfToken;
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('mashang_session='));
  if (!cookie) throw new ProvisionError(`sign-in as ${username} at ${base} returned no session cookie`);
  return {
    async request(method, path) {
      let r: Response;
      try {
        r = await fetch(`${base}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf } });
      } catch (e) {
        throw new ProvisionError(`cannot reach the platform at ${base} (${reasonOf(e)})`);
      }
      const t = await r.text();
      let body: unknown = null;
      try {
        body = t ? JSON.parse(t) : null;
      } catch {
        body = null;
      }
      return { status: r.status, body, text: t };
    },
  };
}

async function expectOk<T>(s: Session, method: string, path: string, status = 200): Promise<T> {
  const r = await s.request(method, path);
  if (r.status === status) return r.body as T;
  const message = (r.body as { error?: { message?: string } } | null)?.error?.message ?? r.text.slice(0, 200);
  if (r.status === 403) throw new ProvisionError(`${method} ${path}: not permitted for this user (HTTP 403: ${message}); sign in as an administrator (--user)`);
  throw new ProvisionError(`${method} ${path} failed (HTTP ${r.status}): ${message}`);
}

/** Runs `fn` over `items`, `width` at a time, keeping order. */
async function mapLimited<T, R>(items: readonly T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * The CLI's provisioning: signs in, takes up to `count` IoT scales (lowest id first, after
 * `offset`), issues each a secret (POST /api/scales/:id/device-credentials: a reissue revokes
 * whatever used the old one), reads the seq to continue from and the merchants' PLU mappings.
 */
export async function provisionOverApi(opts: { baseUrl: string; username: string; password: string; count: number; offset?: number }): Promise<SimScaleSpec[]> {
  const s = await signIn(opts.baseUrl, opts.username, opts.password);
  type Scale = { id: number; merchantId: number | null; cityId: number; maxCapacityG: number };
  const picked: Scale[] = [];
  let skip = opts.offset ?? 0;
  for (let page = 1; picked.length < opts.count; page++) {
    const { items } = await expectOk<{ items: Scale[] }>(s, 'GET', `/api/scales?isIot=true&pageSize=500&page=${page}`);
    for (const sc of items) {
      if (sc.merchantId === null || picked.length >= opts.count) continue;
      if (skip > 0) skip--;
      else picked.push(sc);
    }
    if (items.length < 500) break;
  }
  if (!picked.length) throw new ProvisionError(`the platform at ${opts.baseUrl} has no IoT scale with a merchant${opts.offset ? ` after the first ${opts.offset}` : ''} visible to ${opts.username}`);

  const credentials = await mapLimited(picked, 8, (sc) => expectOk<{ deviceId: string; secret: string }>(s, 'POST', `/api/scales/${sc.id}/device-credentials`, 201));
  // Whatever drove these scales with the old secrets has been cut off; let its last messages land first.
  await new Promise((r) => setTimeout(r, 500));
  const statuses = await mapLimited(picked, 8, (sc) => expectOk<{ lastSeq: number }>(s, 'GET', `/api/scales/${sc.id}/device`));

  const cityCodes = new Map<number, Promise<string | null>>();
  const cityCode = (cityId: number) => {
    if (!cityCodes.has(cityId)) cityCodes.set(cityId, expectOk<{ cityCode: string }>(s, 'GET', `/api/prices/in-force?cityId=${cityId}`).then((r) => r.cityCode, () => null));
    return cityCodes.get(cityId)!;
  };
  const merchants = new Map<number, Promise<SimProduct[]>>();
  const productsOf = (merchantId: number, cityId: number) => {
    if (!merchants.has(merchantId)) {
      merchants.set(
        merchantId,
        (async () => {
          const plu = await expectOk<{ plu: string; productName: string; category: string; capFenPerKg: number | null; active: boolean }[]>(s, 'GET', `/api/merchants/${merchantId}/plu`);
          const mapped = plu.filter((p) => p.active).map((p) => ({ plu: p.plu, name: p.productName, category: p.category, capFenPerKg: p.capFenPerKg }));
          const merchantCategories = mapped.length ? [] : (await expectOk<{ categories: string[] }>(s, 'GET', `/api/merchants/${merchantId}`)).categories;
          return merchantProducts({ merchantId, mapped, cityCode: await cityCode(cityId), merchantCategories });
        })(),
      );
    }
    return merchants.get(merchantId)!;
  };
  return mapLimited(picked, 8, async (sc) => {
    const i = picked.indexOf(sc);
    return { scaleId: sc.id, deviceId: credentials[i]!.deviceId, secret: credentials[i]!.secret, maxCapacityG: sc.maxCapacityG, products: await productsOf(sc.merchantId!, sc.cityId), firstSeq: statuses[i]!.lastSeq + 1 };
  });
}
