import type { AppContext } from '../../context.js';
import type { Db } from '../../db/connect.js';
import { actorOf, type By } from '../auth/index.js';
import { loadPricingDemo } from '../pricing/index.js';
import { buildDemoData, DEMO_PASSWORD, DEMO_SEED, DEMO_STAFF, type DemoData, type DemoStaff } from './demo.data.js';

export interface DemoResult {
  created: boolean;
  counts: Record<string, number>;
  password: string;
  signIns: { username: string; label: string }[];
}

const REQUEST_ID = 'demo';

/**
 * Loads the demo city on first start (when the database holds no city yet), through the services
 * so that validation and the audit log apply. Later starts load nothing and report the demo
 * sign-ins that exist. Outside demo mode it does nothing at all: no demo account is ever created.
 */
export async function loadDemo(ctx: AppContext, opts: { today?: string; seed?: number } = {}): Promise<DemoResult> {
  if (!ctx.config.demo) return { created: false, counts: {}, password: '', signIns: [] };
  const db = ctx.dbHandle.db;
  if (await db.selectFrom('city').select('id').limit(1).executeTakeFirst()) {
    const signIns = await existingSignIns(db);
    return { created: false, counts: {}, password: signIns.length ? DEMO_PASSWORD : '', signIns };
  }
  const data = buildDemoData(opts.today ?? ctx.registry.today(), opts.seed ?? DEMO_SEED);
  const counts = await writeDemo(ctx, data);
  return { created: true, counts, password: DEMO_PASSWORD, signIns: DEMO_STAFF.map(({ username, label }) => ({ username, label })) };
}

async function existingSignIns(db: Db) {
  const usernames = DEMO_STAFF.map((s) => s.username);
  const rows = await db.selectFrom('staff').select('username').where('is_demo', '=', true).where('username', 'in', usernames).execute();
  const present = new Set(rows.map((r) => r.username));
  return DEMO_STAFF.filter((s) => present.has(s.username)).map(({ username, label }) => ({ username, label }));
}

async function byOf(db: Db, staffId: number): Promise<By> {
  const row = await db.selectFrom('staff').selectAll().where('id', '=', staffId).executeTakeFirstOrThrow();
  return { actor: await actorOf(db, row), requestId: REQUEST_ID };
}

async function writeDemo(ctx: AppContext, data: DemoData): Promise<Record<string, number>> {
  const { auth, registry } = ctx;
  const db = ctx.dbHandle.db;
  const counts = { cities: 0, districts: 0, offices: 0, markets: 0, stalls: 0, merchants: 0, scales: 0, verifications: 0, cameras: 0, staff: 0 };

  // The administrator comes first: every later write is attributed to it. A start that died right
  // after creating it (before any city) finds it again rather than failing on the taken name.
  const adminSpec = DEMO_STAFF.find((s) => s.role === 'admin')!;
  const oldAdmin = await db.selectFrom('staff').select(['id', 'is_demo']).where('username', '=', adminSpec.username).executeTakeFirst();
  const adminId = oldAdmin?.is_demo ? oldAdmin.id : (await auth.createStaff(null, staffInput(adminSpec, {}), REQUEST_ID)).id;
  if (!oldAdmin?.is_demo) counts.staff++;
  const admin = await byOf(db, adminId);

  const cityIds: Record<string, number> = {};
  const districtIds: Record<string, number> = {};
  const officeIds: Record<string, number> = {};
  for (const city of data.cities) {
    cityIds[city.code] = (await registry.createCity(admin, { code: city.code, name: city.name, nameEn: city.nameEn })).id;
    counts.cities++;
    for (const d of city.districts) {
      districtIds[d.code] = (await registry.createDistrict(admin, cityIds[city.code]!, { code: d.code, name: d.name, nameEn: d.nameEn })).id;
      counts.districts++;
    }
    for (const o of city.offices) {
      const { id } = await registry.saveOffice(admin, null, {
        cityId: cityIds[city.code]!,
        name: o.name,
        nameEn: o.nameEn,
        address: o.address,
        phone: o.phone,
        districtIds: o.districtCodes.map((c) => districtIds[c]!),
      });
      officeIds[`${city.code}/${o.name}`] = id;
      counts.offices++;
    }
  }

  const marketIds: Record<string, number> = {};
  for (const m of data.markets) {
    const { key, cityCode: _city, districtCode, ...input } = m;
    marketIds[key] = (await registry.createMarket(admin, { districtId: districtIds[districtCode]!, ...input })).id;
    counts.markets++;
  }

  const merchantIds = new Map<string, number>();
  for (const m of data.merchants) {
    const marketId = m.marketKey ? marketIds[m.marketKey]! : null;
    let stallId: number | null = null;
    if (m.stall && marketId) {
      stallId = (await registry.createStall(admin, marketId, m.stall)).id;
      counts.stalls++;
    }
    const merchant = await registry.createMerchant(admin, {
      uscc: m.uscc,
      hasUscc: m.hasUscc,
      name: m.name,
      legalRep: m.legalRep,
      entityType: m.entityType,
      address: m.address,
      categories: m.categories,
      licenceNumbers: m.licenceNumbers,
      districtId: districtIds[m.districtCode]!,
      marketId,
      stallId,
      status: m.status,
    });
    merchantIds.set(m.key, merchant.id);
    counts.merchants++;
  }

  const scaleIds: number[] = [];
  for (const s of data.scales) {
    const { merchantKey, verifications: _v, ...input } = s;
    scaleIds.push((await registry.createScale(admin, { ...input, merchantId: merchantIds.get(merchantKey)! })).id);
    counts.scales++;
  }

  for (const c of data.cameras) {
    const { merchantKey, ...input } = c;
    await registry.createCamera(admin, { ...input, merchantId: merchantIds.get(merchantKey)! });
    counts.cameras++;
  }

  // The other demo accounts, now that their offices and markets exist.
  const staffIds: Record<string, number> = { [adminSpec.username]: adminId };
  for (const spec of data.staff) {
    if (spec === adminSpec) continue;
    const ids = { cityId: spec.cityCode ? cityIds[spec.cityCode]! : null, officeId: spec.officeName ? officeIds[`${spec.cityCode}/${spec.officeName}`]! : null, marketIds: spec.marketKeys?.map((k) => marketIds[k]!) ?? [], merchantId: null as number | null };
    if (spec.role === 'merchant') {
      const first = data.merchants.find((m) => m.marketKey === spec.marketKeys![0] && m.status === 'operating');
      ids.merchantId = merchantIds.get(first!.key)!;
      ids.marketIds = [];
    }
    staffIds[spec.username] = (await auth.createStaff(admin, staffInput(spec, ids))).id;
    counts.staff++;
  }

  // Each city's verification institution records its own certificates, as it would in the platform.
  const institutions = new Map<string, By>();
  for (const spec of data.staff) if (spec.role === 'verification_institution') institutions.set(spec.organisation, await byOf(db, staffIds[spec.username]!));
  for (const [i, s] of data.scales.entries()) {
    for (const v of s.verifications) {
      await registry.addVerification(institutions.get(v.institution) ?? admin, scaleIds[i]!, v);
      counts.verifications++;
    }
  }
  // Controlled prices and the merchants' PLU mappings, published by each city's price centre.
  Object.assign(counts, await loadPricingDemo(ctx.pricing, db, admin));
  Object.assign(counts, await loadCreditDemo(ctx, data, merchantIds, staffIds, scaleIds));
  return counts;
}

/**
 * A lived-in record: inspectors' findings and a manager's evaluations on some merchants, pledges
 * signed by about a third, consumers' ratings on a few scales (one of them a red-light scale), then
 * every merchant scored. Deterministic: the same demo every time.
 */
async function loadCreditDemo(ctx: AppContext, data: DemoData, merchantIds: Map<string, number>, staffIds: Record<string, number>, scaleIds: number[]) {
  const db = ctx.dbHandle.db;
  const inspector = await byOf(db, staffIds['jiyang_inspector']!);
  const manager = await byOf(db, staffIds['xinhonggang_manager']!);
  const counts = { creditEvents: 0, pledges: 0, ratings: 0 };
  const sanya = data.merchants.filter((m) => m.marketKey === 'xinhonggang' && m.status === 'operating');
  const day = 86_400_000;
  for (const [i, m] of sanya.entries()) {
    const merchantId = merchantIds.get(m.key)!;
    if (i % 3 === 0) {
      const me = { actor: { ...inspector.actor, role: 'merchant' as const, merchantId, reach: { kind: 'markets' as const, marketIds: [] } }, requestId: 'demo' };
      await ctx.credit.signPledge(me, m.legalRep);
      counts.pledges++;
    }
    const findings: [string, number][] = i % 7 === 1 ? [['PRC-01', 40], ['MET-04', 120]] : i % 11 === 2 ? [['CAP-01', 20]] : i % 5 === 3 ? [['HON-01', 60]] : [];
    for (const [itemCode, daysAgo] of findings) {
      await ctx.credit.recordEvent(itemCode.startsWith('HON') ? manager : inspector, { merchantId, itemCode, occurredAt: new Date(Date.now() - daysAgo * day), evidence: `现场检查笔录 演示-${i}-${itemCode}` });
      counts.creditEvents++;
    }
  }
  // Ratings: the first scale of the market rated well, one inaccurate enough to turn red.
  const rate = async (scaleId: number, n: number, inaccurate: number) => {
    for (let k = 0; k < n; k++) {
      const bad = k < inaccurate;
      await ctx.feedback.rate({ scaleId, accurate: !bad, stars: bad ? 2 : 5, deviceId: `demo-device-${scaleId}-${k}`, ip: `10.${scaleId % 250}.${k}.7`, ...(bad && k % 3 === 0 ? { fairWeightG: 900, receiptWeightG: 1000 } : {}) });
      counts.ratings++;
    }
  };
  const marketScales = data.scales.map((s, i) => ({ s, id: scaleIds[i]! })).filter(({ s }) => sanya.some((m) => m.key === s.merchantKey));
  if (marketScales[0]) await rate(marketScales[0].id, 8, 0);
  if (marketScales[1]) await rate(marketScales[1].id, 14, 10);
  if (marketScales[2]) await rate(marketScales[2].id, 6, 2);
  const cities = await db.selectFrom('city').select('id').execute();
  for (const c of cities) await ctx.credit.rescoreCity(c.id, 'demo');
  return counts;
}

function staffInput(spec: DemoStaff, ids: { cityId?: number | null; officeId?: number | null; marketIds?: number[]; merchantId?: number | null }) {
  return {
    username: spec.username,
    displayName: spec.displayName,
    password: DEMO_PASSWORD,
    role: spec.role,
    cityId: ids.cityId ?? null,
    officeId: ids.officeId ?? null,
    marketIds: ids.marketIds ?? [],
    merchantId: ids.merchantId ?? null,
    organisation: spec.organisation,
    isDemo: true,
  };
}
