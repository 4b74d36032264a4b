import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config/config.js';
import { buildServices, type AppContext } from '../../context.js';
import { buildApp } from '../../http/app.js';
import { openTestDb, TEST_DB_KINDS, type TestDb } from '../../test-support/db.js';
import { verifyAuditChain } from '../audit/index.js';
import { actorOf, ROLES, type Actor } from '../auth/index.js';
import { passwordProblem } from '../auth/auth.rules.js';
import {
  BUSINESS_CATEGORY_KEYS,
  CAMERA_KEY_POINTS,
  checkUscc,
  merchantFieldProblems,
  scaleFieldProblems,
  verificationFieldProblems,
  verificationState,
} from '../registry/index.js';
import { addDays, buildDemoData, createRng, oneYearValidUntil, orgCodeCheckCharacter } from './demo.data.js';
import { DEMO_CITIES, DEMO_MARKETS, DEMO_PASSWORD, DEMO_STAFF, loadDemo, type DemoResult } from './index.js';

const TODAY = '2026-11-23';
const XIASHANG = '夏商(集美)农贸市场';

describe('demo city data', () => {
  const data = buildDemoData(TODAY);
  const merchantsOf = (marketKey: string) => data.merchants.filter((m) => m.marketKey === marketKey);
  const scalesOf = (marketKey: string) => {
    const keys = new Set(merchantsOf(marketKey).map((m) => m.key));
    return data.scales.filter((s) => keys.has(s.merchantKey));
  };

  it('is the same city on every build; only verification dates follow today', () => {
    expect(buildDemoData(TODAY)).toEqual(data);
    const later = buildDemoData('2027-06-30');
    expect(later.merchants).toEqual(data.merchants);
    const strip = (d: typeof data) => d.scales.map(({ verifications, ...s }) => ({ ...s, records: verifications.length }));
    expect(strip(later)).toEqual(strip(data));
  });

  it('gives the Xiamen pilot market exactly 95 merchants and 125 scales, and Sanya 40-60 merchants a market', () => {
    expect(merchantsOf('xiashang_jimei')).toHaveLength(95);
    expect(scalesOf('xiashang_jimei')).toHaveLength(125);
    for (const key of ['xinhonggang', 'diyi', 'disan']) {
      expect(merchantsOf(key).length).toBeGreaterThanOrEqual(40);
      expect(merchantsOf(key).length).toBeLessThanOrEqual(60);
      // Processing companies also register catering.
      expect(new Set(merchantsOf(key).flatMap((m) => m.categories.filter((c) => c !== 'catering')))).toEqual(new Set(['seafood', 'fruit', 'seafood_processing']));
    }
    expect(new Set(merchantsOf('xiashang_jimei').flatMap((m) => m.categories))).toEqual(new Set(['vegetables', 'meat', 'poultry', 'seafood', 'fruit', 'dry_goods', 'grain_oil']));
  });

  it('gives every merchant a valid USCC for its district, unless it is an individual business marked as having none', () => {
    const usccs = data.merchants.flatMap((m) => (m.uscc ? [m.uscc] : []));
    expect(new Set(usccs).size).toBe(usccs.length);
    for (const m of data.merchants) {
      expect(merchantFieldProblems(m)).toEqual([]);
      if (!m.uscc) {
        expect(m.entityType).toBe('个体工商户');
        continue;
      }
      expect(checkUscc(m.uscc)).toEqual({ ok: true, uscc: m.uscc });
      expect(m.uscc.slice(2, 8)).toBe(m.districtCode);
      expect(m.uscc.slice(0, 2)).toBe({ 个体工商户: '92', 有限责任公司: '91', 农民专业合作社: '93' }[m.entityType]);
      expect(m.uscc[16]).toBe(orgCodeCheckCharacter(m.uscc.slice(8, 16)));
      for (const licence of m.licenceNumbers) expect(licence).toMatch(/^JY[12]\d{13}$/); // JY and 14 digits
    }
    expect(data.merchants.filter((m) => !m.hasUscc).length).toBeGreaterThan(0);
    expect(data.merchants.filter((m) => m.entityType === '有限责任公司').length).toBeGreaterThan(0);
    expect(data.merchants.filter((m) => m.entityType === '个体工商户').length / data.merchants.length).toBeGreaterThan(0.8);
    expect(data.merchants.find((m) => m.name === '三亚吉阳梅大姐海鲜店')).toMatchObject({ marketKey: 'xinhonggang', categories: ['seafood'] });
    expect(new Set(data.merchants.map((m) => m.name)).size).toBe(data.merchants.length);
  });

  it('uses stall numbers like A-012, unique in each market, and known business categories', () => {
    const seen = new Set<string>();
    for (const m of data.merchants) {
      for (const c of m.categories) expect(BUSINESS_CATEGORY_KEYS).toContain(c);
      if (!m.stall) continue;
      expect(m.stall.number).toMatch(/^[A-G]-\d{3}$/);
      expect(seen.has(`${m.marketKey}/${m.stall.number}`)).toBe(false);
      seen.add(`${m.marketKey}/${m.stall.number}`);
    }
  });

  it('registers scales the platform accepts, with unique serial numbers and IoT scales on Sanya seafood stalls', () => {
    const serials = data.scales.map((s) => s.serialNo);
    expect(new Set(serials).size).toBe(serials.length);
    const merchant = new Map(data.merchants.map((m) => [m.key, m]));
    for (const s of data.scales) {
      expect(scaleFieldProblems(s)).toEqual([]);
      expect([6_000, 15_000, 30_000]).toContain(s.maxCapacityG);
      expect(s.typeApprovalNo).toMatch(/^\d{4}F\d{3}-\d{2}$/);
      for (const v of s.verifications) expect(verificationFieldProblems(v, TODAY)).toEqual([]);
      const m = merchant.get(s.merchantKey)!;
      if (m.cityCode === '460200' && m.categories.includes('seafood')) expect(s.isIot).toBe(true);
      if (m.cityCode === '350200') expect(s.isIot).toBe(false);
    }
    const certificates = data.scales.flatMap((s) => s.verifications.map((v) => v.certificateNo));
    expect(new Set(certificates).size).toBe(certificates.length);
  });

  it('has every verification state in each market, mostly valid', () => {
    for (const { key } of DEMO_MARKETS) {
      const counts: Record<string, number> = {};
      for (const s of scalesOf(key)) {
        const state = verificationState(s.verifications, TODAY).status;
        counts[state] = (counts[state] ?? 0) + 1;
      }
      expect(Object.keys(counts).sort()).toEqual(['expired', 'expiring', 'failed', 'unverified', 'valid']);
      expect(counts.valid! / scalesOf(key).length).toBeGreaterThan(0.6);
    }
  });

  it('keeps cameras at the key points, mostly with 30 days of recording and a few short of it', () => {
    const retention = data.cameras.map((c) => c.retentionDays);
    for (const c of data.cameras) {
      expect(CAMERA_KEY_POINTS).toContain(c.keyPoint);
      expect(c.streamUrl).toMatch(/^rtsp:\/\/10\.\d+\.\d+\.\d+:554\//);
    }
    expect(retention.filter((d) => d === 30).length / retention.length).toBeGreaterThan(0.7);
    expect(retention).toContain(15);
    expect(new Set(data.cameras.map((c) => c.streamUrl)).size).toBe(data.cameras.length);
  });

  it('covers every district with an office, one of them two districts', () => {
    for (const city of DEMO_CITIES) {
      const covered = new Set(city.offices.flatMap((o) => o.districtCodes));
      expect(covered).toEqual(new Set(city.districts.map((d) => d.code)));
    }
    expect(DEMO_CITIES.flatMap((c) => c.offices).some((o) => o.districtCodes.length > 1)).toBe(true);
  });

  it('has a demo account for every role and a password the platform accepts', () => {
    expect(new Set(DEMO_STAFF.map((s) => s.role))).toEqual(new Set(ROLES));
    expect(passwordProblem(DEMO_PASSWORD)).toBeNull();
  });

  it('dates a verification valid for one year and a deterministic random stream', () => {
    expect(oneYearValidUntil('2025-03-10')).toBe('2026-03-09');
    expect(oneYearValidUntil('2024-02-29')).toBe('2025-02-28');
    expect(oneYearValidUntil('2025-03-01')).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    const a = createRng(7);
    const b = createRng(7);
    expect([a.next(), a.next(), a.int(1, 6)]).toEqual([b.next(), b.next(), b.int(1, 6)]);
  });
});

describe.each(TEST_DB_KINDS)('loading the demo city on %s', (kind) => {
  let db: TestDb;
  let ctx: AppContext;
  let app: FastifyInstance;
  let result: DemoResult;
  let admin: Actor;
  const page = { page: 1, pageSize: 1 };

  const demoCtx = (handle: TestDb, demo: boolean) => buildServices(loadConfig({ MASHANG_DEMO: String(demo), LOGIN_PER_IP_PER_MINUTE: '10000' }).config, pino({ level: 'silent' }), handle);
  const actorNamed = async (username: string) => actorOf(db.db, await db.db.selectFrom('staff').selectAll().where('username', '=', username).executeTakeFirstOrThrow());
  const login = (a: FastifyInstance, username: string) => a.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });

  beforeAll(async () => {
    db = await openTestDb(kind);
    ctx = demoCtx(db, true);
    result = await loadDemo(ctx);
    admin = await actorNamed('demo_admin');
    app = await buildApp(ctx);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
  });

  it('reports what it created and the sign-ins', () => {
    expect(result.created).toBe(true);
    expect(result.password).toBe(DEMO_PASSWORD);
    expect(result.signIns.map((s) => s.username)).toEqual(DEMO_STAFF.map((s) => s.username));
    expect(result.signIns.find((s) => s.username === 'jiyang_inspector')!.label).toBe('吉阳区监管所执法人员 · Jiyang office inspector');
    expect(result.counts).toMatchObject({ cities: 2, markets: 4, staff: DEMO_STAFF.length });
  });

  it('creates Sanya with its four districts and offices covering them, and Xiamen with 集美区', async () => {
    const cities = await ctx.registry.listJurisdictions(admin);
    const sanya = cities.find((c) => c.code === '460200')!;
    expect(sanya.districts.map((d) => [d.code, d.name]).sort()).toEqual([
      ['460202', '海棠区'],
      ['460203', '吉阳区'],
      ['460204', '天涯区'],
      ['460205', '崖州区'],
    ]);
    expect(new Set(sanya.offices.flatMap((o) => o.districtIds))).toEqual(new Set(sanya.districts.map((d) => d.id)));
    expect(cities.find((c) => c.code === '350200')!.districts.map((d) => d.name)).toContain('集美区');
  });

  it('creates the three Sanya markets and 夏商(集美)农贸市场 with 95 merchants and 125 scales', async () => {
    const markets = (await ctx.registry.listMarkets(admin, { page: 1, pageSize: 50 })).items;
    expect(markets.map((m) => m.name).sort()).toEqual(['新鸿港市场', '第一市场', '第三市场', XIASHANG].sort());
    const xiashang = markets.find((m) => m.name === XIASHANG)!;
    expect((await ctx.registry.listMerchants(admin, { marketId: xiashang.id, ...page })).total).toBe(95);
    expect((await ctx.registry.listScales(admin, { marketId: xiashang.id, ...page })).total).toBe(125);
    expect((await ctx.registry.listStalls(admin, xiashang.id)).length).toBe(95);
  });

  it('registers only valid USCCs', async () => {
    let seen = 0;
    for (let p = 1; ; p++) {
      const { items, total } = await ctx.registry.listMerchants(admin, { page: p, pageSize: 100 });
      for (const m of items) if (m.uscc) expect(checkUscc(m.uscc).ok, `${m.name} ${m.uscc}`).toBe(true);
      seen += items.length;
      if (seen >= total || !items.length) break;
    }
    expect(seen).toBe(result.counts.merchants);
  });

  it('has scales about to expire, expired, failed and unverified, today', async () => {
    const total = async (verification: string) => (await ctx.registry.listScales(admin, { verification, ...page })).total;
    for (const state of ['expiring', 'expired', 'failed', 'unverified']) expect(await total(state), state).toBeGreaterThan(0);
    expect(await total('valid')).toBeGreaterThan(result.counts.scales! / 2);
  });

  it('lets the Jiyang inspector see both districts of the office and nothing else', async () => {
    const inspector = await actorNamed('jiyang_inspector');
    const markets = (await ctx.registry.listMarkets(inspector, { page: 1, pageSize: 50 })).items.map((m) => m.name);
    expect(markets.sort()).toEqual(['新鸿港市场', '第三市场'].sort());
    const merchants = await ctx.registry.listMerchants(inspector, { q: '海棠', ...page });
    expect(merchants.total).toBeGreaterThan(0);
  });

  it('signs in every demo account through the API, one of each role', async () => {
    const roles = new Set<string>();
    for (const s of DEMO_STAFF) {
      const res = await login(app, s.username);
      expect(res.statusCode, `${s.username}: ${res.body}`).toBe(200);
      expect(res.json().staff).toMatchObject({ username: s.username, isDemo: true, role: s.role });
      roles.add(res.json().staff.role);
    }
    expect(roles).toEqual(new Set(ROLES));
  });

  it('writes every record to an audit chain that verifies', async () => {
    const v = await verifyAuditChain(db.db);
    expect(v.ok).toBe(true);
    // Consumers' ratings are anonymous, not staff writes: they are not audited.
    const written = Object.entries(result.counts).filter(([k]) => k !== 'ratings').reduce((a, [, b]) => a + b, 0);
    expect(v.entries).toBeGreaterThanOrEqual(written);
  });

  it('loads nothing on a second start but still reports the sign-ins', async () => {
    const head = await db.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    const again = await loadDemo(ctx);
    expect(again).toMatchObject({ created: false, counts: {}, password: DEMO_PASSWORD });
    expect(again.signIns).toEqual(result.signIns);
    expect(await db.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow()).toEqual(head);
  });

  it('refuses the demo accounts when the platform is not in demo mode', async () => {
    const plain = demoCtx(db, false);
    const plainApp = await buildApp(plain);
    try {
      const res = await login(plainApp, 'sanya_bureau');
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('demo_account_refused');
      expect(await loadDemo(plain)).toEqual({ created: false, counts: {}, password: '', signIns: [] });
    } finally {
      await plainApp.close();
    }
  });

  it('creates nothing outside demo mode, even on an empty database', async () => {
    const empty = await openTestDb(kind);
    try {
      expect((await loadDemo(demoCtx(empty, false))).created).toBe(false);
      expect(await empty.db.selectFrom('staff').select('id').execute()).toEqual([]);
      expect(await empty.db.selectFrom('city').select('id').execute()).toEqual([]);
    } finally {
      await empty.cleanup();
    }
  });
});
