import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import { conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { appendAuditEntries, type AuditWrite } from '../audit/index.js';
import { isWithinReach, type Actor, type By, type Place } from '../auth/index.js';
import * as repo from './registry.repository.js';
import { toCamera, toMarket, toMerchant, toScale, toStall, toVerification } from './registry.mappers.js';
import {
  BUSINESS_CATEGORY_KEYS,
  CAMERA_KEY_POINTS,
  EXPIRING_WITHIN_DAYS,
  calendarDate,
  checkUscc,
  merchantFieldProblems,
  scaleFieldProblems,
  verificationFieldProblems,
  type FieldProblem,
} from './registry.rules.js';

export interface MarketInput {
  districtId: number;
  name: string;
  address?: string;
  managingOrg?: string;
  contactName?: string;
  contactPhone?: string;
}
export interface StallInput {
  number: string;
  areaM2?: number | null;
  trade: string;
}
export interface MerchantInput {
  uscc?: string | null;
  hasUscc?: boolean;
  name: string;
  legalRep: string;
  entityType: string;
  address?: string;
  categories?: string[];
  licenceNumbers?: string[];
  districtId?: number | null;
  marketId?: number | null;
  stallId?: number | null;
  status?: string;
}
export interface ScaleInput {
  serialNo: string;
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  accuracyClass: string;
  typeApprovalNo?: string;
  isIot?: boolean;
  districtId?: number | null;
  merchantId?: number | null;
  stallId?: number | null;
}
export interface VerificationInput {
  certificateNo: string;
  institution?: string;
  verifiedOn: string;
  result: 'pass' | 'fail';
  validUntil?: string | null;
}
export interface CameraInput {
  merchantId: number;
  keyPoint: string;
  streamUrl: string;
  retentionDays: number;
}

export interface Page {
  page: number;
  pageSize: number;
}
const window = (p: Page) => ({ limit: p.pageSize, offset: (p.page - 1) * p.pageSize });

const rejectProblems = (problems: FieldProblem[]) => {
  if (problems.length) throw invalid(problems.map((p) => p.message).join('; '), problems);
};

/** The registry: jurisdictions, markets, stalls, merchants, scales, verification records, cameras. */
export function createRegistryService(db: Db, opts: { timezone: string; now?: () => Date }) {
  const today = () => calendarDate(opts.now?.() ?? new Date(), opts.timezone);
  const audit = (by: By, w: Omit<AuditWrite, 'staffId' | 'requestId'>): AuditWrite => ({ ...w, staffId: by.actor.staffId, requestId: by.requestId });

  /** Records outside the caller's reach answer as not found, so their existence does not leak. */
  function assertReach(actor: Actor, place: Place, what: string, id: number) {
    if (!isWithinReach(actor.reach, place)) throw notFound(what, id);
  }
  /** A write must land inside the caller's reach too. */
  function assertTarget(actor: Actor, place: Place) {
    if (!isWithinReach(actor.reach, place)) throw forbidden('目标位置不在您的辖区内 (the target is outside your jurisdiction)');
  }

  async function marketPlace(q: repo.Q, marketId: number) {
    const m = await q.selectFrom('market').select(['id', 'district_id']).where('id', '=', marketId).executeTakeFirst();
    return m ? { districtId: m.district_id, marketId: m.id } : undefined;
  }

  async function loadMerchant(actor: Actor, id: number, q: repo.Q = db) {
    const r = await repo.findMerchant(q, id);
    if (!r) throw notFound('merchant', id);
    assertReach(actor, { districtId: r.district_id, marketId: r.market_id }, 'merchant', id);
    return r;
  }
  async function loadScale(actor: Actor, id: number, q: repo.Q = db) {
    const r = await repo.findScale(q, id);
    if (!r) throw notFound('scale', id);
    assertReach(actor, { districtId: r.district_id, marketId: r.market_id }, 'scale', id);
    return r;
  }
  async function loadMarket(actor: Actor, id: number, q: repo.Q = db) {
    const r = await repo.findMarket(q, id);
    if (!r) throw notFound('market', id);
    assertReach(actor, { districtId: r.district_id, marketId: r.id }, 'market', id);
    return r;
  }

  /** Resolves where a merchant sits: its market's district, or a district given directly for one outside a market. */
  async function merchantPlace(q: repo.Q, actor: Actor, m: { districtId?: number | null; marketId?: number | null; stallId?: number | null }) {
    const problems: FieldProblem[] = [];
    let place: Place | undefined;
    if (m.marketId) {
      place = await marketPlace(q, m.marketId);
      // A market outside the caller's reach is answered like a missing one: its existence does not leak.
      if (!place || !isWithinReach(actor.reach, place)) {
        problems.push({ field: 'marketId', message: `市场 ${m.marketId} 不存在或不在您的辖区内 (unknown market, or outside your jurisdiction)` });
        place = undefined;
      }
    } else if (m.districtId) {
      const d = await repo.findDistrict(q, m.districtId);
      if (!d) problems.push({ field: 'districtId', message: `辖区 ${m.districtId} 不存在 (unknown district)` });
      else place = { districtId: d.id, marketId: null };
    } else {
      problems.push({ field: 'marketId', message: '须指定所在市场或辖区 (a market or a district is required)' });
    }
    if (m.stallId) {
      const s = await repo.findStall(q, m.stallId);
      if (!s || s.market_id !== m.marketId) problems.push({ field: 'stallId', message: '摊位不属于该市场 (the stall is not in that market)' });
    }
    rejectProblems(problems);
    assertTarget(actor, place!);
    return place!;
  }

  async function assertUsccFree(q: repo.Q, uscc: string | null, exceptId?: number) {
    if (!uscc) return;
    const other = await repo.findMerchantByUscc(q, uscc);
    if (other && other.id !== exceptId) {
      throw conflict(`统一社会信用代码 ${uscc} 已登记于“${other.name}” (USCC already registered to merchant ${other.id})`, [{ field: 'uscc', message: `已登记于“${other.name}” (already registered to ${other.name})` }]);
    }
  }

  const normaliseUscc = (m: { uscc?: string | null; hasUscc?: boolean }) => ((m.hasUscc ?? true) && m.uscc ? checkUscc(m.uscc).ok ? m.uscc.trim().toUpperCase() : m.uscc : null);

  return {
    today,

    // ---------------- jurisdictions ----------------
    async listJurisdictions(actor: Actor) {
      const [cities, districts, offices, links] = await Promise.all([repo.listCities(db), repo.listDistricts(db), repo.listOffices(db), repo.listOfficeDistricts(db)]);
      return cities
        .filter((c) => actor.role === 'admin' || c.id === actor.cityId)
        .map((c) => ({
          id: c.id,
          code: c.code,
          name: c.name,
          nameEn: c.name_en,
          districts: districts
            .filter((d) => d.city_id === c.id)
            .map((d) => ({
              id: d.id,
              code: d.code,
              name: d.name,
              nameEn: d.name_en,
              // Whether the caller may place records here (market managers place only within their markets).
              withinReach: actor.reach.kind === 'all' || (actor.reach.kind === 'districts' && actor.reach.districtIds.includes(d.id)),
            })),
          offices: offices
            .filter((o) => o.city_id === c.id)
            .map((o) => ({ id: o.id, name: o.name, nameEn: o.name_en, address: o.address, phone: o.phone, districtIds: links.filter((l) => l.office_id === o.id).map((l) => l.district_id) })),
        }));
    },

    async createCity(by: By, input: { code: string; name: string; nameEn?: string }) {
      if (!/^\d{6}$/.test(input.code)) rejectProblems([{ field: 'code', message: '行政区划代码应为6位数字 (division code must be 6 digits)' }]);
      return db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('city').select('id').where('code', '=', input.code).executeTakeFirst()) throw conflict(`城市 ${input.code} 已存在 (city ${input.code} exists)`, [{ field: 'code', message: '已存在 (already exists)' }]);
        const { id } = await trx.insertInto('city').values({ code: input.code, name: input.name, name_en: input.nameEn ?? '' }).returning('id').executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'city.create', entity: 'city', entityId: id, after: input })]);
        return { id, ...input, nameEn: input.nameEn ?? '' };
      });
    },

    async createDistrict(by: By, cityId: number, input: { code: string; name: string; nameEn?: string }) {
      if (!/^\d{6}$/.test(input.code)) rejectProblems([{ field: 'code', message: '行政区划代码应为6位数字 (division code must be 6 digits)' }]);
      return db.transaction().execute(async (trx) => {
        if (!(await trx.selectFrom('city').select('id').where('id', '=', cityId).executeTakeFirst())) throw notFound('city', cityId);
        if (await trx.selectFrom('district').select('id').where('code', '=', input.code).executeTakeFirst()) throw conflict(`辖区 ${input.code} 已存在 (district ${input.code} exists)`, [{ field: 'code', message: '已存在 (already exists)' }]);
        const { id } = await trx.insertInto('district').values({ city_id: cityId, code: input.code, name: input.name, name_en: input.nameEn ?? '' }).returning('id').executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'district.create', entity: 'district', entityId: id, after: { cityId, ...input } })]);
        return { id, cityId, ...input, nameEn: input.nameEn ?? '' };
      });
    },

    async saveOffice(by: By, id: number | null, input: { cityId: number; name: string; nameEn?: string; address?: string; phone?: string; districtIds: number[] }) {
      return db.transaction().execute(async (trx) => {
        const districts = input.districtIds.length ? await trx.selectFrom('district').select(['id', 'city_id']).where('id', 'in', input.districtIds).execute() : [];
        if (!input.districtIds.length || districts.length !== new Set(input.districtIds).size || districts.some((d) => d.city_id !== input.cityId)) {
          rejectProblems([{ field: 'districtIds', message: '监管所须覆盖本市的一个或多个辖区 (an office covers one or more districts of its city)' }]);
        }
        const before = id ? await repo.findOffice(trx, id) : undefined;
        if (id && !before) throw notFound('office', id);
        const values = { city_id: input.cityId, name: input.name, name_en: input.nameEn ?? '', address: input.address ?? '', phone: input.phone ?? '' };
        const officeId = id
          ? (await trx.updateTable('office').set(values).where('id', '=', id).returning('id').executeTakeFirstOrThrow()).id
          : (await trx.insertInto('office').values(values).returning('id').executeTakeFirstOrThrow()).id;
        await trx.deleteFrom('office_district').where('office_id', '=', officeId).execute();
        await trx.insertInto('office_district').values([...new Set(input.districtIds)].map((d) => ({ office_id: officeId, district_id: d }))).execute();
        await appendAuditEntries(trx, [audit(by, { action: id ? 'office.update' : 'office.create', entity: 'office', entityId: officeId, before, after: input })]);
        return { id: officeId, ...input };
      });
    },

    // ---------------- markets ----------------
    async listMarkets(actor: Actor, f: { q?: string; districtId?: number } & Page) {
      const { items, total } = await repo.listMarkets(db, actor.reach, { ...f, ...window(f) });
      return { items: items.map(toMarket), total, page: f.page, pageSize: f.pageSize };
    },
    async getMarket(actor: Actor, id: number) {
      return toMarket(await loadMarket(actor, id));
    },
    async createMarket(by: By, input: MarketInput) {
      const problems: FieldProblem[] = [];
      if (!input.name?.trim()) problems.push({ field: 'name', message: '市场名称不能为空 (market name is required)' });
      const d = await repo.findDistrict(db, input.districtId);
      if (!d) problems.push({ field: 'districtId', message: `辖区 ${input.districtId} 不存在 (unknown district)` });
      rejectProblems(problems);
      assertTarget(by.actor, { districtId: input.districtId, marketId: null });
      const id = await db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('market').select('id').where('district_id', '=', input.districtId).where('name', '=', input.name.trim()).executeTakeFirst()) {
          throw conflict(`该辖区已有市场“${input.name}” (a market of that name exists in the district)`, [{ field: 'name', message: '该辖区已有同名市场 (a market of that name exists in the district)' }]);
        }
        const { id } = await trx
          .insertInto('market')
          .values({
            district_id: input.districtId,
            name: input.name.trim(),
            address: input.address ?? '',
            managing_org: input.managingOrg ?? '',
            contact_name: input.contactName ?? '',
            contact_phone: input.contactPhone ?? '',
            created_by: by.actor.staffId,
            updated_by: by.actor.staffId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'market.create', entity: 'market', entityId: id, after: input })]);
        return id;
      });
      return this.getMarket(by.actor, id);
    },
    async updateMarket(by: By, id: number, patch: Partial<MarketInput>) {
      const before = toMarket(await loadMarket(by.actor, id));
      if (patch.districtId !== undefined && patch.districtId !== before.districtId) {
        if (by.actor.role === 'market_manager') throw forbidden('市场管理方不能更改市场所属辖区 (a market manager cannot move a market to another district)');
        if (!(await repo.findDistrict(db, patch.districtId))) rejectProblems([{ field: 'districtId', message: '辖区不存在 (unknown district)' }]);
        assertTarget(by.actor, { districtId: patch.districtId, marketId: null });
      }
      if (patch.name !== undefined && !patch.name.trim()) rejectProblems([{ field: 'name', message: '市场名称不能为空 (market name is required)' }]);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('market')
          .set({
            ...(patch.districtId !== undefined ? { district_id: patch.districtId } : {}),
            ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
            ...(patch.address !== undefined ? { address: patch.address } : {}),
            ...(patch.managingOrg !== undefined ? { managing_org: patch.managingOrg } : {}),
            ...(patch.contactName !== undefined ? { contact_name: patch.contactName } : {}),
            ...(patch.contactPhone !== undefined ? { contact_phone: patch.contactPhone } : {}),
            updated_at: new Date(),
            updated_by: by.actor.staffId,
          })
          .where('id', '=', id)
          .execute();
        if (patch.districtId !== undefined && patch.districtId !== before.districtId) {
          // Everything in the market moves jurisdiction with it.
          await trx.updateTable('merchant').set({ district_id: patch.districtId }).where('market_id', '=', id).execute();
          await trx.updateTable('scale').set({ district_id: patch.districtId }).where('market_id', '=', id).execute();
          await trx.updateTable('camera').set({ district_id: patch.districtId }).where('market_id', '=', id).execute();
        }
        await appendAuditEntries(trx, [audit(by, { action: 'market.update', entity: 'market', entityId: id, before, after: patch })]);
      });
      return this.getMarket(by.actor, id);
    },

    // ---------------- stalls ----------------
    async listStalls(actor: Actor, marketId: number) {
      await loadMarket(actor, marketId);
      return (await repo.listStalls(db, marketId)).map(toStall);
    },
    async createStall(by: By, marketId: number, input: StallInput) {
      await loadMarket(by.actor, marketId);
      const problems: FieldProblem[] = [];
      if (!input.number?.trim()) problems.push({ field: 'number', message: '摊位号不能为空 (stall number is required)' });
      if (!input.trade?.trim()) problems.push({ field: 'trade', message: '经营行业不能为空 (trade is required)' });
      if (input.areaM2 != null && !(input.areaM2 > 0)) problems.push({ field: 'areaM2', message: '面积应为正数 (area must be positive)' });
      rejectProblems(problems);
      return db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('stall').select('id').where('market_id', '=', marketId).where('number', '=', input.number.trim()).executeTakeFirst()) {
          throw conflict(`摊位号 ${input.number} 已存在 (stall number exists in this market)`, [{ field: 'number', message: '摊位号已存在 (stall number already used in this market)' }]);
        }
        const row = await trx
          .insertInto('stall')
          .values({ market_id: marketId, number: input.number.trim(), area_m2: input.areaM2 == null ? null : String(input.areaM2), trade: input.trade.trim() })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'stall.create', entity: 'stall', entityId: row.id, after: { marketId, ...input } })]);
        return toStall(row);
      });
    },
    async updateStall(by: By, id: number, patch: Partial<StallInput>) {
      const before = await repo.findStall(db, id);
      if (!before) throw notFound('stall', id);
      await loadMarket(by.actor, before.market_id).catch(() => {
        throw notFound('stall', id);
      });
      if (patch.number !== undefined && !patch.number.trim()) rejectProblems([{ field: 'number', message: '摊位号不能为空 (stall number is required)' }]);
      return db.transaction().execute(async (trx) => {
        if (patch.number && patch.number.trim() !== before.number) {
          if (await trx.selectFrom('stall').select('id').where('market_id', '=', before.market_id).where('number', '=', patch.number.trim()).executeTakeFirst()) {
            throw conflict(`摊位号 ${patch.number} 已存在 (stall number exists in this market)`, [{ field: 'number', message: '摊位号已存在 (stall number already used in this market)' }]);
          }
        }
        const row = await trx
          .updateTable('stall')
          .set({
            ...(patch.number !== undefined ? { number: patch.number.trim() } : {}),
            ...(patch.trade !== undefined ? { trade: patch.trade } : {}),
            ...(patch.areaM2 !== undefined ? { area_m2: patch.areaM2 === null ? null : String(patch.areaM2) } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'stall.update', entity: 'stall', entityId: id, before: toStall(before), after: patch })]);
        return toStall(row);
      });
    },

    // ---------------- merchants ----------------
    async listMerchants(actor: Actor, f: Omit<repo.MerchantFilter, 'limit' | 'offset'> & Page) {
      const { items, total } = await repo.listMerchants(db, actor.reach, { ...f, ...window(f) });
      return { items: items.map(toMerchant), total, page: f.page, pageSize: f.pageSize };
    },
    async getMerchant(actor: Actor, id: number) {
      return toMerchant(await loadMerchant(actor, id));
    },
    async createMerchant(by: By, input: MerchantInput) {
      rejectProblems(merchantFieldProblems(input));
      const uscc = normaliseUscc(input);
      const id = await db.transaction().execute(async (trx) => {
        const place = await merchantPlace(trx, by.actor, input);
        await assertUsccFree(trx, uscc);
        const { id } = await trx
          .insertInto('merchant')
          .values({
            uscc,
            has_uscc: input.hasUscc ?? true,
            name: input.name.trim(),
            legal_rep: input.legalRep.trim(),
            entity_type: input.entityType,
            address: input.address ?? '',
            categories: input.categories ?? [],
            licence_numbers: input.licenceNumbers ?? [],
            district_id: place.districtId,
            market_id: place.marketId,
            stall_id: input.stallId ?? null,
            status: input.status ?? 'operating',
            created_by: by.actor.staffId,
            updated_by: by.actor.staffId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'merchant.create', entity: 'merchant', entityId: id, after: { ...input, uscc } })]);
        return id;
      });
      return this.getMerchant(by.actor, id);
    },
    async updateMerchant(by: By, id: number, patch: Partial<MerchantInput>) {
      const current = await loadMerchant(by.actor, id);
      const before = toMerchant(current);
      const merged: MerchantInput = { ...before, ...patch };
      rejectProblems(merchantFieldProblems(merged));
      const uscc = normaliseUscc(merged);
      const moved = patch.marketId !== undefined || patch.districtId !== undefined || patch.stallId !== undefined;
      await db.transaction().execute(async (trx) => {
        const place = moved
          ? await merchantPlace(trx, by.actor, { marketId: merged.marketId, districtId: merged.marketId ? null : merged.districtId, stallId: merged.stallId })
          : { districtId: current.district_id, marketId: current.market_id };
        await assertUsccFree(trx, uscc, id);
        await trx
          .updateTable('merchant')
          .set({
            uscc,
            has_uscc: merged.hasUscc ?? true,
            name: merged.name.trim(),
            legal_rep: merged.legalRep.trim(),
            entity_type: merged.entityType,
            address: merged.address ?? '',
            categories: merged.categories ?? [],
            licence_numbers: merged.licenceNumbers ?? [],
            district_id: place.districtId,
            market_id: place.marketId,
            stall_id: merged.stallId ?? null,
            status: merged.status ?? 'operating',
            updated_at: new Date(),
            updated_by: by.actor.staffId,
          })
          .where('id', '=', id)
          .execute();
        if (place.districtId !== current.district_id || place.marketId !== current.market_id) {
          await trx.updateTable('scale').set({ district_id: place.districtId, market_id: place.marketId }).where('merchant_id', '=', id).execute();
          await trx.updateTable('camera').set({ district_id: place.districtId, market_id: place.marketId }).where('merchant_id', '=', id).execute();
        }
        await appendAuditEntries(trx, [audit(by, { action: 'merchant.update', entity: 'merchant', entityId: id, before, after: patch })]);
      });
      return this.getMerchant(by.actor, id);
    },

    // ---------------- scales ----------------
    async listScales(actor: Actor, f: Omit<repo.ScaleFilter, 'limit' | 'offset'> & Page) {
      const t = today();
      const { items, total } = await repo.listScales(db, actor.reach, { ...f, ...window(f) }, t, EXPIRING_WITHIN_DAYS);
      return { items: items.map((r) => toScale(r, t)), total, page: f.page, pageSize: f.pageSize };
    },
    async getScale(actor: Actor, id: number) {
      return toScale(await loadScale(actor, id), today());
    },
    async createScale(by: By, input: ScaleInput) {
      rejectProblems(scaleFieldProblems(input));
      const id = await db.transaction().execute(async (trx) => {
        const place = await scalePlace(trx, by.actor, input);
        if (await repo.findScaleBySerial(trx, input.serialNo)) {
          throw conflict(`出厂编号 ${input.serialNo} 已登记 (serial number already registered)`, [{ field: 'serialNo', message: '出厂编号已登记 (serial number already registered)' }]);
        }
        const { id } = await trx
          .insertInto('scale')
          .values({
            serial_no: input.serialNo,
            manufacturer: input.manufacturer.trim(),
            model: input.model.trim(),
            max_capacity_g: input.maxCapacityG,
            division_g: input.divisionG,
            accuracy_class: input.accuracyClass,
            type_approval_no: input.typeApprovalNo ?? '',
            is_iot: input.isIot ?? false,
            district_id: place.districtId,
            merchant_id: input.merchantId ?? null,
            market_id: place.marketId,
            stall_id: place.stallId,
            created_by: by.actor.staffId,
            updated_by: by.actor.staffId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (input.merchantId) {
          await trx.insertInto('scale_assignment').values({ scale_id: id, merchant_id: input.merchantId, stall_id: place.stallId, assigned_by: by.actor.staffId }).execute();
        }
        await appendAuditEntries(trx, [audit(by, { action: 'scale.create', entity: 'scale', entityId: id, after: input })]);
        return id;
      });
      return this.getScale(by.actor, id);
    },
    async updateScale(by: By, id: number, patch: Partial<Omit<ScaleInput, 'merchantId' | 'stallId'>>) {
      const current = await loadScale(by.actor, id);
      const before = toScale(current, today());
      const merged = { ...before, ...patch };
      rejectProblems(scaleFieldProblems(merged));
      if (patch.districtId != null && patch.districtId !== current.district_id) {
        if (current.merchant_id) rejectProblems([{ field: 'districtId', message: '已分配给商户的秤随商户所在辖区 (an assigned scale takes its merchant\'s district)' }]);
        if (!(await repo.findDistrict(db, patch.districtId))) rejectProblems([{ field: 'districtId', message: '辖区不存在 (unknown district)' }]);
        assertTarget(by.actor, { districtId: patch.districtId, marketId: null });
      }
      await db.transaction().execute(async (trx) => {
        if (patch.serialNo && patch.serialNo !== current.serial_no) {
          const other = await repo.findScaleBySerial(trx, patch.serialNo);
          if (other) throw conflict(`出厂编号 ${patch.serialNo} 已登记 (serial number already registered)`, [{ field: 'serialNo', message: '出厂编号已登记 (serial number already registered)' }]);
        }
        await trx
          .updateTable('scale')
          .set({
            serial_no: merged.serialNo,
            manufacturer: merged.manufacturer,
            model: merged.model,
            max_capacity_g: merged.maxCapacityG,
            division_g: merged.divisionG,
            accuracy_class: merged.accuracyClass,
            type_approval_no: merged.typeApprovalNo ?? '',
            is_iot: merged.isIot,
            ...(patch.districtId != null ? { district_id: patch.districtId } : {}),
            updated_at: new Date(),
            updated_by: by.actor.staffId,
          })
          .where('id', '=', id)
          .execute();
        await appendAuditEntries(trx, [audit(by, { action: 'scale.update', entity: 'scale', entityId: id, before, after: patch })]);
      });
      return this.getScale(by.actor, id);
    },
    /** Moves a scale to a merchant (and stall), or unassigns it; the previous assignment is closed and kept. */
    async assignScale(by: By, id: number, to: { merchantId: number | null; stallId?: number | null }) {
      const current = await loadScale(by.actor, id);
      await db.transaction().execute(async (trx) => {
        let place = { districtId: current.district_id, marketId: null as number | null, stallId: null as number | null };
        if (to.merchantId) {
          const m = await repo.findMerchant(trx, to.merchantId);
          if (!m || !isWithinReach(by.actor.reach, { districtId: m.district_id, marketId: m.market_id })) {
            rejectProblems([{ field: 'merchantId', message: `商户 ${to.merchantId} 不存在 (unknown merchant)` }]);
          }
          const stallId = to.stallId ?? m!.stall_id;
          if (to.stallId) {
            const s = await repo.findStall(trx, to.stallId);
            if (!s || s.market_id !== m!.market_id) rejectProblems([{ field: 'stallId', message: '摊位不属于该商户所在市场 (the stall is not in the merchant\'s market)' }]);
          }
          place = { districtId: m!.district_id, marketId: m!.market_id, stallId: stallId ?? null };
        }
        const now = new Date();
        await trx.updateTable('scale_assignment').set({ to_at: now }).where('scale_id', '=', id).where('to_at', 'is', null).execute();
        if (to.merchantId) {
          await trx.insertInto('scale_assignment').values({ scale_id: id, merchant_id: to.merchantId, stall_id: place.stallId, from_at: now, assigned_by: by.actor.staffId }).execute();
        }
        await trx
          .updateTable('scale')
          .set({ merchant_id: to.merchantId, market_id: place.marketId, stall_id: place.stallId, district_id: place.districtId, updated_at: now, updated_by: by.actor.staffId })
          .where('id', '=', id)
          .execute();
        await appendAuditEntries(trx, [
          audit(by, { action: 'scale.assign', entity: 'scale', entityId: id, before: { merchantId: current.merchant_id, stallId: current.stall_id }, after: { merchantId: to.merchantId, stallId: place.stallId } }),
        ]);
      });
      return this.getScale(by.actor, id);
    },
    async listAssignments(actor: Actor, id: number) {
      await loadScale(actor, id);
      return (await repo.listAssignments(db, id)).map((a) => ({
        id: a.id,
        merchantId: a.merchant_id,
        merchantName: a.merchant_name,
        stallId: a.stall_id,
        stallNumber: a.stall_number,
        marketName: a.market_name,
        fromAt: new Date(a.from_at).toISOString(),
        toAt: a.to_at ? new Date(a.to_at).toISOString() : null,
      }));
    },
    async listVerifications(actor: Actor, id: number) {
      await loadScale(actor, id);
      return (await repo.listVerifications(db, id)).map(toVerification);
    },
    async addVerification(by: By, scaleId: number, input: VerificationInput) {
      await loadScale(by.actor, scaleId);
      const institution = input.institution?.trim() || (await db.selectFrom('staff').select('organisation').where('id', '=', by.actor.staffId).executeTakeFirst())?.organisation || '';
      const v = { ...input, institution };
      rejectProblems(verificationFieldProblems(v, today()));
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('verification_record')
          .values({
            scale_id: scaleId,
            certificate_no: v.certificateNo.trim(),
            institution,
            verified_on: v.verifiedOn,
            result: v.result,
            valid_until: v.result === 'pass' ? v.validUntil! : null,
            recorded_by: by.actor.staffId,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'verification.create', entity: 'scale', entityId: scaleId, after: v })]);
        return toVerification(row);
      });
    },

    // ---------------- cameras ----------------
    async listCameras(actor: Actor, f: { merchantId?: number; marketId?: number } & Page) {
      const { items, total } = await repo.listCameras(db, actor.reach, { ...f, ...window(f) });
      return { items: items.map(toCamera), total, page: f.page, pageSize: f.pageSize };
    },
    async getCamera(actor: Actor, id: number) {
      const r = await repo.findCamera(db, id);
      if (!r) throw notFound('camera', id);
      assertReach(actor, { districtId: r.district_id, marketId: r.market_id }, 'camera', id);
      return toCamera(r);
    },
    async createCamera(by: By, input: CameraInput) {
      rejectProblems(cameraProblems(input));
      const m = await repo.findMerchant(db, input.merchantId);
      if (!m || !isWithinReach(by.actor.reach, { districtId: m.district_id, marketId: m.market_id })) rejectProblems([{ field: 'merchantId', message: `商户 ${input.merchantId} 不存在 (unknown merchant)` }]);
      const id = await db.transaction().execute(async (trx) => {
        const { id } = await trx
          .insertInto('camera')
          .values({ merchant_id: input.merchantId, district_id: m!.district_id, market_id: m!.market_id, key_point: input.keyPoint, stream_url: input.streamUrl, retention_days: input.retentionDays })
          .returning('id')
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'camera.create', entity: 'camera', entityId: id, after: input })]);
        return id;
      });
      return this.getCamera(by.actor, id);
    },
    async updateCamera(by: By, id: number, patch: Partial<Omit<CameraInput, 'merchantId'>>) {
      const before = await this.getCamera(by.actor, id);
      rejectProblems(cameraProblems({ ...before, ...patch }));
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('camera')
          .set({
            ...(patch.keyPoint !== undefined ? { key_point: patch.keyPoint } : {}),
            ...(patch.streamUrl !== undefined ? { stream_url: patch.streamUrl } : {}),
            ...(patch.retentionDays !== undefined ? { retention_days: patch.retentionDays } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', id)
          .execute();
        await appendAuditEntries(trx, [audit(by, { action: 'camera.update', entity: 'camera', entityId: id, before, after: patch })]);
      });
      return this.getCamera(by.actor, id);
    },

    /** Counts for the home screen, within the caller's reach. */
    async summary(actor: Actor) {
      const t = today();
      const [markets, merchants, scales] = await Promise.all([
        repo.listMarkets(db, actor.reach, { limit: 1, offset: 0 }),
        repo.listMerchants(db, actor.reach, { limit: 1, offset: 0 }),
        Promise.all(
          (['valid', 'expiring', 'expired', 'failed', 'unverified'] as const).map(async (s) => [s, (await repo.listScales(db, actor.reach, { verification: s, limit: 1, offset: 0 }, t, EXPIRING_WITHIN_DAYS)).total] as const),
        ),
      ]);
      const byStatus = Object.fromEntries(scales) as Record<string, number>;
      return { markets: markets.total, merchants: merchants.total, scales: Object.values(byStatus).reduce((a, b) => a + b, 0), scalesByVerification: byStatus };
    },
  };

  async function scalePlace(q: repo.Q, actor: Actor, input: { districtId?: number | null; merchantId?: number | null; stallId?: number | null }) {
    if (input.merchantId) {
      const m = await repo.findMerchant(q, input.merchantId);
      if (!m || !isWithinReach(actor.reach, { districtId: m.district_id, marketId: m.market_id })) rejectProblems([{ field: 'merchantId', message: `商户 ${input.merchantId} 不存在 (unknown merchant)` }]);
      if (input.stallId) {
        const s = await repo.findStall(q, input.stallId);
        if (!s || s.market_id !== m!.market_id) rejectProblems([{ field: 'stallId', message: '摊位不属于该商户所在市场 (the stall is not in the merchant\'s market)' }]);
      }
      return { districtId: m!.district_id, marketId: m!.market_id, stallId: input.stallId ?? m!.stall_id };
    }
    if (!input.districtId) rejectProblems([{ field: 'districtId', message: '未分配商户的秤须指定辖区 (an unassigned scale needs a district)' }]);
    if (!(await repo.findDistrict(q, input.districtId!))) rejectProblems([{ field: 'districtId', message: `辖区 ${input.districtId} 不存在 (unknown district)` }]);
    if (actor.reach.kind === 'markets') throw forbidden('市场管理方登记的秤须分配给本市场商户 (a market manager registers scales to merchants of its markets)');
    assertTarget(actor, { districtId: input.districtId!, marketId: null });
    return { districtId: input.districtId!, marketId: null, stallId: null };
  }
}

function cameraProblems(c: { keyPoint: string; streamUrl: string; retentionDays: number }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!(CAMERA_KEY_POINTS as readonly string[]).includes(c.keyPoint)) problems.push({ field: 'keyPoint', message: `监控点位无效，应为 ${CAMERA_KEY_POINTS.join(', ')} (unknown key point)` });
  if (!/^(rtsp|rtsps|rtmp|https?|hls):\/\/\S+$/i.test(c.streamUrl ?? '')) problems.push({ field: 'streamUrl', message: '视频流地址应为 rtsp://、rtmp:// 或 http(s):// 地址 (stream address must be an rtsp, rtmp or http(s) URL)' });
  if (!Number.isInteger(c.retentionDays) || c.retentionDays < 0 || c.retentionDays > 3650) problems.push({ field: 'retentionDays', message: '存储天数应为0-3650的整数 (retention days must be 0-3650)' });
  return problems;
}

export type RegistryService = ReturnType<typeof createRegistryService>;
