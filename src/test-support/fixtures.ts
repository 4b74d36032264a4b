import type { AppContext } from '../context.js';
import { hashPassword } from '../modules/auth/index.js';
import { usccCheckCharacter } from '../modules/registry/index.js';

/** A valid USCC built from a 17-character body: the check character is computed. */
export const validUscc = (body17: string) => body17 + usccCheckCharacter(body17);

/**
 * Two cities. City X has districts A, B, C; office A covers A, office BC covers B and C. City Y has
 * district Y1 and its own office. One market, merchant, scale and camera in A, B and Y1; a staff
 * account for every role. Everything a reach test needs: something inside and outside each reach.
 */
export async function seedFixtures(ctx: AppContext) {
  const db = ctx.dbHandle.db;
  const ins = async <T extends 'city' | 'district' | 'office' | 'market' | 'stall' | 'merchant' | 'scale' | 'camera'>(table: T, values: Record<string, unknown>) =>
    (await db.insertInto(table).values(values as never).returning('id' as never).executeTakeFirstOrThrow()) as unknown as { id: number };

  const cityX = await ins('city', { code: '460200', name: '测试市', name_en: 'Testcity' });
  const cityY = await ins('city', { code: '350200', name: '乙市', name_en: 'Ycity' });
  const dA = await ins('district', { city_id: cityX.id, code: '460202', name: '甲区', name_en: 'District A' });
  const dB = await ins('district', { city_id: cityX.id, code: '460203', name: '乙区', name_en: 'District B' });
  const dC = await ins('district', { city_id: cityX.id, code: '460204', name: '丙区', name_en: 'District C' });
  const dY = await ins('district', { city_id: cityY.id, code: '350211', name: '丁区', name_en: 'District Y1' });
  const officeA = await ins('office', { city_id: cityX.id, name: '甲区监管所', name_en: 'Office A' });
  const officeBC = await ins('office', { city_id: cityX.id, name: '乙丙监管所', name_en: 'Office BC' });
  const officeY = await ins('office', { city_id: cityY.id, name: '丁区监管所', name_en: 'Office Y' });
  await db
    .insertInto('office_district')
    .values([
      { office_id: officeA.id, district_id: dA.id },
      { office_id: officeBC.id, district_id: dB.id },
      { office_id: officeBC.id, district_id: dC.id },
      { office_id: officeY.id, district_id: dY.id },
    ])
    .execute();

  const mA = await ins('market', { district_id: dA.id, name: '甲市场', address: '甲路1号' });
  const mB = await ins('market', { district_id: dB.id, name: '乙市场', address: '乙路2号' });
  const mY = await ins('market', { district_id: dY.id, name: '丁市场', address: '丁路3号' });
  const sA = await ins('stall', { market_id: mA.id, number: 'A-01', trade: '海鲜' });
  const sB = await ins('stall', { market_id: mB.id, number: 'B-01', trade: '水果' });
  const sY = await ins('stall', { market_id: mY.id, number: 'Y-01', trade: '蔬菜' });
  const merchant = (name: string, body: string, district: number, market: number, stall: number) =>
    ins('merchant', { uscc: validUscc(body), name, legal_rep: '张三', entity_type: '个体工商户', categories: ['seafood'], district_id: district, market_id: market, stall_id: stall });
  const merA = await merchant('甲海鲜', '92460202MA5T00001', dA.id, mA.id, sA.id);
  const merB = await merchant('乙水果', '92460203MA5T00002', dB.id, mB.id, sB.id);
  const merY = await merchant('丁蔬菜', '92350211MA5T00003', dY.id, mY.id, sY.id);
  const scale = (serial: string, m: { id: number }, district: number, market: number) =>
    ins('scale', { serial_no: serial, manufacturer: '上海大华', model: 'TM-30', max_capacity_g: 30000, division_g: 10, accuracy_class: 'III', is_iot: true, district_id: district, merchant_id: m.id, market_id: market });
  const scA = await scale('SN-A-1', merA, dA.id, mA.id);
  const scB = await scale('SN-B-1', merB, dB.id, mB.id);
  const scY = await scale('SN-Y-1', merY, dY.id, mY.id);
  const camA = await ins('camera', { merchant_id: merA.id, district_id: dA.id, market_id: mA.id, key_point: 'weighing_area', stream_url: 'rtsp://cam/a', retention_days: 30 });
  const camB = await ins('camera', { merchant_id: merB.id, district_id: dB.id, market_id: mB.id, key_point: 'cashier', stream_url: 'rtsp://cam/b', retention_days: 30 });

  const hash = await hashPassword('correct-horse-42');
  const staff = async (username: string, role: string, extra: Record<string, unknown> = {}) =>
    (await db.insertInto('staff').values({ username, display_name: username, password_hash: hash, role, ...extra } as never).returning('id').executeTakeFirstOrThrow()).id;
  const users = {
    admin: await staff('admin', 'admin'),
    bureau: await staff('bureau', 'city_bureau', { city_id: cityX.id }),
    bureauY: await staff('bureau_y', 'city_bureau', { city_id: cityY.id }),
    inspA: await staff('insp_a', 'office_inspector', { city_id: cityX.id, office_id: officeA.id }),
    inspBC: await staff('insp_bc', 'office_inspector', { city_id: cityX.id, office_id: officeBC.id }),
    managerA: await staff('manager_a', 'market_manager', { city_id: cityX.id }),
    verifier: await staff('verifier', 'verification_institution', { city_id: cityX.id, organisation: '测试市计量检定所' }),
    price: await staff('price', 'price_centre', { city_id: cityX.id }),
  };
  await db.insertInto('staff_market').values({ staff_id: users.managerA, market_id: mA.id }).execute();

  return {
    cities: { X: cityX.id, Y: cityY.id },
    districts: { A: dA.id, B: dB.id, C: dC.id, Y: dY.id },
    offices: { A: officeA.id, BC: officeBC.id, Y: officeY.id },
    markets: { A: mA.id, B: mB.id, Y: mY.id },
    stalls: { A: sA.id, B: sB.id, Y: sY.id },
    merchants: { A: merA.id, B: merB.id, Y: merY.id },
    scales: { A: scA.id, B: scB.id, Y: scY.id },
    cameras: { A: camA.id, B: camB.id },
    users,
  };
}
export type Fixtures = Awaited<ReturnType<typeof seedFixtures>>;
